# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models
from odoo.osv import expression


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    def _redeem_otp_applies_to(self, sales):
        """The sale lines this discount can take its percentage of, as pos_loyalty
        applies it: the whole order, its cheapest line, or its products."""
        self.ensure_one()
        reward = self.sudo()
        if reward.discount_applicability == "cheapest":
            return sales.sorted(lambda line: line.price_subtotal_incl)[:1]
        if reward.discount_applicability == "specific":
            # The reward's own domain: its computed product list may be
            # switched off (loyalty.compute_all_discount_product_ids).
            products = (
                self.env["product.product"]
                .sudo()
                .search(
                    expression.AND(
                        [
                            reward._get_discount_product_domain(),
                            [("id", "in", sales.product_id.ids)],
                        ]
                    )
                )
            )
            return sales.filtered(lambda line: line.product_id in products)
        return sales
