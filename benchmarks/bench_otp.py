#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmark of the redemption-code engine, against an existing database.

    python3 benchmarks/bench_otp.py -d DB [--db_host H] [--db_user U] [--db_port P]
        [--addons-path PATHS] [-n 200]

Measures, and prints as a table:

- code generation and the keyed hash (tools.misc.hmac) per second;
- challenge request latency (p50/p95 over N), with the SMS gateway replaced
  by a no-op patch of SmsApi._contact_iap, and verify latency;
- the sync check (`pos.order._redeem_otp_enforce`, what `_process_saved_order`
  runs) for an order with 1 and with 20 reward lines: SQL queries and ms;
- peak Python memory of each part (tracemalloc).

Everything it creates is in one transaction that is rolled back: the
database is left as it was. It is a script, not a test.
"""

import argparse
import statistics
import sys
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from unittest.mock import patch


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--db_host")
    parser.add_argument("--db_port")
    parser.add_argument("--db_user")
    parser.add_argument("--db_password")
    parser.add_argument("--addons-path", dest="addons_path")
    parser.add_argument(
        "-n", type=int, default=200, help="requests and verifications to time"
    )
    parser.add_argument(
        "--sync-runs", type=int, default=30, help="runs of each sync check"
    )
    return parser.parse_args(argv)


def load_registry(args):
    import odoo
    from odoo.tools import config

    odoo_args = ["-d", args.database, "--log-level=warn", "--max-cron-threads=0"]
    for option in ("db_host", "db_port", "db_user", "db_password"):
        value = getattr(args, option)
        if value:
            odoo_args.append(f"--{option}={value}")
    if args.addons_path:
        odoo_args.append(f"--addons-path={args.addons_path}")
    config.parse_config(odoo_args)
    odoo.service.server.load_server_wide_modules()
    return odoo.modules.registry.Registry(args.database)


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


@contextmanager
def memory_peak(results, label):
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    yield
    results.append((label, (tracemalloc.get_traced_memory()[1] - start) / 1024 / 1024))


# ----------------------------------------------------------------------
def bench_codes(rows, env):
    """Code generation and the keyed hash as the challenge stores it."""
    from odoo.tools import misc

    from odoo.addons.salon_otp_redeem.tools import codes

    def rate(func, seconds=1.0):
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for _ in range(200):
                func()
            count += 200
        return count / (time.perf_counter() - started)

    su = env(su=True)

    def digest(code):
        return misc.hmac(su, codes.HMAC_SCOPE, codes.code_message(42, code))

    code = codes.generate_code(6, codes.NUMERIC)
    stored = digest(code)
    rows.append(
        (
            "generate_code, 6 digits",
            f"{rate(lambda: codes.generate_code(6, 'numeric')):,.0f}/s",
        )
    )
    rows.append(
        (
            "generate_code, 8 letters+digits",
            f"{rate(lambda: codes.generate_code(8, 'alphanumeric')):,.0f}/s",
        )
    )
    rows.append(
        ("hash (tools.misc.hmac, HMAC-SHA256)", f"{rate(lambda: digest(code)):,.0f}/s")
    )
    rows.append(
        (
            "check (hash + constant-time compare)",
            f"{rate(lambda: codes.same_digest(digest(code), stored)):,.0f}/s",
        )
    )
    rows.append(
        (
            "generate + hash",
            f"{rate(lambda: digest(codes.generate_code(6, 'numeric'))):,.0f}/s",
        )
    )


class Salon:
    """A guest with an e-wallet and a loyalty card, in the rolled-back transaction."""

    def __init__(self, env):
        from odoo import fields

        self.env = env
        self.config = env["pos.config"].search([], limit=1)
        if not self.config:
            sys.exit("no pos.config in this database")
        self.company = self.config.company_id
        self.company.write(
            {
                "redeem_otp_enabled": True,
                "redeem_otp_channel_sequence": "sms",
                "redeem_otp_max_sends_per_hour": 1_000_000,
                "redeem_otp_resend_seconds": 0,
            }
        )
        self.config.write(
            {"redeem_otp_required": True, "redeem_otp_max_sends_per_hour": 1_000_000}
        )
        env = env(context=dict(env.context, allowed_company_ids=self.company.ids))
        self.env = env
        self.guest = env["res.partner"].create(
            {
                "name": "Benchmark Guest",
                "mobile": "+33 6 12 34 56 78",
                "email": "bench@example.com",
                "country_id": env.ref("base.fr").id,
            }
        )
        Program = env["loyalty.program"]
        defaults = Program._program_type_default_values()
        self.programs = {}
        self.cards = {}
        for program_type in ("ewallet", "loyalty"):
            vals = dict(defaults[program_type])
            # Rules that name products by recordset: not needed for spending.
            vals.pop("rule_ids", None)
            program = Program.create(
                {"name": f"Bench {program_type}", "program_type": program_type, **vals}
            )
            self.programs[program_type] = program
            self.cards[program_type] = env["loyalty.card"].create(
                {
                    "program_id": program.id,
                    "partner_id": self.guest.id,
                    "points": 1_000_000.0,
                }
            )
        self.now = fields.Datetime.now

    def redemption(self, program_type, points):
        card = self.cards[program_type]
        return {
            "card_id": card.id,
            "program_id": card.program_id.id,
            "points": points,
            "amount": points,
        }


@contextmanager
def no_op_sms_gateway(sent):
    """SmsApi._contact_iap answers "success" without any network; remembers the bodies."""
    from odoo.addons.sms.tools.sms_api import SmsApi

    def contact_iap(self, local_endpoint, params, timeout=15):
        results = []
        for message in params.get("messages", []):
            for number in message["numbers"]:
                sent.append(message["content"])
                results.append(
                    {"uuid": number["uuid"], "state": "success", "credit": 1}
                )
        return results

    with patch.object(SmsApi, "_contact_iap", contact_iap):
        yield


def code_from_sms(body):
    import re

    return re.search(r": ([0-9A-Z]{4,10}) is your code", body).group(1)


def bench_challenges(salon, n, rows, memory):
    env = salon.env
    Challenge = env["salon.otp.challenge"].sudo()
    sent = []
    request_ms, verify_ms, wrong_ms = [], [], []
    with no_op_sms_gateway(sent), memory_peak(memory, f"request + verify x{n}"):
        # Warm-up: templates, caches, the hash secret.
        Challenge._redeem_otp_request(
            salon.config,
            salon.guest,
            str(uuid.uuid4()),
            [salon.redemption("ewallet", 1.0)],
        )
        env.flush_all()
        pending = []
        for _ in range(n):
            started = time.perf_counter()
            challenge = Challenge._redeem_otp_request(
                salon.config,
                salon.guest,
                str(uuid.uuid4()),
                [salon.redemption("ewallet", 10.0)],
            )
            env.flush_all()
            request_ms.append((time.perf_counter() - started) * 1000)
            pending.append((challenge, code_from_sms(sent[-1])))
        for challenge, code in pending:
            wrong = "".join("1" if ch != "1" else "2" for ch in code)
            env.invalidate_all()
            started = time.perf_counter()
            try:
                challenge._redeem_otp_verify(code=wrong)
            except Exception:  # noqa: BLE001 - the expected invalid_code
                pass
            env.flush_all()
            wrong_ms.append((time.perf_counter() - started) * 1000)
            env.invalidate_all()
            started = time.perf_counter()
            result = challenge._redeem_otp_verify(code=code)
            env.flush_all()
            verify_ms.append((time.perf_counter() - started) * 1000)
            assert result["state"] == "verified", result
    for label, values in (
        ("challenge request (SMS no-op)", request_ms),
        ("verify, wrong code", wrong_ms),
        ("verify, right code", verify_ms),
    ):
        rows.append(
            (
                f"{label}, n={len(values)}",
                f"p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms",
            )
        )


def make_order(salon, session, lines_count):
    """A paid-looking order whose reward lines spend both cards, saved by the ORM."""
    env = salon.env
    order_uuid = str(uuid.uuid4())
    lines, redemptions = [], []
    for index in range(lines_count):
        program_type = ("ewallet", "loyalty")[index % 2]
        card = salon.cards[program_type]
        reward = card.program_id.reward_ids[:1]
        product = reward.discount_line_product_id or reward.reward_product_id
        lines.append(
            (
                0,
                0,
                {
                    "product_id": product.id,
                    "qty": 1,
                    "price_unit": -1.0,
                    "price_subtotal": -1.0,
                    "price_subtotal_incl": -1.0,
                    "is_reward_line": True,
                    "reward_id": reward.id,
                    "coupon_id": card.id,
                    "points_cost": 1.0,
                    "reward_identifier_code": f"bench-{index}",
                },
            )
        )
        redemptions.append(salon.redemption(program_type, 1.0))
    order = env["pos.order"].create(
        {
            "session_id": session.id,
            "config_id": salon.config.id,
            "partner_id": salon.guest.id,
            "uuid": order_uuid,
            "lines": lines,
            "amount_tax": 0.0,
            "amount_total": -float(lines_count),
            "amount_paid": 0.0,
            "amount_return": 0.0,
        }
    )
    return order, redemptions


def bench_sync_check(salon, runs, rows, memory):
    env = salon.env
    session = salon.config.current_session_id
    if not session:
        salon.config.open_ui()
        session = salon.config.current_session_id
    sent = []
    Challenge = env["salon.otp.challenge"].sudo()
    with no_op_sms_gateway(sent):
        for lines_count in (1, 20):
            order, redemptions = make_order(salon, session, lines_count)
            challenge = Challenge._redeem_otp_request(
                salon.config, salon.guest, order.uuid, redemptions
            )
            challenge._redeem_otp_verify(code=code_from_sms(sent[-1]))
            order.redeem_otp_challenge_id = challenge
            env.flush_all()
            timings, queries = [], []
            with memory_peak(
                memory, f"sync check, {lines_count} reward line(s) x{runs}"
            ):
                for _ in range(runs):
                    env.cr.execute("SAVEPOINT bench_sync")
                    env.invalidate_all()  # a sync request starts with a cold cache
                    before = env.cr.sql_log_count
                    started = time.perf_counter()
                    order._redeem_otp_enforce()
                    env.flush_all()
                    timings.append((time.perf_counter() - started) * 1000)
                    queries.append(env.cr.sql_log_count - before)
                    env.cr.execute("ROLLBACK TO SAVEPOINT bench_sync")
                    env.invalidate_all()
            rows.append(
                (
                    f"sync check, {lines_count} reward line(s), n={runs}",
                    f"{statistics.median(queries):.0f} queries, "
                    f"p50 {statistics.median(timings):.1f} ms, "
                    f"p95 {percentile(timings, 95):.1f} ms",
                )
            )


def print_table(title, rows):
    width = max(len(label) for label, _value in rows)
    print(f"\n{title}")
    print("-" * (width + 40))
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    tracemalloc.start()
    registry = load_registry(args)
    from odoo import SUPERUSER_ID, api

    rows, memory = [], []
    cr = registry.cursor()
    try:
        env = api.Environment(cr, SUPERUSER_ID, {})
        with memory_peak(memory, "codes (generation and keyed hash)"):
            bench_codes(rows, env)
        admin = env.ref("base.user_admin")
        # As a real user (the cashier) with the superuser's rights, as the route does.
        env = api.Environment(cr, admin.id, {}, su=True)
        salon = Salon(env)
        bench_challenges(salon, args.n, rows, memory)
        bench_sync_check(salon, args.sync_runs, rows, memory)
    finally:
        cr.rollback()
        cr.close()

    print_table("salon_otp_redeem benchmark", rows)
    print_table(
        "peak Python memory (tracemalloc, above the start of each part)",
        [(label, f"{mib:.2f} MiB") for label, mib in memory],
    )
    print(
        f"\ndatabase {args.database}: everything rolled back; "
        f"total {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
