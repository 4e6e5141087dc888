# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The guest phone page: the demo guests' messages as a phone shows them.

Served by demo_standins.py at ``/``; it refreshes itself, so a code sent at
the POS shows up without a click. It shows codes, which is its whole point
and why only the demo serves it. Every text on it comes from a message, so
all of it is escaped.
"""

import html

PAGE_REFRESH_SECONDS = 2


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
