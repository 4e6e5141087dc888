# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 58 (adversarial): rewards the salon withdrew; the paths where
several orders become paid or are checked together.

- A withdrawn (archived) reward is still spent. pos_loyalty archives a
  reward that some order used instead of deleting it
  (`loyalty.reward.unlink`), which is what the program form does when the
  salon replaces a reward; stock's till loads active rewards only. The
  sync's checks read the reward's program (offered, running, usage limit)
  and bound each line by its reward's own definition
  (`loyalty.reward._redeem_otp_check_promotions`,
  `pos.order.line._redeem_otp_check_value`), never whether the reward is
  still offered; the code request names programs and cards, not rewards.
  - "Happy hour" cut from 50% to 10% off: a 100.00 e-wallet top-up with the
    withdrawn 50% reward is paid 50.00 and credited 100.00 (a promotion's
    discount counts as paid for credit, README "Known limits": the salon's
    own promotion, which now asks 90.00) (TestReview58ArchivedReward.test_04;
    test_05 is the control: 50.00 off under the running 10% is refused).
  - A loyalty reward moved from "100 points: 50.00 off" to "100 points:
    10.00 off": 100 points of the holder's card, with the holder's own code
    (the accomplice's card), still buy 50.00 off (test_06).
  - Low, same family, left: a bonus top-up product (100.00 paid, 120.00 by
    its own e-wallet rule) the salon withdrew by archiving it is still sold
    by the sync and credited with its bonus; the salon's own rule still
    names it.

The fix: a spending reward line of a withdrawn reward is refused at the
sync (`pos.order.line._redeem_otp_check_rewards`); refunds still give old
rewards back.

What held, kept as "Held" tests so that a change that reopens them fails:

- Small spends of one card, each below *No code below*, made paid together
  by other doors than `pos.order.write`: stock's `action_pos_order_invoice`
  on several drafts (`_generate_pos_order_invoice` writes `state` one order
  at a time; the spend that passes the minimum is refused and the RPC,
  one transaction, rolled back) (test_01); three orders of one
  `sync_from_ui` call (each is checked in `_process_saved_order` once the
  previous one is saved paid with its `redeem_otp_decision`) (test_02).
- A paid order re-created by `copy(default={"state": "paid"})` (stock's
  `lines` are `copy=True`): the copy is created paid, then its lines, which
  the paid-order guard on `pos.order.line` refuses (test_03).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review10 import Review10Case
from .test_attacks_review57 import SmallSpendsCase


@tagged("post_install", "-at_install")
class TestReview58HeldSmallSpendsTogether(SmallSpendsCase):
    """Held: small spends of one card made paid together, by stock's
    invoicing of several drafts and by one sync call of several orders."""

    def confirm_all(self, card, orders):
        for order in orders:
            self.confirm(order, {card.id: self.coupon_vals(card, -self.PIECE)})

    def test_01_held_drafts_invoiced_at_once(self):
        card = self.ewallet_card
        self.env.invalidate_all()
        start = card.points
        orders = [self.draft_spend(card) for _i in range(3)]
        self.attempt("pos.order", "action_pos_order_invoice", orders)
        self.confirm_all(card, orders)
        self.assertSpentWithinMinimum(card, start, "three drafts invoiced by one call")

    def test_02_held_one_sync_call_of_several_orders(self):
        card = self.ewallet_card
        self.env.invalidate_all()
        start = card.points
        payloads = [
            self.order_data(self.spending_lines(card, self.PIECE)) for _i in range(3)
        ]
        result = self.attempt("pos.order", "sync_from_ui", payloads)
        if isinstance(result, dict):
            self.confirm_all(card, [order["id"] for order in result["pos.order"]])
        self.assertSpentWithinMinimum(card, start, "three orders of one sync call")


@tagged("post_install", "-at_install")
class TestReview58HeldCopyPaid(Review10Case):
    """Held: a paid spend copied into a new paid order by `copy`."""

    def test_03_held_copy_created_paid(self):
        self.company.redeem_otp_min_amount = 50.0
        card = self.ewallet_card
        first = self.sync(self.order_data(self.spending_lines(card, 30.0)))
        self.assertIsInstance(first, int, first)
        self.confirm(first, {card.id: self.coupon_vals(card, -30.0)})
        self.env.invalidate_all()
        before = self.snapshot()
        copied = self.attempt("pos.order", "copy", [first], {"state": "paid"})
        self.assertTrue(self.refused(copied), f"copy created paid: {copied}")
        self.assertNothingLost(before, allow_decision=True)


def happy_hour_replaced(env):
    """A promotion the salon cut from 50% to 10% off the order: stock's
    program form deletes the old reward, which pos_loyalty archives
    (`loyalty.reward.unlink` keeps a reward some order used); the program,
    its rule and its new reward run on."""
    program = env["loyalty.program"].create(
        {
            "name": "Happy hour",
            "program_type": "promotion",
            "applies_on": "current",
            "trigger": "auto",
            "rule_ids": [
                Command.create({"reward_point_amount": 1, "reward_point_mode": "order"})
            ],
            "reward_ids": [
                Command.create(
                    {
                        "required_points": 1,
                        "reward_type": "discount",
                        "discount_mode": "percent",
                        "discount": 50.0,
                        "discount_applicability": "order",
                    }
                )
            ],
        }
    )
    old = program.reward_ids
    program.write(
        {
            "reward_ids": [
                Command.create(
                    {
                        "required_points": 1,
                        "reward_type": "discount",
                        "discount_mode": "percent",
                        "discount": 10.0,
                        "discount_applicability": "order",
                    }
                )
            ]
        }
    )
    old.action_archive()
    return program, old


@tagged("post_install", "-at_install")
class TestReview58ArchivedReward(Review10Case):
    """A reward the salon withdrew is still spent.

    pos_loyalty archives a reward some order used instead of deleting it
    (`loyalty.reward.unlink`), and stock's till loads active rewards only
    (`loyalty.reward._load_pos_data_domain`, a plain search). The sync's
    checks read the program (`_redeem_otp_offered`, `_redeem_otp_not_running`,
    `_redeem_otp_refusal`) and bound a promotion's line by its reward's own
    definition (`loyalty.reward._redeem_otp_check_promotions`), never by
    whether that reward is still offered. A top-up's credit counts a
    promotion's discount as paid (README, "Known limits": the salon's own
    promotion). The salon cut "Happy hour" from 50% to 10%: the accomplice
    gets 100.00 of e-wallet credit for 50.00 in cash, where the salon's
    promotion gives it for 90.00."""

    def happy_hour_top_up(self, reward, discount):
        line = self.reward_vals(None, 1.0, discount, program=reward.program_id)
        line.update(reward_id=reward.id, reward_identifier_code=f"r{reward.id}-0")
        return self.order_data(
            [self.product_line(self.topup, 100.0), [0, 0, {"id": 4242, **line}]],
            partner=self.accomplice,
        )

    def credit_for(self, data):
        card = self.accomplice_card
        self.env.invalidate_all()
        start = card.points
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        return order, card.points - start

    def test_04_withdrawn_promotion_on_a_top_up(self):
        program, old = happy_hour_replaced(self.env)
        self.assertFalse(old.active, "set-up: the 50% reward is withdrawn")
        self.assertEqual(program.reward_ids.mapped("discount"), [10.0], "set-up")
        data = self.happy_hour_top_up(old, 50.0)
        _order, gained = self.credit_for(data)
        paid = data["amount_total"]
        self.assertLessEqual(
            gained,
            paid / 0.9 + 1e-6,
            f"the withdrawn 50% reward: {gained:.2f} of e-wallet credit for "
            f"{paid:.2f} paid, where the salon's 10% promotion asks "
            f"{gained * 0.9:.2f}",
        )

    def test_05_held_current_reward_is_bounded(self):
        """Held (control): the same 50.00 off under the running 10% reward
        is refused (`_redeem_otp_check_promotions`)."""
        program, _old = happy_hour_replaced(self.env)
        order, gained = self.credit_for(
            self.happy_hour_top_up(program.reward_ids, 50.0)
        )
        self.assertTrue(self.refused(order), f"50% under a 10% reward: {order}")
        self.assertEqual(gained, 0.0)

    def test_06_withdrawn_loyalty_rate_with_the_code(self):
        """The same for a loyalty card, with the holder's own code (an
        accomplice's card): the salon moved "100 points: 50.00 off" to
        "100 points: 10.00 off"; 100 points still buy 50.00 off."""
        program = self.loyalty
        before_rewards = program.reward_ids

        def reward(amount):
            return Command.create(
                {
                    "required_points": 100,
                    "reward_type": "discount",
                    "discount_mode": "per_order",
                    "discount": amount,
                    "discount_applicability": "order",
                }
            )

        program.write({"reward_ids": [reward(50.0)]})
        generous = program.reward_ids - before_rewards
        program.write({"reward_ids": [reward(10.0)]})
        (before_rewards | generous).action_archive()
        self.assertEqual(program.reward_ids.mapped("discount"), [10.0], "set-up")
        card = self.loyalty_card
        uuid = self.new_uuid()
        challenge = self.verified_code(
            uuid, [self.redemption(card, 100.0, amount=50.0)], partner=self.guest
        )
        line = self.reward_vals(card, 100.0, 50.0)
        line.update(
            reward_id=generous.id, reward_identifier_code=f"r{generous.id}-{card.id}"
        )
        order = self.sync(
            self.order_data(
                [self.product_line(), [0, 0, {"id": 4243, **line}]],
                partner=self.guest,
                uuid=uuid,
                challenge_id=challenge.id,
            )
        )
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, -100.0)})
        self.env.invalidate_all()
        paid = self.env["pos.order"].search(
            [
                ("id", ">", self.last_order_id),
                ("state", "in", ("paid", "done", "invoiced")),
            ]
        )
        discount = -sum(paid.lines.filtered("reward_id").mapped("price_subtotal_incl"))
        self.assertLessEqual(
            discount,
            10.0 + 1e-6,
            f"100 points bought {discount:.2f} off where the salon's reward "
            f"gives 10.00 (order {order})",
        )
