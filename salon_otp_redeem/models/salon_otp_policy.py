# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class SalonOtpPolicy(models.AbstractModel):
    """The fraud rules around a redemption, in one place the sync, the points
    RPC and the routes all ask.

    Each hook is small so that a salon's own addon can tighten one rule
    without copying the enforcement around it.
    """

    _name = "salon.otp.policy"
    _description = "Redemption fraud policy"

    @api.model
    def _redeem_otp_check_lines(self, order, lines):
        """Refuse, with a UserError, protected lines that may never be redeemed."""

    @api.model
    def _redeem_otp_always_protected_lines(self, order, lines):
        """Lines that need the guest's code whatever the program or center says."""
        return lines.browse()

    @api.model
    def _redeem_otp_card_always_protected(self, card):
        return False

    @api.model
    def _redeem_otp_needs_code(self, order, lines):
        return True

    @api.model
    def _redeem_otp_check_override_allowed(self, challenge):
        """Raise a RedeemOtpError when an override may not replace the guest's code."""

    @api.model
    def _redeem_otp_check_cards(self, order, cards):
        """Refuse, with a UserError, point decreases on cards that may not be spent."""
