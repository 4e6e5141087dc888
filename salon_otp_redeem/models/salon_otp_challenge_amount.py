# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

# What a challenge in these states let the POS spend (or still lets it).
AUTHORIZED_STATES = ("verified", "used")


class SalonOtpChallenge(models.Model):
    """The amount a challenge actually authorized, for the report's totals.

    `amount` is what the cashier asked to redeem, whatever became of it; a
    total of it counts codes that were never sent, locked or replaced. This
    field belongs with the challenge's other fields in salon_otp_challenge.py;
    it lives apart only while that file is being reorganized.
    """

    _inherit = "salon.otp.challenge"

    amount_authorized = fields.Monetary(
        string="Authorized",
        compute="_compute_amount_authorized",
        store=True,
        currency_field="currency_id",
        help="The amount the guest's code or a staff override authorized; "
        "0 when nothing was authorized (not sent, expired, replaced, locked "
        "or cancelled).",
    )

    @api.depends("state", "amount")
    def _compute_amount_authorized(self):
        for challenge in self:
            challenge.amount_authorized = (
                challenge.amount if challenge.state in AUTHORIZED_STATES else 0.0
            )
