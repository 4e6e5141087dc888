# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 48: exchanges that keep the points of a service nobody paid for.

Same harness as the attack tests (tests/attack_common.py): the cashier (the
POS user, group_pos_user) over JSON-RPC, stock's till payloads; only the
set-up uses the superuser.

- An exchange's new service keeps its points, then is refunded for nothing
  (`pos.order.line._redeem_otp_take_back`, `policy.earned_back`). A guest
  buys a 100.00 service (earns 100). The cashier exchanges it for another
  100.00 service (refund line + new line, 0.00 to pay): since c35f567 the
  exchange needs no manager (`_redeem_otp_check_take_back`: the new line earns
  the 100 taken back) and the points call leaves the card at 100, recording
  that the exchange earned 100 (`redeem_otp_points_earned`). The cashier then
  refunds the exchange's new service in cash (100.00 back). That refund takes
  back nothing: the take-back of an exchange is "what its refunds take back
  with these lines less what they took back before them", and "before" is
  already all 100 points, since the exchange's own lines (its refund line
  netting the new one) are bounded at 0 by the rules (`earned_back`:
  gained - kept_bound = 100 - 0). So after = before = 100, and nothing is
  held or taken. The guest paid 100.00, got 100.00 back, and keeps 100 points;
  each round adds 100 more. Fix: an exchange's take-back must compare what
  the exchange's lines keep with what they kept before its own refund lines
  are counted, i.e. bound "before" with the exchange's new lines only (its
  refund lines are another order's take-back, already settled), or record
  `redeem_otp_points_earned` of an exchange as what its new lines earned and
  compute its take-back over its new lines only (new_only=True in both the
  paid share and the kept bound).
- One new service settles the take-back of two cards of one program
  (`pos.order.line._redeem_otp_check_take_back` and
  `loyalty.card._redeem_otp_check_moves`, via `_redeem_otp_earn_new`). A guest
  with two cards of the salon's loyalty program (a card made in the back
  office, a merged contact) buys two 100.00 services, the till's points call
  putting 100 on each card (200 for 200.00, within the program's bound). The
  cashier exchanges both for one 100.00 service (100.00 given back in cash).
  Each card's take-back (100) is compared with all the new line earns (100),
  card by card: neither is "lost", so no manager, and the points call lowers
  neither card (kept = min(0, 100 - 100)). The guest paid 100.00 in all and
  keeps 200 points. Fix: share the new lines' earnings among the program's
  cards (subtract what one card's settlement used before the next, in both
  the sync's check and the points call), or bound the sum of the program's
  cards' kept points by one `_redeem_otp_earn_new`.
"""

from odoo.tests import tagged

from .till_common import GuestTillCase


class Review48Case(GuestTillCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loyalty.rule_ids.write(
            {
                "reward_point_mode": "money",
                "reward_point_amount": 1.0,
                "minimum_amount": 0.0,
                "minimum_qty": 0,
            }
        )

    def sale_earning(self, price):
        sale = self.paid_order([self.product_line(self.service, price)])
        self.points_call(sale, {self.card.id: self.till_vals(self.card, price)})
        self.assertAlmostEqual(self.card.points, price, msg="set-up: the sale")
        return sale

    def exchange(self, sale, price):
        """The cashier exchanges the sale's service for another at `price`;
        stock's till nets the lines: (price - sold) points."""
        new = self.product_line(self.service, price)
        exchange = self.paid_order([self.refund_of(sale.lines), new])
        self.points_call(
            exchange,
            {
                self.card.id: self.till_vals(
                    self.card, price - sale.lines.price_subtotal_incl
                )
            },
        )
        return exchange


@tagged("post_install", "-at_install")
class TestReview48ExchangeThenRefund(Review48Case):
    def test_01_exchanged_service_refunded_keeps_its_points(self):
        sale = self.sale_earning(100.0)
        exchange = self.exchange(sale, 100.0)
        self.assertAlmostEqual(self.card.points, 100.0, msg="the exchange is fair")
        new_line = exchange.lines.filtered(lambda line: line.qty > 0)
        # The exchange's new service refunded in cash, by the cashier.
        refund = self.sync(
            self.order_data([self.refund_of(new_line)], partner=self.lea)
        )
        if isinstance(refund, int):
            # pointsForPrograms: -100.00 earns nothing.
            self.confirm(refund, {self.card.id: self.till_vals(self.card, 0.0)})
        self.env.invalidate_all()
        # Refused (a manager refunds earned points), the guest keeps the
        # service paid 100.00 and its points; refunded, nothing.
        kept = 0.0 if isinstance(refund, int) else 100.0
        self.assertAlmostEqual(
            self.card.points,
            kept,
            msg=f"{kept:.2f} kept of 100.00 paid: the card keeps its points for nothing",
        )

    def test_02_round_after_round(self):
        kept = 0.0
        for _round in range(3):
            sale = self.paid_order([self.product_line(self.service, 100.0)])
            # (`points` of `_postProcessLoyalty` is what the order adds.)
            self.points_call(sale, {self.card.id: self.till_vals(self.card, 100.0)})
            exchange = self.exchange(sale, 100.0)
            new_line = exchange.lines.filtered(lambda line: line.qty > 0)
            refund = self.sync(
                self.order_data([self.refund_of(new_line)], partner=self.lea)
            )
            if isinstance(refund, int):
                self.points_call(refund, {self.card.id: self.till_vals(self.card, 0.0)})
            else:
                kept += 100.0  # refused: the service stays sold, and paid
            self.env.invalidate_all()
        self.assertAlmostEqual(
            self.card.points,
            kept,
            msg=f"three rounds, {kept:.2f} kept: {self.card.points} points",
        )


@tagged("post_install", "-at_install")
class TestReview48TwoCardsOneProgram(Review48Case):
    def test_03_one_new_service_settles_two_cards(self):
        # The guest has a second card of the same program (a card made in the
        # back office, a merged contact): set-up.
        second = self.env["loyalty.card"].create(
            {"program_id": self.loyalty.id, "partner_id": self.lea.id}
        )
        # Two services (200.00) whose points the till split between the
        # guest's two cards, 100 each (the program's 200 in all).
        sale = self.paid_order(
            [
                self.product_line(self.service, 100.0),
                self.product_line(self.service, 100.0),
            ]
        )
        # (No partner_id: stock would move the entries onto the first card.)
        self.points_call(
            sale,
            {
                self.card.id: self.coupon_vals(self.card, 100.0),
                second.id: self.coupon_vals(second, 100.0),
            },
        )
        self.assertAlmostEqual(self.card.points + second.points, 200.0)
        # One exchange refunds both services (200.00) for one new at 100.00:
        # the cashier gives 100.00 back and sends 0 for each card.
        exchange = self.sync(
            self.order_data(
                [
                    *(self.refund_of(line) for line in sale.lines),
                    self.product_line(self.service, 100.0),
                ],
                partner=self.lea,
            )
        )
        kept = 200.0  # refused: a manager refunds the 100 points lost
        if isinstance(exchange, int):
            kept = 100.0
            self.points_call(
                self.env["pos.order"].browse(exchange),
                {
                    self.card.id: self.coupon_vals(self.card, 0.0),
                    second.id: self.coupon_vals(second, 0.0),
                },
            )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            self.card.points + second.points,
            kept,
            msg=f"{kept:.2f} paid in all: the one new service's points counted per card",
        )

    def test_04_a_managers_exchange_settles_the_two_cards_once(self):
        """The same exchange made by a manager: the points call settles the
        two cards against the one new service once."""
        second = self.env["loyalty.card"].create(
            {"program_id": self.loyalty.id, "partner_id": self.lea.id}
        )
        sale = self.paid_order(
            [
                self.product_line(self.service, 100.0),
                self.product_line(self.service, 100.0),
            ]
        )
        self.points_call(
            sale,
            {
                self.card.id: self.coupon_vals(self.card, 100.0),
                second.id: self.coupon_vals(second, 100.0),
            },
        )
        exchange = self.paid_order(
            [
                *(self.refund_of(line) for line in sale.lines),
                self.product_line(self.service, 100.0),
            ],
            manager=True,
        )
        with self.as_manager():
            result = self.confirm(
                exchange.id,
                {
                    self.card.id: self.coupon_vals(self.card, 0.0),
                    second.id: self.coupon_vals(second, 0.0),
                },
            )
        self.assertFalse(self.refused(result), result)
        self.env.invalidate_all()
        self.assertAlmostEqual(self.card.points + second.points, 100.0)
