# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes an eighteenth review found in the paths other than a plain sync.

- An order becomes paid without being paid: a draft order (a 300.00 e-wallet
  top-up, no payment) written `state: paid` over RPC, or invoiced with
  `action_pos_order_invoice`, passes the server's check (its lines come to
  its total) but nothing checks that its payments match that total (stock
  checks it in `action_pos_order_paid` only). Its points call then credits
  the 300.00 top-up: credit for nothing paid.
- The order's company is the payload's (or a draft's write): a card of
  another company's program is spent without a code at a till whose own
  company asks none, the order claiming the card's company.
- Stock's back-office refund (`pos.order.refund`, then the payment wizard)
  copies a reward line with its positive points cost: the refund is judged
  as a new spend, holding the points again from the guest's card instead of
  giving them back (and, above the minimum, asking the guest's code for it).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC (a manager where stock's own flow needs one), and each
test asserts what the guest or the salon would lose. Only the set-up uses
the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review12 import Review12Case


class Review18Case(Review12Case):
    def unpaid_top_up_data(self, price=300.0, state="draft"):
        """The till's payload of a `price` top-up for the accomplice, nothing paid."""
        data = self.order_data(
            [self.product_line(self.topup, price)], partner=self.accomplice
        )
        data.update(state=state, payment_ids=[], amount_paid=0.0)
        return data

    def unpaid_top_up(self, price=300.0):
        """A draft order of a `price` top-up for the accomplice, nothing paid."""
        order = self.sync(self.unpaid_top_up_data(price))
        self.assertIsInstance(order, int, order)
        return order

    def paid_in_all(self, partner):
        """What `partner`'s orders of this test were really paid (their payments)."""
        self.env.invalidate_all()
        orders = self.env["pos.order"].search(
            [("partner_id", "=", partner.id), ("id", ">", self.last_order_id)]
        )
        return sum(orders.payment_ids.mapped("amount"))


@tagged("post_install", "-at_install")
class TestReview18PaidWithoutPayment(Review18Case):
    """A 300.00 top-up saved as a draft with no payment, then made paid (or
    invoiced) by a plain call: the points call credits 300.00 of e-wallet
    that nobody paid for, which the accomplice spends at once."""

    def assert_no_credit_for_nothing(self, order, how):
        card = self.accomplice_card
        start = card.points
        self.confirm(order, {card.id: self.coupon_vals(card, 300.0)})
        self.env.invalidate_all()
        paid = self.paid_in_all(self.accomplice)
        self.assertLessEqual(
            card.points - start,
            paid + 1e-6,
            f"a top-up {how} without a payment (order {order}, "
            f"{self.env['pos.order'].browse(order).state}): "
            f"{card.points - start:.2f} of credit for {paid:.2f} paid",
        )

    def test_01_unpaid_draft_written_paid(self):
        order = self.unpaid_top_up()
        self.attempt("pos.order", "write", [order], {"state": "paid"})
        self.assert_no_credit_for_nothing(order, "written paid")

    def test_02_unpaid_draft_invoiced(self):
        order = self.unpaid_top_up()
        self.attempt(
            "pos.order",
            "action_pos_order_invoice",
            [order],
            context={"generate_pdf": False},
        )
        self.assert_no_credit_for_nothing(order, "invoiced")


@tagged("post_install", "-at_install")
class TestReview18OrderOfAnotherCompany(Review18Case):
    """A cashier of two salons. Their till's company asks no code; a guest's
    e-wallet of the other salon (which does) may not be spent there
    (review 10). The sync's payload names the other salon as the order's
    company: the program's company now matches, and the till's company
    still asks no code."""

    def test_01_payload_company_spends_the_other_salons_credit(self):
        other = self.env["res.company"].create({"name": "Salon across town"})
        other.redeem_otp_enabled = True
        self.pos_user.write({"company_ids": [Command.link(other.id)]})
        program = self._program("Across-town credit", "ewallet", company_id=other.id)
        card = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": self.guest.id, "points": 150.0}
        )
        self.company.redeem_otp_enabled = False
        context = {"allowed_company_ids": [self.company.id, other.id]}
        data = self.order_data(self.spending_lines(card, 40.0))
        data["company_id"] = other.id
        result = self.attempt("pos.order", "sync_from_ui", [data], context=context)
        if isinstance(result, dict):
            self.attempt(
                "pos.order",
                "confirm_coupon_programs",
                [result["pos.order"][0]["id"]],
                {str(card.id): self.coupon_vals(card, -40.0)},
                context=context,
            )
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            150.0,
            "the other salon's guest lost e-wallet credit without their code: "
            "the order claimed that salon as its company at a till that asks no "
            f"code (now {card.points:.2f})",
        )


@tagged("post_install", "-at_install")
class TestReview18BackOfficeRefundSpendsAgain(Review18Case):
    """A guest paid a 200.00 service with 19.00 of e-wallet (below the
    minimum, no code). The salon refunds the order from the back office
    (stock's Return Products, then the payment wizard): the refund's reward
    line keeps the sale's positive points cost, so the server holds 19.00
    more from the guest's card instead of giving the 19.00 back."""

    def test_01_stock_refund_of_a_small_spend(self):
        self.company.redeem_otp_min_amount = 100.0
        card = self.ewallet_card
        order = self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 19.0)), card, -19.0
        )
        self.assertIsInstance(order, int, order)
        self.env.invalidate_all()
        after_spend = card.points
        action = self.attempt("pos.order", "refund", [order])
        self.assertIsInstance(action, dict, action)
        refund = action["res_id"]
        context = {"active_id": refund, "active_ids": [refund]}
        with self.as_manager():
            wizard = self.attempt("pos.make.payment", "create", [{}], context=context)
            self.assertIsInstance(wizard, list, wizard)
            self.attempt("pos.make.payment", "check", wizard, context=context)
        self.env.invalidate_all()
        self.assertEqual(
            self.env["pos.order"].browse(refund).state, "paid", "the refund is paid"
        )
        self.assertGreaterEqual(
            card.points,
            after_spend - 1e-6,
            "the salon refunded the order that spent 19.00 of the guest's "
            "credit, and the refund took another "
            f"{after_spend - card.points:.2f} from the guest's card",
        )
