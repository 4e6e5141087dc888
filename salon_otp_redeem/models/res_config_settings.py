# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import policy
from .pos_config import OVERRIDE_MAX_LENGTH, OVERRIDE_MIN_LENGTH

CHANNEL_LABELS = [("sms", "SMS"), ("whatsapp", "WhatsApp"), ("email", "Email")]


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
    # The company keeps the order as text ("sms,email"); people pick it here,
    # one channel per position.
    redeem_otp_channel_1 = fields.Selection(
        CHANNEL_LABELS,
        string="First channel",
        compute="_compute_redeem_otp_channels",
        inverse="_inverse_redeem_otp_channels",
        help="Where the code goes first. A guest with no address for a channel, "
        "or a send that fails, falls back to the next channel. WhatsApp is used "
        "once its settings below are filled in.",
    )
    redeem_otp_channel_2 = fields.Selection(
        CHANNEL_LABELS,
        string="Then",
        compute="_compute_redeem_otp_channels",
        inverse="_inverse_redeem_otp_channels",
        help="Tried when the first channel cannot reach the guest. Leave empty "
        "to use the first channel only.",
    )
    redeem_otp_channel_3 = fields.Selection(
        CHANNEL_LABELS,
        string="And then",
        compute="_compute_redeem_otp_channels",
        inverse="_inverse_redeem_otp_channels",
        help="Tried when the channels before cannot reach the guest.",
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
    redeem_otp_tz = fields.Selection(related="company_id.redeem_otp_tz", readonly=False)
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
    redeem_otp_center_name = fields.Char(
        string="Applies to",
        compute="_compute_redeem_otp_center_name",
        help="The point of sale chosen at the top of this page.",
    )
    # Not stored: a transient row (and its INSERT) would hold the clear code.
    # The inverse hashes it onto the center as soon as the settings are saved.
    pos_redeem_otp_new_override_code = fields.Char(
        string="New override code",
        compute="_compute_pos_redeem_otp_new_override_code",
        inverse="_inverse_pos_redeem_otp_new_override_code",
        store=False,
        help=f"{OVERRIDE_MIN_LENGTH} to {OVERRIDE_MAX_LENGTH} characters: letters, "
        "digits, spaces or symbols. Typed once, stored hashed; it can never be "
        "read back.",
    )

    @api.depends("company_id.redeem_otp_channel_sequence")
    def _compute_redeem_otp_channels(self):
        for settings in self:
            try:
                order = policy.parse_channel_sequence(
                    settings.company_id.redeem_otp_channel_sequence
                )
            except ValueError:
                order = ()
            order = [*order, False, False, False]
            settings.redeem_otp_channel_1 = order[0]
            settings.redeem_otp_channel_2 = order[1]
            settings.redeem_otp_channel_3 = order[2]

    def _inverse_redeem_otp_channels(self):
        labels = dict(CHANNEL_LABELS)
        for settings in self:
            chosen = [
                channel
                for channel in (
                    settings.redeem_otp_channel_1,
                    settings.redeem_otp_channel_2,
                    settings.redeem_otp_channel_3,
                )
                if channel
            ]
            if not chosen:
                raise ValidationError(
                    self.env._("Choose at least one channel for redemption codes.")
                )
            for channel in chosen:
                if chosen.count(channel) > 1:
                    raise ValidationError(
                        self.env._(
                            "%(channel)s is chosen twice in the channel order: "
                            "choose each channel once.",
                            channel=labels[channel],
                        )
                    )
            company = settings.company_id
            if company._redeem_otp_channels() != tuple(chosen):
                company.redeem_otp_channel_sequence = ",".join(chosen)

    @api.depends("pos_config_id")
    def _compute_redeem_otp_center_name(self):
        for settings in self:
            settings.redeem_otp_center_name = settings.pos_config_id.display_name

    def _compute_pos_redeem_otp_new_override_code(self):
        self.pos_redeem_otp_new_override_code = False

    def _inverse_pos_redeem_otp_new_override_code(self):
        for settings in self:
            code = settings.pos_redeem_otp_new_override_code
            if code and settings.pos_config_id:
                settings.pos_config_id.set_redeem_otp_override_code(code)
