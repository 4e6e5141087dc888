# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issue 8: every way a POS user could spend a protected balance without the
guest's code, tried as that user over HTTP JSON-RPC.

Each test asserts what the salon would lose (balances, holders, programs,
expiries, active flags, center settings, paid orders with a protected reward
and no used authorization), not how the server words its refusal.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .attack_common import ACCOMPLICE_MOBILE, ACCOMPLICE_NUMBER, PAID_STATES, AttackCase


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
            self.order_data(
                [self.product_line(), self.reward_line(self.ewallet_card, 100.0)]
            )
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
        order = self.sync_ok(
            self.order_data([self.product_line(), self.reward_line(card, 5.0)])
        )
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
                [self.product_line(), self.reward_line(card, 40.0)],
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
class TestAttack03ChangeTheCard(AttackCase):
    """3. A protected card's holder, program, expiry, active flag and points are
    not the cashier's to change."""

    def _write_card(self, card, vals):
        before = self.snapshot()
        self.attempt("loyalty.card", "write", [card.id], vals)
        self.assertNothingLost(before)

    def test_01_cashier_cannot_change_the_holder(self):
        self._write_card(self.ewallet_card, {"partner_id": self.accomplice.id})

    def test_02_cashier_cannot_move_the_card_to_a_gift_card_program(self):
        self._write_card(self.ewallet_card, {"program_id": self.gift_card.id})

    def test_03_cashier_cannot_revive_an_expired_card(self):
        today = fields.Date.context_today(self.env.user)
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": 80.0,
                "expiration_date": today - timedelta(days=10),
            }
        )
        self._write_card(
            card,
            {"expiration_date": fields.Date.to_string(today + timedelta(days=365))},
        )

    def test_04_cashier_cannot_remove_an_expiry(self):
        today = fields.Date.context_today(self.env.user)
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": 80.0,
                "expiration_date": today - timedelta(days=10),
            }
        )
        self._write_card(card, {"expiration_date": False})

    def test_05_cashier_cannot_archive_a_card(self):
        self._write_card(self.ewallet_card, {"active": False})

    def test_06_cashier_cannot_revive_an_archived_card(self):
        card = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": 90.0,
                "active": False,
            }
        )
        self._write_card(card, {"active": True})

    def test_07_cashier_cannot_lower_points(self):
        self._write_card(self.ewallet_card, {"points": 0.0})

    def test_08_cashier_cannot_set_points_to_nan_then_zero(self):
        card = self.ewallet_card
        before = self.snapshot()
        self.post_raw("loyalty.card", "write", f'[[{card.id}], {{"points": NaN}}]')
        self.attempt("loyalty.card", "write", [card.id], {"points": 0.0})
        self.assertNothingLost(before)

    def test_09_cashier_cannot_lower_points_with_the_balance_wizard(self):
        before = self.snapshot()
        wizard = self.attempt(
            "loyalty.card.update.balance",
            "create",
            {
                "card_id": self.ewallet_card.id,
                "new_balance": 0.0,
                "description": "Correction",
            },
        )
        if isinstance(wizard, int):
            self.attempt(
                "loyalty.card.update.balance", "action_update_card_point", [wizard]
            )
        self.assertNothingLost(before)

    def test_10_forged_history_does_not_wake_a_dormant_card(self):
        """A loyalty.history row made by the cashier is no activity: the dormant
        card still needs the guest's code, even below the minimum amount."""
        self.company.redeem_otp_min_amount = 20.0
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": self.guest.id, "points": 120}
        )
        self.env.cr.execute(
            "UPDATE loyalty_card SET create_date = now() - interval '400 days' "
            "WHERE id = %s",
            [card.id],
        )
        self.env.invalidate_all()
        before = self.snapshot()
        self.attempt(
            "loyalty.history",
            "create",
            {"card_id": card.id, "description": "Visit", "issued": 0.0, "used": 0.0},
        )
        order = self.sync(
            self.order_data([self.product_line(), self.reward_line(card, 5.0)])
        )
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, -5.0)})
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestAttack04SpendMoreThanApproved(AttackCase):
    """4. The value the guest approves is the value that leaves."""

    def test_01_guest_told_a_small_amount_loses_more(self):
        card = self.ewallet_card
        uuid = self.new_uuid()
        # The browser says 0.50 in the guest's message; the line takes 40.00.
        challenge = self.verified_code(uuid, [self.redemption(card, 40.0, 0.5)])
        before = self.snapshot()
        order = self.sync(
            self.order_data(
                [self.product_line(), self.reward_line(card, 40.0)],
                challenge_id=challenge.id,
                uuid=uuid,
            )
        )
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, -40.0)})
        self.env.invalidate_all()
        for order in self.new_orders().filtered(lambda o: o.state in PAID_STATES):
            taken = -sum(
                self.protected_reward_lines(order).mapped("price_subtotal_incl")
            )
            authorized = order.redeem_otp_challenge_id.amount
            self.assertLessEqual(
                taken,
                authorized + 0.005,
                f"order {order.id} takes {taken} of credit; the guest approved {authorized}",
            )
        del before["cards"][card.id]
        self.assertNothingLost(before)

    def test_02_many_points_under_a_cheap_line_without_code(self):
        """500 e-wallet points priced 1.00 are not "below the minimum amount"."""
        self.company.redeem_otp_min_amount = 20.0
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "partner_id": self.guest.id, "points": 600}
        )
        before = self.snapshot()
        order = self.sync(
            self.order_data(
                [self.product_line(), self.reward_line(card, 500.0, amount=1.0)]
            )
        )
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, -500.0)})
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestAttack05BecomeAMember(AttackCase):
    """5. Membership benefits rest on data the cashier cannot set."""

    def test_01_cashier_cannot_make_a_guest_a_free_member(self):
        # Odoo's default internal user template grants Contact Creation.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")
        benefits = self._program(
            "Members' treatments", "ewallet", redeem_otp_membership_only=True
        )
        card = self.env["loyalty.card"].create(
            {"program_id": benefits.id, "partner_id": self.guest.id, "points": 100}
        )
        self.assertNotIn(self.guest.membership_state, ("paid", "free"))
        before = self.snapshot()
        self.attempt("res.partner", "write", [self.guest.id], {"free_member": True})
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, 60.0)]
        )
        if code and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            order = self.sync(
                self.order_data(
                    [self.product_line(), self.reward_line(card, 60.0)],
                    challenge_id=result["challenge_id"],
                    uuid=uuid,
                )
            )
            if isinstance(order, int):
                self.confirm(order, {card.id: self.coupon_vals(card, -60.0)})
        self.env.invalidate_all()
        self.assertFalse(self.guest.free_member, "the cashier made the guest a member")
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestAttack06HolderlessCard(AttackCase):
    """6. A protected card of no one is not spent with another guest's code."""

    def test_01_holderless_card_not_spent_with_an_accomplice_code(self):
        card = self.env["loyalty.card"].create(
            {"program_id": self.ewallet.id, "points": 100.0}
        )
        before = self.snapshot()
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid,
            partner_id=self.accomplice.id,
            redemptions=[self.redemption(card, 100.0)],
        )
        if code and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            order = self.sync(
                self.order_data(
                    [self.product_line(), self.reward_line(card, 100.0)],
                    partner=self.accomplice,
                    challenge_id=result["challenge_id"],
                    uuid=uuid,
                )
            )
            if isinstance(order, int):
                self.confirm(order, {card.id: self.coupon_vals(card, -100.0)})
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestAttack07PayLater(AttackCase):
    """7. Every way an order becomes paid applies the same check."""

    def _draft_spending_order(self):
        card = self.ewallet_card
        data = self.order_data(
            [self.product_line(), self.reward_line(card, 100.0)], state="draft"
        )
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
class TestAttack08Annoy(AttackCase):
    """8. A challenge is answered only by the cashier and session that asked."""

    def _pending(self, uuid=None):
        result, code = self.request_code(order_uuid=uuid or self.new_uuid())
        challenge = self.challenge(result)
        self.assertTrue(code)
        return challenge, code

    def assertStillPending(self, challenge, code):
        self.env.invalidate_all()
        self.assertEqual(challenge.state, "pending", "another cashier changed it")
        self.assertEqual(challenge.attempt_count, 0, "another cashier burnt attempts")
        self.assertFalse(challenge.method)
        # The guest's code still works for the cashier who asked.
        self.authenticate("pos_user", "pos_user")
        self.assertEqual(self.verify(challenge.id, code=code).get("state"), "verified")

    def test_01_other_cashier_cannot_burn_attempts(self):
        challenge, code = self._pending()
        self.second_cashier()
        self.attempt_route(
            "verify", challenge_id=challenge.id, code=self.wrong_code(code)
        )
        self.assertStillPending(challenge, code)

    def test_02_other_cashier_cannot_lock(self):
        challenge, code = self._pending()
        self.second_cashier()
        for _i in range(challenge.max_attempts):
            self.attempt_route(
                "verify", challenge_id=challenge.id, code=self.wrong_code(code)
            )
        self.assertStillPending(challenge, code)

    def test_03_other_cashier_cannot_override(self):
        self.set_override_code()
        challenge, code = self._pending()
        self.second_cashier()
        self.attempt_route(
            "verify",
            challenge_id=challenge.id,
            override_code="246810",
            reason="Guest forgot the phone",
        )
        self.assertStillPending(challenge, code)

    def test_04_foreign_order_uuid_cannot_supersede(self):
        uuid = self.new_uuid()
        challenge, code = self._pending(uuid)
        # Past the resend cooldown.
        self.env.cr.execute(
            "UPDATE salon_otp_challenge SET resend_at = now() at time zone 'utc' "
            "- interval '1 minute' WHERE id = %s",
            [challenge.id],
        )
        self.second_cashier()
        self.request_code(order_uuid=uuid, pos_config_id=self.other_config.id)
        self.assertStillPending(challenge, code)

    def test_05_wrong_override_codes_are_limited_per_center(self):
        """Guessing the center's override code: after 30 wrong codes in an hour
        the right one no longer opens anything."""
        self.set_override_code(limit=100)
        wrong = 0
        while wrong < 30:
            challenge, _code = self._pending()
            for _i in range(challenge.max_attempts - 1):
                self.attempt_route(
                    "verify",
                    challenge_id=challenge.id,
                    override_code=f"99{wrong:04d}",
                    reason="Guest forgot the phone",
                )
                wrong += 1
        challenge, _code = self._pending()
        self.attempt_route(
            "verify",
            challenge_id=challenge.id,
            override_code="246810",
            reason="Guest forgot the phone",
        )
        self.env.invalidate_all()
        self.assertNotEqual(
            challenge.state, "verified", f"{wrong} wrong override codes, then a hit"
        )

    def test_06_card_id_zero_cannot_send_codes_to_anyone(self):
        stranger = self.env["res.partner"].create(
            {
                "name": "Random Stranger",
                "mobile": "+33 6 11 22 33 44",
                "country_id": self.env.ref("base.fr").id,
            }
        )
        result, code = self.request_code(
            partner_id=stranger.id,
            redemptions=[
                {
                    "card_id": 0,
                    "program_id": self.ewallet.id,
                    "points": 10.0,
                    "amount": 10.0,
                }
            ],
        )
        self.assertIsNone(code, f"a code went to a stranger: {result}")
        self.assertFalse(
            [sms for sms in self._sms if sms["number"] == "+33611223344"],
            "an SMS went to a stranger",
        )


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
            order = self.sync(
                self.order_data(
                    [self.product_line(price=400.0), self.reward_line(card, 300.0)],
                    challenge_id=result["challenge_id"],
                    uuid=uuid,
                )
            )
            if isinstance(order, int):
                self.confirm(order, {card.id: self.coupon_vals(card, -300.0)})
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


@tagged("post_install", "-at_install")
class TestAttack10MoveTheGuest(AttackCase):
    """10. The guest's cards and code stay the guest's."""

    def setUp(self):
        super().setUp()
        # Odoo's default internal user template grants Contact Creation.
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")

    def test_01_contact_merge_does_not_move_the_cards(self):
        # An accomplice with no card of their own: the cards simply move over.
        accomplice = self.env["res.partner"].create({"name": "Sam Accomplice"})
        before = self.snapshot()
        self.attempt(
            "res.partner", "write", [accomplice.id], {"email": self.guest.email}
        )
        wizard = self.attempt(
            "base.partner.merge.automatic.wizard",
            "create",
            {
                "partner_ids": [[6, 0, [self.guest.id, accomplice.id]]],
                "dst_partner_id": accomplice.id,
            },
        )
        if isinstance(wizard, int):
            self.attempt(
                "base.partner.merge.automatic.wizard", "action_merge", [wizard]
            )
        self.env.invalidate_all()
        self.assertTrue(self.guest.exists(), "the guest's contact was merged away")
        self.assertNothingLost(before)

    def test_02_code_not_sent_to_a_number_staff_just_set(self):
        self.attempt(
            "res.partner", "write", [self.guest.id], {"mobile": ACCOMPLICE_MOBILE}
        )
        self.request_code()
        numbers = [sms["number"] for sms in self._sms]
        self.assertNotIn(
            ACCOMPLICE_NUMBER, numbers, "the code went to the number staff just set"
        )


@tagged("post_install", "-at_install")
class TestAttack11EditAfterSync(AttackCase):
    """11. What the points RPC reads is what was accepted at sync."""

    def coded_order(self, card, points):
        uuid = self.new_uuid()
        challenge = self.verified_code(uuid, [self.redemption(card, points)])
        order = self.sync_ok(
            self.order_data(
                [self.product_line(), self.reward_line(card, points)],
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
        order = self.sync_ok(
            self.order_data([self.product_line(), self.reward_line(card, 5.0)])
        )
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
