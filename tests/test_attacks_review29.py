# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 29: the refund paths, after a spend made with the guest's code.

- A refund of a coded spend, made whole (service and reward line, as the
  till's refund sends it), is refused at the sync where the center asks a
  code for every amount (*No code below* 0.00, the default) or when the
  card is dormant: the refund's reward line (a negative points cost) is
  judged a protected redemption needing the guest's code, and the code
  request refuses a card named with points it does not spend. No code can
  ever be had for it: the guest never gets the credit back, not even from
  a manager.

- A coded spend's service line is refunded alone, in cash, at its price:
  a 200.00 service paid 100.00 in cash and 100.00 with the guest's credit
  pays 200.00 out of the till, the guest's credit turned into cash without
  a manager. The credit part goes back onto the guest's card in the same
  refund (the reward line refunded with it, or the till's refund to
  e-wallet, a top-up line of the program), or a manager refunds it.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts the effect. Only the set-up uses
the superuser.
"""

from odoo.tests import tagged

from .test_attacks_review15 import Review15Case


class Review29Case(Review15Case):
    def coded_sale(self, card, points):
        """A 200.00 service, `points` of `card` off with the guest's code,
        synced and its points call made."""
        sale = self.coded_spend(card, points, self.guest)
        self.assertIsInstance(sale, int, sale)
        result = self.confirm(sale, {card.id: self.coupon_vals(card, -points)})
        self.assertFalse(self.refused(result), result)
        self.env.invalidate_all()
        return self.env["pos.order"].browse(sale)

    def whole_refund(self, sale):
        """The till's refund of every line of `sale`, in the guest's name,
        paid back in cash: the refund id, or the refusal."""
        lines = []
        for line in sale.lines:
            if line.reward_id:
                lines.append(self.reward_refund_line(line))
            else:
                back = self.refund_line(line.product_id, line.price_unit, line)
                lines.append(back)
        return self.sync(self.order_data(lines, partner=self.guest))


@tagged("post_install", "-at_install")
class TestReview29CodedSpendRefundRefused(Review29Case):
    """The guest paid a 200.00 service with 100.00 of e-wallet credit (code
    verified) and 100.00 cash. The salon refunds the whole order: 100.00
    back in cash, 100.00 back on the card."""

    def assert_given_back(self, card, start, sale, why):
        refund = self.whole_refund(sale)
        self.assertIsInstance(
            refund,
            int,
            f"a whole refund of a coded spend is refused ({why}): the guest can "
            f"never get the {start - card.points:.2f} of credit back "
            f"({getattr(refund, 'args', refund)})",
        )
        self.confirm(refund, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            start,
            2,
            f"the refunded coded spend gave back {card.points - start + 100:.2f} "
            "of the 100.00 it took",
        )

    def test_01_refund_where_every_amount_needs_a_code(self):
        self.assertEqual(self.company.redeem_otp_min_amount, 0.0)
        card = self.ewallet_card
        start = card.points
        sale = self.coded_sale(card, 100.0)
        self.assert_given_back(card, start, sale, "No code below 0.00")

    def test_02_refund_by_a_manager(self):
        card = self.ewallet_card
        start = card.points
        sale = self.coded_sale(card, 100.0)
        with self.as_manager():
            self.assert_given_back(
                card, start, sale, "by a Point of Sale manager, No code below 0.00"
            )

    def test_03_refund_of_a_card_gone_dormant(self):
        card = self.ewallet_card
        start = card.points
        sale = self.coded_sale(card, 100.0)
        self.company.redeem_otp_min_amount = 1000.0  # a refund needs no code
        self.make_dormant(card)
        self.assert_given_back(card, start, sale, "the card is dormant")


@tagged("post_install", "-at_install")
class TestReview29CodedCreditRefundedInCash(Review29Case):
    """A 200.00 service paid 100.00 in cash and 100.00 of e-wallet credit,
    spent with the guest's code. Its service line alone is refunded."""

    def refund_service(self, sale, topup=0.0):
        """Refund the service line of `sale` alone at its price, with a
        top-up of `topup` onto the guest's e-wallet (stock's "eWallet" button
        on a refund), the rest paid back in cash: the refund, or the refusal."""
        service = sale.lines.filtered(lambda line: not line.reward_id)
        lines = [self.refund_line(service.product_id, service.price_unit, service)]
        if topup:
            product = self.ewallet.trigger_product_ids[:1]
            lines.append(self.product_line(product, topup))
        return self.sync(self.order_data(lines, partner=self.guest))

    def cash_out(self, sale):
        """The money paid out by the refunds of `sale`'s lines."""
        refunds = (
            self.env["pos.order.line"]
            .sudo()
            .search([("refunded_orderline_id", "in", sale.lines.ids)])
            .order_id
        )
        return -sum(refunds.payment_ids.mapped("amount"))

    def test_01_service_refunded_alone_in_cash(self):
        sale = self.coded_sale(self.ewallet_card, 100.0)
        refund = self.refund_service(sale)
        self.env.invalidate_all()
        self.assertLessEqual(
            self.cash_out(sale),
            100.0,
            f"the service paid 100.00 in cash and 100.00 of the guest's credit "
            f"was refunded {self.cash_out(sale):.2f} in cash by a cashier "
            f"(refund {refund})",
        )
        self.assertTrue(self.refused(refund), refund)

    def test_02_refund_to_ewallet_goes_through(self):
        """Stock's till: the service refunded, the eWallet button tops the
        guest's card up with the refund's value; nothing leaves in cash."""
        card = self.ewallet_card
        start = card.points
        sale = self.coded_sale(card, 100.0)
        refund = self.refund_service(sale, topup=200.0)
        self.assertIsInstance(refund, int, getattr(refund, "args", refund))
        self.confirm(refund, {card.id: self.coupon_vals(card, 200.0)})
        self.env.invalidate_all()
        self.assertEqual(self.cash_out(sale), 0.0)
        self.assertAlmostEqual(card.points, start + 100.0, 2)

    def test_03_cash_part_in_cash_credit_part_onto_the_card(self):
        card = self.ewallet_card
        sale = self.coded_sale(card, 100.0)
        refund = self.refund_service(sale, topup=100.0)
        self.assertIsInstance(refund, int, getattr(refund, "args", refund))
        self.env.invalidate_all()
        self.assertAlmostEqual(self.cash_out(sale), 100.0, 2)

    def test_04_too_small_a_top_up_is_refused(self):
        sale = self.coded_sale(self.ewallet_card, 100.0)
        refund = self.refund_service(sale, topup=99.0)
        self.assertTrue(self.refused(refund), refund)
        self.env.invalidate_all()
        self.assertEqual(self.cash_out(sale), 0.0)

    def test_05_a_manager_refunds_it_in_cash(self):
        sale = self.coded_sale(self.ewallet_card, 100.0)
        with self.as_manager():
            refund = self.refund_service(sale)
        self.assertIsInstance(refund, int, getattr(refund, "args", refund))
        self.env.invalidate_all()
        self.assertAlmostEqual(self.cash_out(sale), 200.0, 2)
