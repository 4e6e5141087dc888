# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import requests

from odoo import models

_logger = logging.getLogger(__name__)

# Where the provider's API is; unset, the module steps aside and IAP sends.
API_URL_PARAM = "salon_test_sms_provider.api_url"
TIMEOUT = 10


class SmsSms(models.Model):
    """Sends `sms.sms` through another gateway, as local provider modules do.

    Installed only into test databases (scripts/run-tests), so that a test can
    prove that messages sent as `sms.sms` rows reach whichever gateway the
    salon installed instead of IAP.
    """

    _inherit = "sms.sms"

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        url = self.env["ir.config_parameter"].sudo().get_param(API_URL_PARAM)
        if not url:
            return super()._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        for sms in self:
            try:
                response = requests.post(
                    url,
                    json={"to": sms.number, "text": sms.body, "reference": sms.uuid},
                    timeout=TIMEOUT,
                )
                response.raise_for_status()
                accepted = bool(response.json().get("message_id"))
            except (requests.RequestException, ValueError) as exc:
                _logger.info("SMS %s refused by the provider: %s", sms.id, exc)
                if raise_exception:
                    raise
                accepted = False
            if accepted:
                sms.write(
                    {
                        "state": "pending",
                        "failure_type": False,
                        "to_delete": unlink_sent,
                    }
                )
            else:
                sms.write(
                    {
                        "state": "error",
                        "failure_type": "sms_server",
                        "to_delete": unlink_failed,
                    }
                )
