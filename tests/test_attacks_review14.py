# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a fourteenth review found: earnings per unit or per order counted
on a product's own lines whatever the order paid, a give-back of another
product paying for them; a reward paid, on no card, by points this very
order earns while the card keeps them; a top-up paid by the card's own
credit and refunded, its earnings netted away so that the refund takes none
back; the points of an archived or ended program spent.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .test_attacks_review12 import Review12Case


@tagged("post_install", "-at_install")
class TestReview14StampsNobodyPaidFor(Review12Case):
    """Money earns at most what the order paid; units earn per product, each
    product's own lines netted, whatever the order paid. Thirty services at
    their list price and a "give-back" of 5,990.00 of hair pins (a line of
    -1, no refund of any sale) make an order of 10.00 that earns thirty
    stamps: thirty services' stamps for 10.00."""

    def test_01_thirty_stamps_for_ten_paid(self):
        rule = {"reward_point_mode": "unit", "reward_point_amount": 1}
        rule["product_ids"] = [Command.set(self.service.ids)]
        stamps = self._program(
            "Stamp card", "loyalty", rule_ids=[Command.clear(), Command.create(rule)]
        )
        card = self.env["loyalty.card"].create(
            {"program_id": stamps.id, "partner_id": self.accomplice.id}
        )
        lines = [self.product_line(self.service, 200.0, qty=30)]
        lines.append(self.product_line(self.cheap, 5990.0, qty=-1))
        data = self.order_data(lines, partner=self.accomplice)
        self.assertAlmostEqual(data["amount_total"], 10.0)
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, 30.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            1.0,
            f"{card.points:.0f} stamps of a 200.00 service for an order of 10.00 "
            "(at most one service's worth was paid)",
        )

    def test_02_next_order_coupon_for_a_cent(self):
        """The same give-back under a rule per order with a minimum: "200.00
        of services" read on the services alone, for an order of 0.01."""
        self.next_order.rule_ids.product_ids = self.service
        lines = [
            self.product_line(self.service, 200.0),
            self.product_line(self.cheap, 199.99, qty=-1),
        ]
        data = self.order_data(lines, partner=self.accomplice)
        self.assertAlmostEqual(data["amount_total"], 0.01)
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(
            order, {-1: self.new_card_vals(self.next_order, 1.0, self.accomplice)}
        )
        made = self.made_by(order, self.next_order)
        self.assertFalse(
            made.filtered("points"),
            "a 15% next-order coupon (minimum 100.00 of services) minted by an "
            "order of 0.01",
        )


@tagged("post_install", "-at_install")
class TestReview14CardlessRewardKeptOnCard(Review12Case):
    """A reward line with no card may spend points this very order earns
    (`_redeem_otp_check_cardless`), but nothing then takes those points off
    what the points call may credit: the guest's card keeps all the order
    earns, and the reward was free. The salon protects its e-wallet, not its
    loyalty program (a choice the settings offer), so no code is asked; the
    earning bound is the only check."""

    def test_01_reward_paid_by_earnings_that_the_card_keeps(self):
        self.loyalty.redeem_otp_required = False
        card = self.accomplice_loyalty  # 0 points; 200 points buy 5% off
        self.assertEqual(card.points, 0.0)
        reward = self.loyalty.reward_ids[:1]
        self.assertEqual(reward.required_points, 200)
        lines = [
            self.product_line(self.service, 200.0),  # earns 200 points
            self.reward_line(None, 200.0, amount=10.0, program=self.loyalty),
        ]
        order = self.sync(self.order_data(lines, partner=self.accomplice))
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, 200.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            1e-6,
            f"200 points earned paid the 5% reward (10.00 off) and the card kept "
            f"{card.points:.0f} of them: 0 + 200 earned - 200 spent is 0",
        )


@tagged("post_install", "-at_install")
class TestReview14RefundOfNettedEarnings(Review12Case):
    """A refund takes back the credit its refunded order's points call added
    to a card (`redeem_otp_points_moved`), and gives back the points its
    refunded reward lines spent. The points call records a card's net move:
    a top-up paid with the card's own credit moves it by 0 (earned 100, spent
    100), so nothing is recorded as earned. Refunding both lines then gives
    the 100 spent back and takes none of the 100 earned: 100.00 of credit for
    a pin."""

    def test_01_top_up_paid_by_credit_refunded_doubles_the_credit(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.accomplice_card
        card.points = 100.0
        uuid = self.new_uuid()
        challenge = self.verified_code(
            uuid, [self.redemption(card, 100.0)], partner=self.accomplice
        )
        lines = [
            self.product_line(self.topup, 100.0),
            self.product_line(self.cheap, 1.0),
            self.reward_line(card, 100.0),
        ]
        data = self.order_data(
            lines, partner=self.accomplice, uuid=uuid, challenge_id=challenge.id
        )
        sale = self.sync(data)
        self.assertIsInstance(sale, int, sale)
        # As pos_loyalty sends it: 100 earned, 100 spent.
        self.assertFalse(
            self.refused(self.confirm(sale, {card.id: self.coupon_vals(card, 0.0)}))
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, 100.0, msg="the set-up needs the sale")
        sold = self.env["pos.order"].browse(sale).lines
        topup = sold.filtered(lambda line: line.product_id == self.topup)
        reward = sold.filtered("reward_id")
        back = self.reward_line(card, -100.0, 100.0)
        back[2].update(
            qty=-1,
            price_subtotal=100.0,
            price_subtotal_incl=100.0,
            refunded_orderline_id=reward.id,
        )
        data = self.order_data(
            [self.refund_line(self.topup, 100.0, refunded=topup), back],
            partner=self.accomplice,
        )
        self.assertEqual(data["amount_total"], 0.0)
        refund = self.sync(data)
        if isinstance(refund, int):  # (a top-up is now a manager's to refund)
            self.confirm(refund, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            100.0 + 1e-6,
            f"a top-up paid with the card's 100.00 and refunded (nothing paid "
            f"back in cash) left the card with {card.points:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview14EndedProgramSpent(Review12Case):
    """A salon ends a program by archiving it or by its end date: pos_loyalty
    no longer loads it and its own check (`validate_coupon_programs`) drops
    the cards of archived programs. The server refuses an archived card, not
    a card of an ended program: the code route asks a code for it (programs
    are read archived or not) and the sync and the points call spend it."""

    def spend_ended(self, end):
        card = self.accomplice_loyalty
        card.points = 200.0
        reward_line = self.reward_line(card, 200.0, amount=10.0)
        end(self.loyalty)
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid,
            partner_id=self.accomplice.id,
            redemptions=[self.redemption(card, 200.0, amount=10.0)],
        )
        if code and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            data = self.order_data(
                [self.product_line(self.service, 200.0), reward_line],
                partner=self.accomplice,
                uuid=uuid,
                challenge_id=result["challenge_id"],
            )
            order = self.sync(data)
            if isinstance(order, int):
                self.confirm(order, {card.id: self.coupon_vals(card, -200.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            200.0,
            msg=f"the salon ended its loyalty program, yet its points bought "
            f"10.00 off a service (card {200.0:.0f} -> {card.points:.0f})",
        )

    def test_01_archived_program(self):
        self.spend_ended(lambda program: program.action_archive())

    def test_02_program_past_its_end_date(self):
        yesterday = fields.Date.today() - timedelta(days=1)
        self.spend_ended(lambda program: program.write({"date_to": yesterday}))
