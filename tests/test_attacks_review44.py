# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 44: the code made and sent after the challenge route's answer.

- The watch on staff changes of a guest's contact (salon.otp.destination.change)
  is decided once, by the request: `risk_destination_changed` is set when
  the challenge is created, and the sender only looks for the previous
  destination when that flag is set (`RedeemOtpSender._send_code_to_previous`:
  "the request, in this transaction, found no change under watch"). Since
  dec85a2 the send is no longer in that transaction: it runs after the
  response, in a cursor of its own (`ir.http._post_dispatch` ->
  `salon.otp.code._redeem_otp_deliver_pending`), and reads the guest's
  mobile as it is then. A cashier who writes their own number on the guest
  between the two gets the code: the watch recorded the change, queued the
  guest's alert, and the code went to the new number all the same.

  The cashier decides when the send runs: it starts when the response has
  been written out, and the JSON-RPC answer echoes the request's `id`. A
  request with an `id` of a few megabytes, whose answer the till reads
  slowly, holds the send back for as long as the cashier likes (here: until
  the mobile is changed). Without that lever the window is still open to a
  race (a parallel write that commits before the send's first query, or a
  wrong /verify that makes the send's lock fail and `retrying` sleep up to
  two seconds before it reads the guest again).

  Effect: 40.00 of the guest's e-wallet spent with a code only the
  cashier's accomplice received.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over HTTP, and each test asserts what the guest would lose. Only the
set-up uses the superuser.
"""

import json
import socket
import time

from odoo.tests import tagged

from .attack_common import ACCOMPLICE_MOBILE, ACCOMPLICE_NUMBER, AttackCase
from .otp_common import CODE_RE

# Larger than what loopback's socket buffers hold: the server's write of
# the answer blocks until the till reads it.
BIG_ID = "x" * (24 * 1024 * 1024)


@tagged("post_install", "-at_install")
class TestReview44SendAfterAnswer(AttackCase):
    def slow_challenge(self, params):
        """POST the challenge route with a huge JSON-RPC id, read only the
        start of the answer (the challenge is committed by then) and leave
        the rest, and with it the send after the answer, waiting."""
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": BIG_ID, "params": params}
        ).encode()
        cookies = "; ".join(f"{k}={v}" for k, v in self.opener.cookies.items())
        head = (
            "POST /salon_otp_redeem/challenge HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{self.http_port()}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"Cookie: {cookies}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(120)
        sock.connect(("127.0.0.1", self.http_port()))
        sock.sendall(head + body)
        start = sock.recv(1024)
        self.assertIn(b"200 OK", start.split(b"\r\n", 1)[0], start[:200])
        return sock

    @staticmethod
    def drain(sock):
        """The till reads the answer to its end: the send after it runs."""
        received = 0
        while chunk := sock.recv(1 << 20):
            received += len(chunk)
        sock.close()
        return received

    def test_01_code_goes_to_the_number_written_after_the_request(self):
        # Stock gives every internal user "Contact Creation" (base.default_user):
        # a cashier edits the guests' contacts at the till.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        card = self.ewallet_card
        start = card.points
        uuid = self.new_uuid()
        with self.mockSMSGateway(), self.mock_mail_gateway():
            sock = self.slow_challenge(
                self.challenge_params(
                    order_uuid=uuid, redemptions=[self.redemption(card, 40.0)]
                )
            )
            # The answer is out, the code is not: the cashier's number goes
            # on the guest's contact now.
            time.sleep(1)
            self.assertFalse(self._sms, "set-up: the send waits for the answer")
            self.attempt(
                "res.partner", "write", [self.guest.id], {"mobile": ACCOMPLICE_MOBILE}
            )
            self.drain(sock)
            challenge = self.env["salon.otp.challenge"].search(
                [("order_uuid", "=", uuid)]
            )
            self.assertEqual(len(challenge), 1, "set-up: the challenge was saved")
            for _i in range(500):
                self.env.invalidate_all()
                if challenge.sudo().code_id.state != "sending":
                    break
                time.sleep(0.01)
            codes = {
                sms["number"]: CODE_RE.search(sms["body"]).group(1)
                for sms in self._sms
                if CODE_RE.search(sms["body"])
            }
        self.env.invalidate_all()
        self.assertTrue(
            self.env["salon.otp.destination.change"].search(
                [("partner_id", "=", self.guest.id)]
            ),
            "set-up: the watch recorded the cashier's change",
        )
        code = codes.get(ACCOMPLICE_NUMBER)
        if code:
            verified = self.verify(challenge.id, code=code)
            self.assertEqual(verified.get("state"), "verified", verified)
            order = self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, 40.0),
                    uuid=uuid,
                    challenge_id=challenge.id,
                ),
                card,
                -40.0,
            )
            self.assertIsInstance(order, int, order)
        self.env.invalidate_all()
        self.assertNotIn(
            ACCOMPLICE_NUMBER,
            codes,
            f"the code went to the number the cashier wrote after asking for it; "
            f"the guest's e-wallet went from {start:.2f} to {card.points:.2f}",
        )
        self.assertAlmostEqual(card.points, start)
