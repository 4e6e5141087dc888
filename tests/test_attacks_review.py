# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a review found after the first round of attacks, kept closed.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the salon would lose.
"""

from odoo.tests import tagged

from .attack_common import AttackCase, TopUpAttackCase


@tagged("post_install", "-at_install")
class TestReviewMintAndRefunds(TopUpAttackCase):
    """Credit minted with offsetting lines, and money taken out with refunds."""

    def mint(self, lines, card, points):
        before = self.snapshot()
        self.sync_and_confirm(
            self.order_data(lines, partner=self.accomplice), card, points
        )
        self.assertNothingLost(before)

    def refund_shaped(self, product, amount):
        data = self.order_data(
            [self.refund_line(product, amount)], partner=self.accomplice
        )
        data["amount_total"] = data["amount_paid"] = -amount
        data["payment_ids"][0][2]["amount"] = -amount
        return data

    def test_01_top_up_cancelled_by_a_negative_line_earns_nothing(self):
        self.mint(
            [
                self.product_line(self.topup, 1000.0),
                self.product_line(self.service, -1000.0),
            ],
            self.accomplice_card,
            1000.0,
        )

    def test_02_top_up_cancelled_by_a_negative_quantity_earns_nothing(self):
        self.mint(
            [
                self.product_line(self.topup, 1000.0),
                self.product_line(self.service, 1000.0, qty=-1),
            ],
            self.accomplice_card,
            1000.0,
        )

    def test_03_loyalty_points_from_a_zero_total_order(self):
        self.mint(
            [
                self.product_line(self.service, 5000.0),
                self.product_line(self.service, -5000.0),
            ],
            self.accomplice_loyalty,
            5000.0,
        )

    def test_04_refund_shaped_line_does_not_cash_out_a_guests_ewallet(self):
        card = self.ewallet_card
        before = self.snapshot()
        self.sync_and_confirm(self.refund_shaped(self.topup, 150.0), card, -150.0)
        self.assertNothingLost(before)

    def test_05_refund_shaped_line_does_not_drain_a_guests_loyalty(self):
        card = self.loyalty_card
        before = self.snapshot()
        lines = [
            self.refund_line(self.service, 500.0),
            self.product_line(self.service, 500.0),
        ]
        self.sync_and_confirm(
            self.order_data(lines, partner=self.accomplice), card, -500.0
        )
        self.assertNothingLost(before)

    def test_06_refunded_top_up_takes_its_credit_back_without_a_points_call(self):
        card = self.accomplice_card
        start = card.points
        order = self.sync_ok(
            self.order_data(
                [self.product_line(self.topup, 300.0)], partner=self.accomplice
            )
        )
        self.assertFalse(
            self.refused(
                self.confirm(order.id, {card.id: self.coupon_vals(card, 300.0)})
            )
        )
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start + 300.0, msg="the top-up was paid")
        data = self.refund_shaped(self.topup, 300.0)
        data["lines"][0][2]["refunded_orderline_id"] = order.lines[0].id
        with self.as_manager():  # credit given back in cash is a manager's refund
            self.sync(data)
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start, msg="the refunded credit stayed")

    def test_07_refund_with_its_points_call_takes_the_credit_once(self):
        card = self.accomplice_card
        start = card.points
        order = self.sync_ok(
            self.order_data(
                [self.product_line(self.topup, 300.0)], partner=self.accomplice
            )
        )
        self.confirm(order.id, {card.id: self.coupon_vals(card, 300.0)})
        data = self.refund_shaped(self.topup, 300.0)
        data["lines"][0][2]["refunded_orderline_id"] = order.lines[0].id
        with self.as_manager():
            refund = self.sync_ok(data)
            answer = self.confirm(refund.id, {card.id: self.coupon_vals(card, -300.0)})
        self.assertFalse(self.refused(answer), answer)
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points, start)


@tagged("post_install", "-at_install")
class TestReviewMembershipAndSettings(AttackCase):
    def setUp(self):
        super().setUp()
        self.pos_user.groups_id += self.env.ref("base.group_partner_manager")

    def test_01_cashier_cannot_write_a_membership_state(self):
        for state in ("paid", "free"):
            self.attempt(
                "res.partner", "write", [self.guest.id], {"membership_state": state}
            )
            self.env.invalidate_all()
            self.assertNotIn(self.guest.membership_state, ("paid", "free"))

    def test_02_cashier_cannot_move_the_salons_time_zone(self):
        """Neither the salon's partner nor the cashier's own preferences move it."""
        before = self.company._redeem_otp_tz()
        partner = self.company.partner_id
        self.attempt("res.partner", "write", [partner.id], {"tz": "Pacific/Kiritimati"})
        self.attempt(
            "res.users", "write", [self.pos_user.id], {"tz": "Pacific/Kiritimati"}
        )
        self.attempt(
            "res.company",
            "write",
            [self.company.id],
            {"redeem_otp_tz": "Pacific/Kiritimati"},
        )
        self.env.invalidate_all()
        self.assertEqual(self.company._redeem_otp_tz(), before)

    def test_03_settings_through_other_paths(self):
        before = self.snapshot()
        minimum = self.company.redeem_otp_min_amount
        self.attempt(
            "pos.config",
            "web_save",
            [self.config.id],
            {"redeem_otp_required": False},
            specification={},
        )
        self.attempt(
            "pos.config",
            "write",
            [self.config.id],
            {"redeem_otp_required": False},
            context={"install_mode": True},
        )
        self.attempt(
            "pos.config",
            "load",
            [".id", "redeem_otp_required"],
            [[str(self.config.id), "0"]],
        )
        self.env.invalidate_all()
        self.assertEqual(self.company.redeem_otp_min_amount, minimum)
        self.assertNothingLost(before)


@tagged("post_install", "-at_install")
class TestReviewSmallSpends(AttackCase):
    def test_01_a_balance_is_not_drained_in_pieces_below_the_minimum(self):
        self.company.redeem_otp_min_amount = 20.0
        card = self.ewallet_card
        start = card.points
        self.spend_in_pieces(card, 19.0, 5)
        # One small spend goes through without a code; the next ones add up.
        self.assertGreaterEqual(card.points, start - 19.0 - 1e-6)
