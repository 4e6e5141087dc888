# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 59 (adversarial): who counts as a member; balances moved through
stock's wizards and write-through fields.

- A membership of another company opens this salon's members-only
  benefits. `res.partner._redeem_otp_is_member(company)` reads the guest's
  stored `membership_state` and any membership line running on the salon's
  today, never the line's company (`membership.membership_line.company_id`,
  stock's stored copy of its invoice's company). A guest who is a member of
  a sister company only (another salon of the group, a gym sharing the
  database) spends the salon's members-only balance: below *No code below*
  the cashier alone (test_01), above it with the guest's own code (test_02).
- A membership paid with a debt. See TestReview59MembershipOnAccount.

Both fixed: only lines of the salon's company (its parents, or none) count,
and what is put on account pays no membership.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser (and, to date a membership line's
company, one SQL statement).
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review10 import Review10Case


class MemberOfCase(Review10Case):
    """The accomplice bought the salon's membership (the manager's sale,
    invoiced and paid), and holds 100.00 of a members-only e-wallet."""

    def sell_membership(self):
        data = self.order_data(
            [self.product_line(self.membership, 100.0)], partner=self.accomplice
        )
        data["to_invoice"] = True
        with self.as_manager():
            self.assertIsInstance(self.sync(data), int)
        self.env.invalidate_all()
        self.assertEqual(self.accomplice.membership_state, "paid", "set-up: member")

    def benefit(self):
        self.benefits = self._program(
            "Members' treatments",
            "ewallet",
            redeem_otp_membership_only=True,
            company_id=self.company.id,
        )
        self.benefit_card = self.env["loyalty.card"].create(
            {
                "program_id": self.benefits.id,
                "partner_id": self.accomplice.id,
                "points": 100.0,
            }
        )

    def assertBenefitKept(self, before, why):
        self.env.invalidate_all()
        self.assertAlmostEqual(
            self.benefit_card.points,
            100.0,
            msg=f"{why}: {100.0 - self.benefit_card.points:.2f} of a members-only "
            f"benefit spent (stored state {self.accomplice.membership_state})",
        )
        self.assertNothingLost(before, allow_decision=True)


@tagged("post_install", "-at_install")
class TestReview59MembershipOfAnotherCompany(MemberOfCase):
    """`_redeem_otp_is_member` reads membership lines of any company: a
    guest who is a member of another company only is a member here."""

    def setUp(self):
        super().setUp()
        self.sell_membership()
        # The membership is the sister company's: its line's company is
        # stock's stored copy of its invoice's company.
        self.sister = self.env["res.company"].create({"name": "Gym across town"})
        self.env.cr.execute(
            "UPDATE membership_membership_line SET company_id = %s WHERE partner = %s",
            [self.sister.id, self.accomplice.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self.accomplice.member_lines.company_id, self.sister, "set-up")
        self.benefit()

    def test_01_other_companys_member_below_minimum_no_code(self):
        """Below *No code below* (50.00), the cashier alone spends 20.00 of
        the salon's members-only e-wallet of a guest who is a member of the
        sister company only: the card loses 20.00."""
        self.company.redeem_otp_min_amount = 50.0
        before = self.snapshot()
        self.sync_and_confirm(
            self.order_data(
                self.spending_lines(self.benefit_card, 20.0), partner=self.accomplice
            ),
            self.benefit_card,
            -20.0,
        )
        self.assertBenefitKept(before, "a member of another company only, no code")

    def test_02_other_companys_member_with_the_guests_code(self):
        """With the guest's own code: 60.00 of the salon's members-only
        balance spent by a guest who is not the salon's member."""
        before = self.snapshot()
        self.spend_if_coded(self.benefit_card, 60.0, partner=self.accomplice)
        self.assertBenefitKept(before, "a member of another company only, coded")


@tagged("post_install", "-at_install")
class TestReview59MembershipOnAccount(MemberOfCase):
    """A membership sold on the Customer Account (stock's `pay_later`, a
    debt, review 46) is not paid: its invoice stays unpaid and the guest no
    member (held, test_03). But the sale check of a membership
    (`pos.order._redeem_otp_check_membership_paid`) counts every payment as
    money, the Customer Account included, and stock's invoicing
    (`_apply_invoice_payments`) reconciles the invoice with the first money
    payment it finds: 100.00 in cash, a cash payment of -100.00 and 100.00
    on account come to the total, the invoice reads paid, the accomplice is
    a paying member for no money, and spends the members-only benefit with
    their own code (test_07)."""

    def setUp(self):
        super().setUp()
        self.customer_account = self.env["pos.payment.method"].create(
            {"name": "Customer Account", "split_transactions": True}
        )
        self.config.with_context(
            bypass_payment_method_ids_forbidden_change=True
        ).payment_method_ids = [Command.link(self.customer_account.id)]

    def on_account_sale(self, cash=0.0):
        """The membership for the accomplice, invoiced, 100.00 on account;
        `cash` handed over and back as change (None: 100.00 in cash and a
        payment of -100.00)."""
        data = self.order_data(
            [self.product_line(self.membership, 100.0)], partner=self.accomplice
        )
        data["to_invoice"] = True
        account = dict(data["payment_ids"][0][2])
        account.update(amount=100.0, payment_method_id=self.customer_account.id)
        if cash:
            data["payment_ids"][0][2]["amount"] = cash
            data["payment_ids"].append([0, 0, account])
            data["amount_paid"] = cash + 100.0
            data["amount_return"] = cash
        elif cash is None:
            # The same with a negative cash line instead of stock's change.
            back = dict(data["payment_ids"][0][2], amount=-100.0)
            data["payment_ids"].append([0, 0, back])
            data["payment_ids"].append([0, 0, account])
        else:
            data["payment_ids"] = [[0, 0, account]]
        return data

    def money_received(self):
        self.env.invalidate_all()
        return sum(
            payment.amount
            for order in self.new_orders()
            if order.state in ("paid", "done", "invoiced")
            for payment in order.payment_ids
            if payment.payment_method_id.type != "pay_later"
        )

    def sold_then_spent(self, data):
        """The sale synced by the cashier, then 60.00 of the members-only
        e-wallet spent with the accomplice's own code when one is sent:
        (the sale's answer, the membership state after it, money received,
        what the benefit card lost)."""
        self.benefit()
        self.assertNotIn(self.accomplice.membership_state, ("paid", "free"))
        sale = self.sync(data)
        self.env.invalidate_all()
        state = self.accomplice.membership_state
        received = self.money_received()
        if isinstance(sale, int):
            self.spend_if_coded(self.benefit_card, 60.0, partner=self.accomplice)
        self.env.invalidate_all()
        return sale, state, received, 100.0 - self.benefit_card.points

    def assertNoMembershipForADebt(self, outcome, why):
        sale, state, received, lost = outcome
        self.assertFalse(
            received < 100.0
            and isinstance(sale, int)
            and (state in ("paid", "free") or lost > 0),
            f"{why}: a 100.00 membership sold for {received:.2f} of money "
            f"(state {state}), {lost:.2f} of a members-only benefit spent "
            f"(sale: {getattr(sale, 'args', sale)})",
        )

    def test_03_held_membership_on_account_is_no_membership(self):
        """Held: all of it on account; the invoice stays unpaid, no member."""
        outcome = self.sold_then_spent(self.on_account_sale())
        self.assertNoMembershipForADebt(outcome, "on account")

    def test_04_held_membership_on_account_with_change(self):
        """Held: 200.00 in cash handed over and handed back as stock's change
        (`amount_return`), 100.00 on account: stock's invoicing refuses to
        reconcile the change with the invoice, the sync is rolled back."""
        outcome = self.sold_then_spent(self.on_account_sale(cash=200.0))
        self.assertNoMembershipForADebt(outcome, "on account, cash given back")

    def test_07_membership_on_account_with_cash_back(self):
        """100.00 in cash and a cash payment of -100.00, 100.00 on account."""
        outcome = self.sold_then_spent(self.on_account_sale(cash=None))
        self.assertNoMembershipForADebt(outcome, "on account, -100.00 in cash")


@tagged("post_install", "-at_install")
class TestReview59HeldWizardsAndWriteThrough(Review10Case):
    """Held: stock's balance wizard and the lot lines' write-through fields."""

    def test_05_held_update_balance_wizard(self):
        """Held: pos_loyalty gives POS users create and write on
        `loyalty.card.update.balance`; its `old_balance` is a related field
        and `action_update_card_point` writes the card's points and a
        history row. The guest's loyalty card stays as it was."""
        card = self.loyalty_card
        self.env.invalidate_all()
        start = card.points
        before = self.snapshot()
        wizard = self.attempt(
            "loyalty.card.update.balance",
            "create",
            {"card_id": card.id, "new_balance": 0.0, "description": "fix"},
        )
        if isinstance(wizard, int):
            self.attempt(
                "loyalty.card.update.balance", "action_update_card_point", [wizard]
            )
        created = self.attempt(
            "loyalty.card.update.balance",
            "create",
            {
                "card_id": card.id,
                "old_balance": start + 500.0,
                "new_balance": 1.0,
                "description": "fix",
            },
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start, msg=f"wizard: {created}")
        self.assertNothingLost(before)

    def test_06_held_lot_moves_a_paid_line(self):
        """Held: `pos.pack.operation.lot.order_id` is a writable related
        field (`pos_order_line_id.order_id`): written by a cashier, it would
        move a paid order's reward line into a draft, where the sale check
        no longer sees it."""
        card = self.ewallet_card
        self.company.redeem_otp_min_amount = 50.0
        paid = self.sync(self.order_data(self.spending_lines(card, 30.0)))
        self.assertIsInstance(paid, int, paid)
        self.confirm(paid, {card.id: self.coupon_vals(card, -30.0)})
        draft = self.sync(self.order_data([self.product_line()], state="draft"))
        self.assertIsInstance(draft, int, draft)
        order = self.env["pos.order"].browse(paid)
        lines = order.lines.ids
        reward = order.lines.filtered("reward_id")[:1]
        lot = self.attempt(
            "pos.pack.operation.lot",
            "create",
            {"pos_order_line_id": reward.id, "lot_name": "x"},
        )
        if isinstance(lot, int):
            self.attempt("pos.pack.operation.lot", "write", [lot], {"order_id": draft})
        self.env.invalidate_all()
        self.assertEqual(order.lines.ids, lines, f"lot: {lot}")
