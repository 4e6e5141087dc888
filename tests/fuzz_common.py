# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The fuzz test's harness: payloads sent as the POS user, server errors and
balance changes recorded with what caused them, and the report."""

import json
import logging
import re
import sys
from collections import Counter

from hypothesis import strategies as st

from odoo.addons.salon_otp_redeem.tools.errors import ERROR_CODES

from .conftest import SUMMARY_LINES
from .fuzz_strategies import CLEAN_EXCEPTIONS, _same, _short, bad_ids, junk
from .otp_common import RedeemRoutesCase, wait_delivery

_logger = logging.getLogger(__name__)


class FuzzCase(RedeemRoutesCase):
    """A second center with codes off, cards of other guests, of no one and of
    another company, and a closed center: the pools payloads draw ids from."""

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
        if route.endswith("/challenge"):
            # The send after the answer is part of the request: its outcome too.
            result = wait_delivery(self.make_jsonrpc_request, result)
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
        codes = self.sent_codes(sent)
        self.assertTrue(codes, f"no code sent for {result}")
        return challenge, codes[-1]

    def service_line(self, price=200.0):
        return self.line_vals(self.haircut, price)

    def order_payload(
        self, order_uuid, lines, challenge_id=False, partner=None, session=None
    ):
        return self.order_data(
            [[0, 0, line] for line in lines],
            partner=partner or self.guest,
            challenge_id=challenge_id,
            uuid=order_uuid,
            session=session,
            sequence_number=2,
        )

    def valid_order(self):
        order_uuid, challenge_id = self.authorized_uuid()
        lines = [self.service_line(), self.reward_vals(self.ewallet_card, 40.0)]
        return self.order_payload(order_uuid, lines, challenge_id)

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

    # -- the report --------------------------------------------------------
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
