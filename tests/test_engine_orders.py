# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The lock itself: orders refused or accepted at sync and at the points RPC."""

from datetime import timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .otp_common import RedeemOtpOrderCase


@tagged("post_install", "-at_install")
class TestOrderEnforcement(RedeemOtpOrderCase):
    def test_ewallet_with_verified_code_is_accepted_and_deducted(self):
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(self.ewallet_card, 40.0)]
        )
        data = self.order_data(
            self.spending_lines(self.ewallet_card, 40.0),
            challenge=challenge,
            uuid=uuid,
        )
        order = self.sync(data)
        self.assertEqual(order.state, "paid")
        self.assertEqual(challenge.state, "used")
        self.assertEqual(challenge.pos_order_id, order)
        self.assertEqual(order.redeem_otp_challenge_id, challenge)
        with self.mockSMSGateway():
            self.confirm(order, self.ewallet_card, 40.0)
            self.assertFalse(self._sms, "the points call waits for no gateway")
            owed = (
                self.env["salon.otp.balance.notice"]
                .sudo()
                .search([("order_id", "=", order.id)])
            )
            self.assertEqual(owed.card_id, self.ewallet_card, "the points call owes it")
            self.assertFalse(
                self.env["sms.sms"].sudo().search([("partner_id", "=", self.guest.id)]),
                "nothing is rendered inside the points call",
            )
            self.send_balance_notices()
            self.assertFalse(owed.exists(), "a notice owed is sent once")
            queued = (
                self.env["sms.sms"]
                .sudo()
                .search(
                    [("partner_id", "=", self.guest.id), ("state", "=", "outgoing")]
                )
            )
            self.assertEqual(len(queued), 1, "the notice waits in Odoo's SMS queue")
            self.env["sms.sms"].sudo()._process_queue()
        self.assertAlmostEqual(self.ewallet_card.points, 110.0)
        self.assertTrue(challenge.points_confirmed)
        notice = self._sms[-1]["body"]
        self.assertIn("Client credit", notice)
        self.assertIn("110", notice)
        self.assertIn("no expiry", notice)

    def test_each_protected_type_without_code_is_refused(self):
        for card, points, amount in (
            (self.ewallet_card, 20.0, None),
            # 5% off the order for 200 points: what the reward gives.
            (self.loyalty_card, 200.0, 1.0),
            (self.coupon_card, 1.0, None),
            (self.next_order_card, 1.0, None),
        ):
            with self.subTest(program=card.program_id.program_type):
                data = self.order_data(self.spending_lines(card, points, amount))
                with self.assertRefused("needs the guest's one-time code"):
                    self.sync(data)
                self.assertFalse(
                    self.env["pos.order"].search([("uuid", "=", data["uuid"])]),
                    "a refused order must not be saved",
                )

    def test_gift_card_and_unprotected_programs_need_no_code(self):
        orders = {}
        for card, program, points in (
            (self.gift_card_card, self.gift_card, 30.0),
            (False, self.promotion, 1.0),  # the point the order earns it
        ):
            with self.subTest(program=program.program_type):
                line = self.reward_line(card, points, amount=10.0, program=program)
                order = self.sync(self.order_data([(self.service, 1), line]))
                self.assertEqual(order.state, "paid")
                orders[program] = order
        self.confirm(orders[self.gift_card], self.gift_card_card, 30.0)
        self.assertAlmostEqual(self.gift_card_card.points, 20.0)

    def test_gift_card_can_never_be_protected(self):
        with self.assertRaisesRegex(Exception, "Gift cards are never protected"):
            self.gift_card.redeem_otp_required = True

    def test_program_defaults_by_type(self):
        self.assertTrue(self.ewallet.redeem_otp_required)
        self.assertTrue(self.loyalty.redeem_otp_required)
        self.assertTrue(self.coupons.redeem_otp_required)
        self.assertTrue(self.next_order.redeem_otp_required)
        self.assertFalse(self.promotion.redeem_otp_required)
        self.assertFalse(self.gift_card.redeem_otp_required)

    def test_otp_off_keeps_stock_behaviour(self):
        for switch_off in (
            lambda: self.company.write({"redeem_otp_enabled": False}),
            lambda: self.config.write({"redeem_otp_required": False}),
        ):
            with self.subTest():
                switch_off()
                before = self.ewallet_card.points
                order = self.sync(
                    self.order_data(self.spending_lines(self.ewallet_card, 10.0))
                )
                self.assertEqual(order.state, "paid")
                self.confirm(order, self.ewallet_card, 10.0)
                self.assertAlmostEqual(self.ewallet_card.points, before - 10.0)
                self.company.redeem_otp_enabled = True
                self.config.redeem_otp_required = True

    def test_replayed_challenge_is_refused(self):
        uuid = self.create_random_uid()
        redemption = [self.redemption(self.ewallet_card, 10.0)]
        challenge = self.verified_challenge(uuid, redemption)
        self.sync(
            self.order_data(
                self.spending_lines(self.ewallet_card, 10.0),
                challenge=challenge,
                uuid=uuid,
            )
        )
        # Same challenge on a second order (new uuid), then on a copy with the same uuid.
        for other_uuid in (self.create_random_uid(),):
            data = self.order_data(
                self.spending_lines(self.ewallet_card, 10.0),
                challenge=challenge,
                uuid=other_uuid,
            )
            with self.assertRefused("already used"):
                self.sync(data)

    def test_grown_redemption_is_refused(self):
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(self.ewallet_card, 10.0)]
        )
        data = self.order_data(
            self.spending_lines(self.ewallet_card, 90.0),
            challenge=challenge,
            uuid=uuid,
        )
        with self.assertRefused("redemption changed"):
            self.sync(data)
        self.assertEqual(challenge.state, "verified")
        self.assertAlmostEqual(self.ewallet_card.points, 150.0)

    def test_challenge_for_another_guest_is_refused(self):
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(self.ewallet_card, 10.0)]
        )
        data = self.order_data(
            self.spending_lines(self.ewallet_card, 10.0),
            challenge=challenge,
            uuid=uuid,
            partner=self.other_guest,
        )
        with self.assertRefused("belongs to Camille Martin|another guest or order"):
            self.sync(data)

    def test_expired_authorization_is_refused(self):
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(self.ewallet_card, 10.0)]
        )
        challenge.expires_at = self.now() - timedelta(seconds=1)
        data = self.order_data(
            self.spending_lines(self.ewallet_card, 10.0),
            challenge=challenge,
            uuid=uuid,
        )
        with self.assertRefused("expired"):
            self.sync(data)

    def test_locked_challenge_is_refused(self):
        uuid = self.create_random_uid()
        challenge, _code = self.request_code(
            uuid, [self.redemption(self.ewallet_card, 10.0)]
        )
        for _attempt in range(challenge.max_attempts):
            result = self.try_verify(challenge, code="000000000")
            self.assertIn(result["error"]["code"], ("invalid_code", "locked"))
        self.assertEqual(challenge.state, "locked")
        self.assertEqual(challenge.attempt_count, challenge.max_attempts)
        data = self.order_data(
            self.spending_lines(self.ewallet_card, 10.0),
            challenge=challenge,
            uuid=uuid,
        )
        with self.assertRefused("not verified"):
            self.sync(data)

    def test_draft_then_paid_order_is_checked_on_all_lines(self):
        uuid = self.create_random_uid()
        draft = self.order_data(
            self.spending_lines(self.ewallet_card, 10.0),
            uuid=uuid,
            state="draft",
        )
        order = self.sync(draft)
        self.assertEqual(order.state, "draft", "draft syncs are never refused")
        # The paying sync only sends the payment: the reward line is already saved.
        paid = self.order_data([(self.service, 1)], uuid=uuid)
        paid["lines"] = []
        with self.assertRefused("needs the guest's one-time code"):
            self.sync(paid)

    def test_confirm_coupon_programs_refuses_unauthorized_decrease(self):
        order = self.sync(self.order_data([(self.service, 1)]))
        with self.assertRefused("take 0.0 points from"):
            self.confirm(order, self.ewallet_card, 100.0)
        self.assertAlmostEqual(self.ewallet_card.points, 150.0)

    def test_confirm_coupon_programs_refuses_more_than_authorized_and_twice(self):
        order, _challenge = self.coded_order(self.ewallet_card, 10.0)
        with self.assertRefused("take 10.0 points from .*, not 100.0"):
            self.confirm(order, self.ewallet_card, 100.0)
        with self.mockSMSGateway():
            self.confirm(order, self.ewallet_card, 10.0)
        with self.assertRefused("already applied"):
            self.confirm(order, self.ewallet_card, 10.0)
        self.assertAlmostEqual(self.ewallet_card.points, 140.0)

    def test_pos_user_cannot_lower_protected_card(self):
        pos_user = self.env["res.users"].create(
            {
                "name": "Cashier",
                "login": "cashier_otp",
                "groups_id": [
                    (6, 0, [self.env.ref("point_of_sale.group_pos_user").id])
                ],
                "company_id": self.company.id,
                "company_ids": [(6, 0, [self.company.id])],
            }
        )
        card = self.ewallet_card.with_user(pos_user)
        with self.assertRaisesRegex(AccessError, "Point of Sale manager"):
            card.write({"points": 0.0})
        wizard = (
            self.env["loyalty.card.update.balance"]
            .with_user(pos_user)
            .create(
                {
                    "card_id": self.ewallet_card.id,
                    "new_balance": 1.0,
                    "description": "oops",
                }
            )
        )
        with self.assertRaisesRegex(AccessError, "Point of Sale manager|server"):
            wizard.action_update_card_point()
        self.assertAlmostEqual(self.ewallet_card.points, 150.0)
        # Raising a balance mints credit: refused too, gift cards included.
        with self.assertRaisesRegex(AccessError, "Point of Sale manager"):
            card.write({"points": 160.0})
        with self.assertRaisesRegex(AccessError, "Point of Sale manager"):
            self.gift_card_card.with_user(pos_user).write({"points": 1.0})
        self.assertAlmostEqual(self.ewallet_card.points, 150.0)
        manager = self.env["res.users"].create(
            {
                "name": "Manager",
                "login": "manager_otp",
                "groups_id": [
                    (6, 0, [self.env.ref("point_of_sale.group_pos_manager").id])
                ],
                "company_id": self.company.id,
                "company_ids": [(6, 0, [self.company.id])],
            }
        )
        self.ewallet_card.with_user(manager).write({"points": 100.0})
        self.assertAlmostEqual(self.ewallet_card.points, 100.0)

    def test_membership_benefit_needs_a_member(self):
        self.promotion.redeem_otp_membership_only = True
        line = self.reward_line(False, 1.0, amount=10.0, program=self.promotion)
        with self.assertRefused("no active membership"):
            self.sync(self.order_data([(self.service, 1), line]))
        self.guest.free_member = True
        uuid = self.create_random_uid()
        challenge = self.verified_challenge(
            uuid, [self.redemption(False, 1.0, amount=10.0, program=self.promotion)]
        )
        line = self.reward_line(False, 1.0, amount=10.0, program=self.promotion)
        order = self.sync(
            self.order_data([(self.service, 1), line], challenge=challenge, uuid=uuid)
        )
        self.assertEqual(order.state, "paid")

    def test_sync_check_costs_constant_queries(self):
        """The sync check costs as many queries for 8 reward lines as for 1."""
        # The first check of a test also fills Odoo's caches (the record rules
        # of what it reads): a first order is checked for that alone.
        orders = {}
        for key, n_lines in (("warm-up", 1), (1, 1), (8, 8)):
            uuid = self.create_random_uid()
            redemptions = [
                self.redemption(self.ewallet_card, 1.0) for _ in range(n_lines)
            ]
            challenge = self.verified_challenge(uuid, redemptions)
            data = self.order_data(
                [(self.service, 1)]
                + [self.reward_line(self.ewallet_card, 1.0) for _ in range(n_lines)],
                challenge=challenge,
                uuid=uuid,
                state="draft",
            )
            orders[key] = self.sync(data)
        counts = {}
        for key, order in orders.items():
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            order._redeem_otp_enforce()
            self.env.flush_all()
            counts[key] = self.cr.sql_log_count - start
            self.assertEqual(order.redeem_otp_challenge_id.state, "used")
        self.assertEqual(counts[1], counts[8], f"queries for 1 vs 8 lines: {counts}")
        # A second check of an order (a sync that left it unpaid, then its
        # lines again) gives back what the first held and holds afresh: it
        # costs as much for 8 lines as for 1 too.
        again = {}
        for key in (1, 8):
            order = orders[key]
            order.redeem_otp_challenge_id.sudo().write(
                {"state": "verified", "pos_order_id": False}
            )
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            order._redeem_otp_enforce()
            self.env.flush_all()
            again[key] = self.cr.sql_log_count - start
        self.assertEqual(again[1], again[8], f"second checks, 1 vs 8 lines: {again}")
