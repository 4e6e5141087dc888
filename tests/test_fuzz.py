# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fuzz what a POS user can reach over HTTP (issue 8, "Tests").

Generated payloads go, as the real POS user of an open session, to the three
JSON routes, to `pos.order.sync_from_ui` and to
`pos.order.confirm_coupon_programs` (through `/web/dataset/call_kw`): wrong
types, huge numbers, NaN and Infinity (sent as the bare JSON tokens the
server's parser accepts), negative and foreign ids, missing keys and nested
garbage. Sync payloads are valid orders (a service and an e-wallet reward
line under a freshly verified code) mutated in the fields that matter; points
payloads are made against real synced orders, with and without rewards.

The run must end with no server error (every answer a success or a clean
error) and no balance change. Every server error and balance change found is
recorded with its payload, and the whole list is printed and put in the
assertion message. Hypothesis runs derandomized, without an example
database: the same payloads every run.
"""

import json
import logging
import math
import re
import sys
import time
import uuid as uuid_lib
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.salon_otp_redeem.tools.errors import ERROR_CODES, RedeemOtpError

from .conftest import SUMMARY_LINES
from .otp_common import CODE_RE
from .test_routes import OVERRIDE_CODE, RedeemRoutesCase

_logger = logging.getLogger(__name__)

# Payloads per target: 1,400 in all, two to three minutes on two cores.
EXAMPLES = {
    "challenge": 250,
    "verify": 170,
    "channels": 130,
    "sync_from_ui": 370,
    "confirm_coupon_programs": 480,
}

CLEAN_EXCEPTIONS = frozenset(
    {
        "odoo.exceptions.UserError",
        "odoo.exceptions.ValidationError",
        "odoo.exceptions.AccessError",
        "odoo.exceptions.MissingError",
        "odoo.exceptions.AccessDenied",
        # The routes' error type is a UserError underneath (tools/errors.py).
        f"{RedeemOtpError.__module__}.{RedeemOtpError.__name__}",
    }
)

# What a server error's own log lines would add: the test records them itself.
MUTED_LOGGERS = (
    "odoo.http",
    "odoo.sql_db",
    "odoo.models",
    "odoo.models.unlink",
    "odoo.addons.point_of_sale.models.pos_order",
    "odoo.addons.pos_loyalty.models.pos_order",
    "odoo.addons.salon_otp_redeem",
)

FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
    "print_blob": False,
}

# -- generic garbage ---------------------------------------------------------
HUGE = [1e308, -1e308, 2**63, 2**63 - 1, -(2**63), 2**64, 2**31, 10**30, 10**400]
NON_FINITE = [math.nan, math.inf, -math.inf]
ODD_STRINGS = [
    "",
    " ",
    "1",
    "-1",
    "40",
    "-40",
    "1e308",
    "NaN",
    "Infinity",
    "null",
    "true",
    "0x1F",
    "\u0661\u0662",
    "'; DROP TABLE pos_order; --",
    "\x00",
    "a\x00b",
    "é" * 300,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 1, -40, 40, 5e-324, -0.0, *HUGE, *NON_FINITE]),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(ODD_STRINGS),
    st.text(max_size=12),
)
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=6), children, max_size=3),
    ),
    max_leaves=6,
)
numbers = st.one_of(
    st.sampled_from(
        [0, 0.0, 0.01, 1, 39.99, 40, 40.0001, 150, 151, 1e9, 1e12, -40, -1]
        + HUGE
        + NON_FINITE
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(["40", "-40", "NaN", "forty", "", None, True, [40], {"x": 1}]),
)
bad_ids = st.one_of(
    st.sampled_from([0, -1, -2, 999999999, 2**31, 2**63, -(2**63), 10**30, 10**400]),
    st.integers(),
    st.sampled_from(NON_FINITE + [1.5, "1", "", None, True, False, [1], {"id": 1}]),
)
extra_keys = st.dictionaries(
    st.text(alphabet="abcdefgh_", min_size=1, max_size=8), junk, max_size=2
)


def _mutated(base, field_values, max_changes=3, drop_weight=1, extras=True):
    """A copy of `base` with a few keys replaced, dropped, or added from garbage."""

    @st.composite
    def build(draw):
        out = dict(base)
        keys = draw(
            st.lists(
                st.sampled_from(sorted(field_values)),
                max_size=max_changes,
                unique=True,
            )
        )
        for key in keys:
            if draw(st.integers(0, 3 + drop_weight)) < drop_weight:
                out.pop(key, None)
            else:
                out[key] = draw(field_values[key])
        if extras and draw(st.integers(0, 9)) == 0:
            for key, value in draw(extra_keys).items():
                out.setdefault(key, value)
        return out

    return build()


# Stands for the fresh order uuid / verified challenge made for each example,
# when the example runs (strategies make no request).
FRESH = "__fresh__"


def _fill(order, order_uuid, challenge_id):
    order = dict(order)
    for key, value in list(order.items()):
        if value == FRESH:
            order[key] = (
                challenge_id if key == "redeem_otp_challenge_id" else order_uuid
            )
        elif key == "name" and value == f"Order {FRESH}":
            order[key] = f"Order {order_uuid}"
    return order


def _diff(base, value):
    """What a mutated payload changed in `base`, for the report."""
    if not (isinstance(base, dict) and isinstance(value, dict)):
        if isinstance(base, list) and isinstance(value, list):
            if len(base) == len(value):
                return [_diff(b, v) for b, v in zip(base, value, strict=True)]
        return value
    out = {}
    for key, item in value.items():
        if key not in base:
            out[key] = item
        elif repr(item) != repr(base[key]):
            out[key] = _diff(base[key], item)
    dropped = sorted(set(base) - set(value))
    if dropped:
        out["(dropped)"] = dropped
    return out


def _same(before, after):
    if isinstance(before, float) and isinstance(after, float):
        if math.isnan(before) or math.isnan(after):
            return math.isnan(before) and math.isnan(after)
        return abs(before - after) < 1e-6
    return before == after


def _short(value, limit=400):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


@tagged("post_install", "-at_install")
class TestFuzz(RedeemRoutesCase):
    """At least 1,000 payloads: zero server errors, zero balance changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.haircut = env["product.product"].create(
            {
                "name": "Fuzz haircut",
                "type": "service",
                "available_in_pos": True,
                "list_price": 200.0,
                "taxes_id": [(5, 0, 0)],
            }
        )
        cls.payment_method = (
            cls.config.payment_method_ids.filtered("is_cash_count")[:1]
            or cls.config.payment_method_ids[:1]
        )
        cls.other_card = env["loyalty.card"].create(
            {
                "program_id": cls.ewallet.id,
                "partner_id": cls.other_guest.id,
                "points": 80.0,
            }
        )
        cls.holderless_card = env["loyalty.card"].create(
            {"program_id": cls.ewallet.id, "points": 60.0}
        )
        other_company = env["res.company"].create({"name": "Fuzz other salon"})
        cls.foreign_program = env["loyalty.program"].create(
            {
                "name": "Foreign credit",
                "program_type": "ewallet",
                "company_id": other_company.id,
                "trigger": "auto",
                "applies_on": "future",
            }
        )
        cls.foreign_card = env["loyalty.card"].create(
            {"program_id": cls.foreign_program.id, "points": 70.0}
        )
        cls.closed_config = env["pos.config"].create({"name": "Fuzz second chair"})
        # A second center, codes off, its session open by the same cashier: an
        # order there must not carry points the main center's lock refuses.
        cls.codes_off_config = env["pos.config"].create(
            {
                "name": "Fuzz codes-off center",
                "redeem_otp_required": False,
                "payment_method_ids": [(6, 0, cls.bank_payment_method.ids)],
            }
        )
        cls.codes_off_config.with_user(cls.pos_user).open_ui()
        cls.codes_off_session = cls.codes_off_config.current_session_id
        cls.codes_off_session.with_user(cls.pos_user).set_opening_control(0, None)

    def setUp(self):
        super().setUp()
        # Room for every code the run asks for: the limits have their own tests.
        self.company.redeem_otp_max_sends_per_hour = 100000
        self.config.redeem_otp_max_sends_per_hour = 100000
        self.set_override_code(limit=1000)
        self.payloads = Counter()
        self.outcomes = Counter()
        self.restored = 0
        self.server_errors = []
        self.balance_changes = []
        self.rpc_id = 0

    # -- HTTP ------------------------------------------------------------
    def post(self, route, params):
        """What make_jsonrpc_request sends, with NaN/Infinity as bare tokens."""
        self.rpc_id += 1
        body = json.dumps(
            {"id": self.rpc_id, "jsonrpc": "2.0", "method": "call", "params": params},
            allow_nan=True,
        )
        return self.url_open(
            route,
            data=body.encode(),
            headers={"Content-Type": "application/json"},
            timeout=60,
        )

    def send(self, target, route, params, is_route=False, shown=None):
        """Send one payload; record it if the server answers with a server error.

        `shown` is what the report shows of the payload (default: all of it).
        """
        self.payloads[target] += 1
        params_sent, params = params, (params if shown is None else shown)
        try:
            response = self.post(route, params_sent)
        except Exception as exc:  # noqa: BLE001 - a timeout or a dropped connection
            return self.server_error(target, params, type(exc).__name__, str(exc))
        if response.status_code != 200:
            return self.server_error(
                target, params, f"HTTP {response.status_code}", response.text[:300]
            )
        try:
            answer = response.json()
        except ValueError:
            return self.server_error(target, params, "not JSON", response.text[:300])
        if "error" in answer:
            data = answer["error"].get("data") or {}
            name = data.get("name", "?")
            if name in CLEAN_EXCEPTIONS:
                self.outcomes[target, "refused"] += 1
                return None
            return self.server_error(
                target, params, name, data.get("message", ""), data.get("debug", "")
            )
        result = answer.get("result")
        if is_route and not self.clean_route_result(result):
            return self.server_error(target, params, "malformed result", _short(result))
        refused = is_route and "error" in result
        self.outcomes[target, "refused" if refused else "ok"] += 1
        return result

    @staticmethod
    def clean_route_result(result):
        if not isinstance(result, dict):
            return False
        if "error" not in result:
            return True
        error = result["error"]
        return (
            isinstance(error, dict)
            and error.get("code") in ERROR_CODES
            and isinstance(error.get("message"), str)
        )

    def server_error(self, target, payload, name, message, debug=""):
        self.outcomes[target, "server error"] += 1
        frames = re.findall(r'File "([^"]+)", line (\d+), in (\w+)', debug or "")
        where = ""
        if frames:
            path, line, func = frames[-1]
            where = f"{path.split('/addons/')[-1]}:{line} {func}"
        self.server_errors.append(
            {
                "target": target,
                "name": name,
                "message": str(message)[:300],
                "where": where,
                "payload": _short(payload),
            }
        )
        return None

    def call_kw(self, target, method, args, shown=None):
        return self.send(
            target,
            f"/web/dataset/call_kw/pos.order/{method}",
            {"model": "pos.order", "method": method, "args": args, "kwargs": {}},
            shown=args if shown is None else shown,
        )

    # -- balances --------------------------------------------------------
    def cards_state(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, points, partner_id, program_id FROM loyalty_card ORDER BY id"
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def check_balances(self, target, payload, before, allowed=None):
        """Record what `payload` changed on the cards; return the state after.

        `allowed` maps a card to the decrease its order's used authorization
        covers: such a decrease is the guest's own redemption, put back at
        once so that the next payloads and the final check start from the
        same balances.
        """
        after = self.cards_state()
        allowed = allowed or {}
        restore = {}
        for card_id, now in after.items():
            old = before.get(card_id)
            if old is None:
                if now[0] is None or _same(float(now[0]), 0.0):
                    continue
                change = f"new card {card_id} created with {now[0]} points"
            elif all(_same(a, b) for a, b in zip(old, now, strict=True)):
                continue
            else:
                spent = (old[0] or 0.0) - (now[0] or 0.0)
                if (
                    old[1:] == now[1:]
                    and card_id in allowed
                    and 0 < spent <= allowed[card_id] + 1e-6
                ):
                    restore[card_id] = old[0]
                    continue
                change = f"card {card_id}: (points, holder, program) {old} -> {now}"
            self.balance_changes.append(
                {"target": target, "change": change, "payload": _short(payload)}
            )
        for card_id, points in restore.items():
            self.env.cr.execute(
                "UPDATE loyalty_card SET points = %s WHERE id = %s", [points, card_id]
            )
            after[card_id] = (points, *after[card_id][1:])
        if restore:
            self.restored += 1
            self.env.invalidate_all()
        return after

    def orm_snapshot(self):
        cards = self.env["loyalty.card"].sudo().with_context(active_test=False)
        return {card.id: card.points for card in cards.search([])}

    # -- valid orders ----------------------------------------------------
    def authorized_uuid(self, points=40.0):
        """A fresh order uuid with a verified code for `points` of the e-wallet."""
        order_uuid = self.new_uuid()
        challenge, code = self.new_challenge(
            order_uuid=order_uuid, redemptions=self.spend(points)
        )
        verified = self.verify(challenge.id, code=code)
        self.assertEqual(verified.get("state"), "verified", verified)
        return order_uuid, challenge.id

    def new_challenge(self, **overrides):
        """Ask for a code over HTTP (harness, not a payload); return it and the code.

        The whole test runs inside one SMS and mail mock (the mocks do not
        nest): the code is read from the SMS this request added.
        """
        sent = len(self._sms)
        result = self.rpc("challenge", **self.challenge_params(**overrides))
        challenge = self.challenge(result)
        codes = [CODE_RE.search(sms["body"]) for sms in self._sms[sent:]]
        codes = [match.group(1) for match in codes if match]
        self.assertTrue(codes, f"no code sent for {result}")
        return challenge, codes[-1]

    def reward_line(self, card, points, price=None):
        reward = card.program_id.reward_ids[:1]
        product = reward.discount_line_product_id or reward.reward_product_id
        price = -points if price is None else price
        return {
            "product_id": product.id,
            "qty": 1,
            "price_unit": price,
            "price_subtotal": price,
            "price_subtotal_incl": price,
            "discount": 0.0,
            "tax_ids": [[6, 0, []]],
            "pack_lot_ids": [],
            "is_reward_line": True,
            "reward_id": reward.id,
            "coupon_id": card.id,
            "points_cost": points,
            "reward_identifier_code": f"r{reward.id}-{card.id}",
        }

    def service_line(self, price=200.0):
        return {
            "product_id": self.haircut.id,
            "qty": 1,
            "price_unit": price,
            "price_subtotal": price,
            "price_subtotal_incl": price,
            "discount": 0.0,
            "tax_ids": [[6, 0, []]],
            "pack_lot_ids": [],
        }

    def order_payload(
        self, order_uuid, lines, challenge_id=False, partner=None, session=None
    ):
        session = session or self.pos_session
        if session == self.pos_session:
            payment_method = self.payment_method
        else:
            payment_method = session.config_id.payment_method_ids[:1]
        total = sum(line["price_subtotal_incl"] for line in lines)
        now = fields.Datetime.to_string(fields.Datetime.now())
        order = {
            "amount_paid": total,
            "amount_return": 0,
            "amount_tax": 0.0,
            "amount_total": total,
            "date_order": now,
            "fiscal_position_id": False,
            "pricelist_id": session.config_id.pricelist_id.id,
            "name": f"Order {order_uuid}",
            "last_order_preparation_change": "{}",
            "lines": [[0, 0, line] for line in lines],
            "partner_id": (partner or self.guest).id,
            "session_id": session.id,
            "sequence_number": 2,
            "payment_ids": [
                [
                    0,
                    0,
                    {
                        "amount": total,
                        "name": now,
                        "payment_method_id": payment_method.id,
                    },
                ]
            ],
            "uuid": order_uuid,
            "user_id": self.pos_user.id,
            "to_invoice": False,
            "access_token": uuid_lib.uuid4().hex,
        }
        if challenge_id:
            order["redeem_otp_challenge_id"] = challenge_id
        return order

    def valid_order(self):
        order_uuid, challenge_id = self.authorized_uuid()
        lines = [self.service_line(), self.reward_line(self.ewallet_card, 40.0)]
        return self.order_payload(order_uuid, lines, challenge_id)

    def sync_ok(self, order):
        """Sync as the POS does (harness, not a payload): the order must be saved."""
        result = self.make_jsonrpc_request(
            "/web/dataset/call_kw/pos.order/sync_from_ui",
            {
                "model": "pos.order",
                "method": "sync_from_ui",
                "args": [[order]],
                "kwargs": {},
            },
        )
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def legit_points(self, order):
        """The points RPC exactly as pos_loyalty's _postProcessLoyalty sends it."""
        return {
            str(self.ewallet_card.id): {
                "points": -40.0,
                "program_id": self.ewallet.id,
                "coupon_id": self.ewallet_card.id,
                "barcode": False,
                "line_codes": order.lines.filtered("reward_id").mapped(
                    "reward_identifier_code"
                ),
            }
        }

    # -- pools of ids ----------------------------------------------------
    def id_values(self, *records):
        return st.one_of(st.sampled_from([r.id for r in records]), bad_ids, junk)

    def card_records(self):
        return (
            self.ewallet_card,
            self.loyalty_card,
            self.coupon_card,
            self.next_order_card,
            self.gift_card_card,
            self.other_card,
            self.holderless_card,
            self.foreign_card,
        )

    def program_records(self):
        return (
            self.ewallet,
            self.loyalty,
            self.coupons,
            self.next_order,
            self.promotion,
            self.gift_card,
            self.foreign_program,
        )

    def partner_records(self):
        return (self.guest, self.other_guest, self.nobody, self.pos_user.partner_id)

    # -- the test --------------------------------------------------------
    def test_fuzz(self):
        with (
            self.mockSMSGateway(),
            self.mock_mail_gateway(mail_unlink_sent=True),
        ):
            self.run_fuzz()

    def run_fuzz(self):
        started = time.monotonic()
        # Orders the points RPC is fuzzed against, synced as the POS does.
        paid = self.sync_ok(self.valid_order())
        self.assertEqual(paid.state, "paid")
        self.assertEqual(paid.redeem_otp_challenge_id.state, "used")
        no_reward_uuid = self.new_uuid()
        no_reward = self.sync_ok(
            self.order_payload(no_reward_uuid, [self.service_line(150.0)])
        )
        self.assertEqual(no_reward.state, "paid")
        codes_off = self.sync_ok(
            self.order_payload(
                self.new_uuid(),
                [self.service_line(150.0)],
                session=self.codes_off_session,
            )
        )
        self.assertEqual(codes_off.state, "paid")
        draft_uuid = self.new_uuid()
        draft_data = self.order_payload(
            draft_uuid,
            [self.service_line(), self.reward_line(self.ewallet_card, 40.0)],
        )
        draft_data["state"] = "draft"
        draft = self.sync_ok(draft_data)
        # The guest's own redemption of the paid order, once, as the POS does it.
        # If the server refuses it, the order's authorization stays unspent
        # and the fuzz may spend it once: that decrease is then no fraud.
        before = self.cards_state()
        legit = self.send(
            "setup",
            "/web/dataset/call_kw/pos.order/confirm_coupon_programs",
            {
                "model": "pos.order",
                "method": "confirm_coupon_programs",
                "args": [paid.ids, self.legit_points(paid)],
                "kwargs": {},
            },
        )
        self.assertFalse(self.server_errors, self.server_errors)
        after = self.check_balances(
            "setup", "legit", before, {self.ewallet_card.id: 40.0}
        )
        if legit and not self.restored:
            print(
                "fuzz: note: the POS's own points RPC succeeded but moved no points",
                file=sys.__stdout__,
            )
        self.assertEqual(after, before)
        self.assertFalse(self.balance_changes, self.balance_changes)
        self.paid_allowance = {} if legit else {self.ewallet_card.id: 40.0}
        if not legit:
            print(
                "fuzz: note: the POS's own points RPC for a verified order was refused",
                file=sys.__stdout__,
            )
        self.payloads.clear()

        self.env.invalidate_all()
        initial = self.orm_snapshot()
        self.card_rows = self.cards_state()
        self.orders = {
            "paid": paid,
            "no_reward": no_reward,
            "draft": draft,
            "codes_off": codes_off,
        }
        self.uuids = [paid.uuid, no_reward_uuid, draft_uuid]

        self.timings = {}
        with mute_logger(*MUTED_LOGGERS):
            for target, fuzz in (
                ("challenge", self.fuzz_challenge),
                ("verify", self.fuzz_verify),
                ("channels", self.fuzz_channels),
                ("sync_from_ui", self.fuzz_sync),
                ("confirm_coupon_programs", self.fuzz_confirm),
            ):
                phase = time.monotonic()
                fuzz()
                self.timings[target] = time.monotonic() - phase

        self.env.invalidate_all()
        final = self.orm_snapshot()
        changed_at_end = [
            card_id
            for card_id, points in final.items()
            if (
                not _same(initial.get(card_id, 0.0), points)
                if card_id in initial
                else not _same(points, 0.0)
            )
        ]
        self.report(time.monotonic() - started, changed_at_end)

    def report(self, elapsed, changed_at_end):
        total = sum(self.payloads.values())
        balance_changes = len(self.balance_changes) or len(changed_at_end)
        summary = (
            f"fuzz: {total} payloads, server errors: {len(self.server_errors)}, "
            f"balance changes: {balance_changes} "
            f"({self.per_target()}; "
            f"cards changed at the end: {len(changed_at_end)}; {elapsed:.0f}s)"
        )
        details = self.details()
        SUMMARY_LINES.append(summary)
        print(summary, file=sys.__stdout__)
        if details:
            print(details, file=sys.__stdout__)
        sys.__stdout__.flush()
        _logger.info(summary)
        self.assertGreaterEqual(total, 1000, summary)
        self.assertEqual(
            (len(self.server_errors), balance_changes),
            (0, 0),
            f"{summary}\n{details}",
        )

    def per_target(self):
        parts = []
        for target, count in self.payloads.items():
            kinds = ", ".join(
                f"{kind} {self.outcomes[target, kind]}"
                for kind in ("ok", "refused", "server error")
                if self.outcomes[target, kind]
            )
            seconds = self.timings.get(target)
            took = f", {seconds:.0f}s" if seconds is not None else ""
            parts.append(f"{target} {count} [{kinds}{took}]")
        return "; ".join(parts)

    def details(self):
        lines = []
        groups = {}
        for error in self.server_errors:
            first = (error["message"].splitlines() or [""])[0]
            message = re.sub(r"\d+", "N", first)
            key = (error["target"], error["name"], error["where"], message[:120])
            groups.setdefault(key, []).append(error)
        if groups:
            lines.append(f"server errors ({len(groups)} distinct):")
        for (target, name, where, message), errors in sorted(groups.items()):
            lines.append(
                f"- {target}: {name} at {where or '?'} x{len(errors)}: {message}\n"
                f"    e.g. {errors[0]['payload']}"
            )
        changes = {}
        for change in self.balance_changes:
            changes.setdefault(change["target"], []).append(change)
        if changes:
            lines.append(f"balance changes ({len(self.balance_changes)}):")
        for target, items in changes.items():
            for item in items[:15]:
                lines.append(f"- {target}: {item['change']}\n    by {item['payload']}")
            if len(items) > 15:
                lines.append(f"- {target}: … and {len(items) - 15} more")
        return "\n".join(lines)

    # -- the routes ------------------------------------------------------
    def route(self, name, params):
        before = self.card_rows
        self.send(name, f"/salon_otp_redeem/{name}", params, is_route=True)
        self.card_rows = self.check_balances(name, params, before)

    def fuzz_challenge(self):
        item = _mutated(
            self.spend()[0],
            {
                "card_id": self.id_values(*self.card_records()),
                "program_id": self.id_values(*self.program_records()),
                "points": numbers,
                "amount": numbers,
            },
        )
        redemptions = st.one_of(
            st.lists(item, min_size=1, max_size=3),
            st.lists(item, min_size=49, max_size=52),
            junk,
        )

        @st.composite
        def payloads(draw):
            base = {
                "pos_config_id": self.config.id,
                "partner_id": self.guest.id,
                "order_uuid": str(draw(st.uuids())),
                "redemptions": draw(st.lists(item, min_size=1, max_size=2)),
            }
            return draw(
                _mutated(
                    base,
                    {
                        "pos_config_id": self.id_values(
                            self.config, self.closed_config, self.codes_off_config
                        ),
                        "partner_id": self.id_values(*self.partner_records()),
                        "order_uuid": st.one_of(
                            st.sampled_from(self.uuids), st.text(max_size=70), junk
                        ),
                        "redemptions": redemptions,
                        "channel": st.one_of(
                            st.sampled_from(["sms", "email", "whatsapp", "fax"]), junk
                        ),
                    },
                )
            )

        @settings(max_examples=EXAMPLES["challenge"], **FUZZ_SETTINGS)
        @given(params=payloads())
        def run(params):
            self.route("challenge", params)

        run()

    def fuzz_verify(self):
        used = self.orders["paid"].redeem_otp_challenge_id
        codes = st.one_of(
            st.text(alphabet="0123456789 -", min_size=4, max_size=10),
            st.sampled_from([OVERRIDE_CODE, "000000", "1" * 65]),
            junk,
        )

        @st.composite
        def payloads(draw):
            challenge_id = draw(st.sampled_from([FRESH, used.id]))
            base = {"challenge_id": challenge_id, "code": "123456"}
            if draw(st.booleans()):
                base = {
                    "challenge_id": challenge_id,
                    "override_code": OVERRIDE_CODE,
                    "reason": "Guest's phone is flat",
                }
            return draw(
                _mutated(
                    base,
                    {
                        "challenge_id": self.id_values(used),
                        "code": codes,
                        "override_code": codes,
                        "reason": st.one_of(st.text(max_size=300), junk),
                    },
                )
            )

        @settings(max_examples=EXAMPLES["verify"], **FUZZ_SETTINGS)
        @given(params=payloads())
        def run(params):
            if params.get("challenge_id") == FRESH:
                params = {**params, "challenge_id": self.new_challenge()[0].id}
            self.route("verify", params)

        run()

    def fuzz_channels(self):
        base = {"pos_config_id": self.config.id, "partner_id": self.guest.id}
        payloads = _mutated(
            base,
            {
                "pos_config_id": self.id_values(
                    self.config, self.closed_config, self.codes_off_config
                ),
                "partner_id": self.id_values(*self.partner_records()),
            },
        )

        @settings(max_examples=EXAMPLES["channels"], **FUZZ_SETTINGS)
        @given(params=payloads)
        def run(params):
            self.route("channels", params)

        run()

    # -- sync_from_ui ----------------------------------------------------
    def line_values(self):
        return {
            "price_unit": numbers,
            "price_subtotal": numbers,
            "price_subtotal_incl": numbers,
            "qty": numbers,
            "discount": numbers,
            "points_cost": numbers,
            "coupon_id": self.id_values(*self.card_records()),
            "reward_id": self.id_values(*self.program_records()[:-1]).map(
                self.reward_of
            ),
            "product_id": self.id_values(self.haircut),
            "is_reward_line": junk,
            "reward_identifier_code": junk,
        }

    def reward_of(self, value):
        """A program id drawn from the pool stands for its first reward."""
        programs = {program.id: program for program in self.program_records()}
        if isinstance(value, int) and value in programs:
            return programs[value].reward_ids[:1].id or value
        return value

    def order_values(self):
        challenges = self.env["salon.otp.challenge"].sudo().search([], limit=20)
        return {
            "redeem_otp_challenge_id": self.id_values(*challenges),
            "partner_id": self.id_values(*self.partner_records()),
            "state": st.one_of(
                st.sampled_from(["paid", "draft", "done", "invoiced", "cancel", ""]),
                junk,
            ),
            "amount_total": numbers,
            "amount_paid": numbers,
            "amount_tax": numbers,
            "amount_return": numbers,
            "uuid": st.one_of(st.sampled_from(self.uuids), st.text(max_size=40)),
            "session_id": self.id_values(self.pos_session, self.codes_off_session),
            "user_id": self.id_values(self.pos_user, self.pos_admin),
            "to_invoice": junk,
        }

    def sync_payloads(self):
        line_values = self.line_values()
        order_values = self.order_values()
        reward = _mutated(
            self.reward_line(self.ewallet_card, 40.0),
            line_values,
            drop_weight=0,
            extras=False,
        )
        service = _mutated(
            self.service_line(), line_values, max_changes=2, extras=False
        )
        template = self.sync_template = self.order_payload(
            FRESH, [self.service_line(), self.reward_line(self.ewallet_card, 40.0)]
        )
        template["redeem_otp_challenge_id"] = FRESH
        extra_reward = st.builds(
            lambda card, points, price: {
                **self.reward_line(card, 1.0),
                "points_cost": points,
                "price_unit": price,
                "price_subtotal": price,
                "price_subtotal_incl": price,
            },
            st.sampled_from(self.card_records()),
            numbers,
            numbers,
        )

        @st.composite
        def payloads(draw):
            order = dict(template)
            lines = [draw(service), draw(reward)]
            if draw(st.integers(0, 4)) == 0:
                lines.append(draw(extra_reward))
            if draw(st.integers(0, 6)) == 0:
                lines = lines[draw(st.integers(0, 1)) :]
            order["lines"] = [[0, 0, line] for line in lines]
            order = draw(_mutated(order, order_values, max_changes=3, extras=False))
            if draw(st.integers(0, 9)) == 0:
                key = draw(st.sampled_from(["lines", "payment_ids", "session_id"]))
                order[key] = draw(junk)
            return order

        return payloads()

    def fuzz_sync(self):
        @settings(max_examples=EXAMPLES["sync_from_ui"], **FUZZ_SETTINGS)
        @given(order=self.sync_payloads())
        def run(order):
            # The report shows what was changed in the valid order.
            changed = {"valid order with": _diff(self.sync_template, order)}
            order = _fill(order, *self.authorized_uuid())
            before = self.card_rows
            self.call_kw("sync_from_ui", "sync_from_ui", [[order]], shown=changed)
            # A sync that goes through takes the 40 points its verified code
            # covers (held until the points call): the guest's own spend.
            self.card_rows = self.check_balances(
                "sync_from_ui", changed, before, {self.ewallet_card.id: 40.0}
            )

        run()

    # -- confirm_coupon_programs -----------------------------------------
    def coupon_payloads(self):
        cards = self.card_records()
        keys = st.one_of(
            st.sampled_from([str(card.id) for card in cards]),
            st.sampled_from(["-1", "-2", "0", "-0", "99999999999", "9" * 30]),
            st.sampled_from(["abc", "", " 12 ", "1.5", "0x1F", "NaN", "1e3"]),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
        )
        value_fields = {
            "points": numbers,
            "program_id": self.id_values(*self.program_records()),
            "partner_id": self.id_values(*self.partner_records()),
            "giftCardId": self.id_values(*cards),
            "coupon_id": self.id_values(*cards),
            "line_codes": st.one_of(
                st.lists(st.one_of(st.sampled_from(["r1-1", ""]), junk), max_size=3),
                junk,
            ),
            "barcode": junk,
            "code": st.one_of(st.text(max_size=20), junk),
            "expiration_date": st.one_of(
                st.sampled_from(["2000-01-01", "2999-12-31", "not a date"]), junk
            ),
        }
        reward = self.ewallet.reward_ids[:1]
        base_value = {
            "points": -40.0,
            "program_id": self.ewallet.id,
            "coupon_id": self.ewallet_card.id,
            "barcode": False,
            "line_codes": [f"r{reward.id}-{self.ewallet_card.id}"],
        }
        near_legit = st.builds(
            lambda value, others: {**others, str(self.ewallet_card.id): value},
            _mutated(base_value, value_fields, max_changes=2),
            st.dictionaries(keys, _mutated(base_value, value_fields), max_size=2),
        )
        value = st.one_of(
            _mutated(base_value, value_fields, max_changes=3),
            st.dictionaries(st.sampled_from(sorted(value_fields)), junk, max_size=4),
            junk,
        )
        return st.one_of(
            near_legit, st.dictionaries(keys, value, min_size=1, max_size=4)
        )

    def fuzz_confirm(self):
        # A fresh order (its code used, its points not yet moved) most often,
        # then the orders made above, and now and then ids that are no order.
        orders = st.sampled_from(
            ["fresh"] * 5
            + ["paid", "paid", "no_reward", "no_reward", "draft", "codes_off"]
        )
        odd_ids = st.sampled_from(
            [[], [-1], [0], [999999999], [2**31], [2**63], ["paid", "no_reward"]]
        )
        records = st.integers(0, 9).flatmap(lambda n: odd_ids if n == 0 else orders)

        coupon_data = self.coupon_payloads()

        @st.composite
        def payloads(draw):
            return draw(records), draw(coupon_data)

        @settings(max_examples=EXAMPLES["confirm_coupon_programs"], **FUZZ_SETTINGS)
        @given(case=payloads())
        def run(case):
            target, coupon_data = case
            allowed = {}
            if target == "fresh":
                ids = self.sync_ok(self.valid_order()).ids
                allowed = {self.ewallet_card.id: 40.0}
            elif isinstance(target, str):
                ids = self.orders[target].ids
                if target == "paid":
                    allowed = self.paid_allowance
            else:
                ids = [self.orders[i].id if isinstance(i, str) else i for i in target]
            before = self.card_rows
            self.call_kw(
                "confirm_coupon_programs",
                "confirm_coupon_programs",
                [ids, coupon_data],
            )
            self.card_rows = self.check_balances(
                "confirm_coupon_programs", [ids, coupon_data], before, allowed
            )

        run()
