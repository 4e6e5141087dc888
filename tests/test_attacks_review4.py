# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a fourth review found: the points call that releases the sync's hold
without spending, holds never given back, a refund holding another guest's
credit, the guest's country (unwatched) moving codes and notices to another
number, a dormant card woken by the cashier a day earlier, and a queued
balance notice the cashier can rewrite. They fail today.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up (and, in one test, the passing of a day) uses the
superuser.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .attack_common import TopUpAttackCase

# A French mobile as guests often give it: national digits, no +33.
LOU_MOBILE = "06 11 22 33 44"
LOU_NUMBER = "+33611223344"
# The same digits read as a Dutch mobile once the guest's country is the Netherlands.
LOU_NUMBER_NL = "+31611223344"
LOU_EMAIL = "lou.dupont@example.com"


@tagged("post_install", "-at_install")
class TestReview4PointsCallReleasesTheHold(TopUpAttackCase):
    """The sync holds what the reward lines spend; the points call gives it back
    before applying the POS's figures, and nothing makes those figures spend it."""

    def setUp(self):
        super().setUp()
        self.company.redeem_otp_min_amount = 0.0

    def test_01_ewallet_spent_with_an_empty_points_call_stays_on_the_card(self):
        """review 2's test_s1 (and review 3's test_02), with a points call that
        moves nothing instead of none: the held credit comes back each time."""
        card = self.accomplice_card  # 10.00 of credit, the accomplice's own code
        start = card.points
        given = 0.0
        for _i in range(3):
            order = self.coded_spend(card, 10.0, self.accomplice)
            if isinstance(order, int):
                given += 10.0  # the discount was given at the till
                self.confirm(order, {})  # a points call naming no card
        self.env.invalidate_all()
        self.assertLessEqual(
            given,
            start - card.points + 1e-6,
            f"{given} of credit given as discounts, the card went down by "
            f"{start - card.points}",
        )

    def test_02_refunded_top_up_keeps_its_credit_with_an_empty_points_call(self):
        """review's test_06, with the refund's points call naming no card."""
        card = self.accomplice_card
        start = card.points
        topup = self.sync_ok(
            self.order_data(
                [self.product_line(self.topup, 300.0)], partner=self.accomplice
            )
        )
        self.confirm(topup.id, {card.id: self.coupon_vals(card, 300.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start + 300.0, msg="the top-up was paid")
        self.refund_in_cash(topup.lines[0], 300.0)
        self.assertLessEqual(
            card.points,
            start + 1e-6,
            "the top-up was refunded in cash and its credit stayed on the card",
        )


@tagged("post_install", "-at_install")
class TestReview4HoldNeverGivenBack(TopUpAttackCase):
    """A sync that leaves the order unpaid holds its points; a draft cancelled
    (or deleted) never gives them back, and unpaid orders do not count as
    small spends: a guest's balance drained with no code and no sale."""

    def held_draft(self, card, points):
        """An order spending `points` of `card` below the minimum, synced as
        paid but paid 0: the check holds the points, stock leaves it draft."""
        data = self.order_data(self.spending_lines(card, points))
        data["payment_ids"] = []
        data["amount_paid"] = 0.0
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        return order

    def test_01_cancelled_held_drafts_drain_a_guest_without_a_code(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card  # 150.00, the guest is not at the till
        start = card.points
        for _i in range(3):
            order = self.held_draft(card, 19.0)
            self.attempt("pos.order", "action_pos_order_cancel", [order])
        self.env.invalidate_all()
        self.assertFalse(
            self.new_orders().filtered(lambda o: o.state in ("paid", "done")),
            "the set-up needs no paid order",
        )
        self.assertAlmostEqual(
            card.points,
            start,
            msg="three cancelled orders, never paid, took the guest's credit "
            "(no code was asked)",
        )

    def test_02_deleted_held_draft_keeps_the_points(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        start = card.points
        order = self.held_draft(card, 19.0)
        self.attempt("pos.order", "unlink", [order])
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points, start, msg="a deleted unpaid order kept the guest's credit"
        )


@tagged("post_install", "-at_install")
class TestReview4RefundHoldsAnotherGuest(TopUpAttackCase):
    """A refund takes back what the refunded sale credited: from the card of
    the refunded sale's guest, whoever the refund's guest is."""

    def test_01_refund_under_another_name_cashes_out_a_guests_top_up(self):
        card = self.ewallet_card
        topup = self.sync_ok(
            self.order_data([self.product_line(self.topup, 100.0)], partner=self.guest)
        )
        self.confirm(topup.id, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        start = card.points  # 250.00: the guest's own top-up, paid and kept
        data = self.order_data(
            [self.refund_line(self.topup, 100.0, refunded=topup.lines[0])],
            partner=self.accomplice,
        )
        data["amount_total"] = data["amount_paid"] = -100.0
        data["payment_ids"][0][2]["amount"] = -100.0
        refund = self.sync(data)
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            start,
            msg=f"the accomplice's refund (order {refund}) took 100.00 of the "
            "guest's credit, paid out in cash, without the guest's code",
        )


@tagged("post_install", "-at_install")
class TestReview4CountryMovesTheNumber(TopUpAttackCase):
    """The guest's country decides how a national number is read; it is not
    watched like the mobile, phone and email are."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.lou = env["res.partner"].create(
            {
                "name": "Lou Dupont",
                "mobile": LOU_MOBILE,
                "email": LOU_EMAIL,
                "country_id": env.ref("base.fr").id,
            }
        )
        cls.lou_card = env["loyalty.card"].create(
            {"program_id": cls.ewallet.id, "partner_id": cls.lou.id, "points": 150.0}
        )

    def setUp(self):
        super().setUp()
        # Contact Creation, as Odoo's default internal user template grants it.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        self.set_override_code()
        self.attempt(
            "res.partner",
            "write",
            [self.lou.id],
            {"country_id": self.env.ref("base.nl").id},
        )

    def test_01_code_goes_to_the_number_the_country_made(self):
        with self.mockSMSGateway():
            result = self.rpc(
                "challenge",
                **self.challenge_params(
                    partner_id=self.lou.id,
                    redemptions=[self.redemption(self.lou_card, 40.0)],
                ),
            )
        numbers = [sms["number"] for sms in self._sms]
        self.assertNotIn(
            LOU_NUMBER_NL,
            numbers,
            f"the guest's code went to another country's number ({result})",
        )

    def test_02_override_and_spend_never_reach_the_guest(self):
        card = self.lou_card
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            self.override_whatever_was_sent(card, 150.0, self.lou)
            heard = self.heard()
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, 0.0, msg="the spend went through")
        self.assertTrue(
            heard & {LOU_NUMBER, LOU_EMAIL},
            f"150.00 spent by override, the guest heard nothing (all went to {heard})",
        )


@tagged("post_install", "-at_install")
class TestReview4WokenYesterday(TopUpAttackCase):
    """Review 3's wake-up, a day later: the cashier's own top-up in the guest's
    name is still what makes a dormant card spendable with the override."""

    def setUp(self):
        super().setUp()
        self.set_override_code()

    def test_01_a_top_up_a_day_old_opens_a_dormant_card_to_the_override(self):
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
        # A day passes (the only superuser step besides the set-up).
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_history SET create_date = %s "
            "WHERE card_id = %s AND create_date > %s",
            [
                fields.Datetime.now() - timedelta(hours=25),
                card.id,
                fields.Datetime.now() - timedelta(hours=1),
            ],
        )
        self.assertTrue(self.env.cr.rowcount, "the set-up needs the top-up's history")
        self.env.invalidate_all()
        start = card.points
        self.override_spend(card, 151.0)
        self.assertAlmostEqual(
            card.points,
            start,
            msg="a balance dormant for 200 days was spent with the override code, "
            "the day after the cashier's 1.00 top-up",
        )


@tagged("post_install", "-at_install")
class TestReview4QueuedNoticeRewritten(TopUpAttackCase):
    """A balance notice waits in the mail queue as a mail.mail on a mail.message.
    When the company has no email (as here), the notice is sent from the
    cashier's address, so its message is the cashier's own: readable and
    writable over RPC until the queue sends it."""

    def test_01_cashier_rewrites_the_guests_balance_notice(self):
        notice = self.queued_notice_of_coded_spend(self.ewallet_card, 40.0)
        self.attempt(
            "mail.message",
            "write",
            notice.mail_message_id.ids,
            {
                "subject": "Our newsletter",
                "email_from": "Newsletter <pos_user@test.com>",
                "reply_to": "pos_user@test.com",
            },
        )
        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().process_email_queue(ids=notice.ids)
            sent = [
                (mail["subject"], mail["reply_to"])
                for mail in self._mails
                if "camille.martin@example.com" in str(mail["email_to"])
            ]
        self.assertEqual(len(sent), 1, sent)
        self.assertNotEqual(
            sent[0],
            ("Our newsletter", "pos_user@test.com"),
            "the cashier rewrote the guest's balance notice before it was sent",
        )
