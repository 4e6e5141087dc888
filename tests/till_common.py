# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A guest at the till, and the till's calls as stock's pos_loyalty makes them.

For the tests of refunds and exchanges as the real till sends them (reviews 47
to 49): Lea, with a loyalty card and an e-wallet, and the sync and points call
made by the cashier or, where a test says so, the Point of Sale manager.
"""

from .attack_common import TopUpAttackCase


class GuestTillCase(TopUpAttackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.lea = env["res.partner"].create(
            {
                "name": "Lea Dubois",
                "mobile": "+33 6 11 22 33 44",
                "email": "lea.dubois@example.com",
                "country_id": env.ref("base.fr").id,
            }
        )
        Card = env["loyalty.card"]
        cls.card = Card.create({"program_id": cls.loyalty.id, "partner_id": cls.lea.id})
        cls.wallet = Card.create(
            {"program_id": cls.ewallet.id, "partner_id": cls.lea.id}
        )

    def rule(self, mode, amount):
        """The loyalty program's rule: `amount` points per `mode`, no minimum."""
        self.loyalty.rule_ids.write(
            {
                "reward_point_mode": mode,
                "reward_point_amount": amount,
                "minimum_amount": 0.0,
                "minimum_qty": 0,
            }
        )

    def till_vals(self, card, points, **extra):
        """A card's entry of `_postProcessLoyalty` (nominative: the guest's)."""
        return self.coupon_vals(card, points, partner_id=self.lea.id, **extra)

    def paid_order(self, lines, manager=False, pricelist=None, uuid=None):
        """Lea's order of `lines`, synced paid; the set-up needs it accepted."""
        data = self.order_data(lines, partner=self.lea, uuid=uuid)
        if pricelist:
            data["pricelist_id"] = pricelist.id
        if not data["amount_total"]:
            data["payment_ids"] = []
        if manager:
            with self.as_manager():
                order = self.sync(data)
        else:
            order = self.sync(data)
        self.assertIsInstance(order, int, f"the till's sync was refused: {order}")
        self.env.invalidate_all()
        return self.env["pos.order"].browse(order)

    def points_call(self, order, data, manager=False):
        """The order's points call; the test needs it accepted."""
        if manager:
            with self.as_manager():
                result = self.confirm(order.id, data)
        else:
            result = self.confirm(order.id, data)
        self.env.invalidate_all()
        self.assertFalse(
            self.refused(result), f"the till's points call was refused: {result}"
        )
        return result

    def refund_of(self, line, qty=None):
        """A line refunding `qty` (all by default) of the sale line `line`."""
        qty = line.qty if qty is None else qty
        back = self.product_line(line.product_id, line.price_unit, qty=-qty)
        back[2]["refunded_orderline_id"] = line.id
        return back
