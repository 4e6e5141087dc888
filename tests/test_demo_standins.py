# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's delivery stand-ins, on their own (scripts/demo_standins.py and siblings).

First the parts that need no socket (what SmsApi sends and what IAP answers,
the SMTP conversation, the mail's text, the inbox and the guest phone page),
then smtplib and HTTP against the running stand-ins. No database: what the
demo sends through them from Odoo is tests/test_demo_delivery.py's part.
"""

import json
import smtplib
import threading
import urllib.request
from email.message import EmailMessage

import pytest

from .demo_common import CAMILLE_EMAIL, CAMILLE_NUMBER, load_script

demo_inbox = load_script("demo_inbox")
demo_phone_page = load_script("demo_phone_page")
demo_sms_endpoint = load_script("demo_sms_endpoint")
demo_smtp_sink = load_script("demo_smtp_sink")
demo_standins = load_script("demo_standins")


def sms_request(messages, request_id="42"):
    """A request body exactly as iap_jsonrpc posts SmsApi._send_sms_batch's params."""
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "messages": messages,
                "webhook_url": "http://localhost:8069/sms/status",
                "dbuuid": "db-uuid",
                "account_token": "token",
            },
            "id": request_id,
        }
    ).encode()


# ----------------------------------------------------------------------
# SMS: what SmsApi sends, what IAP answers
# ----------------------------------------------------------------------
def test_sms_batch_gives_one_message_per_number_and_success_per_uuid():
    body = sms_request(
        [
            {
                "content": "Salon: 123456 is your code",
                "numbers": [
                    {"uuid": "u1", "number": "+33612345678"},
                    {"uuid": "u2", "number": "+34612345678"},
                ],
            },
            {
                "content": "Remaining: 110.00",
                "numbers": [{"uuid": "u3", "number": "+1"}],
            },
        ]
    )
    received, answer = demo_sms_endpoint.handle_sms_send(body)
    assert [(m.channel, m.destination, m.text) for m in received] == [
        ("sms", "+33612345678", "Salon: 123456 is your code"),
        ("sms", "+34612345678", "Salon: 123456 is your code"),
        ("sms", "+1", "Remaining: 110.00"),
    ]
    assert answer == {
        "jsonrpc": "2.0",
        "id": "42",
        "result": [
            {"uuid": "u1", "state": "success", "credit": 1},
            {"uuid": "u2", "state": "success", "credit": 1},
            {"uuid": "u3", "state": "success", "credit": 1},
        ],
    }


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"params": {}}).encode(),
        sms_request("not a list"),
        sms_request([{"content": "x"}]),
        sms_request([{"content": "x", "numbers": [{"number": "+336"}]}]),
    ],
)
def test_sms_request_not_from_smsapi_is_an_iap_error(body):
    received, answer = demo_sms_endpoint.handle_sms_send(body)
    assert received == []
    assert "result" not in answer
    # iap_jsonrpc reads error.data.name to tell a credit error from others.
    assert answer["error"]["data"]["name"] == "werkzeug.exceptions.BadRequest"


# ----------------------------------------------------------------------
# SMTP: one conversation, without the socket
# ----------------------------------------------------------------------
def converse(session, lines):
    replies = []
    for line in lines:
        replies.extend(session.feed(line.encode() + b"\r\n"))
    return replies


def test_smtp_conversation_delivers_the_unstuffed_data():
    delivered = []
    session = demo_smtp_sink.SmtpSession(lambda *args: delivered.append(args))
    assert session.greeting().startswith("220 ")
    replies = converse(
        session,
        [
            "EHLO client",
            "MAIL FROM:<shop@example.com> SIZE=120 BODY=8BITMIME",
            "RCPT TO:<camille.martin@example.com>",
            "DATA",
            "Subject: hi",
            "",
            "..leading dot",
            "plain",
            ".",
            "QUIT",
        ],
    )
    assert replies[:5] == [
        "250-guest-phone.localhost",
        "250-8BITMIME",
        "250-SMTPUTF8",
        f"250-SIZE {demo_smtp_sink.SMTP_MAX_MESSAGE}",
        "250 HELP",
    ]
    assert [r[:3] for r in replies[5:]] == ["250", "250", "354", "250", "221"]
    assert session.closed
    assert delivered == [
        (
            "shop@example.com",
            ["camille.martin@example.com"],
            b"Subject: hi\r\n\r\n.leading dot\r\nplain\r\n",
        )
    ]


def test_smtp_refuses_commands_out_of_order():
    delivered = []
    session = demo_smtp_sink.SmtpSession(lambda *args: delivered.append(args))
    replies = converse(
        session,
        [
            "MAIL FROM:<a@example.com>",
            "HELO client",
            "RCPT TO:<b@example.com>",
            "DATA",
            "MAIL FROM:a@example.com",
            "MAIL FROM:<a@example.com>",
            "RCPT TO:<>",
            "DATA",
            "VRFY b",
            "RSET",
            "NOOP",
        ],
    )
    assert [r[:3] for r in replies] == [
        "503",  # MAIL before HELO
        "250",
        "503",  # RCPT before MAIL
        "503",  # DATA before RCPT
        "501",  # address without brackets
        "250",
        "501",  # empty recipient
        "503",  # still no recipient
        "500",
        "250",
        "250",
    ]
    assert delivered == []
    assert not session.closed


def test_smtp_delivery_failure_is_answered_not_raised():
    def deliver(*args):
        raise ValueError("broken mail")

    session = demo_smtp_sink.SmtpSession(deliver)
    replies = converse(
        session,
        ["EHLO c", "MAIL FROM:<a@x.com>", "RCPT TO:<b@x.com>", "DATA", "x", "."],
    )
    assert replies[-1] == "554 Not delivered: ValueError"


# ----------------------------------------------------------------------
# Email: the text the guest reads
# ----------------------------------------------------------------------
def test_email_text_is_the_plain_alternative():
    mail = EmailMessage()
    mail["Subject"] = "Maison Lumière: your redemption code"
    mail["To"] = CAMILLE_EMAIL
    mail.set_content("Hello Camille,\n\n  482913  \n\n\n\nValid 5 minutes.\n")
    mail.add_alternative("<p>Hello <b>Camille</b></p><p>000000</p>", subtype="html")
    subject, text = demo_smtp_sink.parse_email(mail.as_bytes())
    assert subject == "Maison Lumière: your redemption code"
    assert text == "Hello Camille,\n\n482913\n\nValid 5 minutes."


def test_email_html_only_is_made_readable():
    mail = EmailMessage()
    mail["Subject"] = "Code"
    mail.set_content(
        "<html><head><style>p { color: red; }</style></head><body>"
        "<div><p>Hello\n   Camille,</p><p style='font-size: 28px'>482913</p>"
        "<p>It is valid&nbsp;for 5 minutes &amp; once.</p></div></body></html>",
        subtype="html",
    )
    _subject, text = demo_smtp_sink.parse_email(mail.as_bytes())
    assert text == "Hello Camille,\n\n482913\n\nIt is valid for 5 minutes & once."


def test_mail_gives_one_message_per_recipient():
    mail = EmailMessage()
    mail["Subject"] = "Notice"
    mail.set_content("Remaining: 110.00")
    messages = demo_smtp_sink.mail_messages(
        ["a@example.com", "b@example.com"], mail.as_bytes()
    )
    assert [(m.channel, m.destination, m.subject, m.text) for m in messages] == [
        ("email", "a@example.com", "Notice", "Remaining: 110.00"),
        ("email", "b@example.com", "Notice", "Remaining: 110.00"),
    ]


# ----------------------------------------------------------------------
# Inbox and the guest phone page
# ----------------------------------------------------------------------
def test_inbox_is_newest_first_bounded_and_echoes():
    echoed = []
    inbox = demo_inbox.Inbox(limit=2, echo=echoed.append)
    for n in range(3):
        inbox.add(demo_inbox.Message("sms", f"+3361234567{n}", f"text {n}"))
    assert [m.text for m in inbox.messages()] == ["text 2", "text 1"]
    assert len(echoed) == 3
    assert "SMS to +33612345672" in echoed[-1]
    assert echoed[-1].endswith("text 2")


def test_inbox_wait_for_a_message_from_another_thread():
    inbox = demo_inbox.Inbox()
    message = demo_inbox.Message("email", CAMILLE_EMAIL, "482913", subject="Code")
    timer = threading.Timer(0.2, inbox.add, [message])
    timer.start()
    try:
        assert inbox.wait_for(lambda m: m.channel == "email", timeout=5) == message
        assert inbox.wait_for(lambda m: m.channel == "sms", timeout=0.1) is None
    finally:
        timer.cancel()


def test_phone_page_shows_cards_newest_first_escaped():
    messages = [
        demo_inbox.Message("email", CAMILLE_EMAIL, "<script>x</script>", subject="S&S"),
        demo_inbox.Message("sms", CAMILLE_NUMBER, "Salon: 482913 is your code"),
    ]
    page = demo_phone_page.render_phone_page(messages)
    assert '<meta http-equiv="refresh"' in page
    assert page.count('<article class="card') == 2
    assert page.index(CAMILLE_EMAIL) < page.index(CAMILLE_NUMBER)
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "S&amp;S" in page
    assert "Salon: 482913 is your code" in page


def test_phone_page_without_message_says_what_to_do():
    page = demo_phone_page.render_phone_page([])
    assert "No message yet" in page and "<article" not in page


# ----------------------------------------------------------------------
# The running stand-ins, with the clients Odoo uses
# ----------------------------------------------------------------------
@pytest.fixture
def running():
    server = demo_standins.StandIns().start()
    yield server
    server.stop()


def test_smtplib_mail_reaches_the_page(running):
    mail = EmailMessage()
    mail["From"] = "Salon <shop@example.com>"
    mail["To"] = CAMILLE_EMAIL
    mail["Subject"] = "Votre code — Maison Lumière"
    mail.set_content("482913 est votre code")
    with smtplib.SMTP("127.0.0.1", running.smtp_port, timeout=5) as client:
        client.send_message(mail)
    with urllib.request.urlopen(f"{running.base_url}/messages.json", timeout=5) as r:
        received = json.load(r)
    assert [
        (m["channel"], m["destination"], m["subject"], m["text"]) for m in received
    ] == [
        ("email", CAMILLE_EMAIL, "Votre code — Maison Lumière", "482913 est votre code")
    ]
    with urllib.request.urlopen(f"{running.base_url}/", timeout=5) as r:
        assert "482913 est votre code" in r.read().decode()


def test_sms_post_is_answered_and_shown(running):
    request = urllib.request.Request(
        running.base_url + demo_sms_endpoint.SMS_SEND_PATH,
        data=sms_request(
            [{"content": "Salon: 482913", "numbers": [{"uuid": "u", "number": "+1"}]}]
        ),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as r:
        assert json.load(r)["result"] == [
            {"uuid": "u", "state": "success", "credit": 1}
        ]
    assert [m.text for m in running.inbox.messages()] == ["Salon: 482913"]
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(running.base_url + "/api/sms/2/send", data=b"{}")
    assert caught.value.code == 404
