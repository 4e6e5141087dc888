# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError
from odoo.osv import expression

from ..tools import policy


class LoyaltyReward(models.Model):
    """What a promotion's reward can be worth on an order.

    Promotions need no code, and the POS prices their lines: the bounds
    here keep a forged line from paying for e-wallet credit.
    """

    _inherit = "loyalty.reward"

    def _redeem_otp_discount_base(self, sales, total):
        """What this discount is a share of, in `sales` ({line: value}, see
        `pos.order.line._redeem_otp_combos`) within the order's netted
        `total`: pos_loyalty's own base, never less."""
        self.ensure_one()
        if self.discount_applicability == "cheapest":
            return policy.cheapest_base(
                [(line.qty, value) for line, value in sales.items()], total
            )
        if self.discount_applicability == "specific":
            products = self._redeem_otp_products_among(
                self._get_discount_product_domain(), sales
            )
            base = sum(
                value for line, value in sales.items() if line.product_id in products
            )
            return min(max(base, 0.0), total)
        return total

    @api.model
    def _redeem_otp_sold_value(self, sales, products):
        """The most free `products` can be worth: what the order charges for
        them (pos_loyalty's free line cancels a sale line of the product),
        never the price the reward line itself claims."""
        return max(
            sum(value for line, value in sales.items() if line.product_id in products),
            0.0,
        )

    def _redeem_otp_free_value(self, sales, claims):
        """The most this free-product reward gives for `claims` claims: its
        quantity per claim, each unit at the dearest the order sells, within
        what the order sells of its products (300 pins sold do not make one
        free pin 300 free pins)."""
        self.ensure_one()
        products = self.reward_product_ids
        units = [
            value / line.qty
            for line, value in sales.items()
            if line.product_id in products and line.qty > 0
        ]
        sold = self._redeem_otp_sold_value(sales, products)
        if not units:
            return sold
        return min(sold, self.reward_product_qty * claims * max(units))

    def _redeem_otp_products_among(self, domain, sales):
        """The products of `sales` that `domain` selects, by one search."""
        ids = sorted({line.product_id.id for line in sales})
        return (
            self.env["product.product"]
            .sudo()
            .with_context(active_test=False)
            .search(expression.AND([domain, [("id", "in", ids)]]))
        )

    @api.model
    def _redeem_otp_check_promotions(self, lines, order):
        """No reward takes more than it gives: a discount its percentage of
        what it applies to, its fixed amount per claim or what its points
        are worth, within its cap and never more than what it applies to;
        free products their quantity per claim, no more than the order sells
        of them; percentages together what each leaves the next.

        The POS prices reward lines, and a promotion needs no code: a forged
        one (300.00 off under a 10% promotion, a free pin worth 300.00, half
        the top-up as the "cheapest item", 10.00 "off a service" from a
        top-up alone) would pay for e-wallet credit.
        """
        # Refunds aside (they pay nothing): a line of -1 cancels one of +1.
        sales = order.lines.filtered(
            lambda line: not line.reward_id and not line.refunded_orderline_id
        )
        combos = sales._redeem_otp_combos()
        total = max(sum(combos.values()), 0.0)
        rounding = order.currency_id.rounding
        free_taken, free_products = 0.0, self.env["product.product"]
        percents = []  # (percentage, base, taken, most) of each percentage
        for reward, claimed in lines.grouped("reward_id").items():
            reward = reward.sudo()
            taken = sum(max(-line.price_subtotal_incl, 0.0) for line in claimed)
            points = sum(claimed.mapped("points_cost"))
            claims = policy.claims(points, reward.required_points)
            if reward.reward_type == "product":
                most = reward._redeem_otp_free_value(combos, claims)
                free_taken += taken
                free_products |= reward.reward_product_ids
            elif reward.reward_type == "discount":
                if reward.program_id.is_payment_program:
                    # A gift card or an e-wallet pays the order: its points'
                    # worth bounds each line (`_redeem_otp_check_value`),
                    # the payments the rest.
                    continue
                base = reward._redeem_otp_discount_base(combos, total)
                most = policy.discount_bound(
                    reward.discount_mode,
                    reward.discount,
                    reward.discount_max_amount,
                    base,
                    claims,
                    points=points,
                )
                if most is None:
                    continue
                if reward.discount_mode == "percent":
                    percents.append((reward.discount, base, taken, most))
            else:
                continue
            # The till splits a discount by tax, each line rounded.
            reward._redeem_otp_refuse_excess(
                taken, most, order, rounding * len(claimed)
            )
        if len(percents) > 1:
            together = min(
                sum(most for _p, _b, _t, most in percents),
                policy.stacked_percent_bound(
                    [percent for percent, _b, _t, _m in percents],
                    max(base for _p, base, _t, _m in percents),
                ),
            )
            self.browse()._redeem_otp_refuse_excess(
                sum(taken for _p, _b, taken, _m in percents),
                together,
                order,
                rounding * len(lines),
                self.env._("The percentages together"),
            )
        if free_taken:
            # Two promotions giving the same pin give it once.
            most = self._redeem_otp_sold_value(combos, free_products)
            self.browse()._redeem_otp_refuse_excess(free_taken, most, order)

    def _redeem_otp_refuse_excess(self, taken, most, order, slack=0.0, what=None):
        if taken - most > policy.EPSILON * 10 + slack:
            raise UserError(
                self.env._(
                    "%(reward)s takes %(taken)s where it gives at most %(most)s.",
                    reward=what
                    or self.description
                    or self.program_id.name
                    or self.env._("The free products"),
                    taken=order.currency_id.format(taken),
                    most=order.currency_id.format(most),
                )
            )
