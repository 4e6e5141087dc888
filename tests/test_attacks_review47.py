# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Review 47: false refusals of a salon's normal day (stock pos_loyalty's till).

Not attacks: each test drives a legitimate flow, the payloads built as stock
Odoo 18's till builds them (pos_loyalty `pointsForPrograms`, then
`_postProcessLoyalty` for `confirm_coupon_programs`), and asserts the server
takes it with the right balances. Each fails today.

- The till's points call of a refund, an exchange or a refund to e-wallet of a
  sale that earned loyalty points is refused ("This order spends N points of
  ...: the points call must take them"). The sync holds what the refund takes
  back (`policy.earned_back`) and `loyalty.card._redeem_otp_check_moves` wants
  the points call to take it again. Stock's till never sends a take-back: its
  rules count the refund lines, a pure refund's netted amount (-200.00) is under
  the rule's minimum (0.00 > -200.00) and earns 0, an exchange earns the net
  of its lines (150.00 - 100.00 = 50). The refused call rolls back everything
  in it: the refund to e-wallet's credit never reaches the guest's e-wallet,
  an exchange's new service earns nothing, history is not written. Same for a
  cashier where the loyalty program asks no code. Also an exchange is counted
  twice: the earning bound nets the refund line (50) and the hold takes the
  refunded 100 on top, so the server wants -50 where the guest earned +50.
- A refund of a sale whose points the guest has spent since is refused at
  sync, to the manager too ("... no longer holds the 200.0 points this refund
  takes back: a Point of Sale manager must refund it"): no one at the till can
  refund the service. `pos.order.line._redeem_otp_check_take_back`.
- Per-unit stamps are refused where stock counts them (`policy.earn_bound`,
  unit mode, and `policy.paid_units`), which fails the whole points call (no
  stamp at all, and no coupon of the order's promotion either):
  - another program's free product scales every product down: a birthday
    colour (90.00, free by a promo code) sold with a shampoo paid in full
    (20.00) earns no stamp for the shampoo either (each product gets 20/110
    of its price, under half its list price);
  - a member's price of half the list price (a pricelist the till offers)
    with the automatic 10% happy hour on top: 13.50 of 30.00, no stamp;
  - a combo: stock counts the combo line and its items (3 stamps), the
    server bounds it at its items (2) and refuses the call instead of
    crediting what it would allow.

Same harness as the attack tests (tests/attack_common.py): the POS user (or
the Point of Sale manager, who refunds earned points) over JSON-RPC; only the
set-up uses the superuser.
"""

from odoo import Command
from odoo.tests import tagged

from .till_common import GuestTillCase


class Review47Case(GuestTillCase):
    """A guest with a loyalty card and an e-wallet at 0, three services, a
    birthday colour promo code and a members' pricelist the till offers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        Product = env["product.product"]

        def product(name, price):
            return Product.create(
                {
                    "name": name,
                    "available_in_pos": True,
                    "list_price": price,
                    "taxes_id": [Command.clear()],
                }
            )

        cls.colour = product("Colour", 90.0)
        cls.blow_dry = product("Blow-dry", 30.0)
        cls.shampoo = product("Shampoo", 20.0)
        cls.birthday = env["loyalty.program"].create(
            {
                "name": "Birthday colour",
                "program_type": "promo_code",
                "trigger": "with_code",
                "applies_on": "current",
                "pos_ok": True,
                "rule_ids": [
                    Command.create(
                        {
                            "mode": "with_code",
                            "code": "BDAY47",
                            "reward_point_mode": "order",
                            "reward_point_amount": 1,
                            "minimum_qty": 0,
                        }
                    )
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "product",
                            "reward_product_id": cls.colour.id,
                            "reward_product_qty": 1,
                            "required_points": 1,
                        }
                    )
                ],
            }
        )
        cls.members = env["product.pricelist"].create(
            {
                "name": "Members",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.blow_dry.id,
                            "compute_price": "percentage",
                            "percent_price": 50.0,
                        }
                    )
                ],
            }
        )
        cls.config.write(
            {
                "use_pricelist": True,
                "available_pricelist_ids": [Command.link(cls.members.id)],
            }
        )

    def promo_line(self, program, amount):
        """A promotion's reward line of its new card (no card at sync)."""
        return self.reward_line(None, 1.0, amount=amount, program=program)

    @staticmethod
    def promo_vals(key, program, line):
        """The promotion's new card: its point earned less the reward's cost."""
        return {
            "points": 0,
            "program_id": program.id,
            "coupon_id": key,
            "barcode": "",
            "line_codes": [line[2]["reward_identifier_code"]],
        }

    def sale_earning(self, price):
        """A service paid `price` in cash, earning a point per 1.00."""
        self.rule("money", 1.0)
        sale = self.paid_order([self.product_line(self.service, price)])
        self.points_call(sale, {self.card.id: self.till_vals(self.card, price)})
        self.assertAlmostEqual(self.card.points, price, msg="set-up: the sale")
        return sale


@tagged("post_install", "-at_install")
class TestReview47RefundPointsCall(Review47Case):
    """The till's points call after a refund of a loyalty-earning sale."""

    def test_01_refund_of_an_earning_sale(self):
        sale = self.sale_earning(200.0)
        refund = self.paid_order([self.refund_of(sale.lines)], manager=True)
        # pointsForPrograms: -200.00 is under the rule's 0.00 minimum, no
        # points; a nominative program still sends its card with 0.
        self.points_call(
            refund, {self.card.id: self.till_vals(self.card, 0.0)}, manager=True
        )
        self.assertAlmostEqual(self.card.points, 0.0)

    def test_02_exchange_for_a_dearer_service(self):
        sale = self.sale_earning(100.0)
        exchange = self.paid_order(
            [self.refund_of(sale.lines), self.product_line(self.service, 150.0)],
            manager=True,
        )
        # The till counts every line: 150.00 - 100.00 earns 50.
        self.points_call(
            exchange, {self.card.id: self.till_vals(self.card, 50.0)}, manager=True
        )
        self.assertAlmostEqual(
            self.card.points, 150.0, msg="the 150.00 service the guest keeps"
        )

    def test_03_refund_to_ewallet(self):
        sale = self.sale_earning(200.0)
        # The eWallet button on a refund: a top-up line of the refund's value.
        refund = self.paid_order(
            [self.refund_of(sale.lines), self.product_line(self.topup, 200.0)],
            manager=True,
        )
        self.points_call(
            refund,
            {
                self.card.id: self.till_vals(self.card, 0.0),
                self.wallet.id: self.till_vals(self.wallet, 200.0),
            },
            manager=True,
        )
        self.assertAlmostEqual(
            self.wallet.points, 200.0, msg="the guest's refund never reached the card"
        )

    def test_04_cashier_refund_where_loyalty_asks_no_code(self):
        self.loyalty.redeem_otp_required = False
        sale = self.sale_earning(200.0)
        refund = self.paid_order([self.refund_of(sale.lines)])
        self.points_call(refund, {self.card.id: self.till_vals(self.card, 0.0)})
        self.assertAlmostEqual(self.card.points, 0.0)


@tagged("post_install", "-at_install")
class TestReview47RefundAfterPointsSpent(Review47Case):
    def test_05_manager_refunds_a_service_whose_points_were_spent(self):
        sale = self.sale_earning(200.0)
        # Spent since, on a reward, with the guest's code.
        self.card.points = 0.0
        data = self.order_data([self.refund_of(sale.lines)], partner=self.lea)
        with self.as_manager():
            refund = self.sync(data)
        self.assertIsInstance(
            refund, int, "no one at the till can refund the service any more"
        )


@tagged("post_install", "-at_install")
class TestReview47Stamps(Review47Case):
    """A stamp per unit sold (any product), as the till counts units."""

    def setUp(self):
        super().setUp()
        self.rule("unit", 1.0)

    def test_06_birthday_colour_with_a_shampoo(self):
        free = self.promo_line(self.birthday, 90.0)
        order = self.paid_order(
            [
                self.product_line(self.colour, 90.0),
                self.product_line(self.shampoo, 20.0),
                free,
            ]
        )
        self.points_call(
            order,
            {
                self.card.id: self.till_vals(self.card, 2.0),
                -1: self.promo_vals(-1, self.birthday, free),
            },
        )
        self.assertAlmostEqual(self.card.points, 2.0)

    def test_07_members_price_and_happy_hour(self):
        price = self.members._get_product_price(self.blow_dry, 4.0)
        self.assertAlmostEqual(price, 15.0)
        promo = self.promo_line(self.promotion, 6.0)  # 10% of 60.00
        order = self.paid_order(
            [self.product_line(self.blow_dry, price, qty=4), promo],
            pricelist=self.members,
        )
        self.points_call(
            order,
            {
                self.card.id: self.till_vals(self.card, 4.0),
                -1: self.promo_vals(-1, self.promotion, promo),
            },
        )
        self.assertAlmostEqual(self.card.points, 4.0)

    def test_08_combo(self):
        Combo = self.env["product.combo"]
        combos = Combo.create(
            [
                {
                    "name": "Colour",
                    "combo_item_ids": [Command.create({"product_id": self.colour.id})],
                },
                {
                    "name": "Finish",
                    "combo_item_ids": [
                        Command.create({"product_id": self.blow_dry.id})
                    ],
                },
            ]
        )
        menu = self.env["product.product"].create(
            {
                "name": "Colour & blow-dry",
                "type": "combo",
                "available_in_pos": True,
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "combo_ids": [Command.set(combos.ids)],
            }
        )
        parent = self.product_line(menu, 0.0)
        items = [
            self.product_line(self.colour, 75.0),
            self.product_line(self.blow_dry, 25.0),
        ]
        parent[2].update(
            uuid=self.new_uuid(), combo_line_ids=[item[2]["id"] for item in items]
        )
        for item, combo in zip(items, combos, strict=True):
            item[2].update(uuid=self.new_uuid(), combo_item_id=combo.combo_item_ids.id)
        order = self.paid_order([parent, *items])
        self.assertEqual(len(order.lines.combo_parent_id), 1)
        # The till counts the combo line and its two items.
        self.points_call(order, {self.card.id: self.till_vals(self.card, 3.0)})
        self.assertGreaterEqual(self.card.points, 2.0)
