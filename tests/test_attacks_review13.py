# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a thirteenth review found: a card that holds less than its reward
spends keeps the points this very order earned to pay for it; a sale line
carrying a card and a points cost gives those points "back" when refunded;
stamps per unit earned by one line of a cent each; a country-less guest's
number recorded, and watched, as another country reads it.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up (and time passing) uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import ACCOMPLICE_NUMBER
from .test_attacks_review12 import Review12Case

GUEST_NUMBER = "+33612345678"


@tagged("post_install", "-at_install")
class TestReview13EarningsSpentAndKept(Review12Case):
    """The sync holds what the card holds, and lets the rest of a reward be
    paid by the points this order earns; the points call must take again
    only what was held. A card of 0 points spending 200 points that the
    same order earns keeps the 200 points as well: the reward is free and
    the earnings are counted twice."""

    def test_01_reward_paid_by_this_orders_points_and_the_points_kept(self):
        card = self.accomplice_loyalty  # 0 points; 200 points buy 5% off
        self.assertEqual(card.points, 0.0)
        reward = self.loyalty.reward_ids[:1]
        self.assertEqual(reward.required_points, 200)
        uuid = self.new_uuid()
        challenge = self.verified_code(
            uuid, [self.redemption(card, 200.0, amount=10.0)], partner=self.accomplice
        )
        lines = [
            self.product_line(self.service, 200.0),  # earns 200 points
            self.reward_line(card, 200.0, amount=10.0),
        ]
        data = self.order_data(
            lines, partner=self.accomplice, uuid=uuid, challenge_id=challenge.id
        )
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        # pos_loyalty would send 200 earned - 200 spent = 0; the cashier
        # sends the earnings alone.
        self.confirm(order, {card.id: self.coupon_vals(card, 200.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            1e-6,
            f"200 points earned paid the 5% reward and the card kept "
            f"{card.points:.0f} of them: 0 + 200 earned - 200 spent is 0",
        )


@tagged("post_install", "-at_install")
class TestReview13SaleLineRefundedAsReward(Review12Case):
    """A refund gives a refunded line's points back to its card when the
    line had a points cost: read on any line, not only reward lines. A hair
    pin synced with the accomplice's card and a points cost of 100, then
    refunded, pays 100.00 of e-wallet credit for a pin bought and returned."""

    def test_01_pin_refunded_credits_its_points_cost(self):
        card = self.accomplice_card  # 10.00 of credit
        start = card.points
        pin = self.product_line(self.cheap, 1.0)
        pin[2].update(coupon_id=card.id, points_cost=100.0)
        sale = self.sync(self.order_data([pin], partner=self.accomplice))
        self.assertIsInstance(sale, int, sale)
        self.confirm(sale, {})
        self.env.invalidate_all()
        line = self.env["pos.order"].browse(sale).lines
        data = self.order_data(
            [self.refund_line(self.cheap, 1.0, refunded=line)],
            partner=self.accomplice,
        )
        data["amount_total"] = data["amount_paid"] = -1.0
        data["payment_ids"][0][2]["amount"] = -1.0
        refund = self.sync(data)
        self.assertIsInstance(refund, int, refund)
        self.confirm(refund, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            start + 1e-6,
            f"a 1.00 pin bought and refunded in cash took the e-wallet from "
            f"{start:.2f} to {card.points:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview13StampsPerLine(Review12Case):
    """Below half its list price a line earns in proportion, rounded up per
    line: thirty lines of one service at 0.01 each earn a stamp each, thirty
    stamps for 0.30 (review 12's one line of 0.01, cut in thirty)."""

    def test_01_thirty_stamps_for_thirty_cents(self):
        rule = {"reward_point_mode": "unit", "reward_point_amount": 1}
        rule["product_ids"] = [Command.set(self.service.ids)]
        stamps = self._program(
            "Stamp card", "loyalty", rule_ids=[Command.clear(), Command.create(rule)]
        )
        card = self.env["loyalty.card"].create(
            {"program_id": stamps.id, "partner_id": self.accomplice.id}
        )
        lines = [self.product_line(self.service, 0.01) for _i in range(30)]
        order = self.sync(self.order_data(lines, partner=self.accomplice))
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, 30.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            1.0,
            f"{card.points:.0f} stamps of a 200.00 service for 0.30 in all",
        )


@tagged("post_install", "-at_install")
class TestReview13ReadInTheWrongCountry(Review12Case):
    """A country-less guest's number is read with the current company's
    country when it reads it: a cashier of the French salon and a German one
    writes the guest's mobile with the German company current. Both numbers
    read as German ones, so the change is recorded with the German reading
    of the old number: the alert and, during the watch, the guest's codes go
    to +49 6 12 34 56 78, a number nobody has, never to the guest's French
    mobile. After the watch, the French salon sends codes to the accomplice."""

    def test_01_mobile_written_from_a_company_that_reads_it_otherwise(self):
        guest, card = self.mobile_moved_abroad("base.de", "Salon in Berlin")
        _result, _code = self.request_code(
            partner_id=guest.id, redemptions=[self.redemption(card, 40.0)]
        )
        told = {sms["number"] for sms in self._sms}
        self.assertIn(
            GUEST_NUMBER,
            told,
            f"the guest's mobile heard neither the alert nor the code, sent to "
            f"{told} (the accomplice is {ACCOMPLICE_NUMBER})",
        )
