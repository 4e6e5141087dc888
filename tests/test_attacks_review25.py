# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 25: the loyalty side (next-order coupons, cards the points call
creates, dormancy, notices).

- A code request may name a card for 0 points: the card lands in the
  challenge's `card_ids`, which the dormancy rule reads as "redeemed with the
  guest's code", while the fingerprint drops it. A dormant card so named on a
  coded order that earns on it wakes up, and the override code spends it.
- A cashier may write a card's `code`: the guest's coupon no longer answers
  to the code the guest holds.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up (and time passing) uses the superuser.
"""

from odoo.tests import tagged

from .attack_common import AttackCase


class Review25Case(AttackCase):
    def override_spend_amount(self, card, points, amount):
        """Ask a code for `points` of `card` worth `amount`, answer it with the
        center's override code, sync and confirm. The order id or the refusal."""
        uuid = self.new_uuid()
        redemption = self.redemption(card, points, amount=amount)
        result, _code = self.request_code(order_uuid=uuid, redemptions=[redemption])
        if "error" in result and not result["error"].get("challenge_id"):
            return result
        challenge_id = result.get("challenge_id") or result["error"]["challenge_id"]
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            verified = self.verify_override(challenge_id, "Guest forgot the phone")
            if verified.get("state") != "verified":
                return verified
            order = self.sync(
                self.order_data(
                    self.spending_lines(card, points, amount=amount),
                    uuid=uuid,
                    challenge_id=challenge_id,
                )
            )
            if isinstance(order, int):
                self.confirm(order, {card.id: self.coupon_vals(card, -points)})
        self.env.invalidate_all()
        return order


@tagged("post_install", "-at_install")
class TestReview25DormantWokenByZeroPoints(Review25Case):
    """A dormant card wakes with a coded redemption that named it. The code
    request accepts a card named for 0 points: it lands in the challenge's
    cards (`card_ids`), while the fingerprint drops it (no reward line on it
    needed). The guest, there to spend their e-wallet with their code, reads
    out a code "for 40.00 of Client credit, 0.0 points of Salon Loyalty";
    the order earns loyalty points on the dormant card (its history row on
    the coded order), and the card, never redeemed with the guest's code,
    is awake: the override code, refused for dormant cards, then spends it."""

    def setUp(self):
        super().setUp()
        self.set_override_code()

    def test_01_dormant_card_named_for_nothing_wakes_and_is_overridden(self):
        dormant = self.loyalty_card
        self.make_dormant(dormant)
        self.assertTrue(dormant._redeem_otp_dormant(self.company), "set-up: dormant")
        spent = self.ewallet_card
        uuid = self.new_uuid()
        # The guest is at the till and spends 40.00 of credit with their code;
        # the cashier's request also names the dormant card, for nothing.
        result, _code = self.request_code(
            order_uuid=uuid,
            redemptions=[
                self.redemption(spent, 40.0),
                self.redemption(dormant, 0.0, amount=0.0),
            ],
        )
        self.assertTrue(
            self.refused(result), f"a card named for 0 points was accepted: {result}"
        )
        # The guest's own spend, then, the dormant card earning on the order.
        challenge = self.verified_code(uuid, [self.redemption(spent, 40.0)])
        order = self.sync(
            self.order_data(
                self.spending_lines(spent, 40.0), uuid=uuid, challenge_id=challenge.id
            )
        )
        self.assertIsInstance(order, int, order)
        # The points call: the spend, and the loyalty points the order earns.
        self.confirm(
            order,
            {
                spent.id: self.coupon_vals(spent, -40.0),
                dormant.id: self.coupon_vals(dormant, 10.0),
            },
        )
        self.attempt(
            "pos.order",
            "add_loyalty_history_lines",
            [order],
            [
                {"card_id": spent.id, "won": 0.0, "spent": 40.0},
                {"card_id": dormant.id, "won": 10.0, "spent": 0.0},
            ],
            [],
        )
        self.env.invalidate_all()
        start = dormant.points
        # Later, the guest gone: 200 points (5% off a 200.00 service) with
        # the center's override code.
        self.override_spend_amount(dormant, 200.0, 10.0)
        self.env.invalidate_all()
        self.assertAlmostEqual(
            dormant.points,
            start,
            msg="a card dormant for 200 days, never redeemed with the guest's code, "
            "was woken by a code request that named it for 0 points, then spent "
            "with the override code",
        )


@tagged("post_install", "-at_install")
class TestReview25CouponCodeRewritten(Review25Case):
    """A coupon is found at the till by its code (pos.config `use_coupon_code`):
    the code printed on the receipt or mailed to the guest. `code` is not
    among the card fields a cashier may not write (loyalty.card
    GUARDED_FIELDS): one RPC renames the guest's coupon, and the code the
    guest holds no longer finds it at any center, until a manager notices;
    the freed code can even be given to another card."""

    def test_01_cashier_renames_the_guests_coupon(self):
        coupon = self.coupon_card
        printed = coupon.code
        self.attempt("loyalty.card", "write", [coupon.id], {"code": "RENAMED-0001"})
        self.env.invalidate_all()
        found = self.config.use_coupon_code(
            printed, str(self.now()), self.guest.id, self.config.pricelist_id.id
        )
        self.assertEqual(
            coupon.code,
            printed,
            "a cashier renamed the guest's coupon: the code the guest was given "
            f"no longer finds it at the till ({found['payload']})",
        )
