# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 33: the points call, the cards, and the promotions that spend points.

- A promotion's points live on a card the points call creates (stock makes
  one per promotion claimed, with what is left; a cashier's call makes one
  for any order that earns, with the code the cashier picks, and adds to it
  on every later order). Those points are the order's own in pos_loyalty
  (`applies_on` current), yet the server lets any later order spend them
  from the card: the cardless check (`_redeem_otp_check_cardless`) bounds
  only lines with no card, and `_redeem_otp_check_balances` takes the card's
  balance as paying for them. A cashier banks the promotion other guests
  did not claim onto a card of nobody, then spends the bank on the
  accomplice's e-wallet top-up: credit nobody paid for.
- A per-point reward line (gift card, e-wallet) is held to its points' worth
  on its untaxed `price_subtotal` only; the total, the earnings and the
  refunds read `price_subtotal_incl`, which nothing ties to it. A 50.00
  gift card line of -50.00 untaxed, -300.00 tax included pays a 300.00
  top-up: 300.00 of e-wallet credit.
- A promotion line of 0 points is one claim (`policy.claims` counts at
  least one, and the cardless check skips lines of 0 points): a fixed
  "10.00 off from 50.00" pays a 10.00 top-up that earns the promotion
  nothing.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts the effect. Only the set-up uses
the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import TopUpAttackCase


class Review33Case(TopUpAttackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The salon's automatic promotion: 10.00 off an order of 50.00 or more.
        cls.ten_off = cls.env["loyalty.program"].create(
            {
                "name": "10.00 off from 50.00",
                "program_type": "promotion",
                "applies_on": "current",
                "trigger": "auto",
                "rule_ids": [
                    Command.create(
                        {
                            "reward_point_amount": 1,
                            "reward_point_mode": "order",
                            "minimum_amount": 50.0,
                        }
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "per_order",
                            "discount": 10.0,
                            "required_points": 1,
                        }
                    )
                ],
            }
        )

    def paid_sale(self, partner, price=200.0):
        """A guest's order of one service, paid in cash, no reward claimed."""
        order = self.sync(
            self.order_data([self.product_line(self.service, price)], partner=partner)
        )
        self.assertIsInstance(order, int, f"the set-up needs the sale: {order}")
        return order


@tagged("post_install", "-at_install")
class TestReview33PromotionBank(Review33Case):
    """Guests who spend 50.00 or more earn the promotion's point; the cashier
    leaves it unclaimed and the points call puts it on a card of nobody
    ("BANK-33", the cashier's code), then adds each later guest's point to
    it. Three guests later, the accomplice's 30.00 e-wallet top-up is paid
    by three claims of the 10.00 off from that card: 30.00 of credit, 0.00
    paid."""

    def test_01_promotion_points_banked_then_spent_on_a_top_up(self):
        guests = (self.other_guest, self.guest, self.nobody)
        bank = self.env["loyalty.card"]
        for index, guest in enumerate(guests):
            order = self.paid_sale(guest)
            key = bank.id if bank else -1
            vals = {
                "points": 1.0,
                "program_id": self.ten_off.id,
                "coupon_id": key,
                "barcode": "BANK-33",
                "line_codes": [],
            }
            self.confirm(order, {key: vals})
            self.env.invalidate_all()
            bank = self.env["loyalty.card"].search([("code", "=", "BANK-33")])
            self.assertEqual(bank.points, index + 1.0, "set-up: the point is banked")
        self.assertFalse(bank.partner_id)
        card = self.accomplice_card
        start = card.points
        reward = self.reward_line(bank, 3.0, 30.0, program=self.ten_off)
        data = self.order_data(
            [self.product_line(self.topup, 30.0), reward], partner=self.accomplice
        )
        self.assertEqual(data["amount_total"], 0.0)  # nothing paid
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(
                order,
                {
                    bank.id: self.coupon_vals(bank, -3.0),
                    card.id: self.coupon_vals(card, 30.0),
                },
            )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            start,
            msg="the accomplice's e-wallet got 30.00 of credit for a 0.00 order, "
            "paid by promotion points banked from three other guests' orders",
        )


@tagged("post_install", "-at_install")
class TestReview33UntaxedValue(Review33Case):
    """A per-point reward line (gift cards, e-wallets) takes no more than its
    points are worth, read on its untaxed `price_subtotal`
    (`_redeem_otp_check_value`); everything else (the order's total, what
    paid for the sales, the earnings) reads `price_subtotal_incl`, and the
    POS sends both, tied by nothing. A 50.00 bearer gift card's line of
    -50.00 untaxed and -300.00 "tax included" pays a 300.00 top-up: the
    accomplice's e-wallet gets 300.00 of credit for 50.00 of gift card."""

    def test_01_gift_card_line_inflated_tax_included_pays_a_top_up(self):
        gift = self.gift_card_card
        card = self.accomplice_card
        start = card.points
        reward = self.reward_line(gift, 50.0, 50.0)
        reward[2]["price_subtotal_incl"] = -300.0
        data = self.order_data(
            [self.product_line(self.topup, 300.0), reward], partner=self.accomplice
        )
        self.assertEqual(data["amount_total"], 0.0)  # nothing paid
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(
                order,
                {
                    gift.id: self.coupon_vals(gift, -50.0),
                    card.id: self.coupon_vals(card, 300.0),
                },
            )
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points - start,
            50.0 + 1e-6,
            f"{card.points - start} of e-wallet credit for a 50.00 gift card "
            f"(sync: {order})",
        )


@tagged("post_install", "-at_install")
class TestReview33UnearnedClaim(Review33Case):
    """A promotion's fixed discount is bounded per claim
    (`_redeem_otp_check_promotions`), the claims counted as the line's points
    over the reward's required points, at least one (`policy.claims`); the
    points are bounded by what the order earns only when there are some
    (`_redeem_otp_check_cardless` skips a line of 0 points). A line of the
    "10.00 off from 50.00" promotion spending 0 points is one claim: it pays
    the accomplice's 10.00 top-up, an order the promotion gives nothing."""

    def test_01_fixed_discount_claimed_with_no_points_pays_a_top_up(self):
        card = self.accomplice_card
        start = card.points
        reward = self.reward_line(None, 0.0, 10.0, program=self.ten_off)
        data = self.order_data(
            [self.product_line(self.topup, 10.0), reward], partner=self.accomplice
        )
        self.assertEqual(data["amount_total"], 0.0)  # nothing paid
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 10.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            start,
            msg="10.00 of e-wallet credit for a 0.00 order: a promotion for orders "
            "of 50.00 or more, claimed with no points on a 10.00 top-up",
        )
