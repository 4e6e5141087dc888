# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a fifth review found: the guest's number moved to another country
by ways the contact watch does not see (the country written with an
unchanged or a new mobile, stock's public `update_address`, a parent's
address, the salon's own country); the salon's day taken from the cashier's
own time zone (overrides, expiry); membership lines; loyalty points burnt
under a cheap line; archived cards; small spends of a card of nobody; the
sync's line commands rewriting paid orders; a borrowed challenge waking a
dormant card; a mixed sale's top-up refunded; a top-up paid by a promotion;
the balance notice sent from the cashier. Those fail today; the classes
named "Held" are attacks that hold.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up (and, where said, the passing of time) uses the
superuser.
"""

from datetime import timedelta

import pytz

from odoo import fields
from odoo.tests import tagged

from .attack_common import TopUpAttackCase

# A French mobile as guests often give it: national digits, no +33.
LOU_MOBILE = "06 11 22 33 44"
LOU_NUMBER = "+33611223344"
# The same digits read as a Dutch mobile once the country is the Netherlands.
LOU_NUMBER_NL = "+31611223344"
LOU_EMAIL = "lou.dupont@example.com"


class CountryCase(TopUpAttackCase):
    """Lou, a guest with a national mobile, and a cashier with Contact Creation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.fr = env.ref("base.fr")
        cls.nl = env.ref("base.nl")
        cls.lou = env["res.partner"].create(
            {
                "name": "Lou Dupont",
                "mobile": LOU_MOBILE,
                "email": LOU_EMAIL,
                "country_id": cls.fr.id,
            }
        )
        cls.lou_card = env["loyalty.card"].create(
            {"program_id": cls.ewallet.id, "partner_id": cls.lou.id, "points": 150.0}
        )

    def setUp(self):
        super().setUp()
        # Contact Creation, as Odoo's default internal user template grants it.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")

    def numbers_texted_for_lou(self):
        """Ask a code for Lou's e-wallet; the numbers the SMS went to."""
        with self.mockSMSGateway():
            result = self.rpc(
                "challenge",
                **self.challenge_params(
                    partner_id=self.lou.id,
                    redemptions=[self.redemption(self.lou_card, 40.0)],
                ),
            )
        return [sms["number"] for sms in self._sms], result

    def assertCodeNotMoved(self):
        numbers, result = self.numbers_texted_for_lou()
        self.assertNotIn(
            LOU_NUMBER_NL,
            numbers,
            f"the guest's code went to another country's number ({result})",
        )


@tagged("post_install", "-at_install")
class TestReview5CountryUnwatched(CountryCase):
    def test_01_country_written_with_the_unchanged_mobile(self):
        """Review 4 watches a new country, unless the mobile is in the same
        write: then the mobile's own (unchanged) value is all that is compared."""
        self.attempt(
            "res.partner",
            "write",
            [self.lou.id],
            {"country_id": self.nl.id, "mobile": LOU_MOBILE},
        )
        self.env.invalidate_all()
        self.assertEqual(self.lou.country_id, self.nl, "the set-up needs the write")
        self.assertCodeNotMoved()

    def test_04_country_written_with_a_new_mobile(self):
        """The mobile change is watched, but its previous value is kept as typed
        ("06 11 22 33 44") and read with the guest's country of today: the
        "previous destination" the code goes to is the Dutch reading of it."""
        self.attempt(
            "res.partner",
            "write",
            [self.lou.id],
            {"country_id": self.nl.id, "mobile": "06 99 88 77 66"},
        )
        self.env.invalidate_all()
        self.assertEqual(self.lou.country_id, self.nl, "the set-up needs the write")
        self.assertCodeNotMoved()

    def test_02_country_through_stock_update_address(self):
        """res.partner.update_address is public and writes with base's write,
        past the addon's override."""
        self.attempt(
            "res.partner", "update_address", [self.lou.id], {"country_id": self.nl.id}
        )
        self.env.invalidate_all()
        self.assertEqual(self.lou.country_id, self.nl, "the set-up needs the write")
        self.assertCodeNotMoved()

    def test_03_country_from_a_parent_company(self):
        """A contact takes its parent's address (stock's _fields_sync), written
        with base's write: the guest's country changes with no watched value."""
        parent = self.attempt(
            "res.partner",
            "create",
            {
                "name": "Dupont Holding",
                "is_company": True,
                "country_id": self.nl.id,
                "city": "Utrecht",
            },
        )
        self.assertIsInstance(parent, int, parent)
        self.attempt("res.partner", "write", [self.lou.id], {"parent_id": parent})
        self.env.invalidate_all()
        self.assertEqual(self.lou.country_id, self.nl, "the set-up needs the write")
        self.assertCodeNotMoved()


@tagged("post_install", "-at_install")
class TestReview5SalonCountry(CountryCase):
    """A guest with no country has her number read with the salon's country;
    the salon's country is its partner's, which a cashier may write."""

    def test_01_cashier_moves_the_salons_country(self):
        self.company.country_id = self.fr
        self.lou.country_id = False
        numbers, result = self.numbers_texted_for_lou()
        self.assertIn(LOU_NUMBER, numbers, f"the set-up needs the code sent ({result})")
        self.attempt(
            "res.partner",
            "write",
            [self.company.partner_id.id],
            {"country_id": self.nl.id},
        )
        self.env.invalidate_all()
        # Refused (the salon's country is a manager's), or moved: either way
        # the guest's code must not follow it.
        # A new order: the first one's code is still in its resend delay.
        self.assertCodeNotMoved()


@tagged("post_install", "-at_install")
class TestReview5HeldAlertsStay(TopUpAttackCase):
    """Attacks that hold: the managers' alerts are activities whose creator is
    the cashier (created under sudo in the cashier's request), yet the cashier
    can neither find nor delete them."""

    def alerts(self):
        return (
            self.env["mail.activity"]
            .sudo()
            .search([("res_model", "=", "salon.otp.challenge")])
        )

    def assertAlertsStay(self, alerts):
        found = self.attempt(
            "mail.activity", "search", [("res_model", "=", "salon.otp.challenge")]
        )
        self.assertFalse(isinstance(found, list) and found, found)
        self.attempt("mail.activity", "unlink", alerts.ids)
        self.attempt("mail.activity", "action_feedback", alerts.ids)
        self.env.invalidate_all()
        self.assertEqual(self.alerts(), alerts, "the cashier removed a manager alert")

    def test_01_lock_alert_stays(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        wrong = self.wrong_code(code)
        for _i in range(challenge.max_attempts):
            self.verify(challenge.id, code=wrong)
        self.env.invalidate_all()
        self.assertEqual(challenge.state, "locked", "the set-up needs a lock")
        alerts = self.alerts()
        self.assertTrue(alerts, "the set-up needs the managers' alert")
        self.assertEqual(alerts.create_uid, self.pos_user)
        self.assertAlertsStay(alerts)

    def test_02_override_limit_alert_stays(self):
        self.set_override_code(limit=1)
        self.override_spend(self.ewallet_card, 10.0)
        alerts = self.alerts()
        self.assertTrue(alerts, "the set-up needs the override-limit alert")
        self.assertAlertsStay(alerts)


@tagged("post_install", "-at_install")
class TestReview5CashierTimeZone(TopUpAttackCase):
    """With no time zone on the salon's partner, the salon's day is that of the
    first user of the company (by name) who has one: a cashier sets their own
    (res.users preferences) to a zone whose midnight has just passed, and the
    day's override allowance starts again."""

    @staticmethod
    def zone_at(now, low_minutes, high_minutes):
        """A time zone whose local time of day is within [low, high) minutes now."""
        utc_now = pytz.utc.localize(now)
        for name in pytz.common_timezones:
            local = utc_now.astimezone(pytz.timezone(name))
            if low_minutes <= local.hour * 60 + local.minute < high_minutes:
                return name
        raise AssertionError("no such time zone")

    def second_override(self, move_to_zone):
        """One override (the day's only one) two hours ago, then a second one,
        after the cashier's own time zone is moved when `move_to_zone`.
        Returns (card points before the second, after it, zones)."""
        now = fields.Datetime.now()
        zone_a = self.zone_at(now, 4 * 60, 20 * 60)  # the salon's day began hours ago
        zone_b = self.zone_at(now, 0, 60)  # a zone just past midnight
        # No time zone on the salon's partner (Odoo sets none), none in the
        # manager's preferences: the cashier's is the first found.
        # The salon's zone is its own setting; the cashier starts in the same one.
        self.company.redeem_otp_tz = zone_a
        self.pos_user.tz = zone_a
        self.set_override_code(limit=1)
        card = self.ewallet_card
        first = self.override_spend(card, 10.0)
        self.assertIsInstance(first, int, first)
        # The superuser step: time passing.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE salon_otp_challenge SET verified_at = %s WHERE method = 'override'",
            [now - timedelta(hours=2)],
        )
        self.env.invalidate_all()
        start = card.points
        if move_to_zone:
            self.attempt("res.users", "write", [self.pos_user.id], {"tz": zone_b})
            self.env.invalidate_all()
            self.assertEqual(self.pos_user.tz, zone_b, "the set-up needs the tz write")
        self.override_spend(card, 10.0)
        self.env.invalidate_all()
        return start, card.points, (zone_a, zone_b)

    def test_00_control_the_second_override_is_refused(self):
        start, end, _zones = self.second_override(move_to_zone=False)
        self.assertAlmostEqual(end, start, msg="the daily limit of 1 did not hold")

    def test_01_a_second_days_override_allowance_in_one_morning(self):
        start, end, zones = self.second_override(move_to_zone=True)
        self.assertAlmostEqual(
            end,
            start,
            msg="a second override the same day, past a daily limit of 1, after the "
            "cashier moved their own time zone from %s to %s" % zones,
        )

    def test_02_a_card_expired_yesterday_spent_without_code(self):
        """The salon's day decides expiry too: in a zone a day behind, a card
        that expired yesterday is not expired yet, and below the minimum
        amount it needs no code at all."""
        utc_now = pytz.utc.localize(fields.Datetime.now())
        dates = {
            name: utc_now.astimezone(pytz.timezone(name)).date()
            for name in pytz.common_timezones
        }
        latest = max(dates.values())
        zone_a = next(name for name, day in dates.items() if day == latest)
        zone_b = next(
            name for name, day in dates.items() if day == latest - timedelta(days=1)
        )
        # The salon's zone is its own setting; the cashier starts in the same one.
        self.company.redeem_otp_tz = zone_a
        self.pos_user.tz = zone_a
        self.company.redeem_otp_min_amount = 20.0
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": 80.0,
                "expiration_date": latest - timedelta(days=1),
            }
        )
        self.attempt("res.users", "write", [self.pos_user.id], {"tz": zone_b})
        self.env.invalidate_all()
        self.assertEqual(self.pos_user.tz, zone_b, "the set-up needs the tz write")
        self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 19.0)), card, -19.0
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            80.0,
            msg=f"a card expired on {card.expiration_date} in the salon's time zone "
            f"({zone_a}) was spent without code once the cashier chose {zone_b}",
        )


@tagged("post_install", "-at_install")
class TestReview5PointsUnderACheapLine(TopUpAttackCase):
    """A fixed-cost loyalty reward (5% for 200 points) has no value per point:
    the line's price is all the minimum-amount rule and the guest's SMS read."""

    def test_01_loyalty_balance_burnt_under_a_one_euro_line_without_code(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.loyalty_card  # 500 points; the reward costs 200
        start = card.points
        self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 500.0, 1.0)), card, -500.0
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.points,
            start,
            msg=f"{start - card.points} loyalty points spent for a 1.00 line, "
            "without the guest's code",
        )

    def test_02_guest_told_one_euro_loses_500_points(self):
        """With a code: the SMS says what the code redeems, in money only."""
        card = self.loyalty_card
        uuid = self.new_uuid()
        result, _code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, 500.0, 1.0)]
        )
        self.challenge(result)
        body = self._sms[-1]["body"]
        self.assertIn(
            "500",
            body,
            f"the guest's code for 500 points of loyalty says only: {body!r}",
        )


@tagged("post_install", "-at_install")
class TestReview5ArchivedCard(TopUpAttackCase):
    """An archived card is a balance the salon voided: the POS does not load
    it, the server still spends it."""

    def test_01_archived_ewallet_spent(self):
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": 90.0,
                "active": False,
            }
        )
        result, code = self.request_code(
            order_uuid=self.new_uuid(), redemptions=[self.redemption(card, 90.0)]
        )
        self.assertError(result, "bad_request", "archived")
        self.assertIsNone(code, "a code was sent for a voided balance")
        order = self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 90.0)), card, -90.0
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(
            card.with_context(active_test=False).points,
            90.0,
            msg=f"an archived card's balance was spent (order {order})",
        )


@tagged("post_install", "-at_install")
class TestReview5NobodysCardInPieces(TopUpAttackCase):
    """Small spends add up per order guest; an order with no guest adds up to
    nothing, and a card of nobody needs no guest."""

    def test_01_holderless_ewallet_drained_in_pieces_with_no_guest(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "points": 100.0}
        )
        nobody = self.env["res.partner"]
        for _i in range(4):
            self.sync_and_confirm(
                self.order_data(self.spending_lines(card, 19.0), partner=nobody),
                card,
                -19.0,
            )
        self.env.invalidate_all()
        self.assertGreaterEqual(
            card.points,
            100.0 - 19.0 - 1e-6,
            "four spends of 19.00 under a 20.00 minimum, no code, no guest",
        )


@tagged("post_install", "-at_install")
class TestReview5MembershipLine(TopUpAttackCase):
    """Membership comes from membership lines, which Contact Creation lets a
    cashier create and write: another customer's paid membership moved to the
    guest (or its paid invoice line named on a new line of hers) makes her a
    paid member, and members-only benefits spendable."""

    def setUp(self):
        super().setUp()
        # Contact Creation, as Odoo's default internal user template grants it.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        today = fields.Date.today()
        product = self.env["product.product"].create(
            {
                "name": "Annual membership",
                "membership": True,
                "list_price": 100.0,
                "membership_date_from": today - timedelta(days=30),
                "membership_date_to": today + timedelta(days=335),
            }
        )
        invoice = self.init_invoice(
            "out_invoice", partner=self.other_guest, products=product, post=True
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.env.invalidate_all()
        self.member_line = self.other_guest.member_lines
        self.assertEqual(
            self.other_guest.membership_state, "paid", "the set-up needs a member"
        )
        self.assertNotIn(self.guest.membership_state, ("paid", "free"))
        self.benefits = self._program(
            "Members' treatments", "ewallet", redeem_otp_membership_only=True
        )
        self.benefit_card = self.env["loyalty.card"].create(
            {
                "program_id": self.benefits.id,
                "partner_id": self.guest.id,
                "points": 100.0,
            }
        )

    def spend_the_benefit(self):
        card = self.benefit_card
        before = self.snapshot()
        self.spend_if_coded(card, 60.0)
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)
        self.assertNotIn(
            self.guest.membership_state,
            ("paid", "free"),
            "the cashier made the guest a member",
        )

    def test_01_another_customers_membership_moved_to_the_guest(self):
        self.attempt(
            "membership.membership_line",
            "write",
            self.member_line.ids,
            {"partner": self.guest.id},
        )
        self.spend_the_benefit()

    def test_02_a_new_line_on_another_customers_paid_invoice(self):
        line = self.member_line
        self.attempt(
            "membership.membership_line",
            "create",
            {
                "partner": self.guest.id,
                "membership_id": line.membership_id.id,
                "member_price": 0.0,
                "account_invoice_line": line.account_invoice_line.id,
                "date_from": fields.Date.to_string(line.date_from),
                "date_to": fields.Date.to_string(line.date_to),
            },
        )
        self.spend_the_benefit()


@tagged("post_install", "-at_install")
class TestReview5SyncRewritesPaidLines(TopUpAttackCase):
    """The sync is the server's own doing (its writes are trusted), and it
    applies the POS's line commands as sent: an update command (1, id, values)
    naming a line of another, paid order rewrites that line."""

    def rewrite_paid_line(self, line, vals):
        """Sync a small paid order of the accomplice's that also carries
        (1, line.id, vals)."""
        data = self.order_data(
            [self.product_line(self.cheap, 1.0)], partner=self.accomplice
        )
        data["lines"].append([1, line.id, vals])
        return self.sync(data)

    def test_01_a_paid_line_inflated_then_refunded_to_the_ewallet(self):
        card = self.accomplice_card
        start = card.points
        sold = self.sync_ok(
            self.order_data(
                [self.product_line(self.cheap, 1.0)], partner=self.accomplice
            )
        )
        line = sold.lines[0]
        price = {"price_unit": 1000.0, "price_subtotal": 1000.0}
        price["price_subtotal_incl"] = 1000.0
        self.rewrite_paid_line(line, price)
        self.env.invalidate_all()
        self.assertEqual(sold.state, "paid")
        lines = [
            self.refund_line(self.cheap, 1000.0, refunded=line),
            self.product_line(self.topup, 1000.0),
        ]
        self.sync_and_confirm(
            self.order_data(lines, partner=self.accomplice), card, 1000.0
        )
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points,
            start + 1.0 + 1e-6,
            f"a 1.00 sale refunded as 1000.00 of e-wallet credit (line now "
            f"{line.price_subtotal_incl})",
        )

    def test_02_earlier_small_spends_hidden_from_the_minimum(self):
        """review's small-spends rule reads earlier orders' reward lines."""
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        start = card.points

        def hide(order_id):
            order = self.env["pos.order"].browse(order_id)
            for line in order.lines.filtered("reward_id"):
                self.rewrite_paid_line(
                    line,
                    {
                        "points_cost": 0.0,
                        "price_unit": 0.0,
                        "price_subtotal": 0.0,
                        "price_subtotal_incl": 0.0,
                    },
                )

        self.spend_in_pieces(card, 19.0, 4, after=hide)
        self.assertGreaterEqual(
            card.points,
            start - 19.0 - 1e-6,
            "four spends of 19.00 under a 20.00 minimum, without a code",
        )


@tagged("post_install", "-at_install")
class TestReview5NoticeFromTheCashier(TopUpAttackCase):
    """Review 4 made the salon the author of a queued balance notice; its
    sender is still the cashier's address when the company has none, so the
    guest's "this was not me" reply goes to the cashier who spent the balance."""

    def test_01_the_guests_reply_goes_to_the_cashier(self):
        notice = self.queued_notice_of_coded_spend(self.ewallet_card, 40.0)
        with self.mock_mail_gateway():
            self.env["mail.mail"].sudo().process_email_queue(ids=notice.ids)
            sent = [
                mail
                for mail in self._mails
                if "camille.martin@example.com" in str(mail["email_to"])
            ]
        self.assertEqual(len(sent), 1, sent)
        cashier = self.pos_user.email
        self.assertTrue(cashier, "the set-up needs the cashier's address")
        self.assertNotIn(
            cashier,
            f"{sent[0]['email_from']} {sent[0]['reply_to']}",
            "the guest's balance notice is sent from, and answered to, the cashier",
        )


@tagged("post_install", "-at_install")
class TestReview5BorrowedChallengeWakes(TopUpAttackCase):
    """A dormant card wakes with history on an order whose authorization was
    the guest's code. The order's authorization is what the POS sent, checked
    only when the order spends a protected balance: an order that spends
    nothing carries any challenge, here the accomplice's own verified code."""

    def setUp(self):
        super().setUp()
        self.set_override_code()

    def test_01_a_top_up_carrying_the_accomplices_code_wakes_the_guests_card(self):
        card = self.ewallet_card  # 150.00 of credit, untouched for 200 days
        self.make_dormant(card)
        borrowed = self.verified_code(
            self.new_uuid(),
            [self.redemption(self.accomplice_card, 5.0)],
            partner=self.accomplice,
        )
        topup = self.sync_ok(
            self.order_data(
                [self.product_line(self.topup, 1.0)], challenge_id=borrowed.id
            )
        )
        self.confirm(topup.id, {card.id: self.coupon_vals(card, 1.0)})
        self.attempt(
            "pos.order",
            "add_loyalty_history_lines",
            [topup.id],
            [{"card_id": card.id, "won": 1.0, "spent": 0.0}],
            [],
        )
        self.env.invalidate_all()
        self.assertEqual(topup.redeem_otp_challenge_id, borrowed)
        start = card.points
        self.override_spend(card, 151.0)
        self.assertAlmostEqual(
            card.points,
            start,
            msg="a balance dormant for 200 days was spent with the override code, "
            "after a 1.00 top-up carrying the accomplice's verified code",
        )


@tagged("post_install", "-at_install")
class TestReview5Held(TopUpAttackCase):
    """Attacks that hold today (kept so that they keep holding)."""

    def test_01_coupon_wizard_mints_no_card(self):
        before = self.snapshot()
        wizard = self.attempt(
            "loyalty.generate.wizard",
            "create",
            {
                "program_id": self.ewallet.id,
                "mode": "selected",
                "customer_ids": [[6, 0, [self.accomplice.id]]],
                "points_granted": 500.0,
            },
        )
        if isinstance(wizard, int):
            self.attempt("loyalty.generate.wizard", "generate_coupons", [wizard])
        self.assertNothingLost(before)

    def test_02_audit_rows_out_of_the_cashiers_reach(self):
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        self.attempt(
            "res.partner", "write", [self.guest.id], {"mobile": "+33 6 98 76 54 32"}
        )
        changes = self.env["salon.otp.destination.change"].search(
            [("partner_id", "=", self.guest.id)]
        )
        self.assertTrue(changes, "the set-up needs a watched change")
        for model, ids in (
            ("salon.otp.destination.change", changes.ids),
            ("salon.otp.setting.change", []),
        ):
            rows = self.attempt(model, "search_read", [], ["id"])
            self.assertTrue(self.refused(rows), rows)
            self.attempt(model, "unlink", ids)
        self.assertEqual(changes.exists(), changes)

    def test_03_challenge_not_writable_nor_postable(self):
        result, _code = self.request_code()
        challenge = self.challenge(result)
        self.attempt(
            "salon.otp.challenge",
            "write",
            [challenge.id],
            {"state": "verified", "method": "code"},
        )
        self.attempt(
            "salon.otp.challenge", "message_post", [challenge.id], body="Resolved"
        )
        self.attempt("salon.otp.challenge", "unlink", [challenge.id])
        self.env.invalidate_all()
        self.assertEqual(challenge.state, "pending")
        self.assertFalse(challenge.message_ids.filtered(lambda m: "Resolved" in m.body))


@tagged("post_install", "-at_install")
class TestReview5RefundShareOfTheOrder(TopUpAttackCase):
    """A refund takes back credit in proportion to the money refunded out of
    the whole refunded order, not out of what earned the credit: the top-up of
    a mixed sale refunded alone takes back only its share of the order."""

    def test_01_top_up_of_a_mixed_sale_refunded_in_cash_keeps_credit(self):
        card = self.accomplice_card
        start = card.points
        sale = self.sync_ok(
            self.order_data(
                [
                    self.product_line(self.topup, 300.0),
                    self.product_line(self.service, 200.0),
                ],
                partner=self.accomplice,
            )
        )
        self.confirm(sale.id, {card.id: self.coupon_vals(card, 300.0)})
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start + 300.0, msg="the top-up was paid")
        topup_line = sale.lines.filtered(lambda line: line.product_id == self.topup)
        self.refund_in_cash(topup_line, 300.0)
        self.assertLessEqual(
            card.points,
            start + 1e-6,
            f"the 300.00 top-up was refunded in cash and {card.points - start} of "
            "its credit stayed on the card",
        )


@tagged("post_install", "-at_install")
class TestReview5TopUpPaidByADiscount(TopUpAttackCase):
    """What an order earns is bounded by what its sale lines cost, reward lines
    left out: a promotion's discount (no card, no code) pays the top-up."""

    def test_01_ewallet_credit_minted_with_a_promotion_discount(self):
        card = self.accomplice_card
        before = self.snapshot()
        lines = [
            self.product_line(self.topup, 300.0),
            self.reward_line(None, 0.0, 300.0, program=self.promotion),
        ]
        data = self.order_data(lines, partner=self.accomplice)
        self.assertEqual(data["amount_total"], 0.0)  # nothing is paid
        self.sync_and_confirm(data, card, 300.0)
        self.assertNothingLost(before)
