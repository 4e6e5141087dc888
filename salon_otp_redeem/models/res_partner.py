# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..tools import disclosure, policy, trusted, turns
from ..tools.errors import RedeemOtpError
from ..tools.sender import RedeemOtpSender

_logger = logging.getLogger(__name__)

# A membership makes members-only benefits spendable: set by whoever sells
# memberships, never at the till.
MEMBERSHIP_FIELDS = (
    "free_member",
    "associate_member",
    "membership_state",
    "membership_start",
    "membership_stop",
    "membership_cancel",
    "member_lines",
)
MEMBER_STATES = ("paid", "free")
# What can move where a guest's codes go: the destinations themselves, and
# what decides how a number without its prefix is read.
DESTINATION_KEYS = ("mobile", "phone", "email", "country_id", "parent_id", "type")
WATCHING_KEY = "salon_otp_redeem.destination_watch"
# What the till's routes read of the guest (`_redeem_otp_fetch_for_till`):
# the name, what the record rules ask, and where a code can go.
TILL_FIELDS = (
    "name",
    "active",
    "company_id",
    "partner_share",
    "mobile",
    "phone",
    "email",
    "country_id",
)
# Redemptions below the minimum amount add up per guest over this window.
UNCODED_WINDOW = timedelta(hours=24)


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def default_get(self, fields_list):
        """Server-set fields take only their own defaults (`trusted.own_defaults`)."""
        return trusted.own_defaults(
            self, super().default_get(fields_list), MEMBERSHIP_FIELDS
        )

    redeem_otp_challenge_count = fields.Integer(
        string="Redemption authorizations",
        compute="_compute_redeem_otp_challenge_count",
        groups="point_of_sale.group_pos_manager",
    )

    def _redeem_otp_fetch_for_till(self):
        """Read the guest once, only what the till's routes use: touching a
        field reads the whole row, some sixty columns each turned into the
        cache in Python (see `pos.config._redeem_otp_fetch_for_till`). A
        guest that does not exist is read as nothing, for the caller to see."""
        self.fetch(TILL_FIELDS)

    def _compute_redeem_otp_challenge_count(self):
        counts = self.env["salon.otp.challenge"]._redeem_otp_counts("partner_id", self)
        for partner in self:
            partner.redeem_otp_challenge_count = counts.get(partner, 0)

    @api.model
    def _load_pos_data_fields(self, config_id):
        """The POS shows membership benefits only to members."""
        return [
            *super()._load_pos_data_fields(config_id),
            "membership_state",
            "membership_stop",
        ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._redeem_otp_guard_membership(vals)
        return super().create(vals_list)

    def write(self, vals):
        """Record who moved a guest's code destinations, and from what.

        Redemption codes go to the mobile, phone or email; see
        salon.otp.destination.change.
        """
        self._redeem_otp_guard_membership(vals)
        self._redeem_otp_guard_salon_contact()
        if "name" in vals:
            self._redeem_otp_guard_staff_name()
        return self._redeem_otp_watch(vals, super().write)

    def unlink(self):
        self._redeem_otp_check_holders(
            self.env._(
                "These contacts hold loyalty or prepaid balances or a membership: "
                "only a Point of Sale manager can delete them."
            )
        )
        return super().unlink()

    def _redeem_otp_check_holders(self, message):
        """A guest's balances and membership do not lose their holder at the till.

        Deleted, a guest's cards are left with no holder (the database
        clears it, past the card's own guard) for anyone to spend; merged,
        they and the membership lines go to the contact kept. Gift cards
        belong to whoever holds them.
        """
        if not self.env.user._redeem_otp_is_cashier():
            return
        partners = self.sudo().with_context(active_test=False)
        cards = partners.env["loyalty.card"].search_count(
            [
                ("partner_id", "in", self.ids),
                ("program_id.program_type", "!=", "gift_card"),
            ],
            limit=1,
        )
        if cards or any(
            p.member_lines or p.free_member or p.associate_member for p in partners
        ):
            raise AccessError(message)

    def update_address(self, vals):
        """Stock's address sync (from a parent company, to its contacts) writes past
        `write`: the country it moves is a destination move all the same."""
        return self._redeem_otp_watch(vals, super().update_address)

    def _redeem_otp_watch(self, vals, apply):
        if not any(name in vals for name in DESTINATION_KEYS):
            return apply(vals)
        self._redeem_otp_guard_salon_country(vals)
        # A write that syncs the address (parent_id) calls update_address
        # inside: the outer call records the move, once.
        watching = self.env.cr.precommit.data.setdefault(WATCHING_KEY, set())
        if watching.issuperset(self.ids):
            return apply(vals)
        Change = self.env["salon.otp.destination.change"]
        before = Change._effective(self)
        watching.update(self.ids)
        try:
            result = apply(vals)
        finally:
            watching.difference_update(self.ids)
        Change._record_effects(before, self)
        return result

    def _redeem_otp_guard_salon_contact(self):
        """The salon's own contact is who codes and notices come from.

        Its name opens every code message and its email is their sender and
        reply-to address: a cashier renaming it or changing its email writes
        the guest's code message or takes the guest's "this was not me".
        """
        if self.env.user._redeem_otp_is_cashier() and self.env[
            "res.company"
        ].sudo().with_context(active_test=False).search_count(
            [("partner_id", "in", self.ids)], limit=1
        ):
            raise AccessError(
                self.env._(
                    "Only a Point of Sale manager can change the salon's contact."
                )
            )

    def _redeem_otp_guard_staff_name(self):
        """Staff are named in the managers' alerts and the receipts by the name
        they have at that moment: a cashier renamed as a colleague for an
        override has the alert blame the colleague (review 31). Every user
        may write their own name (and their contact's): not a cashier."""
        if self.env.user._redeem_otp_is_cashier() and self.env[
            "res.users"
        ].sudo().with_context(active_test=False).search_count(
            [("partner_id", "in", self.ids), ("share", "=", False)], limit=1
        ):
            raise AccessError(
                self.env._("Only a Point of Sale manager can rename a member of staff.")
            )

    def _redeem_otp_guard_salon_country(self, vals):
        """The salon's country reads every number written without its prefix.

        A guest with no country of their own has it read with the company's:
        moving the company's partner would move all of those numbers at once.
        """
        if "country_id" not in vals or not self.env.user._redeem_otp_is_cashier():
            return
        companies = (
            self.env["res.company"]
            .sudo()
            .search_count([("partner_id", "in", self.ids)], limit=1)
        )
        if companies:
            raise AccessError(
                self.env._(
                    "Only a Point of Sale manager can change the salon's country."
                )
            )

    def _redeem_otp_check_send_limit(self, company, sent):
        """Refuse a code once the guest received the company's hourly number of
        codes (`sent`, counted by `salon.otp.code._redeem_otp_sent_last_hour`)."""
        self.ensure_one()
        if sent >= company.redeem_otp_max_sends_per_hour:
            raise RedeemOtpError(
                "rate_limited",
                self.env._(
                    "This guest has received %(count)s codes in the last hour; "
                    "please try again later.",
                    count=sent,
                ),
            )

    def _redeem_otp_check_member(self, programs, company):
        """Membership benefits are for members only, whatever the POS shows."""
        benefits = programs.sudo().filtered("redeem_otp_membership_only")
        if benefits and not self._redeem_otp_is_member(company):
            disclosure.check_may_name(benefits[:1], self)
            raise UserError(
                self.env._(
                    "%(program)s is a membership benefit and %(guest)s has no active "
                    "membership.",
                    program=benefits[0].name,
                    guest=self.display_name or self.env._("this guest"),
                )
            )

    def _redeem_otp_is_member(self, company):
        """A member on the salon's today (`company`'s).

        Stock stores the membership state and moves it on only when the
        lines or their invoices change, or by its daily cron: a membership
        that ended at midnight still reads "paid" until then (review 57).
        So the stored state, and a line of that state running today. Stock's
        state counts every company's lines: a membership sold by another
        company of the database (a gym sharing it) is no membership of this
        salon's; one of its parent companies, or of none, is (review 59).
        """
        partner = self.sudo()
        if not partner or partner.membership_state not in MEMBER_STATES:
            return False
        holder = partner.associate_member or partner
        if holder.free_member:
            return True
        today = company._redeem_otp_today()
        companies = company.sudo().parent_ids
        return any(
            line.state in MEMBER_STATES
            and (not line.company_id or line.company_id in companies)
            and policy.membership_covers(line.date_from, line.date_to, today)
            for line in holder.member_lines
        )

    def _redeem_otp_uncoded_recently(self, order, cards):
        """What this guest, or these cards, redeemed without a code lately, `order` aside.

        Small spends add up, or a balance could be drained in pieces each
        below the minimum amount: per guest, and per card for orders with no
        guest or another guest's name.
        """
        if not order.company_id.redeem_otp_min_amount:
            return 0.0
        # Two tills summing at once would each miss the other's spend: the
        # sums of one guest and of one card are taken one request at a time.
        turns.take_turn(self.env.cr, self.sudo())
        turns.take_turn(self.env.cr, cards.sudo())
        whose = [("lines.coupon_id", "in", cards.ids)]
        if self:
            self.ensure_one()
            whose = expression.OR([[("partner_id", "=", self.id)], whose])
        orders = (
            self.env["pos.order"]
            .sudo()
            .search(
                expression.AND(
                    [
                        whose,
                        [
                            ("redeem_otp_decision", "!=", False),
                            ("state", "in", policy.PAID_STATES),
                            # When it was paid (its last write), not when its
                            # draft was first saved: yesterday's drafts paid
                            # today are today's spends.
                            (
                                "write_date",
                                ">=",
                                fields.Datetime.now() - UNCODED_WINDOW,
                            ),
                            ("id", "!=", order._origin.id or 0),
                        ],
                    ]
                )
            )
        )
        dormant = orders.lines.coupon_id._redeem_otp_dormant(order.company_id)
        return sum(
            other.lines._redeem_otp_protected(other, dormant)._redeem_otp_amount()
            for other in orders
        )

    @api.model
    def _redeem_otp_guard_membership(self, vals):
        if not any(vals.get(name) for name in MEMBERSHIP_FIELDS) and not (
            self and any(name in vals for name in MEMBERSHIP_FIELDS)
        ):
            return
        self.env.user._redeem_otp_check_membership_manager()

    def _redeem_otp_notify_override(self, challenge):
        """Tell the guest a staff override spent their balance, on the first channel that works."""
        self.ensure_one()
        try:
            channel = RedeemOtpSender(self.env)._send_notice(
                self,
                challenge.company_id,
                challenge,
                {
                    "sms": "salon_otp_redeem.sms_template_redeem_override",
                    "email": "salon_otp_redeem.mail_template_redeem_override",
                },
                {},
                f"Override notice for challenge {challenge.id}",
            )
        except Exception:  # noqa: BLE001 - a notice never undoes the override
            _logger.exception("Override notice for challenge %s failed", challenge.id)
            return None
        if not channel:
            _logger.warning(
                "Override notice for challenge %s: no channel reached the guest",
                challenge.id,
            )
        return channel
