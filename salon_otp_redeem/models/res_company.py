# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

from ..tools import codes, policy

_logger = logging.getLogger(__name__)

# Rows deleted per batch, so that one vacuum never holds long locks.
UNLINK_BATCH = 1000
# Twilio Verify's and NIST's bounds: a code lives ten minutes at most.
MAX_VALIDITY_MINUTES = 10


# What the till's routes read of the company (`_redeem_otp_fetch_for_till`):
# its hierarchy, for the record rules, and the redemption settings.
TILL_FIELDS = ("name", "active", "currency_id", "parent_id", "parent_path")


class ResCompany(models.Model):
    _inherit = "res.company"

    redeem_otp_enabled = fields.Boolean(
        string="Redemption codes",
        default=True,
        help="Ask the guest for a one-time code before the POS spends a protected balance.",
    )
    redeem_otp_validity_minutes = fields.Integer(
        string="Code validity (minutes)", default=5
    )
    redeem_otp_code_length = fields.Integer(string="Code length", default=6)
    redeem_otp_alphabet = fields.Selection(
        [
            (codes.NUMERIC, "Digits"),
            (codes.ALPHANUMERIC, "Letters and digits (no look-alikes)"),
        ],
        string="Code characters",
        default=codes.NUMERIC,
        required=True,
    )
    redeem_otp_max_attempts = fields.Integer(string="Attempts per code", default=5)
    redeem_otp_resend_seconds = fields.Integer(
        string="Resend cooldown (seconds)", default=30
    )
    redeem_otp_max_sends_per_hour = fields.Integer(
        string="Codes per guest per hour",
        default=5,
        help="Counted in the database across all centers and workers.",
    )
    redeem_otp_channel_sequence = fields.Char(
        string="Channels, in order",
        default=policy.DEFAULT_CHANNEL_SEQUENCE,
        required=True,
        help="Comma-separated, first tried first: sms, whatsapp, email. "
        "A guest with no destination for a channel, or a failed send, falls "
        "back to the next.",
    )
    # Back-office fraud policy (issue "Back office: audit trail, fraud policy").
    redeem_otp_dormant_days = fields.Integer(
        string="Dormant after (days)",
        default=policy.DEFAULT_DORMANT_DAYS,
        help="A card with no loyalty activity for this many days always needs the "
        "guest's code, and the override code is refused for it. 0 turns this off.",
    )
    redeem_otp_destination_hold_hours = fields.Integer(
        string="Contact change watch (hours)",
        default=policy.DEFAULT_DESTINATION_HOLD_HOURS,
        help="When staff changed a guest's mobile, phone or email this recently, the "
        "code also goes to the previous one. 0 turns this off.",
    )
    redeem_otp_min_amount = fields.Monetary(
        string="No code below",
        currency_field="currency_id",
        default=0.0,
        help="Redemptions worth less than this need no code (dormant cards always do). "
        "0 asks for a code whatever the amount.",
    )
    redeem_otp_failed_send_alert = fields.Integer(
        string="Alert after failed sends per hour",
        default=policy.DEFAULT_FAILED_SEND_ALERT,
        help="More failed sends than this in one hour at one center creates an "
        "activity for the Point of Sale managers. 0 turns this off.",
    )
    redeem_otp_tz = fields.Selection(
        _tz_get,
        string="Salon's time zone",
        required=True,
        default=lambda self: self._default_redeem_otp_tz(),
        help="Cards expire, and each center's daily override count restarts, at "
        "midnight in this time zone.",
    )
    redeem_otp_retention_days = fields.Integer(
        string="Keep authorizations (days)",
        default=policy.DEFAULT_RETENTION_DAYS,
        help="Older redemption authorizations are deleted. 0 keeps them forever.",
    )

    # WhatsApp Cloud API (Meta), for Community and Enterprise alike.
    redeem_otp_whatsapp_phone_number_id = fields.Char(
        string="WhatsApp phone number ID",
        help="The Cloud API's id of the sending number (WhatsApp Manager, API setup).",
    )
    redeem_otp_whatsapp_token = fields.Char(
        string="WhatsApp access token",
        groups="base.group_system",
        copy=False,
        help="A permanent system-user token with whatsapp_business_messaging.",
    )
    redeem_otp_whatsapp_template = fields.Char(
        string="WhatsApp authentication template",
        help="Name of an approved template of the Authentication category, "
        "with a copy-code button.",
    )
    redeem_otp_whatsapp_lang = fields.Char(
        string="WhatsApp template language",
        default="en_US",
        help="The template's language code, e.g. en_US, fr, es.",
    )

    def write(self, vals):
        """Every redemption setting weakens protection when lowered: managers only."""
        Change = self.env["salon.otp.setting.change"]
        guarded = [name for name in vals if name.startswith("redeem_otp_")]
        rows = Change._guard(self, vals, guarded)
        result = super().write(vals)
        Change._record(rows)
        return result

    @api.constrains(
        "redeem_otp_validity_minutes",
        "redeem_otp_code_length",
        "redeem_otp_max_attempts",
        "redeem_otp_resend_seconds",
        "redeem_otp_max_sends_per_hour",
        "redeem_otp_channel_sequence",
    )
    def _check_redeem_otp_policy(self):
        for company in self:
            if not 1 <= company.redeem_otp_validity_minutes <= MAX_VALIDITY_MINUTES:
                raise ValidationError(
                    self.env._(
                        "A redemption code is valid between 1 and %(max)s minutes.",
                        max=MAX_VALIDITY_MINUTES,
                    )
                )
            if (
                not codes.MIN_LENGTH
                <= company.redeem_otp_code_length
                <= codes.MAX_LENGTH
            ):
                raise ValidationError(
                    self.env._(
                        "A redemption code has between %(min)s and %(max)s characters.",
                        min=codes.MIN_LENGTH,
                        max=codes.MAX_LENGTH,
                    )
                )
            if not 1 <= company.redeem_otp_max_attempts <= 10:
                raise ValidationError(
                    self.env._("Allow between 1 and 10 attempts per code.")
                )
            if company.redeem_otp_resend_seconds < 0:
                raise ValidationError(
                    self.env._("The resend cooldown cannot be negative.")
                )
            if company.redeem_otp_max_sends_per_hour < 1:
                raise ValidationError(
                    self.env._("Allow at least one code per guest per hour.")
                )
            try:
                policy.parse_channel_sequence(company.redeem_otp_channel_sequence)
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "Channels must be a comma-separated list of sms, whatsapp "
                        "and email (%(reason)s).",
                        reason=str(exc),
                    )
                ) from None

    @api.constrains(
        "redeem_otp_dormant_days",
        "redeem_otp_destination_hold_hours",
        "redeem_otp_min_amount",
        "redeem_otp_failed_send_alert",
        "redeem_otp_retention_days",
    )
    def _check_redeem_otp_backoffice(self):
        for company in self:
            if (
                min(
                    company.redeem_otp_dormant_days,
                    company.redeem_otp_destination_hold_hours,
                    company.redeem_otp_min_amount,
                    company.redeem_otp_failed_send_alert,
                    company.redeem_otp_retention_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Redemption code limits, delays and amounts cannot be negative."
                    )
                )

    @api.model
    def _default_redeem_otp_tz(self):
        """At install, the zone the salon already shows: its partner's, else its admin's."""
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        return self.env.company.partner_id.tz or (admin and admin.tz) or "UTC"

    def _redeem_otp_fetch_for_till(self):
        """Read the company's settings and hierarchy, not its hundred other columns
        (see `pos.config._redeem_otp_fetch_for_till`)."""
        company = self.sudo()
        company.fetch(
            [
                *TILL_FIELDS,
                *(
                    name
                    for name, field in company._fields.items()
                    if name.startswith("redeem_otp_") and field.store
                ),
            ]
        )

    def _redeem_otp_tz(self):
        """The salon's time zone: its days (override caps, expiry) start at its midnight.

        A setting of the company's own, not its partner's or a user's zone: a
        cashier may write those (a contact, their own preferences), and
        moving the salon's midnight would restart the day's override count
        or revive a card that expired yesterday.
        """
        self.ensure_one()
        return pytz.timezone(self.redeem_otp_tz or "UTC")

    def _redeem_otp_today(self):
        """The salon's date now (`_redeem_otp_tz`)."""
        now = pytz.utc.localize(fields.Datetime.now())
        return now.astimezone(self._redeem_otp_tz()).date()

    def _redeem_otp_whatsapp_configured(self):
        """Whether the WhatsApp Cloud API can carry this company's codes."""
        company = self.sudo()
        return bool(
            company.redeem_otp_whatsapp_phone_number_id
            and company.redeem_otp_whatsapp_token
            and company.redeem_otp_whatsapp_template
        )

    def _redeem_otp_channels(self):
        self.ensure_one()
        return policy.parse_channel_sequence(self.redeem_otp_channel_sequence)

    @api.model
    def _load_pos_data_fields(self, config_id):
        """The POS needs the company switch to know whether to ask for codes."""
        return [*super()._load_pos_data_fields(config_id), "redeem_otp_enabled"]

    def _redeem_otp_purge_challenges(self, now):
        """Delete the authorizations older than each company's retention, in batches."""
        Challenge = self.env["salon.otp.challenge"].sudo()
        for company in self:
            cutoff = policy.retention_cutoff(now, company.redeem_otp_retention_days)
            if not cutoff:
                continue
            domain = [("company_id", "=", company.id), ("create_date", "<", cutoff)]
            while True:
                old = Challenge.search(domain, limit=UNLINK_BATCH, order="id")
                if not old:
                    break
                old.unlink()
                _logger.info(
                    "Deleted %s redemption authorizations of company %s older than %s days",
                    len(old),
                    company.id,
                    company.redeem_otp_retention_days,
                )
                if len(old) < UNLINK_BATCH:
                    break
