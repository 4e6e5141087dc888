# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The POS start-up: `pos.session.load_data` with 10,000 guests and 20,000 cards.

Copies of the two compare databases get the same guests, each with an
e-wallet and a loyalty card; the till's first call (what
PosData.loadInitialData sends) is timed on each, alternating.
"""

import json

from .client import RpcClient
from .mode_compare import prepare
from .servers import OdooServer, duplicate, run_task
from .stand_ins import SmsStandIn, SmtpSink
from .stats import LogTail, Timings, queries_by_path, ratio_line, summary

SIDES = ("stock", "addon")
PATH = "/web/dataset/call_kw/pos.session/load_data"
CALL = "load_data"


def shape_of(result):
    """{model: (records, fields)} of a load_data answer."""
    return {
        model: (len(value.get("data") or []), len(value.get("fields") or {}))
        for model, value in result.items()
        if isinstance(value, dict)
    }


def run(settings, args, say):
    dbs = {"stock": f"{args.stock_db}_load", "addon": f"{args.addon_db}_load"}
    sources = {"stock": args.stock_db, "addon": args.addon_db}
    with SmsStandIn(settings.port("sms")) as sms, SmtpSink(settings.port("smtp")):
        prepare(settings, args, sms, say, reuse=True)
        ids, populated = {}, {}
        for side in SIDES:
            duplicate(settings, sources[side], dbs[side], args.reuse, say)
            ids[side] = run_task(
                settings,
                dbs[side],
                "setup",
                with_addon=side == "addon",
                sms_endpoint=sms.endpoint,
            )
            say(f"{dbs[side]}: guests and cards ...")
            populated[side] = run_task(
                settings, dbs[side], "populate_load", guests=args.load_guests
            )
            say(f"{dbs[side]}: {json.dumps(populated[side])}")
        timings, queries, sizes, shapes = Timings(), {}, {}, {}
        srv = {
            side: OdooServer(settings, dbs[side], side, 2, label=f"{side}-load")
            for side in SIDES
        }
        try:
            for server in srv.values():
                server.start()
            clients = {
                side: RpcClient(
                    srv[side].url, dbs[side], ids[side]["login"], ids[side]["password"]
                )
                for side in SIDES
            }
            tails = {side: LogTail(srv[side].log_path) for side in SIDES}

            def load(side):
                ctx = {
                    "lang": "en_US",
                    "tz": "UTC",
                    "uid": clients[side].uid,
                    "allowed_company_ids": [ids[side]["company_id"]],
                }
                return clients[side].call_kw(
                    "pos.session",
                    "load_data",
                    [ids[side]["session_id"], []],
                    {"context": ctx},
                )

            for _n in range(max(1, args.warmup // 2)):
                for side in SIDES:
                    result, _ms = load(side)
                    shapes[side] = shape_of(result)
                    sizes[side] = clients[side].last_size
            marks = {side: tail.mark() for side, tail in tails.items()}
            rounds = args.load_rounds
            say(f"measuring: {rounds} start-ups per side, alternating")
            for n in range(rounds):
                for side in SIDES if n % 2 == 0 else SIDES[::-1]:
                    timings.add(side, CALL, load(side)[1])
            for side in SIDES:
                by_path = queries_by_path(tails[side].since(marks[side]))
                queries[side, CALL] = by_path.get(PATH)
        finally:
            for server in srv.values():
                server.stop()
    say("")
    say(
        f"POS start-up, medians over {rounds} rounds "
        f"({populated['stock']['guests']:,} guests, "
        f"{populated['stock']['cards']:,} cards in the loaded programs)"
    )
    say(timings.table(SIDES, [CALL], queries))
    for side in SIDES:
        s = summary(timings.values[side, CALL])
        say(f"{side}: answer {sizes[side] / 1024:,.0f} KiB, min {s['min']:.0f} ms")
    say(
        ratio_line(
            "load_data, addon / stock",
            timings.median("addon", CALL) / timings.median("stock", CALL),
            1.05,
        )
    )
    say("")
    say("what differs in the answer (records, fields per model)")
    for model in sorted(set(shapes["stock"]) | set(shapes["addon"])):
        stock, addon = shapes["stock"].get(model), shapes["addon"].get(model)
        if stock != addon:
            say(f"  {model:<32} stock {stock}  addon {addon}")
    big = sorted(shapes["addon"].items(), key=lambda item: -item[1][0])[:6]
    say(
        "largest models loaded (addon): "
        + ", ".join(f"{model} {records:,}" for model, (records, _f) in big)
    )
