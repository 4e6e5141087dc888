# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The challenge route, browserless, as a real POS user over HTTP.

Every error code the POS dialog handles is produced here through the route,
not by calling the model: the controller's parsing and rights checks are
part of what is tested. The HTTP server runs in this process with the test's
cursor, so MockSMS / MockEmail patches apply to what the routes send.
"""

import json

from odoo.tests import new_test_user, tagged

from .otp_common import RedeemRoutesCase, html_code


@tagged("post_install", "-at_install")
class TestChallengeRoute(RedeemRoutesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The address the salon's mail goes from (none, and codes go by SMS only).
        cls.company.email = "salon@example.com"

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
        # From the salon and answered to it, never to the cashier.
        self.assertIn("salon@example.com", mail["email_from"])
        self.assertIn("salon@example.com", mail["reply_to"])
        code = html_code(mail["body"])
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

    def test_no_email_to_several_addresses(self):
        """Staff who typed their own address next to the guest's would get the
        guest's codes once the watch is over: a code goes to one address."""
        guest = self.env["res.partner"].create(
            {"name": "Two Inboxes", "email": "two@example.com, clerk@example.com"}
        )
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": guest.id, "points": 100}
        )
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result, _code = self.request_code(
                partner_id=guest.id, redemptions=self.spend(card=card)
            )
        error = self.assertError(result, "no_destination")
        self.assertFalse(self._mails)
        challenge = self.env["salon.otp.challenge"].browse(error["challenge_id"])
        self.assertIn("several addresses", challenge.failure_reason)
        channels = self.rpc(
            "channels", pos_config_id=self.config.id, partner_id=guest.id
        )
        self.assertEqual(channels.get("channels"), [], channels)

    def test_no_email_without_an_address_of_the_salons(self):
        """Not the cashier's address instead: the guest would answer them."""
        self.company.email = False
        guest = self.other_guest  # an email, no phone
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": guest.id, "points": 100}
        )
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result, _code = self.request_code(
                partner_id=guest.id, redemptions=self.spend(card=card)
            )
        self.assertIn("the salon has no email address", str(result.get("error")))
        self.assertFalse(self._mails)

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
                    "SELECT code_hash FROM salon_otp_code WHERE challenge_id = %s",
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
