# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the demo's guests received: the guest phone's messages, newest first.

The SMS endpoint (demo_sms_endpoint.py) and the SMTP sink (demo_smtp_sink.py)
turn what Odoo sends into ``Message`` objects; the running stand-ins
(demo_standins.py) keep them in one ``Inbox`` that the terminal echoes and
the guest phone page (demo_phone_page.py) shows. The inbox lives in the
stand-ins' memory only, bounded: it stands for the guests' phones, not for
the salon's server, so nothing of it needs to survive the demo.
"""

import threading
import time
from collections import deque
from dataclasses import dataclass, field

INBOX_LIMIT = 100


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
