# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Attacks on points: moving them past the points RPC's check, and minting
credit that no sale paid for.

Every attack runs as a POS user over HTTP JSON-RPC (tests/attack_common.py);
each test asserts what the salon would lose, not how the server words its
refusal.
"""

from odoo.tests import tagged

from .attack_common import PAID_STATES, AttackCase


@tagged("post_install", "-at_install")
class TestAttack02PointsRpc(AttackCase):
    """2. confirm_coupon_programs must not move points its check never saw."""

    def plain_order(self, config=None):
        """A paid order with a service and no reward: it spends nothing."""
        return self.sync_ok(self.order_data([self.product_line()], config=config))

    def test_01_negative_key_remapped_on_existing_loyalty_card(self):
        order = self.plain_order()
        before = self.snapshot()
        # A "new card" key: stock pos_loyalty remaps it onto the guest's
        # existing loyalty card (same partner and program) and adds the points.
        self.confirm(
            order.id,
            {
                -1: self.coupon_vals(
                    self.loyalty_card,
                    -400.0,
                    coupon_id=-1,
                    partner_id=self.guest.id,
                )
            },
        )
        self.assertNothingLost(before)

    def test_02_gift_card_id_naming_a_protected_card(self):
        order = self.plain_order()
        before = self.snapshot()
        # Stock writes the named card's points and holder, gift card or not.
        self.confirm(
            order.id,
            {
                -1: self.coupon_vals(
                    self.gift_card_card,
                    0.0,
                    coupon_id=-1,
                    giftCardId=self.ewallet_card.id,
                    partner_id=self.accomplice.id,
                )
            },
        )
        self.assertNothingLost(before)

    def _confirm_non_finite(self, literal):
        order = self.plain_order()
        before = self.snapshot()
        card = self.ewallet_card
        args = (
            f'[[{order.id}], {{"{card.id}": {{"points": {literal}, '
            f'"program_id": {card.program_id.id}, "coupon_id": {card.id}, '
            '"barcode": false, "line_codes": []}}]'
        )
        self.post_raw("pos.order", "confirm_coupon_programs", args)
        self.assertNothingLost(before)

    def test_03_nan_points(self):
        self._confirm_non_finite("NaN")

    def test_04_infinite_points(self):
        self._confirm_non_finite("Infinity")

    def test_05_minus_infinite_points(self):
        self._confirm_non_finite("-Infinity")

    def test_06_uncoded_path_replayed(self):
        """Below the minimum amount no code is asked, once: a replay takes no more."""
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        order = self.sync_ok(self.order_data(self.spending_lines(card, 5.0)))
        first = self.confirm(order.id, {card.id: self.coupon_vals(card, -5.0)})
        self.assertFalse(self.refused(first), f"the legitimate confirm failed: {first}")
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, 145.0)
        before = self.snapshot()
        for _i in range(3):
            self.confirm(order.id, {card.id: self.coupon_vals(card, -5.0)})
        self.assertNothingLost(before, allow_decision=True)

    def test_07_order_of_a_center_with_codes_off(self):
        """A center with codes off cannot carry a debit of a card it never spent."""
        self.other_config.redeem_otp_required = False
        order = self.plain_order(config=self.other_config)
        before = self.snapshot()
        self.confirm(
            order.id,
            {self.ewallet_card.id: self.coupon_vals(self.ewallet_card, -150.0)},
        )
        self.assertNothingLost(before)

    def test_08_order_that_never_spent_the_card(self):
        order = self.plain_order()
        before = self.snapshot()
        self.confirm(
            order.id,
            {self.ewallet_card.id: self.coupon_vals(self.ewallet_card, -150.0)},
        )
        self.assertNothingLost(before)

    def test_09_coded_order_carries_a_debit_of_another_card(self):
        """A used authorization for one card does not open another."""
        uuid = self.new_uuid()
        card = self.ewallet_card
        challenge = self.verified_code(uuid, [self.redemption(card, 40.0)])
        order = self.sync_ok(
            self.order_data(
                self.spending_lines(card, 40.0),
                challenge_id=challenge.id,
                uuid=uuid,
            )
        )
        before = self.snapshot()
        self.confirm(
            order.id,
            {
                card.id: self.coupon_vals(card, -40.0),
                self.loyalty_card.id: self.coupon_vals(self.loyalty_card, -500.0),
            },
        )
        self.env.invalidate_all()
        self.assertEqual(self.loyalty_card.points, 500.0)
        self.assertIn(card.points, (110.0, 150.0))
        del before["cards"][card.id]
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestAttack09Mint(AttackCase):
    """9. Credit comes only from a sale that pays for it; no card goes below zero."""

    def plain_order(self):
        return self.sync_ok(self.order_data([self.product_line()]))

    def test_01_points_rpc_adds_credit_without_top_up(self):
        order = self.plain_order()
        before = self.snapshot()
        card = self.accomplice_card
        self.confirm(order.id, {card.id: self.coupon_vals(card, 500.0)})
        self.assertNothingLost(before)

    def test_02_points_rpc_creates_a_funded_card(self):
        order = self.plain_order()
        before = self.snapshot()
        self.confirm(
            order.id,
            {
                -1: self.coupon_vals(
                    self.accomplice_card,
                    500.0,
                    coupon_id=-1,
                    partner_id=self.accomplice.id,
                )
            },
        )
        self.env.invalidate_all()
        funded = self.env["loyalty.card"].search(
            [
                ("partner_id", "=", self.accomplice.id),
                ("id", "!=", self.accomplice_card.id),
                ("points", ">", 0),
            ]
        )
        self.assertFalse(funded, f"credit minted on new card(s) {funded.ids}")
        self.assertNothingLost(before)

    def test_03_card_write_raises_points(self):
        before = self.snapshot()
        self.attempt(
            "loyalty.card", "write", [self.accomplice_card.id], {"points": 10000.0}
        )
        self.assertNothingLost(before)

    def test_04_balance_wizard_raises_points(self):
        before = self.snapshot()
        wizard = self.attempt(
            "loyalty.card.update.balance",
            "create",
            {
                "card_id": self.accomplice_card.id,
                "new_balance": 10000.0,
                "description": "Gift",
            },
        )
        if isinstance(wizard, int):
            self.attempt(
                "loyalty.card.update.balance", "action_update_card_point", [wizard]
            )
        self.assertNothingLost(before)

    def test_05_debit_below_zero(self):
        """The holder's own code does not pay more than the card holds."""
        card = self.ewallet_card  # 150 points
        uuid = self.new_uuid()
        before = self.snapshot()
        result, code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, 300.0)]
        )
        if code and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            order = self.sync_and_confirm(
                self.order_data(
                    [self.product_line(price=400.0), self.reward_line(card, 300.0)],
                    challenge_id=result["challenge_id"],
                    uuid=uuid,
                ),
                card,
                -300.0,
            )
        self.env.invalidate_all()
        self.assertGreaterEqual(card.points, 0.0, "the card went below zero")
        for order in self.new_orders().filtered(lambda o: o.state in PAID_STATES):
            spent = sum(
                order.lines.filtered(lambda line: line.coupon_id == card).mapped(
                    "points_cost"
                )
            )
            self.assertLessEqual(
                spent,
                150.0,
                f"order {order.id} is {order.state} and takes {spent} points of "
                "credit from a card that held 150",
            )
        self.assertNothingLost(before)

    def test_06_ewallet_reward_line_without_a_card(self):
        uuid = self.new_uuid()
        before = self.snapshot()
        redemption = self.redemption(None, 100.0, program=self.ewallet)
        result, code = self.request_code(order_uuid=uuid, redemptions=[redemption])
        if code and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            self.sync(
                self.order_data(
                    [
                        self.product_line(),
                        self.reward_line(None, 100.0, program=self.ewallet),
                    ],
                    challenge_id=result["challenge_id"],
                    uuid=uuid,
                )
            )
        self.env.invalidate_all()
        for order in self.new_orders().filtered(lambda o: o.state in PAID_STATES):
            self.assertFalse(
                self.protected_reward_lines(order).filtered(
                    lambda line: not line.coupon_id
                ),
                f"order {order.id} spends e-wallet credit drawn on no card",
            )
        self.assertNothingLost(before)
