# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 21: the rules review 18 added, around the order's payments and session.

- "Paid only when its payments match its total" reads the order's
  `amount_paid`, a plain stored field that a cashier writes on a draft
  (it is guarded only once the order is paid). A 300.00 top-up with no
  payment, its `amount_paid` written to 300.00, is then written paid: its
  points call credits 300.00 of e-wallet that nobody paid.
- The payments of a paid order are not guarded: `pos.payment` is fully
  writable by POS users. A top-up synced paid in "cash" and credited has its
  payment deleted afterwards: the credit stays, the session no longer
  expects the cash.
- "A cashier saves orders only into an open session" is checked at the sync
  only. A draft written into a closed session (whose accounts are posted,
  whose cash was counted) and then marked paid credits its top-up there: the
  cash is expected by no session's count. The session's own state is the
  cashier's to write too: a closed session written `opened` passes the
  sync's check, and is written `closed` again after.

Same rules as the other attack tests (tests/attack_common.py): the real POS
user over JSON-RPC; the superuser only sets up and reads the effects.
"""

from odoo import fields
from odoo.tests import tagged

from .test_attacks_review18 import Review18Case


class Review21Case(Review18Case):
    def credit_check(self, card, start, what):
        """The credit `card` gained against what the accomplice's orders of this
        test really were paid (their payments, in sessions still to be counted)."""
        self.env.invalidate_all()
        orders = self.env["pos.order"].search(
            [("partner_id", "=", self.accomplice.id), ("id", ">", self.last_order_id)]
        )
        counted = sum(
            payment.amount
            for payment in orders.payment_ids
            if payment.session_id.state != "closed"
        )
        self.assertLessEqual(
            card.points - start,
            counted + 1e-6,
            f"{what}: {card.points - start:.2f} of credit for {counted:.2f} "
            f"of payments any open session will count "
            f"(orders {[(o.id, o.state, o.session_id.state) for o in orders]})",
        )


@tagged("post_install", "-at_install")
class TestReview21AmountPaidWritten(Review21Case):
    """The paid check trusts `amount_paid`, which the cashier writes on a draft."""

    def test_01_draft_amount_paid_written_then_paid(self):
        card = self.accomplice_card
        start = card.points
        order = self.unpaid_top_up()
        self.attempt("pos.order", "write", [order], {"amount_paid": 300.0})
        self.attempt("pos.order", "write", [order], {"state": "paid"})
        self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.credit_check(card, start, "a top-up with amount_paid written by hand")


@tagged("post_install", "-at_install")
class TestReview21PaymentRemovedAfterPaid(Review21Case):
    """A top-up synced paid in cash and credited; its cash payment then deleted
    (or cut to a cent) over RPC: the session's count no longer expects it."""

    def paid_top_up(self):
        card = self.accomplice_card
        data = self.order_data(
            [self.product_line(self.topup, 300.0)], partner=self.accomplice
        )
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.env.invalidate_all()
        payment = self.env["pos.order"].browse(order).payment_ids
        self.assertEqual(len(payment), 1, "the set-up needs the top-up's payment")
        return payment

    def test_01_payment_deleted(self):
        card = self.accomplice_card
        start = card.points
        payment = self.paid_top_up()
        self.attempt("pos.payment", "unlink", payment.ids)
        self.credit_check(card, start, "a paid top-up whose payment was deleted")

    def test_02_payment_cut_to_a_cent(self):
        card = self.accomplice_card
        start = card.points
        payment = self.paid_top_up()
        self.attempt("pos.payment", "write", payment.ids, {"amount": 0.01})
        self.credit_check(card, start, "a paid top-up whose payment was cut")


@tagged("post_install", "-at_install")
class TestReview21DraftMovedToClosedSession(Review21Case):
    """A draft top-up (its payment synced with it) moved into a closed session
    of the till, then marked paid: credited, in a session whose cash was
    counted and whose accounts were posted."""

    def closed_session(self):
        """Yesterday's session of this very till, closed and counted."""
        return self.env["pos.session"].create(
            {
                "config_id": self.config.id,
                "user_id": self.pos_user.id,
                "state": "closed",
                "stop_at": fields.Datetime.now(),
            }
        )

    def test_01_draft_written_into_a_closed_session(self):
        closed = self.closed_session()
        card = self.accomplice_card
        start = card.points
        data = self.order_data(
            [self.product_line(self.topup, 300.0)], partner=self.accomplice
        )
        data["state"] = "draft"
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.attempt("pos.order", "write", [order], {"session_id": closed.id})
        self.attempt("pos.order", "write", [order], {"state": "paid"})
        self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.credit_check(card, start, "a top-up paid into a closed session")

    def test_02_closed_session_reopened_for_one_sync(self):
        """pos.session is writable by POS users: the closed session is written
        `opened` for the sync's check, the top-up synced into it, and the
        session written `closed` again."""
        closed = self.closed_session()
        card = self.accomplice_card
        start = card.points
        self.attempt("pos.session", "write", closed.ids, {"state": "opened"})
        data = self.order_data(
            [self.product_line(self.topup, 300.0)],
            partner=self.accomplice,
            session=closed,
        )
        order = self.sync(data)
        self.attempt("pos.session", "write", closed.ids, {"state": "closed"})
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.credit_check(card, start, "a top-up synced into a reopened session")
