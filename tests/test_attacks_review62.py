# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 62 (adversarial): where points and credit come from.

Same harness as the attack tests (tests/attack_common.py): the cashier (the
POS user, group_pos_user) over JSON-RPC, stock's till payloads; only the
set-up uses the superuser.

- A rule's minimum quantity met by units sold for nothing
  (`policy.earn_bound`, `units < minimum_qty`). The addon counts a unit
  rule's units by what was paid for them (`policy.paid_units`, review 45),
  but a rule's *minimum quantity*, and whether the rule's products are on
  the order at all, are read on the raw quantities: a per-order rule
  ("every visit with 5 treatments gives 50.00 off the next one", "a colour
  gives a 50.00 coupon") then earns its full points for treatments priced
  0.01, or a colour priced 0.00 beside a 1.00 pin. The accomplice gets a
  50.00 next-order coupon for 0.05 (test_01), for 1.00 (test_02), every
  time. Fixed: where points are per order or per unit, the minimum
  quantity and the rule's products count the units paid for.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import TopUpAttackCase


def new_card_vals(program, points, partner, key=-1):
    """A card the points call creates (a negative key), as the POS sends it."""
    return {
        "points": points,
        "program_id": program.id,
        "coupon_id": key,
        "barcode": False,
        "line_codes": [],
        "partner_id": partner.id,
    }


class Review62Case(TopUpAttackCase):
    """A next-order coupon program, 50.00 off the next visit, one point per
    qualifying visit (a rule per order)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visits = cls.env["loyalty.program"].create(
            {
                "name": "50.00 off your next visit",
                "program_type": "next_order_coupons",
                "applies_on": "future",
                "trigger": "auto",
                "rule_ids": [
                    Command.create(
                        {
                            "minimum_amount": 0.0,
                            "minimum_qty": 5,
                            "reward_point_amount": 1,
                            "reward_point_mode": "order",
                            "product_ids": [Command.set(cls.service.ids)],
                        }
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "per_order",
                            "discount": 50.0,
                            "required_points": 1,
                        }
                    )
                ],
            }
        )
        assert cls.visits._redeem_otp_protected(), "set-up: a protected program"

    def minted(self):
        """The next-visit coupons of this test's orders: {card: points}."""
        self.env.invalidate_all()
        cards = self.env["loyalty.card"].search(
            [
                ("program_id", "=", self.visits.id),
                ("source_pos_order_id", "in", self.new_orders().ids),
            ]
        )
        return {card: card.points for card in cards}

    def sale_and_points(self, lines, points=1.0):
        """The accomplice's sale of `lines`, paid in cash, and the till's
        points call minting a next-visit coupon of `points` for them."""
        order = self.sync(self.order_data(lines, partner=self.accomplice))
        self.assertIsInstance(order, int, order)
        result = self.confirm(
            order, {-1: new_card_vals(self.visits, points, self.accomplice)}
        )
        return order, result

    def assertNoCouponForNothing(self, paid, why):
        minted = self.minted()
        points = sum(minted.values())
        self.assertLess(
            points,
            1.0,
            f"{why}: {points:.0f} next-visit coupon(s) worth 50.00 each minted "
            f"for the accomplice for {paid:.2f} paid",
        )


@tagged("post_install", "-at_install")
class TestReview62MinimumQuantityForNothing(Review62Case):
    def test_01_five_treatments_at_a_cent_meet_the_minimum_quantity(self):
        """Hole: the rule asks 5 treatments (200.00 each) in the visit; the
        cashier sells the accomplice 5 of them at 0.01 (one line, quantity
        5, 0.05 in all, paid in cash) and the points call mints a 50.00
        next-visit coupon (1 point) on a new card of the accomplice.
        `policy.earn_bound` reads `minimum_qty` on the raw quantity, not on
        the units paid for (`paid_units` gives 0 here)."""
        line = self.product_line(self.service, 0.01, qty=5)
        line[2]["price_subtotal"] = line[2]["price_subtotal_incl"] = 0.05
        self.sale_and_points([line])
        self.assertNoCouponForNothing(0.05, "5 treatments sold for 0.05")

    def test_02_the_rules_product_given_for_nothing_beside_a_pin(self):
        """Hole: the rule is "a colour (200.00) earns a 50.00 next-visit
        coupon" (a rule per order on the colour, minimum quantity 1). The
        cashier gives the colour at 0.00 and sells a 1.00 pin: the order
        pays 1.00, the rule's product is on it, and the points call mints
        the 50.00 coupon (1 point) for the accomplice."""
        self.visits.rule_ids.minimum_qty = 1
        self.sale_and_points(
            [self.product_line(self.service, 0.0), self.product_line(self.cheap, 1.0)]
        )
        self.assertNoCouponForNothing(1.0, "a colour at 0.00 beside a 1.00 pin")

    def test_03_held_five_treatments_paid_earn_the_coupon(self):
        """Held (the till's own case): five treatments paid in full mint
        the one coupon the rule gives, and no second one."""
        order, result = self.sale_and_points(
            [self.product_line(self.service, 200.0, qty=5)]
        )
        self.assertFalse(self.refused(result), result)
        self.assertEqual(sum(self.minted().values()), 1.0)
        again = self.confirm(
            order, {-2: new_card_vals(self.visits, 1.0, self.accomplice, key=-2)}
        )
        self.assertTrue(self.refused(again), "a second points call was applied")
        self.assertEqual(sum(self.minted().values()), 1.0)

    def test_04_held_two_coupons_for_one_visit(self):
        """Held: one qualifying visit paid, the points call asks two new
        coupons (keys -1 and -2) of one point each: refused, none minted
        beyond one."""
        order = self.sync(
            self.order_data(
                [self.product_line(self.service, 200.0, qty=5)],
                partner=self.accomplice,
            )
        )
        self.assertIsInstance(order, int, order)
        result = self.confirm(
            order,
            {
                -1: new_card_vals(self.visits, 1.0, self.accomplice),
                -2: new_card_vals(self.visits, 1.0, self.accomplice, key=-2),
            },
        )
        self.assertTrue(self.refused(result), "two coupons for one visit")
        self.assertLessEqual(sum(self.minted().values()), 1.0)
