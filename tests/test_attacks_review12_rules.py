# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes of the twelfth review that needed a change of rule: earnings that
excuse a held spend on one card and credit another card as well; a reward
line the points call moves to the accomplice's card, whose refund then
credits it; stamps for units sold at a cent; a guest's mobile written from
another company whose country reads neither number.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .attack_common import ACCOMPLICE_NUMBER
from .test_attacks_review12 import Review12Case


@tagged("post_install", "-at_install")
class TestReview12EarningsTwice(Review12Case):
    """The points call may take less than the sync held on a card when the
    order earns on that card ("less what the order earns on it"), and it may
    credit the program's other cards up to what the order earns: the same
    earnings count twice. A gift card spent on a new gift card is never
    debited and the new card is funded as well; no code is ever asked."""

    def test_01_gift_card_spent_on_a_gift_card_is_never_debited(self):
        card = self.gift_card_card  # a bearer card of 50.00: no code, no guest
        start = card.points
        lines = [
            self.product_line(self.gift_product, 50.0),
            self.product_line(self.cheap, 1.0),
            self.reward_line(card, 50.0),
        ]
        order = self.sync(self.order_data(lines, partner=self.accomplice))
        self.assertIsInstance(order, int, order)
        # The points call names the new card only: the spent card is left as
        # it was before the sync's hold.
        self.confirm(
            order, {-1: self.new_card_vals(self.gift_card, 50.0, None, "R12-GIFT-1")}
        )
        self.env.invalidate_all()
        made = self.made_by(order, self.gift_card)
        total = card.points + sum(made.mapped("points"))
        self.assertLessEqual(
            total,
            start + 1e-6,
            f"{start:.2f} of gift card spent on a 50.00 gift card left "
            f"{total:.2f} of gift cards ({card.points:.2f} on the spent one)",
        )

    def test_02_ewallet_spent_on_a_top_up_credited_to_a_new_card(self):
        """With the accomplice's own code: credit paid by credit, doubled."""
        card = self.accomplice_card  # 10.00
        start = card.points
        uuid = self.new_uuid()
        challenge = self.verified_code(
            uuid, [self.redemption(card, 10.0)], partner=self.accomplice
        )
        lines = [
            self.product_line(self.topup, 10.0),
            self.product_line(self.cheap, 1.0),
            self.reward_line(card, 10.0),
        ]
        data = self.order_data(
            lines, partner=self.accomplice, uuid=uuid, challenge_id=challenge.id
        )
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(
            order, {-1: self.new_card_vals(self.ewallet, 10.0, self.accomplice)}
        )
        self.env.invalidate_all()
        credit = card.points + sum(self.made_by(order, self.ewallet).mapped("points"))
        self.assertLessEqual(
            credit,
            start + 1e-6,
            f"10.00 of credit paid a 10.00 top-up and the guest holds {credit:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview12RewardLineMoved(Review12Case):
    """pos_loyalty's points call sets the card of the reward lines its
    `line_codes` name: named under the accomplice's card (with 0 points),
    the guest's coded spend is that card's from then on, and a refund of it
    gives the guest's points back there."""

    def test_01_guests_spend_refunded_onto_the_accomplices_card(self):
        card, other = self.ewallet_card, self.accomplice_card
        start = other.points
        order = self.coded_spend(card, 100.0, self.guest)  # the guest's real visit
        self.assertIsInstance(order, int, order)
        sale = self.env["pos.order"].browse(order)
        reward = sale.lines.filtered("reward_id")
        codes = [reward.reward_identifier_code]
        self.confirm(
            order,
            {
                card.id: self.coupon_vals(card, -100.0),
                other.id: self.coupon_vals(other, 0.0, line_codes=codes),
            },
        )
        self.company.redeem_otp_min_amount = 20.0
        back = self.reward_line(other, -100.0, 100.0)
        back[2].update(
            qty=-1,
            price_subtotal=100.0,
            price_subtotal_incl=100.0,
            refunded_orderline_id=reward.id,
        )
        lines = [self.refund_line(self.service, 200.0, refunded=sale.lines - reward)]
        data = self.order_data([*lines, back], partner=self.accomplice)
        data["amount_total"] = data["amount_paid"] = -100.0
        data["payment_ids"][0][2]["amount"] = -100.0
        self.sync_and_confirm(data, other, 100.0)
        self.env.invalidate_all()
        self.assertLessEqual(
            other.points,
            start + 1e-6,
            f"the guest's 100 points came back on the accomplice's card "
            f"({start:.2f} -> {other.points:.2f}); the guest's holds {card.points:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview12UnitsForACent(Review12Case):
    """Units sold for nothing earn nothing per unit, but a unit counts when
    its line's total is a cent: three hundred services on one line of 0.01
    earn three hundred stamps (review 10's attack, one cent dearer)."""

    def test_01_three_hundred_stamps_for_one_cent(self):
        rule = {"reward_point_mode": "unit", "reward_point_amount": 1}
        rule["product_ids"] = [Command.set(self.service.ids)]
        stamps = self._program(
            "Stamp card", "loyalty", rule_ids=[Command.clear(), Command.create(rule)]
        )
        card = self.env["loyalty.card"].create(
            {"program_id": stamps.id, "partner_id": self.accomplice.id}
        )
        line = self.product_line(self.service, 0.01 / 300, qty=300)
        line[2].update(price_subtotal=0.01, price_subtotal_incl=0.01)
        self.sync_and_confirm(
            self.order_data([line], partner=self.accomplice), card, 300.0
        )
        self.env.invalidate_all()
        self.assertLessEqual(card.points, 1.0, f"{card.points} stamps for 0.01")


@tagged("post_install", "-at_install")
class TestReview12ReadAbroad(Review12Case):
    """A contact change is recorded when the number, read in E.164 with the
    guest's country or else the cashier's current company's, moves. A
    cashier of two salons writes a country-less guest's mobile from the other
    company, whose country reads neither the old number nor the new one:
    nothing moved, no watch, no alert, and the salon's codes go to the new
    number."""

    def test_01_mobile_written_from_a_company_that_reads_neither_number(self):
        guest, card = self.mobile_moved_abroad("base.us", "Salon in Boston")
        _result, code = self.request_code(
            partner_id=guest.id, redemptions=[self.redemption(card, 40.0)]
        )
        told = {sms["number"] for sms in self._sms}
        self.assertFalse(
            code and ACCOMPLICE_NUMBER in told,
            f"the guest's code went to the number the cashier set: {told}",
        )


@tagged("post_install", "-at_install")
class TestReview12DormantReadAbroad(Review12Case):
    """A card whose program has no company was dormant or not by the delay of
    the user's current company: a cashier whose own company is the other
    salon, whose delay is off, spends at this center a card asleep for 200
    days with the override code."""

    def test_01_dormant_card_spent_with_the_override_by_another_salons_cashier(self):
        self.set_override_code()
        other = self.env["res.company"].create(
            {"name": "Salon across town", "redeem_otp_dormant_days": 0}
        )
        self.pos_user.write({"company_ids": [Command.link(other.id)]})
        self.pos_user.company_id = other
        program = self._program(
            "Shared credit",
            "ewallet",
            company_id=False,
            currency_id=self.company.currency_id.id,
        )
        card = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": self.guest.id, "points": 100.0}
        )
        self.make_dormant(card)
        self.assertTrue(card._redeem_otp_dormant(self.company), "the set-up needs it")
        uuid = self.new_uuid()
        result, _code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, 50.0, program=program)]
        )
        challenge_id = result.get("challenge_id") or result["error"]["challenge_id"]
        with self.mockSMSGateway(), self.mock_mail_gateway():
            verified = self.verify_override(challenge_id, "Guest forgot the phone")
            if verified.get("state") == "verified":
                lines = self.spending_lines(card, 50.0, program=program)
                data = self.order_data(lines, uuid=uuid, challenge_id=challenge_id)
                order = self.sync(data)
                if isinstance(order, int):
                    self.confirm(order, {card.id: self.coupon_vals(card, -50.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            100.0,
            msg="a balance asleep for 200 days was spent with the override code "
            "by a cashier whose own company is a salon with no dormancy delay",
        )
