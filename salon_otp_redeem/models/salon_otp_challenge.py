# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.tools import SQL

from ..tools import payloads, policy, refusals, trusted
from ..tools.errors import RedeemOtpError
from .pos_config import OVERRIDE_FAILURES_PER_HOUR
from .salon_otp_code import CHANNELS

_logger = logging.getLogger(__name__)

# What a challenge in these states let the POS spend (or still lets it).
AUTHORIZED_STATES = ("verified", "used")


class SalonOtpChallenge(models.Model):
    """One authorization asked for one order's redemptions, for one guest.

    The row is the audit record as much as the lock: it keeps who asked, how
    it was answered and which order used it. The codes sent for it are
    salon.otp.code rows; their hashes never reach this one.
    """

    _name = "salon.otp.challenge"
    # Alerts are to-do activities for the managers on the challenge itself.
    # The POS loads it (pos.load.mixin) so that `pos.order.redeem_otp_challenge_id`
    # is a real relation on the client and syncs with the order.
    _inherit = ["mail.thread", "mail.activity.mixin", "pos.load.mixin"]
    _description = "Redemption authorization"
    _order = "create_date desc, id desc"
    _rec_name = "display_name"

    @api.model
    def default_get(self, fields_list):  # pylint: disable=method-required-super
        """Server-set fields take only their own defaults (`trusted.field_defaults`).

        No super(): nothing of what it finds (the user's `ir.default` rows,
        the context's `default_*` keys) would be kept.
        """
        return trusted.field_defaults(self, fields_list)

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    pos_config_id = fields.Many2one(
        "pos.config", string="Center", required=True, readonly=True, index=True
    )
    pos_session_id = fields.Many2one("pos.session", string="Session", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Guest", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Cashier",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        index=True,
    )
    order_uuid = fields.Char(required=True, readonly=True, index=True)
    pos_order_id = fields.Many2one(
        "pos.order", string="Order", readonly=True, index=True
    )
    state = fields.Selection(
        [
            ("pending", "Code sent"),
            ("verified", "Verified"),
            ("used", "Used"),
            ("expired", "Expired"),
            ("superseded", "Replaced by a new code"),
            ("locked", "Locked (too many attempts)"),
            ("failed", "Not sent"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    method = fields.Selection(
        [("code", "Guest's code"), ("override", "Staff override")], readonly=True
    )
    # The current code (salon.otp.code): what was sent, where, until when.
    code_id = fields.Many2one(
        "salon.otp.code",
        string="Current code",
        readonly=True,
        groups="point_of_sale.group_pos_manager",
    )
    channel = fields.Selection(CHANNELS, readonly=True)  # the current code's
    destination_masked = fields.Char(related="code_id.destination_masked")
    failure_reason = fields.Char(related="code_id.failure_reason")
    attempt_count = fields.Integer(string="Attempts", readonly=True, default=0)
    override_failure_count = fields.Integer(
        string="Wrong override codes", readonly=True, default=0
    )
    # The center's hourly cap on wrong override codes counts from the last
    # one typed, not from the request: a code asked for, then guessed at
    # minutes later, left the count early (review 63).
    override_failed_at = fields.Datetime(
        string="Last wrong override code", readonly=True
    )
    max_attempts = fields.Integer(string="Attempts allowed", readonly=True)
    validity_minutes = fields.Integer(readonly=True)
    sent_at = fields.Datetime(related="code_id.sent_at")
    # Until when the challenge may be answered: the code's expiry, then,
    # once verified, the authorization's.
    expires_at = fields.Datetime(readonly=True)
    verified_at = fields.Datetime(readonly=True)
    used_at = fields.Datetime(readonly=True)
    # Read off the order's points call (`pos.order.redeem_otp_points_moved`),
    # which that call writes anyway, rather than a second write of its own.
    points_confirmed = fields.Boolean(
        compute="_compute_points_confirmed",
        help="The cards' points were deducted for this authorization.",
    )
    override_user_id = fields.Many2one("res.users", string="Override by", readonly=True)
    override_reason = fields.Text(string="Reason given", readonly=True)
    redemption_json = fields.Text(readonly=True)
    redemption_summary = fields.Char(string="Redemption", readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id")
    # `amount` is what the cashier asked to redeem, whatever became of it;
    # the report totals what was authorized.
    amount_authorized = fields.Monetary(
        string="Authorized",
        compute="_compute_amount_authorized",
        store=True,
        precompute=True,
        currency_field="currency_id",
        help="The amount the guest's code or a staff override authorized; "
        "0 when nothing was authorized (not sent, expired, replaced, locked "
        "or cancelled).",
    )
    # The company's, as the row is written. Not readonly, so that the request
    # can give it ahead of the amounts, which `create` rounds in the currency
    # it already holds (a readonly precomputed field is always computed, after
    # them, and read back). Nobody but the server writes a challenge.
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        precompute=True,
        readonly=False,
    )
    points_total = fields.Float(string="Points", readonly=True)
    fingerprint = fields.Char(readonly=True, index=True)
    # What the fraud policy saw and decided, for the audit report.
    card_ids = fields.Many2many("loyalty.card", string="Cards", readonly=True)
    risk_dormant = fields.Boolean(string="Dormant card", readonly=True)
    risk_destination_changed = fields.Boolean(
        string="Contact changed by staff", readonly=True
    )
    risk_expired = fields.Boolean(string="Expired card", readonly=True)
    # Precomputed: in the INSERT of a new challenge, not an UPDATE after it.
    risk_override = fields.Boolean(
        string="Staff override",
        compute="_compute_risk",
        store=True,
        precompute=True,
        readonly=True,
    )
    has_risk = fields.Boolean(
        string="Risk",
        compute="_compute_risk",
        store=True,
        precompute=True,
        readonly=True,
    )
    decision = fields.Text(string="Policy decisions", readonly=True)
    override_user_name = fields.Char(
        string="Override by (name)", related="override_user_id.name"
    )

    def init(self):
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS salon_otp_challenge_partner_create_idx
                ON salon_otp_challenge (partner_id, create_date);
            CREATE INDEX IF NOT EXISTS salon_otp_challenge_config_create_idx
                ON salon_otp_challenge (pos_config_id, create_date);
            CREATE INDEX IF NOT EXISTS salon_otp_challenge_override_idx
                ON salon_otp_challenge (pos_config_id, verified_at)
                WHERE method = 'override';
            CREATE INDEX IF NOT EXISTS salon_otp_challenge_override_failed_idx
                ON salon_otp_challenge (pos_config_id, override_failed_at)
                WHERE override_failed_at IS NOT NULL;
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        # An audit row, not a conversation: no "created" message, no
        # followers, nothing tracked; the thread is there for the managers'
        # activities only. The rows go on with the caller's context.
        quiet = self.with_context(tracking_disable=True)
        return super(SalonOtpChallenge, quiet).create(vals_list).with_env(self.env)

    def onchange(self, values, field_names, fields_spec):
        """Nobody edits one: it would show where any code row named went."""
        raise AccessError(self.env._("Redemption authorizations cannot be edited."))

    def _redeem_otp_check_chatter(self):
        """The audit's thread is the managers': a cashier who follows their own
        authorization may post on it, under any author (stock lets a follower
        post, and does not check the author), and wrote "Override approved by
        phone" in a manager's name (review 66)."""
        if not self.env.su and not self.env.user._redeem_otp_is_manager():
            raise AccessError(
                self.env._("Only Point of Sale managers write on authorizations.")
            )

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        self._redeem_otp_check_chatter()
        return super().message_subscribe(partner_ids, subtype_ids)

    def message_post(self, **kwargs):
        self._redeem_otp_check_chatter()
        return super().message_post(**kwargs)

    @api.depends(
        "method", "state", "risk_dormant", "risk_destination_changed", "risk_expired"
    )
    def _compute_risk(self):
        for challenge in self:
            challenge.risk_override = challenge.method == "override"
            challenge.has_risk = bool(
                challenge.risk_override
                or challenge.risk_dormant
                or challenge.risk_destination_changed
                or challenge.risk_expired
                or challenge.state == "locked"
            )

    @api.depends(
        "pos_order_id.redeem_otp_points_moved", "pos_order_id.redeem_otp_challenge_id"
    )
    def _compute_points_confirmed(self):
        Card = self.env["loyalty.card"].sudo()
        for challenge in self:
            order = challenge.sudo().pos_order_id
            moved = payloads.per_card(order.redeem_otp_points_moved)
            spent = Card.browse([card for card, delta in moved.items() if delta < 0])
            challenge.points_confirmed = bool(
                order.redeem_otp_challenge_id == challenge
                and spent.exists().program_id._redeem_otp_protected()
            )

    @api.depends("company_id")
    def _compute_currency_id(self):
        for challenge in self:
            challenge.currency_id = challenge.company_id.currency_id

    @api.depends("state", "amount")
    def _compute_amount_authorized(self):
        for challenge in self:
            challenge.amount_authorized = (
                challenge.amount if challenge.state in AUTHORIZED_STATES else 0.0
            )

    @api.model
    def _redeem_otp_counts(self, field_name, records):
        """Authorizations per guest or per card, for their smart buttons (one query)."""
        domain = [(field_name, "in", records.ids)]
        return dict(self._read_group(domain, [field_name], ["__count"]))

    @api.depends("partner_id", "create_date")
    def _compute_display_name(self):
        for challenge in self:
            challenge.display_name = self.env._(
                "Authorization #%(id)s (%(guest)s)",
                id=challenge.id or "",
                guest=challenge.partner_id.display_name or "",
            )

    # -- Requesting a code ----------------------------------------------
    @api.model
    def _redeem_otp_request(
        self, config, partner, order_uuid, redemptions, channel=None, deliver=True
    ):
        """Create a challenge, void the order's earlier ones and send the code.

        Called by the challenge route once it has checked the user and the
        session. Limits are counted one request at a time (`tools.turns`), so that two workers
        cannot both pass the last free slot. With `deliver` false the code
        row is only prepared: the route sends it once the till has its answer
        (`salon.otp.code._redeem_otp_deliver_pending`).
        """
        company = config.company_id
        # The order and the limits first: even a refused request is recorded
        # (an expired card), and only on an order of this till, within them.
        # The order's challenges are read once for the three questions asked
        # of them: whose order it is, when it may have a new code, and which
        # codes the new one voids.
        siblings = self._redeem_otp_siblings(order_uuid)
        config.current_session_id._redeem_otp_check_order_owner(order_uuid, siblings)
        now = fields.Datetime.now()
        Code = self.env["salon.otp.code"]
        Code._redeem_otp_check_send(config, partner, siblings, channel, now)
        lines, dormant = config._redeem_otp_redeemable(partner, redemptions)
        risk = config._redeem_otp_check_request(partner, order_uuid, lines, dormant)
        earlier = siblings.filtered(lambda c: c.state in ("pending", "verified"))
        earlier._redeem_otp_finish("superseded")
        summary, amount, points = self.env["loyalty.program"]._redeem_otp_summary(
            lines, company
        )
        keys = ("card_id", "program_id", "points", "amount")
        challenge = self.create(
            {
                **self._redeem_otp_vals(config, partner, order_uuid),
                "max_attempts": company.redeem_otp_max_attempts,
                "validity_minutes": company.redeem_otp_validity_minutes,
                "redemption_json": json.dumps(
                    [{key: line[key] for key in keys} for line in lines]
                ),
                "redemption_summary": summary,
                "amount": amount,
                "points_total": points,
                "fingerprint": policy.fingerprint(partner.id, order_uuid, lines),
                **risk,
            }
        )
        challenge._redeem_otp_log(
            logging.INFO, "code asked", f"superseding {earlier.ids}"
        )
        code = Code._redeem_otp_prepare(challenge, now)
        if deliver:
            code._redeem_otp_deliver(channel)
        return challenge

    @api.model
    def _redeem_otp_siblings(self, order_uuid):
        """Every challenge of the order uuid, newest first, every cashier's, read once."""
        return self.sudo().search_fetch(
            [("order_uuid", "=", order_uuid)],
            ["state", "pos_session_id", "user_id", "code_id"],
            order="create_date desc, id desc",
        )

    @api.model
    def _redeem_otp_vals(self, config, partner, order_uuid):
        """Who asked, where and for whom: what every challenge records first.

        The currency too, ahead of the amounts (see `currency_id`).
        """
        return {
            "company_id": config.company_id.id,
            "currency_id": config.company_id.currency_id.id,
            "pos_config_id": config.id,
            "pos_session_id": config.current_session_id.id,
            "partner_id": partner.id,
            "order_uuid": order_uuid,
        }

    def _redeem_otp_log(self, level, event, detail=None):
        """One line per event, with who and where: ids only, never a code."""
        _logger.log(
            level,
            "Redemption %s: challenge %s, guest %s, POS %s, user %s%s",
            event,
            self.id,
            self.partner_id.id,
            self.pos_config_id.id,
            self.env.uid,
            f": {detail}" if detail else "",
        )

    def _redeem_otp_note(self, text):
        """Append one line to this challenge's record of policy decisions."""
        line = f"{fields.Datetime.to_string(fields.Datetime.now())} {text}"
        challenge = self.sudo()
        challenge.decision = "\n".join(filter(None, [challenge.decision, line]))

    # -- Serializing ----------------------------------------------------
    def _redeem_otp_lock(self, order_uuids=None):
        """Serialize verifications and uses of this challenge across workers:
        one indexed row lock, which also reads the row and its code's hash.
        With `order_uuids`, only if it was asked for one of those orders.

        Returns the hash of the current code. The columns go into the cache
        where nothing is there yet, so the checks that follow read no more.
        Nothing needs reading again: Odoo's transactions are REPEATABLE READ,
        so a row another transaction changed since ours began cannot be
        locked (a serialization failure, and the request is retried); once
        the lock is granted, what this transaction read of the challenge is
        current, and so is its code, which never changes without it.
        Raises MissingError when there is no such challenge (for those orders).
        """
        self.ensure_one()
        self.flush_recordset()
        of_orders = (
            SQL("AND challenge.order_uuid = ANY(%s)", list(order_uuids))
            if order_uuids is not None
            else SQL()
        )
        columns = [
            field
            for field in self._fields.values()
            if field.store and field.column_type and field.name != "id"
        ]
        Code = self.env["salon.otp.code"]
        rows = self.env.execute_query(
            SQL(
                """SELECT %s, code.code_hash, code.alphabet,
                          currency.rounding, currency.decimal_places
                     FROM salon_otp_challenge challenge
                     LEFT JOIN salon_otp_code code ON code.id = challenge.code_id
                     LEFT JOIN res_currency currency
                            ON currency.id = challenge.currency_id
                    WHERE challenge.id = %s %s
                      FOR UPDATE OF challenge""",
                SQL(", ").join(SQL.identifier("challenge", f.name) for f in columns),
                self.id,
                of_orders,
            )
        )
        if not rows:
            raise MissingError(self.env._("This code request does not exist."))
        *values, code_hash, alphabet, rounding, decimal_places = rows[0]
        cache = self.env.cache
        for field, value in zip(columns, values, strict=True):
            cache.insert_missing(self, field, [value])
        code_id = values[columns.index(self._fields["code_id"])]
        if code_id:  # what the check reads of the code, by the same query
            cache.insert_missing(
                Code.browse(code_id), Code._fields["alphabet"], [alphabet]
            )
        currency_id = values[columns.index(self._fields["currency_id"])]
        if currency_id:  # what the authorized amount is rounded and written with
            currency = self.env["res.currency"].browse(currency_id)
            cache.insert_missing(currency, currency._fields["rounding"], [rounding])
            cache.insert_missing(
                currency, currency._fields["decimal_places"], [decimal_places]
            )
        return code_hash

    @api.model
    def _redeem_otp_lock_named(self, orders):
        """Lock, in id order, the challenges a sync's orders (payloads) may
        spend, before stock saves the orders.

        Saving an order that names a challenge takes a share lock on the
        challenge's row (the foreign key's check), and the order's check
        then locks the row for update. Two syncs naming the same challenge
        would each hold the share lock and wait for the other's: a deadlock,
        retried until one sync fails. Locked first, they queue. Only a
        challenge asked for the naming order's uuid is locked: the order's
        check refuses any other without locking it (`_redeem_otp_authorize_order`),
        so a payload naming other tills' challenges holds none of them.
        What is not such a challenge is left to the orders' own checks.
        Returns the ids locked.
        """
        uuids = defaultdict(set)
        for order in orders:
            try:
                challenge_id = payloads.record_id(order.get("redeem_otp_challenge_id"))
            except payloads.PayloadError:
                continue
            if challenge_id and isinstance(order.get("uuid"), str):
                uuids[challenge_id].add(order["uuid"])
        locked = []
        for challenge_id in sorted(uuids):
            try:
                self.sudo().browse(challenge_id)._redeem_otp_lock(uuids[challenge_id])
            except MissingError:
                continue
            locked.append(challenge_id)
        return locked

    # -- Verifying ------------------------------------------------------
    def _redeem_otp_verify(self, code=None, override_code=None, reason=None):
        """Check a guest's code or the center's override code; count every failure."""
        self.ensure_one()
        return self._redeem_otp_verify_locked(
            self._redeem_otp_lock(), code, override_code, reason
        )

    def _redeem_otp_verify_locked(self, stored, code, override_code, reason):
        """`_redeem_otp_verify` once the caller holds the lock; `stored`: the
        hash `_redeem_otp_lock` returned (the route locks first, as its read)."""
        self.ensure_one()
        now = fields.Datetime.now()
        self._redeem_otp_check_open(now)
        if override_code is not None:
            return self._redeem_otp_verify_override(override_code, reason, now)
        if self.sudo().code_id._redeem_otp_matches(code, stored):
            self._redeem_otp_mark_verified(now, "code")
            self._redeem_otp_log(logging.INFO, "code verified")
            return self._redeem_otp_result()
        return self._redeem_otp_count_failure(self.env._("The code is not correct."))

    def _redeem_otp_check_open(self, now):
        if self.state == "pending" and self.expires_at and self.expires_at <= now:
            self._redeem_otp_finish("expired")
        refusal = refusals.closed(self.state)
        if refusal:
            error, message = refusal
            raise RedeemOtpError(error, self.env._(message), state=self.state)

    def _redeem_otp_verify_override(self, override_code, reason, now):
        config = self.pos_config_id
        reason = config._redeem_otp_check_override_use(self, reason, now)
        if not config._redeem_otp_check_override(str(override_code or "").strip()):
            self.write(
                {
                    "override_failure_count": self.override_failure_count + 1,
                    "override_failed_at": now,
                }
            )
            if config._redeem_otp_override_failures(now) >= OVERRIDE_FAILURES_PER_HOUR:
                self._redeem_otp_after_lock()
            return self._redeem_otp_count_failure(
                self.env._("The override code is not correct.")
            )
        self._redeem_otp_mark_verified(now, "override")
        self.write(
            {"override_user_id": self.env.user.id, "override_reason": reason[:500]}
        )
        self._redeem_otp_log(logging.WARNING, "override used")
        challenge = self.sudo()
        challenge.partner_id._redeem_otp_notify_override(challenge)
        challenge.pos_config_id._redeem_otp_alert_override_limit(challenge)
        return self._redeem_otp_result()

    def _redeem_otp_count_failure(self, message):
        self.attempt_count += 1
        left = max(self.max_attempts - self.attempt_count, 0)
        self._redeem_otp_log(
            logging.INFO,
            "code rejected",
            f"attempt {self.attempt_count} of {self.max_attempts}",
        )
        if not left:
            self._redeem_otp_finish("locked")
            self._redeem_otp_after_lock()
            raise RedeemOtpError(
                "locked",
                self.env._(
                    "Too many wrong attempts; the code no longer works. Send a new one."
                ),
                attempts_left=0,
                state="locked",
            )
        raise RedeemOtpError(
            "invalid_code",
            self.env._(
                "%(message)s %(left)s attempt(s) left.", message=message, left=left
            ),
            attempts_left=left,
            state=self.state,
        )

    def _redeem_otp_after_lock(self):
        """The managers hear of a lock; an alert never undoes what raised it."""
        challenge = self.sudo()
        self.env["res.users"]._redeem_otp_alert(
            challenge,
            self.env._(
                "Redemption code locked at %(center)s",
                center=challenge.pos_config_id.name,
            ),
            self.env._(
                "%(attempts)s wrong codes were typed for %(guest)s (%(what)s) by %(user)s.",
                attempts=challenge.attempt_count,
                guest=challenge.partner_id.display_name,
                what=challenge.redemption_summary or "",
                user=challenge.user_id.name,
            ),
        )

    def _redeem_otp_mark_verified(self, now, method):
        self.write(
            {
                "state": "verified",
                "method": method,
                "verified_at": now,
                # From here the authorization itself is what expires: the
                # order must reach the server within one validity period.
                "expires_at": now + timedelta(minutes=self.validity_minutes or 5),
            }
        )
        self.sudo().code_id._redeem_otp_void("used" if method == "code" else "voided")

    def _redeem_otp_finish(self, state):
        """Close the challenges: their codes can no longer be answered."""
        self.write({"state": state})
        self.sudo().code_id._redeem_otp_void()

    def _redeem_otp_result(self):
        return {
            "challenge_id": self.id,
            "state": self.state,
            "method": self.method,
            "attempts_left": max(self.max_attempts - self.attempt_count, 0),
        }

    def _redeem_otp_public(self):
        """What the POS may know of a challenge: nothing that helps guess the code."""
        self.ensure_one()
        public = self.sudo().code_id._redeem_otp_public()
        return {"challenge_id": self.id, "state": self.state, **public}

    # -- Using it for an order ------------------------------------------
    def _redeem_otp_authorize_order(self, order, lines):
        """Bind a verified challenge to the order that spends it, exactly once.

        Raises a UserError naming the reason; the sync transaction is rolled
        back, so the POS keeps the order and the cashier can fix it.
        """
        if not self:
            raise UserError(
                self.env._(
                    "This order spends %(what)s, which needs the guest's one-time code. "
                    "Ask for the code on the payment screen.",
                    what=", ".join(
                        sorted({line.reward_id.program_id.name for line in lines})
                    ),
                )
            )
        self.ensure_one()
        same_request = (self.partner_id, self.order_uuid, self.pos_config_id) == (
            order.partner_id,
            order.uuid,
            order.config_id,
        )
        if (same_request or self.pos_order_id == order) and (
            self.id not in trusted.locked_ids(self.env)
        ):
            # Only a challenge that may bind to this order is locked (the
            # sync locked it already, see `_redeem_otp_lock_named`); any
            # other is refused as it stands (whose and where it was asked
            # never change): locking it would wait on, and deadlock with,
            # the syncs it does belong to.
            self._redeem_otp_lock()
        now = fields.Datetime.now()
        refusal = refusals.binding(
            self.state,
            self.pos_order_id == order,
            bool(self.expires_at and self.expires_at <= now),
            same_request,
        )
        if refusal:
            labels = dict(self._fields["state"]._description_selection(self.env))
            refusal = self.env._(refusal) % {"state": labels.get(self.state)}
        else:
            refusal = lines._redeem_otp_binding_refusal(self)
        if refusal:
            _logger.warning(
                "Order %s refused at sync: challenge %s: %s",
                order.uuid,
                self.id,
                refusal,
            )
            raise UserError(refusal)
        if self.state != "used":
            self.write({"state": "used", "used_at": now, "pos_order_id": order.id})

    # -- What the POS reads of a challenge: nothing at start (no query at
    # all); the dialog reads the one it verified, with what the receipt prints.
    @api.model
    def _load_pos_data_domain(self, data):
        return False

    @api.model
    def _load_pos_data_fields(self, config_id):
        fields_read = "id state method channel destination_masked verified_at"
        return [*fields_read.split(), "override_user_name"]

    @api.autovacuum
    def _gc_redeem_otp_challenges(self):
        """Delete challenges past their company's retention, their codes with them."""
        companies = self.env["res.company"].sudo()
        companies = companies.search([("redeem_otp_retention_days", ">", 0)])
        companies._redeem_otp_purge_challenges(fields.Datetime.now())
