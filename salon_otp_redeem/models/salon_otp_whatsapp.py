# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import _, api, models

from ..tools import whatsapp_cloud
from .salon_otp_sender import SendFailure

_logger = logging.getLogger(__name__)

API_BASE_PARAM = "salon_otp_redeem.whatsapp_api_base"


class SalonOtpWhatsapp(models.AbstractModel):
    """Codes over WhatsApp, with an approved authentication template.

    Two ways to reach Meta, in this order:

    - Odoo Enterprise's `whatsapp` module, when installed: its account
      (phone number id and token) and its approved authentication template
      named in the company settings. The message is sent with that module's
      API client, not through `whatsapp.message`, which would keep the body
      (the code) in the chatter and in `mail.message`.
    - Otherwise the WhatsApp Cloud API directly (tools/whatsapp_cloud.py),
      with the company's own phone number id, token and template.

    Either way no row keeps the code and nothing logs it or the token.
    """

    _name = "salon.otp.whatsapp"
    _description = "Redemption codes over WhatsApp"

    # ------------------------------------------------------------------
    @api.model
    def _is_configured(self, company):
        company = company.sudo()
        if self._enterprise_available():
            return bool(self._enterprise_template(company))
        return bool(
            company.redeem_otp_whatsapp_phone_number_id
            and company.redeem_otp_whatsapp_token
            and company.redeem_otp_whatsapp_template
        )

    @api.model
    def _send_code(self, challenge, number, code):
        """Send `code` to `number` (E.164); raise SendFailure with the reason in words."""
        company = challenge.company_id.sudo()
        try:
            if self._enterprise_available():
                message_id = self._send_code_enterprise(company, number, code)
            else:
                message_id = self._send_code_cloud(company, number, code)
        except whatsapp_cloud.WhatsAppCloudError as exc:
            raise SendFailure(str(exc)) from None
        _logger.info(
            "Redemption code for challenge %s accepted by WhatsApp (message %s)",
            challenge.id,
            message_id,
        )
        return message_id

    # ------------------------------------------------------------------
    # WhatsApp Cloud API, configured on the company
    # ------------------------------------------------------------------
    @api.model
    def _api_base(self):
        return (
            self.env["ir.config_parameter"].sudo().get_param(API_BASE_PARAM)
            or whatsapp_cloud.DEFAULT_API_BASE
        )

    @api.model
    def _send_code_cloud(self, company, number, code):
        if not self._is_configured(company):
            raise SendFailure(_("WhatsApp is not configured"))
        return whatsapp_cloud.send_authentication_code(
            self._api_base(),
            company.redeem_otp_whatsapp_phone_number_id,
            company.redeem_otp_whatsapp_token,
            company.redeem_otp_whatsapp_template,
            company.redeem_otp_whatsapp_lang or "en_US",
            to=number,
            code=code,
        )

    # ------------------------------------------------------------------
    # Odoo Enterprise `whatsapp` (best effort: not installable in Community,
    # so not covered by this addon's tests)
    # ------------------------------------------------------------------
    @api.model
    def _enterprise_available(self):
        return "whatsapp.template" in self.env and "whatsapp.account" in self.env

    @api.model
    def _enterprise_template(self, company):
        """The approved authentication template named in the company settings."""
        Template = self.env["whatsapp.template"].sudo()
        name = company.redeem_otp_whatsapp_template
        if not name:
            return Template.browse()
        domain = [("template_name", "=", name)]
        for field, value in (
            ("status", "approved"),
            ("template_type", "authentication"),
            ("active", True),
        ):
            if field in Template._fields:
                domain.append((field, "=", value))
        templates = Template.search(domain)
        templates = templates.filtered(
            lambda t: (
                not t.wa_account_id.allowed_company_ids
                or company in t.wa_account_id.allowed_company_ids
            )
        )
        lang = company.redeem_otp_whatsapp_lang
        return (templates.filtered(lambda t: t.lang_code == lang) or templates)[:1]

    @api.model
    def _send_code_enterprise(self, company, number, code):
        template = self._enterprise_template(company)
        if not template:
            raise SendFailure(_("WhatsApp: no approved authentication template"))
        account = template.wa_account_id
        payload = whatsapp_cloud.authentication_payload(
            number, template.template_name, template.lang_code, code
        )
        try:
            from odoo.addons.whatsapp.tools.whatsapp_api import WhatsAppApi
        except ImportError:
            WhatsAppApi = None
        if WhatsAppApi is None:
            # Same account, plain Cloud API call.
            return whatsapp_cloud.send_authentication_code(
                self._api_base(),
                account.phone_uid,
                account.token,
                template.template_name,
                template.lang_code,
                to=number,
                code=code,
            )
        try:
            return WhatsAppApi(account)._send_whatsapp(
                number=payload["to"],
                message_type="template",
                send_vals=payload["template"],
            )
        except Exception as exc:  # noqa: BLE001 - Enterprise raises its own WhatsAppError
            reason = str(
                getattr(exc, "args", [exc])[0] if getattr(exc, "args", None) else exc
            )
            reason = reason.replace(code, whatsapp_cloud.SCRUBBED)
            if account.token:
                reason = reason.replace(account.token, whatsapp_cloud.SCRUBBED)
            raise SendFailure(
                reason[:200] or _("WhatsApp refused the message")
            ) from None
