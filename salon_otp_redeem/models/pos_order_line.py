# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError

from ..tools import trusted

# What the sync check and the points RPC read from a line.
GUARDED_FIELDS = (
    "order_id",
    "product_id",
    "qty",
    "price_unit",
    "price_subtotal",
    "price_subtotal_incl",
    "discount",
    "tax_ids",
    "is_reward_line",
    "reward_id",
    "coupon_id",
    "points_cost",
    "reward_identifier_code",
    "refunded_orderline_id",
)


class PosOrderLine(models.Model):
    """Lines of a paid order are what the server accepted at sync.

    POS users may write pos.order.line (stock access rights); a reward line
    rewritten after the sync would change what the points RPC reads.
    """

    _inherit = "pos.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["pos.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        self._redeem_otp_guard(orders, GUARDED_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        self._redeem_otp_guard(self.order_id, [n for n in GUARDED_FIELDS if n in vals])
        return super().write(vals)

    def unlink(self):
        self._redeem_otp_guard(self.order_id, GUARDED_FIELDS)
        return super().unlink()

    @api.model
    def _redeem_otp_guard(self, orders, touched):
        if (
            not touched
            or trusted.is_marked(self.env)
            or not self.env.user._redeem_otp_is_cashier()
        ):
            return
        if orders.sudo().filtered(lambda order: order.state != "draft"):
            raise AccessError(
                self.env._("The lines of a paid order cannot be changed at the till.")
            )
