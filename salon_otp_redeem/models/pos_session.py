# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import MissingError, UserError

from ..tools.errors import RedeemOtpError


class PosSession(models.Model):
    _inherit = "pos.session"

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
