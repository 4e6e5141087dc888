# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The JSON routes, browserless, as a real POS user over HTTP.

Every error code the POS dialog handles is produced here through the route,
not by calling the model: the controller's parsing and rights checks are
part of what is tested. The HTTP server runs in this process with the test's
cursor, so MockSMS / MockEmail patches apply to what the routes send.
"""

import json
import uuid as uuid_lib
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.addons.sms.tests.common import MockSMS

from .otp_common import CODE_RE, SalonSetupMixin

OVERRIDE_CODE = "246810"


class RedeemRoutesCase(SalonSetupMixin, TestPointOfSaleHttpCommon, MockSMS, MockEmail):
    """A salon on the main POS config, its session open by the POS user."""

    test_module = "salon_otp_redeem"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.main_pos_config
        cls.company = cls.config.company_id
        cls._setup_salon(cls.company)
        # Room for several codes per test; the limits have their own tests.
        cls.company.redeem_otp_max_sends_per_hour = 50
        cls.config.redeem_otp_max_sends_per_hour = 500
        cls.config.with_user(cls.pos_user).open_ui()
        cls.pos_session = cls.config.current_session_id
        cls.pos_session.with_user(cls.pos_user).set_opening_control(0, None)

    def setUp(self):
        super().setUp()
        self.authenticate("pos_user", "pos_user")

    # -- helpers ---------------------------------------------------------
    def rpc(self, route, **params):
        return self.make_jsonrpc_request(f"/salon_otp_redeem/{route}", params)

    def assertError(self, result, code, message=None):
        self.assertIn("error", result, f"expected error {code}, got {result}")
        self.assertEqual(result["error"]["code"], code, result["error"].get("message"))
        if message:
            self.assertRegex(result["error"]["message"], message)
        return result["error"]

    @staticmethod
    def new_uuid():
        return str(uuid_lib.uuid4())

    def spend(self, points=40.0, card=None):
        card = card or self.ewallet_card
        return [
            {
                "card_id": card.id,
                "program_id": card.program_id.id,
                "points": points,
                "amount": points,
            }
        ]

    def challenge_params(self, **overrides):
        params = {
            "pos_config_id": self.config.id,
            "partner_id": self.guest.id,
            "order_uuid": self.new_uuid(),
            "redemptions": self.spend(),
        }
        params.update(overrides)
        return params

    def request_code(self, sim_error=None, **overrides):
        """Ask for a code over HTTP; return (result, code sent by SMS or None)."""
        with self.mockSMSGateway(sim_error=sim_error):
            result = self.rpc("challenge", **self.challenge_params(**overrides))
        codes = [CODE_RE.search(sms["body"]) for sms in self._sms]
        codes = [match.group(1) for match in codes if match]
        return result, (codes[-1] if codes else None)

    def challenge(self, result):
        self.assertNotIn("error", result, result)
        return self.env["salon.otp.challenge"].browse(result["challenge_id"])

    def verify(self, challenge_id, **params):
        return self.rpc("verify", challenge_id=challenge_id, **params)

    def wrong_code(self, code):
        """A code of the right shape that is not `code`."""
        return "".join("1" if ch != "1" else "2" for ch in code)

    def system_admin(self):
        """A Settings administrator of this company, not the superuser."""
        return new_test_user(
            self.env,
            login="salon_sysadmin",
            groups="base.group_system,point_of_sale.group_pos_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )

    def set_override_code(self, code=OVERRIDE_CODE, limit=3):
        self.config.write(
            {
                "redeem_otp_allow_override": True,
                "redeem_otp_override_daily_limit": limit,
            }
        )
        self.config.with_user(self.pos_admin).set_redeem_otp_override_code(code)


@tagged("post_install", "-at_install")
class TestChallengeRoute(RedeemRoutesCase):
    def test_sms_code_works(self):
        result, code = self.request_code()
        challenge = self.challenge(result)
        self.assertEqual(result["state"], "pending")
        self.assertEqual(result["channel"], "sms")
        self.assertEqual(
            result["destination"], "+33 6\u2022\u2022 \u2022\u2022 \u2022\u2022 78"
        )
        self.assertEqual(result["code_length"], 6)
        self.assertTrue(result["expires_at"].endswith("Z"))
        self.assertTrue(code and len(code) == 6)
        self.assertEqual(self._sms[-1]["number"], "+33612345678")
        # Nothing the POS receives helps guess the code.
        self.assertNotIn(code, json.dumps(result))
        self.assertEqual(challenge.user_id, self.pos_user)
        self.assertEqual(challenge.pos_session_id, self.pos_session)
        # The sms.sms row (with the code in its body) is gone.
        self.assertFalse(
            self.env["sms.sms"].sudo().search([("number", "=", "+33612345678")])
        )

        verified = self.verify(challenge.id, code=f" {code[:3]}-{code[3:]} ")
        self.assertEqual(verified["state"], "verified")
        self.assertEqual(verified["method"], "code")
        self.assertEqual(challenge.state, "verified")
        self.assertEqual(challenge.method, "code")

    def test_email_fallback_when_the_guest_has_no_mobile(self):
        guest = self.other_guest  # an email, no phone
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": guest.id, "points": 100}
        )
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result, sms_code = self.request_code(
                partner_id=guest.id, redemptions=self.spend(card=card)
            )
        self.assertEqual(result.get("channel"), "email", result)
        self.assertEqual(result["destination"], "o\u2022\u2022\u2022@example.com")
        self.assertIsNone(sms_code)
        self.assertEqual(len(self._mails), 1)
        mail = self._mails[0]
        self.assertEqual(mail["email_to"], ["oliver.bennett@example.com"])
        code = _html_code(mail["body"])
        self.assertTrue(code, "no code in the mail")
        self.assertEqual(len(self.emails), 1, "the mail went out through SMTP")
        remaining = (
            self.env["mail.mail"]
            .sudo()
            .search([("email_to", "ilike", "oliver.bennett@example.com")])
        )
        self.assertFalse(remaining, "the code mail must not outlive the request")
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("body_html", "ilike", code)]),
            "no mail.mail keeps the code",
        )
        challenge = self.challenge(result)
        self.assertEqual(self.verify(challenge.id, code=code)["state"], "verified")

    def test_sms_failure_falls_back_to_email(self):
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result, code = self.request_code(sim_error="credit")
        self.assertIsNone(code)
        self.assertEqual(result["channel"], "email", result)
        self.assertEqual(len(self._mails), 1)

    def test_chosen_channel_goes_first(self):
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result, code = self.request_code(channel="email")
        self.assertEqual(result["channel"], "email", result)
        self.assertIsNone(code)

    def test_otp_disabled(self):
        for switch_off in (
            lambda: self.company.write({"redeem_otp_enabled": False}),
            lambda: self.config.write({"redeem_otp_required": False}),
        ):
            with self.subTest():
                switch_off()
                result, code = self.request_code()
                self.assertError(result, "otp_disabled")
                self.assertIsNone(code)
                self.company.redeem_otp_enabled = True
                self.config.redeem_otp_required = True

    def test_not_protected(self):
        redemptions = [
            {
                "card_id": 0,
                "program_id": self.promotion.id,
                "points": 0,
                "amount": 10.0,
            },
            {
                "card_id": self.gift_card_card.id,
                "program_id": self.gift_card.id,
                "points": 10,
                "amount": 10.0,
            },
        ]
        result, code = self.request_code(redemptions=redemptions)
        self.assertError(result, "not_protected")
        self.assertIsNone(code)
        self.assertFalse(
            self.env["salon.otp.challenge"].search([("partner_id", "=", self.guest.id)])
        )

    def test_no_destination(self):
        self.config.redeem_otp_allow_override = False
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": self.nobody.id, "points": 50}
        )
        result, code = self.request_code(
            partner_id=self.nobody.id, redemptions=self.spend(card=card)
        )
        error = self.assertError(
            result, "no_destination", "No Contact has no mobile number or email"
        )
        self.assertIsNone(code)
        challenge = self.env["salon.otp.challenge"].browse(error["challenge_id"])
        self.assertEqual(challenge.state, "failed")
        self.assertIn("no email address", challenge.failure_reason)

    def test_rate_limited_resend_cooldown(self):
        uuid = self.new_uuid()
        first, _code = self.request_code(order_uuid=uuid)
        self.challenge(first)
        result, code = self.request_code(order_uuid=uuid)
        error = self.assertError(result, "rate_limited", "wait")
        self.assertIsNone(code)
        self.assertTrue(0 < error["retry_after"] <= 31)
        # Another order of the same guest is not held by this order's cooldown.
        other, _code = self.request_code()
        self.challenge(other)

    def test_rate_limited_per_guest_per_hour(self):
        self.company.redeem_otp_max_sends_per_hour = 3
        for _i in range(3):
            self.challenge(self.request_code()[0])
        result, code = self.request_code()
        self.assertError(result, "rate_limited", "3 codes in the last hour")
        self.assertIsNone(code)
        # Older than an hour: no longer counted.
        self.env.cr.execute(
            "UPDATE salon_otp_challenge SET create_date = create_date - interval '61 minutes' "
            "WHERE partner_id = %s",
            [self.guest.id],
        )
        self.challenge(self.request_code()[0])

    def test_rate_limited_per_center_per_hour(self):
        self.config.redeem_otp_max_sends_per_hour = 2
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.other_guest.id,
                "points": 80,
            }
        )
        self.challenge(self.request_code()[0])
        with self.mock_mail_gateway(mail_unlink_sent=True):
            self.challenge(
                self.request_code(
                    partner_id=self.other_guest.id, redemptions=self.spend(card=card)
                )[0]
            )
        # A third guest, well within their own limit, is refused by the center's.
        third = self.env["res.partner"].create(
            {
                "name": "Third Guest",
                "mobile": "+33 6 98 76 54 32",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        card3 = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": third.id, "points": 80}
        )
        result, code = self.request_code(
            partner_id=third.id, redemptions=self.spend(card=card3)
        )
        self.assertError(result, "rate_limited", "center")
        self.assertIsNone(code)

    def test_send_failed(self):
        self.config.redeem_otp_allow_override = False
        self.company.redeem_otp_channel_sequence = "sms"
        reasons = {
            "credit": "Insufficient Credit",
            "unregistered": "Unregistered Account",
            "server_error": "Server Error",
            "jsonrpc_exception": "Server Error",
        }
        sms_before = self.env["sms.sms"].sudo().search_count([])
        for sim_error, words in reasons.items():
            with self.subTest(sim_error=sim_error):
                result, code = self.request_code(sim_error=sim_error)
                error = self.assertError(
                    result, "send_failed", f"could not be sent.*{words}"
                )
                self.assertIsNone(code)
                challenge = self.env["salon.otp.challenge"].browse(
                    error["challenge_id"]
                )
                self.assertEqual(challenge.state, "failed")
                self.assertIn(words, challenge.failure_reason)
                self.assertFalse(challenge.channel)
                self.env.cr.execute(
                    "SELECT code_hash FROM salon_otp_challenge WHERE id = %s",
                    [challenge.id],
                )
                self.assertIsNone(
                    self.env.cr.fetchone()[0], "a failed code keeps no hash"
                )
                self.assertEqual(
                    self.env["sms.sms"].sudo().search_count([]),
                    sms_before,
                    "no sms.sms row left",
                )
                # A failed send verifies nothing.
                self.assertError(
                    self.verify(challenge.id, code="123456"), "send_failed"
                )

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
            "SELECT code_hash FROM salon_otp_challenge WHERE id = %s", [challenge.id]
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

    def test_bad_request(self):
        other_card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.other_guest.id,
                "points": 80,
            }
        )
        other_company = self.env["res.company"].create({"name": "Another salon group"})
        foreign_program = self.env["loyalty.program"].create(
            {
                "name": "Foreign credit",
                "program_type": "ewallet",
                "company_id": other_company.id,
                **{
                    k: v
                    for k, v in self.env["loyalty.program"]
                    ._program_type_default_values()["ewallet"]
                    .items()
                    if k not in ("rule_ids", "reward_ids")
                },
            }
        )
        ewallet = self.spend()[0]
        cases = {
            "config id as a string": {"pos_config_id": str(self.config.id)},
            "config id as a boolean": {"pos_config_id": True},
            "config id missing": {"pos_config_id": None},
            "partner id as a string": {"partner_id": str(self.guest.id)},
            "partner id as a float": {"partner_id": float(self.guest.id)},
            "partner id as a list": {"partner_id": [self.guest.id]},
            "unknown partner": {"partner_id": 999999999},
            "order uuid missing": {"order_uuid": None},
            "order uuid malformed": {"order_uuid": "'; DROP TABLE x; --"},
            "order uuid too long": {"order_uuid": "a" * 65},
            "order uuid as a number": {"order_uuid": 12345678},
            "redemptions missing": {"redemptions": None},
            "redemptions empty": {"redemptions": []},
            "redemptions as an object": {"redemptions": ewallet},
            "redemptions as a string": {"redemptions": json.dumps([ewallet])},
            "huge list": {"redemptions": [ewallet] * 51},
            "item not an object": {
                "redemptions": [[ewallet["card_id"], ewallet["program_id"]]]
            },
            "program missing": {
                "redemptions": [{"card_id": ewallet["card_id"], "points": 1}]
            },
            "program id as text": {
                "redemptions": [{**ewallet, "program_id": "ewallet"}]
            },
            "points as text": {"redemptions": [{**ewallet, "points": "forty"}]},
            "negative points": {"redemptions": [{**ewallet, "points": -40.0}]},
            "negative amount": {"redemptions": [{**ewallet, "amount": -40.0}]},
            "negative card id": {"redemptions": [{**ewallet, "card_id": -1}]},
            "NaN points": {"redemptions": [{**ewallet, "points": float("nan")}]},
            "NaN amount": {"redemptions": [{**ewallet, "amount": float("nan")}]},
            "infinite points": {"redemptions": [{**ewallet, "points": float("inf")}]},
            "too many points": {"redemptions": [{**ewallet, "points": 1e12}]},
            "unknown program": {"redemptions": [{**ewallet, "program_id": 999999999}]},
            "unknown card": {"redemptions": [{**ewallet, "card_id": 999999999}]},
            "card of another program": {
                "redemptions": [{**ewallet, "card_id": self.loyalty_card.id}]
            },
            "card of another guest": {"redemptions": self.spend(card=other_card)},
            "program of another company": {
                "redemptions": [
                    {
                        "card_id": 0,
                        "program_id": foreign_program.id,
                        "points": 1,
                        "amount": 1,
                    }
                ]
            },
            "unknown channel": {"channel": "fax"},
            "channel not a string": {"channel": ["sms"]},
            "channel not enabled": {"channel": "whatsapp"},
        }
        count = self.env["salon.otp.challenge"].search_count([])
        for label, overrides in cases.items():
            with self.subTest(label):
                result, code = self.request_code(**overrides)
                self.assertError(result, "bad_request")
                self.assertIsNone(code)
        self.assertEqual(self.env["salon.otp.challenge"].search_count([]), count)

    def test_access_denied_without_pos_rights(self):
        new_test_user(self.env, login="desk_clerk", groups="base.group_user")
        self.authenticate("desk_clerk", "desk_clerk")
        result, code = self.request_code()
        self.assertError(result, "access_denied", "Point of Sale users")
        self.assertIsNone(code)
        self.assertError(
            self.rpc(
                "channels", pos_config_id=self.config.id, partner_id=self.guest.id
            ),
            "access_denied",
        )

    def test_access_denied_for_a_config_of_another_company(self):
        other_company = self.env["res.company"].create({"name": "Another salon group"})
        other_config = self.env["pos.config"].create({"name": "Elsewhere"})
        # Moved by SQL: a company without a chart of accounts cannot create a POS.
        self.env.cr.execute(
            "UPDATE pos_config SET company_id = %s WHERE id = %s",
            [other_company.id, other_config.id],
        )
        result, code = self.request_code(pos_config_id=other_config.id)
        self.assertError(result, "access_denied", "not allowed")
        self.assertIsNone(code)
        self.assertError(
            self.rpc(
                "channels", pos_config_id=other_config.id, partner_id=self.guest.id
            ),
            "access_denied",
        )

    def test_access_denied_without_an_open_session(self):
        closed_config = self.env["pos.config"].create({"name": "Second chair"})
        result, code = self.request_code(pos_config_id=closed_config.id)
        self.assertError(result, "access_denied", "Open a session")
        self.assertIsNone(code)
        # A missing config is refused the same way.
        result, _code = self.request_code(pos_config_id=999999999)
        self.assertError(result, "access_denied")


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
        first.sudo().resend_at = fields.Datetime.now() - timedelta(seconds=1)
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
            self.verify(
                challenge.id, override_code=OVERRIDE_CODE, reason="Phone is flat"
            ),
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
class TestOverride(RedeemRoutesCase):
    def test_override_with_reason_records_user_and_reason(self):
        self.set_override_code()
        result, _code = self.request_code()
        challenge = self.challenge(result)
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            verified = self.verify(
                challenge.id,
                override_code=OVERRIDE_CODE,
                reason="Guest's phone is flat",
            )
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
            self.verify(challenge.id, override_code=OVERRIDE_CODE, reason=" ok "),
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
            self.verify(
                challenge.id,
                override_code=OVERRIDE_CODE,
                reason="Guest's phone is flat",
            ),
            "override_not_allowed",
        )
        self.assertEqual(challenge.state, "pending")
        self.assertEqual(challenge.attempt_count, 0)

    def test_override_limit(self):
        self.set_override_code(limit=1)
        first = self.challenge(self.request_code()[0])
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            self.assertEqual(
                self.verify(
                    first.id, override_code=OVERRIDE_CODE, reason="Phone is flat"
                )["state"],
                "verified",
            )
        second = self.challenge(self.request_code()[0])
        self.assertError(
            self.verify(
                second.id, override_code=OVERRIDE_CODE, reason="Phone is flat again"
            ),
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
            "SELECT code_hash FROM salon_otp_challenge WHERE id = %s", [challenge.id]
        )
        stored = self.env.cr.fetchone()[0]
        # An HMAC-SHA256 digest (Odoo's tools.misc.hmac), not the code.
        self.assertRegex(stored, r"^[0-9a-f]{64}$")
        admin = self.system_admin()
        for user in (self.pos_user, self.pos_admin, admin):
            with self.subTest(user=user.login):
                as_user = challenge.with_user(user)
                with self.assertRaises(AccessError):
                    as_user.read(["code_hash"])
                rows = as_user.search_read([("id", "=", challenge.id)])
                self.assertEqual(len(rows), 1)
                self.assertNotIn("code_hash", rows[0])
                self.assertNotIn(stored, repr(rows))


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


def _html_code(body):
    """The code in the mail template's big paragraph."""
    import re

    match = re.search(r"letter-spacing: 4px;\">\s*([0-9A-Z]{4,10})\s*<", body or "")
    return match and match.group(1)
