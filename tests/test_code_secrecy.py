# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A code exists in three places only: the guest's phone, the cashier's
keyboard and, for a few milliseconds, the server's memory and the outgoing
sms.sms or mail.mail row that carries it through the configured gateway.

One full flow (code asked over HTTP, a wrong code, the right code, the order
synced, its points confirmed) runs with every logger at DEBUG; afterwards the
code must be in no log line (the addon's, the sms and mail modules', any
other), no row (sms.sms, its trackers, mail.mail, mail.message, ir.logging...)
and no column of the challenge, whose hash is an HMAC. The one exception is
SQL statement logging, which shows the INSERT of the outgoing row, as it does
for Odoo's own emailed login codes.
"""

import hashlib
import hmac

from odoo.tests import tagged

from odoo.addons.salon_otp_redeem.tools import codes

from .log_capture import ROW_INSERTS, capture_all_logs
from .otp_common import RedeemOtpOrderCase, html_code


@tagged("post_install", "-at_install")
class TestCodeSecrecy(RedeemOtpOrderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Eight letters and digits: a string that cannot turn up in a log by
        # chance, as a six-digit code could inside a timestamp.
        cls.company.write(
            {
                "redeem_otp_alphabet": codes.ALPHANUMERIC,
                "redeem_otp_code_length": 8,
                # The address the salon's mail goes from.
                "email": "salon@example.com",
            }
        )

    def db_rows_containing(self, needle):
        """Every text column of the tables a code could end up in."""
        found = []
        for table in (
            "sms_sms",
            "sms_tracker",
            "mail_mail",
            "mail_message",
            "mail_notification",
            "salon_otp_challenge",
            "salon_otp_code",
            "pos_order",
            "pos_order_line",
            "loyalty_history",
            "ir_logging",
        ):
            self.env.cr.execute(
                """
                SELECT column_name FROM information_schema.columns
                 WHERE table_name = %s
                   AND data_type IN ('text', 'character varying', 'jsonb')
                """,
                [table],
            )
            columns = [row[0] for row in self.env.cr.fetchall()]
            for column in columns:
                self.env.cr.execute(
                    f'SELECT id FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                    [f"%{needle}%"],
                )
                found += [(table, column, row[0]) for row in self.env.cr.fetchall()]
        return found

    def run_flow(self, partner, card, read_code):
        """Code by route, a wrong code, the right code, sync, points: all logs captured."""
        self.authenticate(self.env.user.login, self.env.user.login)
        uuid = self.create_random_uid()
        with (
            capture_all_logs() as logs,
            self.mockSMSGateway(),
            self.mock_mail_gateway(mail_unlink_sent=True),
        ):
            result = self.rpc(
                "challenge",
                pos_config_id=self.config.id,
                partner_id=partner.id,
                order_uuid=uuid,
                redemptions=[self.redemption(card, 40.0)],
            )
            self.assertNotIn("error", result, result)
            code = read_code()
            self.assertEqual(len(code), 8)
            challenge = self.env["salon.otp.challenge"].browse(result["challenge_id"])

            # While pending, the only trace is an HMAC bound to the code's row.
            self.env.cr.execute(
                "SELECT id, code_hash FROM salon_otp_code WHERE challenge_id = %s",
                [challenge.id],
            )
            code_id, stored = self.env.cr.fetchone()
            # Keyed with the database secret (Odoo's tools.misc.hmac).
            secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
            expected = hmac.new(
                secret.encode(),
                repr((codes.HMAC_SCOPE, codes.code_message(code_id, code))).encode(),
                hashlib.sha256,
            ).hexdigest()
            self.assertEqual(stored, expected)
            self.assertNotIn(code, stored)
            with logs.pause():
                self.assertEqual(self.db_rows_containing(code), [])

            wrong = "".join("X" if ch != "X" else "Y" for ch in code)
            refused = self.rpc("verify", challenge_id=challenge.id, code=wrong)
            self.assertEqual(refused["error"]["code"], "invalid_code")
            verified = self.rpc("verify", challenge_id=challenge.id, code=code.lower())
            self.assertEqual(verified.get("state"), "verified", verified)

            order = self.sync(
                self.order_data(
                    self.spending_lines(card, 40.0),
                    partner=partner,
                    challenge=challenge,
                    uuid=uuid,
                )
            )
            self.confirm(order, card, 40.0)
            self.send_balance_notices()
            self.env.flush_all()

        self.assertEqual(challenge.state, "used")
        self.assertTrue(challenge.points_confirmed)
        self.assertAlmostEqual(card.points, 110.0)
        self.assertNoTrace(logs, challenge, code, wrong)
        self.logs = logs
        return challenge

    def assertCaptured(self, logger, statement):
        """The capture saw the gateway's module and the outgoing row's INSERT."""
        self.assertTrue(
            any(name.startswith(logger) for name, _text in self.logs.entries),
            f"nothing from {logger} was captured",
        )
        self.assertIn(statement, self.logs.text)

    def assertNoTrace(self, logs, challenge, code, wrong):
        # The capture saw the flow (so an empty capture cannot pass) ...
        self.assertIn("Redemption code sent", logs.text)
        self.assertIn("Redemption code rejected", logs.text)
        self.assertIn("Redemption code verified", logs.text)
        self.assertIn("INSERT INTO", logs.text, "SQL at DEBUG was captured too")
        # ... and neither the code nor the wrong one typed is anywhere in it,
        # but for the INSERT of the row that carried the code to the gateway.
        for needle in (code, wrong):
            leaks = logs.leaks(needle)
            self.assertEqual(leaks, [], f"{len(leaks)} log records show a code")

        # Nor in the database, now that everything is flushed.
        self.assertEqual(self.db_rows_containing(code), [])
        self.env.cr.execute(
            "SELECT code_hash FROM salon_otp_code WHERE challenge_id = %s",
            [challenge.id],
        )
        self.assertIsNone(self.env.cr.fetchone()[0], "a verified code keeps no hash")
        for model, field in (
            ("sms.sms", "body"),
            ("mail.mail", "body_html"),
            ("mail.message", "body"),
        ):
            self.assertFalse(
                self.env[model].sudo().search([(field, "ilike", code)]),
                f"{model} keeps the code",
            )
        self.env.cr.execute(
            "SELECT * FROM salon_otp_challenge WHERE id = %s", [challenge.id]
        )
        row = self.env.cr.fetchone()
        self.assertFalse([value for value in row if code in str(value)])

    def test_texted_code_leaves_no_trace(self):
        challenge = self.run_flow(self.guest, self.ewallet_card, self.last_code)
        self.assertEqual(challenge.channel, "sms")
        # It went out as an sms.sms row (where provider modules plug in), gone now.
        self.assertTrue(self._new_sms, "the code was not sent through sms.sms")
        # What is left is the balance notice, queued (no secret in it).
        left = self._new_sms.exists()
        self.assertEqual(len(left), len(self._new_sms) - 1, "the code's row outlived")
        self.assertFalse(left.filtered(lambda sms: "is your code" in sms.body))
        self.assertCaptured("odoo.addons.sms", ROW_INSERTS[0])

    def test_emailed_code_leaves_no_trace(self):
        self.company.redeem_otp_channel_sequence = "email"
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.other_guest.id,
                "points": 150.0,
            }
        )

        def read_code():
            self.assertEqual(len(self._mails), 1)
            code = html_code(self._mails[0]["body"])
            self.assertTrue(code, "no code in the mail")
            return code

        challenge = self.run_flow(self.other_guest, card, read_code)
        self.assertEqual(challenge.channel, "email")
        self.assertTrue(self.emails, "the mail went out through SMTP")
        # As a mail.mail row (so the salon's mail servers apply), gone now.
        self.assertTrue(self._new_mails, "the code was not sent through mail.mail")
        # What is left is the balance notice, queued (no secret in it).
        left = self._new_mails.exists()
        self.assertEqual(len(left), len(self._new_mails) - 1, "the code's row outlived")
        # Odoo's mail module logs no send while testing; its SQL shows it ran.
        self.assertCaptured("odoo.addons.salon_otp_redeem", ROW_INSERTS[1])
