# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a thirty-eighth review found: a membership sold at the till for
almost nothing while its invoice still reads as charging its price (the
tax of a line given back, a cash rounding line), points of programs stock's
till would not apply (another pricelist's, one used up), and a usage limit
passed by two orders of one sync call.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .test_attacks_review10 import Review10Case
from .test_attacks_review37 import first_guest_of_the_day


class Review38Case(Review10Case):
    """The membership sale of review 36, its members-only benefit spent after."""

    def buy_membership_then_spend(self, lines, amount_tax=0.0):
        """The accomplice buys the annual membership (100.00, no tax) with
        `lines`, invoiced, paid what the lines come to: see Review10Case
        `membership_sold_then_spent`."""
        data = self.order_data(lines, partner=self.accomplice)
        data["to_invoice"] = True
        data["amount_tax"] = amount_tax
        return self.membership_sold_then_spent(data)


@tagged("post_install", "-at_install")
class TestReview38TaxOnAGivenBackLine(Review38Case):
    """`_redeem_otp_sold_at_fee` adds up the invoice's untaxed amounts
    (`price_subtotal`). A line given back bears its tax too: a hair pin sold
    at 666.60 untaxed, and the same pin given back at 666.60 plus the
    salon's 15% sales tax, net 0.00 untaxed but -99.99 with the tax. The
    invoice "charges" 100.00 untaxed, and comes to 0.01."""

    def test_01_the_tax_of_a_line_given_back_pays_the_membership(self):
        tax = self.env["account.tax"].search(
            [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", 15.0),
            ],
            limit=1,
        ) or self.env["account.tax"].create(
            {"name": "VAT 15%", "amount": 15.0, "company_id": self.company.id}
        )
        self.assertFalse(tax.price_include, "set-up: a tax added to the price")
        sold = self.product_line(self.cheap, 666.60)
        back = self.product_line(self.cheap, -666.60)
        back[2]["tax_ids"] = [[6, 0, tax.ids]]
        back[2]["price_subtotal_incl"] = -766.59
        outcome = self.buy_membership_then_spend(
            [self.product_line(self.membership, 100.0), sold, back], amount_tax=-99.99
        )
        self.assertAlmostEqual(outcome[0], 0.01)
        self.assertNotAMemberFor(outcome, "the tax of a pin given back")


@tagged("post_install", "-at_install")
class TestReview38CashRoundingLine(Review38Case):
    """On a till that rounds cash, stock's `_create_invoice` books the gap
    between what was paid and the invoice as a rounding line, whatever its
    size, after the invoice's lines (and the membership line, checked then)
    were made. The invoice's lines are priced from the order lines' unit
    prices; the order's total and payments from the amounts the POS sends,
    which stock keeps. The membership line sent at 100.00 a unit, 0.05 in
    all: the invoice reads 100.00 when checked, then a -99.95 rounding line
    and 0.05 paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        income = Account.search([("account_type", "=", "income")], limit=1)
        expense = Account.search([("account_type", "=", "expense")], limit=1)
        rounding = cls.env["account.cash.rounding"].create(
            {
                "name": "Five cents",
                "rounding": 0.05,
                "rounding_method": "HALF-UP",
                "profit_account_id": income.id,
                "loss_account_id": expense.id,
            }
        )
        cls.config.write({"cash_rounding": True, "rounding_method": rounding.id})

    def test_01_the_rounding_line_pays_the_membership(self):
        line = self.product_line(self.membership, 100.0)
        line[2]["price_subtotal"] = line[2]["price_subtotal_incl"] = 0.05
        outcome = self.buy_membership_then_spend([line])
        self.assertNotAMemberFor(outcome, "a rounding line of -99.95")


@tagged("post_install", "-at_install")
class TestReview38PointsOfAProgramNotApplied(Review38Case):
    """Stock's till gives no points of a program it does not apply to the
    order (pos_loyalty `_programIsApplicable`): one kept for another
    pricelist, or past its usage limit. The points call's earning bound
    (`loyalty.program._redeem_otp_earnings`) asks only whether the till runs
    the program (`_redeem_otp_offered` without the order's pricelist), and
    never reads the usage limit: the accomplice's card of such a program is
    credited for a service sold at the till's own pricelist."""

    def earned_on(self, program, extra_lines=()):
        card = self.env["loyalty.card"].create(
            {"program_id": program.id, "partner_id": self.accomplice.id}
        )
        data = self.order_data(
            [self.product_line(self.service, 100.0), *extra_lines],
            partner=self.accomplice,
        )
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        return card.points

    def test_01_a_program_kept_for_another_pricelist(self):
        trade = self.env["product.pricelist"].create({"name": "Trade"})
        self.assertNotIn(trade, self.config.available_pricelist_ids)
        program = self._program(
            "Trade customers' points", "loyalty", pricelist_ids=[Command.set(trade.ids)]
        )
        points = self.earned_on(program)
        self.assertEqual(
            points, 0.0, f"{points:.2f} points of a program for the trade pricelist"
        )

    def test_02_a_program_past_its_usage_limit(self):
        program = self._program(
            "Opening week points", "loyalty", limit_usage=True, max_usage=1
        )
        reward = program.reward_ids[:1]
        self.env["pos.order"].sudo().create(
            {
                "session_id": self.pos_session.id,
                "partner_id": self.guest.id,
                "amount_total": 0.0,
                "amount_tax": 0.0,
                "amount_paid": 0.0,
                "amount_return": 0.0,
                "lines": [
                    Command.create(
                        {
                            "product_id": reward.discount_line_product_id.id,
                            "price_unit": 0.0,
                            "price_subtotal": 0.0,
                            "price_subtotal_incl": 0.0,
                            "qty": 1,
                            "reward_id": reward.id,
                            "is_reward_line": True,
                        }
                    )
                ],
            }
        )
        self.env.invalidate_all()
        self.assertGreaterEqual(program.total_order_count, program.max_usage)
        points = self.earned_on(program)
        self.assertEqual(points, 0.0, f"{points:.2f} points of a program used up")


@tagged("post_install", "-at_install")
class TestReview38UsageLimitInOneCall(Review38Case):
    """The usage limit reads `total_order_count`, a computed field with no
    dependencies: read for the first order of a `sync_from_ui` call, it stays
    in the cache for the second order of the same call, which is then not
    counted. "First guest of the day: 20% off", for one order, pays 20.00 of
    each of two 100.00 top-ups sent in one call."""

    def test_01_two_first_guests_in_one_call(self):
        program = first_guest_of_the_day(self.env)
        card = self.accomplice_card
        start = card.points
        orders = [
            self.order_data(
                [
                    self.product_line(self.topup, 100.0),
                    self.reward_line(None, 1.0, 20.0, program=program),
                ],
                partner=self.accomplice,
            )
            for _n in range(2)
        ]
        result = self.attempt("pos.order", "sync_from_ui", orders)
        synced = [] if self.refused(result) else [o["id"] for o in result["pos.order"]]
        for order_id in synced:
            self.confirm(order_id, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        gained = card.points - start
        paid = sum(data["amount_total"] for data in orders if synced)
        self.assertLessEqual(
            gained,
            paid + 20.0 + 1e-6,
            f"a promotion for one order on {len(synced)} orders of one call: "
            f"{gained:.2f} of credit for {paid:.2f} paid",
        )
