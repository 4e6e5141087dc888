# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one decision, asked by the POS before payment, as a real POS user.

`/salon_otp_redeem/decision` runs the sync's own decision on the order the
POS holds: the till asks for a code exactly when the sync would refuse the
order without one.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .otp_common import RedeemRoutesCase


@tagged("post_install", "-at_install")
class TestDecisionRoute(RedeemRoutesCase):
    def decide(self, *lines, partner=None, **params):
        return self.rpc(
            "decision",
            pos_config_id=self.config.id,
            partner_id=(partner or self.guest).id,
            order_uuid=self.new_uuid(),
            lines=list(lines),
            amount_total=50.0,
            **params,
        )

    def line(self, card, points, price=None, program=None):
        reward = (program or card.program_id).reward_ids[:1]
        return {
            "reward_id": reward.id,
            "card_id": card.id if card else 0,
            "points": points,
            "price": -(points if price is None else price),
        }

    def test_protected_program_needs_the_code(self):
        result = self.decide(self.line(self.ewallet_card, 40.0))
        self.assertTrue(result["needs_code"], result)
        self.assertEqual(result["reason"], "protected")
        self.assertEqual(
            result["redemptions"],
            [
                {
                    "card_id": self.ewallet_card.id,
                    "program_id": self.ewallet.id,
                    "points": 40.0,
                    "amount": 40.0,
                }
            ],
        )
        self.assertIn("Client credit", result["summary"])
        self.assertTrue(result["fingerprint"])

    def test_gift_card_needs_no_code(self):
        result = self.decide(self.line(self.gift_card_card, 10.0))
        self.assertFalse(result["needs_code"], result)
        self.assertEqual(result["reason"], "none")

    def test_dormant_card_needs_the_code_even_where_nothing_else_asks(self):
        self.make_dormant(self.ewallet_card)
        for switch_off in (
            lambda: self.ewallet.write({"redeem_otp_required": False}),
            lambda: self.config.write({"redeem_otp_required": False}),
        ):
            with self.subTest():
                switch_off()
                result = self.decide(self.line(self.ewallet_card, 40.0))
                self.assertTrue(result["needs_code"], result)
                self.assertEqual(result["reason"], "dormant")

    def test_below_the_minimum_no_code(self):
        self.company.redeem_otp_min_amount = 100.0
        result = self.decide(self.line(self.ewallet_card, 40.0))
        self.assertFalse(result["needs_code"], result)
        self.assertEqual(result["reason"], "below_minimum")
        self.assertRegex(result["message"], "Below the minimum amount")

    def test_the_minimum_reads_the_server_value_not_the_price(self):
        # 500 points of e-wallet under a line priced 1.00: worth 500, a code.
        self.ewallet_card.sudo().points = 600.0
        self.company.redeem_otp_min_amount = 100.0
        result = self.decide(self.line(self.ewallet_card, 500.0, price=1.0))
        self.assertTrue(result["needs_code"], result)
        self.assertEqual(result["redemptions"][0]["amount"], 500.0)

    def test_what_can_never_be_redeemed_is_said_before_payment(self):
        other = self.decide(
            self.line(self.ewallet_card, 40.0), partner=self.other_guest
        )
        self.assertError(other, "bad_request", "belongs to Camille Martin")
        too_much = self.decide(self.line(self.ewallet_card, 400.0))
        self.assertError(too_much, "bad_request", "holds 150.0 points")
        self.ewallet_card.sudo().expiration_date = fields.Date.today() - timedelta(
            days=2
        )
        expired = self.decide(self.line(self.ewallet_card, 40.0))
        self.assertError(expired, "bad_request", "expired on")

    def test_a_combo_is_one_cheapest_item(self):
        """A combo's price is on its items: half the cheapest item is half the
        combo (25.00 of 50.00), not half of its head's 0.00 nor half of its
        cheaper item."""
        reward = self.promotion.reward_ids[:1]
        reward.write({"discount": 50, "discount_applicability": "cheapest"})
        Product = self.env["product.product"]
        cut, wash = (
            Product.create({"name": name, "lst_price": price})
            for name, price in (("Cut", 30.0), ("Wash", 20.0))
        )
        combo = self.env["product.combo"].create(
            {
                "name": "Cut and wash",
                "combo_item_ids": [
                    Command.create({"product_id": cut.id}),
                    Command.create({"product_id": wash.id}),
                ],
            }
        )
        menu_product = Product.create(
            {"name": "Cut and wash", "type": "combo", "combo_ids": [combo.id]}
        )
        menu = {"product_id": menu_product.id, "qty": 1, "price": 0.0}
        items = [
            {
                "product_id": item.id,
                "qty": 1,
                "price": item.lst_price,
                "combo_parent": 0,
            }
            for item in (cut, wash)
        ]
        half = {"reward_id": reward.id, "card_id": 0, "points": 1, "price": -25.0}
        result = self.decide(menu, *items, half)
        self.assertEqual(result.get("reason"), "none", result)
        too_much = self.decide(menu, *items, dict(half, price=-30.0))
        self.assertError(too_much, "bad_request", "at most")

    def test_malformed_lines_are_refused_cleanly(self):
        for lines in (
            None,
            "x",
            [{"reward_id": "x"}],
            [{"reward_id": 1, "points": "NaN"}],
        ):
            with self.subTest(lines=lines):
                result = self.rpc(
                    "decision",
                    pos_config_id=self.config.id,
                    partner_id=self.guest.id,
                    order_uuid=self.new_uuid(),
                    lines=lines,
                )
                self.assertError(result, "bad_request")
