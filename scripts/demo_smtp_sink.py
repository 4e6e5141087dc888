# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's SMTP sink: the mail server the demo database sends through.

demo_configure.py sets an ``ir.mail_server`` on it (no TLS, no login), so
every mail a demo guest gets, whether sent straight by ``ir.mail_server`` or
as a ``mail.mail`` row, ends here and becomes one guest phone message per
recipient, its text the one a guest reads. ``smtpd`` left Python in 3.12, so
the conversation is a small state machine of its own (``SmtpSession``,
unit-tested without a socket) under a stream handler that
demo_standins.py serves.
"""

import re
import socketserver
from email import message_from_bytes, policy
from html.parser import HTMLParser

from demo_inbox import Message

SMTP_MAX_LINE = 10_000
SMTP_MAX_MESSAGE = 10_000_000


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
# The socket: one session a connection, mail into the server's inbox
# ----------------------------------------------------------------------
class SmtpHandler(socketserver.StreamRequestHandler):
    """Runs an ``SmtpSession`` on a connection; its server carries the ``inbox``."""

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


class ThreadingSmtpServer(socketserver.ThreadingTCPServer):
    """A thread a connection, so that a slow client holds up no other mail."""

    allow_reuse_address = True
    daemon_threads = True
