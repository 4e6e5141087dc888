# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a third review found: the override made silent by the guest's contact,
small spends hidden by the write that marks an order paid, and the sync's
hold skipped after a first sync that left the order unpaid.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose.
"""

from odoo.tests import tagged

from .attack_common import ACCOMPLICE_MOBILE, ACCOMPLICE_NUMBER, TopUpAttackCase

GUEST_NUMBER = "+33612345678"
GUEST_EMAIL = "camille.martin@example.com"


@tagged("post_install", "-at_install")
class TestReview3SilentOverride(TopUpAttackCase):
    """The override is recorded and the guest told: a cashier edits the contact first."""

    def setUp(self):
        super().setUp()
        # Contact Creation, as Odoo's default internal user template grants it.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        self.set_override_code()

    def override_after_edit(self, contact):
        """The cashier writes the guest's contact, asks for a code, uses the override."""
        self.attempt("res.partner", "write", [self.guest.id], contact)
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            result = self.rpc("challenge", **self.challenge_params())
            challenge_id = result.get("challenge_id") or result.get("error", {}).get(
                "challenge_id"
            )
            self.assertTrue(challenge_id, result)
            verified = self.verify_override(challenge_id, "Guest forgot the phone")
            self.assertEqual(verified.get("state"), "verified", verified)
            return result, self.heard()

    def test_01_blanked_contact_still_sends_the_code_to_the_previous_one(self):
        """README: under the contact-change watch the code goes to the previous
        destination; only when none can receive it does the override remain."""
        self.attempt(
            "res.partner", "write", [self.guest.id], {"mobile": False, "email": False}
        )
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            result = self.rpc("challenge", **self.challenge_params())
        self.assertNotIn(
            "error",
            result,
            "blanking the guest's contact turned the request into an override-only one",
        )
        self.assertIn(GUEST_NUMBER, {sms["number"] for sms in self._sms})

    def test_02_override_after_a_blanked_contact_is_told_to_the_guest(self):
        _result, heard = self.override_after_edit({"mobile": False, "email": False})
        self.assertTrue(
            heard & {GUEST_NUMBER, GUEST_EMAIL},
            f"the guest was never told of the override (messages went to {heard})",
        )

    def test_03_override_notice_does_not_go_to_the_number_staff_just_set(self):
        result, heard = self.override_after_edit(
            {"mobile": ACCOMPLICE_MOBILE, "email": "alex.accomplice@example.com"}
        )
        self.assertNotIn("error", result, result)  # the code went to the old mobile
        codes_and_notices = [sms["number"] for sms in self._sms]
        self.assertEqual(
            codes_and_notices.count(GUEST_NUMBER),
            2,
            f"the guest got the code but not the override notice: {codes_and_notices}",
        )
        self.assertNotIn(
            ACCOMPLICE_NUMBER, heard, "the override notice went to the staff's number"
        )

    def test_04_balance_notice_after_an_override_reaches_the_guest(self):
        """The whole silent spend: the override, the order, the points call."""
        card = self.ewallet_card
        self.attempt(
            "res.partner", "write", [self.guest.id], {"mobile": False, "email": False}
        )
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            self.override_whatever_was_sent(card, 40.0, self.guest)
            heard = self.heard()
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, 110.0, msg="the spend went through")
        self.assertTrue(
            heard & {GUEST_NUMBER, GUEST_EMAIL},
            f"40.00 of credit spent by override, the guest heard nothing ({heard})",
        )


@tagged("post_install", "-at_install")
class TestReview3PaidWrite(TopUpAttackCase):
    """The write that marks a draft order paid is checked before its other values."""

    def test_01_drain_hidden_by_the_guest_swapped_in_the_paid_write(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        start = card.points
        for _i in range(4):
            data = self.order_data(self.spending_lines(card, 19.0), state="draft")
            order = self.sync(data)
            self.assertIsInstance(order, int, order)
            self.attempt(
                "pos.order",
                "write",
                [order],
                {"state": "paid", "partner_id": self.accomplice.id},
            )
            self.confirm(order, {card.id: self.coupon_vals(card, -19.0)})
        self.env.invalidate_all()
        self.assertGreaterEqual(
            card.points,
            start - 19.0 - 1e-6,
            "four spends of 19.00 without a code under a 20.00 minimum",
        )


@tagged("post_install", "-at_install")
class TestReview3HoldSkipped(TopUpAttackCase):
    """The sync holds points once per order: a first sync that leaves the order
    unpaid (stock swallows "not fully paid") sets the hold, and a second sync of
    the same order with other lines is then held no more."""

    def underpaid_first_sync(self, uuid, partner):
        """A sync marked paid but paid 0: the check runs and holds 1 point of a
        gift card (no code), stock leaves the order in draft."""
        data = self.order_data(
            [
                self.product_line(self.cheap, 1.0),
                self.reward_line(self.gift_card_card, 1.0),
            ]
            + [self.product_line(self.service, 200.0)],
            partner=partner,
            uuid=uuid,
        )
        data["payment_ids"] = []
        data["amount_paid"] = 0.0
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.env.invalidate_all()
        record = self.env["pos.order"].browse(order)
        self.assertEqual(record.state, "draft", "the set-up needs an unpaid order")
        self.assertTrue(record.redeem_otp_taken_back, "the set-up needs a hold")
        return record

    def second_sync(self, uuid, partner, lines, total_before, challenge_id=None):
        """The same order again, with `lines` added and the whole order paid."""
        data = self.order_data(
            lines, partner=partner, uuid=uuid, challenge_id=challenge_id
        )
        total = total_before + sum(line[2]["price_subtotal_incl"] for line in lines)
        data["amount_total"] = data["amount_paid"] = total
        data["payment_ids"][0][2]["amount"] = total
        return self.sync(data)

    def test_01_refunded_top_up_keeps_its_credit(self):
        card = self.accomplice_card
        start = card.points
        topup = self.sync_ok(
            self.order_data(
                [self.product_line(self.topup, 300.0)], partner=self.accomplice
            )
        )
        self.confirm(topup.id, {card.id: self.coupon_vals(card, 300.0)})
        uuid = self.new_uuid()
        with self.as_manager():  # credit given back in cash is a manager's refund
            self.underpaid_first_sync(uuid, self.accomplice)
            refund = self.second_sync(
                uuid,
                self.accomplice,
                [self.refund_line(self.topup, 300.0, refunded=topup.lines[0])],
                200.0,
            )
        self.assertIsInstance(refund, int, refund)
        self.env.invalidate_all()
        self.assertEqual(self.env["pos.order"].browse(refund).state, "paid")
        # No points call: the refund took 300.00 back in cash.
        self.assertLessEqual(
            card.points,
            start + 1e-6,
            "the top-up was refunded in cash and its credit stayed on the card",
        )

    def test_02_ewallet_spent_without_a_points_call_stays_on_the_card(self):
        """The skipped points call of review 2 (test_s1), back through the hold."""
        card = self.accomplice_card  # 10.00 of credit, the accomplice's own code
        start = card.points
        given = 0.0
        for _i in range(3):
            uuid = self.new_uuid()
            self.underpaid_first_sync(uuid, self.accomplice)
            challenge = self.verified_code(
                uuid, [self.redemption(card, 10.0)], partner=self.accomplice
            )
            order = self.second_sync(
                uuid,
                self.accomplice,
                [self.reward_line(card, 10.0)],
                200.0,
                challenge_id=challenge.id,
            )
            if isinstance(order, int):
                given += 10.0
        self.env.invalidate_all()
        self.assertLessEqual(
            given,
            start - card.points + 1e-6,
            f"{given} of credit given as discounts, the card went down by "
            f"{start - card.points}",
        )


@tagged("post_install", "-at_install")
class TestReview3WakeDormant(TopUpAttackCase):
    """A dormant card takes the guest's own code only: a cashier's purchase in
    the guest's name is the activity that wakes it."""

    def setUp(self):
        super().setUp()
        self.set_override_code()

    def test_01_a_top_up_in_the_guests_name_opens_a_dormant_card_to_the_override(
        self,
    ):
        """1.00 of credit bought (and kept) in the guest's name is activity."""
        card = self.ewallet_card  # 150.00 of credit, untouched for 200 days
        self.make_dormant(card)
        topup = self.sync_ok(self.order_data([self.product_line(self.topup, 1.0)]))
        self.confirm(topup.id, {card.id: self.coupon_vals(card, 1.0)})
        self.attempt(
            "pos.order",
            "add_loyalty_history_lines",
            [topup.id],
            [{"card_id": card.id, "won": 1.0, "spent": 0.0}],
            [],
        )
        self.env.invalidate_all()
        start = card.points
        self.override_spend(card, 150.0)
        self.assertAlmostEqual(
            card.points,
            start,
            msg="a balance dormant for 200 days was spent with the override code",
        )
