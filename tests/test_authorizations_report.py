# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The authorizations report adds up what was authorized, not what was asked."""

from lxml import etree

from odoo.tests import tagged

from .otp_common import RedeemOtpOrderCase


@tagged("post_install", "-at_install")
class TestAuthorizationsReport(RedeemOtpOrderCase):
    def test_only_authorized_rows_count_in_the_total(self):
        self.company.redeem_otp_resend_seconds = 0  # a new code at once replaces one
        replaced_uuid = self.create_random_uid()
        replaced, _code = self.request_code(
            replaced_uuid, [self.redemption(self.ewallet_card, 30.0)]
        )
        self.assertEqual(
            replaced.amount_authorized, 0.0, "a pending code authorizes nothing"
        )
        verified = self.verified_challenge(
            replaced_uuid, [self.redemption(self.ewallet_card, 20.0)]
        )
        self.assertEqual(replaced.state, "superseded")
        self.assertEqual(replaced.amount, 30.0)
        self.assertEqual(replaced.amount_authorized, 0.0)
        self.assertEqual(verified.amount_authorized, 20.0)

        locked, code = self.request_code(
            self.create_random_uid(), [self.redemption(self.ewallet_card, 50.0)]
        )
        wrong = "".join("1" if ch != "1" else "2" for ch in code)
        for _attempt in range(locked.max_attempts):
            self.try_verify(locked, code=wrong)
        self.assertEqual(locked.state, "locked")
        self.assertEqual(locked.amount_authorized, 0.0)

        challenges = replaced | verified | locked
        totals = self.env["salon.otp.challenge"].read_group(
            [("id", "in", challenges.ids)], ["amount_authorized:sum"], []
        )
        self.assertEqual(totals[0]["amount_authorized"], 20.0)

    def test_list_totals_authorized_amounts_and_shows_why_a_send_failed(self):
        arch = self.env["salon.otp.challenge"].get_views([(False, "list")])["views"][
            "list"
        ]["arch"]
        columns = {
            node.get("name"): node for node in etree.fromstring(arch).iter("field")
        }
        self.assertFalse(columns["amount"].get("sum"), "asked amounts are not totalled")
        self.assertTrue(columns["amount_authorized"].get("sum"))
        self.assertIn("failure_reason", columns)
        self.assertEqual(columns["attempt_count"].get("string"), "Attempts")
        self.assertEqual(columns["pos_session_id"].get("string"), "Session")
