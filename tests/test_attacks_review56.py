# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 56 (adversarial): orders made "paid" with no money.

- A cancelled order is not a draft, and `pos.order._redeem_otp_guard_paid`
  lets a cashier write any non-draft order `done` or `invoiced` (meant for
  stock's session closing and invoicing of paid orders), while its payments
  check (`_redeem_otp_check_paid`) runs on drafts only. A 300.00 e-wallet
  top-up synced as a draft with no payment, cancelled
  (`action_pos_order_cancel`, or synced `"state": "cancel"` at once: the
  sync's check skips cancelled orders), then written `done` or `invoiced`
  (or invoiced by stock's `action_pos_order_invoice`, which never looks at
  the state) is "paid": its points call credits the accomplice 300.00 that
  nobody paid (test_01 to test_04).
- Stock's invoice request of a receipt, `/pos/ticket/validate` (auth public;
  the order is found by its `access_token`, which the till itself sends in
  the sync payload), invoices the order under sudo() as the public user.
  Every paid check of the addon asks `_redeem_otp_is_cashier()` of the real
  user, and the public user is none: an unpaid draft top-up is made
  `invoiced` by an anonymous POST, then credited by the cashier's points
  call (TestReview56PublicInvoiceRequest.test_01). The code rule itself
  holds there (test_02, held: `_redeem_otp_enforce` runs for any user).
- pos_online_payment (auto-installed) lets a payment of an online method
  be created with no accounting payment when the key is left out
  (`pos.payment.create` checks `online_account_payment_id` only when given),
  and lets online methods past the "method of the session's center" check.
  The addon's paid check counts every payment but the customer account as
  money: a top-up "paid online" in the sync, with no transaction behind it
  and at a center that does not even offer online payment, is credited
  300.00 (TestReview56OnlinePaymentWithoutTransaction.test_01).

The fixes: an order moving into a paid state from any other passes the
payments check whoever asks but a Point of Sale manager (`pos.order.write`,
and the sync's check of an order it saves paid); a cashier moves a
cancelled order nowhere; a payment of an online method needs its
accounting payment, whoever makes or changes it
(`pos.payment._redeem_otp_check_online_backed`). The last class shows
stock's invoicing of paid orders, at the till and from the receipt, and an
online payment the server records, unchanged.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC (and, for the public route, an anonymous browser), and
each test asserts what the guest or the salon would lose. Only the set-up
uses the superuser.
"""

import re

import requests

from odoo.tests import tagged

from .test_attacks_review21 import Review21Case


def public_invoice_request(case, access_token):
    """What anyone does with the receipt's QR code, not logged in."""
    browser = requests.Session()
    url = f"{case.base_url()}/pos/ticket/validate?access_token={access_token}"
    page = browser.get(url, timeout=60)
    case.assertEqual(page.status_code, 200, page.text[:300])
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    case.assertTrue(token, "set-up: the form's CSRF token")
    return browser.post(
        url,
        data={
            "csrf_token": token.group(1),
            "name": "Alex Accomplice",
            "phone": "+33698765432",
            "email": "alex.accomplice@example.com",
            "street": "1 rue de la Paix",
            "city": "Paris",
            "country_id": str(case.env.ref("base.fr").id),
        },
        timeout=120,
        allow_redirects=False,
    )


@tagged("post_install", "-at_install")
class TestReview56CancelledThenDone(Review21Case):
    """A cancelled order is "not a draft": a cashier may write it `done` or
    `invoiced` (`pos.order._redeem_otp_guard_paid` lets every non-draft order
    go to those two states, as stock's session closing and invoicing do), and
    the payments check (`_redeem_otp_check_paid`) runs on drafts only."""

    def cancelled_top_up(self, how="action"):
        if how == "sync":
            order = self.sync(self.unpaid_top_up_data(state="cancel"))
            self.assertIsInstance(order, int, order)
        else:
            order = self.unpaid_top_up()
            self.attempt("pos.order", "action_pos_order_cancel", [order])
        self.env.invalidate_all()
        self.assertEqual(
            self.env["pos.order"].browse(order).state, "cancel", "set-up: cancelled"
        )
        return order

    def credit_after(self, order, what):
        card = self.accomplice_card
        start = card.points
        self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.credit_check(card, start, what)

    def test_01_cancelled_top_up_written_done(self):
        order = self.cancelled_top_up()
        self.attempt("pos.order", "write", [order], {"state": "done"})
        self.credit_after(order, "a cancelled, unpaid top-up written done")

    def test_02_cancelled_top_up_written_invoiced(self):
        order = self.cancelled_top_up()
        self.attempt("pos.order", "write", [order], {"state": "invoiced"})
        self.credit_after(order, "a cancelled, unpaid top-up written invoiced")

    def test_03_cancelled_top_up_invoiced_by_stock(self):
        """Stock's Invoice button (`action_pos_order_invoice`) on it."""
        order = self.cancelled_top_up()
        self.attempt("pos.order", "action_pos_order_invoice", [order])
        self.credit_after(order, "a cancelled, unpaid top-up invoiced at the till")

    def test_04_synced_cancelled_then_done(self):
        """The sync saves an order `cancel` straight away (its check skips it)."""
        order = self.cancelled_top_up(how="sync")
        self.attempt("pos.order", "write", [order], {"state": "done"})
        self.credit_after(order, "a top-up synced cancelled, written done")


@tagged("post_install", "-at_install")
class TestReview56PublicInvoiceRequest(Review21Case):
    """Stock's invoice request of a receipt (`/pos/ticket/validate`, auth
    public, found by the order's `access_token`, which the till itself sends
    in the sync payload) invoices the order under sudo() as the public user:
    every paid check of the addon asks `_redeem_otp_is_cashier()` of the real
    user, and the public user is none, so `_redeem_otp_guard_paid` (and its
    payments check) never runs. Stock's `_generate_pos_order_invoice` does
    not look at the order's state: a draft with nothing paid is made
    `invoiced`."""

    def test_01_unpaid_draft_top_up_invoiced_by_the_public_route(self):
        card = self.accomplice_card
        start = card.points
        data = self.unpaid_top_up_data()
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        public_invoice_request(self, data["access_token"])
        self.env.invalidate_all()
        self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.credit_check(
            card, start, "an unpaid draft invoiced by /pos/ticket/validate"
        )

    def test_02_held_protected_spend_without_code_by_the_public_route(self):
        """Held (a path no earlier review tried for the code rule): the
        public route's invoice makes the order `invoiced` as the public user,
        and the order's check (`_redeem_otp_enforce`, run by `write` for any
        user) still asks the guest's code for the e-wallet it spends."""
        card = self.ewallet_card
        before = self.snapshot()
        data = self.order_data(self.spending_lines(card, 100.0))
        data.update(state="draft")
        order = self.sync(data)
        self.assertIsInstance(order, int, "set-up: the draft is saved")
        public_invoice_request(self, data["access_token"])
        self.confirm(order, {card.id: self.coupon_vals(card, -100.0)})
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestReview56OnlinePaymentWithoutTransaction(Review21Case):
    """pos_online_payment (auto-installed with pos and account_payment): a
    payment of an online method is to be made by the server once a payment
    transaction succeeded (`payment.transaction._process_pos_online_payment`,
    with its `online_account_payment_id`). Stock's `pos.payment.create`
    refuses an online payment naming no accounting payment only when the key
    is there (`if vals.get('online_account_payment_id')`): left out, nothing
    is checked; and `_check_payment_method_id` lets online methods past the
    "method of the session's center" check. The addon's paid check
    (`pos.order._redeem_otp_check_paid`) counts every payment as money but
    the customer account (`_redeem_otp_on_account`). The cashier's sync
    says the top-up was paid online: nobody paid anything."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The salon takes QR payments somewhere (stock makes this method at
        # the first online payment, `_get_or_create_online_payment_method`);
        # this center does not even offer it.
        cls.online = cls.env["pos.payment.method"].create(
            {"name": "Online payment", "is_online_payment": True}
        )

    def credit_after_online(self, order, what):
        """Give the top-up `order` (an id, or the sync's refusal) its credit;
        the credit must not exceed what was received."""
        card = self.accomplice_card
        start = card.points
        payments = self.env["pos.payment"]
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
            self.env.invalidate_all()
            payments = self.env["pos.order"].browse(order).payment_ids
        received = sum(
            payment.amount
            for payment in payments
            if not payment.payment_method_id.is_online_payment
            or payment.online_account_payment_id
        )
        shown = [
            (pay.payment_method_id.name, pay.amount, pay.online_account_payment_id.id)
            for pay in payments
        ]
        self.assertLessEqual(
            card.points - start,
            received + 1e-6,
            f"{what}: {card.points - start:.2f} of credit for {received:.2f} "
            f"received (payments: {shown})",
        )

    def test_01_top_up_paid_online_with_no_transaction(self):
        data = self.order_data(
            [self.product_line(self.topup, 300.0)], partner=self.accomplice
        )
        data["payment_ids"][0][2]["payment_method_id"] = self.online.id
        self.credit_after_online(self.sync(data), "a top-up synced as paid online")

    def test_02_draft_cash_payment_turned_online(self):
        """A cashier's payment on a draft, its method then changed to the
        online one (stock refuses changes of online payments, not changes
        to one), then the draft written paid. This center offers online
        payment, as stock's Edit Payment asks of the new method."""
        self.online.config_ids |= self.config  # (its session is open)
        order = self.unpaid_top_up()
        cash = self.config.payment_method_ids.filtered("is_cash_count")[:1]
        created = self.attempt(
            "pos.payment",
            "create",
            {
                "amount": 300.0,
                "payment_method_id": cash.id,
                "pos_order_id": order,
                "name": "cash",
            },
        )
        if isinstance(created, int):
            self.attempt(
                "pos.payment",
                "write",
                [created],
                {"payment_method_id": self.online.id},
            )
        self.attempt("pos.order", "write", [order], {"state": "paid"})
        self.credit_after_online(order, "a draft's cash payment turned online")

    def test_03_an_online_payment_with_its_transaction_is_kept(self):
        """What the server records when a transaction succeeded (stock's
        `_process_pos_online_payment`): a payment naming its accounting
        payment."""
        order = self.env["pos.order"].browse(self.unpaid_top_up())
        received = self.env["account.payment"].create(
            {
                "amount": 300.0,
                "payment_type": "inbound",
                "partner_id": self.accomplice.id,
                "journal_id": self.env["account.journal"]
                .search([("type", "=", "bank")], limit=1)
                .id,
            }
        )
        payment = self.env["pos.payment"].create(
            {
                "pos_order_id": order.id,
                "amount": 300.0,
                "payment_method_id": self.online.id,
                "online_account_payment_id": received.id,
            }
        )
        self.assertEqual(order.payment_ids, payment)


@tagged("post_install", "-at_install")
class TestReview56PaidOrdersStillInvoiced(Review21Case):
    """The paths review 56's fixes must leave as stock has them."""

    def test_a_paid_order_is_invoiced_at_the_till(self):
        sale = self.paid_top_up(price=20.0)
        result = self.attempt("pos.order", "action_pos_order_invoice", sale.ids)
        self.assertFalse(self.refused(result), result)
        self.env.invalidate_all()
        self.assertEqual(sale.state, "invoiced")
        self.assertTrue(sale.account_move)

    def test_a_paid_order_is_invoiced_from_its_receipt(self):
        """The guest's own invoice request from the receipt's QR code."""
        sale = self.paid_top_up(price=20.0)
        sale.sudo()._ensure_access_token()
        answer = public_invoice_request(self, sale.access_token)
        self.assertIn(answer.status_code, (302, 303), answer.text[:300])
        self.env.invalidate_all()
        self.assertEqual(sale.state, "invoiced")


@tagged("post_install", "-at_install")
class TestReview56InvoiceLink(Review21Case):
    """Reported as an observation: an order's `account_move` was a cashier's to
    write, and the sync's to take from the payload. An order linked to an
    invoice is left out of its session's sales entries (the invoice booked
    them), and stock's receipt page (`/pos/ticket/validate`) opens that
    invoice, with a portal token, to whoever holds the order's token."""

    def another_guests_invoice(self):
        other = self.paid_top_up(price=15.0)
        other.sudo().action_pos_order_invoice()
        self.assertTrue(other.account_move, "set-up: invoiced")
        return other.account_move

    def test_a_paid_order_is_not_linked_to_another_invoice(self):
        invoice = self.another_guests_invoice()
        sale = self.paid_top_up(price=20.0)
        result = self.attempt(
            "pos.order", "write", sale.ids, {"account_move": invoice.id}
        )
        self.env.invalidate_all()
        self.assertFalse(
            sale.account_move, f"the paid sale was linked to {invoice.name} ({result})"
        )

    def test_the_sync_links_no_invoice(self):
        invoice = self.another_guests_invoice()
        data = self.order_data([self.product_line()], partner=self.accomplice)
        data["account_move"] = invoice.id
        result = self.sync(data)
        self.env.invalidate_all()
        linked = self.env["pos.order"].search([("account_move", "=", invoice.id)])
        self.assertEqual(
            len(linked), 1, f"the sync ({result}) linked {invoice.name} to its order"
        )
