# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 40: the lock as a whole, fraud by fraud (not the guest, expired
balances, dormant credit), across stock's RPCs.

- Dormant and expired cards "need the code whatever the program or center
  says" (README): spending them is refused, or takes the guest's own code,
  even at a center that asks no codes or for a program that needs none. A
  refund does not spend, though: it takes back what the refunded sale
  credited (`loyalty.card._redeem_otp_hold_for`), and
  `pos.order.line._redeem_otp_check_take_back` /
  `_redeem_otp_check_credit_refund` send a top-up refunded in cash to a
  manager only where the program is protected and a center of the refund
  asks codes (`_redeem_otp_under_lock`). Neither reads the card's dormancy
  or expiry. At such a center (or for an e-wallet the salon does not
  protect), the guest's old top-up refunded in cash in their name turns the
  dormant, or expired, credit into cash in the cashier's hand: what the
  order sync refuses to spend, the refund pays out.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_attacks_review15 import Review15Case


class Review40Case(Review15Case):
    def top_up(self, card, amount):
        """The guest's own top-up of `amount`, paid in cash, synced and its
        points call made; the top-up line."""
        sale = self.sync(
            self.order_data([self.product_line(self.topup, amount)], partner=self.guest)
        )
        self.assertIsInstance(sale, int, sale)
        result = self.confirm(sale, {card.id: self.coupon_vals(card, amount)})
        self.assertFalse(self.refused(result), result)
        self.env.invalidate_all()
        return self.env["pos.order"].browse(sale).lines

    def refunded_in_cash(self, line, card):
        """`line` refunded in cash in the guest's name, with its points call."""
        price = line.price_unit
        with self.mockSMSGateway(), self.mock_mail_gateway():
            refund = self.sync(
                self.order_data(
                    [self.refund_line(line.product_id, price, refunded=line)],
                    partner=self.guest,
                )
            )
            if isinstance(refund, int):
                self.confirm(refund, {card.id: self.coupon_vals(card, -price)})
        self.env.invalidate_all()
        return refund

    def assert_not_spendable(self, card, points):
        """Control: the till itself cannot spend `points` of `card` uncoded."""
        before = card.points
        with self.mockSMSGateway(), self.mock_mail_gateway():
            order = self.sync_and_confirm(
                self.order_data(self.spending_lines(card, points)), card, -points
            )
        self.env.invalidate_all()
        self.assertTrue(
            self.refused(order), f"set-up: the spend went through ({order})"
        )
        self.assertAlmostEqual(card.points, before)

    def assert_kept(self, card, start, refund, why):
        self.assertAlmostEqual(
            card.points,
            start,
            msg=f"{why}: the guest's old top-up, refunded in cash at the till "
            f"(order {refund}) in their name, without their code, took the card "
            f"from {start:.2f} to {card.points:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview40DormantOrExpiredCreditRefundedInCash(Review40Case):
    """The guest's 100.00 top-up, bought long ago, sits on their e-wallet.
    The sync refuses to spend it without their own code (dormant) or at all
    (expired); a refund of the top-up in cash, in their name, pays it out."""

    def refund_dormant_top_up(self):
        card = self.ewallet_card
        line = self.top_up(card, 100.0)
        self.make_dormant(card)
        start = card.points
        self.assert_not_spendable(card, 40.0)
        refund = self.refunded_in_cash(line, card)
        self.assert_kept(card, start, refund, "the card is dormant")

    def test_01_dormant_credit_at_a_center_with_codes_off(self):
        self.config.redeem_otp_required = False
        self.refund_dormant_top_up()

    def test_02_dormant_credit_of_an_e_wallet_the_salon_does_not_protect(self):
        self.ewallet.redeem_otp_required = False
        self.refund_dormant_top_up()

    def test_03_expired_credit_at_a_center_with_codes_off(self):
        self.config.redeem_otp_required = False
        card = self.ewallet_card
        line = self.top_up(card, 100.0)
        card.expiration_date = fields.Date.today() - timedelta(days=3)
        self.env.flush_all()
        start = card.points
        self.assert_not_spendable(card, 40.0)
        refund = self.refunded_in_cash(line, card)
        self.assert_kept(card, start, refund, "the card expired three days ago")
