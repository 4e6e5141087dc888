# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import disclosure, payloads, policy, turns
from ..tools.errors import RedeemOtpError

_logger = logging.getLogger(__name__)

# Override codes are short and chosen by people: they are hashed as Odoo hashes
# passwords (res.users._crypt_context(): salted PBKDF2, Odoo's own rounds), so
# a leaked row does not give the code away.
OVERRIDE_MIN_LENGTH = 6
# Wrong override codes per center per hour before the override is refused
# for the rest of the hour (and the managers are alerted).
OVERRIDE_FAILURES_PER_HOUR = 5
OVERRIDE_MAX_LENGTH = 32
# What a code request reads of the programs and cards it names.
PROGRAM_FIELDS = (
    "name company_id program_type applies_on redeem_otp_required "
    "redeem_otp_membership_only active date_from date_to"
).split()
CARD_FIELDS = (
    "code points partner_id program_id company_id expiration_date active create_date"
).split()
# What the till's routes read of the center (`_redeem_otp_fetch_for_till`).
TILL_FIELDS = (
    "name active company_id currency_id journal_id pricelist_id "
    "redeem_otp_required redeem_otp_allow_override "
    "redeem_otp_override_daily_limit redeem_otp_max_sends_per_hour"
).split()
# What decides how strongly this center protects balances: POS managers only.
GUARDED_FIELDS = (
    "redeem_otp_required",
    "redeem_otp_allow_override",
    "redeem_otp_override_daily_limit",
    "redeem_otp_max_sends_per_hour",
    "company_id",
    # The paid check allows a rounding unit where the center rounds cash.
    "cash_rounding",
    "rounding_method",
    # What the till offers decides which programs run and what a reward's
    # taxes may be (`loyalty.program._redeem_otp_offered`,
    # `pos.order.line._redeem_otp_tax_ratio`): a cashier who could link a
    # pricelist or a fiscal position would open another's promotions.
    "use_pricelist",
    "pricelist_id",
    "available_pricelist_ids",
    "tax_regime_selection",
    "default_fiscal_position_id",
    "fiscal_position_ids",
    # How a till may be paid: a Customer Account linked by a cashier would
    # pay for credit with a debt (review 46).
    "payment_method_ids",
)


class PosConfig(models.Model):
    _inherit = "pos.config"

    redeem_otp_required = fields.Boolean(
        string="Ask guests for a redemption code",
        default=True,
        help="Protected balances are only spent with the guest's one-time code.",
    )
    redeem_otp_allow_override = fields.Boolean(
        string="Allow the center's override code",
        help="A manager-set code the cashier may type instead of the guest's, "
        "with a reason; every use is recorded and the guest is told.",
    )
    redeem_otp_override_daily_limit = fields.Integer(
        string="Overrides per day", default=3
    )
    redeem_otp_override_set = fields.Boolean(
        string="Override code set", compute="_compute_redeem_otp_override_set"
    )
    # Never readable through the ORM, not even by managers: written and read
    # with SQL only, like auth_totp's secret.
    redeem_otp_override_hash = fields.Char(copy=False, groups=fields.NO_ACCESS)
    redeem_otp_max_sends_per_hour = fields.Integer(
        string="Codes per center per hour",
        default=60,
        help="Caps what one till can make the gateway send, whoever the guests are.",
    )

    def write(self, vals):
        """POS users may write their center (stock access rights), not its protection."""
        Change = self.env["salon.otp.setting.change"]
        # A `module_*` switch installs that module, as the superuser: new
        # code is not a cashier's to add (review 46).
        modules = tuple(name for name in vals if name.startswith("module_"))
        rows = Change._guard(self, vals, GUARDED_FIELDS + modules)
        result = super().write(vals)
        Change._record(rows)
        return result

    @api.constrains("redeem_otp_override_daily_limit", "redeem_otp_max_sends_per_hour")
    def _check_redeem_otp_limits(self):
        for config in self:
            if config.redeem_otp_override_daily_limit < 0:
                raise ValidationError(
                    self.env._("The daily override limit cannot be negative.")
                )
            if config.redeem_otp_max_sends_per_hour < 1:
                raise ValidationError(
                    self.env._("Allow at least one code per center per hour.")
                )

    def _compute_redeem_otp_override_set(self):
        if not self.ids:
            self.redeem_otp_override_set = False
            return
        self.env.cr.execute(
            "SELECT id FROM pos_config WHERE id = ANY(%s) AND redeem_otp_override_hash IS NOT NULL",
            [self.ids],
        )
        with_code = {row[0] for row in self.env.cr.fetchall()}
        for config in self:
            config.redeem_otp_override_set = config.id in with_code

    def set_redeem_otp_override_code(self, code):
        """Store the center's override code as a salted hash; an empty code removes it.

        Public so that the settings screen and managers' scripts can call it
        over RPC; the rights check is explicit because the field itself is
        out of the ORM's reach.
        """
        if not self.env.user.has_group("point_of_sale.group_pos_manager"):
            raise AccessError(
                self.env._("Only Point of Sale managers can set the override code.")
            )
        self.check_access("write")
        code = (code or "").strip()
        if code and not OVERRIDE_MIN_LENGTH <= len(code) <= OVERRIDE_MAX_LENGTH:
            raise ValidationError(
                self.env._(
                    "The override code was not saved: it must have between %(min)s "
                    "and %(max)s characters, and the one typed has %(count)s.",
                    min=OVERRIDE_MIN_LENGTH,
                    max=OVERRIDE_MAX_LENGTH,
                    count=len(code),
                )
            )
        value = self.env["res.users"]._crypt_context().hash(code) if code else None
        self.env.cr.execute(
            "UPDATE pos_config SET redeem_otp_override_hash = %s WHERE id = ANY(%s)",
            [value, self.ids],
        )
        self.invalidate_recordset(["redeem_otp_override_set"])
        self.env["salon.otp.setting.change"]._record(
            [
                {
                    "company_id": config.company_id.id,
                    "model": self._name,
                    "res_id": config.id,
                    "record_name": config.display_name,
                    "field_name": self._fields["redeem_otp_override_set"].string,
                    "new_value": self.env._("set") if code else self.env._("removed"),
                }
                for config in self
            ]
        )
        for config in self:
            _logger.info(
                "Redemption override code %s for POS %s by user %s",
                "set" if code else "removed",
                config.id,
                self.env.user.login,
            )
        return True

    def _redeem_otp_check_override(self, code):
        self.ensure_one()
        if not code:
            return False
        self.env.cr.execute(
            "SELECT redeem_otp_override_hash FROM pos_config WHERE id = %s", [self.id]
        )
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            return False
        try:
            return self.env["res.users"]._crypt_context().verify(code, row[0])
        except ValueError:
            return False

    def _redeem_otp_active(self):
        """Whether this center asks for codes at all (company switch and center switch)."""
        self.ensure_one()
        return bool(self.company_id.redeem_otp_enabled and self.redeem_otp_required)

    # ------------------------------------------------------------------
    # What a center lets be redeemed, and its override counters
    # ------------------------------------------------------------------
    def _redeem_otp_redeemable(self, partner, redemptions):
        """The redemptions the POS names that need the guest's code here, checked.

        The POS is not trusted: every card must exist, belong to its program
        and to this guest (or to nobody), and at least one line must be
        protected, or there is nothing to authorize. Amounts are the
        server's where the program prices its points. Returns the lines and
        the dormant cards among them (read once per request).
        """
        self.ensure_one()
        try:
            parsed = payloads.redemptions(redemptions)
        except payloads.PayloadError as exc:
            raise RedeemOtpError(
                "bad_request",
                self.env._("The redemption list cannot be used: %(why)s.", why=exc),
            ) from None
        program_ids = {line["program_id"] for line in parsed}
        # Found and read by one query each (exists() would be one more).
        programs = (
            self.env["loyalty.program"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch([("id", "in", list(program_ids))], PROGRAM_FIELDS)
        )
        if len(programs) != len(program_ids):
            raise RedeemOtpError(
                "bad_request", self.env._("A redeemed program does not exist.")
            )
        programs._redeem_otp_refuse_ended(self.company_id)
        if programs.filtered(
            lambda p: p.company_id and p.company_id != self.company_id
        ):
            raise RedeemOtpError(
                "bad_request",
                self.env._("A redeemed program belongs to another company."),
            )
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .with_context(active_test=False)
            .search_fetch(
                [("id", "in", [line["card_id"] for line in parsed if line["card_id"]])],
                CARD_FIELDS,
            )
        )
        archived = cards.filtered(lambda card: not card.active)
        if archived:
            # A balance the salon voided: no code is sent for it.
            raise RedeemOtpError("bad_request", archived[0]._redeem_otp_void_message())
        point_values = programs._redeem_otp_point_values()
        for line in parsed:
            card = cards.browse(line["card_id"]) if line["card_id"] else cards.browse()
            program = programs.browse(line["program_id"])
            if line["card_id"] and line["points"] <= 0:
                # Naming a card for nothing would have the code vouch for it.
                raise RedeemOtpError(
                    "bad_request",
                    self.env._("A card is named with the points it spends."),
                )
            if line["card_id"] and (card not in cards or card.program_id != program):
                raise RedeemOtpError(
                    "bad_request",
                    self.env._(
                        "A redeemed card does not exist or is not of its program."
                    ),
                )
            if (
                card
                and card.partner_id != partner
                and program.program_type not in policy.NEVER_PROTECTED
            ):
                # A card that belongs to nobody has no guest to send a code to.
                disclosure.check_may_name(card)
                raise RedeemOtpError(
                    "bad_request",
                    self.env._(
                        "The card %(code)s is not this guest's.", code=card.code
                    ),
                )
            if not card and program.program_type in policy.CARD_PROGRAM_TYPES:
                raise RedeemOtpError(
                    "bad_request",
                    self.env._(
                        "%(program)s is spent from a card: name the guest's card.",
                        program=program.name,
                    ),
                )
            value = point_values[program.id]
            # Points with no price (a fixed-cost reward) are worth whatever the
            # guest earned them for: no minimum amount lets them go uncoded.
            line["priced"] = value is not None
            if value is not None:
                # The server's value, not the browser's: the guest is told
                # what the points are worth, and the sync holds the line to it.
                line["amount"] = line["points"] * value
        active = self._redeem_otp_active()
        protected = programs._redeem_otp_protected() if active else programs.browse()
        # Dormant and expired cards need the code whatever the program or
        # center says (expired ones are then refused with their date).
        dormant = cards._redeem_otp_dormant(self.company_id)
        forced = dormant | cards._redeem_otp_expired(self.company_id)
        kept = [
            line
            for line in parsed
            if line["program_id"] in protected.ids or line["card_id"] in forced.ids
        ]
        if not kept and not active:
            raise RedeemOtpError(
                "otp_disabled",
                self.env._("Redemption codes are not enabled for this center."),
            )
        if not kept:
            raise RedeemOtpError(
                "not_protected",
                self.env._("None of these redemptions needs the guest's code."),
            )
        partner._redeem_otp_check_member(protected, self.company_id)
        return kept, dormant

    def _redeem_otp_check_request(self, partner, order_uuid, lines, dormant):
        """Refuse what can never be redeemed here; return the new challenge's risk flags.

        `lines` and `dormant` are what `_redeem_otp_redeemable` returned. An
        expired card is recorded as a cancelled challenge before the refusal:
        the route returns the error as a result, so the row stays.
        """
        self.ensure_one()
        company = self.company_id
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .browse([line["card_id"] for line in lines if line["card_id"]])
        )
        expired = cards._redeem_otp_expired(company)
        if expired:
            card = expired[0]
            message = card._redeem_otp_void_message()
            Challenge = self.env["salon.otp.challenge"].sudo()
            challenge = Challenge.create(
                {
                    **Challenge._redeem_otp_vals(self, partner, order_uuid),
                    "state": "cancelled",
                    "card_ids": [Command.set(cards.ids)],
                    "risk_expired": True,
                    "amount": sum(line["amount"] for line in lines),
                    "points_total": sum(line["points"] for line in lines),
                }
            )
            challenge._redeem_otp_note(self.env._("Refused: %(why)s", why=message))
            challenge._redeem_otp_log(
                logging.WARNING, "code request refused", f"expired card {card.id}"
            )
            raise RedeemOtpError("bad_request", message, challenge_id=challenge.id)

        dormant = cards & dormant
        amount = sum(line["amount"] for line in lines)
        priced = all(line.get("priced") for line in lines)
        if (
            not dormant
            and priced
            and policy.below_minimum(amount, company.redeem_otp_min_amount)
        ):
            raise RedeemOtpError(
                "not_protected",
                self.env._(
                    "Redemptions below %(minimum)s need no code.",
                    minimum=company.currency_id.format(company.redeem_otp_min_amount),
                ),
            )
        notes = []
        if dormant:
            notes.append(
                self.env._(
                    "Dormant card(s) %(codes)s: the guest's code is required and the "
                    "override code is refused.",
                    codes=", ".join(dormant.mapped("code")),
                )
            )
        changes = self.env["salon.otp.destination.change"]._recent(partner, company)
        if changes:
            notes.append(changes._redeem_otp_describe())
        stamp = fields.Datetime.to_string(fields.Datetime.now())
        return {
            "card_ids": [Command.set(cards.ids)],
            "risk_dormant": bool(dormant),
            "risk_destination_changed": bool(changes),
            "decision": "\n".join(f"{stamp} {note}" for note in notes) or False,
        }

    def _redeem_otp_fetch_for_till(self):
        """Read the center and its company once, only what the till's routes use.

        Touching a field reads the whole row: some seventy columns of a
        center and over a hundred of a company, each turned into the cache
        in Python, for the handful the code routes need. The same query
        with the few columns is a fraction of that work. Read as the
        server: the caller found the center among those the user may read.
        """
        config = self.sudo()
        config.fetch(TILL_FIELDS)
        config.company_id._redeem_otp_fetch_for_till()

    def _redeem_otp_check_send_limit(self, sent):
        """Refuse a code once this center sent its hourly number of codes
        (`sent`, counted by `salon.otp.code._redeem_otp_sent_last_hour`)."""
        self.ensure_one()
        if sent >= self.redeem_otp_max_sends_per_hour:
            raise RedeemOtpError(
                "rate_limited",
                self.env._(
                    "This center has sent too many codes in the last hour; please try again later."
                ),
            )

    def _redeem_otp_overrides_today(self, now):
        """Override codes accepted at this center since the salon's midnight."""
        self.ensure_one()
        return (
            self.env["salon.otp.challenge"]
            .sudo()
            .search_count(
                [
                    ("pos_config_id", "=", self.id),
                    ("method", "=", "override"),
                    (
                        "verified_at",
                        ">=",
                        policy.day_start(self.company_id._redeem_otp_tz(), now),
                    ),
                ]
            )
        )

    def _redeem_otp_override_failures(self, now):
        """Wrong override codes typed at this center in the last hour (all cashiers)."""
        self.ensure_one()
        groups = (
            self.env["salon.otp.challenge"]
            .sudo()
            ._read_group(
                [
                    ("pos_config_id", "=", self.id),
                    ("override_failed_at", ">=", now - timedelta(hours=1)),
                ],
                [],
                ["override_failure_count:sum"],
            )
        )
        return groups[0][0] or 0

    def _redeem_otp_check_override_use(self, challenge, reason, now):
        """Refuse the override where this center or the challenge's cards forbid it.

        Returns the reason given, stripped. A dormant card refuses the
        override whatever the center allows: only the guest's own code
        releases such a balance.
        """
        self.ensure_one()
        if not self.redeem_otp_allow_override:
            raise RedeemOtpError(
                "override_not_allowed",
                self.env._("This center does not accept an override code."),
            )
        if challenge.risk_dormant or challenge.sudo().card_ids._redeem_otp_dormant(
            self.company_id
        ):
            challenge._redeem_otp_note(self.env._("Override refused: dormant card."))
            challenge._redeem_otp_log(
                logging.WARNING, "override refused", "dormant card"
            )
            raise RedeemOtpError(
                "override_not_allowed",
                self.env._(
                    "This balance has not been used for a long time: only the guest's own "
                    "code can release it, not the override code."
                ),
            )
        reason = (reason or "").strip()
        if len(reason) < 3:
            raise RedeemOtpError(
                "bad_request",
                self.env._(
                    "Say why the guest's code cannot be used (a reason is required)."
                ),
            )
        self._redeem_otp_check_override_limit(now)
        return reason

    def _redeem_otp_check_override_limit(self, now):
        """Refuse the override once the center's hourly or daily limit is reached.

        Counted one request at a time per center (`tools.turns`), so that two workers
        cannot both take the last override of the day. The group that lifts the
        daily limit does not lift the cap on wrong codes: that cap is what stops
        guessing the override code (review 60).
        """
        self.ensure_one()
        turns.take_turn(self.env.cr, self)
        if self._redeem_otp_override_failures(now) >= OVERRIDE_FAILURES_PER_HOUR:
            raise RedeemOtpError(
                "override_limit",
                self.env._(
                    "Too many wrong override codes at this center in the last hour; "
                    "a manager has been alerted."
                ),
            )
        if self.env.user.has_group("salon_otp_redeem.group_redeem_override_unlimited"):
            return
        if (
            self._redeem_otp_overrides_today(now)
            >= self.redeem_otp_override_daily_limit
        ):
            raise RedeemOtpError(
                "override_limit",
                self.env._(
                    "This center has used its %(limit)s override codes for today.",
                    limit=self.redeem_otp_override_daily_limit,
                ),
            )

    def _redeem_otp_alert_override_limit(self, challenge):
        """Alert the managers once this center has used its override codes for today."""
        self.ensure_one()
        used = self._redeem_otp_overrides_today(fields.Datetime.now())
        if policy.override_limit_reached(used, self.redeem_otp_override_daily_limit):
            self.env["res.users"]._redeem_otp_alert(
                challenge,
                self.env._("Override limit reached at %(center)s", center=self.name),
                self.env._(
                    "%(center)s used its %(limit)s override codes for today; the last one by "
                    "%(user)s: %(reason)s",
                    center=self.name,
                    limit=self.redeem_otp_override_daily_limit,
                    user=challenge.override_user_id.name or challenge.user_id.name,
                    reason=challenge.override_reason or "",
                ),
            )
