# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 17: the code request's order-owner check comes after the expired-card refusal.

`_redeem_otp_request` records a refused request for an expired card as a
cancelled challenge (`pos_config._redeem_otp_check_request`) before it checks
that the order uuid belongs to this session and cashier
(`pos_session._redeem_otp_check_order_owner`) and before any send limit.
A cashier at another center can so plant a challenge on another till's order
uuid: that till's own request for its guest is then refused as "another
session's" order, and the guest cannot spend their balance on it.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .attack_common import AttackCase


@tagged("post_install", "-at_install")
class TestForeignOrderPlanted(AttackCase):
    def test_01_expired_card_request_plants_a_challenge_on_another_tills_order(self):
        today = fields.Date.context_today(self.env.user)
        expired = self.env["loyalty.card"].create(
            {
                "program_id": self.ewallet.id,
                "partner_id": self.accomplice.id,
                "points": 5.0,
                "expiration_date": today - timedelta(days=10),
            }
        )
        victim_uuid = self.new_uuid()  # the first till's order, not yet asked for
        self.second_cashier()
        planted = self.attempt_route(
            "challenge",
            pos_config_id=self.other_config.id,
            partner_id=self.accomplice.id,
            order_uuid=victim_uuid,
            redemptions=[self.redemption(expired, 5.0)],
        )
        self.assertTrue(self.refused(planted), planted)
        self.authenticate("pos_user", "pos_user")
        result, code = self.request_code(order_uuid=victim_uuid)
        self.assertNotIn(
            "error",
            result,
            "a cashier at another center blocked this till's order: the guest "
            f"cannot get a code to spend their balance on it ({result})",
        )
        self.assertTrue(code)
