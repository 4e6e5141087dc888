# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import policy
from ..tools.errors import RedeemOtpError

# A membership makes members-only benefits spendable: set by whoever sells
# memberships, never at the till.
MEMBERSHIP_FIELDS = (
    "free_member",
    "associate_member",
    "membership_state",
    "membership_start",
    "membership_stop",
    "membership_cancel",
    "member_lines",
)
MEMBER_STATES = ("paid", "free")
# Advisory-lock namespace of the codes sent per guest (pg_advisory_xact_lock).
LOCK_PARTNER_SENDS = 7301
# Redemptions below the minimum amount add up per guest over this window.
UNCODED_WINDOW = timedelta(hours=24)


class ResPartner(models.Model):
    _inherit = "res.partner"

    redeem_otp_challenge_count = fields.Integer(
        string="Redemption authorizations",
        compute="_compute_redeem_otp_challenge_count",
        groups="point_of_sale.group_pos_manager",
    )

    def _compute_redeem_otp_challenge_count(self):
        counts = self.env["salon.otp.challenge"]._redeem_otp_counts("partner_id", self)
        for partner in self:
            partner.redeem_otp_challenge_count = counts.get(partner, 0)

    @api.model
    def _load_pos_data_fields(self, config_id):
        """The POS shows membership benefits only to members."""
        return [
            *super()._load_pos_data_fields(config_id),
            "membership_state",
            "membership_stop",
        ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._redeem_otp_guard_membership(vals)
        return super().create(vals_list)

    def write(self, vals):
        """Record who changed a guest's mobile, phone or email, and from what.

        Redemption codes go to these; see salon.otp.destination.change.
        """
        self._redeem_otp_guard_membership(vals)
        if "tz" in vals and self.env.user._redeem_otp_is_cashier():
            # The salon's time zone decides when cards expire and when the
            # override count resets (res.company._redeem_otp_tz).
            companies = (
                self.env["res.company"]
                .sudo()
                .search_count([("partner_id", "in", self.ids)], limit=1)
            )
            if companies:
                raise AccessError(
                    self.env._(
                        "Only a Point of Sale manager can change the salon's time zone."
                    )
                )
        if any(name in vals for name in ("mobile", "phone", "email", "country_id")):
            self.env["salon.otp.destination.change"]._record_changes(self, vals)
        return super().write(vals)

    def _redeem_otp_check_send_limit(self, company, now):
        """Refuse a code once the guest received the company's hourly number of codes.

        Counted under an advisory lock per guest, so that two workers cannot
        both pass the last free slot.
        """
        self.ensure_one()
        sent = self.env["salon.otp.challenge"]._redeem_otp_sent_last_hour(
            "partner_id", self, LOCK_PARTNER_SENDS, now
        )
        if sent >= company.redeem_otp_max_sends_per_hour:
            raise RedeemOtpError(
                "rate_limited",
                self.env._(
                    "This guest has received %(count)s codes in the last hour; "
                    "please try again later.",
                    count=sent,
                ),
            )

    def _redeem_otp_check_member(self, programs):
        """Membership benefits are for members only, whatever the POS shows."""
        benefits = programs.sudo().filtered("redeem_otp_membership_only")
        if benefits and self.sudo().membership_state not in MEMBER_STATES:
            raise UserError(
                self.env._(
                    "%(program)s is a membership benefit and %(guest)s has no active "
                    "membership.",
                    program=benefits[0].name,
                    guest=self.display_name or self.env._("this guest"),
                )
            )

    def _redeem_otp_uncoded_recently(self, order):
        """What this guest redeemed without a code lately, `order` aside: small spends add up.

        Without it, a balance could be drained in pieces each below the
        minimum amount.
        """
        if not self or not order.company_id.redeem_otp_min_amount:
            return 0.0
        self.ensure_one()
        orders = (
            self.env["pos.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self.id),
                    ("redeem_otp_decision", "!=", False),
                    ("state", "in", policy.PAID_STATES),
                    ("create_date", ">=", fields.Datetime.now() - UNCODED_WINDOW),
                    ("id", "!=", order._origin.id or 0),
                ]
            )
        )
        dormant = orders.lines.coupon_id._redeem_otp_dormant()
        return sum(
            other._redeem_otp_protected_lines(dormant)._redeem_otp_amount()
            for other in orders
        )

    @api.model
    def _redeem_otp_guard_membership(self, vals):
        if not any(vals.get(name) for name in MEMBERSHIP_FIELDS) and not (
            self and any(name in vals for name in MEMBERSHIP_FIELDS)
        ):
            return
        self.env.user._redeem_otp_check_membership_manager()
