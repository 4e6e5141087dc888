# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    """WhatsApp Cloud API settings for redemption codes.

    Used when Odoo Enterprise's `whatsapp` module is not installed; with it,
    only the template name (and language) are read here and the account
    comes from that module.
    """

    _inherit = "res.company"

    redeem_otp_whatsapp_phone_number_id = fields.Char(
        string="WhatsApp phone number ID",
        help="The Cloud API's id of the sending number (WhatsApp Manager, API setup).",
    )
    redeem_otp_whatsapp_token = fields.Char(
        string="WhatsApp access token",
        groups="base.group_system",
        copy=False,
        help="A permanent system-user token with whatsapp_business_messaging.",
    )
    redeem_otp_whatsapp_template = fields.Char(
        string="WhatsApp authentication template",
        help="Name of an approved template of the Authentication category, "
        "with a copy-code button.",
    )
    redeem_otp_whatsapp_lang = fields.Char(
        string="WhatsApp template language",
        default="en_US",
        help="The template's language code, e.g. en_US, fr, es.",
    )
