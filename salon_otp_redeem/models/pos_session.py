# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import AccessError, MissingError, UserError

from ..tools import payloads, policy, trusted
from ..tools.errors import RedeemOtpError

# A session's life, in order; stock's own buttons move it one step at a time.
STEPS = ("opening_control", "opened", "closing_control", "closed")


class PosSession(models.Model):
    _inherit = "pos.session"

    def write(self, vals):
        """A cashier moves a session one step forward at a time, as stock does,
        and closes it only through stock's closing.

        POS users may write any session: reopening a closed one books orders
        where no count will see their cash, and a rescue flag or another
        center on an open one leaves its till unable to ask for codes. A
        closed one stays as its closing left it.
        """
        if not trusted.is_marked(self.env) and self.env.user._redeem_otp_is_cashier():
            # Nor any value written through to another record (a related
            # field's inverse): as the server, past that record's guards.
            fixed = [
                name
                for name in vals
                if name in ("rescue", "config_id", "user_id")
                or (name in self._fields and self._fields[name].inverse)
            ]
            step = STEPS.index(vals["state"]) if vals.get("state") in STEPS else None
            # Closed only by stock's closing (`_validate_session`), which books it.
            if (
                fixed
                or vals.get("state") == "closed"
                or any(
                    step is not None and step - STEPS.index(session.state) not in (0, 1)
                    for session in self.sudo()
                )
            ):
                raise AccessError(
                    self.env._(
                        "A session moves only forward, by its own buttons (%(fields)s).",
                        fields=", ".join(fixed or ["state"]),
                    )
                )
            # A closed session's figures are the manager's audit of the
            # count: what was counted, when, and its notes (review 64).
            if any(session.state == "closed" for session in self.sudo()):
                raise AccessError(
                    self.env._("A closed session is no longer changed at the till.")
                )
        return super().write(vals)

    def _validate_session(
        self,
        balancing_account=False,
        amount_to_balance=0,
        bank_payment_method_diffs=None,
    ):
        """Stock's closing, the one way a cashier's session becomes closed."""
        return super(PosSession, trusted.mark(self))._validate_session(
            balancing_account, amount_to_balance, bank_payment_method_diffs
        )

    @api.model
    def _load_pos_data_models(self, config_id):
        """Declare the challenge model so the order's authorization is a relation the POS syncs."""
        return [*super()._load_pos_data_models(config_id), "salon.otp.challenge"]

    def _redeem_otp_check_open_to_cashier(self):
        """A cashier saves orders into an open session of a center they may use."""
        # The session's one read, which stock's sync then reuses: a session
        # that does not exist raises at it.
        try:
            state = self.sudo().state if len(self) == 1 else None
        except MissingError:
            state = None
        if state != "opened":
            raise UserError(self.env._("This order's session is not open."))
        self.config_id.check_access("read")

    def _redeem_otp_check_order_owner(self, order_uuid, challenges):
        """An order uuid belongs to the session and cashier that first used it.

        Otherwise a request with another till's uuid would void that till's
        code (a new code supersedes the order's earlier ones). `challenges`
        are all of the order uuid's (`salon.otp.challenge._redeem_otp_siblings`).
        """
        # Every cashier's challenges count, not only those the user may read;
        # but a refused request (cancelled) holds no code and owns nothing:
        # another center's cashier would block this till's order with one.
        foreign = any(
            challenge.state != "cancelled"
            and (challenge.pos_session_id != self or challenge.user_id != self.env.user)
            for challenge in challenges.sudo()
        ) or self.env["pos.order"].sudo().search_count(
            [("uuid", "=", order_uuid), ("session_id", "!=", self.id)], limit=1
        )
        if foreign:
            raise RedeemOtpError(
                "access_denied",
                self.env._("This order belongs to another session or cashier."),
            )

    @api.model
    def _redeem_otp_current(self, configs, config_id):
        """The center's current session, as stock's `current_session_id` picks it.

        That is its newest session neither closed nor a rescue, of a center
        among `configs` the user may read, found by one query (with the
        user's record rules, as reading the field does) instead of reading
        the center and then every session it ever had. The center's
        `current_session_id` is set to it in the request's cache, so that
        the rest of the request reads it for nothing.
        """
        session = self.search_fetch(
            [
                ("config_id", "in", configs._search([("id", "=", config_id)])),
                ("state", "!=", "closed"),
                ("rescue", "=", False),
            ],
            ["state"],
            order="id desc",
            limit=1,
        )
        if session:
            config = configs.browse(config_id)
            self.env.cache.update(
                config, config._fields["current_session_id"], [session.id]
            )
        return session

    def _redeem_otp_decide(self, partner, order_uuid, lines, amount_total):
        """The decision for an order this session's till holds but has not saved.

        Runs `_redeem_otp_decision` on an unsaved copy built from the POS's
        lines (its sales, what the order earns on, and its rewards), so the
        till and the sync cannot disagree. Returns what the code dialog
        needs: the server's redemptions, its summary and the fingerprint
        that tells the POS whether a verified code still fits.
        """
        self.ensure_one()
        rewards = [line for line in lines if line.get("reward_id")]
        for model, ids in (
            ("loyalty.reward", {line["reward_id"] for line in rewards}),
            ("loyalty.card", {line["card_id"] for line in rewards if line["card_id"]}),
        ):
            records = self.env[model].sudo().browse(ids)
            if len(records.exists()) != len(records):
                raise UserError(self.env._("A reward or card of this order is gone."))
        config = self.config_id
        order = (
            self.env["pos.order"]
            .sudo()
            .new(
                {
                    "config_id": config.id,
                    "session_id": self.id,
                    "company_id": config.company_id.id,
                    "partner_id": partner.id,
                    "uuid": order_uuid,
                    "amount_total": amount_total,
                    "lines": payloads.order_copy_lines(lines),
                }
            )
        )
        copies = order.lines
        for item, combo in payloads.combo_links(lines):
            copies[item].combo_parent_id = copies[combo]
        decision = order._redeem_otp_decision()
        redemptions = decision["lines"]._redeem_otp_redemptions()
        for item, line in zip(redemptions, decision["lines"], strict=True):
            value = line._redeem_otp_value()
            if value is not None:
                item["amount"] = value
        summary = self.env["loyalty.program"]._redeem_otp_summary(
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
