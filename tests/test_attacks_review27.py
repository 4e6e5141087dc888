# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 27: a line's own `order_id` rides in an update command of the sync.

`payloads.order_numbers` checks that the sync's line commands name only the
saved order's own lines (`ids_named` + `_redeem_otp_check_synced_by`), and
`LINE_LISTS` whitelists the lists a line's values may carry. But the values
of an update command `(1, own_line_id, {...})` may still carry the line's
Many2one `order_id` (a flat id): the ORM applies an update command as a plain
`write` on the line, without forcing the inverse, and the sync writes under
`trusted.mark`, past `pos.order.line._redeem_otp_guard`. A line of the
cashier's own draft is so moved into another, paid order.

The paid order is then no longer what the server checked. A 300.00 top-up
sold to the accomplice gets a top-up line of 100,000,000.00 moved into it:
refunding its real top-up line takes back the credit in proportion to the
money refunded of its earning lines (`_redeem_otp_take_back`), 300 of
100,000,300, which rounds to nothing. The cashier refunds the 300.00 in cash
(no take-back, so no manager is needed) and the accomplice keeps the 300.00
of credit.
"""

from odoo.tests import tagged

from .test_attacks_review21 import Review21Case


@tagged("post_install", "-at_install")
class TestReview27LineMovedIntoPaidOrder(Review21Case):
    def move_draft_line_into(self, target, price):
        """A draft of the cashier's with one top-up line; its line then sent
        again in an update command whose values name `target` as its order."""
        data = self.order_data(
            [self.product_line(self.topup, price)], partner=self.accomplice
        )
        data.update(state="draft", payment_ids=[], amount_paid=0.0)
        draft = self.sync(data)
        self.assertIsInstance(draft, int, draft)
        line = self.env["pos.order"].browse(draft).lines
        self.assertEqual(len(line), 1, "the set-up needs the draft's line")
        data = dict(data, lines=[[1, line.id, {"order_id": target.id}]])
        self.sync(data)
        self.env.invalidate_all()
        return line

    def test_01_line_moved_into_paid_order(self):
        sale = self.paid_top_up()
        lines_before = sale.lines
        line = self.move_draft_line_into(sale, 1000.0)
        self.assertEqual(
            sale.lines,
            lines_before,
            "a sync's update command on the cashier's own draft line carried "
            f"order_id: the line moved into the paid order {sale.name}, whose "
            "lines are no longer what the server checked "
            f"(line now on {line.order_id.name})",
        )

    def test_02_refund_in_cash_keeps_the_credit(self):
        card = self.accomplice_card
        start = card.points
        sale = self.paid_top_up()
        real_line = sale.lines
        self.move_draft_line_into(sale, 100_000_000.0)
        data = self.order_data(
            [self.refund_line(self.topup, 300.0, refunded=real_line)],
            partner=self.accomplice,
        )
        data["amount_total"] = data["amount_paid"] = -300.0
        data["payment_ids"][0][2]["amount"] = -300.0
        refund = self.sync(data)
        if isinstance(refund, int):
            self.confirm(refund, {})
        self.credit_check(
            card,
            start,
            "a top-up refunded in cash by the cashier after a 100,000,000.00 "
            "line was moved into it (the take-back shrinks to nothing)",
        )

    def test_03_payment_moved_into_paid_order(self):
        """The same with a payment: `(1, own_payment_id, {"pos_order_id": ...})`
        moves the draft's payment onto the paid top-up (README: a payment is
        never moved to another order)."""
        sale = self.paid_top_up()
        payments_before = sale.payment_ids
        data = self.order_data(
            [self.product_line(self.topup, 50.0)], partner=self.accomplice
        )
        data["state"] = "draft"
        draft = self.sync(data)
        self.assertIsInstance(draft, int, draft)
        payment = self.env["pos.order"].browse(draft).payment_ids
        self.assertEqual(len(payment), 1, "the set-up needs the draft's payment")
        self.sync(
            dict(
                data, lines=[], payment_ids=[[1, payment.id, {"pos_order_id": sale.id}]]
            )
        )
        self.env.invalidate_all()
        self.assertEqual(
            sale.payment_ids,
            payments_before,
            "a sync's update command on the cashier's own draft payment carried "
            f"pos_order_id: the payment moved onto the paid order {sale.name}",
        )

    def test_04_line_written_into_paid_order(self):
        """Without the sync: `pos.order.line.write` checks the state of the
        order the line is on (a draft), not of the order `order_id` names."""
        sale = self.paid_top_up()
        lines_before = sale.lines
        data = self.order_data(
            [self.product_line(self.topup, 1000.0)], partner=self.accomplice
        )
        data.update(state="draft", payment_ids=[], amount_paid=0.0)
        draft = self.sync(data)
        self.assertIsInstance(draft, int, draft)
        line = self.env["pos.order"].browse(draft).lines
        self.attempt("pos.order.line", "write", line.ids, {"order_id": sale.id})
        self.env.invalidate_all()
        self.assertEqual(
            sale.lines,
            lines_before,
            "pos.order.line write of order_id on a draft's line moved it into "
            f"the paid order {sale.name}",
        )
