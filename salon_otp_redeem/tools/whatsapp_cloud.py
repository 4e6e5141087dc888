# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""WhatsApp Cloud API: send one authentication-template message.

Plain `requests`, no ORM, so that a test can point it at a local HTTP server
and read exactly what went over the wire. Meta's authentication templates
carry the code twice: as the body parameter and as the parameter of the
"copy code" URL button (https://developers.facebook.com/docs/whatsapp/
business-management-api/authentication-templates).

Nothing here logs: neither the code nor the access token may reach a log,
and the error messages are scrubbed of both in case Meta echoes them.
"""

import json
from urllib.parse import urlsplit

import requests

DEFAULT_API_BASE = "https://graph.facebook.com/v19.0"
# requests' (connect, read) timeouts: a till waits at most this long for WhatsApp.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
SCRUBBED = "\u2022\u2022\u2022"

# Meta's error codes worth saying in words; the rest show Meta's own message.
META_ERRORS = {
    190: "the access token is invalid or expired",
    131030: "the number is not on the allowed list of this test account",
    131026: "the message could not be delivered to this number",
    132001: "the template does not exist in this language",
    132000: "the template's parameters do not match",
    131047: "the 24-hour window is closed for this number",
    131056: "too many messages to this number; try again later",
    130429: "too many messages; try again later",
    133010: "the phone number is not registered with WhatsApp Business",
}


class WhatsAppCloudError(Exception):
    """The message was not accepted; the text says why, in words, for the cashier and the audit."""


def messages_url(api_base, phone_number_id):
    """`{base}/{phone_number_id}/messages`, HTTPS only (plain HTTP to localhost for tests)."""
    base = (api_base or DEFAULT_API_BASE).strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    ):
        raise WhatsAppCloudError("the WhatsApp API address must use HTTPS")
    phone_number_id = str(phone_number_id or "").strip()
    if not phone_number_id.isdigit():
        raise WhatsAppCloudError(
            "the WhatsApp phone number ID is missing or not numeric"
        )
    return f"{base}/{phone_number_id}/messages"


def recipient(number):
    """E.164 without the plus sign, as the Cloud API wants it."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    if len(digits) < 8:
        raise WhatsAppCloudError("no usable WhatsApp number")
    return digits


def authentication_payload(to, template, lang, code):
    """The request body of an authentication template carrying `code`."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": recipient(to),
        "type": "template",
        "template": {
            "name": template,
            "language": {"code": lang or "en_US"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": code}]},
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": code}],
                },
            ],
        },
    }


def send_authentication_code(
    api_base,
    phone_number_id,
    token,
    template,
    lang,
    to,
    code,
    timeout=None,
    session=None,
):
    """POST the template message; return Meta's message id or raise WhatsAppCloudError."""
    if not token:
        raise WhatsAppCloudError("the WhatsApp access token is missing")
    if not template:
        raise WhatsAppCloudError("the WhatsApp authentication template is missing")
    url = messages_url(api_base, phone_number_id)
    payload = authentication_payload(to, template, lang, code)
    timeout = timeout or (CONNECT_TIMEOUT, READ_TIMEOUT)
    secrets = (code, token)
    try:
        response = (session or requests).post(
            url,
            data=json.dumps(payload),
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            },
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.exceptions.ConnectTimeout:
        raise WhatsAppCloudError(
            _scrub(
                f"WhatsApp could not be reached within {_seconds(timeout, 0)} seconds",
                secrets,
            )
        ) from None
    except requests.exceptions.Timeout:
        raise WhatsAppCloudError(
            f"WhatsApp did not answer within {_seconds(timeout, 1)} seconds"
        ) from None
    except requests.exceptions.SSLError:
        raise WhatsAppCloudError("the secure connection to WhatsApp failed") from None
    except requests.exceptions.ConnectionError as exc:
        raise WhatsAppCloudError(_connection_reason(exc)) from None
    except requests.exceptions.RequestException as exc:
        raise WhatsAppCloudError(
            _scrub(f"the request to WhatsApp failed ({type(exc).__name__})", secrets)
        ) from None
    return _read_answer(response, secrets)


def _read_answer(response, secrets):
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400 or not isinstance(body, dict):
        raise WhatsAppCloudError(
            _scrub(_http_reason(response.status_code, body), secrets)
        )
    messages = body.get("messages")
    if not messages or not isinstance(messages, list) or not messages[0].get("id"):
        raise WhatsAppCloudError("WhatsApp answered without a message id")
    return messages[0]["id"]


def _http_reason(status, body):
    error = body.get("error") if isinstance(body, dict) else None
    if status == 401:
        what = "WhatsApp refused the access token"
    elif status == 403:
        what = "WhatsApp refused the access (permissions)"
    elif status == 429:
        what = "WhatsApp is rate limiting this account"
    elif status >= 500:
        what = "WhatsApp had a server error"
    elif status >= 400:
        what = "WhatsApp refused the message"
    else:
        what = "WhatsApp gave an unexpected answer"
    if not isinstance(error, dict):
        return f"{what} (HTTP {status})"
    code = error.get("code")
    error_data = error.get("error_data")
    details = error_data.get("details") if isinstance(error_data, dict) else None
    words = str(META_ERRORS.get(code) or details or error.get("message") or "")[:160]
    where = f"HTTP {status}, error {code}" if code else f"HTTP {status}"
    return f"{what}: {words} ({where})" if words else f"{what} ({where})"


def _connection_reason(exc):
    text = str(exc).lower()
    if "refused" in text:
        return "WhatsApp could not be reached (connection refused)"
    if "name or service not known" in text or "nodename" in text or "resolve" in text:
        return "WhatsApp could not be reached (unknown host)"
    return "WhatsApp could not be reached (network error)"


def _seconds(timeout, index):
    if isinstance(timeout, (tuple, list)):
        return f"{timeout[index]:g}"
    return f"{timeout:g}"


def _scrub(text, secrets):
    for secret in secrets:
        if secret:
            text = text.replace(str(secret), SCRUBBED)
    return text
