# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools import policy

_logger = logging.getLogger(__name__)

MEMBER_STATES = ("paid", "free")


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

    # ------------------------------------------------------------------
    # Sync: refuse what was not authorized
    # ------------------------------------------------------------------
    def _process_saved_order(self, draft):
        """Check protected redemptions once every line is saved, before payment.

        Here the lines sent now and those saved by earlier draft syncs are
        all on the order, and nothing is posted yet; a UserError rolls the
        whole sync back, so the POS keeps the order.
        """
        if not draft and self.state != "cancel":
            self._redeem_otp_enforce()
        return super()._process_saved_order(draft)

    def _redeem_otp_enforce(self):
        self.ensure_one()
        rewarded = self.lines.filtered(lambda line: line.reward_id)
        if not rewarded:
            return
        self._redeem_otp_check_membership(
            rewarded.reward_id.program_id, self.partner_id
        )
        lines = self._redeem_otp_protected_lines()
        if not lines:
            return
        self.env["salon.otp.policy"]._redeem_otp_check_lines(self, lines)
        if not self._redeem_otp_needs_code(lines):
            return
        self.redeem_otp_challenge_id.sudo()._redeem_otp_authorize_order(self, lines)

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
            }
            for line in lines
        ]

    @api.model
    def _redeem_otp_check_membership(self, programs, partner):
        """Membership benefits are for members only, whatever the POS shows."""
        benefits = programs.filtered("redeem_otp_membership_only")
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
        """Deduct points only for what a used challenge of this order authorized.

        Called by the POS after the order synced (pos_loyalty's
        `_postPushOrderResolve`); it is also callable over RPC with any data,
        so it is checked here, not trusted.
        """
        changes = {int(key): value for key, value in coupon_data.items()}
        guarded = self._redeem_otp_check_point_changes(changes)
        result = super(
            PosOrder, self.with_context(salon_otp_points_authorized=True)
        ).confirm_coupon_programs(coupon_data)
        if guarded:
            self.redeem_otp_challenge_id.sudo().points_confirmed = True
            self.env["salon.otp.notice"]._redeem_otp_send_notices(self, guarded)
        return result

    def _redeem_otp_check_point_changes(self, changes):
        """Return the protected cards whose points go down, once allowed; raise otherwise."""
        decreases = {
            card_id: -float(vals.get("points") or 0.0)
            for card_id, vals in changes.items()
            if card_id > 0 and float(vals.get("points") or 0.0) < 0
        }
        if not decreases:
            return {}
        cards = self.env["loyalty.card"].sudo().browse(list(decreases)).exists()
        self.ensure_one()
        self.env["salon.otp.policy"]._redeem_otp_check_cards(self, cards)
        active = self.config_id._redeem_otp_active()
        rules = self.env["salon.otp.policy"]
        protected = cards.filtered(
            lambda card: (
                (active and card.program_id._redeem_otp_protected())
                or rules._redeem_otp_card_always_protected(card)
            )
        )
        if not protected:
            return {}
        challenge = self.redeem_otp_challenge_id.sudo()
        lines = self._redeem_otp_protected_lines()
        if lines and not self._redeem_otp_needs_code(lines):
            self.env["salon.otp.policy"]._redeem_otp_check_uncoded_decreases(
                self, lines, {card.id: decreases[card.id] for card in protected}
            )
            return {}
        if not challenge or challenge.state != "used" or challenge.pos_order_id != self:
            raise UserError(
                _("These points can only be spent with the guest's verified code.")
            )
        if challenge.points_confirmed:
            raise UserError(_("The points of this order were already deducted."))
        challenge._lock_for_update()
        allowed = challenge._redeem_otp_authorized_points()
        for card in protected:
            if (
                decreases[card.id] - allowed.get(card.id, 0.0)
                > 10**-policy.POINTS_PRECISION
            ):
                raise UserError(
                    _(
                        "The guest authorized %(allowed)s points from %(card)s, not %(asked)s.",
                        allowed=allowed.get(card.id, 0.0),
                        card=card.code,
                        asked=decreases[card.id],
                    )
                )
        return {card.id: decreases[card.id] for card in protected}
