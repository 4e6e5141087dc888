# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's delivery stand-ins (scripts/demo_standins.py, scripts/demo_configure.py).

First the parts that need no socket (what SmsApi sends and what IAP answers,
the SMTP conversation, the mail's text, the guest phone page), then smtplib
and HTTP against the running stand-ins, then the demo's whole delivery path:
a database configured by the very function scripts/demo calls, a cashier
over HTTP, and every message read back from the stand-ins.
"""

import importlib.util
import json
import re
import smtplib
import sys
import threading
import urllib.request
import uuid as uuid_lib
from email.message import EmailMessage
from pathlib import Path
from random import randint
from types import SimpleNamespace
from unittest.mock import patch

import pytest

import odoo
from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.base.models import ir_mail_server

from .common import MODULE, HttpCase, TransactionCase
from .otp_common import CODE_RE

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _load(name):
    spec = importlib.util.spec_from_file_location(
        f"salon_{name}", SCRIPTS / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


standins = _load("demo_standins")
demo_configure = _load("demo_configure")

# What ir_mail_server sees as ``odoo.modules`` in the end-to-end tests: see
# TestDemoDelivery's docstring.
NOT_TESTING = SimpleNamespace(module=SimpleNamespace(current_test=None))

CAMILLE_NUMBER = "+33612345678"
CAMILLE_EMAIL = "camille.martin@example.com"


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
    received, answer = standins.handle_sms_send(body)
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
    received, answer = standins.handle_sms_send(body)
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
    session = standins.SmtpSession(lambda *args: delivered.append(args))
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
        f"250-SIZE {standins.SMTP_MAX_MESSAGE}",
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
    session = standins.SmtpSession(lambda *args: delivered.append(args))
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

    session = standins.SmtpSession(deliver)
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
    subject, text = standins.parse_email(mail.as_bytes())
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
    _subject, text = standins.parse_email(mail.as_bytes())
    assert text == "Hello Camille,\n\n482913\n\nIt is valid for 5 minutes & once."


def test_mail_gives_one_message_per_recipient():
    mail = EmailMessage()
    mail["Subject"] = "Notice"
    mail.set_content("Remaining: 110.00")
    messages = standins.mail_messages(
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
    inbox = standins.Inbox(limit=2, echo=echoed.append)
    for n in range(3):
        inbox.add(standins.Message("sms", f"+3361234567{n}", f"text {n}"))
    assert [m.text for m in inbox.messages()] == ["text 2", "text 1"]
    assert len(echoed) == 3
    assert "SMS to +33612345672" in echoed[-1]
    assert echoed[-1].endswith("text 2")


def test_inbox_wait_for_a_message_from_another_thread():
    inbox = standins.Inbox()
    message = standins.Message("email", CAMILLE_EMAIL, "482913", subject="Code")
    timer = threading.Timer(0.2, inbox.add, [message])
    timer.start()
    try:
        assert inbox.wait_for(lambda m: m.channel == "email", timeout=5) == message
        assert inbox.wait_for(lambda m: m.channel == "sms", timeout=0.1) is None
    finally:
        timer.cancel()


def test_phone_page_shows_cards_newest_first_escaped():
    messages = [
        standins.Message("email", CAMILLE_EMAIL, "<script>x</script>", subject="S&S"),
        standins.Message("sms", CAMILLE_NUMBER, "Salon: 482913 is your code"),
    ]
    page = standins.render_phone_page(messages)
    assert '<meta http-equiv="refresh"' in page
    assert page.count('<article class="card') == 2
    assert page.index(CAMILLE_EMAIL) < page.index(CAMILLE_NUMBER)
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "S&amp;S" in page
    assert "Salon: 482913 is your code" in page


def test_phone_page_without_message_says_what_to_do():
    page = standins.render_phone_page([])
    assert "No message yet" in page and "<article" not in page


# ----------------------------------------------------------------------
# The running stand-ins, with the clients Odoo uses
# ----------------------------------------------------------------------
@pytest.fixture
def running():
    server = standins.StandIns().start()
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
        running.base_url + standins.SMS_SEND_PATH,
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


# ----------------------------------------------------------------------
# Outside the demo command, nothing of it exists
# ----------------------------------------------------------------------
@tagged("post_install", "-at_install")
class TestNoStandInsOutsideTheDemo(TransactionCase):
    """The addon itself (data, demo data, code) never points anything at the stand-ins."""

    def test_installed_database_has_no_stand_in_settings(self):
        # The test database is installed with demo data, as the demo's is,
        # but not by scripts/demo: the gateway and mail server are Odoo's.
        self.assertFalse(
            self.env["ir.config_parameter"].sudo().get_param("sms.endpoint")
        )
        self.assertFalse(
            self.env["ir.mail_server"]
            .sudo()
            .with_context(active_test=False)
            .search([("name", "=", demo_configure.MAIL_SERVER_NAME)])
        )
        front_desk = self.env.ref(demo_configure.FRONT_DESK_XMLID)
        self.assertFalse(front_desk.redeem_otp_allow_override)
        self.assertFalse(front_desk.redeem_otp_override_set)

    def test_addon_files_do_not_mention_the_stand_ins(self):
        addon = Path(__file__).resolve().parent.parent / MODULE
        pattern = re.compile(
            r"sms\.endpoint|model=\"ir\.mail_server\"|demo_standins|demo_configure"
        )
        offending = [
            str(path.relative_to(addon))
            for path in addon.rglob("*")
            if path.suffix in (".py", ".xml", ".csv", ".js")
            and pattern.search(path.read_text(encoding="utf-8"))
        ]
        self.assertEqual(offending, [])

    def test_configure_refuses_a_database_without_demo_data(self):
        self.env["ir.module.module"].search([("name", "=", "base")]).demo = False
        with self.assertRaises(demo_configure.NotDemoDatabase):
            demo_configure.configure_database(self.env, "http://127.0.0.1:1", "h", 1)
        self.assertFalse(
            self.env["ir.config_parameter"].sudo().get_param("sms.endpoint")
        )


@tagged("post_install", "-at_install")
class TestMailGuardUnderOdoosRunner(TransactionCase):
    """The end-to-end tests' patch is what opens SMTP under Odoo's own runner."""

    def send_one(self):
        sink = standins.StandIns().start()
        self.addCleanup(sink.stop)
        servers = self.env["ir.mail_server"].sudo()
        message = servers.build_email(
            "shop@example.com", [CAMILLE_EMAIL], "Guard", "482913"
        )
        servers.send_email(message, smtp_server="127.0.0.1", smtp_port=sink.smtp_port)
        return sink.inbox.messages()

    def test_runner_flag_blocks_smtp_and_the_patch_lets_it_through(self):
        # As under odoo-bin --test-enable: the flag is the running test.
        with patch.object(odoo.modules.module, "current_test", self):
            self.assertEqual(self.send_one(), [])
            with patch.object(ir_mail_server, "modules", NOT_TESTING):
                received = self.send_one()
        self.assertEqual(
            [(m.destination, m.text) for m in received], [(CAMILLE_EMAIL, "482913")]
        )


# ----------------------------------------------------------------------
# The demo's delivery, end to end
# ----------------------------------------------------------------------
@tagged("post_install", "-at_install")
class TestDemoDelivery(HttpCase):
    """A cashier at the demo's Front Desk, with codes read from the stand-ins.

    The database is configured by ``configure_database``, the function
    scripts/demo calls, with the stand-ins of scripts/demo_standins.py on
    free ports; codes and notices go through Odoo's own sms and mail code
    to them. Only Odoo's test-mode guards are moved aside, not the code that
    sends:

    - ``ir.mail_server.connect`` and ``send_email`` return early, without
      sending, while ``odoo.modules.module.current_test`` is set. Odoo's own
      test runner sets it (pytest-odoo does not on 18.0, so under
      scripts/run-tests the guard is already open), and the test cursor
      reads it, so it cannot simply be cleared. Instead ``ir_mail_server``'s
      own reference to ``odoo.modules`` is replaced, for this class only, by
      one whose ``module.current_test`` is None: those two guards are the
      only readers of that name in the file. The SMTP code runs unchanged.
    - ``iap_jsonrpc`` refuses to post when the current thread carries the
      ``testing`` flag, which the test runners set on the thread running
      the tests. The cashier's requests run in the HTTP server's request
      threads, which do not carry it, so the SMS needs no patch at all; and
      Odoo's test guard on ``requests`` lets 127.0.0.1, where the stand-ins
      listen, through.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standins = standins.StandIns().start()
        cls.addClassCleanup(cls.standins.stop)
        cls.startClassPatcher(patch.object(ir_mail_server, "modules", NOT_TESTING))
        env = cls.env
        cls.front_desk = demo_configure.configure_database(
            env, cls.standins.base_url, "127.0.0.1", cls.standins.smtp_port
        ).sudo()
        cls.camille = env.ref(f"{MODULE}.demo_partner_camille")
        cls.credit = env.ref(f"{MODULE}.demo_card_ewallet_camille")
        cls.haircut = env.ref(f"{MODULE}.demo_product_haircut")
        cls.cashier = new_test_user(
            env,
            login="demo_cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.front_desk.company_id.id,
        )
        cls.front_desk.with_user(cls.cashier).open_ui()
        cls.pos_session = cls.front_desk.current_session_id
        cls.pos_session.with_user(cls.cashier).set_opening_control(0, None)

    def setUp(self):
        super().setUp()
        self.standins.inbox.clear()
        self.authenticate("demo_cashier", "demo_cashier")

    # -- the cashier's calls ---------------------------------------------
    def rpc(self, route, **params):
        return self.make_jsonrpc_request(f"/salon_otp_redeem/{route}", params)

    def call_kw(self, model, method, *args):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": {}},
        )

    def ask_code(self, order_uuid, points, **params):
        result = self.rpc(
            "challenge",
            pos_config_id=self.front_desk.id,
            partner_id=self.camille.id,
            order_uuid=order_uuid,
            redemptions=[
                {
                    "card_id": self.credit.id,
                    "program_id": self.credit.program_id.id,
                    "points": points,
                    "amount": points,
                }
            ],
            **params,
        )
        self.assertNotIn("error", result, result)
        return result

    def received(self, channel, destination, text_pattern):
        """The newest message the stand-ins got for this guest, or a failure."""
        message = self.standins.inbox.wait_for(
            lambda m: (
                m.channel == channel
                and m.destination == destination
                and re.search(text_pattern, m.text)
            ),
            timeout=10,
        )
        self.assertTrue(
            message,
            f"no {channel} to {destination} matching {text_pattern!r}; "
            f"got {self.standins.inbox.messages()}",
        )
        return message

    def paid_order(self, order_uuid, points, challenge_id):
        """A Haircut paid partly with Camille's credit, as the POS syncs it."""
        reward = self.credit.program_id.reward_ids[:1]
        price = self.haircut.lst_price
        cash = self.front_desk.payment_method_ids.filtered("is_cash_count")[:1]

        def line(product, amount, **extra):
            return Command.create(
                {
                    "id": randint(1, 1000000),
                    "pack_lot_ids": [],
                    "product_id": product.id,
                    "qty": 1,
                    "discount": 0.0,
                    "price_unit": amount,
                    "price_subtotal": amount,
                    "price_subtotal_incl": amount,
                    "tax_ids": [Command.set([])],
                    **extra,
                }
            )

        code = f"r{reward.id}-{self.credit.id}"
        total = price - points
        now = fields.Datetime.to_string(fields.Datetime.now())
        return {
            "uuid": order_uuid,
            "name": f"Order {order_uuid}",
            "session_id": self.pos_session.id,
            "user_id": self.cashier.id,
            "partner_id": self.camille.id,
            "pricelist_id": self.front_desk.pricelist_id.id,
            "fiscal_position_id": False,
            "sequence_number": randint(2, 100000),
            "date_order": now,
            "lines": [
                line(self.haircut, price),
                line(
                    reward.discount_line_product_id,
                    -points,
                    is_reward_line=True,
                    reward_id=reward.id,
                    coupon_id=self.credit.id,
                    points_cost=points,
                    reward_identifier_code=code,
                ),
            ],
            "payment_ids": [
                Command.create(
                    {"amount": total, "name": now, "payment_method_id": cash.id}
                )
            ],
            "amount_paid": total,
            "amount_total": total,
            "amount_tax": 0.0,
            "amount_return": 0,
            "last_order_preparation_change": "{}",
            "to_invoice": False,
            "access_token": uuid_lib.uuid4().hex,
            "redeem_otp_challenge_id": challenge_id,
            "state": "paid",
        }, code

    # -- the demo's story ------------------------------------------------
    def test_01_pay_with_credit_code_read_on_the_guest_phone(self):
        order_uuid = str(uuid_lib.uuid4())
        asked = self.ask_code(order_uuid, 40.0)
        self.assertEqual(asked["channel"], "sms")
        sms = self.received("sms", CAMILLE_NUMBER, "is your code")
        code = CODE_RE.search(sms.text).group(1)
        self.assertNotIn(code, json.dumps(asked))

        verified = self.rpc("verify", challenge_id=asked["challenge_id"], code=code)
        self.assertEqual(verified.get("state"), "verified", verified)

        data, line_code = self.paid_order(order_uuid, 40.0, asked["challenge_id"])
        synced = self.call_kw("pos.order", "sync_from_ui", [data])
        order_id = synced["pos.order"][0]["id"]
        self.call_kw(
            "pos.order",
            "confirm_coupon_programs",
            [order_id],
            {
                str(self.credit.id): {
                    "points": -40.0,
                    "program_id": self.credit.program_id.id,
                    "coupon_id": self.credit.id,
                    "barcode": False,
                    "line_codes": [line_code],
                }
            },
        )
        self.env.invalidate_all()
        self.assertEqual(self.credit.points, 110.0)
        # The balance notice waits in Odoo's SMS queue; its scheduled action
        # sends it, here run by an administrator as "Run manually" does.
        self.authenticate("admin", "admin")
        self.call_kw(
            "ir.cron",
            "method_direct_trigger",
            [self.env.ref("sms.ir_cron_sms_scheduler_action").id],
        )
        notice = self.received("sms", CAMILLE_NUMBER, r"Client credit used")
        self.assertRegex(notice.text, r"Remaining: .*110\.00")
        self.assertNotIn(code, notice.text)

    def test_02_code_by_email_through_the_smtp_sink(self):
        asked = self.ask_code(str(uuid_lib.uuid4()), 20.0, channel="email")
        self.assertEqual(asked["channel"], "email")
        mail = self.received("email", CAMILLE_EMAIL, r"\S")
        self.assertIn("your redemption code", mail.subject)
        code = re.search(r"^([0-9]{6})$", mail.text, re.MULTILINE).group(1)
        verified = self.rpc("verify", challenge_id=asked["challenge_id"], code=code)
        self.assertEqual(verified.get("state"), "verified", verified)

    def test_03_demo_override_code_at_the_front_desk(self):
        asked = self.ask_code(str(uuid_lib.uuid4()), 10.0)
        sms = self.received("sms", CAMILLE_NUMBER, "is your code")
        code = CODE_RE.search(sms.text).group(1)
        wrong_code = "".join("1" if ch != "1" else "2" for ch in code)
        wrong = self.rpc("verify", challenge_id=asked["challenge_id"], code=wrong_code)
        self.assertEqual(wrong["error"]["code"], "invalid_code", wrong)
        verified = self.rpc(
            "verify",
            challenge_id=asked["challenge_id"],
            override_code=demo_configure.DEFAULT_OVERRIDE_CODE,
            reason="Guest's phone is flat",
        )
        self.assertEqual(verified.get("method"), "override", verified)
        self.received("sms", CAMILLE_NUMBER, r"a staff override authorized")

    def test_04_notices_as_mail_mail_rows_through_the_smtp_sink(self):
        """Notices go out as mail.mail rows sent at once: the sink carries them too."""
        self.front_desk.company_id.redeem_otp_channel_sequence = "email"
        asked = self.ask_code(str(uuid_lib.uuid4()), 10.0)
        self.assertEqual(asked["channel"], "email")
        self.received("email", CAMILLE_EMAIL, r"\S")
        verified = self.rpc(
            "verify",
            challenge_id=asked["challenge_id"],
            override_code=demo_configure.DEFAULT_OVERRIDE_CODE,
            reason="Guest's phone is flat",
        )
        self.assertEqual(verified.get("method"), "override", verified)
        notice = self.received("email", CAMILLE_EMAIL, r"staff")
        self.assertIn("authorized by our staff", notice.subject)
