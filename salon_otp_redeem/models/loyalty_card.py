# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import payloads, policy, trusted

_logger = logging.getLogger(__name__)

# What a balance is: who holds it, how much, of what, until when. A cashier
# changes these only through a redemption the server checked.
GUARDED_FIELDS = ("points", "partner_id", "program_id", "expiration_date", "active")


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
        changed = [name for name in GUARDED_FIELDS if name in vals]
        if not changed or not self:
            return
        user = self.env.user
        if user._redeem_otp_is_cashier():
            raise AccessError(
                self.env._(
                    "Only a Point of Sale manager can change the balance, holder, "
                    "program, expiry or status of %(card)s; at the till, spend it "
                    "with the guest's code.",
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

    # ------------------------------------------------------------------
    # Facts the policy reads
    # ------------------------------------------------------------------
    def _redeem_otp_expired(self, company):
        """Cards past their expiration date where the salon is."""
        now = pytz.utc.localize(fields.Datetime.now())
        today = now.astimezone(company._redeem_otp_tz()).date()
        return self.sudo().filtered(
            lambda card: policy.is_expired(card.expiration_date, today)
        )

    def _redeem_otp_dormant(self, now=None):
        """Cards without activity (server-written history, or creation) for the delay.

        Gift cards are bearer cards, with no guest to send a code to: never
        dormant here. Only the server writes history rows (see
        loyalty.history), so a cashier cannot wake a card up.
        """
        cards = self.sudo().filtered(
            lambda card: card.program_id.program_type not in policy.NEVER_PROTECTED
        )
        if not cards:
            return cards
        now = now or fields.Datetime.now()
        history = dict(
            self.env["loyalty.history"]
            .sudo()
            ._read_group(
                [("card_id", "in", cards.ids)], ["card_id"], ["create_date:max"]
            )
        )
        return cards.filtered(
            lambda card: policy.is_dormant(
                policy.last_activity(card.create_date, [history.get(card)]),
                now,
                (
                    card.company_id or card.program_id.company_id or self.env.company
                ).redeem_otp_dormant_days,
            )
        )

    def _redeem_otp_refuse_expired(self, company, where, order=None):
        """Raise a UserError when one of these cards is past its expiration date."""
        expired = self._redeem_otp_expired(company)
        if not expired:
            return
        card = expired[0]
        # The refused sync or RPC is rolled back: the log is the record.
        _logger.warning(
            "Redemption of expired card %s (expired %s) refused at %s: order %s, user %s",
            card.id,
            card.expiration_date,
            where,
            order and order.uuid,
            self.env.user.login,
        )
        raise UserError(card._redeem_otp_expired_message())

    def _redeem_otp_expired_message(self):
        self.ensure_one()
        return self.env._(
            "The card %(code)s (%(program)s) expired on %(date)s: its balance can no "
            "longer be spent.",
            code=self.code,
            program=self.program_id.name,
            date=self.expiration_date,
        )
