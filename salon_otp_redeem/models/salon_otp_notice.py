# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models

from .salon_otp_sender import SendFailure

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
        sender = self.env["salon.otp.sender"]
        partner = card.partner_id or partner
        for channel in company._redeem_otp_channels():
            if channel == "whatsapp":
                # WhatsApp outside a conversation needs pre-approved templates;
                # the authentication template cannot carry a balance.
                continue
            destination, _why = sender._destination(partner, channel, company)
            if not destination:
                continue
            try:
                if channel == "sms":
                    template = self.env.ref(
                        "salon_otp_redeem.sms_template_redeem_notice"
                    )
                    body = sender._render_sms(template, card, context)
                    sender._send_sms_now(destination, body, partner)
                else:
                    template = self.env.ref(
                        "salon_otp_redeem.mail_template_redeem_notice"
                    )
                    sender._send_mail_now(template, card, destination, context)
            except SendFailure as exc:
                _logger.info(
                    "Balance notice for card %s not sent by %s: %s",
                    card.id,
                    channel,
                    exc,
                )
                continue
            _logger.info("Balance notice for card %s sent by %s", card.id, channel)
            return channel
        return None
