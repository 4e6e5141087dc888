# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..tools import disclosure, payloads, policy, turns


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    redeem_otp_required = fields.Boolean(
        string="Redemption code required",
        compute="_compute_redeem_otp_required",
        store=True,
        readonly=False,
        precompute=True,
        help="Spending this program's balances at the POS needs the guest's "
        "one-time code. Gift cards are bearer cards and are never protected.",
    )
    redeem_otp_membership_only = fields.Boolean(
        string="Membership benefit",
        help="Only guests with a paid or free membership may use it, and "
        "using it needs their one-time code.",
    )

    @api.depends("program_type")
    def _compute_redeem_otp_required(self):
        for program in self:
            program.redeem_otp_required = policy.default_protection(
                program.program_type
            )

    @api.constrains("redeem_otp_required", "redeem_otp_membership_only", "program_type")
    def _check_redeem_otp_gift_card(self):
        for program in self:
            if program.program_type in policy.NEVER_PROTECTED and (
                program.redeem_otp_required or program.redeem_otp_membership_only
            ):
                raise ValidationError(
                    self.env._(
                        "Gift cards are never protected by a redemption code: "
                        "whoever holds the card may spend it (%(program)s).",
                        program=program.name,
                    )
                )

    def _redeem_otp_protected(self):
        """Programs whose redemption needs a code, whatever the center says."""
        return self.filtered(
            lambda p: (
                p.program_type not in policy.NEVER_PROTECTED
                and (p.redeem_otp_required or p.redeem_otp_membership_only)
            )
        )

    def _redeem_otp_refuse_ended(self, company):
        """Raise a UserError when one of these programs is archived, or not
        running today where the salon is (before its start, after its end):
        stock's till no longer loads it, and nothing spends its points."""
        for program in self._redeem_otp_not_running(company):
            disclosure.check_may_name(program)
            raise UserError(
                self.env._(
                    "%(program)s has ended: its points can no longer be spent.",
                    program=program.name,
                )
            )

    def _redeem_otp_not_running(self, company):
        """Those of these programs archived, or not running today where the
        salon is (before their start, after their end)."""
        programs = self.sudo().with_context(active_test=False)
        if not programs:
            return programs
        today = company._redeem_otp_today()
        return programs.filtered(
            lambda program: (
                not program.active
                or (program.date_from and program.date_from > today)
                or (program.date_to and program.date_to < today)
            )
        )

    def _redeem_otp_refusal(self, order, offered=None):
        """Why stock's till would not apply these programs' rewards to
        `order` (not offered there, `_redeem_otp_offered`; not with its
        pricelist; used up, the order itself counted at sync), or None. One
        query, but for programs with a usage limit. `offered`: what
        `_redeem_otp_offered` gave for the order's till and pricelist."""
        programs = self.sudo()
        if not programs:
            return None
        config = order.config_id.sudo()
        if order.pricelist_id != order._redeem_otp_pricelist():
            # The payload names it: one the till does not offer unlocked its
            # promotions (review 37).
            return self.env._("This order's pricelist is not offered at this till.")
        if offered is None:
            offered = programs._redeem_otp_offered(config, order.pricelist_id)
        for program in programs - offered:
            disclosure.check_may_name(program)
            if program in programs._redeem_otp_offered(order.config_id):
                return self.env._(
                    "%(program)s is not offered with this pricelist.",
                    program=program.name,
                )
            return self.env._(
                "%(program)s is not offered at this point of sale.",
                program=program.name,
            )
        limited = offered.filtered("limit_usage")
        # Counted one order at a time: two syncs at once each saw only their
        # own order, and both passed a limit of one (review 37).
        turns.take_turn(self.env.cr, limited)
        for program in limited:
            if program._redeem_otp_used_up(order, spending=True):
                disclosure.check_may_name(program)
                return self.env._(
                    "%(program)s has reached its usage limit.", program=program.name
                )
        return None

    def _redeem_otp_used_up(self, order, spending=False):
        """Whether this program's usage limit is reached without `order`
        (stock's till applies it no more), or passed with it when it is
        `spending` the program's rewards. Counted afresh: stock's count is a
        computed field that stays in the cache, and one sync call saves
        several orders (review 38)."""
        program = self.sudo()
        if not program.limit_usage:
            return False
        program.invalidate_recordset(["pos_order_count", "total_order_count"])
        counted = program.total_order_count
        if spending:
            return counted > program.max_usage
        own = any(line.reward_id.program_id == program for line in order.lines)
        return counted - own >= program.max_usage

    @api.model
    def _redeem_otp_company_domain(self, company):
        """The programs a till of `company` may run: stock's till searches them
        as the cashier, under the programs' multi-company rule (its own
        company's, its parents', or no company's); the server's checks read
        them as the server."""
        return [
            "|",
            ("company_id", "=", False),
            ("company_id", "parent_of", company.ids),
        ]

    def _redeem_otp_offered(self, config, pricelist=None):
        """Those of these programs the till of `config` runs today: stock's
        `_get_program_ids` (active, for the POS, at this center or all),
        within their dates where the salon is, and for `pricelist` if given.
        One query, which also reads the programs it finds (as reading any
        of their fields would)."""
        if not self:
            return self.sudo()
        domain = [
            ("id", "in", self.ids),
            ("pos_ok", "=", True),
            "|",
            ("pos_config_ids", "=", False),
            ("pos_config_ids", "in", config.ids),
            *self._redeem_otp_company_domain(config.company_id),
        ]
        if pricelist is not None:
            domain += [
                "|",
                ("pricelist_ids", "=", False),
                ("pricelist_ids", "in", pricelist.ids),
            ]
        names = [
            name
            for name, field in self._fields.items()
            if field.prefetch is True and field.store and field.column_type
        ]
        offered = self.sudo().search_fetch(domain, names)
        return offered - offered._redeem_otp_not_running(config.company_id)

    def _redeem_otp_point_values(self):
        """{program id: what one point is worth, or None}: priced when the
        program says so (one reward, a per-point one), archived rewards counted.

        One query for all the programs, not two per program.
        """
        rewards = (
            self.env["loyalty.reward"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("program_id", "in", self.ids)],
                ["program_id", "reward_type", "discount_mode", "discount"],
            )
        )
        values = {}
        for program in self:
            own = rewards.filtered(lambda reward, p=program: reward.program_id == p)
            if len(own) != 1 or own.reward_type != "discount":
                values[program.id] = None
            else:
                values[program.id] = policy.reward_value(
                    own.discount_mode, own.discount, 1.0
                )
        return values

    def _redeem_otp_earnings(self, order, settle=False):
        """The most points this program's rules give for the order's sale lines,
        never more than was paid for them; none where the order's till does not
        run the program (another center's, one not started or ended), which
        stock's POS never credits (review 36)."""
        self.ensure_one()
        program = self.sudo()
        if program not in program._redeem_otp_offered(
            order.config_id, order._redeem_otp_pricelist()
        ) or program._redeem_otp_used_up(order):
            return 0.0
        return program._redeem_otp_earn_bound(order, new_only=settle, settle=settle)

    def _redeem_otp_earn_bound(self, order, back=None, new_only=False, settle=False):
        """What the rules give for the order's sale lines once `back` of them
        is refunded ({line: (quantity, money)}, both negative; by default what
        other paid orders refunded since: a sale refunded before its own
        points call earns nothing by it). `new_only`: the lines the order
        sells, not those it refunds (what an exchange's new service earns);
        `settle`: of those, what may settle a refund's take-back."""
        self.ensure_one()
        program = self.sudo()
        sales = order.lines.filtered(
            lambda line: (
                not line.reward_id and not (new_only and line.refunded_orderline_id)
            )
        )
        if settle:
            # A gift card or a top-up sold in an exchange is the refunded
            # money kept as stored value, which earns when it is spent: it
            # settles no take-back (review 49).
            stored = (
                self.env["loyalty.program"]
                .sudo()
                .search(
                    [
                        ("program_type", "in", ("gift_card", "ewallet")),
                        ("trigger_product_ids", "in", sales.product_id.ids),
                    ]
                )
                .trigger_product_ids
            )
            sales = sales.filtered(lambda line: line.product_id not in stored)
        if back is None:
            back = {line: self._redeem_otp_refunded_since(line) for line in sales}
        back = {line: back.get(line, (0.0, 0.0)) for line in sales}
        # What the guest paid for: the sale lines, where a negative line
        # cancels a positive one; a real refund's lines (goods given back)
        # may pay for credit, as pos_loyalty's refund to e-wallet does. Never
        # more than the order's total says was paid for them (within its
        # rounding): its lines are the cashier's figures, the total is what
        # the payments must match. What a cashier put on the guest's account
        # is a debt, not money paid (`pos.order._redeem_otp_on_account`).
        paid = min(
            sum(
                line.price_subtotal_incl + back[line][1]
                for line in sales
                if not line.refunded_orderline_id
            ),
            order.amount_total
            - order._redeem_otp_on_account()
            + sum(money for _qty, money in back.values())
            - sum(line.price_subtotal_incl for line in order.lines if line.reward_id)
            # A refunded line pays for what the order sells only as far as its
            # sale was paid: not what a cashier put on account (review 49).
            - sum(
                line.price_subtotal_incl
                * line.refunded_orderline_id.order_id.sudo()._redeem_otp_paid_ratio()
                for line in order.lines
                if line.refunded_orderline_id and not line.reward_id
            )
            + order._redeem_otp_slack(),
        )
        # A money rule on any product counts other programs' discounts and
        # free products as pos_loyalty does: they lower what earns (units
        # and visits are counted, not netted, review 47). Only credit
        # spent (e-wallet, gift card) and the program's own rewards do not
        # (review 42: a 10% promotion earned points on the 10%).
        discounts = sum(
            line.price_subtotal_incl
            for line in order.lines
            if line.reward_id
            and line.reward_id.sudo().program_id != program
            and line.reward_id.sudo().program_id.program_type
            not in ("gift_card", "ewallet")
        )
        rules = []
        for rule in program.rule_ids:
            domain = rule._get_valid_product_domain()
            valid = None
            if domain:
                valid = set(
                    self.env["product.product"]
                    .sudo()
                    .search(
                        expression.AND([domain, [("id", "in", sales.product_id.ids)]])
                    )
                    .ids
                )
            rules.append(
                {
                    "mode": rule.reward_point_mode,
                    "amount": rule.reward_point_amount,
                    "product_ids": valid,
                    "minimum_amount": rule.minimum_amount,
                    "minimum_qty": rule.minimum_qty,
                    "minimum_tax_excluded": rule.minimum_amount_tax_mode == "excl",
                    **(
                        {"paid": paid + discounts}
                        if valid is None and rule.reward_point_mode == "money"
                        else {}
                    ),
                }
            )
        # A combo's own line (priced 0.00) is a unit as stock counts it, paid
        # by its genuine items (review 47).
        combos = sales._redeem_otp_combos()
        return policy.earn_bound(
            rules,
            [
                {
                    "product_id": line.product_id.id,
                    "unit_price": combos.get(line, line.price_subtotal_incl)
                    + back[line][1],
                    "qty": line.qty + back[line][0],
                    "price": line.price_subtotal_incl + back[line][1],
                    # Refunded money is netted before tax in the line's ratio.
                    "price_excl": line.price_subtotal
                    * (
                        (line.price_subtotal_incl + back[line][1])
                        / line.price_subtotal_incl
                        if line.price_subtotal_incl
                        else 1.0
                    ),
                    "list_price": line.product_id.lst_price,
                }
                for line in sales
            ],
            paid=paid,
        )

    @api.model
    def _redeem_otp_refunded_since(self, line, excluding=None):
        """(quantity, money) that other, paid orders (not `excluding`) refunded
        of `line`: both negative, or nothing."""
        refunds = line.sudo().refund_orderline_ids.filtered(
            lambda ref: (
                ref.order_id != line.order_id
                and ref.order_id not in (excluding or ref.order_id.browse())
                and ref.order_id.state in policy.PAID_STATES
            )
        )
        return sum(refunds.mapped("qty")), sum(refunds.mapped("price_subtotal_incl"))

    def _redeem_otp_check_earned(self, order, gained):
        """An order's earnings are credited once, however many cards they go to:
        a 50.00 top-up credits one e-wallet, not three (`gained`: {card: points}
        of this program's cards)."""
        self.ensure_one()
        bound = (
            self._redeem_otp_earnings(order)
            + sum(max(order.lines._redeem_otp_refund_net(c), 0.0) for c in gained)
            - self._redeem_otp_cardless(order)
        )
        if self.sudo().company_id not in (order.company_id, self.company_id.browse()):
            bound = 0.0  # another salon's credit is not earned at this till
        total = sum(gained.values())
        if total - bound > policy.EPSILON:
            disclosure.check_may_name(self)
            raise UserError(
                self.env._(
                    "This order earns at most %(bound)s points of %(program)s, "
                    "not %(asked)s.",
                    bound=bound,
                    program=self.sudo().name,
                    asked=total,
                )
            )

    @api.model
    def _redeem_otp_check_cardless(self, lines, order):
        """Without a card, only points this very order earns (a card the order
        creates, a promotion's points) pay for rewards (`lines`, the order's
        reward lines), all lines of a program together: a 10.00 promotion
        claimed thirty times, or by thirty lines of its one point, pays a
        top-up. A program of the order's own points (a promotion, buy x get
        y, a promo code) is spent from this order's points even on a card: a
        card keeping them is no bank of other orders' unclaimed points
        (review 33)."""
        cardless = lines.filtered(
            lambda line: (
                line.points_cost > 0
                and (
                    not line.coupon_id
                    or line.reward_id.program_id.sudo()._redeem_otp_order_points()
                )
            )
        )
        for program, claimed in cardless.grouped(
            lambda line: line.reward_id.program_id
        ).items():
            program = program.sudo()
            spent = sum(claimed.mapped("points_cost"))
            if spent - program._redeem_otp_spendable_earnings(order) > policy.EPSILON:
                raise UserError(
                    self.env._(
                        "%(program)s is spent from a card: choose the guest's card.",
                        program=program.name,
                    )
                )

    def _redeem_otp_order_points(self):
        """Whether this program's points are the order's own: a promotion, buy
        x get y or promo code for the current order (not one that gives
        points for the next order, nor coupons, whose cards keep theirs)."""
        self.ensure_one()
        return (
            self.applies_on == "current"
            and self.program_type in policy.ORDER_POINTS_TYPES
        )

    def _redeem_otp_cardless(self, order):
        """Points of this program the order's reward lines spent with no card at
        sync: paid by what the order earns (`pos.order.line`'s card-less
        check), they are not earned again by a card. Read against what the
        sync accepted (its allowance), as the points call may give the lines
        a card."""
        self.ensure_one()
        spent = sum(
            line.points_cost
            for line in order.lines
            if line.reward_id.program_id == self
            and line.points_cost > 0
            and not line.refunded_orderline_id
        )
        allowance = payloads.per_card(order.sudo().redeem_otp_allowance)
        cards = self.env["loyalty.card"].sudo().browse(list(allowance))
        on_cards = sum(allowance[card.id] for card in cards if card.program_id == self)
        return max(spent - on_cards, 0.0)

    def _redeem_otp_earning_lines(self, lines):
        """The sale lines among `lines` that some rule of this program counts."""
        self.ensure_one()
        sales = lines.filtered(lambda line: not line.reward_id)
        earning = sales.browse()
        for rule in self.sudo().rule_ids:
            domain = rule._get_valid_product_domain()
            if not domain:
                return sales
            valid = (
                self.env["product.product"]
                .sudo()
                .search(expression.AND([domain, [("id", "in", sales.product_id.ids)]]))
            )
            earning |= sales.filtered(lambda line, v=valid: line.product_id in v)
        return earning

    def _redeem_otp_spendable_earnings(self, order):
        """Points the order earns that it may spend at once: only where the
        program applies to the current order too, as pos_loyalty counts them."""
        self.ensure_one()
        if self.sudo().applies_on == "future":
            return 0.0
        return self._redeem_otp_earnings(order)

    @api.model
    def _redeem_otp_summary(self, lines, company):
        """What the guest is told the code authorizes, its money and its points.

        Never cut unsaid: past the length a message holds, the last parts
        give way to "and N more", and with more than one part the total
        closes the text, so a code message always tells the whole spend.
        """
        programs = self.sudo().browse([line["program_id"] for line in lines])
        names = {program.id: program.name for program in programs}
        currency = company.currency_id

        def money(amount):
            return currency.format(amount) if currency else amount

        amount = sum(line["amount"] for line in lines)
        points = sum(line["points"] for line in lines)
        parts, told, unpriced = [], 0.0, 0.0
        for line in lines:
            name = names.get(line["program_id"], "")
            # Points with no price are told as points: the line's price says
            # nothing of what they are worth to the guest.
            if line["amount"] and line.get("priced", True):
                told += line["amount"]
                parts.append(
                    self.env._(
                        "%(amount)s of %(program)s",
                        amount=money(line["amount"]),
                        program=name,
                    )
                )
            else:
                unpriced += line["points"]
                parts.append(
                    self.env._(
                        "%(points)s points of %(program)s",
                        points=line["points"],
                        program=name,
                    )
                )
        tail = ""
        if len(parts) > 1:
            total = [money(told)] if told else []
            total += (
                [self.env._("%(points)s points", points=unpriced)] if unpriced else []
            )
            tail = self.env._(" (in all: %(total)s)", total=" + ".join(map(str, total)))
        shown = list(parts)
        while len(shown) > 1 and len(self._redeem_otp_join(shown, parts, tail)) > 250:
            shown.pop()
        return self._redeem_otp_join(shown, parts, tail), amount, points

    @api.model
    def _redeem_otp_join(self, shown, parts, tail):
        more = len(parts) - len(shown)
        text = ", ".join(shown)
        if more:
            text = self.env._("%(text)s and %(count)s more", text=text, count=more)
        return text + tail

    @api.model
    def _load_pos_data_fields(self, config_id):
        return [
            *super()._load_pos_data_fields(config_id),
            "redeem_otp_required",
            "redeem_otp_membership_only",
        ]
