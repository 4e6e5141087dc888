# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    redeem_otp_whatsapp_phone_number_id = fields.Char(
        related="company_id.redeem_otp_whatsapp_phone_number_id", readonly=False
    )
    redeem_otp_whatsapp_token = fields.Char(
        related="company_id.redeem_otp_whatsapp_token",
        readonly=False,
        groups="base.group_system",
    )
    redeem_otp_whatsapp_template = fields.Char(
        related="company_id.redeem_otp_whatsapp_template", readonly=False
    )
    redeem_otp_whatsapp_lang = fields.Char(
        related="company_id.redeem_otp_whatsapp_lang", readonly=False
    )
