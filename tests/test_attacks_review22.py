# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 22: the POS's own sync payload as a weapon."""

from odoo.tests import tagged

from .attack_common import TopUpAttackCase


@tagged("post_install", "-at_install")
class TestSameCallLineCommands(TopUpAttackCase):
    """`sync_from_ui` refuses line commands naming another order's lines, but
    it checks every order of the call before any is saved: a line that an
    earlier order of the same call creates does not exist yet, so it is not
    "another order's line" when checked, and the later order's command
    rewrites it once that earlier order is saved, paid and checked."""

    def next_line_id(self):
        """The id the next order line will get, as a cashier learns it: save a
        draft of one line and read that line's id back (ids are a sequence)."""
        draft = self.order_data(
            [self.product_line(self.cheap, 1.0)], partner=self.accomplice, state="draft"
        )
        result = self.call_kw("pos.order", "sync_from_ui", [draft])
        return result["pos.order.line"][0]["id"] + 1

    def test_01_a_line_sold_in_the_same_call_rewritten_then_refunded_to_ewallet(self):
        card = self.accomplice_card
        start = card.points
        line_id = self.next_line_id()
        sold = self.order_data(
            [self.product_line(self.cheap, 1.0)], partner=self.accomplice
        )
        rewriter = self.order_data(
            [self.product_line(self.cheap, 1.0)], partner=self.accomplice
        )
        prices = ("price_unit", "price_subtotal", "price_subtotal_incl")
        rewriter["lines"].append([1, line_id, dict.fromkeys(prices, 1000.0)])
        self.attempt("pos.order", "sync_from_ui", [sold, rewriter])
        self.env.invalidate_all()
        line = self.env["pos.order.line"].sudo().browse(line_id)
        if not line.exists() or line.order_id.state != "paid":
            return  # the call was refused: nothing to exploit
        lines = [
            self.refund_line(self.cheap, 1000.0, refunded=line),
            self.product_line(self.topup, 1000.0),
        ]
        self.sync_and_confirm(
            self.order_data(lines, partner=self.accomplice), card, 1000.0
        )
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            start + 1.0 + 1e-6,
            f"a 1.00 sale, its line rewritten to {line.price_subtotal_incl:.2f} by "
            f"a second order of the same sync_from_ui call, refunded as "
            f"{card.points - start:.2f} of e-wallet credit",
        )


@tagged("post_install", "-at_install")
class TestAnotherOrdersPaymentPaysTheTopUp(TopUpAttackCase):
    """A paid order's payments are as much what the server checked as its
    lines: the sync refuses line commands naming another order's lines, but
    not payment commands, and POS users may write `pos.payment`. A link
    (4, id) of a guest's cash payment moves it onto the accomplice's top-up:
    the top-up is "paid", the guest's order keeps its stored amount_paid with
    no payment behind it, and the drawer holds the one payment both orders
    claim: no shortage at closing gives it away."""

    def guest_paid_order(self):
        """A real guest's 200.00 service, paid in cash."""
        sale = self.sync_ok(self.order_data([self.product_line()], partner=self.guest))
        self.assertEqual(len(sale.payment_ids), 1)
        return sale

    def session_money(self):
        self.env.invalidate_all()
        return sum(self.pos_session.sudo().order_ids.payment_ids.mapped("amount"))

    def assertNoCreditWithoutMoney(self, card, start, money_before, sale):
        self.env.invalidate_all()
        gained = card.points - start
        new_money = self.session_money() - money_before
        self.assertLessEqual(
            gained,
            new_money + 1e-6,
            f"the accomplice's e-wallet gained {gained:.2f} while the session's "
            f"payments grew by {new_money:.2f} (order {sale.name} has "
            f"{len(sale.payment_ids)} payment(s) for an amount_paid of "
            f"{sale.amount_paid:.2f})",
        )

    def test_01_sync_links_a_paid_orders_payment_to_a_topup(self):
        sale = self.guest_paid_order()
        card = self.accomplice_card
        start, money = card.points, self.session_money()
        payment = sale.payment_ids
        data = self.order_data(
            [self.product_line(self.topup, 200.0)], partner=self.accomplice
        )
        data["payment_ids"] = [[4, payment.id]]
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 200.0)})
        self.assertNoCreditWithoutMoney(card, start, money, sale)

    def test_02_a_draft_topup_given_an_amount_paid_then_made_paid(self):
        card = self.accomplice_card
        start, money = card.points, self.session_money()
        data = self.order_data(
            [self.product_line(self.topup, 200.0)], partner=self.accomplice
        )
        data["payment_ids"] = []
        data["amount_paid"] = 0.0
        data["state"] = "draft"
        draft = self.sync(data)
        self.assertIsInstance(draft, int, draft)
        # Review 18's fix judges "paid" by the stored amount_paid, which a
        # cashier writes on a draft as on any field stock leaves open.
        self.attempt("pos.order", "write", [draft], {"amount_paid": 200.0})
        self.attempt("pos.order", "action_pos_order_paid", [draft])
        self.confirm(draft, {card.id: self.coupon_vals(card, 200.0)})
        order = self.env["pos.order"].browse(draft)
        self.assertNoCreditWithoutMoney(card, start, money, order)
