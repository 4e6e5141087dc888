# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 45: campaign offers and membership benefits.

- A prepaid package for a cent. A package program gives its sessions per
  unit of the package sold (the demo's "10 blow-dry package": 10 points a
  unit). The points call bounds a unit rule by `policy.paid_units`: a unit
  earns in full at half its list price or more, "fewer below", but the
  count is rounded up, so one unit sold for 0.01 is one unit earned
  (`math.ceil(2 * 0.01 / 270.00)` is 1). Sold to the accomplice for 0.01,
  a 270.00 package puts its 10 sessions on their card: ten free blow-dries
  the accomplice spends with their own code, for a cent.
- A next-order coupon minted by an order under its rule's minimum. A rule's
  minimum may be "tax excluded" (`loyalty.rule.minimum_amount_tax_mode`),
  as pos_loyalty reads it; `policy.earn_bound` always reads it on the sales
  tax included (`loyalty.program._redeem_otp_earn_bound` passes
  `price_subtotal_incl` and no tax mode). A 90.00 service (103.50 with
  15% tax) mints the "15% off your next order, from 100.00 untaxed" coupon
  that the till would not give: one for every such sale.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import TopUpAttackCase


def new_card_vals(program, points, partner):
    """A card the points call creates (a negative key), as the POS sends it."""
    return {
        "points": points,
        "program_id": program.id,
        "coupon_id": -1,
        "barcode": False,
        "line_codes": [],
        "partner_id": partner.id,
    }


class Review45Case(TopUpAttackCase):
    """The salon of the attack tests, with the demo's prepaid package."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.blow_dry = Product.create(
            {
                "name": "Blow-dry",
                "available_in_pos": True,
                "list_price": 30.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.package_product = Product.create(
            {
                "name": "10 blow-dry package",
                "available_in_pos": True,
                "list_price": 270.0,
                "taxes_id": [Command.clear()],
            }
        )
        rule = {
            "reward_point_mode": "unit",
            "reward_point_amount": 10,
            "minimum_qty": 1,
            "product_ids": [Command.set(cls.package_product.ids)],
        }
        reward = {
            "reward_type": "product",
            "reward_product_id": cls.blow_dry.id,
            "reward_product_qty": 1,
            "required_points": 1,
        }
        cls.package = cls.env["loyalty.program"].create(
            {
                "name": "10 blow-dry package",
                "program_type": "loyalty",
                "trigger": "auto",
                "applies_on": "both",
                "pos_ok": True,
                "rule_ids": [Command.clear(), Command.create(rule)],
                "reward_ids": [Command.clear(), Command.create(reward)],
            }
        )
        cls.package_card = cls.env["loyalty.card"].create(
            {"program_id": cls.package.id, "partner_id": cls.accomplice.id}
        )


@tagged("post_install", "-at_install")
class TestReview45PackageForACent(Review45Case):
    """One unit of a package sold for 0.01 earns the package's sessions."""

    def test_01_ten_sessions_for_a_cent(self):
        card = self.package_card
        self.assertEqual(card.points, 0.0)
        data = self.order_data(
            [self.product_line(self.package_product, 0.01)], partner=self.accomplice
        )
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, 10.0)})
        self.env.invalidate_all()
        self.assertLess(
            card.points,
            1.0,
            f"a 270.00 package sold for 0.01 put {card.points:.0f} sessions "
            "(blow-dries worth 30.00 each) on the accomplice's card",
        )


@tagged("post_install", "-at_install")
class TestReview45CouponUnderItsMinimum(Review45Case):
    """A rule's minimum "tax excluded" is read tax included."""

    def test_01_coupon_minted_under_an_untaxed_minimum(self):
        tax = self.env["account.tax"].create(
            {
                "name": "VAT 15%",
                "amount": 15.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": self.company.id,
            }
        )
        service = self.env["product.product"].create(
            {
                "name": "Colour",
                "available_in_pos": True,
                "list_price": 90.0,
                "taxes_id": [Command.set(tax.ids)],
            }
        )
        rule = self.next_order.rule_ids
        self.assertEqual(rule.minimum_amount, 100.0)
        rule.minimum_amount_tax_mode = "excl"
        line = self.product_line(service, 90.0)
        line[2].update(price_subtotal_incl=103.5, tax_ids=[[6, 0, tax.ids]])
        data = self.order_data([line], partner=self.accomplice)
        data["amount_tax"] = 13.5
        self.assertAlmostEqual(data["amount_total"], 103.5)
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(order, {-1: new_card_vals(self.next_order, 1.0, self.accomplice)})
        self.env.invalidate_all()
        made = self.env["loyalty.card"].search(
            [
                ("source_pos_order_id", "=", order),
                ("program_id", "=", self.next_order.id),
            ]
        )
        self.assertFalse(
            made.filtered("points"),
            "a 15% next-order coupon (from 100.00 tax excluded) minted by a 90.00 sale",
        )
