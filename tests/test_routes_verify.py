# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The verify and channels routes, as a real POS user over HTTP."""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .otp_common import RedeemRoutesCase


@tagged("post_install", "-at_install")
class TestVerifyRoute(RedeemRoutesCase):
    def test_invalid_code_counts_down(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        wrong = self.wrong_code(code)
        for left in range(challenge.max_attempts - 1, 0, -1):
            error = self.assertError(
                self.verify(challenge.id, code=wrong), "invalid_code", f"{left} attempt"
            )
            self.assertEqual(error["attempts_left"], left)
            self.assertEqual(challenge.attempt_count, challenge.max_attempts - left)
        self.assertEqual(challenge.state, "pending")
        # The right code still works on the last attempt.
        self.assertEqual(self.verify(challenge.id, code=code)["state"], "verified")

    def test_locked(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        wrong = self.wrong_code(code)
        for _i in range(challenge.max_attempts - 1):
            self.assertError(self.verify(challenge.id, code=wrong), "invalid_code")
        error = self.assertError(self.verify(challenge.id, code=wrong), "locked")
        self.assertEqual(error["attempts_left"], 0)
        self.assertEqual(challenge.state, "locked")
        self.assertEqual(challenge.attempt_count, challenge.max_attempts)
        # Locked for good: even the right code is refused, and counts nothing more.
        self.assertError(self.verify(challenge.id, code=code), "locked")
        self.assertEqual(challenge.attempt_count, challenge.max_attempts)

    def test_expired(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        challenge.sudo().expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertError(self.verify(challenge.id, code=code), "expired")
        self.assertEqual(challenge.state, "expired")
        self.assertError(self.verify(challenge.id, code=code), "expired")

    def test_superseded_by_a_resend(self):
        uuid = self.new_uuid()
        first_result, first_code = self.request_code(order_uuid=uuid)
        first = self.challenge(first_result)
        first.sudo().code_id.resend_at = fields.Datetime.now() - timedelta(seconds=1)
        second_result, second_code = self.request_code(order_uuid=uuid)
        second = self.challenge(second_result)
        self.assertEqual(first.state, "superseded")
        self.assertError(self.verify(first.id, code=first_code), "superseded")
        if first_code != second_code:
            self.assertError(self.verify(second.id, code=first_code), "invalid_code")
        self.assertEqual(self.verify(second.id, code=second_code)["state"], "verified")

    def test_verified_challenge_counts_nothing_more(self):
        """A retried or repeated verify never counts, locks or re-verifies."""
        result, code = self.request_code()
        challenge = self.challenge(result)
        self.assertEqual(self.verify(challenge.id, code=code)["state"], "verified")
        verified_at = challenge.verified_at
        for attempt in [code] + [self.wrong_code(code)] * challenge.max_attempts:
            error = self.assertError(
                self.verify(challenge.id, code=attempt),
                "bad_request",
                "already verified",
            )
            self.assertEqual(error["state"], "verified")
        self.set_override_code()
        self.assertError(
            self.verify_override(challenge.id, "Phone is flat"),
            "bad_request",
            "already verified",
        )
        self.assertEqual(challenge.state, "verified")
        self.assertEqual(challenge.method, "code")
        self.assertEqual(challenge.attempt_count, 0)
        self.assertEqual(challenge.verified_at, verified_at)

    def test_used_challenge_is_a_bad_request(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        challenge.sudo().write({"state": "used"})
        self.assertError(
            self.verify(challenge.id, code=code), "bad_request", "already used"
        )

    def test_bad_request(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        cases = {
            "challenge id as a string": {
                "challenge_id": str(challenge.id),
                "code": code,
            },
            "challenge id as a boolean": {"challenge_id": True, "code": code},
            "challenge id missing": {"challenge_id": None, "code": code},
            "unknown challenge": {"challenge_id": 999999999, "code": code},
            "code missing": {"challenge_id": challenge.id},
            "code empty": {"challenge_id": challenge.id, "code": "   "},
            "code as a number": {"challenge_id": challenge.id, "code": int(code)},
            "code as a list": {"challenge_id": challenge.id, "code": [code]},
            "code too long": {"challenge_id": challenge.id, "code": code + "0" * 64},
            "override code empty": {
                "challenge_id": challenge.id,
                "override_code": " ",
                "reason": "phone lost",
            },
            "override code as a number": {
                "challenge_id": challenge.id,
                "override_code": 246810,
                "reason": "phone lost",
            },
        }
        for label, params in cases.items():
            with self.subTest(label):
                self.assertError(self.rpc("verify", **params), "bad_request")
        # None of these counted as an attempt.
        self.assertEqual(challenge.attempt_count, 0)
        self.assertEqual(self.verify(challenge.id, code=code)["state"], "verified")

    def test_access_denied(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        new_test_user(self.env, login="desk_clerk", groups="base.group_user")
        self.authenticate("desk_clerk", "desk_clerk")
        self.assertError(self.verify(challenge.id, code=code), "access_denied")
        self.authenticate("pos_user", "pos_user")
        # Once the session is closed, its codes can no longer be verified.
        self.env.cr.execute(
            "UPDATE pos_session SET state = 'closed' WHERE id = %s",
            [self.pos_session.id],
        )
        self.assertError(
            self.verify(challenge.id, code=code), "access_denied", "Open a session"
        )
        self.assertEqual(challenge.attempt_count, 0)
        self.assertEqual(challenge.state, "pending")


@tagged("post_install", "-at_install")
class TestChannelsRoute(RedeemRoutesCase):
    def test_channels(self):
        result = self.rpc(
            "channels", pos_config_id=self.config.id, partner_id=self.guest.id
        )
        self.assertEqual(
            result["channels"],
            [
                {
                    "channel": "sms",
                    "destination": "+33 6\u2022\u2022 \u2022\u2022 \u2022\u2022 78",
                },
                {"channel": "email", "destination": "c\u2022\u2022\u2022@example.com"},
            ],
        )
        result = self.rpc(
            "channels", pos_config_id=self.config.id, partner_id=self.nobody.id
        )
        self.assertEqual(result["channels"], [])

    def test_channels_bad_request_and_access(self):
        self.assertError(
            self.rpc(
                "channels", pos_config_id=str(self.config.id), partner_id=self.guest.id
            ),
            "bad_request",
        )
        self.assertError(
            self.rpc("channels", pos_config_id=self.config.id, partner_id="x"),
            "bad_request",
        )
        self.assertError(
            self.rpc("channels", pos_config_id=self.config.id, partner_id=999999999),
            "bad_request",
        )
        closed_config = self.env["pos.config"].create({"name": "Second chair"})
        self.assertError(
            self.rpc(
                "channels", pos_config_id=closed_config.id, partner_id=self.guest.id
            ),
            "access_denied",
        )
