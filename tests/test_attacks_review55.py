# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 55 (adversarial): an order saved paid by the sync with nothing paid.

- `pos.order.sync_from_ui` passes the payload's `state` to stock's
  `_process_order`, which creates the order (or writes an existing draft)
  with it: a payload of `"state": "paid"` (or "done", "invoiced") makes the
  order paid at its INSERT. Stock then calls `action_pos_order_paid`, whose
  "Order ... is not fully paid." is swallowed by `_process_saved_order`
  (`except Exception: _logger.error`), so the order stays paid with no
  payment at all. The addon's sync check (`_redeem_otp_enforce_one`,
  `_redeem_otp_check_total`) compares the lines with `amount_total`, not the
  payments with the total; its paid check (`_redeem_otp_check_paid`) runs
  only for a cashier's own create or write, never under the sync's trusted
  mark. `confirm_coupon_programs` then sees a paid order: a 300.00 e-wallet
  top-up with no payment credits the accomplice's e-wallet with 300.00,
  which the accomplice spends with their own code (test_01, per state;
  test_02 the same through an earlier draft of the order). The sync now
  checks a cashier's order paid from the payload as a plain write is
  checked: its payments match its total.
- A cashier's `nb_print` set back to 0 reopened a printed order to stock's
  Edit Payment (test_03); a paid order's seller, receipt number and uuid
  were a cashier's to rewrite (test_04).
- The order's other lists (pickings, messages, followers) took any command
  in the sync, as the server: a set command moved another, paid order's
  delivery into the new order (test_05). They may now only name what the
  order has already, as stock's till sends them (test_06).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .test_attacks_review21 import Review21Case


@tagged("post_install", "-at_install")
class TestReview55(Review21Case):
    def unpaid_top_up(self, state, uuid=None):
        data = self.order_data(
            [self.product_line(self.topup, 300.0)], partner=self.accomplice
        )
        data.update(state=state, payment_ids=[], amount_paid=0.0)
        if uuid:
            data["uuid"] = uuid
        return data

    def assertNotCredited(self, order, card, start):
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.env.invalidate_all()
        saved = self.env["pos.order"].browse(order) if isinstance(order, int) else None
        self.assertEqual(
            card.points,
            start,
            f"a 300.00 top-up synced as {saved and saved.state} with no payment "
            f"(paid {saved and sum(saved.payment_ids.mapped('amount'))}) credited "
            f"the accomplice's e-wallet with {card.points - start:.2f}",
        )
        if saved:
            self.assertNotIn(
                saved.state,
                ("paid", "done", "invoiced"),
                "an order with no payment was saved paid",
            )

    def test_01_payload_state_paid_with_no_payment(self):
        card = self.accomplice_card
        for state in ("paid", "done", "invoiced"):
            with self.subTest(state=state):
                start = card.points
                order = self.sync(self.unpaid_top_up(state))
                self.assertNotCredited(order, card, start)

    def test_02_draft_then_synced_paid_with_no_payment(self):
        card = self.accomplice_card
        start = card.points
        draft = self.unpaid_top_up("draft")
        first = self.sync(draft)
        self.assertIsInstance(first, int, first)
        order = self.sync(self.unpaid_top_up("paid", uuid=draft["uuid"]))
        # (Held: the update of the draft to paid is refused.)
        self.assertTrue(self.refused(order) or order == first, order)
        self.assertNotCredited(first, card, start)


@tagged("post_install", "-at_install")
class TestReview55PaidOrderFields(Review21Case):
    """Fields of a paid order outside `PAID_ORDER_FIELDS` that a cashier's
    plain `write` still changes."""

    def test_03_printed_order_reopened_for_edit_payment(self):
        """README: Edit Payment changes the method of a paid, *unprinted*
        order. `nb_print` is the cashier's to write: reset to 0, the printed
        receipt's payment takes another method."""
        sale = self.paid_top_up()
        sale.nb_print = 1  # the receipt was printed
        payment = sale.payment_ids[:1]
        method = payment.payment_method_id
        other = self.config.payment_method_ids.filtered(
            lambda m: m != payment.payment_method_id and m.type != "pay_later"
        )[:1]
        self.assertTrue(other, "set-up: a second method at the till")
        self.attempt("pos.order", "write", sale.ids, {"nb_print": 0})
        self.attempt(
            "pos.order",
            "write",
            sale.ids,
            {"payment_ids": [[1, payment.id, {"payment_method_id": other.id}]]},
        )
        self.env.invalidate_all()
        self.assertEqual(
            payment.payment_method_id,
            method,
            f"the printed order's payment was moved from {method.name} to "
            f"{payment.payment_method_id.name} after the cashier reset its print "
            f"count (nb_print now {sale.nb_print})",
        )

    def test_04_paid_order_cashier_and_receipt_rewritten(self):
        """The audit trail of a paid order: who sold it, its receipt number,
        its uuid (the order a code was bound to) and its invoice link."""
        sale = self.paid_top_up()
        before = (sale.user_id, sale.pos_reference, sale.uuid, sale.account_move)
        other = self.paid_top_up(price=10.0)
        results = [
            self.attempt(
                "pos.order", "write", sale.ids, {"user_id": self.pos_user2.id}
            ),
            self.attempt(
                "pos.order", "write", sale.ids, {"pos_reference": other.pos_reference}
            ),
            self.attempt("pos.order", "write", sale.ids, {"uuid": other.uuid}),
        ]
        self.env.invalidate_all()
        self.assertEqual(
            (sale.user_id, sale.pos_reference, sale.uuid, sale.account_move),
            before,
            f"a cashier rewrote a paid order's cashier / receipt number / uuid ({results})",
        )


@tagged("post_install", "-at_install")
class TestReview55OrderLists(Review21Case):
    def test_05_sync_moves_another_paid_order_picking(self):
        """Order-level list commands other than lines and payments are not
        checked (`payloads.order_numbers` validates `lines`/`payment_ids`
        only; `written_through` looks into new and updated rows only): a
        set command moves another, paid order's delivery into the new one."""
        sale = self.paid_top_up()
        pickings = sale.picking_ids
        self.assertTrue(pickings, "set-up: the paid order has its picking")
        data = self.order_data([self.product_line()], partner=self.accomplice)
        data["picking_ids"] = [[6, 0, pickings.ids]]
        result = self.sync(data)
        self.env.invalidate_all()
        self.assertEqual(
            sale.picking_ids,
            pickings,
            f"a sync ({result}) moved the paid order {sale.name}'s picking",
        )

    def test_06_a_loaded_draft_sends_its_own_links(self):
        """Stock's till sends an order it loaded with links to its own
        messages: that draft still syncs."""
        data = self.order_data([self.product_line()], partner=self.accomplice)
        data.update(state="draft", payment_ids=[], amount_paid=0.0)
        first = self.sync(dict(data))
        self.assertIsInstance(first, int, first)
        draft = self.env["pos.order"].browse(first)
        draft.message_post(body="Kept for later")
        data["message_ids"] = [[4, message.id] for message in draft.message_ids]
        self.assertTrue(data["message_ids"])
        again = self.sync(data)
        self.assertEqual(again, first)
