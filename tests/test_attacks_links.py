# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two of a center's figures a cashier could write with stock's rights.

- A payment's journal entry (`pos.payment.account_move_id`): stock's invoice
  at the till books a paid order's payments on entries it has just made. A
  cashier linked a payment with no entry to any existing `account.move`, so
  the session's books read that payment as booked.
- The center's cash rounding (`pos.config` `cash_rounding`,
  `rounding_method`): stock lets POS users write their center; the paid
  check allows one rounding unit of slack where the center rounds cash, so
  a cashier widened it for themselves.

Every attack is made as the POS user over JSON-RPC; the tests assert the
effect. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .attack_common import TopUpAttackCase


@tagged("post_install", "-at_install")
class TestCashierLinksAndRounding(TopUpAttackCase):
    def test_01_payment_linked_to_an_existing_entry(self):
        order = self.sync(self.order_data([self.product_line(self.cheap, 1.0)]))
        self.assertIsInstance(order, int, order)
        payment = self.env["pos.order"].browse(order).payment_ids
        self.assertFalse(payment.account_move_id, "set-up: a payment not booked")
        entry = self.env["account.move"].create({"move_type": "entry"})
        result = self.attempt(
            "pos.payment", "write", payment.ids, {"account_move_id": entry.id}
        )
        self.env.invalidate_all()
        self.assertFalse(
            payment.account_move_id,
            f"a cashier booked a payment on an entry of their choice ({result!r})",
        )

    def test_02_center_cash_rounding(self):
        rounding = self.env["account.cash.rounding"].create(
            {"name": "To 5.00", "rounding": 5.0, "rounding_method": "HALF-UP"}
        )
        self.assertFalse(self.config.cash_rounding, "set-up: no cash rounding")
        result = self.attempt(
            "pos.config",
            "write",
            self.config.ids,
            {"cash_rounding": True, "rounding_method": rounding.id},
        )
        self.env.invalidate_all()
        self.assertEqual(
            (self.config.cash_rounding, self.config.rounding_method),
            (False, self.env["account.cash.rounding"]),
            f"a cashier set their center's cash rounding ({result!r})",
        )
