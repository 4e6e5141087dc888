# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a thirty-ninth review found: a membership invoiced at its price
while the order that invoices it took no money.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .test_attacks_review10 import Review10Case


@tagged("post_install", "-at_install")
class TestReview39CashBackPaysTheInvoice(Review10Case):
    """`_redeem_otp_check_membership_paid` reads the invoice: its lines are
    priced from the order lines' unit prices (100.00), while the order's
    total and its payments follow the amounts the POS sends (the line's
    `price_subtotal_incl` of 0.00, a total of 0.00). Paid 100.00 by card
    and 100.00 given back in cash (the POS's change), the order comes to
    0.00; stock reconciles the invoice of 100.00 with the card payment
    alone, and the invoice is paid. The session balances (card +100.00,
    cash -100.00): the accomplice leaves with their 100.00 and a paid
    membership."""

    def test_01_cash_back_pays_the_membership(self):
        line = self.product_line(self.membership, 100.0)
        line[2]["price_subtotal"] = line[2]["price_subtotal_incl"] = 0.0
        data = self.order_data([line], partner=self.accomplice)
        data["to_invoice"] = True
        methods = self.config.payment_method_ids
        cash = methods.filtered("is_cash_count")[:1]
        card = methods.filtered(lambda m: m.type == "bank")[:1]
        now = data["date_order"]
        data["payment_ids"] = [
            [0, 0, {"amount": 100.0, "name": now, "payment_method_id": card.id}],
            [
                0,
                0,
                {
                    "amount": -100.0,
                    "name": now,
                    "payment_method_id": cash.id,
                    "is_change": True,
                },
            ],
        ]
        data["amount_paid"] = 0.0
        outcome = self.membership_sold_then_spent(data)
        self.assertNotAMemberFor(outcome, "100.00 by card, 100.00 back in cash")
