# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError


class PosSession(models.Model):
    _inherit = "pos.session"

    @api.model
    def _load_pos_data_models(self, config_id):
        """Declare the challenge model so the order's authorization is a relation the POS syncs."""
        return [*super()._load_pos_data_models(config_id), "salon.otp.challenge"]

    def _redeem_otp_check_open_to_cashier(self):
        """A cashier saves orders into an open session of a center they may use."""
        session = self.exists()
        if not session or session.state != "opened":
            raise UserError(self.env._("This order's session is not open."))
        session.config_id.check_access("read")

    @api.model
    def _redeem_otp_current(self, config):
        """The center's current session, as stock's `current_session_id` picks it.

        That is its newest session neither closed nor a rescue, found by one
        query (with the user's record rules, as reading the field does)
        instead of reading every session the center ever had.
        """
        return self.search_fetch(
            [
                ("config_id", "=", config.id),
                ("state", "!=", "closed"),
                ("rescue", "=", False),
            ],
            ["state"],
            order="id desc",
            limit=1,
        )
