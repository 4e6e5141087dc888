# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..tools import policy
from ..tools.errors import RedeemOtpError

_logger = logging.getLogger(__name__)


class SalonOtpPolicy(models.AbstractModel):
    """The fraud rules around a redemption, in one place the sync, the points
    RPC and the routes all ask.

    Each hook is small so that a salon's own addon can tighten one rule
    without copying the enforcement around it. The decisions themselves are
    plain functions in tools/policy.py; these methods gather the facts.

    Rules:
    - expired credit: a card past its expiration date is never spent, at
      sync, at confirm_coupon_programs and at the challenge route;
    - dormant credit: a card without activity for `redeem_otp_dormant_days`
      always needs the guest's code, and the override code is refused for it;
    - contact changed by staff: flagged, and the code also goes to the
      previous destination (salon.otp.sender, salon.otp.destination.change);
    - minimum amount: below `redeem_otp_min_amount` no code is asked, except
      for dormant cards; the decision is written on the order.
    """

    _name = "salon.otp.policy"
    _description = "Redemption fraud policy"

    # ------------------------------------------------------------------
    # Facts
    # ------------------------------------------------------------------
    @api.model
    def _redeem_otp_expired_cards(self, cards, company):
        return cards._redeem_otp_expired(company)

    @api.model
    def _redeem_otp_dormant_cards(self, cards, now=None):
        return cards._redeem_otp_dormant(now)

    @api.model
    def _redeem_otp_note(self, challenge, text):
        """Append one line to the challenge's record of policy decisions."""
        challenge = challenge.sudo()
        stamp = fields.Datetime.to_string(fields.Datetime.now())
        line = f"{stamp} {text}"
        challenge.decision = (
            f"{challenge.decision}\n{line}" if challenge.decision else line
        )

    @api.model
    def _redeem_otp_refuse_expired(self, cards, company, where, order=None):
        expired = self._redeem_otp_expired_cards(cards, company)
        if not expired:
            return
        card = expired[0]
        # The refused sync or RPC is rolled back: the log is the record.
        _logger.warning(
            "Redemption of expired card %s (expired %s) refused at %s: order %s, user %s",
            card.id,
            card.expiration_date,
            where,
            order and order.uuid,
            self.env.user.login,
        )
        raise UserError(
            _(
                "The card %(code)s (%(program)s) expired on %(date)s: its balance can no "
                "longer be spent.",
                code=card.code,
                program=card.program_id.name,
                date=card.expiration_date,
            )
        )

    # ------------------------------------------------------------------
    # Sync (pos.order._redeem_otp_enforce)
    # ------------------------------------------------------------------
    @api.model
    def _redeem_otp_check_lines(self, order, lines):
        """Refuse, with a UserError, protected lines that may never be redeemed."""
        self._redeem_otp_refuse_expired(
            lines.coupon_id, order.company_id, "sync", order
        )

    @api.model
    def _redeem_otp_always_protected_lines(self, order, lines):
        """Lines that need the guest's code whatever the program or center says.

        Lines of expired cards are included so that `_redeem_otp_check_lines`
        sees, and refuses, them.
        """
        cards = lines.coupon_id
        if not cards:
            return lines.browse()
        special = self._redeem_otp_dormant_cards(
            cards
        ) | self._redeem_otp_expired_cards(cards, order.company_id)
        return lines.filtered(lambda line: line.coupon_id in special)

    @api.model
    def _redeem_otp_card_always_protected(self, card):
        return bool(self._redeem_otp_dormant_cards(card))

    @api.model
    def _redeem_otp_needs_code(self, order, lines):
        if self._redeem_otp_dormant_cards(lines.coupon_id):
            return True
        company = order.company_id
        amount = order._redeem_otp_lines_amount(lines)
        if not policy.below_minimum(amount, company.redeem_otp_min_amount):
            return True
        currency = company.currency_id
        decision = _(
            "Below the minimum amount (%(amount)s < %(minimum)s): no code asked.",
            amount=currency.format(amount),
            minimum=currency.format(company.redeem_otp_min_amount),
        )
        if order.redeem_otp_decision != decision:
            order.sudo().redeem_otp_decision = decision
            _logger.info("Order %s: %s", order.uuid, decision)
        return False

    # ------------------------------------------------------------------
    # Points (pos.order.confirm_coupon_programs)
    # ------------------------------------------------------------------
    @api.model
    def _redeem_otp_check_cards(self, order, cards):
        """Refuse, with a UserError, point decreases on cards that may not be spent."""
        self._redeem_otp_refuse_expired(
            cards, order.company_id, "confirm_coupon_programs", order
        )

    # ------------------------------------------------------------------
    # Challenge route (salon.otp.challenge._redeem_otp_request)
    # ------------------------------------------------------------------
    @api.model
    def _redeem_otp_forced_cards(self, config, partner, cards):
        """Cards a code is asked for whatever the program or center says (dormant, expired)."""
        return self._redeem_otp_dormant_cards(cards) | self._redeem_otp_expired_cards(
            cards, config.company_id
        )

    @api.model
    def _redeem_otp_check_request(self, config, partner, order_uuid, lines):
        """Refuse what can never be redeemed; return the risk flags of the new challenge.

        An expired card is recorded as a cancelled challenge before the
        refusal: the route returns the error as a result, so the row stays.
        """
        company = config.company_id
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .browse([line["card_id"] for line in lines if line["card_id"]])
        )
        expired = self._redeem_otp_expired_cards(cards, company)
        if expired:
            card = expired[0]
            message = _(
                "The card %(code)s (%(program)s) expired on %(date)s: its balance can no "
                "longer be spent.",
                code=card.code,
                program=card.program_id.name,
                date=card.expiration_date,
            )
            challenge = (
                self.env["salon.otp.challenge"]
                .sudo()
                .create(
                    {
                        "company_id": company.id,
                        "pos_config_id": config.id,
                        "pos_session_id": config.current_session_id.id,
                        "partner_id": partner.id,
                        "order_uuid": order_uuid,
                        "state": "cancelled",
                        "card_ids": [Command.set(cards.ids)],
                        "risk_expired": True,
                        "amount": sum(line["amount"] for line in lines),
                        "points_total": sum(line["points"] for line in lines),
                    }
                )
            )
            self._redeem_otp_note(challenge, _("Refused: %(why)s", why=message))
            _logger.warning(
                "Code request for expired card %s refused: challenge %s, POS %s, user %s",
                card.id,
                challenge.id,
                config.id,
                self.env.user.login,
            )
            raise RedeemOtpError("bad_request", message, challenge_id=challenge.id)

        dormant = self._redeem_otp_dormant_cards(cards)
        amount = sum(line["amount"] for line in lines)
        if not dormant and policy.below_minimum(amount, company.redeem_otp_min_amount):
            raise RedeemOtpError(
                "not_protected",
                _(
                    "Redemptions below %(minimum)s need no code.",
                    minimum=company.currency_id.format(company.redeem_otp_min_amount),
                ),
            )
        notes = []
        if dormant:
            notes.append(
                _(
                    "Dormant card(s) %(codes)s: the guest's code is required and the "
                    "override code is refused.",
                    codes=", ".join(dormant.mapped("code")),
                )
            )
        changes = self.env["salon.otp.destination.change"]._recent(partner, company)
        if changes:
            notes.append(
                _(
                    "Contact details changed by staff: %(changes)s.",
                    changes="; ".join(
                        _(
                            "%(field)s by %(user)s at %(date)s",
                            field=change.field_name,
                            user=change.user_id.name,
                            date=fields.Datetime.to_string(change.create_date),
                        )
                        for change in changes.sudo()
                    ),
                )
            )
        stamp = fields.Datetime.to_string(fields.Datetime.now())
        return {
            "card_ids": [Command.set(cards.ids)],
            "risk_dormant": bool(dormant),
            "risk_destination_changed": bool(changes),
            "decision": "\n".join(f"{stamp} {note}" for note in notes) or False,
        }

    @api.model
    def _redeem_otp_check_override_allowed(self, challenge):
        """Raise a RedeemOtpError when an override may not replace the guest's code."""
        dormant = self._redeem_otp_dormant_cards(challenge.sudo().card_ids)
        if challenge.risk_dormant or dormant:
            self._redeem_otp_note(challenge, _("Override refused: dormant card."))
            _logger.warning(
                "Override refused for dormant card: challenge %s, POS %s, user %s",
                challenge.id,
                challenge.pos_config_id.id,
                self.env.user.login,
            )
            raise RedeemOtpError(
                "override_not_allowed",
                _(
                    "This balance has not been used for a long time: only the guest's own "
                    "code can release it, not the override code."
                ),
            )
