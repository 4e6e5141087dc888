# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import smtplib

from odoo import SUPERUSER_ID
from odoo.tools import email_normalize, email_split, formataddr

from . import masking, phones, policy, whatsapp_cloud

_logger = logging.getLogger(__name__)

# Where the WhatsApp Cloud API is reached (a test or a proxy may change it).
WHATSAPP_API_PARAM = "salon_otp_redeem.whatsapp_api_base"


class SendFailure(Exception):
    """A channel could not deliver; the message is the gateway's reason in words."""


class DestinationHeld(SendFailure):
    """Staff changed this channel's destination recently and the previous one is unreachable."""


class RedeemOtpSender:
    """Delivers codes and notices over the company's channels, in its order.

    A plain class built with an environment, as the sms module's SmsApi is:
    it holds no records. Each channel is one small method a test can drive
    through Odoo's own sms/mail code with only the outgoing HTTP or SMTP call
    replaced.
    """

    def __init__(self, env):
        self.env = env

    # -- Destinations ----------------------------------------------------
    def _destination(self, partner, channel, company):
        """The guest's registered address for a channel, normalized, or (None, reason)."""
        if channel == "email":
            found = email_split((partner.email or "").strip())
            if not found:
                return None, self.env._("no email address")
            # One code, one guest: staff who added their own address next to
            # the guest's would get every code once the watch is over.
            if len(found) > 1:
                return None, self.env._("the email field holds several addresses")
            return email_normalize(found[0]) or found[0], None
        country = (partner.country_id or company.country_id).code
        number, reasons = phones.first_valid(
            [getattr(partner, "mobile", False), partner.phone], country
        )
        if number:
            return number, None
        return None, self.env._(
            "no usable mobile number (%(why)s)", why="; ".join(reasons)
        )

    def _available_channels(self, partner, company):
        """Channels this guest can receive, in the company's order, with masked destinations."""
        result = []
        for channel in company._redeem_otp_channels():
            if channel == "whatsapp" and not company._redeem_otp_whatsapp_configured():
                continue
            destination, _reason = self._destination(partner, channel, company)
            if destination:
                result.append(
                    {
                        "channel": channel,
                        "destination": masking.mask_destination(channel, destination),
                    }
                )
        return result

    # -- Codes -----------------------------------------------------------
    def _send_code(self, challenge, code, preferred=None):
        """Try each channel in turn; return where the code went, or why it did not.

        Returns a dict: channel and destination_masked on success; otherwise
        error (no_destination | send_failed), message and reason.
        """
        company = challenge.company_id
        partner = challenge.partner_id
        reasons = []
        any_destination = False
        held = False
        for channel in policy.channel_order(company._redeem_otp_channels(), preferred):
            if channel == "whatsapp" and not company._redeem_otp_whatsapp_configured():
                reasons.append(self.env._("WhatsApp: not configured"))
                continue
            destination, why = self._destination(partner, channel, company)
            try:
                # Under a staff change's watch, only the previous destination
                # gets the code: the new one, or its absence, may be the doing
                # of whoever changed it.
                previous = self._send_code_to_previous(challenge, channel, code)
                if not previous and not destination:
                    reasons.append(f"{channel}: {why}")
                    continue
                any_destination = True
                destination = previous or self._send_code_to(
                    challenge, channel, destination, code
                )
            except SendFailure as exc:
                any_destination = True
                held = held or isinstance(exc, DestinationHeld)
                reasons.append(f"{channel}: {exc}")
                _logger.info(
                    "Redemption code for challenge %s not delivered by %s: %s",
                    challenge.id,
                    channel,
                    exc,
                )
                continue
            return {
                "channel": channel,
                "destination_masked": masking.mask_destination(channel, destination),
            }
        reason = "; ".join(str(r) for r in reasons)[:250]
        if not any_destination:
            return {
                "error": "no_destination",
                "reason": reason,
                "message": self.env._(
                    "%(guest)s has no mobile number or email that can receive a code "
                    "(%(reason)s). Update the guest's contact details.",
                    guest=partner.display_name,
                    reason=reason,
                ),
            }
        if held:
            return {
                "error": "send_failed",
                "reason": reason,
                "override_only": True,
                "message": self.env._(
                    "%(guest)s's contact details were changed recently by staff and the "
                    "previous ones cannot receive the code (%(reason)s). Only the center's "
                    "override code, with a manager, can authorize this redemption.",
                    guest=partner.display_name,
                    reason=reason,
                ),
            }
        return {
            "error": "send_failed",
            "reason": reason,
            "message": self.env._(
                "The code could not be sent: %(reason)s", reason=reason
            ),
        }

    def _extra_destinations(self, partner, company, channel):
        """The channel's destinations before a watched staff change, or None when nothing changed.

        The channel's destination is worked out as it was before the watched
        changes (salon.otp.destination.change); when it differs from today's,
        the former one gets codes and notices instead. An empty list means
        there was none.
        """
        former = self.env["salon.otp.destination.change"]._former_values(
            partner, company
        )
        if not former:
            return None
        before = partner.new(
            {
                "name": partner.name,
                "email": former.get("email", partner.email),
                "mobile": former.get("mobile", partner.mobile),
                "phone": former.get("phone", partner.phone),
                "country_id": not phones.any_as_typed(former) and partner.country_id.id,
            }
        )
        previous, _why = self._destination(before, channel, company)
        current, _why = self._destination(partner, channel, company)
        if previous == current:
            return None
        return [previous] if previous else []

    def _send_code_to(self, challenge, channel, destination, code):
        getattr(self, f"_send_code_{channel}")(challenge, destination, code)
        return destination

    def _send_code_to_previous(self, challenge, channel, code):
        """Send the code to the destination a recent staff change replaced, instead.

        Returns the destination used, or None when nothing changed. Raises
        DestinationHeld when there were such changes and none of the
        previous destinations took the code: the new one is never used.
        """
        if not challenge.risk_destination_changed:
            # No change under watch when the request was decided, nor when
            # its code went out (`salon.otp.code._redeem_otp_deliver_pending`).
            return None
        previous = self._extra_destinations(
            challenge.partner_id, challenge.company_id, channel
        )
        if previous is None:
            return None
        for destination in previous:
            masked = masking.mask_destination(channel, destination)
            try:
                getattr(self, f"_send_code_{channel}")(challenge, destination, code)
            except SendFailure as exc:
                _logger.info(
                    "Redemption code for challenge %s not delivered to a previous %s: %s",
                    challenge.id,
                    channel,
                    exc,
                )
                continue
            challenge._redeem_otp_note(
                self.env._(
                    "Code sent to the previous destination %(to)s only "
                    "(contact changed by staff).",
                    to=masked,
                ),
            )
            return destination
        challenge._redeem_otp_note(
            self.env._(
                "Code withheld on %(channel)s: changed by staff, no previous destination "
                "could receive it.",
                channel=channel,
            ),
        )
        raise DestinationHeld(
            self.env._("changed recently by staff, previous destination unreachable")
        )

    def _send_code_sms(self, challenge, number, code):
        template = self.env.ref("salon_otp_redeem.sms_template_redeem_code")
        body = self._render_sms(template, challenge, {"code": code})
        self._send_sms_now(number, body, challenge.partner_id)

    def _send_code_email(self, challenge, email, code):
        template = self.env.ref("salon_otp_redeem.mail_template_redeem_code")
        self._send_mail_now(template, challenge, email, {"code": code})

    def _send_code_whatsapp(self, challenge, number, code):
        """An approved authentication template through the WhatsApp Cloud API.

        The same for Community and Enterprise: no `whatsapp.message` row (it
        would keep the code in the chatter), nothing logs the code or token.
        """
        company = challenge.company_id.sudo()
        if not company._redeem_otp_whatsapp_configured():
            raise SendFailure(self.env._("WhatsApp is not configured"))
        try:
            message_id = whatsapp_cloud.send_authentication_code(
                self.env["ir.config_parameter"].sudo().get_param(WHATSAPP_API_PARAM)
                or whatsapp_cloud.DEFAULT_API_BASE,
                company.redeem_otp_whatsapp_phone_number_id,
                company.redeem_otp_whatsapp_token,
                company.redeem_otp_whatsapp_template,
                company.redeem_otp_whatsapp_lang or "en_US",
                to=number,
                code=code,
            )
        except whatsapp_cloud.WhatsAppCloudError as exc:
            raise SendFailure(str(exc)) from None
        _logger.info(
            "Redemption code for challenge %s accepted by WhatsApp (message %s)",
            challenge.id,
            message_id,
        )

    # ------------------------------------------------------------------
    # Low level: Odoo's own sms.sms and mail.mail, kept only for the send
    # ------------------------------------------------------------------
    # Codes and notices alike go out as rows sent at once, so that whatever the
    # salon configured carries them: a provider module that replaces IAP (by
    # overriding `sms.sms._send` or `SmsApi`), the outgoing mail servers. Each
    # row is deleted as soon as its outcome is read, sent or not, as Odoo's
    # emailed login codes are (auth_totp_mail_enforce: auto-deleted mail sent
    # at once): nothing queued, nothing retried, no copy in the technical
    # menus. The INSERT of a code's row remains visible to SQL statement
    # logging (--log-sql, PostgreSQL's log_statement), as for Odoo's own codes.
    SMS_SENT_STATES = ("pending", "sent", "process")

    def _outbox(self, model):
        """`model` to create a message in as the server. Under sudo() a row
        keeps the uid of the request's user, and with it their own saved
        defaults (`ir.default`, which every user sets for themselves) for
        each field not given here: a copy of the code mail to the cashier's
        address, a contact-change alert marked for deletion (review 31)."""
        keep = ("allowed_company_ids", "lang", "tz")
        context = {key: val for key, val in self.env.context.items() if key in keep}
        return self.env(user=SUPERUSER_ID, context=context)[model]

    def _render_sms(self, template, record, add_context):
        template = template.sudo()
        lang = template._render_lang(record.ids)[record.id]
        template = template.with_context(lang=lang)
        return template._render_field("body", record.ids, add_context=add_context)[
            record.id
        ]

    def _send_sms_now(self, number, body, partner):
        """Send one SMS through `sms.sms` at once; raise SendFailure with the gateway's reason.

        The outcome is the row's state after `send()`, as the gateway (IAP or a
        provider module) left it; a row still outgoing got no answer at all.
        """
        SmsSms = self._outbox("sms.sms")
        sms = SmsSms.create({"number": number, "body": body, "partner_id": partner.id})
        cr = self.env.cr
        try:
            sms.send(unlink_failed=False, unlink_sent=False, raise_exception=False)
            SmsSms.flush_model(["state", "failure_type"])
            cr.execute(
                "SELECT state, failure_type FROM sms_sms WHERE id = %s", [sms.id]
            )
            # No row: removed by the gateway, nothing says it went out.
            state, failure = cr.fetchone() or ("error", "unknown")
        finally:
            # A plain DELETE: nothing refers to an sms.sms row (trackers go
            # by uuid and this one has none), and the ORM's unlink costs
            # five more queries at every checkout.
            SmsSms.flush_model()
            cr.execute("DELETE FROM sms_sms WHERE id = %s", [sms.id])
            sms.invalidate_recordset()
        if state in self.SMS_SENT_STATES:
            return
        if state == "outgoing":
            failure = failure or "sms_server"
        labels = dict(SmsSms._fields["failure_type"]._description_selection(self.env))
        raise SendFailure(labels.get(failure) or failure or state)

    def _render_mail(self, template, record, add_context):
        """Subject and body of a mail template, in the guest's language."""
        template = template.sudo()
        lang = template._render_lang(record.ids)[record.id]
        template = template.with_context(lang=lang)
        subject = template._render_field(
            "subject", record.ids, add_context=add_context
        )[record.id]
        body = template._render_field(
            "body_html", record.ids, add_context=add_context, compute_lang=False
        )[record.id]
        return subject, body

    def _mail_vals(self, template, record, email, add_context, company):
        """A mail.mail from the salon, never from the cashier.

        A queued message's author may read and edit it until it goes, and
        replies go to its sender: both are the salon's. The sender is the
        salon's address (its catchall when it has none), else Odoo's
        default sender in the salon's name; never the address of the user
        whose request sent the mail: a guest's "this was not me" would reach
        the cashier who spent the balance. With no address at all the mail
        fails as Odoo fails any mail without a sender.
        """
        subject, body = self._render_mail(template, record, add_context)
        default = (
            self.env["ir.mail_server"]
            .sudo()
            .with_company(company)
            ._get_default_from_address()
        )
        email_from = company.email_formatted or (
            default and formataddr((company.name, default))
        )
        return {
            "subject": subject,
            "body_html": body,
            "email_to": email,
            "author_id": company.partner_id.id,
            "email_from": email_from or False,
            # Set, so that mail.message does not pick one of the user's.
            "reply_to": email_from or False,
            "auto_delete": True,
            "is_notification": False,
        }

    def _send_mail_now(self, template, record, email, add_context):
        """Send one mail through `mail.mail` at once; raise SendFailure with the server's reason.

        `mail.mail` picks the outgoing mail server the salon configured for
        the sender address. A sent mail deletes itself (auto_delete); a failed
        one would wait in the queue for a retry, so it is deleted here.
        """
        vals = self._mail_vals(template, record, email, add_context, record.company_id)
        if not vals["email_from"]:
            raise SendFailure(self.env._("the salon has no email address to send from"))
        MailMail = self._outbox("mail.mail")
        mail = MailMail.create(vals)
        try:
            try:
                mail.send(raise_exception=False)
            except smtplib.SMTPServerDisconnected:
                # mail.mail leaves a dropped connection to the queue's retry.
                state, failure, reason = "exception", "mail_smtp", ""
            else:
                sent = mail.exists()
                state = sent.state if sent else "sent"
                failure, reason = sent.failure_type, sent.failure_reason
        finally:
            mail.exists().unlink()
        if state == "sent":
            return
        labels = dict(MailMail._fields["failure_type"]._description_selection(self.env))
        label = labels.get(failure) or self.env._("the mail server refused the message")
        reason = " ".join((reason or "").split())
        raise SendFailure(f"{label} ({reason})"[:200] if reason else label)

    def _notice_destination(self, partner, company, channel):
        """Where a notice goes on `channel`: the guest's contact, or under a staff
        change's watch the previous one (never the one staff set), or None."""
        destination, _why = self._destination(partner, channel, company)
        previous = self._extra_destinations(partner, company, channel)
        if previous is not None:
            destination = previous[0] if previous else None
        return destination

    def _notice_targets(self, partner, company, templates):
        """(channel, destination, template) for each channel a notice may take, in order."""
        for channel in company._redeem_otp_channels():
            if channel not in templates:
                continue
            destination = self._notice_destination(partner, company, channel)
            if destination:
                yield channel, destination, self.env.ref(templates[channel])

    def _queue_notice(
        self, partner, company, record, templates, add_context, what, every=False
    ):
        """Queue a message that holds no secret in Odoo's SMS or mail queue.

        The queue's scheduled action sends it once the transaction has
        committed, outside the POS's request: a slow or failing gateway
        neither slows nor fails the order, and a failed one is kept in the
        queue's own records (SMS / Emails) as Odoo keeps any. The channel is
        the first of the company's order the guest has a destination on, or
        with `every`, each. Returns the first, or None.
        """
        queued = None
        for channel, destination, template in self._notice_targets(
            partner, company, templates
        ):
            if channel == "sms":
                self._outbox("sms.sms").create(
                    {
                        "number": destination,
                        "body": self._render_sms(template, record, add_context),
                        "partner_id": partner.id,
                        "state": "outgoing",
                    }
                )
                cron = "sms.ir_cron_sms_scheduler_action"
            else:
                self._outbox("mail.mail").create(
                    self._mail_vals(template, record, destination, add_context, company)
                )
                cron = "mail.ir_cron_mail_scheduler_action"
            self.env.ref(cron).sudo()._trigger()
            _logger.info("%s queued for %s", what, channel)
            if not every:
                return channel
            queued = queued or channel
        return queued

    def _queue_balance_notices(self, order, used):
        """After points go down, the guest learns what was used and what is left.

        Stock Odoo sends nothing when a balance decreases; this is the
        guest's receipt for their money, and the moment they would notice a
        fraud. `used` maps each card the points call took from to the points
        taken. The notices wait in the queues (`_queue_notice`).
        """
        override = order.redeem_otp_challenge_id.sudo().method == "override"
        for card, points in used.items():
            card = card.sudo()  # cards the points call just moved: they exist
            try:
                self._queue_notice(
                    card.partner_id or order.partner_id,
                    order.company_id,
                    card,
                    {
                        "sms": "salon_otp_redeem.sms_template_redeem_notice",
                        "email": "salon_otp_redeem.mail_template_redeem_notice",
                    },
                    {
                        "used": points,
                        "order_name": order.pos_reference or order.name,
                        "override": override,
                    },
                    f"Balance notice for card {card.id}",
                )
            except Exception:  # noqa: BLE001 - a notice never undoes a paid order
                _logger.exception("Balance notice for card %s not queued", card.id)

    def _send_notice(self, partner, company, record, templates, add_context, what):
        """Send a message that holds no secret on the first channel that works.

        `templates` maps "sms" and "email" to template xml ids. WhatsApp is
        skipped: outside a conversation it needs pre-approved templates, and
        the authentication template cannot carry a balance. Returns the channel
        used, or None.
        """
        for channel, destination, template in self._notice_targets(
            partner, company, templates
        ):
            try:
                if channel == "sms":
                    body = self._render_sms(template, record, add_context)
                    self._send_sms_now(destination, body, partner)
                else:
                    self._send_mail_now(template, record, destination, add_context)
            except SendFailure as exc:
                _logger.info("%s not sent by %s: %s", what, channel, exc)
                continue
            _logger.info("%s sent by %s", what, channel)
            return channel
        return None
