# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class SalonOtpNotice(models.AbstractModel):
    """After points go down, the guest learns what was used and what is left.

    Stock Odoo sends nothing when a balance decreases; this is the guest's
    receipt for their money, and the moment they would notice a fraud.
    """

    _name = "salon.otp.notice"
    _description = "Post-redemption balance notice"

    @api.model
    def _redeem_otp_send_notices(self, order, used_by_card):
        challenge = order.redeem_otp_challenge_id.sudo()
        cards = self.env["loyalty.card"].sudo().browse(list(used_by_card)).exists()
        for card in cards:
            context = {
                "used": used_by_card[card.id],
                "order_name": order.pos_reference or order.name,
                "override": challenge.method == "override",
            }
            try:
                self._send_notice(card, order.partner_id, order.company_id, context)
            except Exception:  # noqa: BLE001 - a notice never undoes a paid order
                _logger.exception("Balance notice for card %s failed", card.id)

    @api.model
    def _send_notice(self, card, partner, company, context):
        return self.env["salon.otp.sender"]._send_notice(
            card.partner_id or partner,
            company,
            card,
            {
                "sms": "salon_otp_redeem.sms_template_redeem_notice",
                "email": "salon_otp_redeem.mail_template_redeem_notice",
            },
            context,
            f"Balance notice for card {card.id}",
        )
