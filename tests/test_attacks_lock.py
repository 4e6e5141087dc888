# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Attacks on the lock itself: the center's settings, every way an order
becomes paid, and what the points RPC reads after the sync.

Every attack runs as a POS user over HTTP JSON-RPC (tests/attack_common.py);
each test asserts what the salon would lose, not how the server words its
refusal.
"""

from odoo.tests import tagged

from .attack_common import AttackCase


@tagged("post_install", "-at_install")
class TestAttack01SwitchTheLockOff(AttackCase):
    """1. POS users may write pos.config: the center's lock must not be theirs."""

    def _write_config(self, vals):
        before = self.snapshot()
        self.attempt("pos.config", "write", [self.config.id], vals)
        self.assertNothingLost(before)

    def test_01_cashier_cannot_switch_center_off(self):
        self._write_config({"redeem_otp_required": False})

    def test_02_cashier_cannot_allow_the_override(self):
        self._write_config({"redeem_otp_allow_override": True})

    def test_03_cashier_cannot_raise_the_daily_override_limit(self):
        self._write_config({"redeem_otp_override_daily_limit": 1000})

    def test_04_cashier_cannot_raise_the_center_send_limit(self):
        self._write_config({"redeem_otp_max_sends_per_hour": 100000})

    def test_05_switched_off_center_does_not_spend_without_code(self):
        """The switch and the spend together: nothing leaves the card."""
        before = self.snapshot()
        self.attempt(
            "pos.config", "write", [self.config.id], {"redeem_otp_required": False}
        )
        order = self.sync(
            self.order_data(self.spending_lines(self.ewallet_card, 100.0))
        )
        if isinstance(order, int):
            self.confirm(
                order,
                {self.ewallet_card.id: self.coupon_vals(self.ewallet_card, -100.0)},
            )
        self.assertNothingLost(before)

    def test_06_cashier_cannot_weaken_the_company_settings(self):
        fields_ = (
            "redeem_otp_enabled",
            "redeem_otp_min_amount",
            "redeem_otp_max_attempts",
            "redeem_otp_max_sends_per_hour",
        )
        was = {name: self.company[name] for name in fields_}
        self.attempt(
            "res.company",
            "write",
            [self.company.id],
            {
                "redeem_otp_enabled": False,
                "redeem_otp_min_amount": 1000000.0,
                "redeem_otp_max_attempts": 1000,
                "redeem_otp_max_sends_per_hour": 100000,
            },
        )
        self.env.invalidate_all()
        self.assertEqual({name: self.company[name] for name in fields_}, was)


@tagged("post_install", "-at_install")
class TestAttack07PayLater(AttackCase):
    """7. Every way an order becomes paid applies the same check."""

    def _draft_spending_order(self):
        card = self.ewallet_card
        data = self.order_data(self.spending_lines(card, 100.0), state="draft")
        return self.sync_ok(data)

    def test_01_draft_then_action_pos_order_paid(self):
        before = self.snapshot()
        order = self._draft_spending_order()
        self.assertEqual(order.state, "draft")
        self.attempt("pos.order", "action_pos_order_paid", [order.id])
        self.confirm(
            order.id,
            {self.ewallet_card.id: self.coupon_vals(self.ewallet_card, -100.0)},
        )
        self.assertNothingLost(before)

    def test_02_draft_then_write_state_paid(self):
        before = self.snapshot()
        order = self._draft_spending_order()
        self.attempt("pos.order", "write", [order.id], {"state": "paid"})
        self.confirm(
            order.id,
            {self.ewallet_card.id: self.coupon_vals(self.ewallet_card, -100.0)},
        )
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestAttack11EditAfterSync(AttackCase):
    """11. What the points RPC reads is what was accepted at sync."""

    def coded_order(self, card, points):
        uuid = self.new_uuid()
        challenge = self.verified_code(uuid, [self.redemption(card, points)])
        order = self.sync_ok(
            self.order_data(
                self.spending_lines(card, points),
                challenge_id=challenge.id,
                uuid=uuid,
            )
        )
        self.assertEqual(order.redeem_otp_challenge_id, challenge)
        return order, challenge

    def reward_line_of(self, order):
        line = self.protected_reward_lines(order)
        self.assertEqual(len(line), 1)
        return line

    def test_01_points_cost_rewritten_after_sync(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        order = self.sync_ok(self.order_data(self.spending_lines(card, 5.0)))
        line = self.reward_line_of(order)
        before = self.snapshot()
        self.attempt("pos.order.line", "write", [line.id], {"points_cost": 150.0})
        self.confirm(order.id, {card.id: self.coupon_vals(card, -150.0)})
        self.assertNothingLost(before, allow_decision=True)

    def _replay_after_rewrite(self, vals):
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        order, _challenge = self.coded_order(card, 40.0)
        first = self.confirm(order.id, {card.id: self.coupon_vals(card, -40.0)})
        self.assertFalse(self.refused(first), f"the legitimate confirm failed: {first}")
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, 110.0)
        line = self.reward_line_of(order)
        before = self.snapshot()
        self.attempt("pos.order.line", "write", [line.id], vals)
        self.confirm(order.id, {card.id: self.coupon_vals(card, -40.0)})
        self.assertNothingLost(before)

    def test_02_price_rewritten_to_look_below_the_minimum(self):
        self._replay_after_rewrite(
            {"price_unit": -1.0, "price_subtotal": -1.0, "price_subtotal_incl": -1.0}
        )

    def test_03_refund_shaped_reward_line(self):
        self._replay_after_rewrite(
            {"qty": -1, "price_subtotal": 40.0, "price_subtotal_incl": 40.0}
        )

    def test_04_cashier_cannot_write_the_order_authorization(self):
        card = self.ewallet_card
        _order, challenge = self.coded_order(card, 40.0)
        other = self.sync_ok(self.order_data([self.product_line()]))
        self.attempt(
            "pos.order", "write", [other.id], {"redeem_otp_challenge_id": challenge.id}
        )
        self.env.invalidate_all()
        self.assertFalse(other.redeem_otp_challenge_id, "the audit link was forged")
        self.assertEqual(challenge.pos_order_id, _order)

    def test_05_cashier_cannot_write_the_order_decision(self):
        order, _challenge = self.coded_order(self.ewallet_card, 40.0)
        self.attempt(
            "pos.order",
            "write",
            [order.id],
            {"redeem_otp_decision": "Below the minimum amount: no code asked."},
        )
        self.env.invalidate_all()
        self.assertFalse(order.redeem_otp_decision, "the audit decision was forged")
