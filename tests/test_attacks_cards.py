# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Attacks on cards: their holder, program, expiry and balance, the value the
guest approved, membership, and cards of no one.

Every attack runs as a POS user over HTTP JSON-RPC (tests/attack_common.py);
each test asserts what the salon would lose, not how the server words its
refusal.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .attack_common import PAID_STATES, AttackCase


@tagged("post_install", "-at_install")
class TestAttack03ChangeTheCard(AttackCase):
    """3. A protected card's holder, program, expiry, active flag and points are
    not the cashier's to change."""

    def _write_card(self, card, vals):
        before = self.snapshot()
        self.attempt("loyalty.card", "write", [card.id], vals)
        self.assertNothingLost(before)

    def expired_card(self, today):
        """The guest's e-wallet card of 80, expired ten days ago."""
        return self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.guest.id,
                "points": 80.0,
                "expiration_date": today - timedelta(days=10),
            }
        )

    def test_01_cashier_cannot_change_the_holder(self):
        self._write_card(self.ewallet_card, {"partner_id": self.accomplice.id})

    def test_02_cashier_cannot_move_the_card_to_a_gift_card_program(self):
        self._write_card(self.ewallet_card, {"program_id": self.gift_card.id})

    def test_03_cashier_cannot_revive_an_expired_card(self):
        today = fields.Date.context_today(self.env.user)
        card = self.expired_card(today)
        self._write_card(
            card,
            {"expiration_date": fields.Date.to_string(today + timedelta(days=365))},
        )

    def test_04_cashier_cannot_remove_an_expiry(self):
        today = fields.Date.context_today(self.env.user)
        card = self.expired_card(today)
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
        self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 5.0)), card, -5.0
        )
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
        order = self.sync_and_confirm(
            self.order_data(
                self.spending_lines(card, 40.0),
                challenge_id=challenge.id,
                uuid=uuid,
            ),
            card,
            -40.0,
        )
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
        self.sync_and_confirm(
            self.order_data(self.spending_lines(card, 500.0, amount=1.0)), card, -500.0
        )
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
        self.spend_if_coded(card, 60.0)
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
            self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, 100.0),
                    partner=self.accomplice,
                    challenge_id=result["challenge_id"],
                    uuid=uuid,
                ),
                card,
                -100.0,
            )
        self.assertNoPaidOrderSpending(card)
        self.assertNothingLost(before)
