# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..tools import payloads, policy, trusted

_logger = logging.getLogger(__name__)

MEMBER_STATES = ("paid", "free")
PAID_STATES = ("paid", "done", "invoiced")
# Written by the server only: at sync (what the order may take from each
# card) and at the points RPC (what it did take). Never taken from a payload.
SERVER_FIELDS = (
    "redeem_otp_decision",
    "redeem_otp_allowance",
    "redeem_otp_points_moved",
)
GUARDED_FIELDS = ("redeem_otp_challenge_id", *SERVER_FIELDS)


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
        for order in orders:
            try:
                payloads.order_numbers(order)
            except payloads.PayloadError as exc:
                raise UserError(
                    _("The POS sent an order that cannot be saved: %(why)s.", why=exc)
                ) from None
            for name in SERVER_FIELDS:
                order.pop(name, None)
        return super(PosOrder, trusted.mark(self)).sync_from_ui(orders)

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
        if vals.get("state") in PAID_STATES:
            # Every way an order becomes paid (sync, draft then paid,
            # action_pos_order_paid, a plain write) passes the same check;
            # for an order the sync already checked it is a re-check.
            self.filtered(lambda o: o.state == "draft")._redeem_otp_enforce()
        return super().write(vals)

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
        rewarded = self.lines.filtered(lambda line: line.reward_id)
        allowance = {}
        if rewarded:
            self._redeem_otp_check_reward_lines(rewarded)
            lines = self._redeem_otp_protected_lines()
            if lines:
                self.env["salon.otp.policy"]._redeem_otp_check_lines(self, lines)
                if self._redeem_otp_needs_code(lines):
                    challenge = self.redeem_otp_challenge_id.sudo()
                    challenge._redeem_otp_authorize_order(self, lines)
            for line in rewarded.filtered(
                lambda ln: ln.coupon_id and ln.points_cost > 0
            ):
                key = str(line.coupon_id.id)
                allowance[key] = allowance.get(key, 0.0) + line.points_cost
        trusted.mark(self.sudo()).redeem_otp_allowance = json.dumps(allowance)

    def _redeem_otp_check_reward_lines(self, rewarded):
        """What no reward line may do, protected or not, code or not."""
        self._redeem_otp_check_membership(
            rewarded.reward_id.program_id, self.partner_id
        )
        for line in rewarded:
            program = line.reward_id.program_id.sudo()
            if line.points_cost < 0 and not line.refunded_orderline_id:
                raise UserError(_("A reward line cannot give points back."))
            if line.points_cost <= 0:
                continue
            card = line.coupon_id.sudo()
            if program.program_type in policy.CARD_PROGRAM_TYPES and not card:
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
            if (
                card
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
            taken = max(-line.price_subtotal_incl, 0.0)
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
        always = self.env["salon.otp.policy"]._redeem_otp_always_protected_lines(
            self, lines
        )
        if not self.config_id._redeem_otp_active():
            return always
        programs = lines.reward_id.program_id.sudo()._redeem_otp_protected()
        return (
            lines.filtered(lambda line: line.reward_id.program_id in programs) | always
        )

    def _redeem_otp_needs_code(self, lines):
        return self.env["salon.otp.policy"]._redeem_otp_needs_code(self, lines)

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

    @api.model
    def _redeem_otp_check_override_allowed(self, challenge):
        self.env["salon.otp.policy"]._redeem_otp_check_override_allowed(challenge)

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
        self.ensure_one()
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
        spent = self.env["loyalty.card"].browse(
            [key for key, points in changes.items() if key > 0 and points < 0]
        )
        self.env["salon.otp.policy"]._redeem_otp_check_cards(self, spent.exists())
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
            self.env["salon.otp.notice"]._redeem_otp_send_notices(self, used)
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
                # A refund takes back what the refunded sale earned.
                allowed += self._redeem_otp_rules_bound(card, refunds=True)
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
            if delta > 0 and not gift:
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
        bound = self._redeem_otp_rules_bound(card)
        if card.partner_id and card.partner_id != self.partner_id:
            bound = 0.0
        # A refund gives back what the refunded reward lines took from this card.
        for line in self.lines.filtered("refunded_orderline_id"):
            origin = line.refunded_orderline_id
            if origin.coupon_id == card and origin.points_cost > 0 and origin.qty:
                bound += origin.points_cost * min(abs(line.qty / origin.qty), 1.0)
        return bound

    def _redeem_otp_rules_bound(self, card, refunds=False):
        """The most points the card's program rules give for this order's sale lines.

        With `refunds`, for its refund lines instead (what a refund takes back).
        """
        program = card.program_id.sudo()
        sales = self.lines.filtered(
            lambda line: not line.reward_id and (line.qty < 0) == refunds
        )
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
        sign = -1 if refunds else 1
        return policy.earn_bound(
            rules,
            [
                {
                    "product_id": line.product_id.id,
                    "qty": sign * line.qty,
                    "price": sign * line.price_subtotal_incl,
                }
                for line in sales
            ],
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
