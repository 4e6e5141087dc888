# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from datetime import timedelta

import psycopg2

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..tools import payloads, policy, trusted
from ..tools.sender import RedeemOtpSender

_logger = logging.getLogger(__name__)

MEMBER_STATES = ("paid", "free")
PAID_STATES = ("paid", "done", "invoiced")
# Written by the server only: at sync (what the order may take from each
# card) and at the points RPC (what it did take). Never taken from a payload.
SERVER_FIELDS = (
    "redeem_otp_decision",
    "redeem_otp_allowance",
    "redeem_otp_points_moved",
    "redeem_otp_taken_back",
)
# Redemptions below the minimum amount add up per guest over this window.
UNCODED_WINDOW = timedelta(hours=24)
GUARDED_FIELDS = ("redeem_otp_challenge_id", *SERVER_FIELDS)
# What a cashier may not change once an order is paid.
PAID_ORDER_FIELDS = (
    "partner_id",
    "date_order",
    "session_id",
    "config_id",
    "lines",
    "amount_total",
    "amount_paid",
    "amount_tax",
    "company_id",
)


class PosOrder(models.Model):
    _inherit = "pos.order"

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
    redeem_otp_taken_back = fields.Text(
        readonly=True,
        copy=False,
        groups="point_of_sale.group_pos_manager",
        help="Credit this refund took back at sync from the cards its refunded "
        "orders had credited, until the points RPC applies the POS's own figures.",
    )

    # ------------------------------------------------------------------
    # Writes: what the POS may and may not set
    # ------------------------------------------------------------------
    @api.model
    def sync_from_ui(self, orders):
        """Check the payload's numbers and drop the fields only the server writes.

        Inside, the order is created or updated as the POS sent it; the
        check of its redemptions runs when it becomes paid.
        """
        if not isinstance(orders, list):
            raise UserError(_("The POS sent no list of orders."))
        cashier = self.env.user._redeem_otp_is_cashier()
        for order in orders:
            try:
                payloads.order_numbers(order)
            except payloads.PayloadError as exc:
                raise UserError(
                    _("The POS sent an order that cannot be saved: %(why)s.", why=exc)
                ) from None
            for name in SERVER_FIELDS:
                order.pop(name, None)
            if cashier:
                self._redeem_otp_check_session(order["session_id"])
        try:
            return super(PosOrder, trusted.mark(self)).sync_from_ui(orders)
        except (
            IndexError,
            KeyError,
            TypeError,
            ValueError,
            psycopg2.DataError,
            psycopg2.ProgrammingError,
        ) as exc:
            # Stock code reading a payload of the wrong shape; the whole call
            # is rolled back either way, the POS gets a reason, not a trace.
            _logger.info("Malformed order refused at sync: %r", exc)
            raise UserError(
                _("The POS sent an order that cannot be saved: %(why)s.", why=exc)
            ) from None

    @api.model
    def _redeem_otp_check_session(self, session_id):
        """A cashier saves orders into an open session of a center they may use."""
        session = self.env["pos.session"].browse(session_id).exists()
        if not session or session.state != "opened":
            raise UserError(_("This order's session is not open."))
        session.config_id.check_access("read")

    @api.model_create_multi
    def create(self, vals_list):
        self._redeem_otp_guard_fields(vals_list)
        orders = super().create(vals_list)
        if not trusted.is_marked(self.env):
            # Created paid outside the sync: the same check as a sync.
            orders.filtered(lambda o: o.state in PAID_STATES)._redeem_otp_enforce()
        return orders

    def write(self, vals):
        self._redeem_otp_guard_fields([vals])
        self._redeem_otp_guard_paid(vals)
        if vals.get("state") in PAID_STATES:
            # Every way an order becomes paid (sync, draft then paid,
            # action_pos_order_paid, a plain write) passes the same check;
            # for an order the sync already checked it is a re-check.
            self.filtered(lambda o: o.state not in PAID_STATES)._redeem_otp_enforce()
        return super().write(vals)

    def _redeem_otp_guard_paid(self, vals):
        """A paid order is what the server checked: a cashier does not reshape it.

        Moving it back to draft or cancelling it, changing its guest, date,
        session or lines would let the lines be rewritten, hide earlier small
        spends from the minimum-amount rule, or replay a spend. Closing the
        session (done) and invoicing stay as stock does them.
        """
        if trusted.is_marked(self.env) or not self.env.user._redeem_otp_is_cashier():
            return
        paid = self.filtered(lambda order: order.state != "draft")
        if not paid:
            return
        touched = [name for name in PAID_ORDER_FIELDS if name in vals]
        if vals.get("state") not in (None, "done", "invoiced") or touched:
            raise AccessError(
                _(
                    "A paid order cannot be changed at the till (%(fields)s).",
                    fields=", ".join(touched or ["state"]),
                )
            )

    def _redeem_otp_guard_fields(self, vals_list):
        if trusted.is_marked(self.env) or not self.env.user._redeem_otp_is_cashier():
            return
        for vals in vals_list:
            touched = [name for name in GUARDED_FIELDS if name in vals]
            if touched:
                raise AccessError(
                    _(
                        "The redemption authorization of an order is set by the "
                        "server only (%(fields)s).",
                        fields=", ".join(touched),
                    )
                )

    # ------------------------------------------------------------------
    # Sync: refuse what was not authorized
    # ------------------------------------------------------------------
    def _process_saved_order(self, draft):
        """Check protected redemptions once every line is saved, before payment.

        Here the lines sent now and those saved by earlier draft syncs are
        all on the order, and nothing is posted yet; a UserError rolls the
        whole sync back, so the POS keeps the order. (Stock's
        `action_pos_order_paid`, called next, swallows errors.)
        """
        if not draft and self.state != "cancel":
            self._redeem_otp_enforce()
        return super()._process_saved_order(draft)

    def _redeem_otp_enforce(self):
        for order in self:
            order._redeem_otp_enforce_one()

    def _redeem_otp_enforce_one(self):
        self.ensure_one()
        decision = self._redeem_otp_decision()
        if decision["needs_code"]:
            challenge = self.redeem_otp_challenge_id.sudo()
            challenge._redeem_otp_authorize_order(self, decision["lines"])
        elif decision["reason"] == "below_minimum":
            if self.redeem_otp_decision != decision["message"]:
                trusted.mark(self.sudo()).redeem_otp_decision = decision["message"]
                _logger.info("Order %s: %s", self.uuid, decision["message"])
        self._redeem_otp_check_refunds()
        allowance = {}
        for line in self.lines.filtered(
            lambda ln: ln.reward_id and ln.coupon_id and ln.points_cost > 0
        ):
            key = str(line.coupon_id.id)
            allowance[key] = allowance.get(key, 0.0) + line.points_cost
        trusted.mark(self.sudo()).redeem_otp_allowance = json.dumps(allowance)
        self._redeem_otp_hold(allowance)

    def _redeem_otp_decision(self):
        """Whether this order's reward lines need the guest's code, and why.

        The one decision: the sync applies it, and the POS asks for it (on
        an unsaved copy of the order, see `_redeem_otp_decide`) before
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
        self._redeem_otp_check_reward_lines(rewarded)
        lines = self._redeem_otp_protected_lines()
        result["lines"] = lines
        if not lines:
            return result
        lines.coupon_id._redeem_otp_refuse_expired(self.company_id, "sync", self)
        if lines.coupon_id._redeem_otp_dormant():
            return dict(
                result,
                needs_code=True,
                reason="dormant",
                message=_(
                    "This balance has not been used for a long time: the guest's own "
                    "code is needed."
                ),
            )
        company = self.company_id
        amount = self._redeem_otp_lines_amount(lines)
        if policy.below_minimum(
            amount + self._redeem_otp_uncoded_recently(), company.redeem_otp_min_amount
        ):
            currency = company.currency_id
            return dict(
                result,
                reason="below_minimum",
                message=_(
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
            message=_("Spending these balances needs the guest's one-time code."),
        )

    @api.model
    def _redeem_otp_decide(self, config, partner, order_uuid, lines, amount_total):
        """The decision for an order the POS holds but has not saved.

        Runs `_redeem_otp_decision` on an unsaved copy built from the POS's
        lines (its sales, what the order earns on, and its rewards), so the
        till and the sync cannot disagree. Returns what the code dialog
        needs: the server's redemptions, its summary and the fingerprint
        that tells the POS whether a verified code still fits.
        """
        sales = [line for line in lines if not line.get("reward_id")]
        lines = [line for line in lines if line.get("reward_id")]
        rewards = (
            self.env["loyalty.reward"]
            .sudo()
            .browse({line["reward_id"] for line in lines})
        )
        if len(rewards.exists()) != len(rewards):
            raise UserError(_("A reward of this order no longer exists."))
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .browse({line["card_id"] for line in lines if line["card_id"]})
        )
        if len(cards.exists()) != len(cards):
            raise UserError(_("A card of this order no longer exists."))
        order = self.sudo().new(
            {
                "config_id": config.id,
                "session_id": config.current_session_id.id,
                "company_id": config.company_id.id,
                "partner_id": partner.id,
                "uuid": order_uuid,
                "amount_total": amount_total,
                "lines": [
                    Command.create(
                        {
                            "product_id": line["product_id"],
                            "qty": line["qty"],
                            "price_unit": line["price"] / (line["qty"] or 1),
                            "price_subtotal": line["price_subtotal"],
                            "price_subtotal_incl": line["price"],
                        }
                    )
                    for line in sales
                ]
                + [
                    Command.create(
                        {
                            "reward_id": line["reward_id"],
                            "is_reward_line": True,
                            "coupon_id": line["card_id"] or False,
                            "points_cost": line["points"],
                            "qty": 1,
                            "price_unit": line["price"],
                            "price_subtotal": line["price_subtotal"],
                            "price_subtotal_incl": line["price"],
                        }
                    )
                    for line in lines
                ],
            }
        )
        decision = order._redeem_otp_decision()
        redemptions = order._redeem_otp_redemptions(decision["lines"])
        for item, line in zip(redemptions, decision["lines"], strict=True):
            value = order._redeem_otp_line_value(line)
            if value is not None:
                item["amount"] = value
        summary = self.env["salon.otp.challenge"]._redeem_otp_summarize(
            redemptions, config.company_id
        )[0]
        return {
            "needs_code": decision["needs_code"],
            "reason": decision["reason"],
            "message": decision["message"],
            "summary": summary,
            "redemptions": redemptions,
            "fingerprint": policy.fingerprint(partner.id, order_uuid, redemptions),
        }

    def _redeem_otp_uncoded_recently(self):
        """What the guest redeemed without a code lately: small spends add up.

        Without it, a balance could be drained in pieces each below the
        minimum amount.
        """
        if not self.partner_id or not self.company_id.redeem_otp_min_amount:
            return 0.0
        orders = self.sudo().search(
            [
                ("partner_id", "=", self.partner_id.id),
                ("redeem_otp_decision", "!=", False),
                ("state", "in", PAID_STATES),
                ("create_date", ">=", fields.Datetime.now() - UNCODED_WINDOW),
                ("id", "!=", self._origin.id or 0),
            ]
        )
        return sum(
            order._redeem_otp_lines_amount(order._redeem_otp_protected_lines())
            for order in orders
        )

    def _redeem_otp_hold(self, allowance):
        """Take off the cards, at sync, what the order spends and what its refund takes back.

        pos_loyalty moves points in a second call after the sync, which a
        cashier may simply never make: the discount would be given and the
        card never debited, again and again. So the server holds the points
        here (the reward lines' points, up to what the card holds; and what
        a refund takes back of the credit its refunded orders added), and
        the points call gives them back before applying the POS's own
        figures (see `confirm_coupon_programs`).
        """
        if self.sudo().redeem_otp_taken_back:
            return
        wanted = {int(key): points for key, points in allowance.items()}
        refunds = self.lines.filtered("refunded_orderline_id")
        refunded_cards = set()
        for origin in refunds.refunded_orderline_id.order_id.sudo():
            moved = json.loads(origin.redeem_otp_points_moved or "{}")
            refunded_cards |= {int(key) for key, delta in moved.items() if delta > 0}
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .browse(sorted(set(wanted) | refunded_cards))
            .exists()
        )
        if not cards:
            return
        self.env.cr.execute(
            "SELECT id FROM loyalty_card WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [cards.ids],
        )
        cards.invalidate_recordset(["points"])
        held = {}
        for card in cards:
            take_back = 0.0
            if (
                card.id in refunded_cards
                and card.program_id.program_type != "gift_card"
            ):
                take_back = round(self._redeem_otp_refund_take_back(card), 2)
                if card.points + policy.EPSILON < take_back:
                    raise UserError(
                        _(
                            "The card %(code)s no longer holds the %(points)s points "
                            "this refund takes back: a Point of Sale manager must "
                            "refund it.",
                            code=card.code,
                            points=take_back,
                        )
                    )
            # What the card holds pays first; the rest can only come from
            # points this very order earns (checked with the balances).
            spend = min(wanted.get(card.id, 0.0), max(card.points - take_back, 0.0))
            amount = round(take_back + spend, 2)
            if amount <= policy.EPSILON:
                continue
            trusted.mark(card).points = card.points - amount
            held[str(card.id)] = amount
        if held:
            trusted.mark(self.sudo()).redeem_otp_taken_back = json.dumps(held)

    def _redeem_otp_check_refunds(self):
        """A refund line gives back at most what its line was sold for, once.

        Stock trusts the POS here: a refund line priced above the line it
        refunds, or the same line refunded again and again, would pay for
        credit (a refund to e-wallet) or give spent points back. A refunded
        reward line gives its points back only with its discount repaid.
        """
        refunds = self.lines.filtered("refunded_orderline_id")
        for line in refunds:
            origin = line.refunded_orderline_id.sudo()
            if origin.order_id.state not in PAID_STATES or not origin.qty:
                raise UserError(_("Only a paid order's lines can be refunded."))
            others = (
                self.env["pos.order.line"]
                .sudo()
                .search(
                    [
                        ("refunded_orderline_id", "=", origin.id),
                        ("id", "!=", line.id),
                        ("order_id.state", "in", PAID_STATES),
                    ]
                )
            )
            refunded = -sum(others.mapped("qty")) - line.qty
            if line.qty >= 0 or refunded - origin.qty > policy.EPSILON:
                raise UserError(
                    _(
                        "%(product)s: more is refunded than was sold.",
                        product=origin.product_id.display_name,
                    )
                )
            share = -line.qty / origin.qty
            expected = origin.price_subtotal_incl * share
            given = -line.price_subtotal_incl
            if origin.reward_id:
                # The discount comes back with the points.
                if abs(given - expected) > policy.EPSILON * 10:
                    raise UserError(_("A refunded reward must repay its discount."))
            elif given - expected > policy.EPSILON * 10:
                raise UserError(
                    _(
                        "%(product)s: the refund gives back more than it was sold for.",
                        product=origin.product_id.display_name,
                    )
                )

    def _redeem_otp_restore_taken_back(self):
        """Give back what the sync took, so the points call applies the POS's figures."""
        order = self.sudo()
        taken = json.loads(order.redeem_otp_taken_back or "{}")
        for key, amount in taken.items():
            card = self.env["loyalty.card"].sudo().browse(int(key)).exists()
            if card:
                trusted.mark(card).points = card.points + amount
        if taken:
            trusted.mark(order).redeem_otp_taken_back = False

    def _redeem_otp_check_reward_lines(self, rewarded):
        """What no reward line may do, protected or not, code or not."""
        self._redeem_otp_check_membership(
            rewarded.reward_id.program_id, self.partner_id
        )
        self._redeem_otp_check_balances(rewarded)
        for line in rewarded:
            program = line.reward_id.program_id.sudo()
            if line.points_cost < 0 and not line.refunded_orderline_id:
                raise UserError(_("A reward line cannot give points back."))
            if line.points_cost <= 0:
                continue
            card = line.coupon_id.sudo()
            if (
                program.program_type in policy.CARD_PROGRAM_TYPES
                and not card
                and line.points_cost - self._redeem_otp_spendable_earnings(program)
                > policy.EPSILON
            ):
                # Without a card, only points this very order earns (a card
                # the order creates) can pay for the reward.
                raise UserError(
                    _(
                        "%(program)s is spent from a card: choose the guest's card.",
                        program=program.name,
                    )
                )
            if card and card.program_id != program:
                raise UserError(
                    _(
                        "The card %(code)s is not of %(program)s.",
                        code=card.code,
                        program=program.name,
                    )
                )
            # A card of nobody is spent only where no code is needed: the
            # code route refuses it, having no guest to send a code to.
            if (
                card.partner_id
                and program._redeem_otp_protected()
                and card.partner_id != self.partner_id
            ):
                raise UserError(
                    _(
                        "The card %(code)s belongs to %(holder)s, not to this order's "
                        "guest.",
                        code=card.code,
                        holder=card.partner_id.display_name or _("nobody"),
                    )
                )
            value = self._redeem_otp_line_value(line)
            # Untaxed: tax on a discount is the state's, not the card's.
            taken = max(-line.price_subtotal, 0.0)
            if value is not None and taken - value > policy.EPSILON * 10:
                raise UserError(
                    _(
                        "%(program)s: the reward line takes %(taken)s for %(points)s "
                        "points, worth %(value)s.",
                        program=program.name,
                        taken=self.currency_id.format(taken),
                        points=line.points_cost,
                        value=self.currency_id.format(value),
                    )
                )

    def _redeem_otp_check_balances(self, rewarded):
        """No card pays for more than it holds (plus what this very order earns on it).

        The browser checks balances, the server did not: a guest's own code
        could approve more than the card holds, and the card would not be
        debited below zero afterwards.
        """
        spent = {}
        for line in rewarded.filtered(lambda ln: ln.coupon_id and ln.points_cost > 0):
            card = line.coupon_id.sudo()
            spent[card] = spent.get(card, 0.0) + line.points_cost
        # Checked again as the order becomes paid: what this order's sync
        # already holds is still the card's.
        held = json.loads(self.sudo().redeem_otp_taken_back or "{}") if self.id else {}
        for card, points in spent.items():
            balance = card.points + held.get(str(card.id), 0.0)
            if points - balance <= policy.EPSILON:
                continue
            if (
                points - balance - self._redeem_otp_spendable_earnings(card.program_id)
                > policy.EPSILON
            ):
                raise UserError(
                    _(
                        "The card %(code)s holds %(balance)s points; this order spends "
                        "%(points)s.",
                        code=card.code,
                        balance=balance,
                        points=points,
                    )
                )

    def _redeem_otp_line_value(self, line):
        """The money a reward line is worth by its reward's definition (None: unknown)."""
        reward = line.reward_id.sudo()
        if reward.reward_type != "discount":
            return None
        return policy.reward_value(
            reward.discount_mode, reward.discount, line.points_cost
        )

    def _redeem_otp_lines_amount(self, lines):
        """What the redemption is worth: the most of what the lines take and their value.

        A line priced at almost nothing still costs the guest its points, so
        the minimum-amount rule reads the reward's own value too.
        """
        total = 0.0
        for line in lines:
            value = self._redeem_otp_line_value(line) or 0.0
            total += max(-line.price_subtotal_incl, value, 0.0)
        return total

    def _redeem_otp_protected_lines(self):
        """Reward lines of programs protected at this order's center."""
        lines = self.lines.filtered(lambda line: line.reward_id)
        if not lines:
            return lines
        # Dormant and expired cards need the code whatever the program or
        # center says (expired ones are then refused with their date).
        cards = lines.coupon_id
        special = cards._redeem_otp_dormant() | cards._redeem_otp_expired(
            self.company_id
        )
        always = lines.filtered(lambda line: line.coupon_id in special)
        if not self.config_id._redeem_otp_active():
            return always
        programs = lines.reward_id.program_id.sudo()._redeem_otp_protected()
        return (
            lines.filtered(lambda line: line.reward_id.program_id in programs) | always
        )

    @api.model
    def _redeem_otp_redemptions(self, lines):
        return [
            {
                "card_id": line.coupon_id.id or 0,
                "program_id": line.reward_id.program_id.id,
                "points": line.points_cost,
                "amount": max(-line.price_subtotal_incl, 0.0),
            }
            for line in lines
        ]

    @api.model
    def _redeem_otp_check_membership(self, programs, partner):
        """Membership benefits are for members only, whatever the POS shows."""
        benefits = programs.sudo().filtered("redeem_otp_membership_only")
        if benefits and partner.sudo().membership_state not in MEMBER_STATES:
            raise UserError(
                _(
                    "%(program)s is a membership benefit and %(guest)s has no active "
                    "membership.",
                    program=benefits[0].name,
                    guest=partner.display_name or _("this guest"),
                )
            )

    # ------------------------------------------------------------------
    # Points: the second RPC, where balances really move
    # ------------------------------------------------------------------
    def confirm_coupon_programs(self, coupon_data):
        """Let stock move the points, then check what really moved, card by card.

        Called by the POS after the order synced (pos_loyalty's
        `_postPushOrderResolve`); it is also callable over RPC with any data,
        and stock reinterprets that data (new-card keys remapped onto
        existing cards, `giftCardId` naming any card). So the check reads
        balances before and after, under a row lock, not the request.
        """
        if len(self) != 1:
            raise UserError(_("Points are applied to one order at a time."))
        try:
            changes = payloads.coupon_changes(coupon_data)
        except payloads.PayloadError as exc:
            raise UserError(
                _("The POS sent points that cannot be applied: %(why)s.", why=exc)
            ) from None
        if self.state not in PAID_STATES:
            raise UserError(_("Points move only for a paid order."))
        order = self.sudo()
        if order.redeem_otp_points_moved:
            raise UserError(_("The points of this order were already applied."))
        self._redeem_otp_check_gift_card_keys(coupon_data)
        self._redeem_otp_restore_taken_back()
        spent = self.env["loyalty.card"].browse(
            [key for key, points in changes.items() if key > 0 and points < 0]
        )
        spent.exists()._redeem_otp_refuse_expired(
            self.company_id, "confirm_coupon_programs", self
        )
        before = self._redeem_otp_snapshot(coupon_data)
        result = super(PosOrder, trusted.mark(self)).confirm_coupon_programs(
            coupon_data
        )
        moved = self._redeem_otp_check_moves(before)
        trusted.mark(order).redeem_otp_points_moved = json.dumps(
            {str(card.id): delta for card, delta in moved.items()}
        )
        used = {
            card.id: -delta
            for card, delta in moved.items()
            if delta < 0 and card.program_id._redeem_otp_protected()
        }
        if used:
            if order.redeem_otp_challenge_id.pos_order_id == self:
                trusted.mark(order.redeem_otp_challenge_id).points_confirmed = True
            self._redeem_otp_send_notices(used)
        return result

    def _redeem_otp_check_gift_card_keys(self, coupon_data):
        gift_ids = {
            int(vals["giftCardId"])
            for vals in coupon_data.values()
            if vals.get("giftCardId")
        }
        if not gift_ids:
            return
        cards = self.env["loyalty.card"].sudo().browse(gift_ids)
        if len(cards.exists()) != len(gift_ids) or cards.filtered(
            lambda card: card.program_id.program_type != "gift_card"
        ):
            raise UserError(_("Only a gift card can be sold as a gift card."))

    def _redeem_otp_snapshot(self, coupon_data):
        """Lock and read every card stock may touch for this call.

        That is the cards named by key or giftCardId, and every card of the
        guests the data names (stock moves a new-card key onto a guest's
        existing loyalty card).
        """
        ids = set()
        partners = {self.partner_id.id} - {False}
        for key, vals in coupon_data.items():
            if int(key) > 0:
                ids.add(int(key))
            if vals.get("giftCardId"):
                ids.add(int(vals["giftCardId"]))
            if vals.get("partner_id"):
                partners.add(int(vals["partner_id"]))
        domain = [("id", "in", list(ids))]
        if partners:
            domain = expression.OR([domain, [("partner_id", "in", list(partners))]])
        cards = self.env["loyalty.card"].sudo().with_context(active_test=False)
        cards = cards.search(domain)
        if cards:
            self.env.cr.execute(
                "SELECT id FROM loyalty_card WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                [cards.ids],
            )
            cards.invalidate_recordset()
        return {
            card: (
                card.points,
                card.partner_id,
                card.program_id,
                card.expiration_date,
                card.active,
            )
            for card in cards
        }

    def _redeem_otp_check_moves(self, before):
        """Raise unless every change stock made is one this order pays for."""
        Card = self.env["loyalty.card"].sudo().with_context(active_test=False)
        Card.invalidate_model()
        new = Card.search(
            [
                ("source_pos_order_id", "=", self.id),
                ("id", "not in", [card.id for card in before]),
            ]
        )
        allowance = {
            int(key): points
            for key, points in json.loads(
                self.sudo().redeem_otp_allowance or "{}"
            ).items()
        }
        moved = {}
        for card in Card.browse([c.id for c in before]) | new:
            points, partner, program, expiry, active = before.get(
                card,
                (0.0, card.partner_id, card.program_id, card.expiration_date, True),
            )
            gift = program.program_type == "gift_card"
            if (card.program_id, card.expiration_date, card.active) != (
                program,
                expiry,
                active,
            ) or (card.partner_id != partner and not gift):
                raise UserError(
                    _(
                        "The points RPC may not change the card %(code)s itself.",
                        code=card.code,
                    )
                )
            delta = card.points - points
            if abs(delta) <= policy.EPSILON / 2:
                continue
            if card.points < -policy.EPSILON / 2:
                raise UserError(
                    _("The card %(code)s cannot go below zero.", code=card.code)
                )
            allowed = allowance.get(card.id, 0.0)
            if delta < 0 and -delta - allowed > policy.EPSILON:
                # A refund takes back what the refunded sale really earned.
                allowed += self._redeem_otp_refund_take_back(card)
            if delta < 0 and -delta - allowed > policy.EPSILON:
                raise UserError(
                    _(
                        "This order's reward lines take %(allowed)s points from "
                        "%(code)s, not %(asked)s.",
                        allowed=allowed,
                        code=card.code,
                        asked=-delta,
                    )
                )
            if delta > 0:
                # Gift cards too: a gift card is cash to whoever holds it.
                bound = self._redeem_otp_earn_bound(card)
                if delta - bound > policy.EPSILON:
                    raise UserError(
                        _(
                            "This order earns at most %(bound)s points on %(code)s, "
                            "not %(asked)s.",
                            bound=bound,
                            code=card.code,
                            asked=delta,
                        )
                    )
            moved[card] = delta
        return moved

    def _redeem_otp_earn_bound(self, card):
        """The most points this order can add to `card`: its sales, and refunded rewards."""
        if card.partner_id and card.partner_id != self.partner_id:
            return 0.0
        bound = self._redeem_otp_program_earnings(card.program_id)
        # A refund gives back what the refunded reward lines took from this
        # card (once, with their discount repaid: `_redeem_otp_check_refunds`).
        for line in self.lines.filtered("refunded_orderline_id"):
            origin = line.refunded_orderline_id
            if origin.coupon_id == card and origin.points_cost > 0 and origin.qty:
                bound += origin.points_cost * min(abs(line.qty / origin.qty), 1.0)
        return bound

    def _redeem_otp_refund_take_back(self, card):
        """Points a refund may take back from `card`: what the refunded orders' own
        points call added to it, in proportion to the money refunded."""
        take_back = 0.0
        refunds = self.lines.filtered("refunded_orderline_id")
        for origin in refunds.refunded_orderline_id.order_id.sudo():
            gained = json.loads(origin.redeem_otp_points_moved or "{}").get(
                str(card.id), 0.0
            )
            if gained <= 0 or not origin.amount_total:
                continue
            refunded = -sum(
                refunds.filtered(
                    lambda line, o=origin: line.refunded_orderline_id.order_id == o
                ).mapped("price_subtotal_incl")
            )
            take_back += gained * min(max(refunded / origin.amount_total, 0.0), 1.0)
        return take_back

    def _redeem_otp_spendable_earnings(self, program):
        """Points this order earns that it may spend at once: only where the
        program applies to the current order too, as pos_loyalty counts them."""
        if program.sudo().applies_on == "future":
            return 0.0
        return self._redeem_otp_program_earnings(program)

    def _redeem_otp_program_earnings(self, program):
        """The most points the program's rules give for this order's sale lines,
        never more than was paid for them."""
        program = program.sudo()
        sales = self.lines.filtered(lambda line: not line.reward_id)
        products = sales.product_id
        rules = []
        for rule in program.rule_ids:
            domain = rule._get_valid_product_domain()
            valid = (
                None
                if not domain
                else set(
                    self.env["product.product"]
                    .sudo()
                    .search(expression.AND([domain, [("id", "in", products.ids)]]))
                    .ids
                )
            )
            rules.append(
                {
                    "mode": rule.reward_point_mode,
                    "amount": rule.reward_point_amount,
                    "product_ids": valid,
                }
            )
        return policy.earn_bound(
            rules,
            [
                {
                    "product_id": line.product_id.id,
                    "qty": line.qty,
                    "price": line.price_subtotal_incl,
                }
                for line in sales
            ],
            # What the guest paid for: the sale lines, where a negative line
            # cancels a positive one; a real refund's lines (goods given
            # back) may pay for credit, as pos_loyalty's refund to e-wallet does.
            paid=sum(
                line.price_subtotal_incl
                for line in sales
                if not line.refunded_orderline_id
            ),
        )

    def add_loyalty_history_lines(self, coupon_data, coupon_updates):
        """Write history only for what the points RPC really moved on this order.

        History rows are the cards' activity (dormancy reads them): the
        cashier's numbers are replaced by the server's, once per card.
        """
        self.ensure_one()
        moved = {
            int(key): delta
            for key, delta in json.loads(
                self.sudo().redeem_otp_points_moved or "{}"
            ).items()
        }
        if not isinstance(coupon_updates, list):
            coupon_updates = []
        mapping = {}
        for item in coupon_updates:
            if isinstance(item, dict):
                try:
                    mapping[int(item.get("old_id"))] = int(item.get("id"))
                except (TypeError, ValueError):
                    continue
        done = set(
            self.env["loyalty.history"]
            .sudo()
            .search([("order_model", "=", self._name), ("order_id", "=", self.id)])
            .card_id.ids
        )
        allowance = {
            int(key): points
            for key, points in json.loads(
                self.sudo().redeem_otp_allowance or "{}"
            ).items()
        }
        clean = []
        for item in coupon_data if isinstance(coupon_data, list) else []:
            if not isinstance(item, dict):
                continue
            try:
                card_id = int(item.get("card_id"))
                spent = payloads.number(item.get("spent") or 0.0, minimum=0.0)
            except (TypeError, ValueError):
                continue
            card_id = mapping.get(card_id, card_id)
            if card_id not in moved or card_id in done:
                continue
            used = min(spent, allowance.get(card_id, 0.0))
            issued = max(moved[card_id] + used, 0.0)
            clean.append({"card_id": str(card_id), "won": issued, "spent": used})
            done.add(card_id)
        return super(PosOrder, trusted.mark(self)).add_loyalty_history_lines(
            clean, [{"old_id": card_id, "id": card_id} for card_id in moved]
        )

    def _redeem_otp_send_notices(self, used_by_card):
        """After points go down, the guest learns what was used and what is left.

        Stock Odoo sends nothing when a balance decreases; this is the
        guest's receipt for their money, and the moment they would notice a
        fraud. A notice never undoes a paid order: failures are logged.
        """
        challenge = self.redeem_otp_challenge_id.sudo()
        cards = self.env["loyalty.card"].sudo().browse(list(used_by_card)).exists()
        sender = RedeemOtpSender(self.env)
        for card in cards:
            context = {
                "used": used_by_card[card.id],
                "order_name": self.pos_reference or self.name,
                "override": challenge.method == "override",
            }
            try:
                sender._send_notice(
                    card.partner_id or self.partner_id,
                    self.company_id,
                    card,
                    {
                        "sms": "salon_otp_redeem.sms_template_redeem_notice",
                        "email": "salon_otp_redeem.mail_template_redeem_notice",
                    },
                    context,
                    f"Balance notice for card {card.id}",
                )
            except Exception:  # noqa: BLE001 - a notice never undoes a paid order
                _logger.exception("Balance notice for card %s failed", card.id)
