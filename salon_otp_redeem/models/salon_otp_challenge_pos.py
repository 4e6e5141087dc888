# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class SalonOtpChallengePos(models.Model):
    """What the POS knows of a redemption authorization.

    The model is declared to the POS so that `pos.order.redeem_otp_challenge_id`
    is a real relation on the client and the verified challenge is sent in
    the order's sync payload. Nothing is loaded at start: the dialog reads the
    one challenge it verified, with the fields the receipt prints.
    """

    _name = "salon.otp.challenge"
    _inherit = ["salon.otp.challenge", "pos.load.mixin"]

    override_user_name = fields.Char(
        string="Override by (name)", related="override_user_id.name"
    )

    @api.model
    def _load_pos_data_domain(self, data):
        # False: no query at all, the POS starts with no challenge.
        return False

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            "id",
            "state",
            "method",
            "channel",
            "destination_masked",
            "verified_at",
            "override_user_name",
        ]
