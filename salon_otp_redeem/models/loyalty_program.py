# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import policy


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    redeem_otp_required = fields.Boolean(
        string="Redemption code required",
        compute="_compute_redeem_otp_required",
        store=True,
        readonly=False,
        precompute=True,
        help="Spending this program's balances at the POS needs the guest's "
        "one-time code. Gift cards are bearer cards and are never protected.",
    )
    redeem_otp_membership_only = fields.Boolean(
        string="Membership benefit",
        help="Only guests with a paid or free membership may use it, and "
        "using it needs their one-time code.",
    )

    @api.depends("program_type")
    def _compute_redeem_otp_required(self):
        for program in self:
            program.redeem_otp_required = policy.default_protection(
                program.program_type
            )

    @api.constrains("redeem_otp_required", "redeem_otp_membership_only", "program_type")
    def _check_redeem_otp_gift_card(self):
        for program in self:
            if program.program_type in policy.NEVER_PROTECTED and (
                program.redeem_otp_required or program.redeem_otp_membership_only
            ):
                raise ValidationError(
                    self.env._(
                        "Gift cards are never protected by a redemption code: "
                        "whoever holds the card may spend it (%(program)s).",
                        program=program.name,
                    )
                )

    def _redeem_otp_protected(self):
        """Programs whose redemption needs a code, whatever the center says."""
        return self.filtered(
            lambda p: (
                p.program_type not in policy.NEVER_PROTECTED
                and (p.redeem_otp_required or p.redeem_otp_membership_only)
            )
        )

    def _redeem_otp_point_value(self):
        """What one point is worth when the program says so (one per-point reward)."""
        self.ensure_one()
        rewards = self.sudo().reward_ids
        if len(rewards) != 1 or rewards.reward_type != "discount":
            return None
        return policy.reward_value(rewards.discount_mode, rewards.discount, 1.0)

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            *super()._load_pos_data_fields(config_id),
            "redeem_otp_required",
            "redeem_otp_membership_only",
        ]
