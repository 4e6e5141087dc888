# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools
import json
import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import payloads, policy, trusted

_logger = logging.getLogger(__name__)

# Written by the server only: at sync (what the order may take from each
# card) and at the points RPC (what it did take). Never taken from a payload.
SERVER_FIELDS = tuple(
    f"redeem_otp_{name}"
    for name in "decision allowance points_moved points_earned taken_back".split()
)
GUARDED_FIELDS = ("redeem_otp_challenge_id", *SERVER_FIELDS)
# What the POS's sync alone sets, never a cashier's own call: what an order
# came to, what paid it, and where; and, once it is paid, what was checked.
SYNC_ONLY_FIELDS = tuple(
    "amount_total amount_paid amount_tax amount_return payment_ids session_id "
    "config_id company_id".split()
)
PAID_ORDER_FIELDS = (
    *SYNC_ONLY_FIELDS,
    "partner_id",
    "date_order",
    "lines",
    # Who sold it and which receipt and order it is (a code binds the uuid).
    *"user_id pos_reference uuid ticket_code sequence_number tracking_number".split(),
    *"pricelist_id fiscal_position_id".split(),
)


class PosOrder(models.Model):
    _inherit = "pos.order"

    @api.model
    def default_get(self, fields_list):
        """Server-set fields take only their own defaults (`trusted.own_defaults`)."""
        return trusted.own_defaults(
            self,
            super().default_get(fields_list),
            (*GUARDED_FIELDS, *SYNC_ONLY_FIELDS, "state"),
        )

    # Looked up by uuid at every sync (stock) and every code asked (whose
    # order it is): an index keeps both flat in the size of the order
    # history, which stock leaves to a full scan.
    uuid = fields.Char(index="btree_not_null")
    redeem_otp_challenge_id = fields.Many2one(
        "salon.otp.challenge",
        string="Redemption authorization",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    redeem_otp_method = fields.Selection(related="redeem_otp_challenge_id.method")
    redeem_otp_verified_at = fields.Datetime(
        related="redeem_otp_challenge_id.verified_at"
    )
    redeem_otp_decision = fields.Char(
        string="Redemption code decision",
        readonly=True,
        copy=False,
        help="Why the fraud policy asked no code for this order's redemptions.",
    )
    redeem_otp_allowance = fields.Text(
        readonly=True,
        copy=False,
        groups="point_of_sale.group_pos_manager",
        help="Points per card the order's reward lines spend, as accepted at sync.",
    )
    redeem_otp_points_moved = fields.Text(
        readonly=True,
        copy=False,
        groups="point_of_sale.group_pos_manager",
        help="Points per card the points RPC really moved for this order (once).",
    )
    redeem_otp_points_earned = fields.Text(
        readonly=True,
        copy=False,
        groups="point_of_sale.group_pos_manager",
        help="Points per card the order earned (before its own rewards), once.",
    )
    redeem_otp_taken_back = fields.Text(
        readonly=True,
        copy=False,
        groups="point_of_sale.group_pos_manager",
        help="Credit this refund took back at sync from the cards its refunded "
        "orders had credited, until the points RPC applies the POS's own figures.",
    )

    # -- Writes: what the POS may and may not set -----------------------
    @api.model
    def sync_from_ui(self, orders):
        """Check the payload's numbers and the lines it names; drop the server's fields.

        Inside, the order is created or updated as the POS sent it; the
        check of its redemptions runs when it becomes paid.
        """
        if not isinstance(orders, list):
            raise UserError(self.env._("The POS sent no list of orders."))
        cashier = self.env.user._redeem_otp_is_cashier()
        fields_of = functools.cache(self._redeem_otp_fields_written_through)
        for order in orders:
            try:
                payloads.order_numbers(order)
            except payloads.PayloadError as exc:
                raise UserError(
                    self.env._(
                        "The POS sent an order that cannot be saved: %(why)s.", why=exc
                    )
                ) from None
            through = payloads.written_through(order, fields_of, self._name)
            if through:
                raise UserError(
                    self.env._(
                        "The POS sent values the server sets from other records "
                        "(%(fields)s): the order was not saved.",
                        fields=", ".join(through),
                    )
                )
            for name in (*SERVER_FIELDS, "account_move"):
                order.pop(name, None)
            if cashier:
                self.env["pos.session"].browse(
                    order["session_id"]
                )._redeem_otp_check_open_to_cashier()
        locked = self.env["salon.otp.challenge"]._redeem_otp_lock_named(orders)
        try:
            return super(
                PosOrder, trusted.locked(trusted.mark(self), locked)
            ).sync_from_ui(orders)
        except (
            *payloads.SHAPE_ERRORS,
            psycopg2.DataError,
            psycopg2.ProgrammingError,
        ) as exc:
            # Stock code reading a payload of the wrong shape; the whole call
            # is rolled back either way, the POS gets a reason, not a trace.
            _logger.info("Malformed order refused at sync: %r", exc)
            raise UserError(
                self.env._(
                    "The POS sent an order that cannot be saved: %(why)s.", why=exc
                )
            ) from None

    @api.model
    def _redeem_otp_fields_written_through(self, model_name):
        """For `payloads.written_through`: the fields of `model_name` whose
        value is written to another record (an inverse), and its list fields."""
        model_fields = self.env[model_name]._fields.values()
        return (
            {field.name for field in model_fields if field.inverse},
            {
                field.name: field.comodel_name
                for field in model_fields
                if field.type in ("one2many", "many2many")
            },
        )

    def _process_order(self, order, existing_order):
        """The sync's commands name only the saved order's own lines and payments.

        Checked as each order of the call is saved (an earlier order of the
        same call may have just made the line named): the sync writes as the
        server, past the guards on paid orders."""
        for model, field in (
            ("pos.order.line", "lines"),
            ("pos.payment", "payment_ids"),
        ):
            named = self.env[model].browse(payloads.ids_named(order, field))
            parents = payloads.parents_named(order, field)
            named._redeem_otp_check_synced_by(existing_order or self.browse(), parents)
        self._redeem_otp_check_other_lists(order, existing_order)
        return super()._process_order(order, existing_order)

    @api.model
    def _redeem_otp_check_other_lists(self, order, existing_order):
        """The order's other lists (pickings, messages, followers) only name
        what is theirs already.

        Stock's till sends them as links to the records it loaded with the
        order; any other command would move another order's delivery or
        messages into this one, as the server (review 55).
        """
        for name, field in self._fields.items():
            if field.type not in ("one2many", "many2many") or name in (
                "lines",
                "payment_ids",
            ):
                continue
            commands = order.get(name)
            linked = (
                existing_order.sudo()[name].ids if commands and existing_order else ()
            )
            if not payloads.links_only(commands, linked):
                raise UserError(
                    self.env._(
                        "The POS sent changes to the order's %(field)s: the order "
                        "was not saved.",
                        field=name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._redeem_otp_guard_fields(vals_list)
        orders = super().create(vals_list)
        if not trusted.is_marked(self.env):
            # Created paid outside the sync: the same check as a sync.
            paid = orders.filtered(lambda o: o.state in policy.PAID_STATES)
            if self.env.user._redeem_otp_is_cashier():
                paid._redeem_otp_check_paid()
            paid._redeem_otp_enforce()
        return orders

    def write(self, vals):
        becoming_paid = self._redeem_otp_becoming_paid(vals)
        if len(becoming_paid) > 1:
            # One at a time: the checks of each order (the guest's uncoded
            # spends of the day, what a line's refunds gave back) count the
            # orders paid before it, not those paid with it (review 57).
            for order in self:
                order.write(dict(vals))
                order.flush_recordset()
            return True
        self._redeem_otp_guard_fields([vals])
        self._redeem_otp_guard_paid(vals)
        if set(vals) == {"payment_ids"} and self.env[
            "pos.payment"
        ]._redeem_otp_method_edit(self, vals["payment_ids"]):
            return super(PosOrder, trusted.mark(self)).write(vals)
        if becoming_paid:
            if not self.env.user._redeem_otp_is_manager():
                # Whoever asks: stock's invoice request of a receipt
                # (/pos/ticket/validate) invoices as the public user, under
                # sudo, an order found by the token the till sent (review 56).
                becoming_paid._redeem_otp_check_paid()
            becoming_paid._redeem_otp_enforce()
        elif vals.get("state") == "cancel":
            self._redeem_otp_release_hold()
        return super().write(vals)

    def _redeem_otp_becoming_paid(self, vals):
        """The orders `vals` moves into a paid state, that every way to paid
        checks: all but those paid already and the one the sync checked a
        moment ago (stock's action_pos_order_paid in it)."""
        if vals.get("state") not in policy.PAID_STATES:
            return self.browse()
        checked = trusted.checked_ids(self.env)
        return self.filtered(
            lambda o: o.state not in policy.PAID_STATES and o.id not in checked
        )

    def unlink(self):
        self._redeem_otp_release_hold()
        return super().unlink()

    def _redeem_otp_release_hold(self):
        """A sync holds points before stock may find the order underpaid and
        leave it a draft: cancelled or deleted, it gives them back."""
        for order in self.sudo().filtered(
            lambda o: o.redeem_otp_taken_back and not o.redeem_otp_points_moved
        ):
            if order.state in policy.PAID_STATES:
                continue
            self.env["loyalty.card"]._redeem_otp_give_back(
                json.loads(order.redeem_otp_taken_back)
            )
            trusted.mark(order).redeem_otp_taken_back = False

    def _redeem_otp_guard_paid(self, vals):
        """A paid order is what the server checked: a cashier does not reshape it.

        Moving it back to draft or cancelling it, changing its guest, date,
        session or lines would let the lines be rewritten, hide earlier small
        spends from the minimum-amount rule, or replay a spend. Closing the
        session (done) and invoicing stay as stock does them. A cancelled
        order is no draft either, and never paid (review 56).
        """
        if trusted.is_marked(self.env) or not self.env.user._redeem_otp_is_cashier():
            return
        # Stock's "Edit Payment" changes only a payment's method (pos.payment
        # checks which and when); every other payment command is the sync's.
        if payloads.method_changes_only(vals.get("payment_ids")):
            vals = {
                name: value for name, value in vals.items() if name != "payment_ids"
            }
        if "nb_print" in vals and any(
            not isinstance(vals["nb_print"], int) or vals["nb_print"] < order.nb_print
            for order in self.sudo()
        ):
            # A printed receipt's payments stay as printed (stock's Edit
            # Payment asks for an unprinted order).
            raise AccessError(self.env._("A receipt once printed stays printed."))
        fixed = [name for name in SYNC_ONLY_FIELDS if name in vals]
        if fixed:
            raise AccessError(
                self.env._(
                    "What an order came to, what paid it and where are the sync's "
                    "to set (%(fields)s).",
                    fields=", ".join(fixed),
                )
            )
        touched = [name for name in PAID_ORDER_FIELDS if name in vals]
        if vals.get("state") in policy.PAID_STATES and touched:
            # The check judges the order as it is before the write: what
            # the same write changes (its guest, say) would go unjudged.
            raise AccessError(
                self.env._(
                    "An order is marked paid on its own, not with other changes "
                    "(%(fields)s).",
                    fields=", ".join(touched),
                )
            )
        if "state" in vals and self.sudo().filtered(lambda o: o.state == "cancel"):
            # Stock cancels drafts only, for good: "not a draft" is not paid.
            raise AccessError(self.env._("A cancelled order stays cancelled."))
        if not self.filtered(lambda order: order.state != "draft"):
            return
        if vals.get("state") not in (None, "done", "invoiced") or touched:
            raise AccessError(
                self.env._(
                    "A paid order cannot be changed at the till (%(fields)s).",
                    fields=", ".join(touched or ["state"]),
                )
            )

    def _redeem_otp_check_paid(self):
        """Paid means its payments match its total, as stock's `action_pos_order_paid`
        requires: a plain write or an invoice would credit a top-up nobody paid."""
        for order in self:
            # The payments themselves: `amount_paid` is a stored copy.
            paid = sum(order.sudo().payment_ids.mapped("amount"))
            gap = order._get_rounded_amount(order.amount_total) - paid
            method = order.config_id.cash_rounding and order.config_id.rounding_method
            slack = method and method.rounding / (
                2 if method.rounding_method == "HALF-UP" else 1
            )
            if not order.currency_id.is_zero(gap) and abs(gap) > (slack or 0.0):
                raise UserError(
                    self.env._("Order %(name)s is not fully paid.", name=order.name)
                )

    def _redeem_otp_guard_fields(self, vals_list):
        if trusted.is_marked(self.env) or not self.env.user._redeem_otp_is_cashier():
            return
        through = self._redeem_otp_fields_written_through(self._name)[0]
        for vals in vals_list:
            touched = [name for name in GUARDED_FIELDS if name in vals]
            if touched:
                raise AccessError(
                    self.env._(
                        "The redemption authorization of an order is set by the "
                        "server only (%(fields)s).",
                        fields=", ".join(touched),
                    )
                )
            if "account_move" in vals and not self.env.su:
                # Stock's invoice links the order as it makes the invoice, as
                # the server; an invoice of the cashier's choice would take
                # the sale out of the session's books and open that invoice
                # to whoever holds the receipt (review 56).
                raise AccessError(
                    self.env._("An order's invoice is the one made for it.")
                )
            # Set where they belong (the session's center, its operation
            # type): through the order they would write those as the server.
            written = [name for name in vals if name in through]
            if written:
                raise AccessError(
                    self.env._(
                        "These values of an order are set on the records they "
                        "come from, not on the order (%(fields)s).",
                        fields=", ".join(written),
                    )
                )

    def _redeem_otp_pricelist(self):
        """The order's pricelist if its till offers it (the payload names it),
        else none: a pricelist's programs are not unlocked by naming it."""
        self.ensure_one()
        pricelist, config = self.pricelist_id, self.config_id.sudo()
        if pricelist == config.pricelist_id or pricelist in (
            config._get_available_pricelists()
        ):
            return pricelist
        return pricelist.browse()

    def _create_invoice(self, move_vals):
        invoice = super()._create_invoice(move_vals)
        self._redeem_otp_check_membership_paid(invoice)
        return invoice

    def _redeem_otp_check_membership_paid(self, invoice):
        """A membership a cashier invoices is paid in full: the invoice as made
        (cash rounding line included) and the order's payments each come, tax
        included, with the gift card and e-wallet lines (credit is money), to
        the membership lines tax included, within the order's rounding. The cashier types
        every line's price and taxes: a pin given back with tax, or a rounding
        line of -99.95, paid an annual membership (review 38). Each membership
        line is at its price (membership.membership_line
        `_redeem_otp_sold_at_fee`)."""
        memberships = invoice.invoice_line_ids.filtered(
            lambda line: line.product_id.membership and line.quantity > 0
        )
        if (
            invoice.move_type != "out_invoice"
            or not memberships
            or self.env.user._redeem_otp_is_membership_manager()
        ):
            return
        credit = -sum(
            self.lines.filtered(
                lambda line: line.reward_id.program_id.sudo().is_payment_program
            ).mapped("price_subtotal_incl")
        )
        # The money the order took, change given back included, no more
        # than the invoice says: lines priced at 100.00 with amounts of 0.00
        # made an invoice of 100.00 that 100.00 by card settled while 100.00
        # went back in cash (review 39). What was put on the guest's account
        # is a debt, not money: 100.00 in cash, 100.00 back in cash and
        # 100.00 on account made the invoice read paid (review 59).
        taken = (
            sum(self.sudo().payment_ids.mapped("amount"))
            - self._redeem_otp_on_account()
        )
        paid = min(invoice.amount_total, taken) + credit + self._redeem_otp_slack()
        if (
            invoice.currency_id.compare_amounts(
                paid, sum(memberships.mapped("price_total"))
            )
            < 0
        ):
            raise UserError(
                self.env._(
                    "A membership sold below its price is given by a Point of "
                    "Sale manager or an accounting administrator."
                )
            )

    # -- Sync: refuse what was not authorized ---------------------------
    def _process_saved_order(self, draft):
        """Check protected redemptions once every line is saved, before payment.

        Here the lines sent now and those saved by earlier draft syncs are
        all on the order, and nothing is posted yet; a UserError rolls the
        whole sync back, so the POS keeps the order. (Stock's
        `action_pos_order_paid`, called next, swallows errors.)
        """
        if not draft and self.state != "cancel":
            if (
                self.state in policy.PAID_STATES
                and not self.env.user._redeem_otp_is_manager()
            ):
                # The payload's state made it paid at its INSERT, and stock's
                # check of its payments (`action_pos_order_paid`) only logs.
                # (Sent without a state, it stays a draft: stock's way.)
                self._redeem_otp_check_paid()
            self._redeem_otp_enforce()
            return super(PosOrder, trusted.checked(self))._process_saved_order(draft)
        return super()._process_saved_order(draft)

    def _redeem_otp_enforce(self):
        for order in self:
            order._redeem_otp_enforce_one()

    def _redeem_otp_enforce_one(self):
        self.ensure_one()
        if not trusted.is_marked(self.env) and self.env.user._redeem_otp_is_cashier():
            # (The sync checked the session of each order it was sent.)
            self.session_id._redeem_otp_check_open_to_cashier()
        if self.company_id != self.config_id.company_id:
            # The till's company sets the rules, not one a payload or write claims.
            raise UserError(self.env._("An order is of its point of sale's company."))
        self._redeem_otp_check_total()
        allowance = {}
        for line in self.lines.filtered(
            lambda ln: ln.reward_id and ln.coupon_id and ln.points_cost > 0
        ):
            key = str(line.coupon_id.id)
            allowance[key] = allowance.get(key, 0.0) + line.points_cost
        Card = self.env["loyalty.card"]
        locked, checking = None, self
        challenge = self.redeem_otp_challenge_id
        if (
            not challenge or challenge.id in trusted.locked_ids(self.env)
        ) and not self.company_id.redeem_otp_min_amount:
            # The cards the sync holds points on, locked now: the checks
            # below read them, and their dormancy, by the lock's own query.
            # Locks are taken in one order everywhere (code request, cards,
            # program and line turns); with a minimum amount, the guest's
            # turn comes before the cards' (`_redeem_otp_uncoded_recently`),
            # so they wait.
            locked, last_uses = Card._redeem_otp_lock_to_hold(self, allowance)
            checking = trusted.vouched(self, last_uses)
        decision = checking._redeem_otp_decision()
        if decision["needs_code"]:
            challenge = self.redeem_otp_challenge_id.sudo()
            challenge._redeem_otp_authorize_order(self, decision["lines"])
        elif decision["reason"] == "below_minimum":
            if self.redeem_otp_decision != decision["message"]:
                trusted.mark(self.sudo()).redeem_otp_decision = decision["message"]
                _logger.info("Order %s: %s", self.uuid, decision["message"])
        self.lines._redeem_otp_check_refunds()
        order = trusted.mark(self.sudo())
        if order.redeem_otp_points_moved:
            return  # the points call has applied the order's own figures
        order.redeem_otp_allowance = json.dumps(allowance)
        before = json.loads(order.redeem_otp_taken_back or "{}")
        # Checked before (an unpaid sync): hold afresh for the lines as they are.
        Card._redeem_otp_give_back(before)
        held = Card._redeem_otp_hold_for(self, allowance, locked)
        order.redeem_otp_taken_back = json.dumps(held) if held else False
        # The guest hears of what the sync took (beyond before), points call or not.
        more = {key: pts - before.get(key, 0.0) for key, pts in held.items()}
        self.env["salon.otp.balance.notice"]._redeem_otp_owe(
            self, {Card.browse(int(key)): pts for key, pts in more.items()}
        )

    def _redeem_otp_check_total(self):
        """Stock keeps the lines and the total the POS sends, and the order is
        paid when its payments match the total: a 300.00 top-up line on an
        order of 0.00 would earn credit nobody paid for."""
        worth = sum(self.lines.mapped("price_subtotal_incl"))
        if worth - self.amount_total > self._redeem_otp_slack():
            raise UserError(
                self.env._(
                    "The order's lines come to %(worth)s, more than its total of "
                    "%(total)s.",
                    worth=self.currency_id.format(worth),
                    total=self.currency_id.format(self.amount_total),
                )
            )

    def _redeem_otp_on_account(self):
        """What a cashier put of this order on the guest's Customer Account.

        A debt, not money paid: it buys no credit, points or gift card (an
        accomplice never settles it, review 46). A manager's sale on account
        is the salon's own decision, and counts as paid, as in stock.
        """
        if self.env.user._redeem_otp_is_manager():
            return 0.0
        return sum(
            payment.amount
            for payment in self.sudo().payment_ids
            if payment.amount > 0 and payment.payment_method_id.type == "pay_later"
        )

    def _redeem_otp_paid_ratio(self):
        """The share of this order's total that was paid, not put on account."""
        self.ensure_one()
        total = self.amount_total
        if total <= 0:
            return 1.0
        return min(max(1.0 - self._redeem_otp_on_account() / total, 0.0), 1.0)

    def _redeem_otp_slack(self):
        rounding = self.currency_id.rounding
        config = self.config_id
        return policy.rounding_slack(
            rounding,
            len(
                self.lines.filtered(lambda ln: abs(ln.price_subtotal_incl) >= rounding)
            ),
            self.company_id.tax_calculation_rounding_method == "round_globally",
            config.cash_rounding and config.rounding_method.rounding,
        )

    def _redeem_otp_decision(self):
        """Whether this order's reward lines need the guest's code, and why.

        The one decision: the sync applies it, and the POS asks for it (on
        an unsaved copy of the order, see pos.session `_redeem_otp_decide`) before
        payment, so the till opens the code dialog exactly when the sync
        would refuse the order without a code. Raises a UserError for what
        can never be redeemed (expired card, non-member, another guest's
        card, more than the card holds).

        Returns needs_code, reason (none, below_minimum, protected, dormant,
        membership), message and the protected lines.
        """
        self.ensure_one()
        rewarded = self.lines.filtered(lambda line: line.reward_id)
        result = {
            "needs_code": False,
            "reason": "none",
            "message": "",
            "lines": rewarded.browse(),
        }
        if not rewarded:
            return result
        rewarded._redeem_otp_check_rewards(self)
        # Of what spends (a refund line giving points back is bounded by what
        # its line took, with no code); dormancy read once, the costliest fact.
        spending = rewarded.filtered(
            lambda line: line.points_cost > 0 or not line.refunded_orderline_id
        )
        dormant = spending.coupon_id._redeem_otp_dormant(self.company_id)
        lines = spending._redeem_otp_protected(self, dormant)
        result["lines"] = lines
        if not lines:
            return result
        if lines.coupon_id & dormant:
            return dict(
                result,
                needs_code=True,
                reason="dormant",
                message=self.env._(
                    "This balance has not been used for a long time: the guest's own "
                    "code is needed."
                ),
            )
        company = self.company_id
        amount = lines._redeem_otp_amount()
        if lines._redeem_otp_priced() and policy.below_minimum(
            amount
            + self.partner_id._redeem_otp_uncoded_recently(self, lines.coupon_id),
            company.redeem_otp_min_amount,
        ):
            currency = company.currency_id
            return dict(
                result,
                reason="below_minimum",
                message=self.env._(
                    "Below the minimum amount (%(amount)s < %(minimum)s): no code asked.",
                    amount=currency.format(amount),
                    minimum=currency.format(company.redeem_otp_min_amount),
                ),
            )
        membership = lines.reward_id.program_id.filtered("redeem_otp_membership_only")
        return dict(
            result,
            needs_code=True,
            reason="membership" if membership else "protected",
            message=self.env._(
                "Spending these balances needs the guest's one-time code."
            ),
        )

    # -- Points: the second RPC, where balances really move -------------
    def confirm_coupon_programs(self, coupon_data):
        """Let stock move the points, then check what really moved, card by card.

        Called by the POS after the order synced (pos_loyalty's
        `_postPushOrderResolve`); it is also callable over RPC with any data,
        and stock reinterprets that data (new-card keys remapped onto
        existing cards, `giftCardId` naming any card). So the check reads
        balances before and after, under a row lock, not the request.
        """
        if len(self) != 1:
            raise UserError(self.env._("Points are applied to one order at a time."))
        try:
            changes = payloads.coupon_changes(coupon_data)
        except payloads.PayloadError as exc:
            raise UserError(
                self.env._(
                    "The POS sent points that cannot be applied: %(why)s.", why=exc
                )
            ) from None
        order = self.sudo()  # one read of the order, the server's fields with it
        if order.state not in policy.PAID_STATES:
            raise UserError(self.env._("Points move only for a paid order."))
        if order.redeem_otp_points_moved:
            raise UserError(
                self.env._("The points of this order were already applied.")
            )
        Card = self.env["loyalty.card"]
        Card._redeem_otp_check_gift_keys(coupon_data)
        held = json.loads(order.redeem_otp_taken_back or "{}")
        # Every card stock may touch, locked and read once.
        cards = Card._redeem_otp_snapshot(self, coupon_data, held)
        if held:
            # Give back what the sync held: the POS's figures apply in full,
            # and must take at least as much again (`_redeem_otp_check_moves`).
            Card._redeem_otp_give_back(held, cards)
            trusted.mark(order).redeem_otp_taken_back = False
        spent = {key for key, points in changes.items() if key > 0 and points < 0}
        cards.filtered(lambda card: card.id in spent)._redeem_otp_refuse_unspendable(
            self.company_id, "confirm_coupon_programs", self
        )
        before = {card: card._redeem_otp_state() for card in cards}
        result = super(PosOrder, trusted.mark(self)).confirm_coupon_programs(
            coupon_data
        )
        moved = Card._redeem_otp_check_moves(
            self, before, held, new_cards=any(key < 0 for key in changes)
        )
        trusted.mark(order).redeem_otp_points_moved = json.dumps(
            {str(card.id): delta for card, delta in moved.items()}
        )
        used = {
            card: -delta
            for card, delta in moved.items()
            if delta < 0 and card.program_id._redeem_otp_protected()
        }
        if used:
            self.env["salon.otp.balance.notice"]._redeem_otp_owe(
                self,
                {card: pts for card, pts in used.items() if str(card.id) not in held},
            )
        return result

    def add_loyalty_history_lines(self, coupon_data, coupon_updates):
        """Write history only for what the points RPC really moved on this order."""
        self.ensure_one()
        clean, updates = self.env["loyalty.history"]._redeem_otp_items(
            self, coupon_data, coupon_updates
        )
        return super(PosOrder, trusted.mark(self)).add_loyalty_history_lines(
            clean, updates
        )
