# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""WhatsApp Cloud API channel, against a local HTTP server standing in for Meta.

The server records what it received (path, headers, JSON body) and answers as
told: a message id, Meta's error JSON with 400/401, a bare 500, or nothing in
time. The first tests drive tools/whatsapp_cloud.py alone; the class below
drives the channel through a real challenge, with the SMS gateway mocked, to
check the fallback to the next channel.
"""

import json
import re
import time
from http.server import BaseHTTPRequestHandler
from unittest.mock import patch
from urllib.parse import urlsplit

import pytest

from odoo.tests import tagged
from odoo.tests.common import _super_send

from odoo.addons.salon_otp_redeem.tools import whatsapp_cloud
from odoo.addons.salon_otp_redeem.tools.errors import RedeemOtpError
from odoo.addons.salon_otp_redeem.tools.sender import (
    WHATSAPP_API_PARAM as API_BASE_PARAM,
)
from odoo.addons.salon_otp_redeem.tools.sender import RedeemOtpSender
from odoo.addons.sms.tests.common import MockSMS

from .common import TransactionCase
from .local_http import LocalHttpServer
from .log_capture import capture_all_logs
from .otp_common import CODE_RE, SalonSetupMixin

TOKEN = "EAAGtestTOKEN0123456789secret"
PHONE_NUMBER_ID = "106540352242922"
TEMPLATE = "redemption_code"

ERROR_401 = {
    "error": {
        "message": "Error validating access token: Session has expired.",
        "type": "OAuthException",
        "code": 190,
        "error_subcode": 463,
        "fbtrace_id": "AbCdEf",
    }
}
ERROR_400 = {
    "error": {
        "message": "(#132001) Template name does not exist in the translation",
        "type": "OAuthException",
        "code": 132001,
        "error_data": {
            "messaging_product": "whatsapp",
            "details": "template name (redemption_code) does not exist in fr",
        },
        "fbtrace_id": "AbCdEf",
    }
}


class FakeGraphApi(LocalHttpServer):
    """A thread serving POST /v19.0/<phone number id>/messages on 127.0.0.1:<random port>."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.reply = None
        self.delay = 0.0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                api.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(raw),
                    }
                )
                if api.delay:
                    time.sleep(api.delay)
                reply = api.reply
                if reply is None:
                    reply = {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": "x", "wa_id": "x"}],
                        "messages": [{"id": "wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI"}],
                    }
                payload = (
                    reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                )
                try:
                    self.send_response(api.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args):
                pass

        super().__init__(Handler)

    @property
    def base(self):
        return f"{self.origin}/v19.0"


def send(api, **kwargs):
    params = {
        "api_base": api.base,
        "phone_number_id": PHONE_NUMBER_ID,
        "token": TOKEN,
        "template": TEMPLATE,
        "lang": "fr",
        "to": "+33612345678",
        "code": "482913",
    }
    params.update(kwargs)
    return whatsapp_cloud.send_authentication_code(**params)


# ----------------------------------------------------------------------
# tools/whatsapp_cloud.py on its own
# ----------------------------------------------------------------------
def test_success_posts_the_authentication_template():
    with FakeGraphApi() as api:
        message_id = send(api)
    assert message_id == "wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI"
    [request] = api.requests
    assert request["path"] == f"/v19.0/{PHONE_NUMBER_ID}/messages"
    assert request["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert request["headers"]["Content-Type"] == "application/json"
    body = request["body"]
    assert body["messaging_product"] == "whatsapp"
    assert body["to"] == "33612345678", "E.164 without the plus"
    assert body["type"] == "template"
    template = body["template"]
    assert template["name"] == TEMPLATE
    assert template["language"] == {"code": "fr"}
    body_part, button = template["components"]
    assert body_part == {
        "type": "body",
        "parameters": [{"type": "text", "text": "482913"}],
    }
    assert button == {
        "type": "button",
        "sub_type": "url",
        "index": "0",
        "parameters": [{"type": "text", "text": "482913"}],
    }


def test_401_says_the_token_was_refused_without_showing_it():
    with FakeGraphApi() as api:
        api.status, api.reply = 401, ERROR_401
        with pytest.raises(whatsapp_cloud.WhatsAppCloudError) as caught:
            send(api)
    reason = str(caught.value)
    assert "refused the access token" in reason
    assert "invalid or expired" in reason
    assert "HTTP 401" in reason
    assert TOKEN not in reason and "482913" not in reason


def test_400_gives_meta_s_reason_in_words():
    with FakeGraphApi() as api:
        api.status, api.reply = 400, ERROR_400
        with pytest.raises(whatsapp_cloud.WhatsAppCloudError) as caught:
            send(api)
    reason = str(caught.value)
    assert "refused the message" in reason
    assert "template does not exist in this language" in reason
    assert "HTTP 400, error 132001" in reason


def test_400_with_an_unknown_error_code_shows_the_details():
    with FakeGraphApi() as api:
        api.status = 400
        api.reply = {
            "error": {"code": 100, "message": "Invalid parameter", "error_data": {}}
        }
        with pytest.raises(
            whatsapp_cloud.WhatsAppCloudError, match="Invalid parameter"
        ):
            send(api)


def test_error_echoing_the_code_or_token_is_scrubbed():
    with FakeGraphApi() as api:
        api.status = 400
        api.reply = {"error": {"code": 100, "message": f"bad value 482913 for {TOKEN}"}}
        with pytest.raises(whatsapp_cloud.WhatsAppCloudError) as caught:
            send(api)
    assert "482913" not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_500_is_a_server_error():
    with FakeGraphApi() as api:
        api.status, api.reply = 500, b"<html>Internal Server Error</html>"
        with pytest.raises(
            whatsapp_cloud.WhatsAppCloudError, match=r"server error \(HTTP 500\)"
        ):
            send(api)


def test_timeout():
    with FakeGraphApi() as api:
        api.delay = 1.5
        started = time.monotonic()
        with pytest.raises(
            whatsapp_cloud.WhatsAppCloudError, match="did not answer within 0.5 s"
        ):
            send(api, timeout=(1, 0.5))
        assert time.monotonic() - started < 1.4


def test_default_timeouts_are_5_and_10_seconds():
    calls = []

    class Recorder:
        def post(self, url, **kwargs):
            calls.append(kwargs)
            raise whatsapp_cloud.requests.exceptions.ConnectionError("refused")

    with pytest.raises(whatsapp_cloud.WhatsAppCloudError):
        whatsapp_cloud.send_authentication_code(
            "https://graph.facebook.com/v19.0",
            PHONE_NUMBER_ID,
            TOKEN,
            TEMPLATE,
            "en_US",
            "+33612345678",
            "482913",
            session=Recorder(),
        )
    assert calls[0]["timeout"] == (5, 10)
    assert calls[0]["allow_redirects"] is False


def test_connection_refused():
    with FakeGraphApi() as api:
        base = api.base
    # The server is closed: nothing listens on that port any more.
    with pytest.raises(whatsapp_cloud.WhatsAppCloudError, match="connection refused"):
        whatsapp_cloud.send_authentication_code(
            base, PHONE_NUMBER_ID, TOKEN, TEMPLATE, "fr", "+33612345678", "482913"
        )


def test_unexpected_answer_without_a_message_id():
    with FakeGraphApi() as api:
        api.reply = {"messaging_product": "whatsapp"}
        with pytest.raises(
            whatsapp_cloud.WhatsAppCloudError, match="without a message id"
        ):
            send(api)


@pytest.mark.parametrize(
    ("base", "ok"),
    [
        ("https://graph.facebook.com/v19.0", True),
        ("https://graph.facebook.com/v19.0/", True),
        ("http://127.0.0.1:8080/v19.0", True),
        ("http://localhost:8080/v19.0", True),
        ("http://graph.facebook.com/v19.0", False),
        ("ftp://graph.facebook.com/v19.0", False),
    ],
)
def test_https_only(base, ok):
    if ok:
        url = whatsapp_cloud.messages_url(base, PHONE_NUMBER_ID)
        assert url.endswith(f"/v19.0/{PHONE_NUMBER_ID}/messages")
        assert "//v19.0" not in url
    else:
        with pytest.raises(whatsapp_cloud.WhatsAppCloudError, match="HTTPS"):
            whatsapp_cloud.messages_url(base, PHONE_NUMBER_ID)


def test_missing_settings_are_named():
    with pytest.raises(whatsapp_cloud.WhatsAppCloudError, match="phone number ID"):
        whatsapp_cloud.messages_url(None, "")
    with pytest.raises(whatsapp_cloud.WhatsAppCloudError, match="phone number ID"):
        whatsapp_cloud.messages_url(None, "../../me")
    with pytest.raises(whatsapp_cloud.WhatsAppCloudError, match="access token"):
        whatsapp_cloud.send_authentication_code(
            None, PHONE_NUMBER_ID, "", TEMPLATE, "fr", "+33612345678", "1"
        )
    with pytest.raises(whatsapp_cloud.WhatsAppCloudError, match="template"):
        whatsapp_cloud.send_authentication_code(
            None, PHONE_NUMBER_ID, TOKEN, "", "fr", "+33612345678", "1"
        )
    with pytest.raises(whatsapp_cloud.WhatsAppCloudError, match="number"):
        whatsapp_cloud.recipient("+33")


# ----------------------------------------------------------------------
# The channel, through a challenge
# ----------------------------------------------------------------------
@tagged("post_install", "-at_install")
class TestWhatsappChannel(SalonSetupMixin, TransactionCase, MockSMS):
    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        # Odoo's test guard raises timeouts under 10 s to 10 s and cannot
        # compare a (connect, read) tuple: let requests to the stand-in through as sent.
        if urlsplit(r.url).hostname == "127.0.0.1":
            return _super_send(s, r, **kw)
        return super()._request_handler(s, r, **kw)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls._setup_salon(cls.company)
        cls.company.write(
            {
                "redeem_otp_channel_sequence": "whatsapp,sms",
                "redeem_otp_max_sends_per_hour": 50,
                "redeem_otp_whatsapp_phone_number_id": PHONE_NUMBER_ID,
                "redeem_otp_whatsapp_token": TOKEN,
                "redeem_otp_whatsapp_template": TEMPLATE,
                "redeem_otp_whatsapp_lang": "fr",
            }
        )
        cls.config = cls.env["pos.config"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.config.redeem_otp_max_sends_per_hour = 500

    def setUp(self):
        super().setUp()
        self.api = FakeGraphApi().__enter__()
        self.addCleanup(self.api.__exit__, None, None, None)
        self.env["ir.config_parameter"].sudo().set_param(API_BASE_PARAM, self.api.base)

    def request_code(self, **kwargs):
        redemptions = [
            {
                "card_id": self.ewallet_card.id,
                "program_id": self.ewallet.id,
                "points": 40.0,
                "amount": 40.0,
            }
        ]
        with self.mockSMSGateway():
            return (
                self.env["salon.otp.challenge"]
                .sudo()
                ._redeem_otp_request(
                    self.config,
                    self.guest,
                    f"wa-{time.monotonic_ns()}",
                    redemptions,
                    **kwargs,
                )
            )

    def code_sent_to_whatsapp(self):
        [request] = self.api.requests
        return request["body"]["template"]["components"][0]["parameters"][0]["text"]

    def test_configuration(self):
        self.assertTrue(self.company._redeem_otp_whatsapp_configured())
        for field in (
            "redeem_otp_whatsapp_phone_number_id",
            "redeem_otp_whatsapp_token",
            "redeem_otp_whatsapp_template",
        ):
            with self.subTest(field=field):
                value = self.company[field]
                self.company[field] = False
                self.assertFalse(self.company._redeem_otp_whatsapp_configured())
                self.company[field] = value
        self.assertEqual(self.company.redeem_otp_whatsapp_lang, "fr")
        self.assertEqual(
            self.env["res.company"].new({}).redeem_otp_whatsapp_lang, "en_US"
        )

    def test_code_goes_by_whatsapp(self):
        with capture_all_logs() as logs:
            challenge = self.request_code()
        self.assertEqual(challenge.channel, "whatsapp")
        self.assertEqual(
            challenge.destination_masked,
            "+33 6\u2022\u2022 \u2022\u2022 \u2022\u2022 78",
        )
        self.assertFalse(self._sms, "no SMS when WhatsApp delivered")
        [request] = self.api.requests
        self.assertEqual(request["path"], f"/v19.0/{PHONE_NUMBER_ID}/messages")
        self.assertEqual(request["headers"]["Authorization"], f"Bearer {TOKEN}")
        self.assertEqual(request["body"]["to"], "33612345678")
        self.assertEqual(request["body"]["template"]["name"], TEMPLATE)
        code = self.code_sent_to_whatsapp()
        self.assertEqual(len(code), challenge.code_id.code_length)
        button = request["body"]["template"]["components"][1]["parameters"][0]["text"]
        self.assertEqual(button, code)
        for secret in (code, TOKEN):
            self.assertNotIn(secret, logs.text)
        self.assertIn("accepted by WhatsApp", logs.text)
        self.assertEqual(challenge._redeem_otp_verify(code=code)["state"], "verified")

    def test_failure_falls_back_to_sms(self):
        for status, reply, words in (
            (401, ERROR_401, "refused the access token"),
            (400, ERROR_400, "template does not exist"),
            (500, b"oops", "server error"),
        ):
            with self.subTest(status=status):
                self.api.requests.clear()
                self.api.status, self.api.reply = status, reply
                with capture_all_logs() as logs:
                    challenge = self.request_code()
                self.assertEqual(challenge.channel, "sms")
                self.assertEqual(len(self.api.requests), 1, "WhatsApp was tried first")
                whatsapp_code = self.code_sent_to_whatsapp()
                sms_code = CODE_RE.search(self._sms[-1]["body"]).group(1)
                self.assertEqual(whatsapp_code, sms_code, "one code per challenge")
                self.assertIn(words, logs.text, "the WhatsApp reason is logged")
                self.assertNotIn(TOKEN, logs.text)
                self.assertEqual(logs.leaks(sms_code), [])

    def test_timeout_falls_back_to_sms(self):
        self.api.delay = 1.5
        with patch.object(whatsapp_cloud, "READ_TIMEOUT", 0.5):
            started = time.monotonic()
            challenge = self.request_code()
        self.assertLess(time.monotonic() - started, 1.4)
        self.assertEqual(challenge.channel, "sms")
        self.assertTrue(self._sms)

    def test_whatsapp_only_reports_the_reason(self):
        self.company.redeem_otp_channel_sequence = "whatsapp"
        self.api.status, self.api.reply = 401, ERROR_401
        # Not assertRaises: Odoo's rolls back to a savepoint, and the failed
        # challenge is what this test reads (the route commits it too).
        try:
            self.request_code()
        except RedeemOtpError as exc:
            error = exc
        else:
            self.fail("the code was sent")
        self.assertEqual(error.code, "send_failed")
        message = str(error.args[0])
        self.assertRegex(message, r"whatsapp: WhatsApp refused the access token")
        self.assertNotIn(TOKEN, message)
        challenge = self.env["salon.otp.challenge"].browse(
            error.details["challenge_id"]
        )
        self.assertEqual(challenge.state, "failed")
        self.assertIn("HTTP 401", challenge.failure_reason)

    def test_unconfigured_whatsapp_is_skipped(self):
        self.company.redeem_otp_whatsapp_token = False
        challenge = self.request_code()
        self.assertEqual(challenge.channel, "sms")
        self.assertFalse(self.api.requests)
        channels = RedeemOtpSender(self.env)._available_channels(
            self.guest, self.company
        )
        self.assertEqual([c["channel"] for c in channels], ["sms"])

    def test_chosen_whatsapp_channel(self):
        self.company.redeem_otp_channel_sequence = "sms,whatsapp"
        challenge = self.request_code(channel="whatsapp")
        self.assertEqual(challenge.channel, "whatsapp")
        self.assertFalse(self._sms)
        self.assertTrue(re.fullmatch(r"\d{6}", self.code_sent_to_whatsapp()))
