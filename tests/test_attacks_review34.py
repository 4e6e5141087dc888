# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 34: the tax-included bound of per-point reward lines.

- A per-point reward line of a program that is not a payment program is
  held, tax included, to its points' worth times the highest
  `price_subtotal_incl / price_subtotal` of the order's sale lines
  (`pos.order.line._redeem_otp_check_value`). Both figures of a sale line
  are the POS's, and nothing ties them to the line's taxes: a 1.00 hair pin
  sent as 0.01 untaxed makes a "tax" of x100, and a per-point promotion's
  10.00 of points then takes 1000.00 off, paying the accomplice's 1000.00
  e-wallet top-up. 1000.00 of credit for 1.00 paid, no code (a promotion).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts the effect. Only the set-up uses
the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import TopUpAttackCase


class Review34Case(TopUpAttackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The salon's automatic promotion: a point per 1.00 spent, each point
        # 0.05 off this very order (5% back).
        cls.points_back = cls.env["loyalty.program"].create(
            {
                "name": "5% back in points",
                "program_type": "promotion",
                "applies_on": "current",
                "trigger": "auto",
                "rule_ids": [
                    Command.create(
                        {"reward_point_amount": 1, "reward_point_mode": "money"}
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "per_point",
                            "discount": 0.05,
                            "required_points": 1,
                        }
                    )
                ],
            }
        )


@tagged("post_install", "-at_install")
class TestReview34InflatedTaxRatio(Review34Case):
    """A hair pin line of 1.00 tax included, 0.01 untaxed (a x100 "tax"), lets
    200 points of the per-point promotion (worth 10.00) take 1000.00 off, tax
    included: the accomplice's 1000.00 e-wallet top-up is paid with 1.00."""

    def test_01_sale_line_ratio_widens_the_reward_bound(self):
        card = self.accomplice_card
        start = card.points
        pin = self.product_line(self.cheap, 1.0)
        pin[2]["price_subtotal"] = 0.01
        reward = self.reward_line(None, 200.0, 1000.0, program=self.points_back)
        reward[2]["price_subtotal"] = -10.0  # the points' worth, untaxed
        data = self.order_data(
            [self.product_line(self.topup, 1000.0), pin, reward],
            partner=self.accomplice,
        )
        self.assertEqual(data["amount_total"], 1.0)  # the pin's 1.00, no more
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 1000.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points - start,
            1.0 + 1e-6,
            f"{card.points - start} of e-wallet credit for an order paying 1.00, "
            f"through a 0.01 untaxed pin sold at 1.00 (sync: {order})",
        )
