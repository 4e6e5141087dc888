# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import codes, policy

# Twilio Verify's and NIST's bounds: a code lives ten minutes at most.
MAX_VALIDITY_MINUTES = 10


class ResCompany(models.Model):
    _inherit = "res.company"

    redeem_otp_enabled = fields.Boolean(
        string="Redemption codes",
        default=True,
        help="Ask the guest for a one-time code before the POS spends a protected balance.",
    )
    redeem_otp_validity_minutes = fields.Integer(string="Code validity (minutes)", default=5)
    redeem_otp_code_length = fields.Integer(string="Code length", default=6)
    redeem_otp_alphabet = fields.Selection(
        [
            (codes.NUMERIC, "Digits"),
            (codes.ALPHANUMERIC, "Letters and digits (no look-alikes)"),
        ],
        string="Code characters",
        default=codes.NUMERIC,
        required=True,
    )
    redeem_otp_max_attempts = fields.Integer(string="Attempts per code", default=5)
    redeem_otp_resend_seconds = fields.Integer(string="Resend cooldown (seconds)", default=30)
    redeem_otp_max_sends_per_hour = fields.Integer(
        string="Codes per guest per hour",
        default=5,
        help="Counted in the database across all centers and workers.",
    )
    redeem_otp_channel_sequence = fields.Char(
        string="Channels, in order",
        default=policy.DEFAULT_CHANNEL_SEQUENCE,
        required=True,
        help="Comma-separated, first tried first: sms, whatsapp, email. "
        "A guest with no destination for a channel, or a failed send, falls "
        "back to the next.",
    )

    @api.constrains(
        "redeem_otp_validity_minutes",
        "redeem_otp_code_length",
        "redeem_otp_max_attempts",
        "redeem_otp_resend_seconds",
        "redeem_otp_max_sends_per_hour",
        "redeem_otp_channel_sequence",
    )
    def _check_redeem_otp_policy(self):
        for company in self:
            if not 1 <= company.redeem_otp_validity_minutes <= MAX_VALIDITY_MINUTES:
                raise ValidationError(
                    _(
                        "A redemption code is valid between 1 and %(max)s minutes.",
                        max=MAX_VALIDITY_MINUTES,
                    )
                )
            if not codes.MIN_LENGTH <= company.redeem_otp_code_length <= codes.MAX_LENGTH:
                raise ValidationError(
                    _(
                        "A redemption code has between %(min)s and %(max)s characters.",
                        min=codes.MIN_LENGTH,
                        max=codes.MAX_LENGTH,
                    )
                )
            if not 1 <= company.redeem_otp_max_attempts <= 10:
                raise ValidationError(_("Allow between 1 and 10 attempts per code."))
            if company.redeem_otp_resend_seconds < 0:
                raise ValidationError(_("The resend cooldown cannot be negative."))
            if company.redeem_otp_max_sends_per_hour < 1:
                raise ValidationError(_("Allow at least one code per guest per hour."))
            try:
                policy.parse_channel_sequence(company.redeem_otp_channel_sequence)
            except ValueError as exc:
                raise ValidationError(
                    _(
                        "Channels must be a comma-separated list of sms, whatsapp "
                        "and email (%(reason)s).",
                        reason=str(exc),
                    )
                ) from None

    def _redeem_otp_channels(self):
        self.ensure_one()
        return policy.parse_channel_sequence(self.redeem_otp_channel_sequence)
