# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes an eighth review found: e-wallet credit minted past the promotion
bounds (an order total nobody checks against its lines, a per-point reward
line of no points, combo links the payload forges, a free product valued at
a price nobody paid, a fixed discount claimed once per line), goods given
free beyond what a promotion gives, and a next-order coupon minted below
its minimum. The class named "Held" holds attacks that held already.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

import uuid as uuid_lib

from odoo import Command
from odoo.tests import tagged

from .attack_common import PAID_STATES
from .test_attacks_review6 import PromotionCase


class Review8Case(PromotionCase):
    """The promotions of review 6, and half price on hair pins."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.half_pin = cls._promotion(
            "Half price on hair pins",
            {
                "reward_type": "discount",
                "discount_mode": "percent",
                "discount": 50,
                "discount_applicability": "specific",
                "discount_product_ids": [Command.set(cls.cheap.ids)],
            },
        )

    @staticmethod
    def combo(head, items):
        """`head` (a sale line) sent as a combo of the sale lines `items`, the
        way the POS links them: local ids in combo_line_ids, a uuid on each."""
        for line in (head, *items):
            line[2]["uuid"] = str(uuid_lib.uuid4())
        head[2]["combo_line_ids"] = [item[2]["id"] for item in items]
        return [head, *items]

    def pin_with_the_top_up(self):
        """A 1.00 hair pin "combo" whose item is a 300.00 top-up."""
        return self.combo(
            self.product_line(self.cheap, 1.0), [self.product_line(self.topup, 300.0)]
        )


@tagged("post_install", "-at_install")
class TestReview8UnpaidTotal(Review8Case):
    """The server never sets an order's lines against its total: stock keeps
    the total the POS sends, and the order is paid when the payments match
    it. What the order earns is read from its lines."""

    def test_01_top_up_line_on_an_order_of_zero(self):
        """A 300.00 top-up line, the order's total and payment 0.00: no reward
        line, no promotion, 300.00 of credit."""
        before = self.snapshot()
        data = self.order_data(
            [self.product_line(self.topup, 300.0)], partner=self.accomplice
        )
        data["amount_total"] = data["amount_paid"] = 0.0
        data["payment_ids"][0][2]["amount"] = 0.0
        self.sync_and_confirm(data, self.accomplice_card, 300.0)
        self.assertCreditPaidFor(before, data)


@tagged("post_install", "-at_install")
class TestReview8RewardLinesPayTheTopUp(Review8Case):
    """Reward lines the bounds let through at a total that matches the lines:
    e-wallet credit for nothing, spendable at once."""

    def test_01_gift_card_line_spending_no_points(self):
        """A gift card reward line (per point, never protected) of 0 points
        takes 300.00: a per-point line is priced only when it spends points."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                self.reward_line(None, 0.0, 300.0, program=self.gift_card),
            ],
            300.0,
        )
        self.assertEqual(data["amount_total"], 0.0)  # nothing is paid
        self.assertCreditPaidFor(before, data)

    def test_02_free_pin_of_a_forged_combo(self):
        """The top-up sent as an item of a pin "combo": the free pin is worth
        the combo, 301.00."""
        before = self.snapshot()
        data = self.mint(
            [
                *self.pin_with_the_top_up(),
                self.reward_line(None, 1.0, 300.0, program=self.free_pin),
            ],
            300.0,
        )
        self.assertAlmostEqual(data["amount_total"], 1.0)
        self.assertCreditPaidFor(before, data)

    def test_03_specific_product_discount_of_a_forged_combo(self):
        """Half price on hair pins takes half of the pin "combo" (150.50)."""
        before = self.snapshot()
        data = self.mint(
            [
                *self.pin_with_the_top_up(),
                self.reward_line(None, 1.0, 150.0, program=self.half_pin),
            ],
            300.0,
        )
        self.assertAlmostEqual(data["amount_total"], 151.0)
        self.assertCreditPaidFor(before, data)

    def test_04_cheapest_item_of_a_forged_combo(self):
        """The cheapest item is the pin "combo", its only sale: 150.00 off."""
        before = self.snapshot()
        data = self.mint(
            [
                *self.pin_with_the_top_up(),
                self.reward_line(None, 1.0, 150.0, program=self.half_cheapest),
            ],
            300.0,
        )
        self.assertAlmostEqual(data["amount_total"], 151.0)
        self.assertCreditPaidFor(before, data)

    def test_05_free_pin_priced_300_and_discounted_100_percent(self):
        """A pin line at 300.00 a unit, 100% off (0.00 charged): its value
        "before the line's own discount" lets the free pin take 300.00."""
        before = self.snapshot()
        pin = self.product_line(self.cheap, 300.0)
        pin[2].update(discount=100.0, price_subtotal=0.0, price_subtotal_incl=0.0)
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                pin,
                self.reward_line(None, 1.0, 300.0, program=self.free_pin),
            ],
            300.0,
        )
        self.assertEqual(data["amount_total"], 0.0)
        self.assertCreditPaidFor(before, data)

    def test_06_fixed_discount_claimed_once_per_line(self):
        """10.00 off, one point per order: thirty lines of one point each.
        Each line is checked against the order's one point, their sum makes
        thirty claims."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                *(
                    self.reward_line(None, 1.0, 10.0, program=self.ten_off)
                    for _i in range(30)
                ),
            ],
            300.0,
        )
        self.assertEqual(data["amount_total"], 0.0)
        self.assertCreditPaidFor(before, data)


@tagged("post_install", "-at_install")
class TestReview8MoreThanThePromotionGives(Review8Case):
    """Bounds that read what the order sells, not what the reward gives."""

    def test_01_free_pin_given_for_each_of_300_pins_sold(self):
        """One free pin per claim, one claim: 300 pins sold, all 300 free."""
        data = self.order_data(
            [
                self.product_line(self.cheap, 1.0, qty=300),
                self.reward_line(None, 1.0, 300.0, program=self.free_pin),
            ],
            partner=self.accomplice,
        )
        self.assertEqual(data["amount_total"], 0.0)
        self.sync(data)
        self.env.invalidate_all()
        free = (
            self.new_orders()
            .filtered(lambda o: o.state in PAID_STATES)
            .lines.filtered(lambda line: line.reward_id)
        )
        self.assertGreaterEqual(
            sum(free.mapped("price_subtotal_incl")),
            -1.0 - 1e-6,
            "300 hair pins given free where the promotion gives one",
        )

    def test_02_next_order_coupon_minted_below_its_minimum(self):
        """20.00 off the next visit for 100.00 spent; a 1.00 pin sold, and the
        points call creates the coupon (the earning bound ignores minimums)."""
        program = self.env["loyalty.program"].create(
            {
                "name": "20.00 off your next visit for 100.00 spent",
                "program_type": "next_order_coupons",
                "applies_on": "future",
                "trigger": "auto",
                "rule_ids": [
                    Command.create(
                        {
                            "minimum_amount": 100.0,
                            "reward_point_amount": 1,
                            "reward_point_mode": "order",
                        }
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "per_order",
                            "discount": 20.0,
                            "required_points": 1,
                        }
                    )
                ],
            }
        )
        order = self.sync(
            self.order_data(
                [self.product_line(self.cheap, 1.0)], partner=self.accomplice
            )
        )
        self.assertIsInstance(order, int, f"the set-up needs the sale: {order}")
        new_coupon = {
            "points": 1.0,
            "program_id": program.id,
            "coupon_id": -1,
            "partner_id": self.accomplice.id,
            "barcode": "FRIEND-20",
            "line_codes": [],
        }
        result = self.confirm(order, {-1: new_coupon})
        self.env.invalidate_all()
        coupons = self.env["loyalty.card"].search(
            [("program_id", "=", program.id), ("points", ">", 0)]
        )
        self.assertFalse(coupons, f"a 20.00 coupon for a 1.00 sale ({result})")


@tagged("post_install", "-at_install")
class TestReview8Held(Review8Case):
    """What the bounds do hold against."""

    def test_01_gift_card_line_of_one_point_takes_no_more_than_a_point(self):
        """The per-point value holds once the line spends points: 1 point of
        a gift card does not take 300.00."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                self.reward_line(self.gift_card_card, 1.0, 300.0),
            ],
            300.0,
        )
        self.assertCreditPaidFor(before, data)

    def test_02_combo_links_naming_another_orders_line(self):
        """A combo link is resolved among the order's own lines: a local id
        of no line of this order links nothing, the free pin is worth 1.00."""
        before = self.snapshot()
        head = self.product_line(self.cheap, 1.0)
        head[2]["uuid"] = str(uuid_lib.uuid4())
        head[2]["combo_line_ids"] = [987654321]
        data = self.mint(
            [
                head,
                self.product_line(self.topup, 300.0),
                self.reward_line(None, 1.0, 300.0, program=self.free_pin),
            ],
            300.0,
        )
        self.assertCreditPaidFor(before, data)
