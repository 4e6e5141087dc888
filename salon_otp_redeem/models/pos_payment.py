# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools import disclosure, payloads, trusted


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

    @api.model
    def default_get(self, fields_list):
        """Server-set fields take only their own defaults (`trusted.own_defaults`)."""
        return trusted.own_defaults(
            self, super().default_get(fields_list), ("pos_order_id", "amount")
        )

    @api.model_create_multi
    def create(self, vals_list):
        if self._redeem_otp_guarded():
            if any(vals.get("account_move_id") for vals in vals_list):
                raise AccessError(
                    self.env._("A payment is booked by the invoice that pays it.")
                )
            orders = self.env["pos.order"].browse(
                {vals.get("pos_order_id") for vals in vals_list} - {None, False}
            )
            self._redeem_otp_check_drafts(orders)
        payments = super().create(vals_list)
        payments._redeem_otp_check_online_backed()
        return payments

    def write(self, vals):
        if self._redeem_otp_guarded():
            if "pos_order_id" in vals:
                raise AccessError(
                    self.env._("A payment stays on the order it was made for.")
                )
            if set(vals) == {"account_move_id"} and self._redeem_otp_booked_on(
                vals["account_move_id"]
            ):
                pass  # stock's invoice at the till books the payments, once
            elif set(vals) == {"payment_method_id"}:
                self._redeem_otp_check_method_change(vals["payment_method_id"])
            else:
                self._redeem_otp_check_drafts(self.pos_order_id)
        result = super().write(vals)
        if "payment_method_id" in vals:
            self._redeem_otp_check_online_backed()
        return result

    def _redeem_otp_check_online_backed(self):
        """A payment of an online method is money only with the accounting
        payment of the transaction that paid it.

        The server makes those when a transaction succeeds; stock's own
        check of `online_account_payment_id` runs only when the key is sent,
        so a sync or a method change could say "paid online" with nothing
        received (review 56), whoever asks.
        """
        if "online_account_payment_id" not in self._fields:
            return  # pos_online_payment is not installed: no online method
        if self.sudo().filtered(
            lambda pay: (
                pay.payment_method_id.is_online_payment
                and not pay.online_account_payment_id
            )
        ):
            raise UserError(
                self.env._(
                    "An online payment is recorded by the online payment itself, "
                    "not at the till."
                )
            )

    @api.model
    def _redeem_otp_method_edit(self, orders, commands):
        """Whether `commands` on `orders`' payments are a cashier's "Edit
        Payment" (checked: raises when not allowed), which stock follows by
        writing the orders' amounts afresh, a write a cashier may not make."""
        if not (self._redeem_otp_guarded() and payloads.method_changes_only(commands)):
            return False
        for _command, payment_id, vals in commands:
            payment = orders.payment_ids.filtered(lambda pay, i=payment_id: pay.id == i)
            if not payment:
                raise AccessError(
                    self.env._("A payment stays on the order it was made for.")
                )
            payment._redeem_otp_check_method_change(vals["payment_method_id"])
        return True

    def _redeem_otp_check_method_change(self, method_id):
        """Stock's "Edit Payment" at the till: another of the session's methods
        for a paid order not yet printed; the amount and the order stay."""
        method = self.env["pos.payment.method"].browse(method_id)
        for payment in self.sudo():
            order = payment.pos_order_id
            session = order.session_id
            if (
                order.state not in ("draft", "paid")
                or order.nb_print
                or session.state != "opened"
                or method not in session.payment_method_ids
                or method.type == "pay_later"
            ):
                raise AccessError(
                    self.env._(
                        "This payment's method can no longer be changed at the till."
                    )
                )

    def unlink(self):
        if self._redeem_otp_guarded():
            self._redeem_otp_check_drafts(self.pos_order_id)
        return super().unlink()

    @api.model
    def _redeem_otp_check_drafts(self, orders):
        """A cashier's own calls change only a draft's payments."""
        if orders.sudo().filtered(lambda order: order.state != "draft"):
            raise AccessError(
                self.env._(
                    "The payments of a paid order cannot be changed at the till."
                )
            )

    def _redeem_otp_booked_on(self, move_id):
        """Whether `move_id` is the entry stock's invoice at the till has just
        made for these payments: made in this transaction (a cashier reads
        entries and creates none), and none of them booked elsewhere."""
        move = self.env["account.move"].sudo().browse(move_id).exists()
        return (
            bool(move)
            and move.create_date == self.env.cr.now()
            and not (self.account_move_id - move)
        )

    def _redeem_otp_guarded(self):
        """A cashier's own call, not the sync's or stock's trusted work."""
        return (
            not trusted.is_marked(self.env) and self.env.user._redeem_otp_is_cashier()
        )

    def _redeem_otp_check_synced_by(self, order, parents=()):
        """Refuse a sync whose payment commands name these payments, unless they are `order`'s.

        The sync writes as the server: a command linking another order's
        payment would pay a top-up with a guest's cash, leaving that guest's
        order paid with nothing.
        """
        foreign = self.sudo().exists().filtered(lambda pay: pay.pos_order_id != order)
        if foreign or set(parents) - {order.id}:  # or moves one to another order
            disclosure.check_may_name(foreign[:1].pos_order_id)
            raise UserError(
                self.env._(
                    "The POS sent changes to payments of another order (%(order)s).",
                    order=foreign[:1].pos_order_id.name or set(parents) - {order.id},
                )
            )
