# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The POS seam, in a browser: the payment-screen code dialog, end to end.

Codes go through the real routes and Odoo's real `sms` path; only the IAP
call is replaced (`MockSMS.mockSMSGateway`). The tours never know a code in
advance: a small local HTTP server serves the SMS bodies the mock captured,
and the tour reads the code there, as the guest would read their phone.

Screenshots of the dialog for the README are taken on the tour's request
(a console message) and written to ``docs/`` (or $SALON_OTP_SCREENSHOT_DIR).
"""

import base64
import json
import os
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.addons.sms.tests.common import MockSMS

from .local_http import LocalHttpServer
from .otp_common import make_dormant

SCREENSHOT_PREFIX = "salon_otp_screenshot:"
SCREENSHOT_DIR = Path(
    os.environ.get("SALON_OTP_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[1] / "docs"
)
OVERRIDE_CODE = "740519"
GUEST_NAME = "Camille Martin"


class _Outbox(LocalHttpServer):
    """Serves, on 127.0.0.1 and a free port, the SMS the gateway mock captured."""

    def __init__(self, messages):
        self._messages = messages
        outbox = self

        class Handler(BaseHTTPRequestHandler):
            def _headers(self, status=200):
                self.send_response(status)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers", "*")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Type", "application/json")
                self.end_headers()

            def do_OPTIONS(self):  # noqa: N802 - http.server's naming
                self._headers(204)

            def do_GET(self):  # noqa: N802
                body = json.dumps(
                    [{"body": sms["body"]} for sms in outbox._messages()]
                ).encode()
                self._headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(Handler)

    @property
    def url(self):
        return f"{self.origin}/outbox"


@tagged("post_install", "-at_install")
class TestRedeemOtpTours(TestPointOfSaleHttpCommon, MockSMS):
    test_module = "salon_otp_redeem"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["loyalty.program"].search([]).write({"active": False})
        env.ref("loyalty.ewallet_product_50").write({"active": True})
        env.ref("loyalty.gift_card_product_50").write({"active": True})
        cls.company = cls.main_pos_config.company_id
        cls.company.write(
            {
                "redeem_otp_enabled": True,
                "redeem_otp_channel_sequence": "sms",
                "redeem_otp_code_length": 6,
                "redeem_otp_alphabet": "numeric",
                "redeem_otp_validity_minutes": 5,
                "redeem_otp_max_attempts": 5,
                "redeem_otp_resend_seconds": 30,
            }
        )
        cls.guest = env["res.partner"].create(
            {
                "name": GUEST_NAME,
                "mobile": "+33612345678",
                "country_id": env.ref("base.fr").id,
            }
        )
        cls.haircut = env["product.product"].create(
            {
                "name": "Salon Haircut",
                "type": "service",
                "list_price": 50.0,
                "taxes_id": [(6, 0, [])],
                "available_in_pos": True,
            }
        )
        Program = env["loyalty.program"]
        cls.ewallet = Program.browse(Program.create_from_template("ewallet")["res_id"])
        cls.ewallet.name = "Client credit"
        cls.ewallet_card = env["loyalty.card"].create(
            {"program_id": cls.ewallet.id, "partner_id": cls.guest.id, "points": 100.0}
        )

    def setUp(self):
        super().setUp()
        self.main_pos_config.write(
            {"tax_regime_selection": False, "use_pricelist": False}
        )
        self.main_pos_config.with_user(self.pos_user).open_ui()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @contextmanager
    def _screenshots(self):
        """Take a PNG when the tour logs `salon_otp_screenshot:<name>`, then tell it."""
        original = ChromeBrowser._handle_console

        def take(browser, name):
            future = browser._websocket_send(
                "Page.captureScreenshot", params={"format": "png"}, with_future=True
            )

            def done(result):
                try:
                    data = result.result(timeout=0)["data"]
                    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                    (SCREENSHOT_DIR / f"{name}.png").write_bytes(base64.b64decode(data))
                finally:
                    browser._websocket_send(
                        "Runtime.evaluate",
                        params={
                            "expression": f"window.salonOtpShotDone = {json.dumps(name)}"
                        },
                    )

            future.add_done_callback(done)

        def handle_console(browser, type, args=None, stackTrace=None, **kw):  # noqa: A002
            if type == "log" and args:
                message = str(browser._from_remoteobject(args[0]))
                if message.startswith(SCREENSHOT_PREFIX):
                    take(browser, message[len(SCREENSHOT_PREFIX) :].strip())
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)

        with patch.object(ChromeBrowser, "_handle_console", handle_console):
            yield

    def start_otp_tour(self, tour_name, config=None, sim_error=None, **kwargs):
        """`start_pos_tour` with the SMS mock and the outbox URL given to the tour.

        `sim_error` makes the IAP gateway answer with that error, as
        MockSMS simulates it.
        """
        url_path = self._get_url(pos_config=config)
        options = {
            "stepDelay": 0,
            "keepWatchBrowser": False,
            "debug": False,
            "startUrl": url_path,
            "delayToCheckUndeterminisms": 0,
        }
        with (
            self.mockSMSGateway(sim_error=sim_error),
            _Outbox(lambda: list(self._sms)) as outbox,
            self._screenshots(),
        ):
            code = (
                f"window.salonOtpOutbox = {json.dumps(outbox.url)}; "
                f"odoo.startTour({json.dumps(tour_name)}, {json.dumps(options)});"
            )
            self.start_tour(url_path, tour_name, login="pos_user", code=code, **kwargs)
        return self._sms

    @staticmethod
    def codes(sent):
        """The code messages among what was sent (balance notices follow a redemption)."""
        return [sms for sms in sent if "is your code" in sms["body"]]

    def challenges(self):
        return (
            self.env["salon.otp.challenge"]
            .sudo()
            .search([("partner_id", "=", self.guest.id)], order="id")
        )

    def last_order(self):
        return self.env["pos.order"].search(
            [("config_id", "=", self.main_pos_config.id)], order="id desc", limit=1
        )

    # ------------------------------------------------------------------
    # Tours
    # ------------------------------------------------------------------
    def test_01_ewallet_payment_with_code(self):
        sent = self.codes(self.start_otp_tour("SalonOtpEWalletTour"))
        self.assertEqual(len(sent), 1, "one code was sent")
        self.assertEqual(sent[0]["number"], "+33612345678")
        order = self.last_order()
        self.assertEqual(order.state, "paid")
        challenge = order.redeem_otp_challenge_id
        self.assertTrue(challenge, "the order carries the verified challenge")
        self.assertEqual(challenge.state, "used")
        self.assertEqual(challenge.method, "code")
        self.assertEqual(challenge.pos_order_id, order)
        self.assertTrue(challenge.points_confirmed)
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)
        self.assertTrue((SCREENSHOT_DIR / "otp-dialog-sent.png").exists())

    def test_02_wrong_code_then_right_code(self):
        sent = self.codes(self.start_otp_tour("SalonOtpWrongCodeTour"))
        self.assertEqual(len(sent), 1)
        challenge = self.challenges()
        self.assertEqual(len(challenge), 1)
        self.assertEqual(challenge.attempt_count, 1, "the wrong code was counted")
        self.assertEqual(challenge.state, "used")
        self.assertEqual(self.last_order().redeem_otp_challenge_id, challenge)
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)
        self.assertTrue((SCREENSHOT_DIR / "otp-dialog-wrong-code.png").exists())

    def test_03_resend_voids_the_first_code(self):
        self.company.redeem_otp_resend_seconds = 0
        sent = self.codes(self.start_otp_tour("SalonOtpResendTour"))
        self.assertEqual(len(sent), 2, "a second code was sent")
        first, second = self.challenges()
        self.assertEqual(first.state, "superseded")
        self.assertEqual(second.state, "used")
        self.assertEqual(second.attempt_count, 1, "the first code was refused")
        self.assertEqual(self.last_order().redeem_otp_challenge_id, second)
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)

    def test_04_override_code_with_reason(self):
        self.main_pos_config.redeem_otp_allow_override = True
        self.main_pos_config.set_redeem_otp_override_code(OVERRIDE_CODE)
        self.start_otp_tour("SalonOtpOverrideTour")
        challenge = self.challenges()
        self.assertEqual(len(challenge), 1)
        self.assertEqual(challenge.method, "override")
        self.assertEqual(challenge.state, "used")
        self.assertEqual(challenge.override_user_id, self.pos_user)
        self.assertEqual(challenge.override_reason, "Guest's phone is out of battery")
        overrides = (
            self.env["salon.otp.challenge"]
            .sudo()
            .search_count(
                [
                    ("pos_config_id", "=", self.main_pos_config.id),
                    ("method", "=", "override"),
                ]
            )
        )
        self.assertEqual(overrides, 1, "the override counts against the daily limit")
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)
        self.assertTrue((SCREENSHOT_DIR / "otp-dialog-override.png").exists())

    def test_05_gift_card_needs_no_code(self):
        Program = self.env["loyalty.program"]
        gift_cards = Program.browse(Program.create_from_template("gift_card")["res_id"])
        card = self.env["loyalty.card"].create(
            {"program_id": gift_cards.id, "code": "044123456", "points": 100.0}
        )
        sent = self.codes(self.start_otp_tour("SalonOtpGiftCardTour"))
        self.assertFalse(sent)
        self.assertFalse(self.challenges())
        self.assertEqual(self.last_order().state, "paid")
        self.assertAlmostEqual(card.points, 50.0)

    def test_06_center_without_codes(self):
        self.company.redeem_otp_enabled = False
        sent = self.codes(self.start_otp_tour("SalonOtpOffTour"))
        self.assertFalse(sent)
        self.assertFalse(self.challenges())
        self.assertEqual(self.last_order().state, "paid")
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)

    def test_07_redemption_changed_after_verification(self):
        self.company.redeem_otp_resend_seconds = 0
        sent = self.codes(self.start_otp_tour("SalonOtpChangedAfterVerifyTour"))
        self.assertEqual(len(sent), 2, "the grown redemption needed a new code")
        first, second = self.challenges()
        self.assertEqual(first.state, "superseded")
        self.assertEqual(second.state, "used")
        self.assertAlmostEqual(second.points_total, 100.0)
        self.assertEqual(self.last_order().redeem_otp_challenge_id, second)
        self.assertAlmostEqual(self.ewallet_card.points, 0.0)

    def test_08_sync_refused_keeps_the_order(self):
        Challenge = type(self.env["salon.otp.challenge"])
        mark_verified = Challenge._redeem_otp_mark_verified

        def expire_at_once(challenge, now, method):
            # The authorization runs out between the dialog and the sync.
            mark_verified(challenge, now, method)
            challenge.write({"expires_at": now - timedelta(seconds=1)})

        with patch.object(Challenge, "_redeem_otp_mark_verified", expire_at_once):
            self.start_otp_tour("SalonOtpSyncRefusedTour")
        challenge = self.challenges()
        self.assertEqual(len(challenge), 1)
        self.assertEqual(challenge.state, "verified", "never used")
        self.assertFalse(
            self.env["pos.order"].search(
                [("config_id", "=", self.main_pos_config.id), ("state", "!=", "draft")]
            ),
            "the refused order was not saved as paid",
        )
        self.assertAlmostEqual(self.ewallet_card.points, 100.0)
        self.assertLess(challenge.expires_at, fields.Datetime.now())

    def test_09_phone_sized_screen(self):
        self.browser_size = "390x844"
        self.touch_enabled = True
        sent = self.codes(self.start_otp_tour("SalonOtpMobileTour"))
        self.assertEqual(len(sent), 1)
        self.assertEqual(self.last_order().redeem_otp_challenge_id.state, "used")
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)
        self.assertTrue((SCREENSHOT_DIR / "otp-dialog-mobile.png").exists())

    def test_10_offline_keeps_the_order(self):
        sent = self.codes(self.start_otp_tour("SalonOtpOfflineTour"))
        self.assertFalse(sent)
        self.assertFalse(self.challenges())
        self.assertFalse(
            self.env["pos.order"].search(
                [("config_id", "=", self.main_pos_config.id), ("state", "!=", "draft")]
            )
        )
        self.assertAlmostEqual(self.ewallet_card.points, 100.0)

    def test_11_contact_changed_by_staff_leaves_only_the_override(self):
        self.main_pos_config.redeem_otp_allow_override = True
        self.main_pos_config.set_redeem_otp_override_code(OVERRIDE_CODE)
        lea = self.env["res.partner"].create(
            {"name": "Léa Dubois", "country_id": self.env.ref("base.fr").id}
        )
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": lea.id, "points": 100.0}
        )
        # Staff sets a mobile on a guest who had none: nothing to confirm it with.
        lea.with_user(self.env.ref("base.user_admin")).write({"mobile": "+33698765432"})
        sent = self.codes(self.start_otp_tour("SalonOtpOverrideOnlyTour"))
        self.assertFalse(sent, "no code goes to a number staff just set")
        challenge = (
            self.env["salon.otp.challenge"].sudo().search([("partner_id", "=", lea.id)])
        )
        self.assertEqual(len(challenge), 1)
        self.assertEqual(challenge.method, "override")
        self.assertEqual(challenge.state, "used")
        self.assertTrue(challenge.risk_destination_changed)
        self.assertAlmostEqual(card.points, 50.0)

    # ------------------------------------------------------------------
    # The POS asks the server: no copy of the policy in the browser
    # ------------------------------------------------------------------
    def make_dormant(self, card, days=200):
        make_dormant(self.env, card, days)

    def assert_paid_with_the_guests_code(self, sent):
        self.assertEqual(len(sent), 1, "the server asked for the guest's code")
        order = self.last_order()
        self.assertEqual(order.state, "paid")
        challenge = order.redeem_otp_challenge_id
        self.assertEqual(challenge.state, "used")
        self.assertEqual(challenge.method, "code")
        self.assertTrue(challenge.risk_dormant)
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)

    def test_12_dormant_card_on_an_unprotected_program(self):
        self.ewallet.redeem_otp_required = False
        self.make_dormant(self.ewallet_card)
        sent = self.codes(self.start_otp_tour("SalonOtpServerAsksTour"))
        self.assert_paid_with_the_guests_code(sent)

    def test_13_dormant_card_at_a_center_without_codes(self):
        self.main_pos_config.redeem_otp_required = False
        self.make_dormant(self.ewallet_card)
        sent = self.codes(self.start_otp_tour("SalonOtpServerAsksTour"))
        self.assert_paid_with_the_guests_code(sent)

    def test_14_below_the_minimum_no_dialog(self):
        self.company.redeem_otp_min_amount = 100.0
        sent = self.codes(self.start_otp_tour("SalonOtpOffTour"))
        self.assertFalse(sent)
        self.assertFalse(self.challenges())
        order = self.last_order()
        self.assertEqual(order.state, "paid")
        self.assertRegex(order.redeem_otp_decision, "Below the minimum amount")
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)

    # ------------------------------------------------------------------
    # When no code can reach the guest
    # ------------------------------------------------------------------
    def test_15_send_failed_offers_the_override(self):
        self.main_pos_config.redeem_otp_allow_override = True
        self.main_pos_config.set_redeem_otp_override_code(OVERRIDE_CODE)
        self.company.redeem_otp_channel_sequence = "sms,email"
        self.guest.email = False
        sent = self.codes(
            self.start_otp_tour("SalonOtpSendFailedOverrideTour", sim_error="credit")
        )
        self.assertFalse(sent, "the gateway took no code")
        order = self.last_order()
        self.assertEqual(order.state, "paid")
        challenge = order.redeem_otp_challenge_id
        self.assertEqual(challenge.method, "override")
        self.assertEqual(challenge.state, "used")
        self.assertIn("Insufficient Credit", challenge.failure_reason)
        self.assertIn("no email address", challenge.failure_reason)
        self.assertEqual(
            challenge.override_reason, "SMS gateway down, guest has no email"
        )
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)
        self.assertTrue(
            (SCREENSHOT_DIR / "otp-dialog-send-failed-override.png").exists()
        )

    def test_16_membership_benefit_not_offered_to_a_non_member(self):
        """An automatic members' discount stays off a non-member's order.

        Otherwise the POS adds it by itself, the server refuses the order
        (no membership), and the cashier cannot validate.
        """
        members = self.env["loyalty.program"].create(
            {
                "name": "Members' 10% off",
                "program_type": "promotion",
                "trigger": "auto",
                "applies_on": "current",
                "redeem_otp_membership_only": True,
                "pos_config_ids": [(6, 0, self.main_pos_config.ids)],
                "rule_ids": [
                    (0, 0, {"reward_point_mode": "order", "reward_point_amount": 1})
                ],
                "reward_ids": [
                    (
                        0,
                        0,
                        {
                            "reward_type": "discount",
                            "discount_mode": "percent",
                            "discount": 10,
                            "discount_applicability": "order",
                            "required_points": 1,
                        },
                    )
                ],
            }
        )
        self.assertNotIn(self.guest.membership_state, ("paid", "free"))
        sent = self.codes(self.start_otp_tour("SalonOtpEWalletTour"))
        self.assertEqual(len(sent), 1)
        order = self.last_order()
        self.assertEqual(order.state, "paid")
        self.assertFalse(
            order.lines.filtered(lambda line: line.reward_id.program_id == members)
        )
        self.assertAlmostEqual(self.ewallet_card.points, 50.0)
