# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 50: an exchange's new lines settle a take-back and earn a new card too.

Same harness as the attack tests (tests/attack_common.py): the cashier (the
POS user, group_pos_user) over JSON-RPC, stock's till payloads; only the
set-up uses the superuser. The salon runs a next-order coupon program (a
protected type) "20.00 off your next visit": one point per visit (a rule per
order, no minimum amount), the reward costing that point.

- One visit paid, two next-visit coupons (`loyalty.card._redeem_otp_check_moves`
  against `loyalty.program._redeem_otp_check_earned`). The accomplice pays
  100.00 cash for a service; its points call mints coupon C1 (1 point). The
  cashier exchanges the service for another 100.00 service (the refund line
  and the new line, 0.00 to pay). The sync holds C1's point (the take-back),
  and no manager is asked: the new line "covers" it
  (`pos.order.line._redeem_otp_check_take_back`, `new_left`). The exchange's
  points call, as stock's till makes it for a next-order program, mints a
  new coupon C2 of 1 point for the exchange's own visit and leaves C1 alone.
  The server settles C1 against the new line's earnings (`kept` = 0: C1
  keeps its point, now as the new service's), using them up in `new_left`;
  then C2's point is checked by `_redeem_otp_check_earned`, whose bound is
  `_redeem_otp_earnings(order)` (the whole order's, refund lines netted: a
  per-visit rule with no minimum gives its point whatever the net, as soon
  as anything is paid for the new lines) and from which only C1's `kept`,
  not the point C1 keeps of the new line's earnings, is deducted
  (`earned[card] - backs[card]`). The new service's one visit is credited
  twice: C1 and C2, 40.00 off for one visit paid, no manager, no code but
  the accomplice's own to spend them. Money rules are netted the same way
  in both places, which is why they hold (an exchange at equal price earns
  0 in `_redeem_otp_earnings`); visits (and any rule the netting does not
  shrink) do not.
  Fix: make one budget of the new lines' earnings per program in the points
  call: pass what `new_left` has left after settling the held cards to
  `_redeem_otp_check_earned` (bound = min(its bound, new_left[program]) for
  the other cards of a program whose take-back was settled), or count in
  `gained` what a held card keeps of the new lines (`kept + back`, not
  `kept`) against the same earnings.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import AttackCase


class Review50Case(AttackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.visits = env["loyalty.program"].create(
            {
                "name": "20.00 off your next visit",
                "program_type": "next_order_coupons",
                "applies_on": "future",
                "trigger": "auto",
                "rule_ids": [
                    Command.create(
                        {
                            "minimum_amount": 0.0,
                            "minimum_qty": 0,
                            "reward_point_amount": 1,
                            "reward_point_mode": "order",
                        }
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount_mode": "per_order",
                            "discount": 20.0,
                            "required_points": 1,
                        }
                    )
                ],
            }
        )
        assert cls.visits._redeem_otp_protected(), "set-up: a protected program"

    def visit_coupons(self):
        self.env.invalidate_all()
        return self.env["loyalty.card"].search(
            [("program_id", "=", self.visits.id), ("points", ">", 0)]
        )

    def minted(self, barcode, points=1.0):
        """The new coupon stock's till sends for a next-order program."""
        return {
            "points": points,
            "program_id": self.visits.id,
            "coupon_id": -1,
            "partner_id": self.accomplice.id,
            "barcode": barcode,
            "line_codes": [],
        }

    def paid_order(self, lines):
        data = self.order_data(lines, partner=self.accomplice)
        if not data["amount_total"]:
            data["payment_ids"] = []
        order = self.sync(data)
        self.assertIsInstance(order, int, f"the till's sync was refused: {order}")
        self.env.invalidate_all()
        return self.env["pos.order"].browse(order)

    def points_call(self, order, data):
        result = self.confirm(order.id, data)
        self.env.invalidate_all()
        self.assertFalse(
            self.refused(result), f"the till's points call was refused: {result}"
        )


@tagged("post_install", "-at_install")
class TestReview50ExchangeEarnsTwice(Review50Case):
    def test_01_exchange_mints_a_second_coupon_for_one_visit(self):
        # One visit, 100.00 cash: coupon C1.
        sale = self.paid_order([self.product_line(self.service, 100.0)])
        self.points_call(sale, {-1: self.minted("REV50-VISIT-1")})
        self.assertEqual(self.visit_coupons().mapped("points"), [1.0], "set-up: C1")
        # The service exchanged for another at the same price, by the cashier.
        line = sale.lines
        back = self.product_line(line.product_id, line.price_unit, qty=-1)
        back[2]["refunded_orderline_id"] = line.id
        exchange = self.paid_order([back, self.product_line(self.service, 100.0)])
        # The till's points call: the exchange's visit mints its coupon.
        self.points_call(exchange, {-1: self.minted("REV50-VISIT-2")})
        coupons = self.visit_coupons()
        # 100.00 paid, one service kept: one visit, one point.
        self.assertLessEqual(
            sum(coupons.mapped("points")),
            1.0,
            f"{len(coupons)} coupons ({sum(coupons.mapped('points'))} points, "
            f"{20.0 * sum(coupons.mapped('points')):.2f} off) for one visit paid",
        )
