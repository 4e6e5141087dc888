# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 65 (adversarial): what a reward line gives, by reward type.

Same harness as the attack tests (tests/attack_common.py): the cashier (the
POS user, group_pos_user) over JSON-RPC, stock's till payloads; only the
set-up uses the superuser.

- Holes:
  - a per-point discount is bounded by its points only
    (`pos.order.line._redeem_otp_check_value`); `loyalty.reward.
    _redeem_otp_check_promotions` skips per-point rewards, so neither the
    reward's cap (`discount_max_amount`) nor what it applies to (specific
    products, the cheapest item) bounds its line (tests 01, 03, 04);
  - a fixed (per-order) discount is its amount per claim, whatever it
    applies to: "10.00 off a service" taken off a top-up (tests 08, 09);
  - a per-point line's tax-included bound is its points' worth times the
    highest tax ratio of any priced sale, a cent of taxed goods lifting
    the untaxed top-up's discount by the tax rate (test 10);
  - every percentage reads the sales before the other discounts: two
    50% promotions take the whole order where stock's till gives 75%
    (test 11).
  All fixed: every discount is bounded, tax included, by its mode within
  its cap and what it applies to (`policy.discount_bound`), percentages
  together by what each leaves the next (`policy.stacked_percent_bound`).
- Held: see the tests marked "Held".
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review35 import Review35Case

RULE_PER_MONEY = {"reward_point_amount": 1, "reward_point_mode": "money"}


def per_point(**extra):
    return {
        "reward_type": "discount",
        "discount_mode": "per_point",
        "discount": 0.05,
        **extra,
    }


@tagged("post_install", "-at_install")
class TestReview65PerPointCap(Review35Case):
    """The salon's "5% back in points, at most 10.00 an order": a point
    per 1.00, each 0.05 off, the discount capped at 10.00."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.capped = cls._promotion(
            "5% back, at most 10.00",
            RULE_PER_MONEY,
            per_point(discount_max_amount=10.0),
        )

    def test_01_per_point_promotion_past_its_cap(self):
        """Hole: the accomplice's 1000.00 top-up earns 1000 points of the
        promotion; stock's till gives at most 10.00 for them. The cashier
        sends its line spending the 1000 points at 50.00 (their per-point
        value): the sync accepts it and the points call credits 1000.00 of
        e-wallet for 950.00 paid, 40.00 past what the promotion gives."""
        reward = self.reward_line(None, 1000.0, 50.0, program=self.capped)
        self.assertPaidFor(
            self.top_up_with(reward, price=1000.0),
            "5% back capped at 10.00, taken at 50.00",
            worth=10.0,
        )

    def test_02_held_per_point_promotion_within_its_cap(self):
        """Held (control): 200 points at 10.00, the cap, are accepted."""
        reward = self.reward_line(None, 200.0, 10.0, program=self.capped)
        gained, paid, order, result = self.top_up_with(reward, price=1000.0)
        self.assertIsInstance(order, int, order)
        self.assertAlmostEqual(paid, 990.0)


@tagged("post_install", "-at_install")
class TestReview65PerPointApplicability(Review35Case):
    """Per-point promotions that discount only part of the order: "5% back
    on services" (specific products: the salon's services) and "5% back on
    your cheapest item". Their points are earned on the whole order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.on_services = cls._promotion(
            "5% back on services",
            RULE_PER_MONEY,
            per_point(
                discount_applicability="specific",
                discount_product_ids=[Command.set(cls.service.ids)],
            ),
        )
        cls.on_cheapest = cls._promotion(
            "5% back on your cheapest item",
            RULE_PER_MONEY,
            per_point(discount_applicability="cheapest"),
        )

    def test_03_per_point_on_specific_products_taken_off_a_top_up(self):
        """Hole: an order of only the accomplice's 1000.00 top-up (no
        service). Stock's till discounts services only, so nothing; the
        cashier's line spends the order's 1000 points at 50.00, off the
        top-up: 1000.00 of credit for 950.00 paid."""
        reward = self.reward_line(None, 1000.0, 50.0, program=self.on_services)
        self.assertPaidFor(
            self.top_up_with(reward, price=1000.0),
            "5% back on services, taken off a top-up with no service",
        )

    def test_04_per_point_on_the_cheapest_item_taken_off_a_top_up(self):
        """Hole: the 1000.00 top-up and a 1.00 hair pin. Stock's till
        discounts the cheapest item (the pin: at most 1.00); the cashier's
        line takes 50.00 for the order's 1001 points: 1000.00 of credit for
        951.00 paid."""
        reward = self.reward_line(None, 1000.0, 50.0, program=self.on_cheapest)
        self.assertPaidFor(
            self.top_up_with(
                reward, price=1000.0, extra=[self.product_line(self.cheap, 1.0)]
            ),
            "5% back on the cheapest item (a 1.00 pin), taken off a top-up",
            worth=1.0,
        )


@tagged("post_install", "-at_install")
class TestReview65HeldBounds(Review35Case):
    """Held: the bounds that do read a reward's cap and its products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.capped_percent = cls._percent(
            "20% off, at most 10.00",
            20.0,
        )
        cls.capped_percent.reward_ids.discount_max_amount = 10.0
        cls.free_pin = cls._promotion(
            "A free pin",
            {"reward_point_amount": 1, "reward_point_mode": "order"},
            {
                "reward_type": "product",
                "reward_product_id": cls.cheap.id,
                "reward_product_qty": 1,
            },
        )

    def test_05_held_percent_promotion_past_its_cap(self):
        """Held: "20% off, at most 10.00" taken at 20.00 off a 100.00 top-up
        is refused; the e-wallet gets no more than was paid plus 10.00."""
        reward = self.reward_line(None, 1.0, 20.0, program=self.capped_percent)
        outcome = self.top_up_with(reward)
        self.assertNotIsInstance(outcome[2], int, "the sync must refuse it")
        self.assertPaidFor(outcome, "20% capped at 10.00, taken at 20.00", worth=10.0)

    def test_07_held_free_pin_priced_as_the_top_up(self):
        """Held: "a free pin" whose line takes 100.00 (the top-up's price)
        with a 1.00 pin sold: refused, the free product is worth the pin."""
        reward = self.reward_line(None, 1.0, 100.0, program=self.free_pin)
        outcome = self.top_up_with(reward, extra=[self.product_line(self.cheap, 1.0)])
        self.assertPaidFor(outcome, "a free pin at 100.00", worth=1.0)


@tagged("post_install", "-at_install")
class TestReview65FixedApplicability(Review35Case):
    """Fixed-amount promotions that discount only part of the order: "10.00
    off a service" (specific products) and "10.00 off your cheapest item".
    One point per order pays for each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        order_rule = {"reward_point_amount": 1, "reward_point_mode": "order"}
        fixed = {"reward_type": "discount", "discount_mode": "per_order"}
        cls.off_service = cls._promotion(
            "10.00 off a service",
            order_rule,
            {
                **fixed,
                "discount": 10.0,
                "discount_applicability": "specific",
                "discount_product_ids": [Command.set(cls.service.ids)],
            },
        )
        cls.off_cheapest = cls._promotion(
            "10.00 off your cheapest item",
            order_rule,
            {**fixed, "discount": 10.0, "discount_applicability": "cheapest"},
        )

    def test_08_fixed_discount_on_services_taken_off_a_top_up(self):
        """Hole: the accomplice's 100.00 top-up alone (no service). Stock's
        till gives "10.00 off a service" nothing (nothing to discount); the
        cashier's line of the order's one point takes 10.00 off the top-up:
        100.00 of credit for 90.00 paid. `policy.discount_bound` gives a
        per-order discount its amount per claim, never reading the base
        `_redeem_otp_discount_base` computed for it."""
        reward = self.reward_line(None, 1.0, 10.0, program=self.off_service)
        self.assertPaidFor(
            self.top_up_with(reward),
            "10.00 off a service, taken off a top-up with no service",
        )

    def test_09_fixed_discount_on_the_cheapest_item_past_the_item(self):
        """Hole: the 100.00 top-up and a 1.00 hair pin. "10.00 off your
        cheapest item" gives at most the pin (1.00) in stock's till; the
        cashier's line takes 10.00: 100.00 of credit for 91.00 paid."""
        reward = self.reward_line(None, 1.0, 10.0, program=self.off_cheapest)
        self.assertPaidFor(
            self.top_up_with(reward, extra=[self.product_line(self.cheap, 1.0)]),
            "10.00 off the cheapest item (a 1.00 pin), taken off a top-up",
            worth=1.0,
        )


@tagged("post_install", "-at_install")
class TestReview65TaxRatioOfAnotherLine(Review35Case):
    """ "5% back in points" (a point per 1.00, each 0.05 off) and a shampoo
    taxed 20%, an ordinary retail product of the salon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.points_back = cls._promotion(
            "5% back in points", RULE_PER_MONEY, per_point()
        )
        vat = cls.env["account.tax"].create(
            {
                "name": "VAT 20% (review 65)",
                "amount": 20.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.shampoo = cls.env["product.product"].create(
            {
                "name": "Shampoo",
                "available_in_pos": True,
                "list_price": 10.0,
                "taxes_id": [Command.set(vat.ids)],
            }
        )

    def test_10_a_cent_of_taxed_goods_lifts_the_untaxed_top_ups_discount(self):
        """Hole (medium): the accomplice's 1000.00 top-up (no tax) and a
        shampoo at 0.01. The order earns 1000 points, worth 50.00; stock's
        till splits that discount by tax over what it discounts, so nearly
        all of it is untaxed (the top-up): 50.00 in all. The cashier's line
        says 50.00 untaxed, 60.00 "tax included": `_check_value` lets it
        take the points' worth times the HIGHEST tax ratio among the
        order's priced sales (1.20, the shampoo's), whatever share of the
        order bears it. 1000.00 of credit for 940.01 paid: 10.00 past what
        the promotion gives."""
        reward = self.reward_line(None, 1000.0, 60.0, program=self.points_back)
        reward[2]["price_subtotal"] = -50.0
        outcome = self.top_up_with(
            reward, price=1000.0, extra=[self.product_line(self.shampoo, 0.01)]
        )
        self.assertPaidFor(
            outcome,
            "5% back (50.00) taken as 60.00 through a 0.01 shampoo taxed 20%",
            worth=50.0 + 0.01,
        )


@tagged("post_install", "-at_install")
class TestReview65StackedPercentages(Review35Case):
    """Two automatic promotions running together: "Summer: 50% off" and
    "Members' week: 50% off" (one point per order each). Stock's till
    applies both; the second is a share of what the first left (its base,
    `_getDiscountableOnOrder`, sums the order's lines, the first discount
    included): 50% then 25%, 75% in all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.summer = cls._percent("Summer: 50% off", 50.0)
        cls.week = cls._percent("Members' week: 50% off", 50.0)

    def test_11_two_percentages_each_of_the_whole_order(self):
        """Hole: the accomplice's 100.00 top-up with both promotions, each
        line taking 50.00 (50% of the sales, not of what the other left).
        `_redeem_otp_discount_base` reads every percentage against the
        sales before any discount: the order comes to 0.00 and the points
        call credits 100.00, where stock's till gives 75.00 off (25.00
        paid). 25.00 of credit nobody paid for."""
        outcome = self.top_up_with(
            self.reward_line(None, 1.0, 50.0, program=self.summer),
            extra=[self.reward_line(None, 1.0, 50.0, program=self.week)],
        )
        self.assertPaidFor(
            outcome, "two 50% promotions, each of the whole order", worth=75.0
        )

    def test_12_held_two_percentages_as_stock_applies_them(self):
        """Held (control): 50.00 then 25.00 are accepted; the accomplice
        pays 25.00 for 100.00 of credit, what the salon's promotions give."""
        gained, paid, order, result = self.top_up_with(
            self.reward_line(None, 1.0, 50.0, program=self.summer),
            extra=[self.reward_line(None, 1.0, 25.0, program=self.week)],
        )
        self.assertIsInstance(order, int, order)
        self.assertAlmostEqual(paid, 25.0)


@tagged("post_install", "-at_install")
class TestReview65HeldProtectedPromotion(Review35Case):
    """A promotion the salon protects ("VIP evening: 20% off", its code
    required) beside an unprotected "5% off"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vip = cls._percent("VIP evening: 20% off", 20.0, redeem_otp_required=True)
        cls.five = cls._percent("5% off", 5.0)
        assert cls.vip._redeem_otp_protected() and not cls.five._redeem_otp_protected()

    def sale_with(self, reward):
        before = self.snapshot()
        result = self.sync(self.order_data([self.product_line(), reward]))
        self.assertTrue(self.refused(result), f"the sync must refuse it: {result}")
        self.assertNothingLost(before)
        self.assertNoUnauthorizedPaidOrder()

    def test_13_held_protected_promotion_without_a_code(self):
        """Held: the VIP 20% (40.00 off the guest's 200.00 service) on the
        order's one point, no code: refused, nothing saved."""
        self.sale_with(self.reward_line(None, 1.0, 40.0, program=self.vip))

    def test_14_held_protected_promotion_with_no_points(self):
        """Held: the VIP 20% on a line spending 0 points (nothing to bind a
        code to): refused."""
        self.sale_with(self.reward_line(None, 0.0, 40.0, program=self.vip))

    def test_15_held_protected_promotion_dressed_as_the_unprotected_one(self):
        """Held: 40.00 (the VIP 20%) claimed as the unprotected 5% off's
        line: refused by the 5%'s bound (10.00)."""
        self.sale_with(self.reward_line(None, 1.0, 40.0, program=self.five))

    def test_16_held_loyalty_points_dressed_as_a_gift_card_payment(self):
        """Held: 100 points of the guest's protected loyalty card under the
        gift card program's reward (never protected), 100.00 off, no code:
        refused (the card is not of the reward's program); the points call
        that follows has no order to move them for."""
        card = self.loyalty_card
        start = card.points
        self.sale_with(self.reward_line(card, 100.0, 100.0, program=self.gift_card))
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start)
