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

import logging
import sys
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import tagged
from odoo.tools import mute_logger

from .fuzz_common import FuzzCase
from .fuzz_strategies import (
    EXAMPLES,
    FRESH,
    FUZZ_SETTINGS,
    MUTED_LOGGERS,
    _diff,
    _fill,
    _mutated,
    _same,
    junk,
    numbers,
)
from .otp_common import OVERRIDE_CODE

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestFuzz(FuzzCase):
    """At least 1,000 payloads: zero server errors, zero balance changes."""

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
            [self.service_line(), self.reward_vals(self.ewallet_card, 40.0)],
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
            self.reward_vals(self.ewallet_card, 40.0),
            line_values,
            drop_weight=0,
            extras=False,
        )
        service = _mutated(
            self.service_line(), line_values, max_changes=2, extras=False
        )
        template = self.sync_template = self.order_payload(
            FRESH, [self.service_line(), self.reward_vals(self.ewallet_card, 40.0)]
        )
        template["redeem_otp_challenge_id"] = FRESH
        extra_reward = st.builds(
            lambda card, points, price: {
                **self.reward_vals(card, 1.0),
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
