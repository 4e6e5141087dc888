# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools import trusted


class PosPayment(models.Model):
    """A paid order's payments are what made it paid.

    Stock gives POS users every right on pos.payment and refuses changes
    only once an order is posted (done, invoiced). A paid top-up whose cash
    payment is then deleted, lowered, moved to another order or cancelled by
    a negative one keeps its credit while no session counts its cash. The
    POS's own payments come with the sync (trusted); a cashier's direct
    calls touch only the payments of a draft, and never move one.
    """

    _inherit = "pos.payment"

    @api.model_create_multi
    def create(self, vals_list):
        if self._redeem_otp_guarded():
            orders = self.env["pos.order"].browse(
                {vals.get("pos_order_id") for vals in vals_list} - {None, False}
            )
            orders._redeem_otp_check_payable()
        return super().create(vals_list)

    def write(self, vals):
        if self._redeem_otp_guarded():
            if "pos_order_id" in vals:
                raise AccessError(
                    self.env._("A payment stays on the order it was made for.")
                )
            self.pos_order_id._redeem_otp_check_payable()
        return super().write(vals)

    def unlink(self):
        if self._redeem_otp_guarded():
            self.pos_order_id._redeem_otp_check_payable()
        return super().unlink()

    def _redeem_otp_guarded(self):
        """A cashier's own call, not the sync's or stock's trusted work."""
        return (
            not trusted.is_marked(self.env) and self.env.user._redeem_otp_is_cashier()
        )

    def _redeem_otp_check_synced_by(self, order):
        """Refuse a sync whose payment commands name these payments, unless they are `order`'s.

        The sync writes as the server: a command linking another order's
        payment would pay a top-up with a guest's cash, leaving that guest's
        order paid with nothing.
        """
        foreign = self.sudo().exists().filtered(lambda pay: pay.pos_order_id != order)
        if foreign:
            raise UserError(
                self.env._(
                    "The POS sent changes to payments of another order (%(order)s).",
                    order=foreign[0].pos_order_id.name,
                )
            )
