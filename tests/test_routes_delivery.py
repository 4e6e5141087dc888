# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The code goes out after the challenge route answered: what the till sees.

The route commits the challenge and answers at once; the same worker sends
the code as the response closes (`ir.http._post_dispatch`), and the till asks
`/salon_otp_redeem/delivery` where it went. The gateway here is Odoo's own
IAP client with only its HTTP call replaced, held back until the test lets
it answer: the route's answer comes back while the gateway has not.
"""

import threading
from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from odoo.addons.sms.tools.sms_api import SmsApi

from .otp_common import CODE_RE, RedeemRoutesCase


@tagged("post_install", "-at_install")
class TestDeliveryAfterAnswer(RedeemRoutesCase):
    def raw_challenge(self, **overrides):
        return self.make_jsonrpc_request(
            "/salon_otp_redeem/challenge", self.challenge_params(**overrides)
        )

    def delivery(self, challenge_id):
        return self.make_jsonrpc_request(
            "/salon_otp_redeem/delivery", {"challenge_id": challenge_id}
        )

    def test_answer_comes_before_the_gateway(self):
        gate = threading.Event()
        sent = []

        def slow_gateway(endpoint, params):
            # The request's answer must not wait for this.
            self.assertTrue(gate.wait(20), "the test never let the gateway answer")
            sent.extend(params["messages"])
            return [
                {"uuid": number["uuid"], "state": "success", "credit": 1}
                for message in params["messages"]
                for number in message["numbers"]
            ]

        with patch.object(SmsApi, "_contact_iap", side_effect=slow_gateway):
            answer = self.raw_challenge()
            self.assertFalse(sent)
            self.assertEqual(answer["delivery"], "sending")
            self.assertEqual(answer["state"], "pending")
            self.assertFalse(answer["channel"])
            self.assertTrue(answer["expires_at"].endswith("Z"))
            gate.set()
            delivered = self.delivered(answer)
        self.assertEqual(delivered.get("delivery"), "sent", delivered)
        self.assertEqual(delivered["channel"], "sms")
        self.assertEqual(
            delivered["destination"], "+33 6\u2022\u2022 \u2022\u2022 \u2022\u2022 78"
        )
        self.assertEqual(len(sent), 1)
        code = CODE_RE.search(sent[0]["content"]).group(1)
        verified = self.verify(answer["challenge_id"], code=code)
        self.assertEqual(verified["state"], "verified")

    def test_a_failed_send_is_the_deliverys_answer(self):
        result, code = self.request_code(sim_error="server_error")
        self.assertIsNone(code)
        error = self.assertError(result, "send_failed")
        challenge = self.env["salon.otp.challenge"].browse(error["challenge_id"])
        self.assertEqual(challenge.code_id.state, "failed")
        # Asked again, the answer is the same: the failure is stored.
        again = self.delivery(challenge.id)
        self.assertEqual(again["error"]["code"], "send_failed")

    def test_only_the_cashier_who_asked_sees_the_delivery(self):
        result, _code = self.request_code()
        challenge = self.challenge(result)
        new_test_user(
            self.env,
            login="pos_user_next_till",
            groups="point_of_sale.group_pos_user",
            company_id=self.company.id,
        )
        self.authenticate("pos_user_next_till", "pos_user_next_till")
        answer = self.delivery(challenge.id)
        self.assertEqual(answer["error"]["code"], "access_denied")
        self.assertNotIn("destination", answer)

    def test_no_such_challenge(self):
        for bad in (0, -1, 2**31, "1", None, 2**31 - 1):
            with self.subTest(bad=bad):
                answer = self.delivery(bad)
                self.assertIn(answer["error"]["code"], ("bad_request",))


@tagged("post_install", "-at_install")
class TestLateSendOfAVoidedCode(RedeemRoutesCase):
    """The send after the answer sends nothing the challenge no longer wants."""

    def prepared(self, order_uuid):
        return (
            self.env["salon.otp.challenge"]
            .sudo()
            ._redeem_otp_request(
                self.config,
                self.guest,
                order_uuid,
                self.spend(),
                deliver=False,
            )
        )

    def test_a_newer_code_voids_the_one_still_to_send(self):
        order_uuid = self.new_uuid()
        first = self.prepared(order_uuid)
        pending = first.code_id
        self.env["salon.otp.code"].sudo().search(
            [("challenge_id", "=", first.id)]
        )._redeem_otp_void()
        with self.mockSMSGateway():
            pending._redeem_otp_deliver_pending(None)
        self.assertFalse(self._sms)
        self.assertEqual(pending.state, "voided")

    def test_a_verified_challenge_gets_no_late_code(self):
        first = self.prepared(self.new_uuid())
        pending = first.code_id
        self.assertEqual(pending.state, "sending")
        first._redeem_otp_finish("superseded")
        with self.mockSMSGateway():
            pending._redeem_otp_deliver_pending(None)
        self.assertFalse(self._sms)

    def test_a_pending_code_goes_out_once(self):
        first = self.prepared(self.new_uuid())
        pending = first.code_id
        with self.mockSMSGateway():
            pending._redeem_otp_deliver_pending(None)
            pending._redeem_otp_deliver_pending(None)
        self.assertEqual(len(self._sms), 1)
        self.assertEqual(pending.state, "sent")
        self.assertEqual(first.channel, "sms")
