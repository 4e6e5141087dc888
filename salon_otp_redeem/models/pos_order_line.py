# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools import disclosure, payloads, policy, trusted, turns

# What the sync check and the points RPC read from a line.
GUARDED_FIELDS = (
    "order_id",
    "product_id",
    "qty",
    "price_unit",
    "price_subtotal",
    "price_subtotal_incl",
    "discount",
    "tax_ids",
    "is_reward_line",
    "reward_id",
    "coupon_id",
    "points_cost",
    "reward_identifier_code",
    "refunded_orderline_id",
    # A combo with its items is one sale to the points call.
    "combo_parent_id",
    "combo_line_ids",
    "combo_item_id",
)


class PosOrderLine(models.Model):
    """Lines of a paid order are what the server accepted at sync.

    POS users may write pos.order.line (stock access rights); a reward line
    rewritten after the sync would change what the points RPC reads.
    """

    _inherit = "pos.order.line"

    @api.model
    def default_get(self, fields_list):
        """Server-set fields take only their own defaults (`trusted.own_defaults`)."""
        return trusted.own_defaults(
            self, super().default_get(fields_list), GUARDED_FIELDS
        )

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["pos.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        self._redeem_otp_guard(orders, GUARDED_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        # Into a paid order as well as out of one.
        orders = self.order_id | self.order_id.browse(vals.get("order_id") or [])
        self._redeem_otp_guard(orders, [n for n in GUARDED_FIELDS if n in vals])
        if "coupon_id" in vals:
            self._redeem_otp_check_card_kept(vals["coupon_id"])
        return super().write(vals)

    def _prepare_refund_data(self, refund_order, PosOrderLineLot):
        """Stock's back-office refund copies a reward line with its points cost:
        a refund gives those points back (a negative cost, as the POS sends)."""
        data = super()._prepare_refund_data(refund_order, PosOrderLineLot)
        if self.points_cost > 0:
            share = (self.qty - self.refunded_qty) / (self.qty or 1.0)
            data["points_cost"] = -self.points_cost * min(max(share, 0.0), 1.0)
        return data

    def _redeem_otp_check_card_kept(self, card_id):
        """A paid order's reward line stays on the card it was synced with.

        pos_loyalty's points call sets the card of the lines its `line_codes`
        name, and a refunded reward line gives its points back to its card:
        the guest's spend named under the accomplice's card would be refunded
        onto it. A line synced with no card (a card this order creates) may
        take a card of its program that this order made, or the guest's own
        (stock maps a new card onto it).
        """
        card = self.env["loyalty.card"].sudo().browse(card_id)
        for line in self.sudo().filtered(
            lambda ln: ln.reward_id and ln.order_id.state != "draft"
        ):
            order = line.order_id
            if line.coupon_id == card or (
                not line.coupon_id
                and card.program_id == line.reward_id.program_id
                and (
                    card.source_pos_order_id == order
                    or (card.partner_id and card.partner_id == order.partner_id)
                )
            ):
                continue
            raise UserError(
                self.env._(
                    "%(reward)s stays on the card it was paid with.",
                    reward=line.product_id.display_name,
                )
            )

    def unlink(self):
        self._redeem_otp_guard(self.order_id, GUARDED_FIELDS)
        return super().unlink()

    @api.model
    def _redeem_otp_guard(self, orders, touched):
        if (
            not touched
            or trusted.is_marked(self.env)
            or not self.env.user._redeem_otp_is_cashier()
        ):
            return
        if orders.sudo().filtered(lambda order: order.state != "draft"):
            raise AccessError(
                self.env._("The lines of a paid order cannot be changed at the till.")
            )

    def _redeem_otp_check_synced_by(self, order, parents=()):
        """Refuse a sync whose line commands name these lines, unless they are
        `order`'s, or move a line to another order (`parents`, the orders its
        update commands name).

        `order` is the saved order of the synced one's uuid (none for a new
        one). The sync writes as the server, past the guard on paid orders'
        lines: an update naming another, paid order's line would rewrite it,
        to be refunded for more than it was sold or to hide an earlier small
        spend from the minimum amount. The POS names only its draft's lines.
        """
        foreign = self.sudo().exists().filtered(lambda line: line.order_id != order)
        if foreign or set(parents) - {order.id}:
            disclosure.check_may_name(foreign[:1].order_id)
            raise UserError(
                self.env._(
                    "The POS sent changes to lines of another order (%(order)s).",
                    order=foreign[:1].order_id.name or set(parents) - {order.id},
                )
            )

    # -- What reward lines spend and refund lines give back -------------
    def _redeem_otp_value(self):
        """The money a reward line is worth by its reward's definition (None: unknown)."""
        self.ensure_one()
        reward = self.reward_id.sudo()
        if reward.reward_type != "discount":
            return None
        return policy.reward_value(
            reward.discount_mode, reward.discount, self.points_cost
        )

    def _redeem_otp_amount(self):
        """What these reward lines are worth: the most of what each takes and its value.

        A line priced at almost nothing still costs the guest its points, so
        the minimum-amount rule reads the reward's own value too.
        """
        return sum(
            max(-line.price_subtotal_incl, line._redeem_otp_value() or 0.0, 0.0)
            for line in self
        )

    def _redeem_otp_priced(self):
        """Whether every one of these reward lines says in money what its points are worth.

        A fixed-cost reward (5% off for 200 points, a free product) does
        not: its line's price says nothing of the points it burns, so no
        minimum amount lets it go without the guest's code.
        """
        return all(line._redeem_otp_value() is not None for line in self)

    def _redeem_otp_protected(self, order, dormant=None):
        """Those of these reward lines that need the guest's code at `order`'s center.

        `dormant`: the dormant cards among them, when the caller has read them.
        """
        lines = self.filtered(lambda line: line.reward_id)
        if not lines:
            return lines
        # Dormant and expired cards need the code whatever the program or
        # center says (expired ones are then refused with their date).
        cards = lines.coupon_id
        if dormant is None:
            dormant = cards._redeem_otp_dormant(order.company_id)
        special = dormant | cards._redeem_otp_expired(order.company_id)
        always = lines.filtered(lambda line: line.coupon_id in special)
        if not order.config_id._redeem_otp_active():
            return always
        programs = lines.reward_id.program_id.sudo()._redeem_otp_protected()
        return (
            lines.filtered(lambda line: line.reward_id.program_id in programs) | always
        )

    def _redeem_otp_redemptions(self):
        """These reward lines as the guest's code binds them: card, program, points, money."""
        return [
            {
                "card_id": line.coupon_id.id or 0,
                "program_id": line.reward_id.program_id.id,
                "points": line.points_cost,
                "amount": max(-line.price_subtotal_incl, 0.0),
            }
            for line in self
        ]

    def _redeem_otp_binding_refusal(self, challenge):
        """Why these protected lines are not what the guest approved, or None.

        The points per card and program must be those of the code (the
        fingerprint), and no card and program may take more money than the
        guest was told.
        """
        order = self.order_id
        redemptions = self._redeem_otp_redemptions()
        if (
            policy.fingerprint(order.partner_id.id, order.uuid, redemptions)
            != challenge.fingerprint
        ):
            return self.env._(
                "The redemption changed after the guest's code was verified; "
                "ask for a new code."
            )
        approved = json.loads(challenge.redemption_json or "[]")
        excess = policy.overspent(approved, redemptions)
        if excess:
            return self.env._(
                "The order takes %(taken)s where the guest approved %(approved)s; "
                "ask for a new code.",
                taken=order.currency_id.format(excess[0]),
                approved=order.currency_id.format(excess[1]),
            )
        return None

    def _redeem_otp_check_rewards(self, order):
        """What no reward line may do, protected or not, code or not."""
        spent = self.filtered(lambda line: not line.refunded_orderline_id)
        programs = spent.reward_id.program_id
        # (Its query reads the programs the till offers, for the checks below.)
        offered = programs._redeem_otp_offered(
            order.config_id.sudo(), order.pricelist_id
        )
        programs._redeem_otp_refuse_ended(order.company_id)
        # Another center's, not for the Point of Sale, not for the order's
        # pricelist, or used up: stock's till never applies it, and a
        # promotion needs no code (review 35).
        refusal = programs._redeem_otp_refusal(order, offered)
        if refusal:
            raise UserError(refusal)
        withdrawn = spent.reward_id.sudo().filtered(lambda reward: not reward.active)
        if withdrawn:
            # Stock archives a reward an order used instead of deleting it,
            # and the till loads active ones only: an old rate, 50% off where
            # the salon now gives 10% (review 58). Refunds give old ones back.
            raise UserError(
                self.env._(
                    "%(reward)s is no longer offered.",
                    reward=withdrawn[0].description or withdrawn[0].display_name,
                )
            )
        self.coupon_id._redeem_otp_refuse_unspendable(order.company_id, "sync", order)
        order.partner_id._redeem_otp_check_member(
            self.reward_id.program_id, order.company_id
        )
        self.env["loyalty.card"]._redeem_otp_check_balances(order, self)
        self.env["loyalty.reward"]._redeem_otp_check_promotions(self, order)
        self.env["loyalty.program"]._redeem_otp_check_cardless(self, order)
        for line in self:
            program = line.reward_id.program_id.sudo()
            if line.points_cost < 0 and not line.refunded_orderline_id:
                raise UserError(self.env._("A reward line cannot give points back."))
            if program.company_id and program.company_id != order.company_id:
                # Its settings (codes, minimum, override) are another company's.
                disclosure.check_may_name(program)
                raise UserError(
                    self.env._(
                        "%(program)s is a program of %(company)s, not of this "
                        "center's company.",
                        program=program.name,
                        company=program.company_id.name,
                    )
                )
            line._redeem_otp_check_value(order)
            if line.points_cost <= 0:
                continue
            card = line.coupon_id.sudo()
            if card and card.program_id != program:
                disclosure.check_may_name(card)
                raise UserError(
                    self.env._(
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
                and card.partner_id != order.partner_id
            ):
                disclosure.check_may_name(card, card.partner_id)
                raise UserError(
                    self.env._(
                        "The card %(code)s belongs to %(holder)s, not to this order's "
                        "guest.",
                        code=card.code,
                        holder=card.partner_id.display_name or self.env._("nobody"),
                    )
                )

    def _redeem_otp_check_value(self, order):
        """A reward that prices its points takes no more than they are worth:
        nothing for a line that spends none (a gift card line of 0 points).

        Untaxed, as tax on a discount is the state's, not the card's. The
        order reads the tax-included amount, which the POS sends apart (and
        stock's discount lines carry no taxes to derive it from): it is no
        more than the value through the highest tax the order's priced sales
        bear, and a gift card or an e-wallet, which pay, bear none (a gift
        card line of 50.00 untaxed, 300.00 taxed, paid a top-up, review 33).
        """
        value = self._redeem_otp_value()
        if value is None:
            return
        program = self.reward_id.program_id.sudo()
        ratio = 1.0
        if not program.is_payment_program:
            ratio = order.lines._redeem_otp_tax_ratio(order)
        slack = order.currency_id.rounding + policy.EPSILON * 10
        taken = max(-self.price_subtotal, 0.0)
        taxed = max(-self.price_subtotal_incl, 0.0)
        if taken - value > policy.EPSILON * 10 or taxed - value * ratio > slack:
            raise UserError(
                self.env._(
                    "%(program)s: the reward line takes %(taken)s for %(points)s "
                    "points, worth %(value)s.",
                    program=program.name,
                    taken=order.currency_id.format(max(taken, taxed)),
                    points=self.points_cost,
                    value=order.currency_id.format(value),
                )
            )

    def _redeem_otp_tax_ratio(self, order):
        """The highest tax-included to untaxed ratio among these lines' priced
        sales, through their products' own taxes as the order's fiscal
        position maps them. Not the lines' amounts nor their taxes: both
        are the cashier's (a pin of 0.01 untaxed, 1.00 taxed, review 34; a
        0.00 pin bearing every tax of the company, review 35)."""
        ratio = 1.0
        fiscal = order.fiscal_position_id.sudo()
        config = order.config_id.sudo()
        if fiscal and fiscal not in (
            config.default_fiscal_position_id | config.fiscal_position_ids
        ):
            # The payload names it: the till offers its own only (review 37).
            raise UserError(
                self.env._("This order's fiscal position is not offered at this till.")
            )
        sales = self.filtered(
            lambda line: not line.reward_id and line.price_subtotal_incl > 0
        )
        for product in sales.product_id.sudo():
            taxes = product.taxes_id._filter_taxes_by_company(order.company_id)
            hundred = fiscal.map_tax(taxes).compute_all(
                100.0, order.currency_id, handle_price_include=False
            )
            ratio = max(ratio, hundred["total_included"] / 100.0)
        return ratio

    def _redeem_otp_combos(self):
        """These sale lines as sold, a combo with its items as one sale:
        {line: value charged, tax included}.

        A line counts with its combo only as one of that combo's items: the
        sync's combo links are the cashier's (a top-up made an "item" of a
        pin would price the free pin at 301.00). And what is charged, not
        the price before the line's own discount, which is the cashier's
        too (a 300.00 pin at 99.99% off).
        """
        sales = {}
        for line in self:
            head = line.combo_parent_id
            if (
                not head
                or line.product_id
                not in head.product_id.sudo().combo_ids.combo_item_ids.product_id
            ):
                head = line
            sales[head] = sales.get(head, 0.0) + line.price_subtotal_incl
        return sales

    def _redeem_otp_take_back(self, card):
        """Points these refund lines take back from `card` of what the
        refunded orders' own points call added to it: what all their refunds
        take back with these lines, less what they took back before them
        (`policy.earned_back`), so that refunds one after the other take
        back what one refund of it all would.

        A top-up sold with a service and refunded alone takes back all of
        its credit; the service refunded alone, none of it.
        """
        take_back = 0.0
        refunds = self.filtered("refunded_orderline_id")
        program = card.program_id.sudo()
        for origin, mine in refunds.grouped(
            lambda line: line.refunded_orderline_id.order_id.sudo()
        ).items():
            # Earned, not what was left once the order's rewards were spent.
            gained = payloads.per_card(origin.redeem_otp_points_earned).get(
                card.id, 0.0
            )
            if gained <= 0:
                continue
            # What the origin earned is its new lines' (an exchange's own
            # refund lines were settled with the sale they refund, review 48).
            earning = program._redeem_otp_earning_lines(
                origin.lines.filtered(lambda line: not line.refunded_orderline_id)
            )
            paid = sum(earning.mapped("price_subtotal_incl"))
            before = {
                line: program._redeem_otp_refunded_since(line, excluding=mine.order_id)
                for line in origin.lines
            }
            after = dict(before)
            for line in mine:
                qty, money = after.get(line.refunded_orderline_id, (0.0, 0.0))
                after[line.refunded_orderline_id] = (
                    qty + line.qty,
                    money + line.price_subtotal_incl,
                )

            def taken(back, earning=earning, paid=paid, gained=gained, origin=origin):
                refunded = -sum(back[line][1] for line in earning if line in back)
                return policy.earned_back(
                    gained,
                    paid,
                    refunded,
                    program._redeem_otp_earn_bound(origin, back, new_only=True),
                )

            take_back += max(taken(after) - taken(before), 0.0)
        return take_back

    def _redeem_otp_given_back(self, card):
        """Points these refund lines give back to `card`: what the refunded
        reward lines took from it (the sale's allowance once its points call
        took it again, else what its sync holds for them), in proportion to what is
        refunded of them. A reward paid by the sale's own earnings on an empty
        card, or on no card, took nothing from the card: its refund gives
        nothing back."""
        given = 0.0
        refunds = self.filtered(
            lambda line: (
                line.refunded_orderline_id.reward_id
                and line.refunded_orderline_id.coupon_id == card
                and line.refunded_orderline_id.points_cost > 0
            )
        )
        for origin, lines in refunds.grouped(
            lambda line: line.refunded_orderline_id.order_id.sudo()
        ).items():
            spent = payloads.per_card(origin.redeem_otp_allowance).get(card.id, 0.0)
            if origin.redeem_otp_points_moved:
                took = spent
            else:
                # The hold of a sale that is itself a refund holds what it
                # takes back as well: only its spend is the rewards' (a 1.00
                # reward gave back a 100.00 top-up's take-back, review 41).
                held = payloads.per_card(origin.redeem_otp_taken_back)
                taken_back = max(-origin.lines._redeem_otp_refund_net(card), 0.0)
                took = max(min(held.get(card.id, 0.0) - taken_back, spent), 0.0)
            cost = sum(
                line.points_cost
                for line in origin.lines
                if line.reward_id and line.coupon_id == card and line.points_cost > 0
            )
            refunded = sum(
                line.refunded_orderline_id.points_cost
                * min(abs(line.qty / (line.refunded_orderline_id.qty or 1.0)), 1.0)
                for line in lines
            )
            given += policy.share(took, refunded, cost)
        return given

    def _redeem_otp_refund_net(self, card):
        """What these refund lines give back to `card` less what they take back:
        above zero, a give-back the points call may add; below, a take-back
        the sync holds (a sale whose earnings paid its reward, refunded, none)."""
        given = self._redeem_otp_given_back(card)
        return round(given - self._redeem_otp_take_back(card), 2)

    def _redeem_otp_check_take_back(self, card, order, new_left=None):
        """The net take-back from `card` of this refund, refused where it would
        be a spend without the guest's code: credit of another guest's card
        (cash for their balance), a protected balance turned into cash by a
        cashier (a manager refunds it: credit bought, prepaid points, points
        a sale earned), or points the card no longer holds. A gift card is
        the bearer's: whoever holds it gives back."""
        take_back = max(-self._redeem_otp_refund_net(card), 0.0)
        # What the guest loses of it: an exchange's new service earns again
        # what the refunded one had (the points call settles the rest), once
        # for all the program's cards (`new_left`: {program: what is left}).
        new_left = {} if new_left is None else new_left
        lost = 0.0
        if take_back:
            program = card.program_id
            if program not in new_left:
                new_left[program] = program._redeem_otp_earnings(order, settle=True)
            covered = 0.0
            if card._redeem_otp_may_earn(order):
                covered = min(max(new_left[program], 0.0), take_back)
            new_left[program] -= covered
            lost = take_back - covered
        if lost <= policy.EPSILON or card.program_id.program_type == "gift_card":
            pass
        elif card.partner_id != order.partner_id:
            disclosure.check_may_name(card, card.partner_id)
            raise UserError(
                self.env._(
                    "This refund takes back credit from %(holder)s's card "
                    "%(code)s: refund it in their name.",
                    holder=card.partner_id.display_name or self.env._("nobody"),
                    code=card.code,
                )
            )
        elif card._redeem_otp_unvouched(order):
            # Whatever the center or the program says, as for a spend: a
            # dormant card's old top-up refunded in cash (review 40).
            disclosure.check_may_name(card)
            raise UserError(
                self.env._(
                    "This refund turns %(points)s of credit of %(code)s, a dormant "
                    "or expired card, into cash: a Point of Sale manager refunds it.",
                    points=take_back,
                    code=card.code,
                )
            )
        elif card.program_id._redeem_otp_protected() and self._redeem_otp_under_lock(
            order
        ):
            disclosure.check_may_name(card)
            raise UserError(
                self.env._(
                    "This refund turns %(points)s of credit of %(code)s into cash: "
                    "a Point of Sale manager refunds it.",
                    points=take_back,
                    code=card.code,
                )
            )
        if card.points + policy.EPSILON < take_back:
            if self.env.user._redeem_otp_is_manager():
                # Spent since: a manager refunds the service all the same,
                # and the card gives back what it still holds (review 47).
                return max(card.points, 0.0)
            disclosure.check_may_name(card)
            raise UserError(
                self.env._(
                    "The card %(code)s no longer holds the %(points)s points "
                    "this refund takes back: a Point of Sale manager must "
                    "refund it.",
                    code=card.code,
                    points=take_back,
                )
            )
        return take_back

    def _redeem_otp_check_refunds(self):
        """A refund line gives back at most what its line was sold for, once.

        Stock trusts the POS here: a refund line priced above the line it
        refunds, or the same line refunded again and again, would pay for
        credit (a refund to e-wallet) or give spent points back. A refunded
        reward line gives its points back only with its discount repaid.

        A membership given back is a manager's to refund: the membership line
        it made stays paid, and with it the guest's members-only benefits.
        """
        given_back = self.filtered(lambda line: line.qty < 0)
        products = given_back.product_id | given_back.refunded_orderline_id.product_id
        if (
            products.sudo().filtered("membership")
            and not self.env.user._redeem_otp_is_membership_manager()
        ):
            raise UserError(
                self.env._(
                    "A membership is refunded by a Point of Sale manager, who ends "
                    "the guest's membership with it."
                )
            )
        # Two refunds of one line at once would each count only the other
        # refunds already saved: one request at a time per refunded line.
        turns.take_turn(self.env.cr, self.refunded_orderline_id.sudo())
        for line in self.filtered("refunded_orderline_id"):
            origin = line.refunded_orderline_id.sudo()
            if origin.order_id.state not in policy.PAID_STATES or not origin.qty:
                raise UserError(
                    self.env._("Only a paid order's lines can be refunded.")
                )
            if origin.order_id.company_id != line.order_id.company_id:
                # Another company's till would judge it by its own rules.
                raise UserError(
                    self.env._("A sale is refunded at a till of its own company.")
                )
            if (line.product_id, line.reward_id) != (
                origin.product_id,
                origin.reward_id,
            ) or (line.coupon_id and line.coupon_id != origin.coupon_id):
                # Each check reads a refund line by what it says it is: a
                # service's refund named a reward owed no credit (review 32).
                raise UserError(
                    self.env._(
                        "%(product)s: a refund line is its line as sold, with "
                        "the same product, reward and card.",
                        product=origin.product_id.display_name,
                    )
                )
            # Paid refunds, and the other lines of this very refund (a draft
            # while it is checked): one line refunded twice in one order.
            others = self.sudo().search(
                [
                    ("refunded_orderline_id", "=", origin.id),
                    ("id", "!=", line.id),
                    "|",
                    ("order_id.state", "in", policy.PAID_STATES),
                    ("order_id", "=", line.order_id.id),
                ]
            )
            refunded = -sum(others.mapped("qty")) - line.qty
            if line.qty >= 0 or refunded - origin.qty > policy.EPSILON:
                raise UserError(
                    self.env._(
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
                    raise UserError(
                        self.env._("A refunded reward must repay its discount.")
                    )
            elif given - expected > policy.EPSILON * 10:
                raise UserError(
                    self.env._(
                        "%(product)s: the refund gives back more than it was sold for.",
                        product=origin.product_id.display_name,
                    )
                )
        self._redeem_otp_check_credit_refund(self.order_id[:1])

    def _redeem_otp_under_lock(self, order):
        """Whether a cashier's refund by these lines is the lock's: where the
        refund's center or a refunded sale's center asks codes (a till that
        asks none refunds another center's credit-paid sale too)."""
        return self.env.user._redeem_otp_is_cashier() and any(
            config._redeem_otp_active()
            for config in order.config_id
            | self.refunded_orderline_id.order_id.sudo().config_id
        )

    def _redeem_otp_check_credit_refund(self, order):
        """A sale paid in part with a protected balance is refunded in money
        only for the part paid in money; its credit goes back onto the
        guest's cards in the same refund, in their name (its reward lines
        refunded with it, or the till's refund to e-wallet: a top-up line),
        else a manager refunds it. A 200.00 service paid with 100.00 of
        credit, refunded alone in cash, turned the guest's credit into cash
        (reviews 29, 30)."""
        refunded = self.refunded_orderline_id.sudo()
        if not refunded or not self._redeem_otp_under_lock(order):
            return
        topups = (
            self.env["loyalty.program"]
            .sudo()
            .search(
                [
                    ("program_type", "=", "ewallet"),
                    ("trigger_product_ids", "in", refunded.product_id.ids),
                    # Stock's default top-up product is every company's.
                    *self.env["loyalty.program"]._redeem_otp_company_domain(
                        order.company_id
                    ),
                ]
            )
            ._redeem_otp_protected()
        )
        if topups:
            # Credit sold, or a refund's credit given back: a manager pays it
            # out, whether or not the points call put it on a card (review 32).
            raise UserError(
                self.env._(
                    "A top-up of %(program)s is refunded by a Point of Sale manager.",
                    program=topups[0].name,
                )
            )
        owed = 0.0
        rounding = order.currency_id.rounding
        sales = self.filtered(lambda ln: ln.refunded_orderline_id and not ln.reward_id)
        for origin, lines in sales.grouped(
            lambda ln: ln.refunded_orderline_id.order_id.sudo()
        ).items():
            sold = origin.lines.filtered(lambda ln: not ln.reward_id)
            share = policy.share(
                origin.lines._redeem_otp_credit_paid(),
                -sum(lines.mapped("price_subtotal_incl")),
                sum(sold.mapped("price_subtotal_incl")),
            )
            if share > rounding and origin.partner_id != order.partner_id:
                disclosure.check_may_name(origin.partner_id)
                raise UserError(
                    self.env._(
                        "This sale was paid in part with %(guest)s's credit: refund "
                        "it in their name.",
                        guest=origin.partner_id.display_name,
                    )
                )
            owed += share
        if owed <= rounding:
            return
        back = self.sudo()._redeem_otp_credit_back(order)
        if owed - back > order._redeem_otp_slack() + rounding / 2:
            raise UserError(
                self.env._(
                    "%(amount)s of this refund was paid with the guest's credit: "
                    "give it back onto their card (refund the reward with it, or "
                    "refund to eWallet), or a Point of Sale manager refunds it.",
                    amount=order.currency_id.format(owed - back),
                )
            )

    def _redeem_otp_credit_paid(self):
        """The money these lines of a sale took from protected balances."""
        spent = self.filtered(
            lambda ln: ln.reward_id and ln.coupon_id and ln.points_cost > 0
        )
        protected = spent.reward_id.program_id._redeem_otp_protected()
        return -sum(
            spent.filtered(lambda ln: ln.reward_id.program_id in protected).mapped(
                "price_subtotal_incl"
            )
        )

    def _redeem_otp_credit_back(self, order):
        """What these lines of a refund put back onto protected balances of
        its guest: protected reward lines refunded (their discount repaid),
        and top-ups of a protected e-wallet of the order's company, net of
        any new line giving a top-up back. The points call credits a top-up to
        the guest's own card only (loyalty.card `_redeem_otp_earn_bound`)."""
        wallets = (
            order.config_id._get_program_ids()
            .filtered(
                lambda p: (
                    p.program_type == "ewallet"
                    and p.company_id in (order.company_id, p.company_id.browse())
                )
            )
            ._redeem_otp_protected()
        )
        rewards = self.filtered(
            lambda ln: (
                ln.reward_id
                and ln.refunded_orderline_id
                and ln.coupon_id.partner_id == order.partner_id
                and ln.reward_id.program_id._redeem_otp_protected()
            )
        )
        topups = self.filtered(
            lambda ln: (
                not ln.reward_id
                and not ln.refunded_orderline_id  # a top-up refunded is a sale refunded
                and ln.product_id in wallets.trigger_product_ids
            )
        )
        return sum((rewards | topups).mapped("price_subtotal_incl"))
