# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SalonOtpAlert(models.AbstractModel):
    """Tells the managers and the guest about events worth a look."""

    _name = "salon.otp.alert"
    _description = "Redemption alerts"

    @api.model
    def _redeem_otp_after_override(self, challenge):
        pass

    @api.model
    def _redeem_otp_after_lock(self, challenge):
        pass

    @api.model
    def _redeem_otp_after_send_failure(self, challenge):
        pass
