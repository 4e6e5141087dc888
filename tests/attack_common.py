# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The cashier as attacker: a POS user with a browser console and JSON-RPC.

Every attack goes through HTTP as the logged-in POS user: models through
``/web/dataset/call_kw`` and the addon's JSON routes. ``self.env`` (the test
superuser) only sets data up and reads the effects back.
"""

import json
import math
from contextlib import contextmanager

from odoo import Command
from odoo.tests import new_test_user
from odoo.tests.common import JsonRpcException
from odoo.tools import email_normalize_all

from .otp_common import RedeemRoutesCase

PROTECTED_TYPES = ("loyalty", "ewallet", "coupons", "next_order_coupons")
PAID_STATES = ("paid", "done", "invoiced")
ACCOMPLICE_MOBILE = "+33 6 98 76 54 32"
ACCOMPLICE_NUMBER = "+33698765432"

CARD_FIELDS = ("points", "partner_id", "program_id", "expiration_date", "active")
CONFIG_FIELDS = (
    "redeem_otp_required",
    "redeem_otp_allow_override",
    "redeem_otp_override_daily_limit",
    "redeem_otp_max_sends_per_hour",
)


class AttackCase(RedeemRoutesCase):
    """The salon of RedeemRoutesCase, an accomplice, a second center and cashier."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.accomplice = env["res.partner"].create(
            {
                "name": "Alex Accomplice",
                "mobile": ACCOMPLICE_MOBILE,
                "email": "alex.accomplice@example.com",
                "country_id": env.ref("base.fr").id,
            }
        )
        cls.accomplice_card = env["loyalty.card"].create(
            {
                "program_id": cls.ewallet.id,
                "partner_id": cls.accomplice.id,
                "points": 10.0,
            }
        )
        # A second cashier, working at a second center with its own session.
        cls.pos_user2 = new_test_user(
            env,
            login="pos_user2",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.other_config = env["pos.config"].create({"name": "Second center"})
        cls.other_config.with_user(cls.pos_user2).open_ui()
        cls.other_session = cls.other_config.current_session_id
        cls.other_session.with_user(cls.pos_user2).set_opening_control(0, None)

    def setUp(self):
        super().setUp()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM pos_order")
        self.last_order_id = self.env.cr.fetchone()[0]

    # -- JSON-RPC as the logged-in user ---------------------------------
    def call_kw(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def attempt(self, model, method, *args, **kwargs):
        """Call over RPC; return the result, or the JsonRpcException the server raised.

        The attack's effect is what is asserted afterwards, not how it was refused.
        """
        try:
            return self.call_kw(model, method, *args, **kwargs)
        except JsonRpcException as exc:
            return exc

    def attempt_route(self, route, **params):
        """A route's answer, or the JsonRpcException (a route must not raise, but
        the effect is what counts here)."""
        try:
            return self.rpc(route, **params)
        except JsonRpcException as exc:
            return exc

    @staticmethod
    def refused(result):
        return isinstance(result, JsonRpcException) or (
            isinstance(result, dict) and "error" in result
        )

    def heard(self):
        """Every SMS number and mail address that got something in the mocks."""
        numbers = {sms["number"] for sms in self._sms}
        mails = {
            address
            for mail in self._mails
            for to in mail["email_to"]
            for address in email_normalize_all(to)
        }
        return numbers | mails

    def post_raw(self, model, method, args_json):
        """call_kw with a body written by hand: `args_json` is JSON text that may
        hold NaN or Infinity, which Python's json parser on the server accepts."""
        body = (
            '{"jsonrpc": "2.0", "method": "call", "id": 1, "params": {'
            f'"model": {json.dumps(model)}, "method": {json.dumps(method)}, '
            f'"args": {args_json}, "kwargs": {{}}}}}}'
        )
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text[:500])
        return json.loads(response.text)

    # -- orders over RPC -------------------------------------------------
    def sync(self, data):
        """sync_from_ui over RPC; the order id, or the exception when refused."""
        result = self.attempt("pos.order", "sync_from_ui", [data])
        if isinstance(result, JsonRpcException):
            return result
        return result["pos.order"][0]["id"]

    def coupon_vals(self, card, points, program=None, **extra):
        """One entry of what pos_loyalty's `_postProcessLoyalty` sends per card."""
        program = program or card.program_id
        return {
            "points": points,
            "program_id": program.id,
            "coupon_id": card.id,
            "barcode": False,
            "line_codes": [],
            **extra,
        }

    def confirm(self, order_id, coupon_data):
        """confirm_coupon_programs over RPC (keys are strings, as in the POS)."""
        return self.attempt(
            "pos.order",
            "confirm_coupon_programs",
            [order_id],
            {str(key): vals for key, vals in coupon_data.items()},
        )

    def refund_line(self, product, price, refunded=None):
        """A line giving `price` of `product` back (quantity -1), refunding the
        line `refunded` when given."""
        line = self.product_line(product, price, qty=-1)
        if refunded:
            line[2]["refunded_orderline_id"] = refunded.id
        return line

    def coded_spend(self, card, points, partner):
        """An order spending `points` of `card` with `partner`'s own code,
        asked and verified over the routes. The order id, or the refusal."""
        uuid = self.new_uuid()
        challenge = self.verified_code(
            uuid, [self.redemption(card, points)], partner=partner
        )
        return self.sync(
            self.order_data(
                self.spending_lines(card, points),
                partner=partner,
                uuid=uuid,
                challenge_id=challenge.id,
            )
        )

    def spend_if_coded(self, card, points, partner=None):
        """Ask the guest's (or `partner`'s) code for `points` of `card`; when
        one is sent, verify it, then sync and confirm the order that spends
        them."""
        uuid = self.new_uuid()
        whose = {"partner_id": partner.id} if partner else {}
        result, code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, points)], **whose
        )
        if code and "error" not in result:
            self.verify(result["challenge_id"], code=code)
            self.sync_and_confirm(
                self.order_data(
                    self.spending_lines(card, points),
                    partner=partner,
                    challenge_id=result["challenge_id"],
                    uuid=uuid,
                ),
                card,
                -points,
            )
        self.env.invalidate_all()

    def queued_notice_of_coded_spend(self, card, points):
        """A spend with the guest's code (sent by SMS), and the balance notice
        it queued by email: the mail.mail rows the points call made."""
        self.company.redeem_otp_channel_sequence = "email,sms"
        uuid = self.new_uuid()
        result, code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, points)], channel="sms"
        )
        challenge = self.challenge(result)
        self.assertEqual(self.verify(challenge.id, code=code).get("state"), "verified")
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_mail")
        last_mail = self.env.cr.fetchone()[0]
        order = self.sync(
            self.order_data(
                self.spending_lines(card, points), uuid=uuid, challenge_id=challenge.id
            )
        )
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, -points)})
        self.send_balance_notices()
        notice = self.env["mail.mail"].sudo().search([("id", ">", last_mail)])
        self.assertEqual(len(notice), 1, "the set-up needs the queued balance notice")
        return notice

    def override_whatever_was_sent(self, card, points, partner):
        """Ask a code (sent or not), answer with the override, sync, confirm and
        run the notice queues: everything the guest would hear of a spend.
        Call it inside the SMS and mail mocks."""
        uuid = self.new_uuid()
        result = self.rpc(
            "challenge",
            **self.challenge_params(
                partner_id=partner.id,
                order_uuid=uuid,
                redemptions=[self.redemption(card, points)],
            ),
        )
        challenge_id = result.get("challenge_id") or result["error"]["challenge_id"]
        verified = self.verify_override(challenge_id, "Guest forgot the phone")
        self.assertEqual(verified.get("state"), "verified", verified)
        order = self.sync(
            self.order_data(
                self.spending_lines(card, points),
                partner=partner,
                uuid=uuid,
                challenge_id=challenge_id,
            )
        )
        self.assertIsInstance(order, int, order)
        self.confirm(order, {card.id: self.coupon_vals(card, -points)})
        self.send_balance_notices()
        self.env["sms.sms"].sudo()._process_queue()
        self.env["mail.mail"].sudo().process_email_queue()
        return order

    def override_spend(self, card, points):
        """Ask a code, answer it with the center's override code, sync and
        confirm an order spending `points` of `card`: the spend a cashier
        would make of a balance the guest is not there for."""
        uuid = self.new_uuid()
        result, _code = self.request_code(
            order_uuid=uuid, redemptions=[self.redemption(card, points)]
        )
        challenge = self.challenge(result)
        with self.mockSMSGateway(), self.mock_mail_gateway(mail_unlink_sent=True):
            self.verify_override(challenge.id, "Guest forgot the phone")
            order = self.sync(
                self.order_data(
                    self.spending_lines(card, points),
                    uuid=uuid,
                    challenge_id=challenge.id,
                )
            )
            if isinstance(order, int):
                self.confirm(order, {card.id: self.coupon_vals(card, -points)})
        self.env.invalidate_all()
        return order

    def refund_in_cash(self, line, price):
        """Refund `line` of a paid sale at `price`, paid back in cash, in the
        accomplice's name; sync it and make the points call (no cards named).
        A Point of Sale manager's refund: e-wallet credit given back in cash
        is theirs to refund."""
        data = self.order_data(
            [self.refund_line(line.product_id, price, refunded=line)],
            partner=self.accomplice,
        )
        data["amount_total"] = data["amount_paid"] = -price
        data["payment_ids"][0][2]["amount"] = -price
        with self.as_manager():
            refund = self.sync(data)
            self.assertIsInstance(refund, int, refund)
            self.confirm(refund, {})
        self.env.invalidate_all()
        return refund

    @contextmanager
    def as_manager(self):
        """The Point of Sale manager's requests, then the cashier's again."""
        self.authenticate("pos_admin", "pos_admin")
        try:
            yield
        finally:
            self.authenticate("pos_user", "pos_user")

    def spend_in_pieces(self, card, points, times, after=None):
        """`times` orders, each spending `points` of `card` with no code;
        `after(order_id)` runs after each one the server took (to hide it)."""
        for _i in range(times):
            order = self.sync_and_confirm(
                self.order_data(self.spending_lines(card, points)), card, -points
            )
            if after and isinstance(order, int):
                after(order)
        self.env.invalidate_all()

    def sync_and_confirm(self, data, card, points):
        """Sync `data` over RPC and, when the server takes the order, move
        `points` on `card` as the POS's points call would. The order id, or
        the refusal."""
        order = self.sync(data)
        if isinstance(order, int):
            self.confirm(order, {card.id: self.coupon_vals(card, points)})
        return order

    def verified_code(self, uuid, redemptions, partner=None):
        """A code asked and verified over the routes, as the real dialog does."""
        partner = partner or self.guest
        result, code = self.request_code(
            order_uuid=uuid, partner_id=partner.id, redemptions=redemptions
        )
        challenge = self.challenge(result)
        self.assertTrue(code, "no code was sent")
        verified = self.verify(challenge.id, code=code)
        self.assertEqual(verified.get("state"), "verified", verified)
        return challenge

    def second_cashier(self):
        """Log the second POS user in (their own session, at the second center)."""
        self.authenticate("pos_user2", "pos_user2")

    # -- what the salon would lose --------------------------------------
    def snapshot(self, cards=None, configs=None):
        self.env.invalidate_all()
        cards = cards if cards is not None else self.all_cards()
        configs = configs if configs is not None else (self.config | self.other_config)
        return {
            "cards": {
                card.id: {
                    name: self._value(card.with_context(active_test=False)[name])
                    for name in CARD_FIELDS
                }
                for card in cards.with_context(active_test=False)
            },
            "configs": {
                config.id: {name: config[name] for name in CONFIG_FIELDS}
                for config in configs
            },
            "card_count": self.env["loyalty.card"]
            .with_context(active_test=False)
            .search_count([]),
        }

    @staticmethod
    def _value(value):
        if hasattr(value, "_name"):
            return value.id
        return value

    def all_cards(self):
        return (
            self.env["loyalty.card"]
            .with_context(active_test=False)
            .search([("program_id.program_type", "!=", False)])
        )

    def assertNothingLost(self, before, allow_decision=False):
        """Balances, holders, programs, expiries, active flags and settings as they
        were; no new card; no paid order spending a protected balance unauthorized."""
        self.env.invalidate_all()
        after = self.snapshot(
            self.env["loyalty.card"]
            .with_context(active_test=False)
            .browse(list(before["cards"])),
            self.env["pos.config"].browse(list(before["configs"])),
        )
        for card_id, was in before["cards"].items():
            now = after["cards"][card_id]
            for name in CARD_FIELDS:
                old, new = was[name], now[name]
                if isinstance(old, float) or isinstance(new, float):
                    ok = (
                        isinstance(new, float)
                        and math.isfinite(new)
                        and abs((new or 0.0) - (old or 0.0)) < 1e-6
                    )
                else:
                    ok = old == new
                self.assertTrue(
                    ok, f"card {card_id}: {name} changed from {old!r} to {new!r}"
                )
        for config_id, was in before["configs"].items():
            for name, old in was.items():
                new = after["configs"][config_id][name]
                self.assertEqual(
                    new, old, f"center {config_id}: {name} changed from {old} to {new}"
                )
        self.assertEqual(
            after["card_count"], before["card_count"], "a loyalty card was created"
        )
        self.assertNoUnauthorizedPaidOrder(allow_decision=allow_decision)

    def new_orders(self):
        return self.env["pos.order"].search([("id", ">", self.last_order_id)])

    def protected_reward_lines(self, order):
        return order.lines.filtered(
            lambda line: (
                line.reward_id
                and line.reward_id.program_id.program_type in PROTECTED_TYPES
            )
        )

    def assertNoUnauthorizedPaidOrder(self, allow_decision=False):
        """No order of this test is paid with a protected reward line without a
        used authorization of that very order (or, when `allow_decision`, the
        server's recorded no-code decision)."""
        self.env.invalidate_all()
        for order in self.new_orders():
            if order.state not in PAID_STATES or not self.protected_reward_lines(order):
                continue
            challenge = order.redeem_otp_challenge_id
            authorized = challenge.state == "used" and challenge.pos_order_id == order
            if allow_decision and order.redeem_otp_decision:
                authorized = True
            self.assertTrue(
                authorized,
                f"order {order.id} is {order.state} with a protected reward and no "
                f"used authorization (challenge: {challenge.state or 'none'})",
            )

    def assertNoPaidOrderSpending(self, card):
        self.env.invalidate_all()
        for order in self.new_orders():
            if order.state in PAID_STATES:
                self.assertFalse(
                    order.lines.filtered(lambda line: line.coupon_id == card),
                    f"order {order.id} is {order.state} and spends card {card.id}",
                )


class TopUpAttackCase(AttackCase):
    """With an e-wallet top-up product, a 1.00 product and the accomplice's loyalty card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.topup = Product.create(
            {
                "name": "E-wallet top-up",
                "available_in_pos": True,
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.cheap = Product.create(
            {
                "name": "Hair pin",
                "available_in_pos": True,
                "list_price": 1.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.ewallet.rule_ids.product_ids = cls.topup
        cls.accomplice_loyalty = cls.env["loyalty.card"].create(
            {"program_id": cls.loyalty.id, "partner_id": cls.accomplice.id}
        )

    def paid_top_up(self, price=300.0):
        """A `price` top-up for the accomplice, paid in cash and credited by
        its points call, as the till does it."""
        card = self.accomplice_card
        order = self.sync(
            self.order_data(
                [self.product_line(self.topup, price)], partner=self.accomplice
            )
        )
        self.assertIsInstance(order, int, order)
        start = card.points
        self.confirm(order, {card.id: self.coupon_vals(card, price)})
        self.env.invalidate_all()
        self.assertAlmostEqual(card.points - start, price, msg="set-up: credited")
        return self.env["pos.order"].browse(order)
