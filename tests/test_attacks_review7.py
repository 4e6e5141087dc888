# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a seventh review found: reward lines of automatic promotions that the
reward bound still lets pay for an e-wallet top-up (a free product's line
naming another product, or given three hundred times; a discount whose base
counts a sale a negative line cancels; a product priced per unit on a line
of a hundredth of a unit). Those fail today; the classes named "Held" are
attacks that hold.

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
