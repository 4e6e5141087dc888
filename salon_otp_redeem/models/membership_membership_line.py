# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError

# What stock writes on a line as its invoice changes: the invoice's new
# customer (account.move.write) and the cancellation date (button_cancel,
# button_draft). Neither changes whether the line is a paid membership of
# someone other than the invoice's customer.
INVOICE_FOLLOWING_FIELDS = ("partner", "date_cancel")


class MembershipMembershipLine(models.Model):
    """A guest's membership state is computed from these lines.

    Contact Creation (base.group_partner_manager) lets a user create and
    write them: another customer's paid line moved to the guest, or a new
    line naming another customer's paid invoice line, would make the guest a
    member, and members-only benefits spendable. So only those who may give
    a membership (res.users `_redeem_otp_check_membership_manager`) change
    them, but for the bookkeeping stock does as a membership is invoiced,
    whoever invoices it (an accountant, or the POS invoicing a sale under
    sudo): a line for its own invoice line's customer and product.
    """

    _inherit = "membership.membership_line"

    @api.model_create_multi
    def create(self, vals_list):
        user = self.env.user
        for vals in vals_list:
            if not self._redeem_otp_made_by_invoice(vals):
                user._redeem_otp_check_membership_manager()
            elif not (
                self._redeem_otp_sold_at_fee(vals["account_invoice_line"])
                or user._redeem_otp_is_membership_manager()
            ):
                # A cashier types the price: an annual membership sold for
                # 0.01, invoiced and paid, made a paying member (review 36).
                raise UserError(
                    self.env._(
                        "A membership sold below its price is given by a Point of "
                        "Sale manager or an accounting administrator."
                    )
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self._redeem_otp_follows_invoice(vals):
            self.env.user._redeem_otp_check_membership_manager()
        return super().write(vals)

    def unlink(self):
        # Stock never deletes a line itself (the database cascades it with
        # its invoice line or partner).
        self.env.user._redeem_otp_check_membership_manager()
        return super().unlink()

    @api.model
    def _redeem_otp_made_by_invoice(self, vals):
        """Whether `vals` are the line account.move.line makes for a membership it sells.

        That is the invoice line's own customer and product, on a customer
        invoice, and the first line of that invoice line (stock makes one):
        a second line cannot add dates to a membership already recorded.
        """
        line_id = vals.get("account_invoice_line")
        if not isinstance(line_id, int) or isinstance(line_id, bool):
            return False
        invoice_line = self.env["account.move.line"].sudo().browse(line_id).exists()
        move = invoice_line.move_id
        return bool(
            invoice_line
            and move.move_type == "out_invoice"
            and invoice_line.product_id.membership
            and vals.get("membership_id") == invoice_line.product_id.id
            and vals.get("partner") == move.partner_id.id
            and not self.sudo().search_count(
                [("account_invoice_line", "=", line_id)], limit=1
            )
        )

    @api.model
    def _redeem_otp_sold_at_fee(self, line_id):
        """Whether the invoice line charges at least one membership's price,
        untaxed (a fiscal position may turn the price's included tax into
        none): discounts, quantities and pricelists taken into account. What
        the whole invoice charges is checked once it is made
        (pos.order `_redeem_otp_check_membership_paid`)."""
        line = self.env["account.move.line"].sudo().browse(line_id)
        return (
            line.move_id.currency_id.compare_amounts(
                line.price_subtotal, self._redeem_otp_fee(line)
            )
            >= 0
        )

    @api.model
    def _redeem_otp_fee(self, line):
        """One membership's price, untaxed, in the currency of its invoice."""
        move, product = line.move_id, line.product_id
        taxes = product.taxes_id._filter_taxes_by_company(move.company_id)
        fee = taxes.compute_all(product.lst_price, product=product)["total_excluded"]
        return move.company_id.currency_id._convert(
            fee, move.currency_id, move.company_id, move.invoice_date or move.date
        )

    def _redeem_otp_follows_invoice(self, vals):
        """Whether `vals` only keep these lines in step with their invoices."""
        if set(vals) - set(INVOICE_FOLLOWING_FIELDS):
            return False
        return all(
            line.account_invoice_line
            and vals.get("partner", line.partner.id)
            == line.account_invoice_line.move_id.partner_id.id
            for line in self.sudo()
        )
