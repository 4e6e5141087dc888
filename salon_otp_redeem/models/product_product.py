# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _redeem_otp_unit_price(self, sales):
        """The most one unit of this product is worth on the order, taxes included:
        its price on the order's own lines, or its list price with its taxes."""
        self.ensure_one()
        product = self.sudo()
        order = sales.order_id[:1]
        taxes = product.taxes_id.filtered(
            lambda tax: not order or tax.company_id in (order.company_id, False)
        )
        listed = taxes.compute_all(product.lst_price, product=product)["total_included"]
        on_order = [
            line.price_subtotal_incl / line.qty
            for line in sales
            if line.product_id == self and line.qty
        ]
        return max([listed, *on_order])
