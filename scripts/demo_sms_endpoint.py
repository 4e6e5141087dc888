# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's SMS endpoint: what Odoo's SmsApi sends, and what IAP answers.

Odoo 18's sms module sends through ``SmsApi``: a JSON-RPC POST to
``<sms.endpoint>/api/sms/3/send`` through ``iap_jsonrpc``. The demo points
``sms.endpoint`` at the stand-ins (demo_configure.py), so every SMS a demo
guest gets arrives here; the answer is the one IAP gives when it accepts
every number (state ``success``), so that Odoo marks the SMS sent. No socket
here: demo_standins.py serves ``handle_sms_send`` over HTTP.
"""

import json

from demo_inbox import Message

SMS_SEND_PATH = "/api/sms/3/send"


class BadRequest(ValueError):
    """The request is not what Odoo's SmsApi sends."""


def parse_sms_batch(body):
    """The JSON-RPC id and the messages of a ``/api/sms/3/send`` request.

    Returns ``(request_id, [(uuid, number, content), ...])``, one entry per
    number, as ``SmsApi._send_sms_batch`` groups them (one content, several
    numbers).
    """
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"not JSON: {exc}") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("params"), dict):
        raise BadRequest("not a JSON-RPC call with params")
    messages = payload["params"].get("messages")
    if not isinstance(messages, list):
        raise BadRequest("params.messages is not a list")
    sms = []
    for message in messages:
        if not isinstance(message, dict) or not isinstance(
            message.get("numbers"), list
        ):
            raise BadRequest("a message without a list of numbers")
        content = str(message.get("content") or "")
        for number in message["numbers"]:
            if not isinstance(number, dict) or not number.get("uuid"):
                raise BadRequest("a number without a uuid")
            sms.append((str(number["uuid"]), str(number.get("number") or ""), content))
    return payload.get("id"), sms


def sms_success_response(request_id, sms):
    """IAP's answer when every SMS was accepted: one ``success`` per uuid."""
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "result": [
            {"uuid": uuid, "state": "success", "credit": 1} for uuid, _n, _c in sms
        ],
    }


def sms_error_response(request_id, reason):
    """An error as an Odoo JSON-RPC server gives it (``iap_jsonrpc`` reads ``data.name``)."""
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {"name": "werkzeug.exceptions.BadRequest", "message": reason},
        },
    }


def handle_sms_send(body):
    """``(messages for the guests, JSON-RPC answer)`` for one request body."""
    try:
        request_id, sms = parse_sms_batch(body)
    except BadRequest as exc:
        return [], sms_error_response(None, str(exc))
    received = [Message("sms", number, content) for _uuid, number, content in sms]
    return received, sms_success_response(request_id, sms)
