# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, misc

from ..tools import codes, policy, trusted, turns
from ..tools.errors import RedeemOtpError
from ..tools.sender import RedeemOtpSender

_logger = logging.getLogger(__name__)

CHANNELS = [("sms", "SMS"), ("whatsapp", "WhatsApp"), ("email", "Email")]


class SalonOtpCode(models.Model):
    """One code sent for a redemption authorization: where it went, until when.

    The challenge is what the cashier asked for and how it was answered; a
    row here is one code sent for it (or one send that failed), so that the
    secret and its delivery live apart from the audit record. The newest row
    is the challenge's current code; a new one voids the one before. The row
    never keeps the code, and keeps its keyed hash only while it may be typed.
    """

    _name = "salon.otp.code"
    _description = "Redemption code sent"
    _order = "create_date desc, id desc"

    @api.model
    def default_get(self, fields_list):  # pylint: disable=method-required-super
        """Server-set fields take only their own defaults (`trusted.field_defaults`).

        No super(): nothing of what it finds (the user's `ir.default` rows,
        the context's `default_*` keys) would be kept.
        """
        return trusted.field_defaults(self, fields_list)

    challenge_id = fields.Many2one(
        "salon.otp.challenge",
        string="Authorization",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    state = fields.Selection(
        [
            ("sending", "Sending"),
            ("sent", "Sent"),
            ("voided", "No longer valid"),
            ("used", "Used"),
            ("failed", "Not sent"),
        ],
        default="sent",
        required=True,
        readonly=True,
    )
    channel = fields.Selection(CHANNELS, readonly=True)
    destination_masked = fields.Char(string="Sent to", readonly=True)
    failure_reason = fields.Char(string="Why not sent", readonly=True)
    # What the till is told when a send after the response failed: the error
    # the request itself would have answered (`RedeemOtpError.to_json`).
    delivery_error = fields.Json(readonly=True, copy=False)
    code_length = fields.Integer(readonly=True)
    alphabet = fields.Selection(
        [(codes.NUMERIC, "Digits"), (codes.ALPHANUMERIC, "Letters and digits")],
        readonly=True,
    )
    sent_at = fields.Datetime(readonly=True)
    expires_at = fields.Datetime(readonly=True)
    resend_at = fields.Datetime(readonly=True)
    # Out of the ORM's reach, read and written with SQL only (auth_totp does
    # the same with its secret): no view, export or RPC read can return it.
    code_hash = fields.Char(copy=False, groups=fields.NO_ACCESS)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        for record in records:
            # One code at a time per challenge: the newest voids the previous.
            record.challenge_id.code_id._redeem_otp_void()
            record.challenge_id.code_id = record
        return records

    # ------------------------------------------------------------------
    # Secret
    # ------------------------------------------------------------------
    def _code_digest(self, code):
        self.ensure_one()
        return misc.hmac(
            self.env(su=True), codes.HMAC_SCOPE, codes.code_message(self.id, code)
        )

    def _store_code_hash(self, code):
        self.ensure_one()
        self.env.cr.execute(
            "UPDATE salon_otp_code SET code_hash = %s WHERE id = %s",
            [self._code_digest(code) if code else None, self.id],
        )

    def _redeem_otp_matches(self, typed, stored):
        """Whether what was typed is this code; `stored`: the hash the challenge's lock read."""
        typed = codes.normalize_input(typed, self.alphabet)
        return bool(typed and stored) and codes.same_digest(
            self._code_digest(typed), stored
        )

    def _redeem_otp_void(self, state="voided"):
        """The codes can no longer be answered: their hashes go at once, and
        those still open take `state`, in one statement (a verify's)."""
        if not self:
            return
        self.flush_recordset(["state"])
        self.env.cr.execute(
            """
            UPDATE salon_otp_code
               SET code_hash = NULL,
                   state = CASE WHEN state IN ('sent', 'sending') THEN %s
                                ELSE state END,
                   write_uid = %s,
                   write_date = %s
             WHERE id IN %s
            RETURNING id, state
            """,
            [state, self.env.uid, self.env.cr.now(), tuple(self.ids)],
        )
        rows = self.env.cr.fetchall()
        self.invalidate_recordset(["write_uid", "write_date"])
        self.env.cache.update(
            self.browse([row[0] for row in rows]),
            self._fields["state"],
            [row[1] for row in rows],
        )

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _redeem_otp_check_send(self, config, partner, challenges, channel, now):
        """Refuse a send the channel, the hourly limits or the resend delay forbid."""
        if channel and channel not in config.company_id._redeem_otp_channels():
            raise RedeemOtpError(
                "bad_request",
                self.env._(
                    "The channel %(channel)s is not enabled for this company.",
                    channel=channel,
                ),
            )
        for_guest, at_center = self._redeem_otp_sent_last_hour(partner, config, now)
        partner._redeem_otp_check_send_limit(config.company_id, for_guest)
        config._redeem_otp_check_send_limit(at_center)
        # One code per order per cooldown: the last challenge asked for the
        # order (a refused one included) decides. `challenges` are the
        # order's, newest first (`salon.otp.challenge._redeem_otp_siblings`).
        latest = challenges.filtered(lambda c: c.state != "failed")[:1]
        resend_at = latest.sudo().code_id.resend_at
        if resend_at and resend_at > now:
            wait = int((resend_at - now).total_seconds()) + 1
            raise RedeemOtpError(
                "rate_limited",
                self.env._(
                    "Please wait %(seconds)s seconds before sending a new code.",
                    seconds=wait,
                ),
                retry_after=wait,
            )

    @api.model
    def _redeem_otp_sent_last_hour(self, partner, config, now):
        """Codes asked for the guest, and at the center, in the last hour, every
        cashier's: both turns and both counts in one statement.

        Every challenge counts as a code asked, a refused one too, whether or
        not a code went out. Counted one request at a time per guest and per
        center (`tools.turns`), so that two workers cannot both pass the last
        free slot of an hourly limit.
        """
        self.env["salon.otp.challenge"].flush_model(
            ["partner_id", "pos_config_id", "create_date"]
        )
        self.env.cr.execute(
            SQL(
                """
                %(turns)s
                SELECT COUNT(*) FILTER (WHERE partner_id = %(guest)s),
                       COUNT(*) FILTER (WHERE pos_config_id = %(center)s)
                  FROM salon_otp_challenge
                 WHERE create_date >= %(since)s
                   AND (partner_id = %(guest)s OR pos_config_id = %(center)s)
                """,
                turns=turns.with_turns(partner, config),
                guest=partner.id,
                center=config.id,
                since=now - timedelta(hours=1),
            )
        )
        return self.env.cr.fetchone()

    @api.model
    def _redeem_otp_send(self, challenge, preferred, now):
        """Make, hash and send a new code for `challenge`; return where it went."""
        return self._redeem_otp_prepare(challenge, now)._redeem_otp_deliver(preferred)

    @api.model
    def _redeem_otp_prepare(self, challenge, now):
        """The challenge's new code row, its times set, no code in it yet.

        The code is made by `_redeem_otp_deliver`, at the moment it goes
        out: the challenge route answers the till first and sends after
        (`ir.http._post_dispatch`), so that a gateway's time is not the
        cashier's. Until then the row is 'sending' and nothing matches it.
        """
        company = challenge.company_id
        expires_at = now + timedelta(minutes=challenge.validity_minutes)
        record = self.create(
            {
                "challenge_id": challenge.id,
                "state": "sending",
                "code_length": codes.effective_length(
                    company.redeem_otp_code_length, company.redeem_otp_alphabet
                ),
                "alphabet": company.redeem_otp_alphabet,
                "sent_at": now,
                "expires_at": expires_at,
                "resend_at": now + timedelta(seconds=company.redeem_otp_resend_seconds),
            }
        )
        # Written here, not related: a stored related field would look the
        # challenge up again at every send.
        challenge.write({"expires_at": expires_at})
        return record

    def _redeem_otp_deliver(self, preferred):
        """Make, hash and send this row's code; return where it went.

        The code itself lives only in this call and the message it goes out
        in. Raises RedeemOtpError (after recording it) when no channel took it.
        """
        self.ensure_one()
        challenge = self.challenge_id
        code = codes.generate_code(self.code_length, self.alphabet)
        self._store_code_hash(code)
        sent = RedeemOtpSender(self.env)._send_code(
            challenge, code, preferred=preferred
        )
        del code
        if not sent.get("channel"):
            self._redeem_otp_send_failed(sent, fields.Datetime.now())
        self.write(
            {
                "state": "sent",
                "channel": sent["channel"],
                "destination_masked": sent["destination_masked"],
            }
        )
        challenge.write({"channel": sent["channel"]})
        challenge._redeem_otp_log(logging.INFO, "code sent", f"by {sent['channel']}")
        return sent

    def _redeem_otp_deliver_pending(self, preferred):
        """Send this code after the challenge route answered, if still wanted.

        Under the challenge's lock: a newer code, a verify or a closed
        challenge since the request leave nothing to send. A refusal is
        kept for the till's next look (`_redeem_otp_delivery`), not raised.
        """
        self.ensure_one()
        challenge = self.challenge_id
        challenge._redeem_otp_lock()
        if (
            self.state != "sending"
            or challenge.code_id != self
            or challenge.state != "pending"
        ):
            return
        # The watch on staff changes to the guest's contacts, as of now: the
        # request decided it before its answer, and a cashier may write the
        # guest's mobile between that answer and this send, which they can
        # hold back by reading the answer slowly (review 44). Under the
        # watch, only the previous destination gets the code.
        changes = self.env["salon.otp.destination.change"]._recent(
            challenge.partner_id, challenge.company_id
        )
        if changes and not challenge.risk_destination_changed:
            challenge.risk_destination_changed = True
            challenge._redeem_otp_note(changes._redeem_otp_describe())
        try:
            self._redeem_otp_deliver(preferred)
        except RedeemOtpError as exc:
            # What the refusal wrote (the failed code, the challenge left open
            # for the override or failed) stays: it is the outcome.
            self.delivery_error = exc.to_json()

    def _redeem_otp_delivery_crashed(self):
        """The send after the response broke: the till is told, the code is void."""
        if self.state != "sending":
            return
        self._redeem_otp_void("failed")
        self.write(
            {
                "failure_reason": "internal error",
                "delivery_error": RedeemOtpError(
                    "send_failed", self.env._("The code could not be sent.")
                ).to_json(),
            }
        )

    def _redeem_otp_delivery(self):
        """The till's view of a send after the response: sending, sent, or the refusal."""
        self.ensure_one()
        challenge = self.challenge_id
        if self.state == "sending":
            return {"challenge_id": challenge.id, "delivery": "sending"}
        if self.delivery_error:
            return self.delivery_error
        return {**challenge._redeem_otp_public(), "delivery": "sent"}

    def _redeem_otp_send_failed(self, sent, now):
        """No code reached the guest: say why, and keep the override open where allowed.

        Every channel failed, the guest has no usable destination, or a
        staff change holds the new one back: that is when a salon needs its
        override code. The challenge then stays open for the override only
        (it holds no code); a dormant card still refuses the override.
        """
        challenge = self.challenge_id
        self._redeem_otp_void("failed")
        self.failure_reason = sent.get("reason")
        override = (
            challenge.pos_config_id.redeem_otp_allow_override
            and not challenge.risk_dormant
        )
        challenge.write(
            {
                "channel": False,
                **(
                    {"expires_at": now + timedelta(minutes=challenge.validity_minutes)}
                    if override
                    else {"state": "failed"}
                ),
            }
        )
        self._redeem_otp_after_send_failure()
        challenge._redeem_otp_log(logging.INFO, "code not sent", sent.get("reason"))
        message = sent.get("message") or self.env._("The code could not be sent.")
        if override and not sent.get("override_only"):
            message = self.env._(
                "%(why)s. The center's override code can authorize this redemption.",
                why=message.rstrip(". "),
            )
        raise RedeemOtpError(
            sent.get("error", "send_failed"),
            message,
            challenge_id=challenge.id,
            override_only=bool(override),
        )

    def _redeem_otp_public(self):
        """Where the code went and what it looks like, for the POS's dialog."""
        self.ensure_one()

        def iso(value):
            return value and value.isoformat(timespec="seconds") + "Z"

        return {
            "channel": self.channel,
            "destination": self.destination_masked,
            "expires_at": iso(self.expires_at),
            "resend_at": iso(self.resend_at),
            "code_length": self.code_length,
            "alphabet": self.alphabet,
            # What a code can hold, so that the till keeps no copy of the rule.
            "characters": codes.alphabet_for(self.alphabet or codes.NUMERIC),
        }

    def _redeem_otp_after_send_failure(self):
        """Alert the managers when a center's codes keep failing to go out."""
        challenge = self.challenge_id.sudo()
        config = challenge.pos_config_id
        failed = self.sudo().search_count(
            [
                ("challenge_id.pos_config_id", "=", config.id),
                ("state", "=", "failed"),
                ("create_date", ">=", fields.Datetime.now() - timedelta(hours=1)),
            ]
        )
        threshold = challenge.company_id.redeem_otp_failed_send_alert
        if policy.failed_sends_alert(failed, threshold):
            self.env["res.users"]._redeem_otp_alert(
                challenge,
                self.env._("Codes not sent at %(center)s", center=config.name),
                self.env._(
                    "%(count)s codes could not be sent at %(center)s in the last hour; "
                    "the last reason: %(reason)s",
                    count=failed,
                    center=config.name,
                    reason=self.failure_reason or "",
                ),
            )

    # ------------------------------------------------------------------
    # Retention, run by Odoo's daily autovacuum: a code lives ten minutes at
    # most, so an old hash only helps an offline guess.
    # ------------------------------------------------------------------
    @api.autovacuum
    def _gc_redeem_otp_code_hashes(self):
        """Erase the hashes of codes sent more than a day ago.

        Such a code is finished whatever its state column says: expiry is
        lazy (a pending challenge turns 'expired' only when next touched).
        Finished challenges void their code at once already; this catches
        the abandoned ones.
        """
        cutoff = fields.Datetime.now() - timedelta(
            hours=policy.CODE_HASH_RETENTION_HOURS
        )
        self.env.cr.execute(
            """
            UPDATE salon_otp_code
               SET code_hash = NULL
             WHERE code_hash IS NOT NULL
               AND create_date < %s
            """,
            [cutoff],
        )
        if self.env.cr.rowcount:
            _logger.info("Erased %s redemption code hashes", self.env.cr.rowcount)
