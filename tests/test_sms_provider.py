# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A salon that replaced IAP with an SMS provider module gets its codes there.

Many salons send SMS through a local provider module rather than Odoo's IAP,
often for regulatory reasons. Such modules override `sms.sms._send`. The
provider here is a real addon, tests/addons/salon_test_sms_provider, which
scripts/run-tests installs into test databases only (a module cannot be added
to a registry from inside a test in Odoo 18: Odoo's own tests use test-only
addons such as test_mail_sms the same way). It posts each message to its API;
the API is a small local HTTP server, the only stand-in. IAP must not be
called at all.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from odoo.addons.sms.tools.sms_api import SmsApi

from .otp_common import CODE_RE, RedeemOtpOrderCase, wait_delivery

PROVIDER = "salon_test_sms_provider"
API_URL_PARAM = "salon_test_sms_provider.api_url"


class _ProviderApi:
    """The provider's HTTP API on 127.0.0.1: records what it is given."""

    def __init__(self):
        self.received = []
        self.status = 200
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                api.received.append(json.loads(self.rfile.read(length)))
                body = json.dumps(
                    {"message_id": f"m{len(api.received)}"}
                    if api.status == 200
                    else {"error": "gateway unavailable"}
                ).encode()
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/messages"

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@tagged("post_install", "-at_install")
class TestSmsProviderModule(RedeemOtpOrderCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        state = cls.env["ir.module.module"].search([("name", "=", PROVIDER)]).state
        assert state == "installed", (
            f"{PROVIDER} is not installed in this database (state: {state}); "
            "scripts/run-tests installs it"
        )

    def setUp(self):
        super().setUp()
        self.api = _ProviderApi()
        self.api.start()
        self.addCleanup(self.api.stop)
        self.env["ir.config_parameter"].sudo().set_param(API_URL_PARAM, self.api.url)
        iap = patch.object(
            SmsApi, "_contact_iap", side_effect=AssertionError("IAP was called")
        )
        self.iap = iap.start()
        self.addCleanup(iap.stop)
        self.authenticate(self.env.user.login, self.env.user.login)

    def request_code(self):
        answer = self.make_jsonrpc_request(
            "/salon_otp_redeem/challenge",
            {
                "pos_config_id": self.config.id,
                "partner_id": self.guest.id,
                "order_uuid": self.create_random_uid(),
                "redemptions": [self.redemption(self.ewallet_card, 40.0)],
            },
        )
        return wait_delivery(self.make_jsonrpc_request, answer)

    def assertNoSmsRowLeft(self):
        references = [message["reference"] for message in self.api.received]
        self.assertTrue(references)
        self.assertFalse(
            self.env["sms.sms"].sudo().search([("uuid", "in", references)]),
            "the sms.sms row outlived the send",
        )

    def test_code_reaches_the_provider_module(self):
        result = self.request_code()
        self.assertEqual(result.get("channel"), "sms", result)
        self.assertEqual(len(self.api.received), 1)
        message = self.api.received[0]
        self.assertEqual(message["to"], "+33612345678")
        match = CODE_RE.search(message["text"])
        self.assertTrue(match, "the provider got no code")
        self.iap.assert_not_called()
        self.assertNoSmsRowLeft()

        verified = self.make_jsonrpc_request(
            "/salon_otp_redeem/verify",
            {"challenge_id": result["challenge_id"], "code": match.group(1)},
        )
        self.assertEqual(verified.get("state"), "verified", verified)

    def test_provider_failure_falls_back_to_email(self):
        self.company.email = (
            "frontdesk@salon.example.com"  # codes by email come from it
        )
        self.api.status = 503
        with self.mock_mail_gateway(mail_unlink_sent=True):
            result = self.request_code()
        self.assertEqual(result.get("channel"), "email", result)
        self.assertEqual(len(self.api.received), 1, "the provider was tried first")
        self.assertEqual(len(self._mails), 1)
        self.iap.assert_not_called()
        self.assertNoSmsRowLeft()

    def test_provider_failure_is_reported(self):
        self.company.redeem_otp_channel_sequence = "sms"
        self.api.status = 500
        result = self.request_code()
        error = result.get("error") or {}
        self.assertEqual(error.get("code"), "send_failed", result)
        # The provider's outcome, as it wrote it on the row: Odoo's label for it.
        self.assertIn("Server Error", error["message"])
        challenge = self.env["salon.otp.challenge"].browse(error["challenge_id"])
        self.assertEqual(challenge.state, "failed")
        self.assertFalse(challenge.channel)
        self.assertIn("Server Error", challenge.failure_reason)
        self.assertNoSmsRowLeft()
