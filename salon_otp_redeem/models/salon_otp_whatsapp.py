# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, models

from .salon_otp_sender import SendFailure


class SalonOtpWhatsapp(models.AbstractModel):
    _name = "salon.otp.whatsapp"
    _description = "Redemption codes over WhatsApp"

    @api.model
    def _is_configured(self, company):
        return False

    @api.model
    def _send_code(self, challenge, number, code):
        raise SendFailure(_("WhatsApp is not configured"))
