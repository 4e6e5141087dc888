# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools.sql import create_index

from ..tools import payloads, trusted


class LoyaltyHistory(models.Model):
    """History rows are a card's activity: a dormant card wakes up with one.

    pos_loyalty lets POS users create and write them; here only the server
    writes them for a cashier (when an order really moved the card's points,
    see pos.order.add_loyalty_history_lines), so a cashier cannot make a
    dormant balance look used.
    """

    _inherit = "loyalty.history"

    def init(self):
        """Whether a card is dormant is read from its history at every code
        request and every sync that spends it, on a table that grows with
        every order (`loyalty.card._redeem_otp_last_vouched_sql`): its
        spends in orders, by card, from the index alone."""
        create_index(
            self.env.cr,
            "loyalty_history_redeem_otp_spent_idx",
            self._table,
            ["card_id", "order_id"],
            where="used > 0 AND order_model = 'pos.order'",
        )

    @api.model
    def default_get(self, fields_list):
        """Server-set fields take only their own defaults (`trusted.own_defaults`)."""
        return trusted.own_defaults(self, super().default_get(fields_list), None)

    @api.model_create_multi
    def create(self, vals_list):
        self._redeem_otp_guard()
        return super().create(vals_list)

    def write(self, vals):
        self._redeem_otp_guard()
        return super().write(vals)

    def unlink(self):
        self._redeem_otp_guard()
        return super().unlink()

    def _redeem_otp_guard(self):
        if trusted.is_marked(self.env) or not self.env.user._redeem_otp_is_cashier():
            return
        raise AccessError(
            self.env._(
                "Loyalty history is written by the server when an order moves points."
            )
        )

    @api.model
    def _redeem_otp_items(self, order, coupon_data, coupon_updates):
        """The history items and card updates stock may write for `order`.

        History rows are the cards' activity (dormancy reads them): the
        cashier's numbers are replaced by the server's, once per card.
        """
        moved = payloads.per_card(order.sudo().redeem_otp_points_moved)
        done = (
            self.sudo()
            .search([("order_model", "=", order._name), ("order_id", "=", order.id)])
            .card_id.ids
        )
        allowance = payloads.per_card(order.sudo().redeem_otp_allowance)
        clean = payloads.history_items(
            coupon_data, coupon_updates, moved, allowance, done
        )
        return clean, [{"old_id": card_id, "id": card_id} for card_id in moved]
