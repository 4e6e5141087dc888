# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 42: points earned on exchanges and refunds.

A refund takes back "what the refunded sale earned on the card"
(`pos.order.line._redeem_otp_take_back`): the sale's recorded earnings
(`redeem_otp_points_earned`) times the money refunded of its earning lines
over the money of those lines. That share is not what the lines earned:

- An exchange (a sale's line refunded and a new one sold in one order)
  whose earning lines come to 0.00 or less (100.00 given back, 60.00 sold)
  still earns a points-per-order rule: `policy.earn_bound` reads the money
  the order paid for its new lines (60.00). Refunding that new line later
  takes back `policy.share(earned, 60.00, -40.00)`: nothing, as the whole is
  not above zero. No take-back, so no manager either: the cashier alone
  runs sale (points call left out), exchange, refund, and the card keeps
  the per-order points for 0.00 paid. Over and over.
- A points-per-unit rule earns by units, the take-back is by money: twenty
  1.00 hair pins sold with a 200.00 service earn 210 points (10 a unit);
  refunding the pins takes back 210 x 20 / 220 = 19.09, not 200. A plain
  refund of them is a manager's where the loyalty program is protected (any
  take-back is), but refunded together with the sale's reward line (which
  gives its 200 points back) the net is a give-back: no manager, and the
  card gains 180.91 points it never paid for. Where the program asks no
  code, a plain refund of the pins does it.
- The earning bound counts every reward line as paid
  (`loyalty.program._redeem_otp_earnings`, `paid=`), a promotion's
  discount included. pos_loyalty counts an e-wallet or gift card line as
  payment, but nets a promotion's discount for a rule on any product: a
  200.00 service with the 10% "Happy hour" off is 180.00 paid, 180 points
  at one point per 1.00. The server lets the points call credit 200.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .test_attacks_review15 import Review15Case


class Review42Case(Review15Case):
    def setUp(self):
        super().setUp()
        self.card = self.accomplice_loyalty
        self.assertEqual(self.card.points, 0.0)
        self.assertTrue(self.config.redeem_otp_required)
        self.assertTrue(self.loyalty._redeem_otp_protected())

    def rule(self, mode, points):
        self.loyalty.rule_ids.write(
            {
                "reward_point_mode": mode,
                "reward_point_amount": points,
                "minimum_amount": 0.0,
                "minimum_qty": 0,
            }
        )

    def cash_order(self, lines):
        """`lines` synced as an order of the accomplice paid in cash."""
        order = self.sync(self.order_data(lines, partner=self.accomplice))
        self.assertIsInstance(order, int, order)
        return self.env["pos.order"].browse(order)

    def confirmed(self, order, points=None):
        """The order's points call, moving the card by `points` (or nothing)."""
        data = {}
        if points is not None:
            data = {self.card.id: self.coupon_vals(self.card, points)}
        result = self.confirm(order.id, data)
        self.assertFalse(self.refused(result), result)
        self.env.invalidate_all()
        return result

    def refund_of(self, line, qty=None):
        """A line refunding `qty` (all by default) of the sale line `line`."""
        qty = line.qty if qty is None else qty
        back = self.product_line(line.product_id, line.price_unit, qty=-qty)
        back[2]["refunded_orderline_id"] = line.id
        return back

    def paid(self, orders):
        return sum(orders.mapped("amount_total"))


@tagged("post_install", "-at_install")
class TestReview42ExchangeEarningsNeverTakenBack(Review42Case):
    """50 points a visit. Sale (its points call left out: it earns the card
    nothing), exchange for a cheaper service (earns the visit's 50), the new
    service refunded: it takes the visit's 50 back, a manager's refund at a
    center that asks codes. Otherwise 0.00 paid, 50 points kept, again and
    again."""

    def test_01_per_order_points_of_an_exchange_taken_back_by_its_refund(self):
        self.rule("order", 50.0)
        sale = self.cash_order([self.product_line(self.service, 100.0)])
        self.confirmed(sale)
        exchange = self.cash_order(
            [self.refund_of(sale.lines), self.product_line(self.service, 60.0)]
        )
        result = self.confirmed(exchange, 50.0)
        self.call_kw(
            "pos.order",
            "add_loyalty_history_lines",
            [exchange.id],
            [{"card_id": self.card.id, "won": 50.0, "spent": 0.0}],
            result["coupon_updates"],
        )
        self.assertAlmostEqual(self.card.points, 50.0, msg="set-up: the visit's points")
        new = exchange.lines.filtered(lambda line: line.qty > 0)
        refund = self.sync(
            self.order_data([self.refund_of(new)], partner=self.accomplice)
        )
        self.assertTrue(self.refused(refund), "the visit's points turned into cash")
        self.env.invalidate_all()
        # The guest keeps the 60.00 service they paid for, and its visit.
        self.assertAlmostEqual(self.card.points, 50.0)
        self.assertEqual(
            self.env["pos.order"].search_count(
                [("lines.refunded_orderline_id", "in", new.ids)]
            ),
            0,
        )

    def test_01b_where_the_program_asks_no_code_the_refund_takes_them_back(self):
        self.loyalty.redeem_otp_required = False
        self.rule("order", 50.0)
        sale = self.cash_order([self.product_line(self.service, 100.0)])
        self.confirmed(sale)
        exchange = self.cash_order(
            [self.refund_of(sale.lines), self.product_line(self.service, 60.0)]
        )
        self.confirmed(exchange, 50.0)
        new = exchange.lines.filtered(lambda line: line.qty > 0)
        refund = self.cash_order([self.refund_of(new)])
        self.confirmed(refund, refund.lines._redeem_otp_refund_net(self.card))
        self.assertAlmostEqual(
            self.card.points,
            0.0,
            msg=f"{self.paid(sale | exchange | refund):.2f} paid in all",
        )


@tagged("post_install", "-at_install")
class TestReview42UnitsTakenBackByMoney(Review42Case):
    """10 points a unit: a 200.00 service and twenty 1.00 pins earn 210; the
    pins refunded take back 19.09 of them."""

    def setUp(self):
        super().setUp()
        self.rule("unit", 10.0)

    def test_02_pins_refunded_with_the_reward_line(self):
        """Under the lock: the refund also gives the sale's reward back, so
        its net is a give-back and no manager is asked."""
        self.env["loyalty.card"].browse(self.card.id).points = 200.0
        uuid = self.new_uuid()
        challenge = self.verified_code(
            uuid,
            [self.redemption(self.card, 200.0, amount=11.0)],
            partner=self.accomplice,
        )
        sale = self.sync(
            self.order_data(
                [
                    self.product_line(self.service, 200.0),
                    self.product_line(self.cheap, 1.0, qty=20),
                    self.reward_line(self.card, 200.0, amount=11.0),
                ],
                partner=self.accomplice,
                uuid=uuid,
                challenge_id=challenge.id,
            )
        )
        self.assertIsInstance(sale, int, sale)
        sale = self.env["pos.order"].browse(sale)
        self.confirmed(sale, 10.0)  # 210 earned, 200 spent
        self.assertAlmostEqual(self.card.points, 210.0, msg="set-up: the sale")
        pins = sale.lines.filtered(lambda line: line.product_id == self.cheap)
        refund = self.cash_order(
            [
                self.refund_of(pins),
                self.reward_refund_line(sale.lines.filtered("reward_id")),
            ]
        )
        net = refund.lines._redeem_otp_refund_net(self.card)
        self.confirmed(refund, net)
        # Honest end: the service's 10 points, and the 200 the reward gave back.
        self.assertAlmostEqual(
            self.card.points,
            210.0,
            msg=f"one service bought ({self.paid(sale | refund):.2f} paid): the "
            f"card went from 200 to {self.card.points:.2f} points",
        )

    def test_03_pins_refunded_where_the_program_asks_no_code(self):
        self.loyalty.redeem_otp_required = False
        sale = self.cash_order(
            [
                self.product_line(self.service, 200.0),
                self.product_line(self.cheap, 1.0, qty=20),
            ]
        )
        self.confirmed(sale, 210.0)
        pins = sale.lines.filtered(lambda line: line.product_id == self.cheap)
        refund = self.cash_order([self.refund_of(pins)])
        self.confirmed(refund, refund.lines._redeem_otp_refund_net(self.card))
        self.assertAlmostEqual(
            self.card.points,
            10.0,
            msg=f"one service bought ({self.paid(sale | refund):.2f} paid): the "
            f"card holds {self.card.points:.2f} points",
        )


@tagged("post_install", "-at_install")
class TestReview42PromotionCountedAsPaid(Review42Case):
    def test_04_points_on_a_promotions_discount(self):
        self.assertEqual(self.loyalty.rule_ids.reward_point_mode, "money")
        self.assertFalse(self.loyalty.rule_ids.product_ids)
        sale = self.cash_order(
            [
                self.product_line(self.service, 200.0),
                self.reward_line(None, 1.0, amount=20.0, program=self.promotion),
            ]
        )
        self.confirm(sale.id, {self.card.id: self.coupon_vals(self.card, 200.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            self.card.points,
            sale.amount_total,
            f"a service paid {sale.amount_total:.2f} after the promotion earned "
            f"{self.card.points:.0f} points at one point per 1.00",
        )
