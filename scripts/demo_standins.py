#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's "guest phone": local stand-ins for the SMS gateway and the mail server.

scripts/demo runs this file next to Odoo, until the demo stops, and
scripts/demo_configure.py points the demo database at it. None of it belongs
to the addon: no data file and no model knows about it, so a production
database never gets these settings.

``serve`` answers what Odoo 18's sms module sends (``SmsApi``: a JSON-RPC POST
to ``<sms.endpoint>/api/sms/3/send`` through ``iap_jsonrpc``) as IAP answers,
state ``success`` for every number, and accepts mail as the SMTP server that
``ir.mail_server`` connects to (no TLS, no login). Whether a code goes out
straight through ``SmsApi`` / ``ir.mail_server`` or as an ``sms.sms`` /
``mail.mail`` row sent at once, these are the calls that leave Odoo, so both
end here.

Every message the guests receive, codes included, is printed in the terminal
and shown on a local page, newest first, as on the guest's phone. Showing
codes is the whole point of this process, which is why it only ever serves
the demo. The messages live in this process's memory only (a bounded list):
it stands for the guests' phones, not for the salon's server.

Serving needs the standard library only (``smtpd`` left Python in 3.12); the
parts that need no socket are plain functions and a small SMTP state machine,
unit-tested in tests/test_demo_standins.py, which also drives the whole
thing end to end on a database configured by scripts/demo_configure.py.
"""

import argparse
import html
import json
import re
import signal
import socketserver
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from email import message_from_bytes, policy
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SMS_SEND_PATH = "/api/sms/3/send"
INBOX_LIMIT = 100
PAGE_REFRESH_SECONDS = 2
SMTP_MAX_LINE = 10_000
SMTP_MAX_MESSAGE = 10_000_000
HTTP_MAX_BODY = 1_000_000


# ----------------------------------------------------------------------
# Messages and the inbox
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    """One message a guest received, as the phone page shows it."""

    channel: str  # "sms" or "email"
    destination: str
    text: str
    subject: str = ""
    received: str = field(default_factory=lambda: time.strftime("%H:%M:%S"))


class Inbox:
    """What the guests received, newest first; shared by the servers' threads.

    ``echo`` gets each new message as terminal text (print, in the demo).
    """

    def __init__(self, limit=INBOX_LIMIT, echo=None):
        self._messages = deque(maxlen=limit)
        self._changed = threading.Condition()
        self._echo = echo

    def add(self, message):
        with self._changed:
            self._messages.appendleft(message)
            self._changed.notify_all()
        if self._echo:
            self._echo(format_for_terminal(message))

    def messages(self):
        with self._changed:
            return list(self._messages)

    def clear(self):
        with self._changed:
            self._messages.clear()

    def wait_for(self, predicate, timeout=10.0):
        """The newest message matching ``predicate``, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((m for m in self._messages if predicate(m)), None)
                remaining = deadline - time.monotonic()
                if found or remaining <= 0:
                    return found
                self._changed.wait(remaining)


def format_for_terminal(message):
    where = "SMS" if message.channel == "sms" else "Email"
    head = f"--- guest phone {message.received} | {where} to {message.destination} "
    lines = [head.ljust(78, "-")]
    if message.subject:
        lines.append(f"Subject: {message.subject}")
    lines.append(message.text)
    return "\n".join(lines)


# ----------------------------------------------------------------------
# SMS: what SmsApi sends, and what IAP answers
# ----------------------------------------------------------------------
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


# ----------------------------------------------------------------------
# Email: the text a guest reads
# ----------------------------------------------------------------------
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul"}


class _TextOfHtml(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            # In HTML a line end inside text is a space; only blocks break lines.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup):
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return tidy_text("".join(parser.parts))


def tidy_text(text):
    """Spaces collapsed within lines, paragraphs kept apart by one empty line."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    kept = [
        line
        for i, line in enumerate(lines)
        if line or (i > 0 and lines[i - 1] and any(lines[i:]))
    ]
    return "\n".join(kept)


def parse_email(raw):
    """``(subject, text)`` of a mail as sent by ir.mail_server.

    The plain-text alternative when there is one (Odoo adds it to HTML
    mails), otherwise the HTML made readable.
    """
    message = message_from_bytes(raw, policy=policy.default)
    subject = str(message.get("Subject") or "")
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return subject, ""
    content = body.get_content()
    if body.get_content_subtype() == "html":
        return subject, html_to_text(content)
    return subject, tidy_text(content)


# ----------------------------------------------------------------------
# SMTP: one conversation, without the socket
# ----------------------------------------------------------------------
_ADDRESS = re.compile(r"^(?:FROM|TO):\s*<([^>]*)>", re.IGNORECASE)


class SmtpSession:
    """One SMTP conversation: lines in, replies out.

    Enough of RFC 5321 for smtplib, which is what ir.mail_server uses: EHLO
    or HELO, MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT. No AUTH and
    no STARTTLS: the demo's mail server record asks for neither.
    ``deliver(mail_from, recipients, data)`` gets each accepted message.
    """

    def __init__(self, deliver, hostname="guest-phone.localhost"):
        self.deliver = deliver
        self.hostname = hostname
        self.closed = False
        self._greeted = False
        self._in_data = False
        self._reset()

    def _reset(self):
        self._mail_from = None
        self._recipients = []
        self._data = []
        self._size = 0

    def greeting(self):
        return f"220 {self.hostname} demo SMTP sink ready"

    def feed(self, line):
        """Replies (without line ends) to one received line (bytes, line end included)."""
        if self._in_data:
            return self._feed_data(line)
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        verb, _sep, arg = text.partition(" ")
        handler = getattr(self, f"_smtp_{verb.upper()}", None)
        if handler is None:
            return ["500 Command not recognized"]
        return handler(arg.strip())

    def _feed_data(self, line):
        if line.rstrip(b"\r\n") == b".":
            self._in_data = False
            mail_from, recipients, data = (
                self._mail_from,
                self._recipients,
                b"".join(self._data),
            )
            self._reset()
            if self._size > SMTP_MAX_MESSAGE:
                return ["552 Message too large for the demo"]
            try:
                self.deliver(mail_from, recipients, data)
            except Exception as exc:  # noqa: BLE001 - the client must get an answer
                return [f"554 Not delivered: {type(exc).__name__}"]
            return ["250 OK: on the guest phone"]
        if line.startswith(b"."):
            line = line[1:]
        self._size += len(line)
        if self._size <= SMTP_MAX_MESSAGE:
            self._data.append(line)
        return []

    def _smtp_EHLO(self, arg):
        self._greeted = True
        self._reset()
        return [
            f"250-{self.hostname}",
            "250-8BITMIME",
            "250-SMTPUTF8",
            f"250-SIZE {SMTP_MAX_MESSAGE}",
            "250 HELP",
        ]

    def _smtp_HELO(self, arg):
        self._greeted = True
        self._reset()
        return [f"250 {self.hostname}"]

    def _smtp_MAIL(self, arg):
        if not self._greeted:
            return ["503 Say EHLO first"]
        match = _ADDRESS.match(arg)
        if not match or not arg.upper().startswith("FROM:"):
            return ["501 Syntax: MAIL FROM:<address>"]
        self._reset()
        self._mail_from = match.group(1)
        return ["250 OK"]

    def _smtp_RCPT(self, arg):
        if self._mail_from is None:
            return ["503 Need MAIL first"]
        match = _ADDRESS.match(arg)
        if not match or not arg.upper().startswith("TO:") or not match.group(1):
            return ["501 Syntax: RCPT TO:<address>"]
        self._recipients.append(match.group(1))
        return ["250 OK"]

    def _smtp_DATA(self, arg):
        if not self._recipients:
            return ["503 Need RCPT first"]
        self._in_data = True
        return ["354 End data with <CR><LF>.<CR><LF>"]

    def _smtp_RSET(self, arg):
        self._reset()
        return ["250 OK"]

    def _smtp_NOOP(self, arg):
        return ["250 OK"]

    def _smtp_QUIT(self, arg):
        self.closed = True
        return ["221 Bye"]


def mail_messages(recipients, data):
    """The guest phone's messages for one accepted mail: one per recipient."""
    subject, text = parse_email(data)
    return [Message("email", rcpt, text, subject=subject) for rcpt in recipients]


# ----------------------------------------------------------------------
# The guest phone page
# ----------------------------------------------------------------------
_PAGE_STYLE = """
body { font-family: system-ui, sans-serif; background: #e9ecef; margin: 0; }
main { max-width: 30rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
.hint { color: #555; font-size: .85rem; margin: 0 0 1rem; }
.card { background: #fff; border-radius: .75rem; padding: .75rem 1rem;
        margin-bottom: .75rem; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
.meta { display: flex; gap: .5rem; align-items: baseline; font-size: .8rem;
        color: #555; margin-bottom: .4rem; flex-wrap: wrap; }
.channel { font-weight: bold; color: #fff; border-radius: .5rem;
           padding: .05rem .5rem; }
.sms { background: #198754; } .email { background: #0d6efd; }
.to { font-weight: 600; color: #222; } .time { margin-left: auto; }
.subject { font-weight: 600; margin-bottom: .25rem; }
.text { white-space: pre-wrap; font-size: 1rem; line-height: 1.4; }
.empty { color: #555; text-align: center; padding: 2rem 0; }
"""


def render_phone_page(messages, refresh=PAGE_REFRESH_SECONDS):
    """The page: newest first, one card per message (channel, destination, text)."""
    cards = []
    for message in messages:
        channel = "sms" if message.channel == "sms" else "email"
        subject = (
            f'<div class="subject">{html.escape(message.subject)}</div>'
            if message.subject
            else ""
        )
        cards.append(
            f'<article class="card {channel}-message">'
            f'<div class="meta"><span class="channel {channel}">'
            f"{'SMS' if channel == 'sms' else 'Email'}</span>"
            f'<span class="to">{html.escape(message.destination)}</span>'
            f'<span class="time">{html.escape(message.received)}</span></div>'
            f"{subject}"
            f'<div class="text">{html.escape(message.text)}</div></article>'
        )
    if not cards:
        cards.append(
            '<p class="empty">No message yet. At the POS, validate a payment that '
            "uses a guest's credit and send the code.</p>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{int(refresh)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Guest phone - salon demo</title>"
        f"<style>{_PAGE_STYLE}</style></head><body><main>"
        "<h1>Guest phone</h1>"
        '<p class="hint">Every SMS and email the demo guests receive, newest '
        "first. Local to this demo: nothing leaves the machine.</p>"
        f"{''.join(cards)}</main></body></html>\n"
    )


# ----------------------------------------------------------------------
# Servers
# ----------------------------------------------------------------------
class _HttpHandler(BaseHTTPRequestHandler):
    server_version = "SalonDemoGuestPhone/1.0"

    def do_POST(self):
        if self.path.split("?", 1)[0] != SMS_SEND_PATH:
            self._send(404, "text/plain", b"not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > HTTP_MAX_BODY:
            self._send(413, "text/plain", b"too large")
            return
        received, answer = handle_sms_send(self.rfile.read(length))
        for message in received:
            self.server.inbox.add(message)
        self._send(200, "application/json", json.dumps(answer).encode())

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        messages = self.server.inbox.messages()
        if path == "/":
            body = render_phone_page(messages).encode()
            self._send(200, "text/html; charset=utf-8", body)
        elif path == "/messages.json":
            body = json.dumps([asdict(m) for m in messages]).encode()
            self._send(200, "application/json", body)
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        """Quiet: the terminal is for the guests' messages."""


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        inbox = self.server.inbox

        def deliver(_mail_from, recipients, data):
            for message in mail_messages(recipients, data):
                inbox.add(message)

        session = SmtpSession(deliver)
        self._reply([session.greeting()])
        while not session.closed:
            line = self.rfile.readline(SMTP_MAX_LINE)
            if not line:
                return
            self._reply(session.feed(line))

    def _reply(self, lines):
        if lines:
            self.wfile.write("".join(f"{line}\r\n" for line in lines).encode())
            self.wfile.flush()


class _ThreadingSmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class StandIns:
    """The SMS endpoint with the guest phone page, and the SMTP sink, in threads.

    Port 0 takes a free port; the chosen ones are read back from the servers.
    """

    def __init__(self, host="127.0.0.1", http_port=0, smtp_port=0, inbox=None):
        self.host = host
        self.inbox = inbox or Inbox()
        self.http = ThreadingHTTPServer((host, http_port), _HttpHandler)
        self.http.daemon_threads = True
        self.http.inbox = self.inbox
        try:
            self.smtp = _ThreadingSmtpServer((host, smtp_port), _SmtpHandler)
        except OSError:
            self.http.server_close()
            raise
        self.smtp.inbox = self.inbox
        self._threads = []

    @property
    def http_port(self):
        return self.http.server_address[1]

    @property
    def smtp_port(self):
        return self.smtp.server_address[1]

    @property
    def base_url(self):
        return f"http://{self.host}:{self.http_port}"

    def start(self):
        for server in (self.http, self.smtp):
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self):
        for server in (self.http, self.smtp):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)


def _serve_command(args):
    def echo(text):
        print(text, flush=True)

    # scripts/demo stops this process with SIGTERM (a background job of a
    # script ignores Ctrl-C): leave through `finally` all the same.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))

    try:
        standins = StandIns(args.host, args.http_port, args.smtp_port, Inbox(echo=echo))
    except OSError as exc:
        sys.exit(f"demo stand-ins: cannot listen on {args.host}: {exc}")
    standins.start()
    if args.ready_file:
        # Written once listening: the caller's sign that these ports are ours.
        with open(args.ready_file, "w", encoding="utf-8") as ready:
            ready.write(f"{standins.base_url}\n")
    print(
        f"demo stand-ins: SMS endpoint and guest phone on {standins.base_url}, "
        f"SMTP on {args.host}:{standins.smtp_port}",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        standins.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run the demo's SMS endpoint, guest phone page and SMTP sink "
        "until interrupted."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=8070)
    parser.add_argument("--smtp-port", type=int, default=8071)
    parser.add_argument("--ready-file", help="written once both servers listen")
    _serve_command(parser.parse_args(argv))


if __name__ == "__main__":
    main()
