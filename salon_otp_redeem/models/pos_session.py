# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class PosSession(models.Model):
    _inherit = "pos.session"

    @api.model
    def _load_pos_data_models(self, config_id):
        """Declare the challenge model so the order's authorization is a relation the POS syncs."""
        return [*super()._load_pos_data_models(config_id), "salon.otp.challenge"]
