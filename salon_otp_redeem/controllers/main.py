# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from ..tools import payloads
from ..tools.errors import RedeemOtpError
from ..tools.sender import RedeemOtpSender

_logger = logging.getLogger(__name__)

UUID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
# The largest id of an integer primary key.
MAX_ID = 2**31 - 1
# What a look at a challenge reads of it: whose it is, and its state.
LOOK_FIELDS = ["state", "pos_config_id", "pos_session_id", "user_id", "code_id"]


class RedeemOtpController(http.Controller):
    """Thin JSON routes for the POS dialog: parse, check rights, call the model.

    Errors are ordinary results with a code, so the POS can show a message
    for each; a traceback never reaches the till.
    """

    @http.route(
        "/salon_otp_redeem/challenge", type="json", auth="user", methods=["POST"]
    )
    def challenge(
        self,
        pos_config_id=None,
        partner_id=None,
        order_uuid=None,
        redemptions=None,
        channel=None,
        **kwargs,
    ):
        return self._call(
            lambda: self._request_code(
                pos_config_id, partner_id, order_uuid, redemptions, channel
            )
        )

    @http.route(
        "/salon_otp_redeem/delivery", type="json", auth="user", methods=["POST"]
    )
    def delivery(self, challenge_id=None, **kwargs):
        """Whether the code the challenge route answered for went out, and where."""
        return self._call(lambda: self._delivery(challenge_id))

    @http.route("/salon_otp_redeem/verify", type="json", auth="user", methods=["POST"])
    def verify(
        self, challenge_id=None, code=None, override_code=None, reason=None, **kwargs
    ):
        return self._call(
            lambda: self._verify(challenge_id, code, override_code, reason)
        )

    @http.route(
        "/salon_otp_redeem/channels", type="json", auth="user", methods=["POST"]
    )
    def channels(self, pos_config_id=None, partner_id=None, **kwargs):
        """The channels a guest can receive a code on, masked, for the dialog's chooser."""
        return self._call(lambda: self._channels(pos_config_id, partner_id))

    @http.route(
        "/salon_otp_redeem/decision", type="json", auth="user", methods=["POST"]
    )
    def decision(
        self,
        pos_config_id=None,
        partner_id=None,
        order_uuid=None,
        lines=None,
        amount_total=0.0,
        **kwargs,
    ):
        """Whether the order as the POS holds it needs the guest's code, and why."""
        return self._call(
            lambda: self._decide(
                pos_config_id, partner_id, order_uuid, lines, amount_total
            )
        )

    # ------------------------------------------------------------------
    def _call(self, func):
        try:
            return func()
        except RedeemOtpError as exc:
            return exc.to_json()
        except (AccessError, MissingError):
            return RedeemOtpError(
                "access_denied",
                request.env._("You are not allowed to do this at this point of sale."),
            ).to_json()
        except UserError as exc:
            return RedeemOtpError("bad_request", str(exc.args[0])).to_json()

    def _request_code(
        self, pos_config_id, partner_id, order_uuid, redemptions, channel
    ):
        # Set only once this try's challenge exists: a retried transaction
        # must not send for the try that was rolled back.
        request.redeem_otp_delivery = None
        config = self._check_config(pos_config_id)
        partner = self._check_partner(partner_id, config)
        if not isinstance(order_uuid, str) or not UUID_RE.match(order_uuid):
            raise RedeemOtpError(
                "bad_request",
                request.env._("The order reference is missing or malformed."),
            )
        if channel is not None and channel not in ("sms", "whatsapp", "email"):
            raise RedeemOtpError("bad_request", request.env._("Unknown channel."))
        # Challenges are created only here, as the model's own code, never by
        # a POS user's create(); the cashier is still the real user. The
        # code goes out once this answer is sent (`ir.http._post_dispatch`):
        # the till asks /delivery where it went.
        challenge = (
            request.env["salon.otp.challenge"]
            .sudo()
            ._redeem_otp_request(
                config,
                partner,
                order_uuid,
                redemptions,
                channel=channel or None,
                deliver=False,
            )
        )
        context = request.env.context
        request.redeem_otp_delivery = (
            request.env.uid,
            {
                key: context[key]
                for key in ("allowed_company_ids", "lang", "tz")
                if key in context
            },
            challenge.code_id.id,
            channel or None,
        )
        return {**challenge._redeem_otp_public(), "delivery": "sending"}

    def _delivery(self, challenge_id):
        challenge, _stored = self._check_challenge(challenge_id, lock=False)
        return challenge.code_id._redeem_otp_delivery()

    def _decide(self, pos_config_id, partner_id, order_uuid, lines, amount_total):
        config, session = self._check_config_session(pos_config_id, fetch=True)
        partner = (
            self._check_partner(partner_id, config)
            if partner_id
            else request.env["res.partner"]
        )
        if not isinstance(order_uuid, str) or not UUID_RE.match(order_uuid):
            raise RedeemOtpError(
                "bad_request",
                request.env._("The order reference is missing or malformed."),
            )
        try:
            lines = payloads.decision_lines(lines)
            amount_total = payloads.number(amount_total or 0.0, what="total")
        except payloads.PayloadError as exc:
            raise RedeemOtpError(
                "bad_request",
                request.env._("The order cannot be read: %(why)s.", why=exc),
            ) from None
        decision = session._redeem_otp_decide(partner, order_uuid, lines, amount_total)
        if decision["needs_code"] and not partner:
            raise RedeemOtpError(
                "bad_request",
                request.env._(
                    "Spending this balance needs the guest's code: choose the guest first."
                ),
            )
        return decision

    def _verify(self, challenge_id, code, override_code, reason):
        challenge, stored = self._check_challenge(challenge_id)
        if override_code is not None:
            if not isinstance(override_code, str) or not override_code.strip():
                raise RedeemOtpError(
                    "bad_request", request.env._("Type the override code.")
                )
            if not isinstance(reason, str):
                raise RedeemOtpError(
                    "bad_request",
                    request.env._("A reason is required for an override."),
                )
            return challenge._redeem_otp_verify_locked(
                stored, None, override_code, reason
            )
        if not isinstance(code, str) or not code.strip() or len(code) > 64:
            raise RedeemOtpError(
                "bad_request", request.env._("Type the code the guest received.")
            )
        return challenge._redeem_otp_verify_locked(stored, code, None, None)

    def _channels(self, pos_config_id, partner_id):
        config = self._check_config(pos_config_id)
        partner = self._check_partner(partner_id, config)
        sender = RedeemOtpSender(request.env(su=True))
        return {"channels": sender._available_channels(partner, config.company_id)}

    # ------------------------------------------------------------------
    def _check_user(self):
        if not request.env.user.has_group("point_of_sale.group_pos_user"):
            raise RedeemOtpError(
                "access_denied", request.env._("Only Point of Sale users can do this.")
            )

    def _check_config(self, pos_config_id):
        config, _session = self._check_config_session(pos_config_id, fetch=True)
        return config

    def _check_config_session(self, pos_config_id, fetch=False):
        """The center, if this user may use it now, and its open session.

        With `fetch`, the center and its company are read at once, only the
        columns the routes that work on them use (`_redeem_otp_fetch_for_till`).
        """
        self._check_user()
        if not isinstance(pos_config_id, int) or isinstance(pos_config_id, bool):
            raise RedeemOtpError(
                "bad_request", request.env._("The point of sale is missing.")
            )
        if not 0 < pos_config_id <= MAX_ID:
            # Not an id PostgreSQL can hold: no such center (and no query).
            raise RedeemOtpError(
                "access_denied", request.env._("This point of sale does not exist.")
            )
        # One query: the center's current session, the center being one this
        # user may read (access rights and record rules, multi-company),
        # archived or not. Which of those failed is asked only on refusal.
        Config = request.env["pos.config"].with_context(active_test=False)
        session = request.env["pos.session"]._redeem_otp_current(Config, pos_config_id)
        if not session:
            if not Config.search([("id", "=", pos_config_id)]):
                if Config.sudo().browse(pos_config_id).exists():
                    raise AccessError(request.env._("This point of sale is not yours."))
                raise RedeemOtpError(
                    "access_denied",
                    request.env._("This point of sale does not exist."),
                )
        if not session or session.state != "opened":
            raise RedeemOtpError(
                "access_denied",
                request.env._("Open a session on this point of sale first."),
            )
        config = Config.browse(pos_config_id)
        if fetch:
            config._redeem_otp_fetch_for_till()
        return config, session

    def _check_partner(self, partner_id, config):
        if not isinstance(partner_id, int) or isinstance(partner_id, bool):
            raise RedeemOtpError(
                "bad_request", request.env._("Choose the guest first.")
            )
        partner = request.env["res.partner"].browse(partner_id)
        partner.sudo()._redeem_otp_fetch_for_till()
        try:
            partner.sudo().name  # noqa: B018 (a guest that does not exist raises)
        except MissingError:
            raise RedeemOtpError(
                "bad_request", request.env._("This guest does not exist.")
            ) from None
        partner.check_access("read")
        return partner.sudo()

    def _check_challenge(self, challenge_id, lock=True):
        self._check_user()
        if not isinstance(challenge_id, int) or isinstance(challenge_id, bool):
            raise RedeemOtpError(
                "bad_request", request.env._("The code request is missing.")
            )
        if not 0 < challenge_id <= MAX_ID:
            raise RedeemOtpError(
                "bad_request", request.env._("This code request does not exist.")
            )
        Challenge = request.env["salon.otp.challenge"].sudo()
        challenge = Challenge.browse(challenge_id)
        stored = None
        try:
            # The row's one read is its lock: a verify always takes it, and
            # holding it a moment longer for someone else's id costs nothing.
            # A look at the delivery takes none (it would wait for the send):
            # one read of what the checks below and its answer use.
            if lock:
                stored = challenge._redeem_otp_lock()
            elif not Challenge.search_fetch([("id", "=", challenge_id)], LOOK_FIELDS):
                raise MissingError(request.env._("This code request does not exist."))
        except MissingError:
            raise RedeemOtpError(
                "bad_request", request.env._("This code request does not exist.")
            ) from None
        config_id = challenge.pos_config_id.id
        # The same checks as when the code was asked for: a POS user, on a
        # center they may use, with its session still open; and only the
        # cashier who asked, in that session, may answer it (another till
        # could otherwise burn its attempts, lock or override it).
        _config, session = self._check_config_session(config_id)
        if challenge.user_id != request.env.user or challenge.pos_session_id != session:
            raise RedeemOtpError(
                "access_denied",
                request.env._("This code was asked for by another cashier or session."),
            )
        return challenge, stored
