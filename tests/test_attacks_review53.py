# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 53 (adversarial, of the narrow reads of the code routes and beyond).

- Refusals told a cashier about cards of a company they may not use. The
  checks read cards as the server does, and a payload may name any card
  id; the refusal then named the card by its code (for a gift card, all it
  takes to spend it), its balance or its expiry. Card ids can be counted
  through, so every other company's gift card codes could be collected:
  - test_01: a sync whose reward line of this salon's e-wallet names the
    other company's gift card ("The card <code> is not of ...");
  - test_02: the same through `/decision`;
  - test_03: a points call on the cashier's own plain order naming it
    ("... take 0.0 points from <code> ...");
  - test_04: `loyalty.card.write` on it (the addon's guard answered before
    Odoo's access check);
  - test_05: a sync spending more than it holds ("holds 300.0 points");
  - test_06: an expired card of the other company ("expired on <date>").
- The same with the other company's program (test_08: "not offered here",
  "a program of <company>", "has ended", all read before any company
  check), order (test_09: a sync's update commands naming its line or
  payment, "changes to lines of another order (<name>)") and guest
  (test_10: an order in their name spending a membership benefit, "...
  and <guest> has no active membership").
- The programs a till offers were searched as the server, with no company
  condition: stock's till searches them as the cashier, under the programs'
  multi-company rule. Stock's default top-up product is every company's,
  so the other company's protected e-wallet made this salon's top-up refund
  a manager's, and named that program (test_11).
  Fixed by `tools.disclosure.check_may_name`, called before each refusal
  that names a card, program, guest or order: the acting user may read it,
  or the refusal is an access error that names nothing; and by
  `loyalty.program._redeem_otp_company_domain` in the searches. Nothing
  moved in any of them, before the fixes or after.
- Rules that hold (regression tests): the code routes refuse the other
  company's center, guest and challenge with nothing of them in the answer
  (test_07).

Same rules as the other attack tests (tests/attack_common.py).
"""

import json
from datetime import date, timedelta

from odoo import Command
from odoo.tests import new_test_user, tagged

from .attack_common import TopUpAttackCase


@tagged("post_install", "-at_install")
class TestReview53(TopUpAttackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        data = cls.setup_other_company(name="Salon B")
        cls.company_b = data["company"]
        cls.company_b.redeem_otp_enabled = True
        cls.guest_b = env["res.partner"].create(
            {
                "name": "Bea B-guest",
                "mobile": "+33 6 11 22 33 44",
                "company_id": cls.company_b.id,
            }
        )
        cash = env["pos.payment.method"].create(
            {
                "name": "Cash B",
                "journal_id": data["default_journal_cash"].id,
                "company_id": cls.company_b.id,
            }
        )
        cls.cashier_b = new_test_user(
            env,
            login="cashier_b",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.config_b = (
            env["pos.config"]
            .with_company(cls.company_b)
            .create(
                {
                    "name": "Center B",
                    "company_id": cls.company_b.id,
                    "payment_method_ids": [Command.set(cash.ids)],
                }
            )
        )
        # Opened before its gift cards exist: stock's opening checks them.
        in_b = {"allowed_company_ids": [cls.company_b.id]}
        cls.config_b.with_user(cls.cashier_b).with_context(**in_b).open_ui()
        cls.gift_b = cls._program(
            "B gift cards", "gift_card", company_id=cls.company_b.id
        )
        cls.gift_card_b = env["loyalty.card"].create(
            {
                "program_id": cls.gift_b.id,
                "points": 300.0,
                "company_id": cls.company_b.id,
            }
        )
        cls.ewallet_b = cls._program("B credit", "ewallet", company_id=cls.company_b.id)
        cls.expired_b = env["loyalty.card"].create(
            {
                "program_id": cls.ewallet_b.id,
                "partner_id": cls.guest_b.id,
                "points": 80.0,
                "expiration_date": date.today() - timedelta(days=3),
                "company_id": cls.company_b.id,
            }
        )
        # A sale of center B, paid: its line and payment ids are what a
        # payload can name.
        session_b = cls.config_b.current_session_id
        cls.order_b = (
            env["pos.order"]
            .with_context(**in_b)
            .create(
                {
                    "name": "Center B/0042",
                    "session_id": session_b.id,
                    "company_id": cls.company_b.id,
                    "partner_id": cls.guest_b.id,
                    "lines": [
                        Command.create(
                            {
                                "product_id": cls.service.id,
                                "qty": 1,
                                "price_unit": 40.0,
                                "price_subtotal": 40.0,
                                "price_subtotal_incl": 40.0,
                            }
                        )
                    ],
                    "payment_ids": [
                        Command.create({"payment_method_id": cash.id, "amount": 40.0})
                    ],
                    "amount_tax": 0.0,
                    "amount_total": 40.0,
                    "amount_paid": 40.0,
                    "amount_return": 0.0,
                }
            )
        )

    def told(self, model, method, *args):
        """Everything the server answered a call_kw, its error's message included."""
        return self.post_raw(model, method, json.dumps(list(args)))

    def sync_told(self, data):
        return self.told("pos.order", "sync_from_ui", [data])

    def decision(self, lines, amount_total):
        """/decision for this salon's guest at its center, on `lines`."""
        return self.attempt_route(
            "decision",
            pos_config_id=self.config.id,
            partner_id=self.guest.id,
            order_uuid=self.new_uuid(),
            lines=lines,
            amount_total=amount_total,
        )

    @staticmethod
    def refused(result):
        return isinstance(result, dict) and "error" in result

    def assertUntold(self, answer, *cards):
        """Nothing of the other company's cards in what the cashier got back."""
        text = repr(answer)
        for card in cards:
            self.assertNotIn(card.code, text, f"a card's code was told: {text[:300]}")
            self.assertNotIn(
                f"{card.points}", text, f"a balance was told: {text[:300]}"
            )
        if self.expired_b in cards:
            self.assertNotIn(str(self.expired_b.expiration_date), text)
        self.assertTrue(self.refused(answer), answer)

    def assertUnmoved(self):
        self.env.invalidate_all()
        self.assertEqual(self.gift_card_b.points, 300.0)
        self.assertEqual(self.expired_b.points, 80.0)

    def test_01_sync_of_another_company_card_names_nothing(self):
        data = self.order_data(
            self.spending_lines(self.gift_card_b, 10.0, program=self.ewallet)
        )
        self.assertUntold(self.sync_told(data), self.gift_card_b)
        self.assertUnmoved()
        self.assertFalse(self.new_orders())

    def test_02_decision_of_another_company_card_names_nothing(self):
        reward = self.ewallet.reward_ids[:1]
        lines = [
            {"product_id": self.service.id, "qty": 1, "price": 200.0},
            {
                "reward_id": reward.id,
                "card_id": self.gift_card_b.id,
                "points": 10.0,
                "price": -10.0,
            },
        ]
        self.assertUntold(self.decision(lines, 190.0), self.gift_card_b)

    def test_03_points_call_on_another_company_card_names_nothing(self):
        order = self.sync(self.order_data([self.product_line()]))
        self.assertIsInstance(order, int, order)
        vals = self.coupon_vals(self.gift_card_b, -10.0, program=self.ewallet)
        answer = self.told(
            "pos.order",
            "confirm_coupon_programs",
            [order],
            {str(self.gift_card_b.id): vals},
        )
        self.assertUntold(answer, self.gift_card_b)
        self.assertUnmoved()

    def test_04_card_write_on_another_company_card_names_nothing(self):
        answer = self.told(
            "loyalty.card", "write", [self.gift_card_b.id], {"points": 0.0}
        )
        self.assertUntold(answer, self.gift_card_b)
        self.assertUnmoved()

    def test_05_overspending_another_company_card_tells_no_balance(self):
        data = self.order_data(
            self.spending_lines(
                self.gift_card_b, 99999.0, amount=10.0, program=self.ewallet
            )
        )
        self.assertUntold(self.sync_told(data), self.gift_card_b)
        self.assertUnmoved()

    def test_06_expired_card_of_another_company_names_nothing(self):
        # Under this salon's e-wallet: the void card is refused before its program.
        data = self.order_data(
            self.spending_lines(self.expired_b, 10.0, program=self.ewallet)
        )
        self.assertUntold(self.sync_told(data), self.expired_b)
        answer = self.attempt_route(
            "challenge",
            pos_config_id=self.config.id,
            partner_id=self.guest.id,
            order_uuid=self.new_uuid(),
            redemptions=[self.redemption(self.expired_b, 10.0, program=self.ewallet)],
        )
        self.assertUntold(answer, self.expired_b)
        self.assertUnmoved()

    def test_07_code_routes_refuse_the_other_company(self):
        with self.mockSMSGateway():
            self._code_routes_refuse_the_other_company()
        self.assertFalse(self._sms)

    def _code_routes_refuse_the_other_company(self):
        for route, params in (
            (
                "channels",
                {"pos_config_id": self.config.id, "partner_id": self.guest_b.id},
            ),
            (
                "channels",
                {"pos_config_id": self.config_b.id, "partner_id": self.guest.id},
            ),
            (
                "challenge",
                {
                    "pos_config_id": self.config.id,
                    "partner_id": self.guest_b.id,
                    "order_uuid": self.new_uuid(),
                    "redemptions": [self.redemption(self.expired_b, 10.0)],
                },
            ),
        ):
            answer = self.attempt_route(route, **params)
            self.assertTrue(self.refused(answer), (route, answer))
            for secret in ("Bea", "44", "Salon B", "Center B"):
                self.assertNotIn(secret, repr(answer), (route, answer))

    def assertNamesNothingOfB(self, answer):
        text = repr(answer)
        for secret in (
            "B credit",
            "B gift cards",
            "Bea",
            "Salon B",
            "Center B",
            "0042",
        ):
            self.assertNotIn(secret, text, f"told of company B: {text[:300]}")
        self.assertTrue(self.refused(answer), answer)

    def test_08_another_company_program_is_not_named(self):
        """Its reward's id in a line: the server found it "not offered here",
        by its name."""
        reward = self.ewallet_b.reward_ids[:1]
        lines = [
            {"product_id": self.service.id, "qty": 1, "price": 200.0},
            {"reward_id": reward.id, "card_id": 0, "points": 0.0, "price": 0.0},
        ]
        self.assertNamesNothingOfB(self.decision(lines, 200.0))
        data = self.order_data(
            self.spending_lines(self.expired_b, 10.0, program=self.ewallet_b)
        )
        self.assertNamesNothingOfB(self.sync_told(data))
        self.ewallet_b.active = False  # "has ended", read before any company check
        self.assertNamesNothingOfB(self.sync_told(data))
        answer = self.attempt_route(
            "challenge",
            pos_config_id=self.config.id,
            partner_id=self.guest.id,
            order_uuid=self.new_uuid(),
            redemptions=[self.redemption(self.expired_b, 10.0)],
        )
        self.assertNamesNothingOfB(answer)
        self.assertUnmoved()

    def test_09_another_company_order_is_not_named(self):
        """Update commands naming center B's sale's line or payment."""
        for field, record in (
            ("lines", self.order_b.lines),
            ("payment_ids", self.order_b.payment_ids),
        ):
            data = self.order_data([self.product_line()])
            data[field] = [*data[field], [1, record.id, {}]]
            self.assertNamesNothingOfB(self.sync_told(data))
        self.env.invalidate_all()
        self.assertEqual(self.order_b.amount_paid, 40.0)
        self.assertEqual(len(self.order_b.lines), 1)

    def test_10_another_company_guest_is_not_named(self):
        """An order for company B's guest spending this salon's membership
        benefit: "... and <guest> has no active membership"."""
        self.loyalty.redeem_otp_membership_only = True
        data = self.order_data(
            self.spending_lines(self.loyalty_card, 10.0), partner=self.guest_b
        )
        self.assertNamesNothingOfB(self.sync_told(data))
        self.assertFalse(self.new_orders())

    def test_11_another_company_top_up_program_is_not_this_salons_rule(self):
        """Stock's default top-up product is every company's: company B's
        protected e-wallet refused this salon's cashier a refund its own,
        unprotected one allows, and named B's program doing so."""
        self.ewallet_b.trigger_product_ids = self.topup
        self.ewallet_b.redeem_otp_required = True
        self.ewallet.write(
            {"redeem_otp_required": False, "redeem_otp_membership_only": False}
        )
        card = self.accomplice_card
        sale = self.sync(
            self.order_data(
                [self.product_line(self.topup, 30.0)], partner=self.accomplice
            )
        )
        self.assertIsInstance(sale, int, sale)
        self.confirm(sale, {card.id: self.coupon_vals(card, 30.0)})
        line = self.env["pos.order"].browse(sale).lines
        data = self.order_data(
            [self.refund_line(self.topup, 30.0, refunded=line)],
            partner=self.accomplice,
        )
        data["amount_total"] = data["amount_paid"] = -30.0
        data["payment_ids"][0][2]["amount"] = -30.0
        answer = self.sync_told(data)
        self.assertNotIn("B credit", repr(answer))
        self.assertFalse(self.refused(answer), repr(answer)[:500])
