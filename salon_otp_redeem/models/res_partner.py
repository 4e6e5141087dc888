# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _load_pos_data_fields(self, config_id):
        """The POS shows membership benefits only to members."""
        return [*super()._load_pos_data_fields(config_id), "membership_state", "membership_stop"]
