# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools import disclosure, payloads, policy, trusted

_logger = logging.getLogger(__name__)

# What a balance is: who holds it, how much, of what, until when. A cashier
# changes these only through a redemption the server checked.
GUARDED_FIELDS = ("points", "partner_id", "program_id", "expiration_date", "active")
# Also the company (its dormancy rule is the card's), the code the guest
# holds, and the order the card is taken to be new for.
SERVER_FIELDS = (*GUARDED_FIELDS, "company_id", "code", "source_pos_order_id")
# Holds and give-backs: stock's points call tracks and mails the real change.
QUIET = {"tracking_disable": True, "loyalty_no_mail": True}


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    redeem_otp_challenge_count = fields.Integer(
        string="Redemption authorizations",
        compute="_compute_redeem_otp_challenge_count",
        groups="point_of_sale.group_pos_manager",
    )

    def _compute_redeem_otp_challenge_count(self):
        counts = self.env["salon.otp.challenge"]._redeem_otp_counts("card_ids", self)
        for card in self:
            card.redeem_otp_challenge_count = counts.get(card, 0)

    @api.model
    def default_get(self, fields_list):
        return trusted.own_defaults(
            self, super().default_get(fields_list), SERVER_FIELDS
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "points" in vals:
                vals["points"] = self._redeem_otp_points_value(vals["points"])
        return super().create(vals_list)

    def write(self, vals):
        """POS users may write cards (pos_loyalty's access rights), but not spend them.

        A cashier changes no card's balance, holder, program, expiry or
        active flag outside the points RPC the server checked; a manager's
        change is logged. The user is the real one even under sudo(): stock
        code writes cards with sudo() on the cashier's behalf.
        """
        if "points" in vals:
            vals = dict(vals, points=self._redeem_otp_points_value(vals["points"]))
        if not trusted.is_marked(self.env):
            self._redeem_otp_guard_write(vals)
        return super().write(vals)

    @api.model
    def _redeem_otp_points_value(self, value):
        try:
            return payloads.number(value or 0.0, what="points")
        except payloads.PayloadError as exc:
            raise ValidationError(
                self.env._(
                    "A card's balance must be a finite number (%(why)s).", why=exc
                )
            ) from None

    def _redeem_otp_guard_write(self, vals):
        changed = [name for name in SERVER_FIELDS if name in vals]
        if not changed or not self:
            return
        user = self.env.user
        if user._redeem_otp_is_cashier():
            disclosure.check_may_name(self)
            raise AccessError(
                self.env._(
                    "Only a Point of Sale manager can change the balance, holder, "
                    "program, company, code, expiry or status of %(card)s; at the "
                    "till, spend it with the guest's code.",
                    card=self[:1].sudo().code,
                )
            )
        for card in self.sudo():
            _logger.info(
                "Card %s changed outside the POS by %s: %s",
                card.id,
                user.login,
                {name: (str(card[name]), str(vals[name])) for name in changed},
            )

    # -- Facts the policy reads -----------------------------------------
    def _redeem_otp_expired(self, company):
        """Cards past their expiration date where the salon is."""
        cards = self.sudo().filtered("expiration_date")
        if not cards:
            return cards  # no date to read: no time zone to look up either
        today = company._redeem_otp_today()
        return cards.filtered(
            lambda card: policy.is_expired(card.expiration_date, today)
        )

    def _redeem_otp_dormant(self, company, now=None):
        """Cards the guest has not vouched for within the delay.

        Activity is a redemption of this card that the guest authorized with
        their own code (the history rows of the order the code was bound to
        that used points of a card the code named: naming a card for nothing
        wakes nothing), dated when the code was used, not when
        the history row was written (the till writes it in a call of its own,
        which a cashier can hold back and make months later), or the card's
        creation. Other history does not count, however real: a cashier can
        make it (a small top-up or sale in the guest's name, even one carrying
        somebody else's verified code) and then spend the card with the
        override code. A dormant card takes the guest's own code. Gift cards
        are bearer cards, with no guest to send a code to: never dormant here.
        The delay is the card's company's, else that of `company`, where it
        is spent (never the user's current company: a cashier's own may be
        another salon's).
        """
        cards = self.sudo().filtered(
            lambda card: card.program_id.program_type not in policy.NEVER_PROTECTED
        )
        if not cards:
            return cards
        now = now or fields.Datetime.now()
        # What the cards' lock of this request read already (see
        # `_redeem_otp_lock_to_hold`), else one query.
        vouched = dict(trusted.vouched_uses(self.env))
        unread = [card_id for card_id in cards.ids if card_id not in vouched]
        if unread:
            self._redeem_otp_flush_vouching()
            vouched.update(
                self.env.execute_query(
                    SQL(
                        "SELECT card.id, %s FROM loyalty_card card WHERE card.id = ANY(%s)",
                        self._redeem_otp_last_vouched_sql(),
                        unread,
                    )
                )
            )
        return cards.filtered(
            lambda card: policy.is_dormant(
                policy.last_activity(card.create_date, [vouched.get(card.id)]),
                now,
                (card.company_id or company).redeem_otp_dormant_days,
            )
        )

    @api.model
    def _redeem_otp_last_vouched_sql(self):
        """When a code of the guest last vouched for `card` (the query's
        alias): the last use of a code bound to an order whose history used
        the card's points, the code naming the card (`_redeem_otp_dormant`).

        Written as one lookup per spend of the card: its history rows from
        their own index (`loyalty.history` `init`), then the order, its code
        and the code's cards by key. As a plain join, PostgreSQL may instead
        scan the card's whole history once per code that named the card:
        18 ms for a card of 143 spends among 10^6 codes, against 0.5 ms.
        """
        return SQL(
            """(SELECT MAX((
                        SELECT challenge.used_at
                          FROM pos_order
                          JOIN salon_otp_challenge challenge
                            ON challenge.id = pos_order.redeem_otp_challenge_id
                           AND challenge.pos_order_id = pos_order.id
                         WHERE pos_order.id = history.order_id
                           AND challenge.method = 'code'
                           AND challenge.state = 'used'
                           AND EXISTS (
                                SELECT FROM loyalty_card_salon_otp_challenge_rel vouched
                                 WHERE vouched.salon_otp_challenge_id = challenge.id
                                   AND vouched.loyalty_card_id = history.card_id)))
                  FROM loyalty_history history
                 WHERE history.card_id = card.id
                   AND history.used > 0
                   AND history.order_model = 'pos.order')"""
        )

    @api.model
    def _redeem_otp_flush_vouching(self):
        """Our pending changes to what `_redeem_otp_last_vouched_sql` reads."""
        self.env["loyalty.history"].flush_model(
            ["card_id", "order_model", "order_id", "used"]
        )
        self.env["pos.order"].flush_model(["redeem_otp_challenge_id"])
        self.env["salon.otp.challenge"].flush_model(
            ["method", "state", "pos_order_id", "card_ids", "used_at"]
        )

    def _redeem_otp_unvouched(self, order):
        """Whether a cashier takes credit off this card for `order` where no
        code of the guest vouches for it: the card dormant, expired or
        archived, or its program ended. A manager may."""
        self.ensure_one()
        if not self.env.user._redeem_otp_is_cashier():
            return False
        card, company = self.sudo(), order.company_id
        return bool(
            not card.active
            or card._redeem_otp_expired(company)
            or card.program_id._redeem_otp_not_running(company)
            or card._redeem_otp_dormant(company)
        )

    def _redeem_otp_refuse_unspendable(self, company, where, order=None):
        """Raise a UserError when one of these cards is archived or past its expiration date.

        An archived card is a balance the salon voided: the POS does not
        load it, and no order spends it either.
        """
        cards = self.sudo()
        cards.program_id._redeem_otp_refuse_ended(company)
        void = cards.filtered(
            lambda card: not card.active
        ) or cards._redeem_otp_expired(company)
        if not void:
            return
        card = void[0]
        # The refused sync or RPC is rolled back: the log is the record.
        _logger.warning(
            "Redemption of %s card %s (expiry %s) refused at %s: order %s, user %s",
            "expired" if card.active else "archived",
            card.id,
            card.expiration_date,
            where,
            order and order.uuid,
            self.env.user.login,
        )
        raise UserError(card._redeem_otp_void_message())

    def _redeem_otp_void_message(self):
        """Why this card's balance can no longer be spent: archived, or expired."""
        self.ensure_one()
        disclosure.check_may_name(self)
        if not self.active:
            return self.env._(
                "The card %(code)s (%(program)s) is archived: its balance can no "
                "longer be spent.",
                code=self.code,
                program=self.program_id.name,
            )
        return self.env._(
            "The card %(code)s (%(program)s) expired on %(date)s: its balance can no "
            "longer be spent.",
            code=self.code,
            program=self.program_id.name,
            date=self.expiration_date,
        )

    # -- Balances that move with an order -------------------------------
    def _redeem_otp_lock(self):
        """Row-lock these cards and read their rows; return those that exist.

        See `_redeem_otp_lock_where`.
        """
        if not self:
            return self
        return self._redeem_otp_lock_where(SQL("card.id = ANY(%s)", sorted(self.ids)))

    @api.model
    def _redeem_otp_lock_where(self, condition, extra=None):
        """Row-lock the cards matching `condition` (SQL, on `card`) and return
        them, read by the lock; with `extra` (an SQL expression on `card`),
        also {card id: its value}.

        One query: the cards are locked in id order (two orders never
        deadlock) and the lock returns their plain columns (the guarded ones
        and the rest of the row, which then needs no second read), replacing
        what this transaction had in memory of them. Odoo's transactions are
        REPEATABLE READ: a card another transaction changed since ours began
        cannot be locked (a serialization failure, and the request is
        retried), so from here until commit what we read is the card as it
        is. Not filtered by access rules or `active`: these are the server's
        checks, on every matching row.
        """
        names = [
            name
            for name, field in self._fields.items()
            if field.store
            and field.column_type
            and name != "id"
            and not (field.translate or field.company_dependent)
            and field.type not in ("binary", "json", "properties")
        ]
        self.flush_model()  # our own pending changes reach the rows first
        rows = self.env.execute_query(
            SQL(
                "SELECT %s, %s FROM loyalty_card card WHERE %s"
                " ORDER BY card.id FOR UPDATE OF card",
                SQL(", ").join(SQL.identifier("card", name) for name in ["id", *names]),
                extra or SQL("NULL"),
                condition,
            )
        )
        cards = (
            self.sudo().with_context(active_test=False).browse([row[0] for row in rows])
        )
        for index, name in enumerate(names, start=1):
            self.env.cache.update(
                cards, self._fields[name], [row[index] for row in rows]
            )
        if extra is None:
            return cards
        return cards, {row[0]: row[-1] for row in rows}

    @api.model
    def _redeem_otp_to_hold(self, order, allowance):
        """The cards `_redeem_otp_hold_for` holds points on, and the cards of
        the orders the refund lines refund ({card id})."""
        refunded = set()
        refunds = order.lines.filtered("refunded_orderline_id")
        for origin in refunds.refunded_orderline_id.order_id.sudo():
            earned = payloads.per_card(origin.redeem_otp_points_earned)
            refunded |= {card for card, points in earned.items() if points > 0}
        wanted = {int(key) for key in allowance}
        return self.sudo().browse(sorted(wanted | refunded)), refunded

    @api.model
    def _redeem_otp_lock_to_hold(self, order, allowance):
        """Lock and read the cards `_redeem_otp_hold_for` will hold points on,
        and when a code last vouched for each (`_redeem_otp_dormant`).

        Returns the cards and {card id: last vouched use}.
        """
        cards = self._redeem_otp_to_hold(order, allowance)[0]
        if not cards:
            return cards, {}
        self._redeem_otp_flush_vouching()
        return self._redeem_otp_lock_where(
            SQL("card.id = ANY(%s)", cards.ids), self._redeem_otp_last_vouched_sql()
        )

    @api.model
    def _redeem_otp_hold_for(self, order, allowance, locked=None):
        """Take off the cards, at sync, what the order spends and what its refund takes back.

        pos_loyalty moves points in a second call after the sync, which a
        cashier may simply never make: the discount would be given and the
        card never debited, again and again. So the server holds the points
        here (the reward lines' points, up to what the card holds; and what
        a refund takes back of the credit its refunded orders added), and
        the points call gives them back before applying the POS's own
        figures. Returns the points held per card id (as text keys).
        `locked`: what `_redeem_otp_lock_to_hold` locked and read earlier in
        this request; the cards are locked here unless it holds them all.
        """
        wanted = {int(key): points for key, points in allowance.items()}
        cards, refunded_cards = self._redeem_otp_to_hold(order, allowance)
        if locked is None or cards - locked:
            cards = cards._redeem_otp_lock()
        held, new_left = {}, {}
        for card in cards:
            take_back = 0.0
            if card.id in refunded_cards:
                take_back = order.lines._redeem_otp_check_take_back(
                    card, order, new_left
                )
            # What the card holds pays first; the rest can only come from
            # points this very order earns (checked with the balances).
            spend = min(wanted.get(card.id, 0.0), max(card.points - take_back, 0.0))
            amount = round(take_back + spend, 2)
            if amount > policy.EPSILON:
                trusted.mark(card).with_context(**QUIET).points = card.points - amount
                held[str(card.id)] = amount
        return held

    @api.model
    def _redeem_otp_give_back(self, held, cards=None):
        """Give back what a sync held (see `_redeem_otp_hold_for`).

        `cards`: the cards as the caller already locked and read them (the
        points call's snapshot); otherwise they are locked and read here.
        """
        if cards is None:
            cards = self.browse(sorted(int(key) for key in held))._redeem_otp_lock()
        for card in cards:
            amount = held.get(str(card.id))
            if amount:
                trusted.mark(card).with_context(**QUIET).points = card.points + amount

    @api.model
    def _redeem_otp_check_balances(self, order, lines):
        """No card pays for more than it holds (plus what this very order earns
        on it), `lines` being the order's reward lines.

        The browser checks balances, the server did not: a guest's own code
        could approve more than the card holds, and the card would not be
        debited below zero afterwards.
        """
        spent = {}
        for line in lines.filtered(lambda ln: ln.coupon_id and ln.points_cost > 0):
            card = line.coupon_id.sudo()
            spent[card] = spent.get(card, 0.0) + line.points_cost
        # Checked again as the order becomes paid: what this order's sync
        # already holds is still the card's.
        held = payloads.per_card(order.sudo().redeem_otp_taken_back if order.id else "")
        for card, points in spent.items():
            balance = card.points + held.get(card.id, 0.0)
            if points - balance <= policy.EPSILON:
                continue
            if (
                points - balance - card.program_id._redeem_otp_spendable_earnings(order)
                > policy.EPSILON
            ):
                disclosure.check_may_name(card)
                raise UserError(
                    self.env._(
                        "The card %(code)s holds %(balance)s points; this order spends "
                        "%(points)s.",
                        code=card.code,
                        balance=balance,
                        points=points,
                    )
                )

    def _redeem_otp_earn_bound(self, order):
        """The most points the order can add to this card: its sales, and refunded rewards.

        Only the order's guest's card, or a card of nobody of a program that
        has no holders (gift cards, coupons): a loyalty or e-wallet card of
        nobody is the cashier's, whose code they chose (review 30).
        """
        self.ensure_one()
        if not self._redeem_otp_may_earn(order):
            return 0.0
        return self.program_id._redeem_otp_earnings(order) + max(
            order.lines._redeem_otp_refund_net(self), 0.0
        )

    def _redeem_otp_may_earn(self, order):
        """Only the order's guest's card, or a card of nobody of a program that
        has no holders (gift cards, coupons), earns by the order."""
        self.ensure_one()
        return not (
            self.partner_id != order.partner_id
            if self.partner_id
            else self.program_id.is_nominative
        )

    def _redeem_otp_kept_back(self, order, held):
        """What of the sync's hold on this card (`held`) a refund takes back:
        the till never takes it itself (review 47), the points call settles
        it (`_redeem_otp_check_moves`)."""
        if not held or not order.lines.filtered("refunded_orderline_id"):
            return 0.0
        return min(max(-order.lines._redeem_otp_refund_net(self), 0.0), held)

    def _redeem_otp_owed(self, order, held, allowed):
        """All the order takes from this card: what the sync held, and the part
        of its reward lines' points (`allowed`) the card did not hold then,
        paid by what the order earns on it (`_redeem_otp_hold_for`). Earnings
        that pay for a reward are not the card's to keep as well."""
        take_back = 0.0  # what the hold took back beside the spend, if both
        if held and allowed and order.lines.filtered("refunded_orderline_id"):
            take_back = max(-order.lines._redeem_otp_refund_net(self), 0.0)
        return held + max(allowed - (held - take_back), 0.0)

    @api.model
    def _redeem_otp_snapshot(self, order, coupon_data, held=None):
        """Lock and read, in one query, every card stock may touch in the points call.

        That is the cards named by key or giftCardId, those the sync held
        points on, and every card of the guests the data names (stock moves
        a new-card key onto a guest's existing loyalty card). Returns them;
        `_redeem_otp_state` is what the check compares.
        """
        ids, partners = payloads.cards_named(coupon_data)
        ids |= {int(key) for key in held or {}}
        partners |= {order.partner_id.id} - {False}
        return self._redeem_otp_lock_where(
            SQL(
                "card.id = ANY(%s) OR card.partner_id = ANY(%s)",
                sorted(ids),
                sorted(partners),
            )
        )

    def _redeem_otp_state(self):
        """What the points call may not change unchecked, as stored (ids, not records)."""
        return (
            self.points,
            self.partner_id.id,
            self.program_id.id,
            self.expiration_date,
            self.active,
        )

    @api.model
    def _redeem_otp_others_gain(self, cards, before, held):
        """{program: points}: what the points call credited the program's
        cards that the sync held nothing on (`_redeem_otp_settle`)."""
        others = {}
        for card in cards:
            if str(card.id) in (held or {}):
                continue
            gain = card.points - before.get(card, (0.0,))[0]
            if gain > policy.EPSILON:
                others[card.program_id] = others.get(card.program_id, 0.0) + gain
        return others

    def _redeem_otp_settle(self, order, figure, back, new_left, others):
        """Lower this card, after stock's move, for the `back` points its
        refund takes back; return by how much.

        The card ends with what the order's new lines earn less what its
        refund takes back, never more than the till's `figure`. The new lines
        earn once for all the program's cards (review 48: two cards each
        settled against the same new service), and what the till credited
        the program's other cards (`others`) comes first out of it (review
        50: a swap's new next-order coupon, while the held one kept its
        point). `new_left`: {program: what is left of it}, shared by the
        order's cards.
        """
        self.ensure_one()
        program = self.program_id
        if program not in new_left:
            new_left[program] = max(
                program._redeem_otp_earnings(order, settle=True)
                - others.get(program, 0.0),
                0.0,
            )
        earns = new_left[program] if self._redeem_otp_may_earn(order) else 0.0
        kept = min(figure, earns - back)
        new_left[program] -= max(kept + back, 0.0)
        if figure - kept <= policy.EPSILON / 2:
            return 0.0
        trusted.mark(self).with_context(**QUIET).points = self.points - (figure - kept)
        return figure - kept

    @api.model
    def _redeem_otp_check_moves(self, order, before, held=None, new_cards=True):
        """Raise unless every change stock made is one the order pays for; return the moves.

        A decrease is at most what the order's reward lines spend on the
        card (as accepted at sync) or what its refund takes back; an
        increase at most what its sale lines earn. What the sync held for
        the reward lines (`held`, given back just before) must be taken
        again, less what the order earns on the card: a points call that
        names no card, or moves less, does not leave the spend free. What a
        refund takes back is taken by the server (`_redeem_otp_settle`):
        stock's till nets the refund lines instead. The card itself (holder,
        program, expiry, active) never changes, but a gift card being sold
        may get a holder. `new_cards`: whether the call may have made cards
        (stock makes one for a negative key only).
        """
        if new_cards:
            # The cards as stored now: stock's changes written out, then
            # read back with the cards this order created, by one query.
            cards = self._redeem_otp_lock_where(
                SQL(
                    "card.id = ANY(%s) OR card.source_pos_order_id = %s",
                    sorted(card.id for card in before),
                    order.id,
                )
            )
            if {card.id for card in before} - set(cards.ids):
                raise UserError(self.env._("The points RPC may not delete a card."))
        else:
            # The cards the snapshot locked and read, as this transaction
            # changed them since: stock moves points through the ORM only
            # and deletes no card; the writes reach the rows at the flush.
            cards = (
                self.sudo()
                .with_context(active_test=False)
                .browse(sorted(card.id for card in before))
            )
        Program = self.env["loyalty.program"].sudo().with_context(active_test=False)
        allowance = payloads.per_card(order.sudo().redeem_otp_allowance)
        moved, earned, backs, new_left = {}, {}, {}, {}
        others = self._redeem_otp_others_gain(cards, before, held)
        for card in cards:
            now = card._redeem_otp_state()
            points, partner, program, expiry, active = before.get(
                card, (0.0, now[1], now[2], now[3], True)
            )
            gift = Program.browse(program).program_type == "gift_card"
            if (now[2], now[3], now[4]) != (program, expiry, active) or (
                now[1] != partner and not gift
            ):
                disclosure.check_may_name(card)
                raise UserError(
                    self.env._(
                        "The points RPC may not change the card %(code)s itself.",
                        code=card.code,
                    )
                )
            delta = card.points - points
            must_take = (held or {}).get(str(card.id), 0.0)
            if not active and abs(delta + must_take) > policy.EPSILON / 2:
                # A voided balance moves no more than the sync took back.
                raise UserError(card._redeem_otp_void_message())
            owed = card._redeem_otp_owed(order, must_take, allowance.get(card.id, 0.0))
            # What a refund takes back is the server's to take: stock's till
            # never sends it, its rules net the refund lines instead (a pure
            # refund earns 0, an exchange the net of its lines).
            back = backs[card] = card._redeem_otp_kept_back(order, must_take)
            # Taking less than the order spends is only its earnings netted
            # (the earning bound is read only then: it costs queries). This
            # also bounds every increase, gift cards too (owed is never below
            # zero): a gift card is cash to whoever holds it.
            if delta + owed - back > policy.EPSILON:
                bound = card._redeem_otp_earn_bound(order)
                if delta + owed - back - bound > policy.EPSILON:
                    disclosure.check_may_name(card)
                    raise UserError(
                        self.env._(
                            "This order spends %(points)s points of %(code)s and "
                            "earns at most %(bound)s: the points call gives it "
                            "%(asked)s.",
                            points=owed - back,
                            code=card.code,
                            bound=bound,
                            asked=delta + owed - back,
                        )
                    )
            if back > policy.EPSILON:
                delta -= card._redeem_otp_settle(
                    order, delta + owed - back, back, new_left, others
                )
            if delta + owed > policy.EPSILON:
                earned[card] = delta + owed
            if abs(delta) <= policy.EPSILON / 2:
                continue
            if card.points < -policy.EPSILON / 2:
                disclosure.check_may_name(card)
                raise UserError(
                    self.env._(
                        "The card %(code)s cannot go below zero.", code=card.code
                    )
                )
            allowed = allowance.get(card.id, 0.0)
            if delta < 0 and -delta - allowed > policy.EPSILON:
                # A refund takes back what the refunded sale really earned.
                allowed += max(-order.lines._redeem_otp_refund_net(card), 0.0)
            if delta < 0 and -delta - allowed > policy.EPSILON:
                disclosure.check_may_name(card)
                raise UserError(
                    self.env._(
                        "This order's reward lines take %(allowed)s points from "
                        "%(code)s, not %(asked)s.",
                        allowed=allowed,
                        code=card.code,
                        asked=-delta,
                    )
                )
            moved[card] = delta
        # Earnings count once per program: what a held card kept (its spend
        # netted against them) and what other cards gained, together.
        # (What the server took back and gave again for an exchange's new
        # lines is bounded where it is given: not the till's figure.)
        gained = self.browse([card.id for card in earned])
        for program, cards in gained.grouped("program_id").items():
            program._redeem_otp_check_earned(
                order, {c: max(earned[c] - backs.get(c, 0.0), 0.0) for c in cards}
            )
        # Refunds take back what was earned, not what was left once spent (nor
        # the points a refund gave back: they were the guest's already).
        refunds = order.lines.filtered("refunded_orderline_id")
        trusted.mark(order.sudo()).redeem_otp_points_earned = json.dumps(
            {
                str(card.id): points - max(refunds._redeem_otp_refund_net(card), 0.0)
                for card, points in earned.items()
            }
        )
        return moved

    @api.model
    def _redeem_otp_check_gift_keys(self, coupon_data):
        """`giftCardId` names gift cards only (stock would load any card there)."""
        gift_ids = payloads.gift_card_ids(coupon_data)
        cards = self.sudo().browse(gift_ids)
        if len(cards.exists()) != len(gift_ids) or cards.filtered(
            lambda card: card.program_id.program_type != "gift_card"
        ):
            raise UserError(self.env._("Only a gift card can be sold as a gift card."))
