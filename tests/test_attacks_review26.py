# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 26: a cashier's own default values reach the audit record.

Stock gives every internal user full rights on `ir.default` for their own
user (record rule `user_id = user.id`), and `ir.default.set(model, field,
value, user_id=True)` is public over JSON-RPC. The challenge route creates the
authorization with `sudo()`, which keeps the cashier's uid: `default_get`
then fills every field the addon's create does not name from the cashier's
own defaults, before the field's own default. `salon.otp.challenge.create`
(`_redeem_otp_request`) names neither `state`, `method`, `attempt_count`,
`override_failure_count` nor `user_id`: the cashier chooses them.
"""

from odoo.tests import tagged

from .attack_common import AttackCase
from .otp_common import OVERRIDE_CODE


@tagged("post_install", "-at_install")
class TestOwnDefaultsReachTheChallenge(AttackCase):
    def set_my_default(self, field_name, value):
        """The cashier's own default for a field of the authorization."""
        return self.attempt(
            "ir.default",
            "set",
            "salon.otp.challenge",
            field_name,
            value,
            user_id=True,
        )

    def test_01_challenge_born_verified_spends_without_the_code(self):
        """state='verified' (and method='code') as the cashier's defaults: the
        request creates an authorization already verified, and the order
        spending the guest's credit is paid without anyone typing the code."""
        card = self.ewallet_card
        before = self.snapshot()
        self.set_my_default("state", "verified")
        self.set_my_default("method", "code")
        uuid = self.new_uuid()
        with self.mockSMSGateway():
            result = self.attempt_route(
                "challenge",
                **self.challenge_params(
                    order_uuid=uuid, redemptions=[self.redemption(card, 40.0)]
                ),
            )
        challenge_id = isinstance(result, dict) and result.get("challenge_id")
        order = self.sync(
            self.order_data(
                self.spending_lines(card, 40.0), uuid=uuid, challenge_id=challenge_id
            )
        )
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, -40.0)})
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            150.0,
            "the cashier's own ir.default made the code request's authorization "
            "'verified' at birth: 40.00 of the guest's credit were spent without "
            "the guest's code, and the report shows it as authorized by the "
            f"guest's code (challenge {challenge_id})",
        )
        self.assertNothingLost(before)

    def test_02_attempt_count_default_gives_unlimited_guesses(self):
        """attempt_count=-1000 as the cashier's default: the guest's code can be
        guessed far past the company's 5 attempts."""
        self.set_my_default("attempt_count", -1000)
        result, code = self.request_code()
        challenge = self.challenge(result)
        wrong = self.wrong_code(code)
        for _i in range(8):
            self.verify(challenge.id, code=wrong)
        answer = self.verify(challenge.id, code=code)
        self.env.invalidate_all()
        self.assertNotEqual(
            answer.get("state"),
            "verified",
            "the cashier's own ir.default for attempt_count let 8 wrong codes pass "
            f"without locking the code (5 allowed), then the 9th guess verified: "
            f"{answer} (attempts recorded: {challenge.attempt_count})",
        )

    def test_03_override_failure_default_lifts_the_center_limit(self):
        """override_failure_count=-1000 as the cashier's default: the center's
        5 wrong override codes per hour never add up, so the override code can
        be guessed without end."""
        self.set_override_code()
        self.set_my_default("override_failure_count", -1000)
        wrong = "135799"
        typed = 0
        for _i in range(3):
            result, _code = self.request_code()
            challenge = self.challenge(result)
            for _j in range(4):
                self.verify(challenge.id, override_code=wrong, reason="Guest's phone")
                typed += 1
        result, _code = self.request_code()
        challenge = self.challenge(result)
        answer = self.verify(
            challenge.id, override_code=OVERRIDE_CODE, reason="Guest's phone"
        )
        self.assertNotEqual(
            answer.get("state"),
            "verified",
            f"after {typed} wrong override codes at this center within the hour "
            "(5 allowed), the override was still accepted: the cashier's own "
            "ir.default made the failures count negative",
        )

    def test_04_challenge_recorded_for_another_cashier(self):
        """user_id as the cashier's default: the authorization the cashier asks
        for names another cashier as the one who asked."""
        self.set_my_default("user_id", self.pos_user2.id)
        result, _code = self.request_code()
        challenge = self.challenge(result)
        self.assertEqual(
            challenge.user_id,
            self.pos_user,
            "the authorization pos_user asked for is recorded as asked by "
            f"{challenge.user_id.login}: the audit trail names another cashier",
        )


@tagged("post_install", "-at_install")
class TestOwnDefaultsReachTheOrder(AttackCase):
    def test_05_taken_back_default_mints_credit_on_any_card(self):
        """redeem_otp_taken_back as the cashier's own default on pos.order: the
        sync creates the order with a 'hold' it never took, and gives it back
        to the card named (`_redeem_otp_enforce_one` reads `before` from the
        order and calls `loyalty.card._redeem_otp_give_back`)."""
        card = self.accomplice_card
        self.attempt(
            "ir.default",
            "set",
            "pos.order",
            "redeem_otp_taken_back",
            f'{{"{card.id}": 500.0}}',
            user_id=True,
        )
        order = self.sync(
            self.order_data([self.product_line()], partner=self.accomplice)
        )
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            10.0,
            "the cashier's own ir.default on pos.order.redeem_otp_taken_back made "
            "the sync 'give back' 500.00 of e-wallet credit it never held: the "
            f"accomplice's card went from 10.00 to {card.points} (order {order})",
        )

    def test_06_taken_back_context_default_mints_credit(self):
        """The same through the call's context (`default_redeem_otp_taken_back`
        in sync_from_ui's kwargs), with no ir.default row at all."""
        card = self.accomplice_card
        data = self.order_data([self.product_line()], partner=self.accomplice)
        result = self.attempt(
            "pos.order",
            "sync_from_ui",
            [data],
            context={"default_redeem_otp_taken_back": f'{{"{card.id}": 500.0}}'},
        )
        order = result["pos.order"][0]["id"] if isinstance(result, dict) else result
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            10.0,
            "a default_redeem_otp_taken_back key in the sync's context made the "
            "sync 'give back' 500.00 of e-wallet credit it never held: the "
            f"accomplice's card went from 10.00 to {card.points} (order {order})",
        )
