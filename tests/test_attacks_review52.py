# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 52 (adversarial, of the locking and dormancy changes since e0f39e1).

Probes of the context a cashier sets over JSON-RPC (`kwargs.context`): the
server's markers (tools/trusted.py) are Python objects a JSON payload cannot
produce; `active_test` is plain data. Each test asserts the effect (balances
unchanged), so each passes while the rule holds.
"""

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .attack_common import TopUpAttackCase

FORGED = {
    "salon_otp_trusted": True,
    "salon_otp_checked": [1, 2, 3],
    "salon_otp_locked": [1, 2, 3],
    "salon_otp_vouched": {},
    "active_test": False,
    "tracking_disable": True,
    "loyalty_no_mail": True,
}


@tagged("post_install", "-at_install")
class TestReview52(TopUpAttackCase):
    def forged(self, **extra):
        return {**FORGED, **extra}

    def test_01_forged_markers_on_sync_do_not_spend_without_code(self):
        card = self.ewallet_card
        before = self.snapshot()
        data = self.order_data(self.spending_lines(card, 40.0))
        result = self.attempt(
            "pos.order", "sync_from_ui", [data], context=self.forged()
        )
        self.assertIsInstance(result, JsonRpcException, result)
        self.assertNothingLost(before)

    def test_02_forged_vouched_marker_does_not_wake_a_dormant_card(self):
        card = self.ewallet_card
        self.make_dormant(card)
        self.set_override_code()
        before = self.snapshot()
        uuid = self.new_uuid()
        result, _code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, 40.0)]
        )
        challenge_id = result.get("challenge_id") or (result.get("error") or {}).get(
            "challenge_id"
        )
        self.assertTrue(challenge_id, result)
        self.verify_override(challenge_id, "Guest forgot the phone")
        data = self.order_data(
            self.spending_lines(card, 40.0), uuid=uuid, challenge_id=challenge_id
        )
        vouched = {str(card.id): "2099-01-01 00:00:00"}
        order = self.attempt(
            "pos.order",
            "sync_from_ui",
            [data],
            context=self.forged(salon_otp_vouched=vouched),
        )
        # The override does not wake a dormant card, whatever the context says.
        self.assertIsInstance(order, JsonRpcException, order)
        self.assertNothingLost(before)

    def test_03_forged_trusted_marker_on_card_write(self):
        card = self.ewallet_card
        before = self.snapshot()
        self.attempt(
            "loyalty.card", "write", [card.id], {"points": 0.0}, context=self.forged()
        )
        self.attempt(
            "loyalty.card",
            "write",
            [self.accomplice_card.id],
            {"points": 9999.0},
            context=self.forged(),
        )
        self.assertNothingLost(before)

    def test_04_forged_context_on_points_call_of_a_plain_order(self):
        order = self.sync_ok(self.order_data([self.product_line()]))
        before = self.snapshot()
        card = self.ewallet_card
        self.attempt(
            "pos.order",
            "confirm_coupon_programs",
            [order.id],
            {str(card.id): self.coupon_vals(card, -40.0)},
            context=self.forged(),
        )
        # A positive key carried onto the guest's loyalty card by partner_id,
        # archived cards found too (active_test False).
        self.attempt(
            "pos.order",
            "confirm_coupon_programs",
            [order.id],
            {
                str(self.accomplice_loyalty.id): self.coupon_vals(
                    self.accomplice_loyalty,
                    -40.0,
                    program=self.loyalty,
                    partner_id=self.guest.id,
                )
            },
            context=self.forged(),
        )
        self.assertNothingLost(before)
