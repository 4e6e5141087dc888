# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

_logger = logging.getLogger(__name__)

# Override codes are short and chosen by people: they are hashed as Odoo hashes
# passwords (res.users._crypt_context(): salted PBKDF2, Odoo's own rounds), so
# a leaked row does not give the code away.
OVERRIDE_MIN_LENGTH = 6
OVERRIDE_MAX_LENGTH = 32
# What decides how strongly this center protects balances: POS managers only.
GUARDED_FIELDS = (
    "redeem_otp_required",
    "redeem_otp_allow_override",
    "redeem_otp_override_daily_limit",
    "redeem_otp_max_sends_per_hour",
    "company_id",
)


class PosConfig(models.Model):
    _inherit = "pos.config"

    redeem_otp_required = fields.Boolean(
        string="Ask guests for a redemption code",
        default=True,
        help="Protected balances are only spent with the guest's one-time code.",
    )
    redeem_otp_allow_override = fields.Boolean(
        string="Allow the center's override code",
        help="A manager-set code the cashier may type instead of the guest's, "
        "with a reason; every use is recorded and the guest is told.",
    )
    redeem_otp_override_daily_limit = fields.Integer(
        string="Overrides per day", default=3
    )
    redeem_otp_override_set = fields.Boolean(
        string="Override code set", compute="_compute_redeem_otp_override_set"
    )
    # Never readable through the ORM, not even by managers: written and read
    # with SQL only, like auth_totp's secret.
    redeem_otp_override_hash = fields.Char(copy=False, groups=fields.NO_ACCESS)
    redeem_otp_max_sends_per_hour = fields.Integer(
        string="Codes per center per hour",
        default=60,
        help="Caps what one till can make the gateway send, whoever the guests are.",
    )

    def write(self, vals):
        """POS users may write their center (stock access rights), not its protection."""
        Change = self.env["salon.otp.setting.change"]
        rows = Change._guard(self, vals, GUARDED_FIELDS)
        result = super().write(vals)
        Change._record(rows)
        return result

    @api.constrains("redeem_otp_override_daily_limit", "redeem_otp_max_sends_per_hour")
    def _check_redeem_otp_limits(self):
        for config in self:
            if config.redeem_otp_override_daily_limit < 0:
                raise ValidationError(_("The daily override limit cannot be negative."))
            if config.redeem_otp_max_sends_per_hour < 1:
                raise ValidationError(_("Allow at least one code per center per hour."))

    def _compute_redeem_otp_override_set(self):
        if not self.ids:
            self.redeem_otp_override_set = False
            return
        self.env.cr.execute(
            "SELECT id FROM pos_config WHERE id = ANY(%s) AND redeem_otp_override_hash IS NOT NULL",
            [self.ids],
        )
        with_code = {row[0] for row in self.env.cr.fetchall()}
        for config in self:
            config.redeem_otp_override_set = config.id in with_code

    def set_redeem_otp_override_code(self, code):
        """Store the center's override code as a salted hash; an empty code removes it.

        Public so that the settings screen and managers' scripts can call it
        over RPC; the rights check is explicit because the field itself is
        out of the ORM's reach.
        """
        if not self.env.user.has_group("point_of_sale.group_pos_manager"):
            raise AccessError(
                _("Only Point of Sale managers can set the override code.")
            )
        self.check_access("write")
        code = (code or "").strip()
        if code and not OVERRIDE_MIN_LENGTH <= len(code) <= OVERRIDE_MAX_LENGTH:
            raise ValidationError(
                _(
                    "The override code was not saved: it must have between %(min)s "
                    "and %(max)s characters, and the one typed has %(count)s.",
                    min=OVERRIDE_MIN_LENGTH,
                    max=OVERRIDE_MAX_LENGTH,
                    count=len(code),
                )
            )
        value = self.env["res.users"]._crypt_context().hash(code) if code else None
        self.env.cr.execute(
            "UPDATE pos_config SET redeem_otp_override_hash = %s WHERE id = ANY(%s)",
            [value, self.ids],
        )
        self.invalidate_recordset(["redeem_otp_override_set"])
        self.env["salon.otp.setting.change"]._record(
            [
                {
                    "company_id": config.company_id.id,
                    "model": self._name,
                    "res_id": config.id,
                    "record_name": config.display_name,
                    "field_name": self._fields["redeem_otp_override_set"].string,
                    "new_value": _("set") if code else _("removed"),
                }
                for config in self
            ]
        )
        for config in self:
            _logger.info(
                "Redemption override code %s for POS %s by user %s",
                "set" if code else "removed",
                config.id,
                self.env.user.login,
            )
        return True

    def _redeem_otp_check_override(self, code):
        self.ensure_one()
        if not code:
            return False
        self.env.cr.execute(
            "SELECT redeem_otp_override_hash FROM pos_config WHERE id = %s", [self.id]
        )
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            return False
        try:
            return self.env["res.users"]._crypt_context().verify(code, row[0])
        except ValueError:
            return False

    def _redeem_otp_active(self):
        """Whether this center asks for codes at all (company switch and center switch)."""
        self.ensure_one()
        return bool(self.company_id.redeem_otp_enabled and self.redeem_otp_required)
