# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 24: the guards of rounds 18 to 23, tried by other doors.

- The sync checks that its line and payment commands name only the saved
  order's own records, but only the top-level commands: a line's own
  one2many `refund_orderline_ids` (pos.order.line, inverse
  `refunded_orderline_id`) carries commands too, and the sync applies them
  as the server (the trusted mark), past the guard on paid orders' lines.
  An update command there rewrites a paid sale's line to 1000.00; a refund
  of it then pays 1000.00 of e-wallet credit for a 1.00 pin.
- Stock's own cashier flows that a paid order's payments now block:
  "Edit Payment" (receipt and ticket screens: the order's form, its
  payment's method changed while the order is paid and not printed) and
  "Invoice" on the ticket screen (`action_pos_order_invoice` on a paid
  order: stock links the payments to the invoice's payment entries,
  `pos.payment.account_move_id`).
- The session step guard lets a cashier write a session closed in two
  plain writes (opened, closing control, closed), each one step forward:
  stock's closing (`_validate_session`: no drafts left, the cash count and
  its difference, the closing entry, paid orders booked done) never runs.

Every attack is made as the POS user over JSON-RPC; the tests assert the
effect. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .attack_common import TopUpAttackCase

PRICES = ("price_unit", "price_subtotal", "price_subtotal_incl")


@tagged("post_install", "-at_install")
class TestReview24NestedLineCommand(TopUpAttackCase):
    """`_process_order` reads `ids_named(order, "lines")`: the commands of the
    order's lines, not those nested in a line's values. A new order's line
    carries `refund_orderline_ids: [[1, <a paid order's line>, {...}]]`: the
    ORM writes that other line, under the sync's trust."""

    def test_01_a_paid_line_rewritten_through_refund_orderline_ids(self):
        card = self.accomplice_card
        start = card.points
        sold = self.sync(
            self.order_data(
                [self.product_line(self.cheap, 1.0)], partner=self.accomplice
            )
        )
        self.assertIsInstance(sold, int, sold)
        line = self.env["pos.order"].browse(sold).lines
        self.assertEqual(line.order_id.state, "paid", "set-up: a paid 1.00 sale")
        rewriter = self.order_data(
            [self.product_line(self.cheap, 1.0)], partner=self.accomplice
        )
        rewriter["lines"][0][2]["refund_orderline_ids"] = [
            [1, line.id, dict.fromkeys(PRICES, 1000.0)]
        ]
        self.sync(rewriter)
        self.env.invalidate_all()
        rewritten = line.price_subtotal_incl
        lines = [
            self.refund_line(self.cheap, rewritten, refunded=line),
            self.product_line(self.topup, rewritten),
        ]
        self.sync_and_confirm(
            self.order_data(lines, partner=self.accomplice), card, rewritten
        )
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            start + 1.0 + 1e-6,
            f"a paid 1.00 sale's line (order {sold}) was rewritten to "
            f"{rewritten:.2f} by a command nested in another order's line "
            "(sync_from_ui, lines[0].refund_orderline_ids = [[1, id, {...}]]), "
            f"then refunded as {card.points - start:.2f} of e-wallet credit",
        )


@tagged("post_install", "-at_install")
class TestReview24StockCashierFlowsOnPaidOrders(TopUpAttackCase):
    """Legitimate flows of stock's POS on a paid order, made by the cashier."""

    def paid_sale(self):
        order = self.sync(self.order_data([self.product_line(self.cheap, 1.0)]))
        self.assertIsInstance(order, int, order)
        order = self.env["pos.order"].browse(order)
        self.assertEqual(order.state, "paid", "set-up: a paid sale")
        return order

    def test_01_edit_payment_method_of_a_paid_order(self):
        """Receipt screen, "Edit Payment" (`pos.orderDetails`): the order's form
        in a dialog, its payment's method changed (cash to bank), saved."""
        order = self.paid_sale()
        payment = order.payment_ids
        bank = self.config.payment_method_ids.filtered(
            lambda pm: not pm.is_cash_count and pm.type == "bank"
        )[:1]
        self.assertTrue(bank, "set-up: a bank method at the till")
        result = self.attempt(
            "pos.order",
            "web_save",
            [order.id],
            {"payment_ids": [[1, payment.id, {"payment_method_id": bank.id}]]},
            specification={"payment_ids": {"fields": {"payment_method_id": {}}}},
        )
        self.env.invalidate_all()
        self.assertEqual(
            payment.payment_method_id,
            bank,
            "stock's Edit Payment of a paid, unprinted order (the cashier fixing "
            "cash to card, web_save of pos.order payment_ids) is refused: "
            f"{getattr(result, 'args', result)}",
        )

    def test_02_ticket_screen_invoice_of_a_paid_order(self):
        """Ticket screen, "Invoice" (`action_pos_order_invoice` on a synced,
        paid order of the open session)."""
        order = self.paid_sale()
        result = self.attempt(
            "pos.order",
            "action_pos_order_invoice",
            [order.id],
            context={"generate_pdf": False},
        )
        self.env.invalidate_all()
        self.assertEqual(
            (order.state, bool(order.account_move)),
            ("invoiced", True),
            "stock's Invoice button of the ticket screen fails for a cashier on a "
            "paid order (its payments get their invoice payment entry, "
            f"pos.payment write account_move_id): {getattr(result, 'args', result)}",
        )


@tagged("post_install", "-at_install")
class TestReview24SessionWrittenClosed(TopUpAttackCase):
    """The step guard counts steps, not how they are taken: `state` written
    `closing_control` then `closed` is two steps of one, and stock's
    closing, which books the session, never runs."""

    def test_01_session_closed_by_two_writes(self):
        sale = self.sync(self.order_data([self.product_line(self.cheap, 1.0)]))
        self.assertIsInstance(sale, int, sale)
        session = self.pos_session
        for state in ("closing_control", "closed"):
            self.attempt("pos.session", "write", [session.id], {"state": state})
        self.env.invalidate_all()
        if session.state != "closed":
            return
        self.assertTrue(
            session.move_id and self.env["pos.order"].browse(sale).state == "done",
            "the cashier wrote the session `closed` (pos.session write "
            "closing_control, then closed): stock's closing never ran, no cash "
            "count, no closing entry, its paid orders left unbooked "
            f"(order {sale}: {self.env['pos.order'].browse(sale).state})",
        )
