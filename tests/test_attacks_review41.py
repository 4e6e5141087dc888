# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 41: the refund take-back path, around review 40's lock on dormant
and expired credit.

- A refunded reward line gives back "what the refunded reward lines took
  from the card" (`pos.order.line._redeem_otp_given_back`): the sale's
  allowance once its points call ran, else what its sync holds
  (`redeem_otp_taken_back`). But a sync's hold is not only what its reward
  lines spend: for a refund it is also the credit the refund takes back
  (`loyalty.card._redeem_otp_hold_for`). An exchange that refunds the
  guest's top-up in cash and spends 1.00 of their credit on a small service,
  its points call left out, holds 101.00; refunding its 1.00 reward line
  gives the whole 101.00 back to the card. The top-up's 100.00 is cash in
  hand and credit on the card: credit from nothing.
- A gift card's take-back is the bearer's and passes every lock
  (`_redeem_otp_check_take_back`): the same exchange on a gift card works
  at a center that asks codes. (Netting a dormant card's top-up against
  such a give-back in one refund is stopped by stock: one refund, one
  refunded order.)

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo.tests import tagged

from .test_attacks_review40 import Review40Case


class Review41Case(Review40Case):
    def setUp(self):
        super().setUp()
        # A center that asks no codes: a live card's top-up may be refunded
        # at the till (review 40 keeps dormant and expired ones a manager's).
        self.config.redeem_otp_required = False
        self.card = self.ewallet_card

    def exchange_holding_the_top_up(self, topup_line):
        """The guest's top-up refunded in cash, with a 1.00 service paid by
        1.00 of their credit, synced paid; its points call left out. The
        sync holds the take-back and the spend: 101.00."""
        order = self.sync(
            self.order_data(
                [
                    self.refund_line(self.topup, 100.0, refunded=topup_line),
                    self.product_line(self.service, 1.0),
                    self.reward_line(self.card, 1.0, amount=1.0),
                ],
                partner=self.guest,
            )
        )
        self.assertIsInstance(order, int, order)
        self.env.invalidate_all()
        return self.env["pos.order"].browse(order)

    def reward_refunded(self, exchange, more=()):
        """The exchange's 1.00 reward line refunded (its discount repaid),
        with `more` lines, and the points call as the POS would send it
        for what the server says the refund gives back."""
        reward = exchange.lines.filtered("reward_id")
        with self.mockSMSGateway(), self.mock_mail_gateway():
            refund = self.sync(
                self.order_data(
                    [self.reward_refund_line(reward), *more], partner=self.guest
                )
            )
            self.assertIsInstance(refund, int, refund)
            order = self.env["pos.order"].browse(refund)
            net = order.lines._redeem_otp_refund_net(self.card)
            result = self.confirm(
                refund, {self.card.id: self.coupon_vals(self.card, net)}
            )
        self.env.invalidate_all()
        return refund, result


@tagged("post_install", "-at_install")
class TestReview41HeldTakeBackGivenBackByAReward(Review41Case):
    def test_01_refunded_top_up_comes_back_with_a_one_point_reward(self):
        start = self.card.points
        topup = self.top_up(self.card, 100.0)
        self.assertAlmostEqual(self.card.points, start + 100.0)
        exchange = self.exchange_holding_the_top_up(topup)
        self.assertAlmostEqual(
            self.card.points, start - 1.0, msg="set-up: the sync held 101.00"
        )
        refund, result = self.reward_refunded(exchange)
        paid = sum(
            self.env["pos.order"]
            .browse([topup.order_id.id, exchange.id, refund])
            .mapped("amount_total")
        )
        # Honest end: the top-up gone back in cash, the 1.00 spent given back.
        self.assertAlmostEqual(
            self.card.points,
            start,
            msg=f"a 100.00 top-up refunded in cash, and a 1.00 reward refunded "
            f"(the guest paid {paid:.2f} in all): the card went from {start:.2f} "
            f"to {self.card.points:.2f} ({result})",
        )

    def test_02_gift_card_refunded_at_a_center_asking_codes(self):
        """A gift card's take-back is the bearer's, under any center's lock:
        the same exchange at a center asking codes, on a 50.00 gift card."""
        self.config.redeem_otp_required = True
        sale = self.sync(
            self.order_data(
                [self.product_line(self.gift_product, 50.0)], partner=self.accomplice
            )
        )
        self.assertIsInstance(sale, int, sale)
        vals = self.new_card_vals(self.gift_card, 50.0, self.accomplice, "R41-G")
        self.assertFalse(self.refused(self.confirm(sale, {-1: vals})))
        gift = self.made_by(sale, self.gift_card)
        self.assertAlmostEqual(gift.points, 50.0, msg="set-up: the gift card sold")
        sold = self.env["pos.order"].browse(sale).lines
        exchange = self.sync(
            self.order_data(
                [
                    self.refund_line(self.gift_product, 49.0, refunded=sold),
                    self.product_line(self.service, 1.0),
                    self.reward_line(gift, 1.0, amount=1.0),
                ],
                partner=self.accomplice,
            )
        )
        self.assertIsInstance(exchange, int, exchange)
        self.env.invalidate_all()
        self.assertAlmostEqual(gift.points, 0.0, msg="set-up: the sync held 50.00")
        reward = self.env["pos.order"].browse(exchange).lines.filtered("reward_id")
        refund = self.sync(
            self.order_data([self.reward_refund_line(reward)], partner=self.accomplice)
        )
        self.assertIsInstance(refund, int, refund)
        net = self.env["pos.order"].browse(refund).lines._redeem_otp_refund_net(gift)
        result = self.confirm(refund, {gift.id: self.coupon_vals(gift, net)})
        self.env.invalidate_all()
        cash = -self.env["pos.order"].browse(exchange).amount_total
        # Honest end: 50.00 sold, 49.00 refunded, 1.00 spent then given back.
        self.assertAlmostEqual(
            gift.points,
            1.0,
            msg=f"a 50.00 gift card refunded for {cash:.2f} in cash, and a 1.00 "
            f"reward paid by it refunded: the card holds {gift.points:.2f} ({result})",
        )
