# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The center's override code: who sets it, how it verifies, what it leaves."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .otp_common import OVERRIDE_CODE, RedeemRoutesCase


@tagged("post_install", "-at_install")
class TestOverride(RedeemRoutesCase):
    def test_override_with_reason_records_user_and_reason(self):
        self.set_override_code()
        result, _code = self.request_code()
        challenge = self.challenge(result)
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            verified = self.verify_override(challenge.id, "Guest's phone is flat")
        self.assertEqual(verified["state"], "verified", verified)
        self.assertEqual(verified["method"], "override")
        self.assertEqual(challenge.method, "override")
        self.assertEqual(challenge.override_user_id, self.pos_user)
        self.assertEqual(challenge.override_reason, "Guest's phone is flat")

    def test_override_needs_a_reason(self):
        self.set_override_code()
        challenge = self.challenge(self.request_code()[0])
        self.assertError(
            self.verify(challenge.id, override_code=OVERRIDE_CODE),
            "bad_request",
            "reason",
        )
        self.assertError(
            self.verify_override(challenge.id, " ok "),
            "bad_request",
            "reason",
        )
        self.assertEqual(challenge.state, "pending")

    def test_wrong_override_code_counts_as_an_attempt(self):
        self.set_override_code()
        challenge = self.challenge(self.request_code()[0])
        error = self.assertError(
            self.verify(
                challenge.id, override_code="135791", reason="Guest's phone is flat"
            ),
            "invalid_code",
        )
        self.assertEqual(error["attempts_left"], challenge.max_attempts - 1)
        self.assertFalse(challenge.override_user_id)

    def test_override_not_allowed(self):
        self.set_override_code()
        self.config.redeem_otp_allow_override = False
        challenge = self.challenge(self.request_code()[0])
        self.assertError(
            self.verify_override(challenge.id, "Guest's phone is flat"),
            "override_not_allowed",
        )
        self.assertEqual(challenge.state, "pending")
        self.assertEqual(challenge.attempt_count, 0)

    def test_override_limit(self):
        self.set_override_code(limit=1)
        first = self.challenge(self.request_code()[0])
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            self.assertEqual(
                self.verify_override(first.id, "Phone is flat")["state"],
                "verified",
            )
        second = self.challenge(self.request_code()[0])
        self.assertError(
            self.verify_override(second.id, "Phone is flat again"),
            "override_limit",
            "1 override",
        )
        self.assertEqual(second.state, "pending")

    def test_set_override_code_rights(self):
        self.config.redeem_otp_allow_override = True
        with self.assertRaises(AccessError):
            self.config.with_user(self.pos_user).set_redeem_otp_override_code("999999")
        self.assertFalse(self.config.redeem_otp_override_set)
        # Over RPC too, as a POS user could try from the browser's console.
        with self.assertRaises(Exception) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/pos.config/set_redeem_otp_override_code",
                {
                    "model": "pos.config",
                    "method": "set_redeem_otp_override_code",
                    "args": [[self.config.id], "999999"],
                    "kwargs": {},
                },
            )
        self.assertIn("AccessError", str(caught.exception))
        self.env.invalidate_all()
        self.assertFalse(self.config.redeem_otp_override_set)

        self.config.with_user(self.pos_admin).set_redeem_otp_override_code(
            OVERRIDE_CODE
        )
        self.config.invalidate_recordset()
        self.assertTrue(self.config.redeem_otp_override_set)
        self.assertTrue(self.config._redeem_otp_check_override(OVERRIDE_CODE))
        self.assertFalse(self.config._redeem_otp_check_override("999999"))

    def test_override_hash_is_never_readable(self):
        self.set_override_code()
        self.env.cr.execute(
            "SELECT redeem_otp_override_hash FROM pos_config WHERE id = %s",
            [self.config.id],
        )
        stored = self.env.cr.fetchone()[0]
        self.assertTrue(stored)
        self.assertNotIn(OVERRIDE_CODE, stored)
        admin = self.system_admin()
        for user in (self.pos_user, self.pos_admin, admin):
            with self.subTest(user=user.login):
                config = self.config.with_user(user)
                with self.assertRaises(AccessError):
                    config.read(["redeem_otp_override_hash"])
                rows = config.search_read([("id", "=", config.id)])
                self.assertNotIn("redeem_otp_override_hash", rows[0])
                self.assertNotIn(stored, repr(rows))
                self.assertNotIn("redeem_otp_override_hash", config.fields_get())
                with self.assertRaises(AccessError):
                    config.search([("redeem_otp_override_hash", "!=", False)])

    def test_code_hash_is_never_readable(self):
        result, _code = self.request_code()
        challenge = self.challenge(result)
        self.env.cr.execute(
            "SELECT code_hash FROM salon_otp_code WHERE challenge_id = %s",
            [challenge.id],
        )
        stored = self.env.cr.fetchone()[0]
        # An HMAC-SHA256 digest (Odoo's tools.misc.hmac), not the code.
        self.assertRegex(stored, r"^[0-9a-f]{64}$")
        code = challenge.code_id
        admin = self.system_admin()
        for user in (self.pos_user, self.pos_admin, admin):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    code.with_user(user).read(["code_hash"])
                rows = challenge.with_user(user).search_read(
                    [("id", "=", challenge.id)]
                )
                self.assertEqual(len(rows), 1)
                self.assertNotIn(stored, repr(rows))
        # Managers read the codes sent, for the audit, but never the hash.
        for user in (self.pos_admin, admin):
            with self.subTest(user=user.login):
                rows = code.with_user(user).search_read([("id", "=", code.id)])
                self.assertEqual(len(rows), 1)
                self.assertNotIn("code_hash", rows[0])
                self.assertNotIn(stored, repr(rows))

    def test_send_failed_keeps_the_override_open(self):
        """When no code reaches the guest, the center's override code still can.

        That is when a salon needs it: the gateway is down, or the guest has
        no usable contact. The message says what failed; no code is kept.
        """
        self.set_override_code()
        self.company.redeem_otp_channel_sequence = "sms"
        result, code = self.request_code(sim_error="credit")
        error = self.assertError(
            result, "send_failed", "Insufficient Credit.*override code can authorize"
        )
        self.assertIsNone(code)
        self.assertTrue(error["override_only"])
        challenge = self.env["salon.otp.challenge"].browse(error["challenge_id"])
        self.assertEqual(challenge.state, "pending")
        self.assertFalse(challenge.channel)
        self.assertIn("Insufficient Credit", challenge.failure_reason)
        self.env.cr.execute(
            "SELECT code_hash FROM salon_otp_code WHERE challenge_id = %s",
            [challenge.id],
        )
        self.assertIsNone(self.env.cr.fetchone()[0], "no code was sent: no hash")
        self.assertError(self.verify(challenge.id, code="123456"), "invalid_code")
        result = self.verify(
            challenge.id, override_code=OVERRIDE_CODE, reason="SMS gateway down"
        )
        self.assertEqual(result["state"], "verified")
        self.assertEqual(challenge.method, "override")

    def test_no_destination_keeps_the_override_open(self):
        self.set_override_code()
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": self.nobody.id, "points": 50}
        )
        result, _code = self.request_code(
            partner_id=self.nobody.id, redemptions=self.spend(card=card)
        )
        error = self.assertError(result, "no_destination", "override code")
        self.assertTrue(error["override_only"])
        challenge = self.env["salon.otp.challenge"].browse(error["challenge_id"])
        self.assertEqual(challenge.state, "pending")
