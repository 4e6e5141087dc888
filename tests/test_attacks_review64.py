# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 64 (adversarial): refunds, sessions and the back office.

Same harness as the attack tests (tests/attack_common.py): the cashier (the
POS user, group_pos_user) over JSON-RPC; only the set-up uses the superuser.

- Hole (low), fixed: a closed session's counted cash rewritten after its
  closing (test_02).
- Held: see the tests marked "Held".
"""

from odoo.tests import tagged

from .attack_common import TopUpAttackCase


@tagged("post_install", "-at_install")
class TestReview64Sessions(TopUpAttackCase):
    """The main center's session (cash control), closed by stock's closing
    with no orders."""

    def closed_session(self):
        session = self.pos_session
        session.action_pos_session_closing_control()
        self.env.invalidate_all()
        self.assertEqual(session.state, "closed", "set-up: the session is closed")
        self.assertTrue(session.cash_journal_id, "set-up: the session counts cash")
        return session

    def test_01_cash_out_of_a_closed_session(self):
        """Held: stock's `pos.session.try_cash_in_out` checks no state, so
        a cashier could book 500.00 taken from today's drawer as a cash out
        of a session already closed and counted. It is refused all the same:
        the cashier has no right to create cash statement lines (stock's
        access rights; the till's `_has_cash_move_perm` is False), and no
        line is made."""
        session = self.closed_session()
        before = len(session.sudo().statement_line_ids)
        result = self.attempt(
            "pos.session",
            "try_cash_in_out",
            [session.id],
            "out",
            500.0,
            "Supplies",
            {"translatedType": "out", "formattedAmount": "500.00"},
        )
        self.env.invalidate_all()
        self.assertTrue(self.refused(result), result)
        lines = session.sudo().statement_line_ids
        self.assertEqual(
            len(lines),
            before,
            f"the cashier booked {sum(lines[before:].mapped('amount')):.2f} of "
            f"cash out in the closed session {session.name} (try_cash_in_out "
            f"answered {getattr(result, 'args', result)!r})",
        )

    def test_02_counted_cash_of_a_closed_session_rewritten(self):
        """Hole (low): the session write guard checks the state, the center,
        the cashier and the rescue flag, not the closing's figures. The
        cashier rewrites a closed session's counted cash
        (`cash_register_balance_end_real`) over RPC: the
        session's recorded count and difference now say what the cashier
        wants, after the manager's review of the closing."""
        session = self.closed_session()
        counted = session.cash_register_balance_end_real
        self.attempt(
            "pos.session",
            "write",
            [session.id],
            {"cash_register_balance_end_real": counted + 500.0},
        )
        self.env.invalidate_all()
        self.assertEqual(
            session.cash_register_balance_end_real,
            counted,
            "the cashier rewrote the counted cash of a closed session",
        )

    def test_03_orders_moved_by_the_sessions_order_list(self):
        """Held: the cashier writes another session's paid order into their
        own through the session's one2many (`order_ids`: (4, id)): the ORM
        writes the order's session_id, which pos.order refuses to a cashier."""
        sale = self.sync(
            self.order_data(
                [self.product_line(self.cheap, 1.0)], config=self.other_config
            )
        )
        self.assertIsInstance(sale, int, sale)
        result = self.attempt(
            "pos.session", "write", [self.pos_session.id], {"order_ids": [[4, sale]]}
        )
        self.env.invalidate_all()
        self.assertTrue(self.refused(result), result)
        self.assertEqual(
            self.env["pos.order"].browse(sale).session_id, self.other_session
        )

    def test_04_load_data_names_no_code(self):
        """Held: the till's `load_data` of the cashier's session loads no
        authorization (the model's domain is False), so no code, hash or
        other guest's request reaches the browser; the center's override
        hash is no field the till may read."""
        self.set_override_code()
        self.verified_code(self.new_uuid(), self.spend(40.0))
        result = self.attempt(
            "pos.session",
            "load_data",
            [self.pos_session.id],
            ["salon.otp.challenge", "pos.config"],
        )
        self.assertNotIsInstance(result, Exception, result)
        self.assertFalse(result["salon.otp.challenge"]["data"])
        for config in result["pos.config"]["data"]:
            self.assertNotIn("redeem_otp_override_hash", config)


@tagged("post_install", "-at_install")
class TestReview64Refunds(TopUpAttackCase):
    """Credit-paid sales refunded by the back office and refunds refunded."""

    def test_05_back_office_refund_of_a_credit_paid_sale_in_cash(self):
        """Held: the guest paid a 200.00 service with 100.00 of e-wallet and
        their code. The cashier makes stock's back-office refund (Return
        Products), deletes its reward line from the draft, and pays the
        -200.00 in cash with stock's payment wizard: refused (100.00 of
        the refund was credit), the card and drawer as they were."""
        card = self.ewallet_card
        sale = self.coded_spend(card, 100.0, self.guest)
        self.assertIsInstance(sale, int, sale)
        self.confirm(sale, {card.id: self.coupon_vals(card, -100.0)})
        self.env.invalidate_all()
        before = self.snapshot()
        action = self.attempt("pos.order", "refund", [sale])
        self.assertIsInstance(action, dict, action)
        refund = self.env["pos.order"].browse(action["res_id"])
        reward = refund.lines.filtered("reward_id")
        self.assertTrue(reward, "set-up: the refund copies the reward line")
        self.attempt("pos.order.line", "unlink", reward.ids)
        context = {"active_id": refund.id, "active_ids": refund.ids}
        wizard = self.attempt("pos.make.payment", "create", [{}], context=context)
        if isinstance(wizard, list):
            self.attempt("pos.make.payment", "check", wizard, context=context)
        self.env.invalidate_all()
        self.assertNotIn(refund.state, ("paid", "done", "invoiced"), refund.state)
        self.assertNothingLost(before)

    def test_06_refund_of_a_refund(self):
        """Held: a refund line refunding a line of a paid refund (quantity
        +1 of a -1 line, the goods sold again at the refund's price) is
        refused: only what was sold is refunded."""
        sale = self.sync(
            self.order_data([self.product_line(self.cheap, 1.0)], partner=self.guest)
        )
        self.assertIsInstance(sale, int, sale)
        line = self.env["pos.order"].browse(sale).lines
        data = self.order_data([self.refund_line(self.cheap, 1.0, refunded=line)])
        refund = self.sync(data)
        self.assertIsInstance(refund, int, refund)
        refund_line = self.env["pos.order"].browse(refund).lines
        again = self.product_line(self.cheap, -1.0, qty=1)
        again[2]["refunded_orderline_id"] = refund_line.id
        again[2]["price_subtotal"] = again[2]["price_subtotal_incl"] = -1.0
        result = self.sync(self.order_data([again]))
        self.assertTrue(self.refused(result), result)
