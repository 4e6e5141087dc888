# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 46: what the checks read of records a cashier may write.

- E-wallet credit paid with a debt. The points call bounds what a top-up
  earns by what the order "paid" (`loyalty.program._redeem_otp_earn_bound`,
  `policy.earn_bound`: the lines, within `amount_total`), and the sync's
  paid check only asks that the payments match the total. Neither looks at
  how it was paid: a payment of the Customer Account method (stock's
  `pay_later`, `split_transactions`, no journal) is no money, only a debt
  booked on the guest's receivable. Odoo 18 gives every new till that
  method (`pos.config._create_journal_and_payment_methods`: Cash, Card,
  Customer Account; the demo's Front Desk has it), and where a salon took it
  off a till, the cashier links it back: `payment_method_ids` is not among
  the center's guarded fields (`pos_config.GUARDED_FIELDS`), POS users may
  write their center, and stock's refusal while a session is open is lifted
  by a context key the caller sets (`bypass_payment_method_ids_forbidden_change`).
  The cashier sells the accomplice (a contact they may create, with a
  mobile they hold) 100.00 of e-wallet credit "on account": the card gains
  100.00 that nobody paid, which the accomplice then spends on services
  with their own code. A gift card sold so (test_03) is a bearer card:
  anyone spends it, with no code at all. Tests: the cashier links the
  method to their till (test_01); the till already offers it, as Odoo
  sets tills up (test_02, test_03).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import TopUpAttackCase


class Review46Case(TopUpAttackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The company's Customer Account, as Odoo's default till set-up makes
        # it; the second center offers it, the cashier's own does not.
        cls.customer_account = cls.env["pos.payment.method"].create(
            {"name": "Customer Account", "split_transactions": True}
        )
        cls.other_config.with_context(
            bypass_payment_method_ids_forbidden_change=True
        ).payment_method_ids = [Command.link(cls.customer_account.id)]

    def offer_customer_account(self):
        """The cashier links the Customer Account to their own till, with
        stock's own context key for an open session."""
        self.assertNotIn(self.customer_account, self.config.payment_method_ids)
        result = self.attempt(
            "pos.config",
            "write",
            [self.config.id],
            {"payment_method_ids": [Command.link(self.customer_account.id)]},
            context={"bypass_payment_method_ids_forbidden_change": True},
        )
        self.env.invalidate_all()
        return result

    def topup_on_account(self, amount):
        """A top-up of `amount` for the accomplice, paid with the Customer
        Account, synced and credited by the points call. (card gain, how the
        server answered)"""
        card = self.accomplice_card
        start = card.points
        data = self.order_data(
            [self.product_line(self.topup, amount)], partner=self.accomplice
        )
        data["payment_ids"][0][2]["payment_method_id"] = self.customer_account.id
        order = self.sync(data)
        result = None
        if isinstance(order, int):
            result = self.confirm(order, {card.id: self.coupon_vals(card, amount)})
        self.env.invalidate_all()
        return card.points - start, order, result

    def money_received(self):
        """What this test's paid orders took in money (not on account)."""
        self.env.invalidate_all()
        return sum(
            payment.amount
            for order in self.new_orders()
            if order.state in ("paid", "done", "invoiced")
            for payment in order.payment_ids
            if payment.payment_method_id.type != "pay_later"
        )


@tagged("post_install", "-at_install")
class TestReview46CreditOnAccount(Review46Case):
    def test_01_topup_on_a_linked_customer_account(self):
        written = self.offer_customer_account()
        gained, order, result = self.topup_on_account(100.0)
        self.assertLessEqual(
            gained,
            self.money_received() + 1e-6,
            f"{gained:.2f} of e-wallet credit for {self.money_received():.2f} "
            "received: a top-up paid with the Customer Account, which the "
            f"cashier linked to their till (config write: "
            f"{getattr(written, 'args', written)}; sync: "
            f"{getattr(order, 'args', order)}; points call: "
            f"{getattr(result, 'args', result)})",
        )

    def test_02_topup_on_the_tills_customer_account(self):
        # A till as Odoo sets one up: Cash, Card and Customer Account.
        self.config.with_context(
            bypass_payment_method_ids_forbidden_change=True
        ).payment_method_ids = [Command.link(self.customer_account.id)]
        gained, order, result = self.topup_on_account(100.0)
        self.assertLessEqual(
            gained,
            self.money_received() + 1e-6,
            f"{gained:.2f} of e-wallet credit for {self.money_received():.2f} "
            "received: a top-up paid with the till's Customer Account (sync: "
            f"{getattr(order, 'args', order)}; points call: "
            f"{getattr(result, 'args', result)})",
        )

    def test_03_gift_card_on_the_tills_customer_account(self):
        """A bearer gift card sold on account: anyone spends it, no code."""
        self.config.with_context(
            bypass_payment_method_ids_forbidden_change=True
        ).payment_method_ids = [Command.link(self.customer_account.id)]
        product = self.env["product.product"].create(
            {
                "name": "Gift card",
                "available_in_pos": True,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        self.gift_card.rule_ids.product_ids = product
        data = self.order_data(
            [self.product_line(product, 100.0)], partner=self.accomplice
        )
        data["payment_ids"][0][2]["payment_method_id"] = self.customer_account.id
        order = self.sync(data)
        result = None
        if isinstance(order, int):
            result = self.confirm(
                order,
                {
                    -1: {
                        "points": 100.0,
                        "program_id": self.gift_card.id,
                        "coupon_id": -1,
                        "barcode": "ON-ACCOUNT-0001",
                        "line_codes": [],
                        "partner_id": self.accomplice.id,
                    }
                },
            )
        self.env.invalidate_all()
        card = self.env["loyalty.card"].search([("program_id", "=", self.gift_card.id)])
        minted = sum(card.filtered(lambda c: c != self.gift_card_card).mapped("points"))
        self.assertLessEqual(
            minted,
            self.money_received() + 1e-6,
            f"a gift card of {minted:.2f} for {self.money_received():.2f} received, "
            f"sold on the till's Customer Account (sync: "
            f"{getattr(order, 'args', order)}; points call: "
            f"{getattr(result, 'args', result)})",
        )

    def test_04_no_module_installed_from_the_till(self):
        """A `module_*` switch of a center installs that module as the
        superuser: the cashier's write is refused, nothing is installed."""
        module = self.env["ir.module.module"].search([("name", "=", "pos_discount")])
        self.assertEqual(module.state, "uninstalled", "set-up: pos_discount is absent")
        self.pos_session.action_pos_session_closing_control()
        result = self.attempt(
            "pos.config", "write", [self.config.id], {"module_pos_discount": True}
        )
        self.assertTrue(self.refused(result), result)
        self.env.invalidate_all()
        self.assertEqual(module.state, "uninstalled")
