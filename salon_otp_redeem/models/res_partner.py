# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


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

    def write(self, vals):
        """Record who changed a guest's mobile, phone or email, and from what.

        Redemption codes go to these; see salon.otp.destination.change.
        """
        if any(name in vals for name in ("mobile", "phone", "email")):
            self.env["salon.otp.destination.change"]._record_changes(self, vals)
        return super().write(vals)
