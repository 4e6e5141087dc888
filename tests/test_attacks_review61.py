# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 61 (adversarial): expiry and dormancy, from the cashier's seat.

Every test logs in as the POS user and attacks over JSON-RPC; only the set-up
(and time passing) uses the superuser. Each asserts the secure behaviour.

- Held (pass): a back-dated `date_order`; an expired card slipped next to a
  coded small spend of another card; a dormant card "touched" through its
  chatter; a guest's code sent and verified for a dormant card but never
  used for an order, then the override on a new request; the override
  verified for a dormant card's sibling and the dormant card added at sync.
- Left as stock has it (README, Known limits): the till's read access lists
  every guest's cards, expired and dormant ones included; none of them can
  be spent for it.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .attack_common import AttackCase


class Review61Case(AttackCase):
    def setUp(self):
        super().setUp()
        self.set_override_code()

    def expired_card(self, points=80.0, days=10):
        """The guest's e-wallet card of `points`, expired `days` days ago in
        the salon's time zone (set-up, superuser)."""
        today = self.company._redeem_otp_today()
        return self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": points,
                "expiration_date": today - timedelta(days=days),
            }
        )


@tagged("post_install", "-at_install")
class TestReview61Expired(Review61Case):
    def test_01_backdated_order_does_not_revive_an_expired_card(self):
        """Held. The cashier syncs an order dated 20 days ago (before the
        card's expiry, 10 days ago) spending 80.00 of the guest's expired
        e-wallet card, then makes the points call: the server reads the
        salon's today, not the order's date. Card keeps 80.00."""
        card = self.expired_card()
        before = self.snapshot()
        data = self.order_data(self.spending_lines(card, 80.0))
        old = fields.Datetime.now() - timedelta(days=20)
        data["date_order"] = fields.Datetime.to_string(old)
        data["payment_ids"][0][2]["name"] = data["date_order"]
        order = self.sync_and_confirm(data, card, -80.0)
        self.assertTrue(self.refused(order), order)
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)

    def test_02_expired_card_next_to_a_coded_small_spend(self):
        """Held. The guest's code is asked and verified for 5.00 of their
        valid e-wallet card; the order synced with that code also spends
        80.00 of their expired card (not named in the request). Refused:
        the expired card is refused at sync whatever the code. Both cards
        keep their balances."""
        card = self.expired_card()
        uuid = self.new_uuid()
        challenge = self.verified_code(uuid, [self.redemption(self.ewallet_card, 5.0)])
        before = self.snapshot()
        lines = [
            *self.spending_lines(self.ewallet_card, 5.0),
            self.reward_line(card, 80.0),
        ]
        data = self.order_data(lines, uuid=uuid, challenge_id=challenge.id)
        order = self.sync(data)
        self.assertTrue(self.refused(order), order)
        self.confirm(
            self.new_orders()[:1].id or 0,
            {card.id: self.coupon_vals(card, -80.0)},
        )
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)

    def test_03_code_request_for_an_expired_card_names_no_amount_it_allows(self):
        """Held. The cashier asks the guest's code for 80.00 of the expired
        card: refused (no code sent), and the override cannot answer the
        cancelled request. Card keeps 80.00."""
        card = self.expired_card()
        before = self.snapshot()
        with self.mockSMSGateway():
            result = self.rpc(
                "challenge",
                **self.challenge_params(redemptions=[self.redemption(card, 80.0)]),
            )
        self.assertIn("error", result, result)
        self.assertFalse(self.sent_codes(), "no code is sent for an expired card")
        challenge_id = result["error"].get("challenge_id")
        if challenge_id:
            verified = self.verify_override(challenge_id)
            self.assertNotEqual(verified.get("state"), "verified", verified)
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestReview61Dormant(Review61Case):
    def test_04_chatter_touch_does_not_wake_a_dormant_card(self):
        """Held. The cashier posts a chatter message on the guest's dormant
        e-wallet card (150.00, 200 days unused) and tries to write its
        harmless fields, then spends it with the override code: refused,
        the card keeps 150.00."""
        card = self.ewallet_card
        self.make_dormant(card)
        self.attempt("loyalty.card", "message_post", [card.id], body="Guest visit")
        self.attempt("loyalty.card", "write", [card.id], {"points": card.points})
        start = card.points
        self.override_spend(card, 150.0)
        self.assertAlmostEqual(card.points, start)
        self.assertNoPaidOrderSpending(card)

    def test_05_verified_but_unused_code_does_not_wake_a_dormant_card(self):
        """Held. The guest's own code is asked and verified for 1.00 of the
        dormant card (the cashier says "just checking"), but no order is ever
        synced with it; the cashier then asks a new code for 150.00 and
        answers it with the override: refused (a code wakes a card only when
        used for an order that spent it)."""
        card = self.ewallet_card
        self.make_dormant(card)
        self.verified_code(self.new_uuid(), [self.redemption(card, 1.0)])
        start = card.points
        order = self.override_spend(card, 150.0)
        self.assertTrue(self.refused(order) or not isinstance(order, int), order)
        self.assertAlmostEqual(card.points, start)
        self.assertNoPaidOrderSpending(card)

    def test_06_override_for_a_sibling_card_then_dormant_card_at_sync(self):
        """Held. The override code answers a request for 5.00 of the guest's
        awake loyalty card; the order synced with it also spends 150.00 of
        the dormant e-wallet card. Refused: the fingerprint binds the cards,
        and the dormant one needs the guest's code. E-wallet keeps 150.00."""
        dormant = self.ewallet_card
        self.make_dormant(dormant)
        uuid = self.new_uuid()
        result, _code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(self.loyalty_card, 5.0)]
        )
        challenge = self.challenge(result)
        before = self.snapshot()
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            verified = self.verify_override(challenge.id)
            self.assertEqual(verified.get("state"), "verified", verified)
            lines = [
                *self.spending_lines(self.loyalty_card, 5.0),
                self.reward_line(dormant, 150.0),
            ]
            order = self.sync_and_confirm(
                self.order_data(lines, uuid=uuid, challenge_id=challenge.id),
                dormant,
                -150.0,
            )
        self.assertTrue(self.refused(order), order)
        self.assertNoPaidOrderSpending(dormant)
        self.assertNothingLost(before)
