# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A paid order's combo links are what the server accepted at sync.

The points call (`confirm_coupon_programs`) runs after the sync, on an order
already paid, and reads its sales as sold: a combo with its items as one
sale (`pos.order.line._redeem_otp_combos`). A cashier who rewrote the combo
links of the paid lines between the two calls would change what the call
reads. Run as the real POS user over JSON-RPC.
"""

from odoo.tests import tagged

from .attack_common import TopUpAttackCase


@tagged("post_install", "-at_install")
class TestPaidLineLinks(TopUpAttackCase):
    def two_line_order(self, state=None):
        data = self.order_data(
            [self.product_line(self.cheap, 1.0), self.product_line(self.topup, 300.0)],
            partner=self.accomplice,
        )
        if state:
            data.update(state=state, payment_ids=[], amount_paid=0.0)
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        order = self.env["pos.order"].browse(order)
        head, item = order.lines.sorted("price_subtotal_incl")
        return order, head, item

    def test_paid_line_is_not_made_a_combo_item(self):
        order, head, item = self.two_line_order()
        self.assertEqual(order.state, "paid", "set-up: synced paid")
        results = [
            self.attempt(
                "pos.order.line", "write", item.ids, {"combo_parent_id": head.id}
            ),
            self.attempt(
                "pos.order.line", "write", head.ids, {"combo_line_ids": [[4, item.id]]}
            ),
        ]
        self.assertTrue(all(self.refused(result) for result in results), results)
        self.env.invalidate_all()
        self.assertFalse(item.combo_parent_id, "the paid line was made a combo item")
        self.assertFalse(head.combo_line_ids)

    def test_paid_combo_item_is_not_unlinked(self):
        order, head, item = self.two_line_order()
        item.sudo().combo_parent_id = head  # as a sync of a combo saves it
        result = self.attempt(
            "pos.order.line", "write", item.ids, {"combo_parent_id": False}
        )
        self.assertTrue(self.refused(result), result)
        self.env.invalidate_all()
        self.assertEqual(item.combo_parent_id, head)

    def test_a_draft_keeps_its_links_the_cashiers(self):
        """Until it is paid, an order's lines are the till's to change."""
        order, head, item = self.two_line_order(state="draft")
        self.assertEqual(order.state, "draft", "set-up: a draft")
        result = self.attempt(
            "pos.order.line", "write", item.ids, {"combo_parent_id": head.id}
        )
        self.assertFalse(self.refused(result), result)
        self.env.invalidate_all()
        self.assertEqual(item.combo_parent_id, head)
