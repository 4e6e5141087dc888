# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 30: the credit part of a refund (review 29's lock), and refunds
made at another salon.

A 200.00 service paid 100.00 in cash and 100.00 of the guest's e-wallet
credit (the guest's code verified) is refunded in money only for its money
part; the credit part must go back onto the guest's cards in the same
refund. What the lock counts as "given back" is lines of the refund, not
credit that reaches the guest:

- The refund's guest is whoever the cashier names. In the accomplice's
  name, the refund's e-wallet top-up (stock's refund to eWallet) is
  credited to the accomplice's card: the guest's 100.00 of credit becomes
  the accomplice's. In the guest's name, the points call credits the
  top-up to a new card of nobody, whose code the cashier chose and which
  is spent below *No code below* with no code.

- Top-up lines are counted gross (quantities above zero only): a top-up
  line of 100.00 and a line of the same top-up product giving 100.00 back
  (no refunded line) pay out 200.00 in cash, and the guest's card gets
  nothing (the order earns no credit: its top-ups cancel).

- Any e-wallet program of the till counts, protected or not: the guest's
  protected credit is refunded onto an e-wallet the salon does not protect,
  which the cashier then spends for the accomplice, no code asked.

- The lock, and the one on top-ups refunded in cash (review 15), ask
  whether the refund's till asks codes, not the sale's: at a salon of
  another company that asks none (where this salon's credit may not be
  spent, review 10), a cashier of both refunds this salon's credit-paid
  sale (200.00 out) or the guest's top-up (100.00 out) in cash.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts the effect. Only the set-up uses
the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review29 import Review29Case


class Review30Case(Review29Case):
    def sale_of(self, card, points, partner):
        """A 200.00 service, `points` of `card` off with `partner`'s code,
        synced and its points call made."""
        sale = self.coded_spend(card, points, partner)
        self.assertIsInstance(sale, int, sale)
        result = self.confirm(sale, {card.id: self.coupon_vals(card, -points)})
        self.assertFalse(self.refused(result), result)
        self.env.invalidate_all()
        return self.env["pos.order"].browse(sale)

    def service_back(self, sale):
        """The refund line of `sale`'s service, at its price."""
        service = sale.lines.filtered(lambda line: not line.reward_id)
        return self.refund_line(service.product_id, service.price_unit, service)

    def cash_out(self, refund):
        self.env.invalidate_all()
        if not isinstance(refund, int):
            return 0.0
        return -sum(self.env["pos.order"].browse(refund).payment_ids.mapped("amount"))

    def assert_guest_given_back(self, card, start, refund, why):
        """The refund went through and the guest has their credit back, or it
        was refused and nothing moved: the sale keeps its 100.00 of credit."""
        self.env.invalidate_all()
        refused = self.refused(refund)
        if refused:
            self.assertEqual(self.cash_out(refund), 0.0)
        self.assertAlmostEqual(
            card.points,
            start - 100.0 if refused else start,
            2,
            f"a 200.00 service paid with 100.00 of the guest's credit was "
            f"refunded by a cashier ({why}): {self.cash_out(refund):.2f} paid out "
            f"in cash, the guest's card at {card.points:.2f} of {start:.2f} "
            f"(refund {getattr(refund, 'args', refund)})",
        )


@tagged("post_install", "-at_install")
class TestReview30CreditBackToSomebodyElse(Review30Case):
    """The lock reads "the guest" as the refund's partner, and lets the
    points call credit a top-up to any card the order may earn on."""

    def test_01_refund_in_the_accomplices_name_tops_up_their_card(self):
        card, mate = self.ewallet_card, self.accomplice_card
        start, mate_start = card.points, mate.points
        sale = self.sale_of(card, 100.0, self.guest)
        lines = [self.service_back(sale), self.product_line(self.topup, 100.0)]
        refund = self.sync(self.order_data(lines, partner=self.accomplice))
        if isinstance(refund, int):
            self.confirm(refund, {mate.id: self.coupon_vals(mate, 100.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            mate.points - mate_start,
            1e-6,
            f"the guest's sale refunded in the accomplice's name: their e-wallet "
            f"went from {mate_start:.2f} to {mate.points:.2f}, the guest's stays at "
            f"{card.points:.2f} of {start:.2f}, {self.cash_out(refund):.2f} paid "
            f"out in cash",
        )

    def test_02_top_up_credited_to_a_new_card_of_nobody(self):
        """The card of nobody is the cashier's: its code is theirs, and below
        *No code below* (here 50.00) it is spent with no code, day after day."""
        self.company.redeem_otp_min_amount = 50.0
        card = self.ewallet_card
        start = card.points
        sale = self.sale_of(card, 100.0, self.guest)
        lines = [self.service_back(sale), self.product_line(self.topup, 100.0)]
        refund = self.sync(self.order_data(lines, partner=self.guest))
        self.assertIsInstance(refund, int, refund)
        nobodys = self.new_card_vals(self.ewallet, 100.0, barcode="CASHIER-0001")
        self.confirm(refund, {-1: nobodys})
        made = self.made_by(refund, self.ewallet)
        if made:
            data = self.order_data(
                self.spending_lines(made, 45.0), partner=self.accomplice
            )
            self.sync_and_confirm(data, made, -45.0)
        # The refund pays out its money part; the points call that would
        # credit a card of nobody is refused, and no such card holds credit.
        self.assertLessEqual(self.cash_out(refund), 100.0 + 1e-6)
        self.assertFalse(
            made.filtered("points"),
            f"the refund's top-up went to a new card of nobody, then 45.00 of it "
            f"paid the accomplice's service: {[(c.code, c.points) for c in made]}",
        )
        self.assertEqual(card.points, start - 100.0)


@tagged("post_install", "-at_install")
class TestReview30TopUpCountedGross(Review30Case):
    def test_01_top_up_cancelled_by_a_negative_top_up_line(self):
        card = self.ewallet_card
        start = card.points
        sale = self.sale_of(card, 100.0, self.guest)
        lines = [
            self.service_back(sale),
            self.product_line(self.topup, 100.0),
            self.product_line(self.topup, 100.0, qty=-1),
        ]
        refund = self.sync(self.order_data(lines, partner=self.guest))
        if isinstance(refund, int):
            self.confirm(refund, {card.id: self.coupon_vals(card, 100.0)})
        self.assert_guest_given_back(
            card, start, refund, "a top-up line and its negative twin"
        )
        self.assertLessEqual(self.cash_out(refund), 100.0 + 1e-6)


@tagged("post_install", "-at_install")
class TestReview30CreditRefundedOntoAnUnprotectedWallet(Review30Case):
    """A salon's second e-wallet (deposits) that it chose not to protect."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deposit = cls.env["product.product"].create(
            {
                "name": "Deposit",
                "available_in_pos": True,
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.deposits = cls._program("Deposits", "ewallet", redeem_otp_required=False)
        cls.deposits.rule_ids.product_ids = cls.deposit

    def test_01_protected_credit_moved_to_an_unprotected_wallet_then_spent(self):
        card = self.ewallet_card
        start = card.points
        sale = self.sale_of(card, 100.0, self.guest)
        lines = [self.service_back(sale), self.product_line(self.deposit, 100.0)]
        refund = self.sync(self.order_data(lines, partner=self.guest))
        if self.refused(refund):
            self.assert_guest_given_back(card, start, refund, "refused")
            return
        vals = self.new_card_vals(self.deposits, 100.0, partner=self.guest)
        self.confirm(refund, {-1: vals})
        wallet = self.made_by(refund, self.deposits)
        self.assertEqual(wallet.points, 100.0, "set-up: the refund's deposit")
        # The cashier spends it for the accomplice: no code, it is unprotected.
        spent = self.sync_and_confirm(
            self.order_data(
                self.spending_lines(wallet, 100.0), partner=self.accomplice
            ),
            wallet,
            -100.0,
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points + wallet.points,
            start,
            2,
            f"the guest's protected credit, refunded onto an unprotected e-wallet "
            f"({wallet.points:.2f} left), paid the accomplice's service without "
            f"a code (order {spent}); the guest's card {card.points:.2f} of "
            f"{start:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview30RefundedAtAnotherSalon(Review30Case):
    """The cashier also works at a salon of another company that asks no
    code. That salon may not spend this salon's credit (review 10), but it
    refunds this salon's sales: the lock asks whether the refund's till asks
    codes, not the sale's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        data = cls.setup_other_company(name="Salon across town")
        cls.across = data["company"]
        cls.across.redeem_otp_enabled = False
        cash = cls.env["pos.payment.method"].create(
            {
                "name": "Cash across town",
                "journal_id": data["default_journal_cash"].id,
                "company_id": cls.across.id,
            }
        )
        cls.pos_user.company_ids += cls.across
        cls.across_config = (
            cls.env["pos.config"]
            .with_company(cls.across)
            .create(
                {
                    "name": "Across town",
                    "company_id": cls.across.id,
                    "payment_method_ids": [Command.set(cash.ids)],
                }
            )
        )
        user = cls.across_config.with_user(cls.pos_user).with_context(
            allowed_company_ids=[cls.across.id, cls.company.id]
        )
        user.open_ui()
        cls.across_config.current_session_id.with_user(
            cls.pos_user
        ).set_opening_control(0, None)

    def test_01_credit_paid_sale_refunded_in_cash_at_the_other_salon(self):
        card = self.ewallet_card
        start = card.points
        sale = self.sale_of(card, 100.0, self.guest)
        data = self.order_data(
            [self.service_back(sale)], partner=self.guest, config=self.across_config
        )
        context = {"allowed_company_ids": [self.across.id, self.company.id]}
        result = self.attempt("pos.order", "sync_from_ui", [data], context=context)
        refund = result if self.refused(result) else result["pos.order"][0]["id"]
        self.assert_guest_given_back(
            card, start, refund, "at a till of another company that asks no code"
        )
        self.assertLessEqual(self.cash_out(refund), 100.0 + 1e-6)

    def test_02_guests_top_up_refunded_in_cash_at_the_other_salon(self):
        card = self.ewallet_card
        topup = self.sync(self.order_data([self.product_line(self.topup, 100.0)]))
        self.assertIsInstance(topup, int, topup)
        self.confirm(topup, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        start = card.points  # 250.00: the guest's own top-up, paid and kept
        line = self.env["pos.order"].browse(topup).lines
        data = self.order_data(
            [self.refund_line(self.topup, 100.0, refunded=line)],
            config=self.across_config,
        )
        context = {"allowed_company_ids": [self.across.id, self.company.id]}
        result = self.attempt("pos.order", "sync_from_ui", [data], context=context)
        refund = result if self.refused(result) else result["pos.order"][0]["id"]
        if isinstance(refund, int):
            self.attempt(
                "pos.order",
                "confirm_coupon_programs",
                [refund],
                {str(card.id): self.coupon_vals(card, -100.0)},
                context=context,
            )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            start,
            2,
            f"the guest's top-up was refunded in cash by a cashier at a till of "
            f"another company that asks no code: {self.cash_out(refund):.2f} paid "
            f"out, their e-wallet from {start:.2f} to {card.points:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview30Held(Review30Case):
    """Attacks that hold today (kept so that they keep holding)."""

    def test_01_accomplices_own_spend_refunded_with_the_guests_service(self):
        """Refused by stock's sync: a refund refunds one order's lines."""
        card, mate = self.ewallet_card, self.accomplice_card
        mate.points = 110.0
        start = card.points
        sale = self.sale_of(card, 100.0, self.guest)
        own = self.sale_of(mate, 100.0, self.accomplice)
        own_reward = own.lines.filtered("reward_id")
        lines = [self.service_back(sale), self.reward_refund_line(own_reward)]
        refund = self.sync(self.order_data(lines, partner=self.accomplice))
        if isinstance(refund, int):
            self.confirm(refund, {mate.id: self.coupon_vals(mate, 100.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(
            mate.points,
            10.0,
            2,
            f"the accomplice's 200.00 service stays theirs for 100.00 in cash and "
            f"their card is back at {mate.points:.2f}: the guest's credit paid "
            f"for it (guest's card {card.points:.2f} of {start:.2f}, refund "
            f"{getattr(refund, 'args', refund)})",
        )
