# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a thirty-sixth review found (membership benefits, coupons, the
override code, the audit trail).

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_attacks_review10 import Review10Case


@tagged("post_install", "-at_install")
class TestReview36MembershipForACent(Review10Case):
    """A cashier cannot make a guest a member (free_member, membership lines):
    only whoever sells memberships can. But the till sells the membership
    product at whatever price the cashier types: an annual membership (100.00)
    sold for 0.01 and invoiced makes the accomplice a paying member, and
    members-only benefits become spendable for a membership nobody paid for."""

    def test_01_membership_sold_for_a_cent_opens_the_benefits(self):
        outcome = self.membership_bought_then_spent(0.01)
        self.assertNotAMemberFor(outcome, "sold for 0.01 at the till")


@tagged("post_install", "-at_install")
class TestReview36EarnedInAProgramNotOffered(Review10Case):
    """The points call bounds a card's increase by what the order's sales
    earn under its program's rules, whatever the program: one this center
    does not offer (another center's, one not started yet) earns as if it
    ran here, and the POS would never have credited it."""

    def earn_in(self, program):
        card = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": self.accomplice.id, "points": 0}
        )
        order = self.sync(
            self.order_data([self.product_line(self.service, 200.0)], self.accomplice)
        )
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, 2000.0)})
        self.env.invalidate_all()
        self.assertEqual(
            card.points,
            0.0,
            f"{card.points} points of {program.name}, a program this center does "
            "not run, credited for a 200.00 sale",
        )

    def spa_loyalty(self, **extra):
        program = self._program("Spa loyalty", "loyalty", **extra)
        program.rule_ids.reward_point_amount = 10.0
        return program

    def test_01_another_centers_program(self):
        self.earn_in(self.spa_loyalty(pos_config_ids=[(6, 0, self.other_config.ids)]))

    def test_02_a_program_that_starts_next_week(self):
        start = fields.Date.today() + timedelta(days=7)
        self.earn_in(self.spa_loyalty(date_from=start))
