# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models

from ..tools import masking, phones, policy, trusted
from ..tools.sender import RedeemOtpSender

_logger = logging.getLogger(__name__)

WATCHED_FIELDS = ("mobile", "phone", "email")


class SalonOtpDestinationChange(models.Model):
    """A guest's mobile, phone or email changed by someone other than the guest.

    A cashier who puts their own number on a guest's record would receive the
    guest's codes; for `redeem_otp_destination_hold_hours` after such a change
    the code also goes to the previous destination, so the guest hears of it.
    The previous value is kept in clear because it is needed to send; only
    Point of Sale managers can read it, and the autovacuum blanks it once the
    watch is over (the masked form stays for the audit).
    """

    _name = "salon.otp.destination.change"
    # The managers' to-do of a guest nobody could warn lives here, where a
    # cashier cannot reach it: on the guest's contact, stock lets whoever
    # may write the contact delete it (review 32).
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Guest contact change (redemption codes)"
    _order = "create_date desc, id desc"

    @api.model
    def default_get(self, fields_list):  # pylint: disable=method-required-super
        """Server-set fields take only their own defaults (`trusted.field_defaults`).

        No super(): nothing of what it finds (the user's `ir.default` rows,
        the context's `default_*` keys) would be kept.
        """
        return trusted.field_defaults(self, fields_list)

    partner_id = fields.Many2one(
        "res.partner",
        string="Guest",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    field_name = fields.Selection(
        [("mobile", "Mobile"), ("phone", "Phone"), ("email", "Email")],
        string="Field",
        required=True,
        readonly=True,
    )
    old_value = fields.Char(
        string="Previous value", readonly=True, groups="point_of_sale.group_pos_manager"
    )
    old_value_masked = fields.Char(string="Previous", readonly=True)
    new_value_masked = fields.Char(string="New", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Changed by", required=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, default=lambda self: self.env.company
    )

    @api.model
    def _effective(self, partners):
        """{partner id: {field: (reading, kept)}}: where codes would go, read as
        the senders read it, and what to keep of it should it move.

        Numbers are taken in E.164 with the guest's country: `06 11 22 33 44`
        is one number in France and another in the Netherlands, so a new
        country is a new destination even when the digits stay. A guest with
        no country has each salon read the number with its own: the reading
        is every company country's at once (written from a salon whose
        country reads the number otherwise, or not at all, the move is still
        one for the salon that sends), and what is kept is the number as
        typed, for the salon that sends to read it with its own country.
        """
        fallback = self.env.company.country_id
        companies = self.env["res.company"].sudo()
        countries = [fallback.code] + [
            country.code
            for country in companies.search([]).country_id  # pylint: disable=no-search-all
            if country != fallback
        ]
        result = {}
        for partner in partners:
            values = {}
            for field_name in WATCHED_FIELDS:
                if field_name not in partner._fields:
                    continue
                raw = (partner[field_name] or "").strip()
                if field_name == "email" or not raw:
                    values[field_name] = (raw, raw)
                elif partner.country_id:
                    # A number the country cannot read reaches nobody: never
                    # kept as typed, to be read again with another country.
                    read = phones.e164_or_none(raw, partner.country_id.code) or ""
                    values[field_name] = (read, read)
                else:
                    read = tuple(phones.e164_or_none(raw, c) or "" for c in countries)
                    values[field_name] = (read, raw if any(read) else "")
            result[partner.id] = values
        return result

    @api.model
    def _record_effects(self, before, partners):
        """Record the destinations a change moved, whatever the path that moved them.

        `before` is `_effective(partners)` taken before the change: a mobile
        typed anew, a country (the partner's, from a parent company's
        address, through `update_address`) that reads the same digits as
        another number, a blanked email. The previous value is kept as it
        was in force, in E.164, so it is sent to as the number it was (as
        typed for a guest with no country: see `_effective`).
        """
        user = self.env.user
        after = self._effective(partners)
        rows = []
        # Whoever makes it, the guest's own account too: staff may have made
        # that account, under their own email (review 31).
        for partner in partners:
            for field_name, (read, old) in before.get(partner.id, {}).items():
                now_read, new = after[partner.id].get(field_name, ("", ""))
                if read == now_read:
                    continue
                kind = "email" if field_name == "email" else "sms"
                rows.append(
                    {
                        "partner_id": partner.id,
                        "field_name": field_name,
                        "old_value": old or False,
                        "old_value_masked": masking.mask_destination(kind, old)
                        or False,
                        "new_value_masked": masking.mask_destination(kind, new)
                        or False,
                        "user_id": user.id,
                    }
                )
        if rows:
            changes = self.sudo().create(rows)
            for row in rows:
                _logger.info(
                    "Guest %s: %s changed by %s (redemption codes watch it)",
                    row["partner_id"],
                    row["field_name"],
                    user.login,
                )
            self._redeem_otp_alert(changes)

    @api.model
    def _redeem_otp_alert(self, changes):
        """Tell a guest (who holds a card or bought at the till, or any guest
        whose contact a cashier changed), at once and on every channel they
        had, that staff changed their contact details.

        The watch sends codes to the previous destination only while it
        lasts; a cashier who put their own number on the record could wait
        it out. Told now (on the previous mobile, or the email left as it
        was), the guest can speak up before anything is spent; a guest with
        nothing to be told on is the managers' to check.
        """
        partners = changes.partner_id
        Card = self.env["loyalty.card"].sudo()
        holders = Card.search(
            [
                ("partner_id", "in", partners.ids),
                ("program_id.program_type", "not in", list(policy.NEVER_PROTECTED)),
            ]
        ).partner_id
        # A card empty today may be topped up tomorrow, once the watch is over.
        for (buyer,) in (
            self.env["pos.order"]
            .sudo()
            ._read_group(
                [("partner_id", "in", (partners - holders).ids)], ["partner_id"]
            )
        ):
            holders |= buyer
        # A cashier's change is the fraud the watch is for: whoever the guest,
        # card or none yet (booked by phone, imported), they are told, or the
        # cashier's number is trusted once they top up after the watch
        # (review 66). Others' changes (an import, the back office) tell
        # those with a balance at stake, not every contact of the database.
        told_anyway = self.env["res.partner"]
        if self.env.user._redeem_otp_is_cashier():
            told_anyway = partners - holders
        company = self.env.company
        sender = RedeemOtpSender(self.env)
        for partner in holders | told_anyway:
            told = sender._queue_notice(
                partner,
                company,
                partner,
                {
                    "sms": "salon_otp_redeem.sms_template_contact_changed",
                    "email": "salon_otp_redeem.mail_template_contact_changed",
                },
                {"salon": company.name},
                f"Contact change alert for guest {partner.id}",
                every=True,
            )
            if not told and partner in holders:
                # No channel of theirs to warn (a first number typed by staff):
                # once the watch is over it would be trusted unseen.
                self.env["res.users"]._redeem_otp_alert_on(
                    changes.filtered(lambda row, p=partner: row.partner_id == p)[:1],
                    company,
                    self.env._("Contact details set by staff, guest not told"),
                    self.env._(
                        "Staff changed the contact details of %(guest)s, who holds a "
                        "balance and had no mobile or email to be warned on. After the "
                        "watch, codes go to what staff typed: check it with the guest.",
                        guest=partner.display_name,
                    ),
                )

    @api.model
    def _recent(self, partner, company, now=None):
        """Changes to this guest's contacts still under watch, newest first."""
        hours = company.redeem_otp_destination_hold_hours
        if hours <= 0:
            return self.browse()
        now = now or fields.Datetime.now()
        changes = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("create_date", ">=", now - timedelta(hours=hours)),
            ]
        )
        return changes.filtered(lambda c: policy.within_hold(c.create_date, now, hours))

    @api.model
    def _former_values(self, partner, company, now=None):
        """{field: value before the first watched change}, for fields changed under watch."""
        former = {}
        # Oldest last, so that the value before the first change wins.
        for change in self._recent(partner, company, now).sudo():
            former[change.field_name] = change.old_value or False
        return former

    def _redeem_otp_describe(self):
        """One line for a challenge's record of decisions: who changed what, when."""
        return self.env._(
            "Contact details changed by staff: %(changes)s.",
            changes="; ".join(
                self.env._(
                    "%(field)s by %(user)s at %(date)s",
                    field=change.field_name,
                    user=change.user_id.name,
                    date=fields.Datetime.to_string(change.create_date),
                )
                for change in self.sudo()
            ),
        )

    @api.autovacuum
    def _gc_redeem_otp_changes(self):
        """Blank previous values once their watch is over; delete rows past retention.

        The clear text is kept only as long as the guard may need it to send.
        """
        now = fields.Datetime.now()
        Change = self.sudo()
        # Every company: the watch ends whatever the retention.
        companies = self.env["res.company"].sudo().with_context(active_test=False)
        for company in companies.search([], order="id"):  # pylint: disable=no-search-all
            hold = company.redeem_otp_destination_hold_hours
            self.env.cr.execute(
                """
                UPDATE salon_otp_destination_change
                   SET old_value = NULL
                 WHERE old_value IS NOT NULL
                   AND (company_id = %s OR company_id IS NULL)
                   AND create_date < %s
                """,
                [company.id, now - timedelta(hours=max(hold, 0))],
            )
            cutoff = policy.retention_cutoff(now, company.redeem_otp_retention_days)
            if cutoff:
                Change.search(
                    [("company_id", "=", company.id), ("create_date", "<", cutoff)]
                ).unlink()
        Change.invalidate_model(["old_value"])
