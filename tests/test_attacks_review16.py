# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a sixteenth review found in the reworked refunds.

- A sale refunded before its own points call: the refund reads what the
  sale "earned" from the points call's record, empty yet, so it takes no
  credit back and needs no manager; the sale's points call, made afterwards,
  still credits everything its (now refunded) lines earn.
- One sale line refunded twice by two lines of the same refund order: each
  line is checked against the refunds of other, paid orders only, and the
  order being synced is not paid yet.
- Credit kept in a loyalty-type program (points bought with money and spent
  at a point's worth): the cashier-may-not rule reads the program type
  "ewallet" only, so the guest's prepaid balance is cashed out at the till.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review15 import Review15Case


class Review16Case(Review15Case):
    """Review 15's salon; what a partner paid in all and holds in credit."""

    def paid_by(self, partner):
        self.env.invalidate_all()
        return sum(
            self.env["pos.order"]
            .search([("partner_id", "=", partner.id), ("id", ">", self.last_order_id)])
            .mapped("amount_total")
        )

    def cash_refund(self, lines, partner):
        """Sync a refund order of `lines`, paid back in cash; its id or the refusal."""
        data = self.order_data(lines, partner=partner)
        return self.sync(data)


@tagged("post_install", "-at_install")
class TestReview16RefundBeforeThePointsCall(Review16Case):
    """A 100.00 top-up is synced and its points call held back. Refunded in
    cash at once, the refund finds no credit recorded as earned by the sale:
    it takes nothing back and needs no manager. The sale's points call, made
    next, credits the 100.00 its refunded line earned. The accomplice holds
    100.00 of credit and has paid nothing."""

    def refund_then_points_call(self, product, price, card):
        """Sell `product` at `price` to the accomplice with no points call,
        refund it in cash at once, then make the sale's points call naming
        `price` points on `card`; return the refund (an id, or the refusal)."""
        sale = self.sync(
            self.order_data(
                [self.product_line(product, price)], partner=self.accomplice
            )
        )
        self.assertIsInstance(sale, int, sale)
        line = self.env["pos.order"].browse(sale).lines
        refund = self.cash_refund(
            [self.refund_line(product, price, refunded=line)], self.accomplice
        )
        if isinstance(refund, int):
            self.confirm(refund, {})
        self.confirm(sale, {card.id: self.coupon_vals(card, price)})
        self.env.invalidate_all()
        return refund

    def test_01_top_up_refunded_then_its_points_call_credits_it(self):
        card = self.accomplice_card
        start = card.points
        refund = self.refund_then_points_call(self.topup, 100.0, card)
        paid = self.paid_by(self.accomplice)
        self.assertLessEqual(
            card.points - start,
            paid + 1e-6,
            f"a top-up refunded in cash (refund {refund}) before its points call, "
            f"which ran afterwards: {card.points - start:.2f} of credit for "
            f"{paid:.2f} paid in all",
        )

    def test_02_loyalty_points_of_a_refunded_sale(self):
        """The same with the points of a service: 200 points for nothing."""
        card = self.accomplice_loyalty
        start = card.points
        refund = self.refund_then_points_call(self.service, 200.0, card)
        self.assertLessEqual(
            card.points - start,
            1e-6,
            f"a service refunded in full (refund {refund}, "
            f"{self.paid_by(self.accomplice):.2f} paid in all) earned "
            f"{card.points - start:.0f} points by its late points call",
        )


@tagged("post_install", "-at_install")
class TestReview16OneLineRefundedTwiceInOneOrder(Review16Case):
    """A 200.00 service, refunded by one order holding two refund lines of
    that one line: each is checked against the paid refunds of other orders
    only, the order itself being still a draft while it is checked. 400.00
    given back for 200.00, here into a 400.00 top-up paid by nothing else."""

    def test_01_two_refund_lines_of_one_sale_line_pay_a_top_up(self):
        card = self.accomplice_card
        start = card.points
        sale = self.sync(
            self.order_data(
                [self.product_line(self.service, 200.0)], partner=self.accomplice
            )
        )
        self.assertIsInstance(sale, int, sale)
        line = self.env["pos.order"].browse(sale).lines
        lines = [
            self.refund_line(self.service, 200.0, refunded=line),
            self.refund_line(self.service, 200.0, refunded=line),
            self.product_line(self.topup, 400.0),
        ]
        refund = self.sync(self.order_data(lines, partner=self.accomplice))
        if isinstance(refund, int):
            self.confirm(refund, {card.id: self.coupon_vals(card, 400.0)})
        self.env.invalidate_all()
        paid = self.paid_by(self.accomplice)
        self.assertLessEqual(
            card.points - start,
            paid + 1e-6,
            f"one 200.00 service refunded twice in one order ({refund}): "
            f"{card.points - start:.2f} of credit for {paid:.2f} paid in all",
        )

    def test_02_two_refund_lines_of_one_sale_line_in_cash(self):
        sale = self.sync(
            self.order_data(
                [self.product_line(self.service, 200.0)], partner=self.accomplice
            )
        )
        self.assertIsInstance(sale, int, sale)
        line = self.env["pos.order"].browse(sale).lines
        refund = self.cash_refund(
            [
                self.refund_line(self.service, 200.0, refunded=line),
                self.refund_line(self.service, 200.0, refunded=line),
            ],
            self.accomplice,
        )
        paid = self.paid_by(self.accomplice)
        self.assertGreaterEqual(
            paid,
            -1e-6,
            f"one 200.00 service refunded twice in one order ({refund}): the "
            f"till paid out {-paid:.2f} more than it took",
        )


@tagged("post_install", "-at_install")
class TestReview16PrepaidLoyaltyCashedOut(Review16Case):
    """A salon sells prepaid credit as a loyalty program: 1 point per 1.00
    paid for "Prepaid credit", spent at 1.00 a point. The guest's purchase of
    last week, refunded in cash in their name while they are away: the rule
    that makes this a manager's refund reads the program type "ewallet"
    only, so the cashier takes the guest's 100 points and hands out 100.00."""

    def test_01_guests_prepaid_points_refunded_in_cash_at_the_till(self):
        program = self._program(
            "Prepaid credit",
            "loyalty",
            rule_ids=[
                Command.create(
                    {
                        "reward_point_mode": "money",
                        "reward_point_amount": 1.0,
                        "product_ids": [Command.set(self.topup.ids)],
                    }
                )
            ],
            reward_ids=[
                Command.create(
                    {
                        "reward_type": "discount",
                        "discount_mode": "per_point",
                        "discount": 1.0,
                        "required_points": 1.0,
                    }
                )
            ],
        )
        self.ewallet.rule_ids.product_ids = self.cheap  # the top-up is this one's
        card = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": self.guest.id, "points": 0.0}
        )
        sale = self.sync(
            self.order_data([self.product_line(self.topup, 100.0)], partner=self.guest)
        )
        self.assertIsInstance(sale, int, sale)
        self.confirm(sale, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, 100.0, msg="set-up: the guest's credit")
        line = self.env["pos.order"].browse(sale).lines
        with self.mockSMSGateway(), self.mock_mail_gateway():
            refund = self.cash_refund(
                [self.refund_line(self.topup, 100.0, refunded=line)], self.guest
            )
            if isinstance(refund, int):
                self.confirm(refund, {card.id: self.coupon_vals(card, -100.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            100.0,
            msg=f"the guest's prepaid credit was refunded in cash at the till "
            f"(order {refund}) without their code or a manager: their balance "
            f"went from 100 to {card.points:.0f} points",
        )
