# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fraud rules on the server: expired and dormant credit, minimum amount,
contact changes, override caps. Each rule is shown on the sync path, on
confirm_coupon_programs and at the challenge route."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .backoffice_common import BackofficeCase


@tagged("post_install", "-at_install")
class TestExpiredCredit(BackofficeCase):
    def expire(self, card):
        # Two days back: expired whatever the salon's time zone.
        card.expiration_date = fields.Date.today() - timedelta(days=2)

    def test_sync_refuses_expired_card_even_with_a_verified_code(self):
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(self.ewallet_card, 10.0)]
        )
        self.expire(self.ewallet_card)
        data = self.order_data(
            self.spending_lines(self.ewallet_card, 10.0),
            challenge=challenge,
            uuid=uuid,
        )
        with self.assertLogs(
            "odoo.addons.salon_otp_redeem.models.loyalty_card", "WARNING"
        ):
            with self.assertRefused(r"expired on .*can no longer be spent"):
                self.sync(data)
        self.assertEqual(challenge.state, "verified", "the refused sync used nothing")
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", uuid)]))

    def test_sync_refuses_expired_gift_card(self):
        self.expire(self.gift_card_card)
        line = self.reward_line(
            self.gift_card_card, 30.0, amount=10.0, program=self.gift_card
        )
        with self.assertRefused("expired on"):
            self.sync(self.order_data([(self.service, 1), line]))

    def test_confirm_coupon_programs_refuses_expired_card(self):
        order, _challenge = self.coded_order(self.ewallet_card, 10.0)
        self.expire(self.ewallet_card)
        with self.assertRefused("expired on"):
            self.confirm(order, self.ewallet_card, 10.0)
        # The sync took the 10 points it spent (held until the points call).
        self.assertAlmostEqual(self.ewallet_card.points, 140.0)
        # Unprotected cards too: a gift card past its date is not spent.
        self.expire(self.gift_card_card)
        with self.assertRefused("expired on"):
            self.confirm(order, self.gift_card_card, 5.0)
        self.assertAlmostEqual(self.gift_card_card.points, 50.0)

    def test_route_refuses_expired_card_and_keeps_a_cancelled_row(self):
        self.expire(self.ewallet_card)
        uuid = self.create_random_uid()
        result = self.request_or_error(uuid, [self.redemption(self.ewallet_card, 10.0)])
        self.assertEqual(result["error"]["code"], "bad_request")
        self.assertRegex(result["error"]["message"], "expired on")
        self.assertFalse(self._sms, "no code is sent for an expired card")
        challenge = (
            self.env["salon.otp.challenge"]
            .sudo()
            .browse(result["error"]["challenge_id"])
        )
        self.assertEqual(challenge.state, "cancelled")
        self.assertTrue(challenge.risk_expired)
        self.assertTrue(challenge.has_risk)
        self.assertIn("Refused", challenge.decision)
        self.assertEqual(challenge.card_ids, self.ewallet_card)

    def test_card_expiring_today_is_still_spendable(self):
        self.ewallet_card.expiration_date = fields.Date.today() + timedelta(days=1)
        order, _challenge = self.coded_order(self.ewallet_card, 10.0)
        self.assertEqual(order.state, "paid")


@tagged("post_install", "-at_install")
class TestDormantCredit(BackofficeCase):
    def setUp(self):
        super().setUp()
        # A salon that lets its client credit be spent without a code...
        self.ewallet.redeem_otp_required = False

    def test_dormant_card_needs_the_code_where_the_program_does_not(self):
        order = self.sync(self.order_data(self.spending_lines(self.ewallet_card, 10.0)))
        self.assertEqual(
            order.state, "paid", "an active card of an unprotected program"
        )
        # ...except from a card nobody used for 200 days.
        self.make_dormant(self.ewallet_card)
        with self.assertRefused("needs the guest's one-time code"):
            self.sync(self.order_data(self.spending_lines(self.ewallet_card, 10.0)))
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(self.ewallet_card, 10.0)]
        )
        self.assertTrue(challenge.risk_dormant)
        self.assertIn("Dormant", challenge.decision)
        order = self.sync(
            self.order_data(
                self.spending_lines(self.ewallet_card, 10.0),
                challenge=challenge,
                uuid=uuid,
            )
        )
        with self.mockSMSGateway():
            self.confirm(order, self.ewallet_card, 10.0)
        # 10 for the first order (held at its sync) and 10 for this one.
        self.assertAlmostEqual(self.ewallet_card.points, 130.0)

    def test_dormant_card_needs_the_code_where_the_center_asks_none(self):
        self.ewallet.redeem_otp_required = True
        self.config.redeem_otp_required = False
        result = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.assertEqual(result["error"]["code"], "otp_disabled")
        self.make_dormant(self.ewallet_card)
        with self.assertRefused("needs the guest's one-time code"):
            self.sync(self.order_data(self.spending_lines(self.ewallet_card, 10.0)))
        challenge = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.assertEqual(challenge.state, "pending")
        self.assertTrue(challenge.risk_dormant)

    def test_confirm_coupon_programs_refuses_dormant_card_without_code(self):
        order = self.sync(self.order_data([(self.service, 1)]))
        self.make_dormant(self.ewallet_card)
        with self.assertRefused("take 0.0 points from"):
            self.confirm(order, self.ewallet_card, 10.0)
        self.assertAlmostEqual(self.ewallet_card.points, 150.0)

    def test_override_is_refused_for_a_dormant_card(self):
        self.allow_override()
        self.make_dormant(self.ewallet_card)
        challenge, _code = self.request_code(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        result = self.override(challenge)
        self.assertEqual(result["error"]["code"], "override_not_allowed")
        self.assertRegex(result["error"]["message"], "only the guest's own code")
        self.assertEqual(challenge.state, "pending")
        self.assertIn("Override refused", challenge.decision)

    def test_only_the_guests_own_code_wakes_a_card_up(self):
        self.make_dormant(self.ewallet_card)
        # History the cashier could have made (a top-up in the guest's name),
        # however old, is no sign of the guest.
        history = self.env["loyalty.history"].create(
            {"card_id": self.ewallet_card.id, "description": "Top-up", "issued": 20.0}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_history SET create_date = now() - interval '3 days' "
            "WHERE id = %s",
            [history.id],
        )
        self.env.invalidate_all()
        with self.assertRefused("needs the guest's one-time code"):
            self.sync(self.order_data(self.spending_lines(self.ewallet_card, 10.0)))
        # A redemption with the guest's own code is.
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(self.ewallet_card, 10.0)]
        )
        order = self.sync(
            self.order_data(
                self.spending_lines(self.ewallet_card, 10.0),
                challenge=challenge,
                uuid=uuid,
            )
        )
        self.confirm(order, self.ewallet_card, 10.0)
        order.add_loyalty_history_lines(
            [{"card_id": self.ewallet_card.id, "won": 0.0, "spent": 10.0}], []
        )
        self.assertFalse(self.ewallet_card._redeem_otp_dormant(self.company))

    def test_card_write_does_not_wake_a_card_up(self):
        self.make_dormant(self.ewallet_card)
        self.ewallet_card.with_user(self.manager).write({"points": 151.0})
        with self.assertRefused("needs the guest's one-time code"):
            self.sync(self.order_data(self.spending_lines(self.ewallet_card, 10.0)))

    def test_zero_days_turns_the_rule_off(self):
        self.company.redeem_otp_dormant_days = 0
        self.make_dormant(self.ewallet_card, days=2000)
        order = self.sync(self.order_data(self.spending_lines(self.ewallet_card, 10.0)))
        self.assertEqual(order.state, "paid")


@tagged("post_install", "-at_install")
class TestMinimumAmount(BackofficeCase):
    def setUp(self):
        super().setUp()
        self.company.redeem_otp_min_amount = 50.0

    def test_below_minimum_needs_no_code_and_the_decision_is_recorded(self):
        order = self.sync(self.order_data(self.spending_lines(self.ewallet_card, 20.0)))
        self.assertEqual(order.state, "paid")
        self.assertIn("Below the minimum amount", order.redeem_otp_decision)
        self.assertFalse(order.redeem_otp_challenge_id)
        self.confirm(order, self.ewallet_card, 20.0)
        self.assertAlmostEqual(self.ewallet_card.points, 130.0)

    def test_below_minimum_cannot_take_more_points_at_confirm(self):
        order = self.sync(self.order_data(self.spending_lines(self.ewallet_card, 20.0)))
        with self.assertRefused("take 20.0 points from .*, not 120.0"):
            self.confirm(order, self.ewallet_card, 120.0)
        # A card the order does not spend, and not the one it does.
        with self.assertRefused("take 0.0 points from|the points call gives it"):
            self.confirm(order, self.loyalty_card, 100.0)
        # The 20 points the order spends, held at its sync; nothing more.
        self.assertAlmostEqual(self.ewallet_card.points, 130.0)
        self.assertAlmostEqual(self.loyalty_card.points, 500.0)

    def test_at_the_minimum_the_code_is_needed(self):
        with self.assertRefused("needs the guest's one-time code"):
            self.sync(self.order_data(self.spending_lines(self.ewallet_card, 50.0)))

    def test_route_says_no_code_is_needed(self):
        result = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 20.0)]
        )
        self.assertEqual(result["error"]["code"], "not_protected")
        self.assertFalse(self._sms)

    def test_dormant_card_below_minimum_still_needs_the_code(self):
        self.make_dormant(self.ewallet_card)
        with self.assertRefused("needs the guest's one-time code"):
            self.sync(self.order_data(self.spending_lines(self.ewallet_card, 20.0)))
        challenge = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 20.0)]
        )
        self.assertEqual(challenge.state, "pending")


@tagged("post_install", "-at_install")
class TestDestinationChange(BackofficeCase):
    OLD_MOBILE = "+33612345678"
    NEW_MOBILE = "+33698765432"

    def test_staff_change_is_recorded_and_the_code_goes_to_the_old_number(self):
        self.guest.with_user(self.cashier).write({"mobile": "+33 6 98 76 54 32"})
        change = self.env["salon.otp.destination.change"].search(
            [("partner_id", "=", self.guest.id)]
        )
        self.assertEqual(len(change), 1)
        self.assertEqual(change.field_name, "mobile")
        self.assertEqual(change.user_id, self.cashier)
        # Kept as the number it was, in international form.
        self.assertEqual(change.old_value, self.OLD_MOBILE)
        self.assertNotIn("12 34 56", change.old_value_masked)
        challenge = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        # The previous number only: the new one may be the changer's own.
        self.assertEqual(self.sms_numbers(), [self.OLD_MOBILE])
        self.assertTrue(challenge.risk_destination_changed)
        self.assertRegex(challenge.decision, "changed by staff")
        self.assertRegex(challenge.decision, "previous destination")

    def test_the_guests_own_change_is_watched_too(self):
        """Staff may have made the guest's portal account, under their own
        email (review 31): its changes are watched like any other."""
        portal = self._user("bo_guest", ["base.group_portal"], partner_id=self.guest.id)
        # The portal's account page writes the partner with sudo, as the guest.
        self.guest.with_user(portal).sudo().write({"mobile": self.NEW_MOBILE})
        self.assertTrue(
            self.env["salon.otp.destination.change"].search(
                [("partner_id", "=", self.guest.id)]
            )
        )
        challenge = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.assertNotIn(self.NEW_MOBILE, self.sms_numbers())
        self.assertTrue(challenge.risk_destination_changed)

    def test_change_older_than_the_watch_is_ignored(self):
        self.guest.with_user(self.cashier).write({"mobile": self.NEW_MOBILE})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE salon_otp_destination_change SET create_date = %s",
            [fields.Datetime.now() - timedelta(hours=25)],
        )
        self.env.invalidate_all()
        challenge = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.assertEqual(self.sms_numbers(), [self.NEW_MOBILE])
        self.assertFalse(challenge.risk_destination_changed)

    def test_email_change_does_not_hold_an_unchanged_mobile(self):
        self.guest.with_user(self.cashier).write({"email": "someone.else@example.com"})
        challenge = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.assertEqual(self.sms_numbers(), [self.OLD_MOBILE])
        self.assertTrue(challenge.risk_destination_changed, "flagged all the same")

    def test_no_previous_destination_leaves_only_the_override(self):
        self.allow_override()
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.nobody.id,
                "points": 80.0,
            }
        )
        self.nobody.with_user(self.cashier).write({"mobile": self.NEW_MOBILE})
        uuid = self.create_random_uid()
        result = self.request_or_error(
            uuid, [self.redemption(card, 10.0)], partner=self.nobody
        )
        self.assertEqual(result["error"]["code"], "send_failed")
        self.assertTrue(result["error"]["override_only"])
        self.assertFalse(self._sms, "the new number gets no code")
        challenge = (
            self.env["salon.otp.challenge"]
            .sudo()
            .browse(result["error"]["challenge_id"])
        )
        self.assertEqual(challenge.state, "pending")
        self.assertTrue(challenge.risk_destination_changed)
        self.assertIn("withheld", challenge.decision)
        self.assertEqual(self.override(challenge)["state"], "verified")
        order = self.sync(
            self.order_data(
                self.spending_lines(card, 10.0),
                partner=self.nobody,
                challenge=challenge,
                uuid=uuid,
            )
        )
        self.assertEqual(order.state, "paid")


@tagged("post_install", "-at_install")
class TestOverrideCaps(BackofficeCase):
    def setUp(self):
        super().setUp()
        self.company.redeem_otp_tz = "Europe/Paris"
        self.allow_override(limit=1)

    def _override_at(self, when):
        with freeze_time(when):
            challenge, _code = self.request_code(
                self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
            )
            return challenge, self.override(challenge)

    def test_daily_limit_resets_at_the_salons_midnight(self):
        # 23:30 in Paris (UTC+1 in March): the day's only override.
        challenge, result = self._override_at("2026-03-10 22:30:00")
        self.assertEqual(result["state"], "verified")
        self.assertTrue(challenge.risk_override)
        # 23:50 in Paris, still the same day: refused.
        _challenge, result = self._override_at("2026-03-10 22:50:00")
        self.assertEqual(result["error"]["code"], "override_limit")
        # 00:10 in Paris, the next day, though still the 10th in UTC: allowed.
        _challenge, result = self._override_at("2026-03-10 23:10:00")
        self.assertEqual(result["state"], "verified")

    def test_group_may_exceed_the_limit(self):
        self._override_at("2026-03-10 09:00:00")
        self.env.user.groups_id |= self.env.ref(
            "salon_otp_redeem.group_redeem_override_unlimited"
        )
        _challenge, result = self._override_at("2026-03-10 09:30:00")
        self.assertEqual(result["state"], "verified")

    def test_every_override_tells_the_guest(self):
        challenge, _code = self.request_code(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.override(challenge)
        bodies = [sms["body"] for sms in self._sms]
        self.assertTrue(
            any("staff override authorized" in body for body in bodies), bodies
        )
        self.assertFalse(any(" is your code" in body for body in bodies))
