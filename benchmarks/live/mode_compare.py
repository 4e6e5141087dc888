# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Stock Odoo and Odoo with the addon, side by side, one checkout after the other."""

import os

from . import checkout as co
from .client import RpcClient
from .servers import OdooServer, install, run_task
from .stand_ins import SmsStandIn, SmtpSink
from .stats import (
    LogTail,
    Timings,
    describe_queries,
    queries_by_path,
    ratio_line,
    sql_by_request,
)

SIDES = ("stock", "addon")
LINES_20 = ", 20 lines"


def prepare(settings, args, sms, say, sides=SIDES, reuse=None):
    """Both databases installed and holding the same salon; returns their ids.

    The other modes start from these databases as they are (`reuse`): only
    compare installs them afresh without --reuse.
    """
    ids = {}
    dbs = {"stock": args.stock_db, "addon": args.addon_db}
    for side in sides:
        db = dbs[side]
        install(settings, db, side == "addon", args.reuse or reuse, say)
        ids[side] = run_task(
            settings,
            db,
            "setup",
            with_addon=side == "addon",
            sms_endpoint=sms.endpoint,
        )
    return ids


def servers(settings, args, workers=2, log_level="info", label=""):
    return {
        "stock": OdooServer(
            settings, args.stock_db, "stock", workers, log_level, label=f"stock{label}"
        ),
        "addon": OdooServer(
            settings, args.addon_db, "addon", workers, log_level, label=f"addon{label}"
        ),
    }


def tills(servers_, ids, sms):
    return {
        side: co.Till(
            side,
            RpcClient(server.url, server.db, ids[side]["login"], ids[side]["password"]),
            ids[side],
            sms if side == "addon" else None,
        )
        for side, server in servers_.items()
    }


def alternate(tills_, rounds, timings, say=None, **kwargs):
    """Stock then addon, addon then stock, ...: both see the same machine."""
    for n in range(rounds):
        order = SIDES if n % 2 == 0 else SIDES[::-1]
        for side in order:
            tills_[side].checkout(timings, **kwargs)
        if say and rounds >= 20 and (n + 1) % 20 == 0:
            say(f"  {n + 1}/{rounds} rounds")


def measure(settings, args, ids, sms, say):
    """The timed rounds on --workers=2 servers; returns timings and query counts."""
    timings = Timings()
    queries = {}
    srv = servers(settings, args)
    try:
        for server in srv.values():
            server.start()
        tails = {side: LogTail(server.log_path) for side, server in srv.items()}
        till = tills(srv, ids, sms)
        say(f"warm-up: {args.warmup} rounds")
        alternate(till, args.warmup, None)
        marks = {side: tail.mark() for side, tail in tails.items()}
        say(f"measuring: {args.rounds} rounds, alternating stock and addon")
        alternate(till, args.rounds, timings, say)
        for side, tail in tails.items():
            by_path = queries_by_path(tail.since(marks[side]))
            for call, path in co.PATHS.items():
                if path in by_path:
                    queries[side, call] = by_path[path]
        marks = {side: tail.mark() for side, tail in tails.items()}
        say(f"orders of 20 reward lines: {args.lines_rounds} rounds")
        alternate(till, args.lines_rounds, timings, reward_lines=20, suffix=LINES_20)
        for side, tail in tails.items():
            by_path = queries_by_path(tail.since(marks[side]))
            for call, path in co.PATHS.items():
                if path in by_path:
                    queries[side, call + LINES_20] = by_path[path]
    finally:
        for server in srv.values():
            server.stop()
    return timings, queries


def sql_round(settings, args, ids, sms, say):
    """One checkout per side on a one-process server logging every query."""
    srv = servers(settings, args, workers=0, log_level="debug_sql", label="-sql")
    found = {}
    try:
        for server in srv.values():
            server.start()
        tails = {side: LogTail(server.log_path) for side, server in srv.items()}
        till = tills(srv, ids, sms)
        alternate(till, 2, None)
        for lines in (1, 20):
            marks = {side: tail.mark() for side, tail in tails.items()}
            alternate(till, 1, None, reward_lines=lines)
            for side, tail in tails.items():
                for path, queries in sql_by_request(tail.since(marks[side])):
                    found[side, path, lines] = queries
    finally:
        for server in srv.values():
            server.stop()
    return found


def write_sql(settings, found):
    for (side, path, lines), queries in found.items():
        name = f"sql-{side}-{path.strip('/').replace('/', '_')}-{lines}lines.sql"
        with open(settings.path(name), "w", encoding="utf-8") as out:
            for ms, sql in queries:
                out.write(f"-- {ms:.3f} ms\n{sql};\n")


def report(timings, queries, found, args, settings, say):
    say("")
    say(
        f"medians over {args.rounds} rounds (client side, ms); queries per call "
        "from the server's request log"
    )
    say(timings.table(SIDES, co.ADDON_CALLS, queries))
    say("")
    if args.lines_rounds:
        say(f"orders of 20 reward lines ({args.lines_rounds} rounds)")
        calls = [c + LINES_20 for c in (co.VALIDATE, co.SYNC, co.CONFIRM)]
        say(timings.table(SIDES, calls, queries))
        say("")
    m = timings.median
    stock_total = sum(m("stock", c) for c in co.STOCK_CALLS if c != co.FLOOR)
    addon_total = sum(m("addon", c) for c in co.ADDON_CALLS if c != co.FLOOR)
    say(
        f"checkout, sum of medians without the floor: stock {stock_total:.1f} ms, "
        f"addon {addon_total:.1f} ms ({addon_total / stock_total:.2f}x)"
    )
    say("")
    say("ratios (the issue's targets)")
    say(
        ratio_line(
            "sync_from_ui, addon / stock",
            m("addon", co.SYNC) / m("stock", co.SYNC),
            1.10,
        )
    )
    say(
        ratio_line(
            "confirm_coupon_programs, addon / stock",
            m("addon", co.CONFIRM) / m("stock", co.CONFIRM),
            1.10,
        )
    )
    say(
        ratio_line(
            "/verify / floor", m("addon", co.VERIFY) / m("addon", co.FLOOR), 1.30
        )
    )
    say(
        ratio_line(
            "/challenge / floor (stand-in answers at once)"
            if not args.sms_delay
            else f"/challenge / floor (stand-in answers in {args.sms_delay:g} ms)",
            m("addon", co.CHALLENGE) / m("addon", co.FLOOR),
            2.00,
        )
    )
    say(
        f"floor: stock {m('stock', co.FLOOR):.1f} ms, addon "
        f"{m('addon', co.FLOOR):.1f} ms"
    )
    extra = {}
    for lines, suffix in ((1, ""), (20, LINES_20)):
        s, a = (
            queries.get(("stock", co.SYNC + suffix)),
            queries.get(("addon", co.SYNC + suffix)),
        )
        if s is not None and a is not None:
            extra[lines] = a - s
            say(
                f"sync queries, {lines:>2} reward line(s): stock {s}, addon {a} "
                f"(+{a - s})"
            )
    if len(extra) == 2:
        same = "ok" if extra[1] == extra[20] else "MISSED"
        say(
            f"addon's extra sync queries, 1 vs 20 lines: {extra[1]} vs {extra[20]}"
            f"   target: the same   {same}"
        )
    if found:
        say("")
        say(
            f"where the queries go (one checkout, --log-level=debug_sql; full SQL in "
            f"{settings.outdir}/sql-*.sql)"
        )
        for side, calls in (
            ("stock", (co.SYNC, co.CONFIRM)),
            ("addon", (co.CHALLENGE, co.VERIFY, co.SYNC, co.CONFIRM)),
        ):
            for call in calls:
                for lines in (1, 20):
                    if lines == 20 and call not in (co.SYNC, co.CONFIRM):
                        continue
                    queries_ = found.get((side, co.PATHS[call], lines))
                    if queries_ is None:
                        continue
                    text = describe_queries(queries_, top=6)
                    say(f"{side} {call}, {lines} line(s): {text[0]}")
                    for line in text[1:]:
                        say(f"  {line}")


def run(settings, args, say):
    with (
        SmsStandIn(settings.port("sms"), delay=args.sms_delay / 1000) as sms,
        SmtpSink(settings.port("smtp")),
    ):
        ids = prepare(settings, args, sms, say)
        timings, queries = measure(settings, args, ids, sms, say)
        found = {}
        if not args.no_sql_log:
            say("one more checkout per side with --log-level=debug_sql")
            found = sql_round(settings, args, ids, sms, say)
            write_sql(settings, found)
    report(timings, queries, found, args, settings, say)
    say(f"\nserver logs: {os.path.join(settings.outdir, 'server-*.log')}")
