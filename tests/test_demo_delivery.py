# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's delivery on a database (scripts/demo_configure.py, scripts/demo_standins.py).

First that nothing of the demo's delivery exists outside the demo command,
and that the patch the end-to-end tests need is what opens SMTP under Odoo's
own runner; then the demo's whole delivery path: a database configured by
the very function scripts/demo calls, a cashier over HTTP, and every message
read back from the stand-ins. The stand-ins on their own are tested in
tests/test_demo_standins.py.
"""

import json
import re
import uuid as uuid_lib
from pathlib import Path
from random import randint
from types import SimpleNamespace
from unittest.mock import patch

import odoo
from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.base.models import ir_mail_server

from .common import MODULE, HttpCase, TransactionCase
from .demo_common import CAMILLE_EMAIL, CAMILLE_NUMBER, load_script
from .otp_common import CODE_RE, wait_delivery

demo_configure = load_script("demo_configure")
demo_standins = load_script("demo_standins")

# What ir_mail_server sees as ``odoo.modules`` in the end-to-end tests: see
# TestDemoDelivery's docstring.
NOT_TESTING = SimpleNamespace(module=SimpleNamespace(current_test=None))


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
            r"sms\.endpoint|model=\"ir\.mail_server\"|demo_(standins|configure|inbox|sms_endpoint|smtp_sink|phone_page)"
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
        sink = demo_standins.StandIns().start()
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
        cls.standins = demo_standins.StandIns().start()
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
        answer = self.make_jsonrpc_request(f"/salon_otp_redeem/{route}", params)
        if route == "challenge":
            return wait_delivery(self.make_jsonrpc_request, answer)
        return answer

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

    def verify_by_override(self, challenge_id):
        """The Front Desk's demo override code, as staff type it for a guest."""
        verified = self.rpc(
            "verify",
            challenge_id=challenge_id,
            override_code=demo_configure.DEFAULT_OVERRIDE_CODE,
            reason="Guest's phone is flat",
        )
        self.assertEqual(verified.get("method"), "override", verified)

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
        # The balance notice is owed, then queued in Odoo's SMS queue: the
        # scheduled actions send it, here run by an administrator as "Run
        # manually" does.
        self.authenticate("admin", "admin")
        for cron in (
            "salon_otp_redeem.ir_cron_balance_notices",
            "sms.ir_cron_sms_scheduler_action",
        ):
            self.call_kw("ir.cron", "method_direct_trigger", [self.env.ref(cron).id])
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
        self.verify_by_override(asked["challenge_id"])
        self.received("sms", CAMILLE_NUMBER, r"a staff override authorized")

    def test_04_notices_as_mail_mail_rows_through_the_smtp_sink(self):
        """Notices go out as mail.mail rows sent at once: the sink carries them too."""
        self.front_desk.company_id.redeem_otp_channel_sequence = "email"
        asked = self.ask_code(str(uuid_lib.uuid4()), 10.0)
        self.assertEqual(asked["channel"], "email")
        self.received("email", CAMILLE_EMAIL, r"\S")
        self.verify_by_override(asked["challenge_id"])
        notice = self.received("email", CAMILLE_EMAIL, r"staff")
        self.assertIn("authorized by our staff", notice.subject)
