# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 49: a refund's take-back "covered" by credit the refund gives back.

Same harness as the attack tests (tests/attack_common.py): the cashier (the
POS user, group_pos_user) over JSON-RPC, stock's till payloads; only the
set-up uses the superuser. The salon's loyalty program earns a point per 1.00
on any product (stock's default rule).

- Loyalty points farmed by exchanging a service for a gift card, round after
  round, with no money and no code (`pos.order.line._redeem_otp_check_take_back`
  and `loyalty.card._redeem_otp_check_moves`, through
  `loyalty.card._redeem_otp_earn_new` / `loyalty.program._redeem_otp_earn_bound
  (new_only=True)`). A guest pays 100.00 cash for a service (100 points). The
  cashier "exchanges" it for a 100.00 gift card (the refund line and a gift
  card line, 0.00 to pay): the take-back of 100 is "covered" by what the new
  line earns, the gift card line being a sale under an any-product rule, so no
  manager is asked and the points call leaves the card at 100. The gift card,
  a bearer card (no code), then pays for a new service, which earns 100 more
  (credit spent is no discount, as in stock); that service is exchanged for a
  gift card again, and so on. Each round adds 100 points; the guest paid
  100.00 once, holds a 100.00 gift card and no service. A refund to e-wallet
  (test_02: the till's own eWallet button, a top-up line in the refund) does
  the same, the credit then spent with the accomplice-guest's own code.
  Why it is wrong: the new line of such a refund is no new sale, it is the
  refunded money handed back as stored value, which earns again when spent;
  under the take-back rule (a pure refund takes back what the refunded lines
  earned) the guest would have lost the 100. Fix: in the new lines' earnings
  that settle a take-back (`_redeem_otp_earn_new`, the sync's `new_left` and
  the points call's `kept`), leave out lines that sell stored value (gift card
  and e-wallet trigger products, i.e. lines whose product is a trigger of a
  gift_card/ewallet program), or count only money newly paid for them; a
  refund to stored value then takes the points back (a manager where the
  cashier's refund is under the lock).
- E-wallet credit bought with a debt, in two steps (review 46's lock,
  `pos.order._redeem_otp_on_account`, read only for the order that earns).
  The cashier sells the accomplice a 100.00 service on the till's Customer
  Account (a debt nobody settles; it earns no points, as review 46 wants),
  then refunds that service to e-wallet (the till's eWallet button: the
  refund line and a 100.00 top-up line, 0.00 to pay). The refund's top-up is
  "paid" by the refunded line (`loyalty.program._redeem_otp_earn_bound`: a
  refund's lines pay for credit), and nothing looks at how the refunded sale
  was paid: the accomplice's e-wallet gains 100.00, the salon received
  nothing. `_redeem_otp_check_credit_refund` only looks for credit that paid
  the sale. Fix: a refunded line pays for new credit only in the share of its
  sale that was really paid (its order's `_redeem_otp_on_account` share
  taken off, as read when that sale was made by a cashier), e.g. subtract it
  from the refund's `back` money in `_redeem_otp_earn_bound`; or refuse a
  cashier's refund to stored value of a sale paid on account.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import PAID_STATES, TopUpAttackCase
from .till_common import GuestTillCase


class Review49Case(GuestTillCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.loyalty.rule_ids.write(
            {
                "reward_point_mode": "money",
                "reward_point_amount": 1.0,
                "minimum_amount": 0.0,
                "minimum_qty": 0,
            }
        )
        cls.gift_product = env["product.product"].create(
            {
                "name": "Gift card 100",
                "available_in_pos": True,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.gift_card.rule_ids.product_ids = cls.gift_product

    def gift_cards(self):
        return self.env["loyalty.card"].search(
            [
                ("program_id", "=", self.gift_card.id),
                ("id", "!=", self.gift_card_card.id),
            ]
        )

    def service_for_gift_card(self, sale, round_no):
        """The sale's service exchanged for a 100.00 gift card; the till nets
        the loyalty lines (0) and sells a new gift card. The service's points
        are taken back: the cashier's exchange is refused (a manager's, for
        points turned into stored value), so a manager makes it."""
        lines = [
            self.refund_of(sale.lines.filtered(lambda line: not line.reward_id)),
            self.product_line(self.gift_product, 100.0),
        ]
        data = self.order_data(lines, partner=self.lea)
        data["payment_ids"] = []
        self.assertTrue(self.refused(self.sync(data)), "the cashier's exchange")
        exchange = self.paid_order(lines, manager=True)
        self.points_call(
            exchange,
            {
                self.card.id: self.till_vals(self.card, 0.0),
                -1: {
                    "points": 100.0,
                    "program_id": self.gift_card.id,
                    "coupon_id": -1,
                    "barcode": f"REV49-GIFT-{round_no:04d}",
                    "line_codes": [],
                },
            },
            manager=True,
        )
        return self.gift_cards().filtered(lambda c: c.points > 0)


@tagged("post_install", "-at_install")
class TestReview49StoredValueCoversTakeBack(Review49Case):
    def test_01_service_to_gift_card_round_after_round(self):
        # 100.00 cash, once: a service earning 100 points.
        sale = self.paid_order([self.product_line(self.service, 100.0)])
        self.points_call(sale, {self.card.id: self.till_vals(self.card, 100.0)})
        self.assertAlmostEqual(self.card.points, 100.0, msg="set-up: the sale")
        gift = self.service_for_gift_card(sale, 0)
        self.assertEqual(len(gift), 1, "the exchange sold a gift card")
        for round_no in range(1, 4):
            # The bearer gift card pays for a new service (no code), which
            # earns its points as a service paid with credit does.
            reward = self.reward_line(gift, 100.0, program=self.gift_card)
            sale = self.paid_order([self.product_line(self.service, 100.0), reward])
            self.points_call(
                sale,
                {
                    self.card.id: self.till_vals(self.card, 100.0),
                    gift.id: self.coupon_vals(
                        gift, -100.0, line_codes=[reward[2]["reward_identifier_code"]]
                    ),
                },
            )
            self.assertAlmostEqual(gift.points, 0.0, msg="set-up: the card is spent")
            gift = self.service_for_gift_card(sale, round_no)
        self.env.invalidate_all()
        stored = sum(self.gift_cards().mapped("points"))
        self.assertAlmostEqual(stored, 100.0, msg="the guest holds one gift card")
        # 100.00 paid in all, no service kept, a 100.00 gift card: at most the
        # 100 points its cash bought.
        self.assertLessEqual(
            self.card.points,
            100.0 + 1e-6,
            f"{self.card.points:.2f} loyalty points for 100.00 paid, with no "
            "service kept: each exchange for a gift card keeps the points",
        )

    def test_02_refund_to_ewallet_round_after_round(self):
        sale = self.paid_order([self.product_line(self.service, 100.0)])
        self.points_call(sale, {self.card.id: self.till_vals(self.card, 100.0)})
        for _round in range(3):
            # The till's refund to e-wallet: the service back, a top-up line.
            service = sale.lines.filtered(lambda line: not line.reward_id)
            lines = [self.refund_of(service), self.product_line(self.topup, 100.0)]
            # The cashier's is refused: the service's points turned into
            # credit are a manager's to refund.
            data = self.order_data(lines, partner=self.lea)
            data["payment_ids"] = []
            self.assertTrue(self.refused(self.sync(data)), "the cashier's refund")
            refund = self.paid_order(lines, manager=True)
            self.points_call(
                refund,
                {
                    self.card.id: self.till_vals(self.card, 0.0),
                    self.wallet.id: self.till_vals(self.wallet, 100.0),
                },
                manager=True,
            )
            self.assertAlmostEqual(self.wallet.points, 100.0, msg="refunded to credit")
            # The guest spends the credit on a service, with their own code.
            uuid = self.new_uuid()
            challenge = self.verified_code(
                uuid, [self.redemption(self.wallet, 100.0)], partner=self.lea
            )
            reward = self.reward_line(self.wallet, 100.0)
            data = self.order_data(
                [self.product_line(self.service, 100.0), reward],
                partner=self.lea,
                uuid=uuid,
            )
            data["payment_ids"] = []
            data["redeem_otp_challenge_id"] = challenge.id
            order = self.sync(data)
            self.assertIsInstance(order, int, f"the coded sale was refused: {order}")
            sale = self.env["pos.order"].browse(order)
            self.points_call(
                sale,
                {
                    self.card.id: self.till_vals(self.card, 100.0),
                    self.wallet.id: self.till_vals(
                        self.wallet,
                        -100.0,
                        line_codes=[reward[2]["reward_identifier_code"]],
                    ),
                },
            )
        self.env.invalidate_all()
        self.assertLessEqual(
            self.card.points,
            200.0 + 1e-6,
            f"{self.card.points:.2f} loyalty points for 100.00 paid (at most 100 "
            "for the service, 100 for the credit spent): each refund to e-wallet "
            "keeps the refunded service's points",
        )


@tagged("post_install", "-at_install")
class TestReview49DebtIntoCredit(TopUpAttackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's default till set-up: Cash, Card and Customer Account.
        cls.customer_account = cls.env["pos.payment.method"].create(
            {"name": "Customer Account", "split_transactions": True}
        )
        cls.config.with_context(
            bypass_payment_method_ids_forbidden_change=True
        ).payment_method_ids = [Command.link(cls.customer_account.id)]

    def money_received(self):
        self.env.invalidate_all()
        return sum(
            payment.amount
            for order in self.new_orders()
            if order.state in PAID_STATES
            for payment in order.payment_ids
            if payment.payment_method_id.type != "pay_later"
        )

    def test_03_service_on_account_refunded_to_ewallet(self):
        wallet = self.accomplice_card
        start = wallet.points
        data = self.order_data(
            [self.product_line(self.service, 100.0)], partner=self.accomplice
        )
        data["payment_ids"][0][2]["payment_method_id"] = self.customer_account.id
        sale = self.sync(data)
        self.assertIsInstance(sale, int, f"set-up: the sale on account: {sale}")
        self.confirm(sale, {})
        line = self.env["pos.order"].browse(sale).lines
        refund = self.order_data(
            [
                self.refund_line(self.service, 100.0, refunded=line),
                self.product_line(self.topup, 100.0),
            ],
            partner=self.accomplice,
        )
        refund["payment_ids"] = []
        refund = self.sync(refund)
        result = None
        if isinstance(refund, int):
            result = self.confirm(refund, {wallet.id: self.coupon_vals(wallet, 100.0)})
        self.env.invalidate_all()
        gained = wallet.points - start
        self.assertLessEqual(
            gained,
            self.money_received() + 1e-6,
            f"{gained:.2f} of e-wallet credit for {self.money_received():.2f} "
            "received: a service sold on account, refunded to e-wallet (refund: "
            f"{getattr(refund, 'args', refund)}; points call: "
            f"{getattr(result, 'args', result)})",
        )
