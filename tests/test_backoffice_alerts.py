# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Alerts to the managers (activities) and the retention autovacuum."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError

from .backoffice_common import BackofficeCase


@tagged("post_install", "-at_install")
class TestAlerts(BackofficeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other_company = cls.other_company
        cls.other_manager = cls._user(
            "bo_manager_other",
            ["point_of_sale.group_pos_manager"],
            company=other_company,
        )
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")

    def alerts(self, challenges):
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "salon.otp.challenge"),
                    ("res_id", "in", challenges.ids),
                ]
            )
        )

    def assert_alerted_managers(self, activities):
        self.assertTrue(activities)
        self.assertEqual(activities.activity_type_id, self.todo)
        self.assertIn(self.manager, activities.user_id)
        self.assertNotIn(
            self.other_manager, activities.user_id, "another company's manager"
        )
        self.assertNotIn(self.cashier, activities.user_id)
        self.assertEqual(len(activities), len(activities.user_id), "one per manager")

    def test_locked_challenge_alerts_the_managers(self):
        challenge, _code = self.request_code(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        for _attempt in range(challenge.max_attempts - 1):
            self.try_verify(challenge, code="000000000")
        self.assertFalse(self.alerts(challenge))
        result = self.try_verify(challenge, code="000000000")
        self.assertEqual(result["error"]["code"], "locked")
        activities = self.alerts(challenge)
        self.assert_alerted_managers(activities)
        self.assertIn("locked", activities[0].summary)
        self.assertTrue(challenge.has_risk)

    def test_daily_override_limit_reached_alerts_the_managers(self):
        self.allow_override(limit=2)
        first, _code = self.request_code(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.override(first)
        self.assertFalse(self.alerts(first))
        second, _code = self.request_code(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        self.assertEqual(self.override(second)["state"], "verified")
        activities = self.alerts(second)
        self.assert_alerted_managers(activities)
        self.assertIn("Override limit reached", activities[0].summary)

    def test_failed_sends_past_the_threshold_alert_once(self):
        self.company.redeem_otp_failed_send_alert = 3
        guests = self.nobody | self.env["res.partner"].create(
            {"name": "No Contact Either"}
        )
        failed = self.env["salon.otp.challenge"]
        for n in range(6):
            guest = guests[n % 2]
            card = self.env["loyalty.card"].create(
                {"program_id": self.ewallet.id, "partner_id": guest.id, "points": 10.0}
            )
            result = self.request_or_error(
                self.create_random_uid(), [self.redemption(card, 5.0)], partner=guest
            )
            self.assertEqual(result["error"]["code"], "no_destination")
            challenge = failed.browse(result["error"]["challenge_id"])
            self.assertEqual(challenge.state, "failed")
            failed |= challenge
            if n < 3:
                self.assertFalse(self.alerts(failed), f"{n + 1} failures: no alert yet")
        activities = self.alerts(failed)
        self.assert_alerted_managers(activities)
        self.assertEqual(activities.mapped("res_id"), [failed[3].id] * len(activities))
        self.assertIn("not sent", activities[0].summary)


@tagged("post_install", "-at_install")
class TestRetention(BackofficeCase):
    def code_hash(self, challenge):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT code_hash FROM salon_otp_code WHERE challenge_id = %s",
            [challenge.id],
        )
        return self.env.cr.fetchone()[0]

    def backdate(self, challenge, **delta):
        self.env.flush_all()
        for table, column in (
            ("salon_otp_challenge", "id"),
            ("salon_otp_code", "challenge_id"),
        ):
            self.env.cr.execute(
                f"UPDATE {table} SET create_date = %s WHERE {column} = %s",  # noqa: S608
                [fields.Datetime.now() - timedelta(**delta), challenge.id],
            )
        self.env.invalidate_all()

    def new_challenge(self):
        challenge, _code = self.request_code(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        return challenge

    def test_autovacuum_erases_code_hashes_after_a_day(self):
        old = self.new_challenge()
        fresh = self.new_challenge()
        self.assertTrue(self.code_hash(old))
        self.backdate(old, hours=25)
        self.env["salon.otp.code"]._gc_redeem_otp_code_hashes()
        self.assertIsNone(self.code_hash(old))
        self.assertTrue(self.code_hash(fresh), "a live code keeps its hash")
        self.assertTrue(old.exists(), "the audit row stays")

    def test_autovacuum_deletes_challenges_past_retention(self):
        self.company.redeem_otp_retention_days = 400
        old = self.new_challenge()
        kept = self.new_challenge()
        order = self.sync(self.order_data([(self.service, 1)]))
        order.redeem_otp_challenge_id = old
        self.backdate(old, days=401)
        self.backdate(kept, days=399)
        self.env["salon.otp.challenge"]._gc_redeem_otp_challenges()
        self.assertFalse(old.exists())
        self.assertTrue(kept.exists())
        self.assertFalse(order.redeem_otp_challenge_id, "the order stays, unlinked")
        self.company.redeem_otp_retention_days = 0
        self.backdate(kept, days=4000)
        self.env["salon.otp.challenge"]._gc_redeem_otp_challenges()
        self.assertTrue(kept.exists(), "0 keeps everything")

    def test_autovacuum_blanks_previous_contacts_after_the_watch(self):
        self.guest.with_user(self.cashier).write({"mobile": "+33698765432"})
        change = self.env["salon.otp.destination.change"].search(
            [("partner_id", "=", self.guest.id)]
        )
        self.env["salon.otp.destination.change"]._gc_redeem_otp_changes()
        self.assertTrue(change.old_value, "still under watch")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE salon_otp_destination_change SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(hours=25), change.id],
        )
        self.env["salon.otp.destination.change"]._gc_redeem_otp_changes()
        self.assertFalse(change.old_value)
        self.assertTrue(change.old_value_masked, "the masked form stays for the audit")

    def test_autovacuum_is_registered(self):
        for model, name in (
            ("salon.otp.challenge", "_gc_redeem_otp_challenges"),
            ("salon.otp.code", "_gc_redeem_otp_code_hashes"),
        ):
            method = getattr(type(self.env[model]), name)
            self.assertTrue(getattr(method, "_autovacuum", False), name)


@tagged("post_install", "-at_install")
class TestGuestLanguage(BackofficeCase):
    def test_override_notice_in_the_guests_language(self):
        """fr.po and es.po load, and the guest-facing templates speak French and Spanish."""
        for lang, expected in (
            ("fr_FR", "dérogation du personnel"),
            ("es_ES", "excepción del personal"),
        ):
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(
                    ["salon_otp_redeem"], [lang]
                )
                self.guest.lang = lang
                self.allow_override()
                challenge = self.request_or_error(
                    self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
                )
                self.assertEqual(self.override(challenge)["state"], "verified")
                self.assertIn(expected, self._sms[-1]["body"])

    def test_refusals_speak_the_cashiers_language(self):
        """A closed challenge's refusal, kept in tools/, is translated as it is raised."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["salon_otp_redeem"], ["fr_FR"])
        challenge = self.request_or_error(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 10.0)]
        )
        challenge.sudo()._redeem_otp_finish("expired")
        french = challenge.with_context(lang="fr_FR")
        with self.assertRaisesRegex(RedeemOtpError, "Le code a expiré ; envoyez"):
            french._redeem_otp_verify(code="000000")
