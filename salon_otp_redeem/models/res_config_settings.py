# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    redeem_otp_enabled = fields.Boolean(
        related="company_id.redeem_otp_enabled", readonly=False
    )
    redeem_otp_validity_minutes = fields.Integer(
        related="company_id.redeem_otp_validity_minutes", readonly=False
    )
    redeem_otp_code_length = fields.Integer(
        related="company_id.redeem_otp_code_length", readonly=False
    )
    redeem_otp_alphabet = fields.Selection(
        related="company_id.redeem_otp_alphabet", readonly=False
    )
    redeem_otp_max_attempts = fields.Integer(
        related="company_id.redeem_otp_max_attempts", readonly=False
    )
    redeem_otp_resend_seconds = fields.Integer(
        related="company_id.redeem_otp_resend_seconds", readonly=False
    )
    redeem_otp_max_sends_per_hour = fields.Integer(
        related="company_id.redeem_otp_max_sends_per_hour", readonly=False
    )
    redeem_otp_channel_sequence = fields.Char(
        related="company_id.redeem_otp_channel_sequence", readonly=False
    )
    redeem_otp_dormant_days = fields.Integer(
        related="company_id.redeem_otp_dormant_days", readonly=False
    )
    redeem_otp_destination_hold_hours = fields.Integer(
        related="company_id.redeem_otp_destination_hold_hours", readonly=False
    )
    redeem_otp_min_amount = fields.Monetary(
        related="company_id.redeem_otp_min_amount",
        readonly=False,
        currency_field="redeem_otp_currency_id",
    )
    redeem_otp_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Redemption code currency"
    )
    redeem_otp_failed_send_alert = fields.Integer(
        related="company_id.redeem_otp_failed_send_alert", readonly=False
    )
    redeem_otp_retention_days = fields.Integer(
        related="company_id.redeem_otp_retention_days", readonly=False
    )
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
    pos_redeem_otp_required = fields.Boolean(
        related="pos_config_id.redeem_otp_required", readonly=False
    )
    pos_redeem_otp_allow_override = fields.Boolean(
        related="pos_config_id.redeem_otp_allow_override", readonly=False
    )
    pos_redeem_otp_override_daily_limit = fields.Integer(
        related="pos_config_id.redeem_otp_override_daily_limit", readonly=False
    )
    pos_redeem_otp_override_set = fields.Boolean(
        related="pos_config_id.redeem_otp_override_set"
    )
    # Not stored: a transient row (and its INSERT) would hold the clear code.
    # The inverse hashes it onto the center as soon as the settings are saved.
    pos_redeem_otp_new_override_code = fields.Char(
        string="New override code",
        compute="_compute_pos_redeem_otp_new_override_code",
        inverse="_inverse_pos_redeem_otp_new_override_code",
        store=False,
        help="Typed once, stored hashed; it can never be read back.",
    )

    def _compute_pos_redeem_otp_new_override_code(self):
        self.pos_redeem_otp_new_override_code = False

    def _inverse_pos_redeem_otp_new_override_code(self):
        for settings in self:
            code = settings.pos_redeem_otp_new_override_code
            if code and settings.pos_config_id:
                settings.pos_config_id.set_redeem_otp_override_code(code)
