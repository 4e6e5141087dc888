# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Holes a thirty-seventh review found: a membership paid by another line
of its order, a promotion kept for a pricelist the payload names, and a
promotion's usage limit passed by syncs at the same moment.

Same rules as the other attack tests (tests/attack_common.py): a real POS
user over JSON-RPC, and each test asserts what the guest or the salon would
lose. Only the set-up uses the superuser.
"""

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import tagged

from .race_common import RaceCase
from .test_attacks_review10 import Review10Case
from .test_attacks_review35 import Review35Case


def first_guest_of_the_day(env, name="First guest of the day"):
    """A promotion of 20% off the order, for one order only (`max_usage`)."""
    return env["loyalty.program"].create(
        {
            "name": f"{name}: 20% off",
            "program_type": "promotion",
            "applies_on": "current",
            "trigger": "auto",
            "limit_usage": True,
            "max_usage": 1,
            "rule_ids": [
                Command.create({"reward_point_amount": 1, "reward_point_mode": "order"})
            ],
            "reward_ids": [
                Command.create(
                    {
                        "required_points": 1,
                        "reward_type": "discount",
                        "discount_mode": "percent",
                        "discount": 20.0,
                        "discount_applicability": "order",
                    }
                )
            ],
        }
    )


@tagged("post_install", "-at_install")
class TestReview37MembershipPaidByAnotherLine(Review10Case):
    """A membership sold below its price is refused, line by line
    (`membership.membership_line._redeem_otp_sold_at_fee` reads the
    membership's own invoice line). The price typed on another line of the
    same order is not read: the annual membership at its full 100.00 and a
    hair pin "given back" for 99.99 make an invoice of 0.01, paid, and the
    accomplice a paying member whose members-only benefits are spent."""

    def member_for(self, *extra):
        outcome = self.membership_bought_then_spent(100.0, *extra)
        self.assertNotAMemberFor(outcome, f"sold beside {extra}")

    def test_01_a_negative_line_beside_the_membership(self):
        self.member_for(self.product_line(self.cheap, -99.99))

    def test_02_a_return_of_a_pin_never_sold(self):
        self.member_for(self.refund_line(self.cheap, 99.99))


@tagged("post_install", "-at_install")
class TestReview37PricelistOfThePayload(Review35Case):
    """A promotion kept for the trade pricelist is refused on an order of
    another pricelist (review 35), as read from the order: the pricelist the
    POS sends, which no check holds to those this till offers. The cashier
    names the trade pricelist in the payload, and its 20% off pays 20.00
    of the accomplice's 100.00 top-up."""

    def test_01_the_trade_pricelist_named_in_the_payload(self):
        trade = self.env["product.pricelist"].create({"name": "Trade"})
        self.assertNotIn(trade, self.config.available_pricelist_ids)
        program = self._percent(
            "Trade customers: 20% off",
            20.0,
            pricelist_ids=[Command.set(trade.ids)],
        )
        card = self.accomplice_card
        start = card.points
        data = self.order_data(
            [
                self.product_line(self.topup, 100.0),
                self.reward_line(None, 1.0, 20.0, program=program),
            ],
            partner=self.accomplice,
        )
        data["pricelist_id"] = trade.id
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, 100.0)})
        self.env.invalidate_all()
        self.assertLessEqual(
            card.points - start,
            data["amount_total"] + 1e-6,
            f"a trade promotion at a till without the trade pricelist: "
            f"{card.points - start:.2f} of credit for {data['amount_total']:.2f}",
        )


@tagged("post_install", "-at_install")
class TestReview37UsageLimitRace(RaceCase):
    """A promotion used up is refused (review 35) by its usage count, which
    counts the orders the sync can see: its own, not one synced at the same
    moment. "First guest of the day: 20% off", for one order, pays 20.00 of
    two 100.00 top-ups synced at once."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            program = first_guest_of_the_day(env, "R37 first guest of the day")
            reward = program.reward_ids
            self.promo = (program.id, reward.id, reward.discount_line_product_id.id)
            cr.commit()
        self.addCleanup(self.drop_promotion)

    def drop_promotion(self):
        program, _reward, product = self.promo
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM pos_order WHERE session_id = %s", [self.fx["session"]]
            )
            cr.execute("DELETE FROM loyalty_program WHERE id = %s", [program])
            cr.execute(
                "DELETE FROM product_template WHERE id IN "
                "(SELECT product_tmpl_id FROM product_product WHERE id = %s)",
                [product],
            )
            cr.commit()

    def test_01_two_first_guests_at_once(self):
        fx = self.fx
        _program, reward, product = self.promo
        start = self.card_points()
        discount = self.line(
            product,
            -20.0,
            is_reward_line=True,
            reward_id=reward,
            coupon_id=False,
            points_cost=1.0,
            reward_identifier_code=f"r{reward}",
        )
        orders = [
            self.order([self.line(fx["topup"], 100.0), discount]) for _n in range(2)
        ]
        results = self.race_syncs(orders)
        synced = [r for r in results if isinstance(r, int)]
        for order_id in synced:
            self.confirm_now(order_id, 100.0)
        gained = self.card_points() - start
        self.assertLessEqual(
            len(synced),
            1,
            f"a promotion for one order applied to {len(synced)} orders synced at "
            f"once: {gained:.2f} of credit for {80.0 * len(synced):.2f} paid "
            f"({results})",
        )


@tagged("post_install", "-at_install")
class TestReview37MembershipPaidWithCredit(Review10Case):
    """The other side of the membership rule: credit is money. The guest
    pays the annual membership with 100.00 of their e-wallet, with their
    code, at the till: the invoice comes to 0.00 and they are a member."""

    def test_01_membership_paid_with_the_guests_e_wallet(self):
        card = self.ewallet_card
        start = card.points
        uuid = self.new_uuid()
        challenge = self.verified_code(uuid, [self.redemption(card, 100.0)])
        data = self.order_data(
            [
                self.product_line(self.membership, 100.0),
                self.reward_line(card, 100.0),
            ],
            uuid=uuid,
            challenge_id=challenge.id,
        )
        data["to_invoice"] = True
        order = self.sync(data)
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, -100.0)})
        self.env.invalidate_all()
        self.assertEqual(self.guest.membership_state, "paid")
        self.assertAlmostEqual(card.points, start - 100.0)


@tagged("post_install", "-at_install")
class TestReview37FiscalPositionOfThePayload(Review35Case):
    """The per-point bound's tax ratio reads the order's fiscal position
    (`_redeem_otp_tax_ratio`): one this till does not offer, named in the
    payload, is refused where the ratio is read."""

    def test_01_a_fiscal_position_the_till_does_not_offer(self):
        export = self.env["account.fiscal.position"].create({"name": "Export"})
        self.assertNotIn(export, self.config.fiscal_position_ids)
        program = self._promotion(
            "5% back in points",
            {"reward_point_amount": 1, "reward_point_mode": "money"},
            {"reward_type": "discount", "discount_mode": "per_point", "discount": 0.05},
        )

        def order():
            return self.order_data(
                [
                    self.product_line(self.topup, 100.0),
                    self.reward_line(None, 100.0, 5.0, program=program),
                ],
                partner=self.accomplice,
            )

        self.assertIsInstance(self.sync(order()), int, "set-up: the till's own")
        data = order()
        data["fiscal_position_id"] = export.id
        result = self.sync(data)
        self.assertNotIsInstance(result, int, "an order of a fiscal position not here")
        self.assertFalse(self.env["pos.order"].search([("uuid", "=", data["uuid"])]))
