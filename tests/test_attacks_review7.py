# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a seventh review found: reward lines of automatic promotions that the
reward bound still lets pay for an e-wallet top-up (a free product's line
naming another product, or given three hundred times; a discount whose base
counts a sale a negative line cancels; a product priced per unit on a line
of a hundredth of a unit).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .test_attacks_review6 import PromotionCase


@tagged("post_install", "-at_install")
class TestReview7PromotionStillPaysTheTopUp(PromotionCase):
    """Review 6 prices reward lines by their reward; the product a free-product
    line names, its quantity, and the sales a discount is a share of are still
    the cashier's: e-wallet credit for nothing, spendable at once."""

    def free_product_line(self, product, qty, amount):
        """A line of the free hair pin reward naming `product`, `qty` units,
        `amount` off in all."""
        line = self.reward_line(None, 1.0, amount, program=self.free_pin)
        vals = line[2]
        vals.update(
            product_id=product.id,
            qty=qty,
            price_unit=-amount / qty,
            price_subtotal=-amount,
            price_subtotal_incl=-amount,
        )
        return line

    def test_01_free_pin_line_names_the_top_up(self):
        """The free pin's line names the top-up product: the bound reads the
        top-up's price on the order (300.00), not the pin's (1.00)."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                self.free_product_line(self.topup, 1, 300.0),
            ],
            300.0,
        )
        self.assertEqual(data["amount_total"], 0.0)  # nothing is paid
        self.assertCreditPaidFor(before, data)

    def test_02_free_pin_given_three_hundred_times(self):
        """One free pin per claim, one claim, given 300 times with one pin sold."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                self.product_line(self.cheap, 1.0),
                self.free_product_line(self.cheap, 300, 300.0),
            ],
            300.0,
        )
        self.assertAlmostEqual(data["amount_total"], 1.0)
        self.assertCreditPaidFor(before, data)

    def test_03_pin_sold_by_the_hundredth_at_300_a_unit(self):
        """A hundredth of a pin sold for 3.00 makes the pin worth 300.00 on the
        order; the free pin then takes 300.00."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                self.product_line(self.cheap, 300.0, qty=0.01),
                self.free_product_line(self.cheap, 1, 300.0),
            ],
            300.0,
        )
        self.assertAlmostEqual(data["amount_total"], 3.0)
        self.assertCreditPaidFor(before, data)

    def test_05_cheapest_item_bought_by_the_hundredth(self):
        """Half of the "cheapest item", a hundredth of a pin at 300.00 a unit
        (3.00 paid): 150.00 off the top-up."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                self.product_line(self.cheap, 300.0, qty=0.01),
                self.reward_line(None, 1.0, 150.0, program=self.half_cheapest),
            ],
            300.0,
        )
        self.assertAlmostEqual(data["amount_total"], 153.0)
        self.assertCreditPaidFor(before, data)

    def test_04_discount_base_counts_a_cancelled_sale(self):
        """The 10% promotion's base counts a 3000.00 service but not the line of
        -1 that cancels it (not a refund): 300.00 off a 300.00 top-up."""
        before = self.snapshot()
        data = self.mint(
            [
                self.product_line(self.topup, 300.0),
                self.product_line(self.service, 3000.0),
                self.product_line(self.service, 3000.0, qty=-1),
                self.reward_line(None, 1.0, 300.0, program=self.promotion),
            ],
            300.0,
        )
        self.assertEqual(data["amount_total"], 0.0)
        self.assertCreditPaidFor(before, data)


@tagged("post_install", "-at_install")
class TestReview7HeldGenuinePromotions(PromotionCase):
    """The bounds take what pos_loyalty gives: a free pin the order sells,
    half of its cheapest item."""

    def test_free_pin_and_cheapest_item_as_the_pos_prices_them(self):
        card = self.accomplice_card
        before = card.points
        for reward_line in (
            self.reward_line(None, 1.0, 1.0, program=self.free_pin),
            self.reward_line(None, 1.0, 0.5, program=self.half_cheapest),
        ):
            data = self.order_data(
                [
                    self.product_line(self.topup, 300.0),
                    self.product_line(self.cheap, 1.0),
                    reward_line,
                ],
                partner=self.accomplice,
            )
            order = self.sync_and_confirm(data, card, 300.0)
            self.assertIsInstance(
                order, int, f"a genuine promotion was refused: {order}"
            )
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, before + 600.0)
