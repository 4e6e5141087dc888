# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Races on a live --workers=4 server: the counts must be exact however calls collide.

1. Many wrong codes at once on one challenge: exactly the attempt limit is
   counted, the challenge locks, nothing verifies (not even the right code
   afterwards).
2. One verified challenge, many syncs at once: the same order sent again
   and again (a till retrying), then different orders all naming the
   challenge. Exactly one order is saved and the card loses the amount once,
   also when the points call is repeated at once.
"""

import threading
import time

from . import checkout as co
from .client import RpcClient, RpcError
from .mode_compare import prepare
from .servers import OdooServer
from .stand_ins import SmsStandIn, SmtpSink


def race(clients, func):
    """Run func(client, n) in one thread per client, released together."""
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def worker(n, client):
        barrier.wait()
        try:
            results[n] = ("ok", func(client, n))
        except RpcError as exc:
            results[n] = ("refused", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported, not lost in a thread
            results[n] = ("crash", f"{exc.__class__.__name__}: {exc}")

    threads = [
        threading.Thread(target=worker, args=(n, client), daemon=True)
        for n, client in enumerate(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return results, time.perf_counter() - started


def tally(values):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return ", ".join(f"{key} x{n}" for key, n in sorted(counts.items()))


def check(ok):
    return "ok" if ok else "FAILED"


def query(settings, db, sql, params):
    conn = settings.connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchone()
    finally:
        conn.close()


def wrong_codes(settings, args, till, say):
    ids = till.ids
    limit = ids["max_attempts"]
    challenge_id, mark, _ms = till.challenge(till.orders.new_uuid())
    code, _ms = till.delivered(challenge_id, mark)
    size = len(code)
    wrong = [
        f"{(int(code) + k) % 10**size:0{size}d}" for k in range(1, args.wrong_codes + 1)
    ]
    clients = [till.client.clone() for _n in range(args.wrong_codes)]
    results, seconds = race(
        clients,
        lambda client, n: client.post(
            co.VERIFY_PATH, {"challenge_id": challenge_id, "code": wrong[n]}
        )[0],
    )
    answers = []
    for kind, value in results:
        if kind != "ok":
            answers.append(kind)
        elif "error" in value:
            answers.append(value["error"]["code"])
        else:
            answers.append(value.get("state", "?"))
    state, attempts = query(
        settings,
        args.addon_db,
        "SELECT state, attempt_count FROM salon_otp_challenge WHERE id = %s",
        [challenge_id],
    )
    after, _ms = till.verify(challenge_id, code)
    after = after.get("error", {}).get("code") or after.get("state")
    say(
        f"{args.wrong_codes} parallel wrong codes on challenge {challenge_id} "
        f"({seconds:.1f} s): answers {tally(answers)}"
    )
    say(
        f"  stored: state {state}, attempts {attempts} (limit {limit}); "
        f"the right code afterwards: {after}"
    )
    ok = (
        attempts == limit
        and state == "locked"
        and "verified" not in answers
        and after != "verified"
        and answers.count("invalid_code") == limit - 1
    )
    say(f"  exactly the limit counted, locked, no success: {check(ok)}")
    return ok


def balance(settings, args, card_id):
    return query(
        settings,
        args.addon_db,
        "SELECT points FROM loyalty_card WHERE id = %s",
        [card_id],
    )[0]


def syncs(settings, args, till, say, same_order):
    """N syncs at once of orders carrying one verified challenge, then N points calls."""
    ids, orders, count = till.ids, till.orders, args.parallel_syncs
    order_uuid = orders.new_uuid()
    challenge_id, mark, _ms = till.challenge(order_uuid)
    code, _ms = till.delivered(challenge_id, mark)
    verified, _ms = till.verify(challenge_id, code)
    assert verified.get("state") == "verified", verified
    before = balance(settings, args, ids["card_id"])
    uuids = [
        order_uuid if same_order or n == 0 else orders.new_uuid() for n in range(count)
    ]
    clients = [till.client.clone() for _n in range(count)]

    def sync(client, n):
        payload = orders.payload(uuids[n], 1, challenge_id)
        result, _ms = client.call_kw(
            "pos.order", "sync_from_ui", [[payload]], {"context": till.context}
        )
        return result["pos.order"][0]["id"]

    results, seconds = race(clients, sync)
    saved = sorted({value for kind, value in results if kind == "ok"})
    rows = query(
        settings,
        args.addon_db,
        "SELECT count(*), count(*) FILTER (WHERE state IN ('paid', 'done', 'invoiced'))"
        "  FROM pos_order WHERE redeem_otp_challenge_id = %s OR uuid = ANY(%s)",
        [challenge_id, uuids],
    )
    what = "copies of one order" if same_order else "different orders, one challenge"
    say(
        f"{count} parallel syncs, {what} ({seconds:.1f} s): "
        f"{tally(kind for kind, _v in results)}; order ids returned {saved}"
    )
    refusals = [value[:90] for kind, value in results if kind != "ok"]
    if refusals:
        say(f"  refusals: {tally(refusals)}")
    say(f"  orders in the database: {rows[0]} ({rows[1]} paid)")

    confirms = []
    if len(saved) == 1:

        def confirm(client, n):
            result, _ms = client.call_kw(
                "pos.order",
                "confirm_coupon_programs",
                [saved[0], orders.coupon_data(order_uuid)],
                {"context": till.context},
            )
            return result

        confirms, seconds = race(clients, confirm)
        say(
            f"  {count} parallel points calls on it ({seconds:.1f} s): "
            f"{tally(kind for kind, _v in confirms)}"
        )
        refusals = [value[:90] for kind, value in confirms if kind != "ok"]
        if refusals:
            say(f"  refusals: {tally(refusals)}")
    after = balance(settings, args, ids["card_id"])
    state = query(
        settings,
        args.addon_db,
        "SELECT state FROM salon_otp_challenge WHERE id = %s",
        [challenge_id],
    )[0]
    spent = before - after
    say(
        f"  card balance {before:,.2f} -> {after:,.2f} (spent {spent:,.2f}, the order "
        f"spends {orders.spend:,.2f}); challenge {state}"
    )
    ok = (
        len(saved) == 1
        and rows == (1, 1)
        and abs(spent - orders.spend) < 1e-6
        and sum(1 for kind, _v in confirms if kind == "ok") == 1
        and not [kind for kind, _v in results + confirms if kind == "crash"]
    )
    say(f"  exactly one order saved, balance spent once: {check(ok)}")
    return ok


def run(settings, args, say):
    with (
        SmsStandIn(settings.port("sms"), delay=args.sms_delay / 1000) as sms,
        SmtpSink(settings.port("smtp")),
    ):
        ids = prepare(settings, args, sms, say, reuse=True, sides=("addon",))["addon"]
        with OdooServer(
            settings, args.addon_db, "third", workers=4, label="parallel"
        ) as server:
            say(f"server: {args.addon_db} with --workers=4")
            till = co.Till(
                "addon",
                RpcClient(server.url, server.db, ids["login"], ids["password"]),
                ids,
                sms,
            )
            for _n in range(3):
                till.checkout()
            say("")
            results = [
                wrong_codes(settings, args, till, say),
                syncs(settings, args, till, say, same_order=True),
                syncs(settings, args, till, say, same_order=False),
            ]
    say("")
    say(f"parallel: {'all held' if all(results) else 'SOMETHING BROKE'}")
