# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 57 (adversarial): orders made paid together; memberships past their end.

- `pos.order.write` runs the order's check (`_redeem_otp_enforce`) on every
  order of the call moving into a paid state, then lets stock write the
  state for all of them at once. The checks that read the guest's other
  orders count only orders already *paid*: each order of one
  `write(ids, {"state": "paid"})` is judged as if the others did not exist.
  - Small spends add up per guest and per card over 24 hours
    (`res.partner._redeem_otp_uncoded_recently`, `state in PAID_STATES`): five
    drafts spending 30.00 each of the guest's e-wallet, below a 50.00
    minimum, made paid by one write: the whole 150.00 is spent with no code
    (TestReview57SmallSpendsPaidTogether.test_01; one write per draft holds,
    test_02).
  - A line is refunded once at most (`pos.order.line._redeem_otp_check_refunds`
    counts paid refunds and the lines of the order checked): two draft
    refunds of one 100.00 cash sale, made paid by one write, pay 200.00 back
    in cash (TestReview57RefundsPaidTogether.test_01); a coded spend of
    40.00 of e-wallet refunded twice gives the cash back twice and 80.00 of
    e-wallet for the 40.00 spent (test_02). One write per refund holds
    (test_03).
- `res.partner.membership_state` is a stored compute that depends on the
  membership lines and their invoices, not on the calendar: a membership
  that ended yesterday reads `paid` until stock's daily cron
  (`_cron_update_membership`) recomputes it. `_redeem_otp_check_member`
  reads the stored value: a members-only benefit of a guest whose
  membership has ended is spent, with no code below the minimum
  (TestReview57EndedMembership.test_01), and with the guest's code
  (test_02).

The fixes: orders made paid by one write are written one at a time, each
checked after the ones before it (`pos.order.write`); a members-only
benefit asks, besides the stored state, a membership line running on the
salon's today (`res.partner._redeem_otp_is_member`).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser (and, for the membership, one SQL
update standing for the midnight that passed before the cron ran).
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_attacks_review10 import Review10Case


@tagged("post_install", "-at_install")
class TestReview57EndedMembership(Review10Case):
    """`res.partner.membership_state` is a stored compute whose dependencies
    are the membership lines and their invoices, not the calendar: a
    membership that ended at midnight still reads `paid` until stock's daily
    cron (`_cron_update_membership`) recomputes it. The addon's check
    (`res.partner._redeem_otp_check_member`) reads the stored value."""

    def setUp(self):
        super().setUp()
        data = self.order_data(
            [self.product_line(self.membership, 100.0)], partner=self.accomplice
        )
        data["to_invoice"] = True
        with self.as_manager():
            self.assertIsInstance(self.sync(data), int)
        self.env.invalidate_all()
        self.assertEqual(self.accomplice.membership_state, "paid", "set-up: member")
        # Midnight passes: the membership's last day was yesterday. Nothing
        # the ORM watches changes, the daily cron has not run yet.
        yesterday = fields.Date.today() - timedelta(days=1)
        self.env.cr.execute(
            "UPDATE membership_membership_line SET date_to = %s WHERE partner = %s",
            [yesterday, self.accomplice.id],
        )
        self.env.invalidate_all()
        self.benefits = self._program(
            "Members' treatments", "ewallet", redeem_otp_membership_only=True
        )
        self.benefit_card = self.env["loyalty.card"].create(
            {
                "program_id": self.benefits.id,
                "partner_id": self.accomplice.id,
                "points": 100.0,
            }
        )

    def assertNoEndedBenefitSpent(self, before):
        self.env.invalidate_all()
        ended = self.accomplice.member_lines.mapped("date_to")
        self.assertAlmostEqual(
            self.benefit_card.points,
            100.0,
            msg=f"a members-only benefit spent by a guest whose membership ended "
            f"on {ended} (stored state {self.accomplice.membership_state})",
        )
        self.assertNothingLost(before, allow_decision=True)

    def test_01_ended_membership_below_minimum_no_code(self):
        """Below *No code below*, the cashier alone spends a members-only
        benefit of a membership that ended yesterday."""
        self.company.redeem_otp_min_amount = 50.0
        card = self.benefit_card
        before = self.snapshot()
        self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 20.0), partner=self.accomplice),
            card,
            -20.0,
        )
        self.assertNoEndedBenefitSpent(before)

    def test_02_ended_membership_with_the_guests_code(self):
        """The code request itself does not see the membership ended either
        (the route's decision reads the same stored state)."""
        before = self.snapshot()
        self.spend_if_coded(self.benefit_card, 60.0, partner=self.accomplice)
        self.assertNoEndedBenefitSpent(before)


class SmallSpendsCase(Review10Case):
    """Spends of PIECE each, below a MINIMUM of *No code below*."""

    MINIMUM = 50.0
    PIECE = 30.0

    def setUp(self):
        super().setUp()
        self.company.redeem_otp_min_amount = self.MINIMUM

    def draft_spend(self, card):
        """A draft spending PIECE of `card`, its cash payment synced with it
        (a draft sync checks nothing)."""
        data = self.order_data(self.spending_lines(card, self.PIECE), state="draft")
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        return order

    def assertSpentWithinMinimum(self, card, start, how):
        self.env.invalidate_all()
        lost = start - card.points
        self.assertLess(
            lost,
            self.MINIMUM,
            f"{how}: {lost:.2f} of the guest's e-wallet spent within 24 hours "
            f"without a code, where the center asks one from "
            f"{self.MINIMUM:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview57SmallSpendsPaidTogether(SmallSpendsCase):
    """Small spends add up per guest and per card over 24 hours
    (`res.partner._redeem_otp_uncoded_recently`), counting the guest's
    orders that are already *paid*. `pos.order.write` runs the order's
    check (`_redeem_otp_enforce`) on every order of the call before stock's
    write makes any of them paid: one `write(ids, {"state": "paid"})` on
    several drafts checks each as if it were the guest's only spend."""

    def test_01_five_drafts_paid_by_one_write(self):
        """The guest's whole 150.00 e-wallet, in five spends of 30.00."""
        card = self.ewallet_card
        self.env.invalidate_all()
        start = card.points
        orders = [self.draft_spend(card) for _i in range(5)]
        self.attempt("pos.order", "write", orders, {"state": "paid"})
        for order in orders:
            self.confirm(order, {card.id: self.coupon_vals(card, -self.PIECE)})
        self.assertSpentWithinMinimum(card, start, "five drafts paid by one write")

    def test_02_held_one_after_the_other(self):
        """Held (control): the same two drafts paid by two writes; the
        second needs the code."""
        card = self.ewallet_card
        self.env.invalidate_all()
        start = card.points
        orders = [self.draft_spend(card) for _i in range(2)]
        for order in orders:
            if isinstance(
                self.attempt("pos.order", "write", [order], {"state": "paid"}),
                bool,
            ):
                self.confirm(order, {card.id: self.coupon_vals(card, -self.PIECE)})
        self.assertSpentWithinMinimum(card, start, "two drafts paid one by one")


@tagged("post_install", "-at_install")
class TestReview57RefundsPaidTogether(Review10Case):
    """ "A line is refunded once at most, also by two refunds synced at once"
    (`pos.order.line._redeem_otp_check_refunds`) counts the refunds already
    *paid* and the lines of the order being checked. Two draft refunds of
    the same line, made paid by one `pos.order.write`, are each checked
    while the other is still a draft: the line is refunded twice."""

    def paid_sale(self, lines, partner=False):
        order = self.sync(self.order_data(lines, partner=partner))
        self.assertIsInstance(order, int, order)
        self.env.invalidate_all()
        return self.env["pos.order"].browse(order)

    def draft_refund(self, lines, partner=False):
        data = self.order_data(lines, partner=partner, state="draft")
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        return order

    def paid_back(self, refunds):
        self.env.invalidate_all()
        return -sum(
            order.amount_total
            for order in self.env["pos.order"].browse(refunds)
            if order.state in ("paid", "done", "invoiced")
        )

    def test_01_one_sale_refunded_twice_in_cash(self):
        sale = self.paid_sale([self.product_line(self.service, 100.0)])
        line = sale.lines
        refunds = [
            self.draft_refund([self.refund_line(self.service, 100.0, refunded=line)])
            for _i in range(2)
        ]
        self.attempt("pos.order", "write", refunds, {"state": "paid"})
        paid_back = self.paid_back(refunds)
        self.assertLessEqual(
            paid_back,
            100.0 + 1e-6,
            f"a 100.00 sale refunded in cash for {paid_back:.2f} (refunds "
            f"{[(o.id, o.state) for o in self.env['pos.order'].browse(refunds)]})",
        )

    def test_02_a_coded_spend_refunded_twice(self):
        """The guest's coded spend of 40.00 of e-wallet (on a 200.00
        service), refunded twice: the points come back twice."""
        card = self.ewallet_card
        self.env.invalidate_all()
        start = card.points
        spent = self.coded_spend(card, 40.0, self.guest)
        self.assertIsInstance(spent, int, spent)
        self.confirm(spent, {card.id: self.coupon_vals(card, -40.0)})
        sale = self.env["pos.order"].browse(spent)
        service = sale.lines.filtered(lambda ln: not ln.reward_id)
        reward = sale.lines - service
        refund_lines = []
        for _i in range(2):
            back = self.refund_line(
                service.product_id, service.price_subtotal_incl, refunded=service
            )
            giving = self.reward_line(card, -40.0)
            giving[2].update(
                qty=-1,
                price_unit=40.0,
                price_subtotal=40.0,
                price_subtotal_incl=40.0,
                refunded_orderline_id=reward.id,
            )
            refund_lines.append([back, giving])
        refunds = [
            self.draft_refund(lines, partner=self.guest) for lines in refund_lines
        ]
        self.attempt("pos.order", "write", refunds, {"state": "paid"})
        for refund in refunds:
            self.confirm(refund, {card.id: self.coupon_vals(card, 40.0)})
        self.env.invalidate_all()
        paid_back = self.paid_back(refunds)
        self.assertLessEqual(
            card.points - start + paid_back,
            sale.amount_total + 1e-6,
            f"a sale of {sale.amount_total:.2f} in cash and 40.00 of e-wallet "
            f"refunded for {paid_back:.2f} in cash and "
            f"{card.points - start + 40.0:.2f} of e-wallet",
        )

    def test_03_held_refunds_paid_one_by_one(self):
        """Held (control): the same two draft refunds made paid by two
        writes; the second is refused."""
        sale = self.paid_sale([self.product_line(self.service, 100.0)])
        line = sale.lines
        refunds = [
            self.draft_refund([self.refund_line(self.service, 100.0, refunded=line)])
            for _i in range(2)
        ]
        for refund in refunds:
            self.attempt("pos.order", "write", [refund], {"state": "paid"})
        self.assertLessEqual(self.paid_back(refunds), 100.0 + 1e-6)
