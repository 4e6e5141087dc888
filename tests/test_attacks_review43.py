# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 43: side models, wizards and public methods a cashier reaches
over JSON-RPC, outside the order flow.

- "A program this till does not run (... not for the order's pricelist)"
  is refused, and "an order spending rewards keeps a pricelist this till
  offers" (reviews 37, 38): `pos.order._redeem_otp_pricelist` and
  `loyalty.program._redeem_otp_offered` read what the till offers from
  its `pos.config` (`pricelist_id`, `available_pricelist_ids`,
  `use_pricelist`). POS users may write their center (stock's access
  rights), and the addon guards only the code settings, the company and
  the cash rounding (`pos_config.GUARDED_FIELDS`); stock itself lets a
  pricelist be added while the session is open (it refuses only removing
  one). The cashier links the trade pricelist to their own till, then
  syncs the accomplice's 100.00 top-up with the trade customers' 20% off
  (20.00 of credit nobody paid), or earns the trade customers' points
  on a service sold at the till's own prices. (The same holds of the
  fiscal positions the till offers, `fiscal_position_ids`, which the
  per-point reward's tax bound reads: not tested here, it needs a
  fiscal position that maps a tax up.)

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review35 import Review35Case


class Review43Case(Review35Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trade = cls.env["product.pricelist"].create({"name": "Trade"})

    def offer_trade_pricelist(self):
        """The cashier adds the trade pricelist to their own till, as
        stock's settings form would (a link command: allowed with the
        session open)."""
        self.assertNotIn(self.trade, self.config.available_pricelist_ids)
        result = self.attempt(
            "pos.config",
            "write",
            [self.config.id],
            {"available_pricelist_ids": [Command.link(self.trade.id)]},
        )
        self.env.invalidate_all()
        return result


@tagged("post_install", "-at_install")
class TestReview43TillOffersWhatTheCashierWrites(Review43Case):
    def test_01_trade_promotion_after_linking_the_pricelist(self):
        program = self._percent(
            "Trade customers: 20% off",
            20.0,
            pricelist_ids=[Command.set(self.trade.ids)],
        )
        written = self.offer_trade_pricelist()
        card = self.accomplice_card
        start = card.points
        data = self.order_data(
            [
                self.product_line(self.topup, 100.0),
                self.reward_line(None, 1.0, 20.0, program=program),
            ],
            partner=self.accomplice,
        )
        data["pricelist_id"] = self.trade.id
        order = self.sync(data)
        result = None
        if isinstance(order, int):
            result = self.confirm(order, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points - start,
            data["amount_total"] + 1e-6,
            f"a trade promotion at a till the cashier gave the trade pricelist "
            f"(config write: {getattr(written, 'args', written)}): "
            f"{card.points - start:.2f} of credit for {data['amount_total']:.2f} "
            f"(sync: {getattr(order, 'args', order)}; points call: "
            f"{getattr(result, 'args', result)})",
        )

    def test_02_trade_points_after_linking_the_pricelist(self):
        program = self._program(
            "Trade customers' points",
            "loyalty",
            pricelist_ids=[Command.set(self.trade.ids)],
        )
        card = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": self.accomplice.id}
        )
        written = self.offer_trade_pricelist()
        data = self.order_data(
            [self.product_line(self.service, 100.0)], partner=self.accomplice
        )
        data["pricelist_id"] = self.trade.id
        order = self.sync(data)
        result = None
        if isinstance(order, int):
            result = self.confirm(order, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            0.0,
            f"{card.points:.2f} points of a program for the trade pricelist, at a "
            f"till the cashier gave it (config write: "
            f"{getattr(written, 'args', written)}; points call: "
            f"{getattr(result, 'args', result)})",
        )
