# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)


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

    def write(self, vals):
        """POS users may write cards (pos_loyalty's access rights), but not spend them.

        Lowering a protected card's points outside the authorized points RPC is
        refused for POS users and recorded when a manager does it, so the lock
        on the order path cannot be walked around from the card itself.
        """
        if "points" in vals and not self.env.context.get("salon_otp_points_authorized"):
            self._redeem_otp_guard_points(float(vals["points"] or 0.0))
        return super().write(vals)

    def _redeem_otp_guard_points(self, new_points):
        lowered = self.sudo().filtered(
            lambda card: (
                new_points < card.points and card.program_id._redeem_otp_protected()
            )
        )
        if not lowered or self.env.uid == 1:
            return
        user = self.env.user
        if user.has_group("point_of_sale.group_pos_manager") or not user.has_group(
            "point_of_sale.group_pos_user"
        ):
            for card in lowered:
                _logger.info(
                    "Protected card %s lowered from %s to %s by %s outside the POS",
                    card.id,
                    card.points,
                    new_points,
                    user.login,
                )
            return
        raise AccessError(
            _(
                "Only a Point of Sale manager can lower the balance of %(card)s; "
                "at the till, spend it with the guest's code.",
                card=lowered[0].code,
            )
        )
