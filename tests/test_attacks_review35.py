# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 35: the promotions an order spends, and the per-point bound's taxes.

- A percentage discount is bounded by its share of the sales only
  (`policy.discount_bound` ignores the claims for "percent"), and the
  card-less check (`loyalty.program._redeem_otp_check_cardless`) skips lines
  of 0 points. A line of a "10% off orders from 500.00" promotion spending
  0 points takes 10% of the accomplice's 100.00 e-wallet top-up: 100.00 of
  credit for 90.00, on an order the promotion gives nothing (review 33's
  fixed-discount claim with no points, in its percentage form).
- The tax-included bound of a per-point reward line
  (`pos.order.line._redeem_otp_check_value`) reads the taxes the POS sends
  on the sale lines, a line of 0.00 included, all of them stacked, purchase
  taxes too. A 0.00 hair pin carrying every tax of the company makes a
  ratio of 2.10 on a top-up that bears none: the 5% back promotion's 1000
  points (50.00) take 105.00 off the accomplice's 1000.00 top-up.
- A promotion is bounded by its own rules, wherever it runs: one the till
  does not offer (another center's, or not for the Point of Sale at all)
  is spent at this till on the accomplice's top-up. Only archived or
  ended programs are refused (`_redeem_otp_refuse_ended`).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts the effect. Only the set-up uses
the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import TopUpAttackCase


class Review35Case(TopUpAttackCase):
    @classmethod
    def _promotion(cls, name, rule, reward, **extra):
        return cls.env["loyalty.program"].create(
            {
                "name": name,
                "program_type": "promotion",
                "applies_on": "current",
                "trigger": "auto",
                "rule_ids": [Command.create(rule)],
                "reward_ids": [Command.create({"required_points": 1, **reward})],
                **extra,
            }
        )

    @classmethod
    def _percent(cls, name, percent, rule=None, **extra):
        return cls._promotion(
            name,
            rule or {"reward_point_amount": 1, "reward_point_mode": "order"},
            {
                "reward_type": "discount",
                "discount_mode": "percent",
                "discount": percent,
                "discount_applicability": "order",
            },
            **extra,
        )

    def top_up_with(self, reward, price=100.0, extra=()):
        """The accomplice's `price` top-up with `reward` (and `extra` lines),
        synced and its points call crediting the top-up's full price:
        (credit gained, money paid, the sync's answer, the points call's)."""
        card = self.accomplice_card
        start = card.points
        data = self.order_data(
            [self.product_line(self.topup, price), *extra, reward],
            partner=self.accomplice,
        )
        order = self.sync(data)
        result = None
        if isinstance(order, int):
            result = self.confirm(order, {card.id: self.coupon_vals(card, price)})
        self.env.invalidate_all()
        return card.points - start, data["amount_total"], order, result

    def assertPaidFor(self, outcome, why, worth=0.0):
        """No more credit than the money paid (plus `worth`, what the
        promotion really gives the order)."""
        gained, paid, order, result = outcome
        self.assertLessEqual(
            gained,
            paid + worth + 1e-6,
            f"{why}: the accomplice's e-wallet got {gained:.2f} of credit for "
            f"{paid:.2f} paid (sync: {getattr(order, 'args', order)}; points "
            f"call: {getattr(result, 'args', result)})",
        )


@tagged("post_install", "-at_install")
class TestReview35PercentClaimedWithNoPoints(Review35Case):
    """The salon's "10% off orders from 500.00": a 100.00 top-up earns it
    nothing, yet a line of it spending 0 points takes its 10.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.big_spender = cls._percent(
            "10% off orders from 500.00",
            10.0,
            rule={
                "reward_point_amount": 1,
                "reward_point_mode": "order",
                "minimum_amount": 500.0,
            },
        )

    def test_01_percent_promotion_with_no_points_pays_a_top_up(self):
        reward = self.reward_line(None, 0.0, 10.0, program=self.big_spender)
        outcome = self.top_up_with(reward)
        self.assertEqual(outcome[1], 90.0)
        self.assertPaidFor(
            outcome, "a 10% promotion for orders of 500.00, claimed with 0 points"
        )


@tagged("post_install", "-at_install")
class TestReview35StackedTaxes(Review35Case):
    """A per-point promotion (a point per 1.00, each 0.05 off: 5% back) on
    a 1000.00 top-up is worth 50.00. A 0.00 hair pin carrying every tax of
    the company lifts the tax-included bound to 2.10 times that."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.points_back = cls._promotion(
            "5% back in points",
            {"reward_point_amount": 1, "reward_point_mode": "money"},
            {"reward_type": "discount", "discount_mode": "per_point", "discount": 0.05},
        )

    def test_01_free_line_with_every_tax_widens_the_bound(self):
        taxes = self.env["account.tax"].search([("company_id", "=", self.company.id)])
        ratio = (
            taxes.compute_all(
                100.0, self.company.currency_id, handle_price_include=False
            )["total_included"]
            / 100.0
        )
        self.assertGreater(ratio, 2.0, "set-up: the company's taxes, stacked")
        pin = self.product_line(self.cheap, 0.0)
        pin[2]["tax_ids"] = [[6, 0, taxes.ids]]
        # 1000 points, worth 50.00 untaxed, "tax included" 50.00 x ratio.
        reward = self.reward_line(
            None, 1000.0, round(50.0 * ratio, 2), program=self.points_back
        )
        reward[2]["price_subtotal"] = -50.0
        outcome = self.top_up_with(reward, price=1000.0, extra=[pin])
        self.assertPaidFor(
            outcome,
            f"5% back on a 1000.00 top-up, through a 0.00 pin taxed x{ratio:.2f}",
            worth=50.0,
        )


@tagged("post_install", "-at_install")
class TestReview35PromotionTheTillDoesNotOffer(Review35Case):
    """20% off every order, run by the salon where it chose: at the second
    center only, or online only (not for the Point of Sale). This till
    never loads it; its line, on the order's own point, pays 20.00 of the
    accomplice's 100.00 top-up."""

    def test_01_another_centers_promotion(self):
        program = self._percent(
            "Opening week at the second center: 20% off",
            20.0,
            pos_config_ids=[Command.set(self.other_config.ids)],
        )
        self.assertNotIn(program, self.config._get_program_ids())
        reward = self.reward_line(None, 1.0, 20.0, program=program)
        self.assertPaidFor(
            self.top_up_with(reward), "the second center's promotion, at this till"
        )

    def test_02_a_promotion_not_for_the_point_of_sale(self):
        program = self._percent("Online only: 20% off", 20.0, pos_ok=False)
        self.assertNotIn(program, self.config._get_program_ids())
        reward = self.reward_line(None, 1.0, 20.0, program=program)
        self.assertPaidFor(self.top_up_with(reward), "an online promotion, at the till")


@tagged("post_install", "-at_install")
class TestReview35PromotionStockWouldNotApply(Review35Case):
    """The same 20% off, where stock's till would not apply it: used up
    (a limit of one order, already reached), or kept for another pricelist."""

    def test_01_a_promotion_used_up(self):
        program = self._percent(
            "First guest of the day: 20% off", 20.0, limit_usage=True, max_usage=1
        )
        reward = self.reward_line(None, 1.0, 20.0, program=program)
        first = self.top_up_with(reward)
        self.assertIsInstance(first[2], int, "set-up: the one use allowed")
        reward = self.reward_line(None, 1.0, 20.0, program=program)
        self.assertPaidFor(self.top_up_with(reward), "a promotion past its last use")

    def test_02_a_promotion_of_another_pricelist(self):
        wholesale = self.env["product.pricelist"].create({"name": "Trade"})
        program = self._percent(
            "Trade customers: 20% off",
            20.0,
            pricelist_ids=[Command.set(wholesale.ids)],
        )
        reward = self.reward_line(None, 1.0, 20.0, program=program)
        self.assertPaidFor(
            self.top_up_with(reward), "a promotion kept for another pricelist"
        )
