# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Does a code cost more when the audit table holds a million challenges?

A copy of the addon's database gets 10^6 challenges by SQL, spread over
companies, centers, cashiers, guests, states and 400 days, as a busy chain
would keep them (the default retention), and a paid order for each used one
(the order table is history too: stock's sync and the code request look
orders up by uuid). Both databases are served at once and the same checkouts
alternate between them.
"""

import re

from . import checkout as co
from .client import RpcClient
from .mode_compare import prepare
from .servers import BenchError, OdooServer, duplicate, run_task
from .stand_ins import SmsStandIn, SmtpSink
from .stats import LogTail, Timings, queries_by_path, ratio_line, shape, sql_by_request

SIDES = ("empty", "history")
TABLES = (
    "salon_otp_challenge",
    "loyalty_card_salon_otp_challenge_rel",
    "loyalty_history",
)
# The hot queries shown: those on the tables above, and the order lookups by
# uuid (stock's sync and the code request's owner check) on the paid orders.
HOT_MARKS = (*TABLES, '"pos_order"."uuid"')

# Column -> SQL expression over `r` (one row of the series, see FILL_SQL).
COLUMNS = {
    "company_id": "a.companies[r.ci]",
    "pos_config_id": "a.configs[r.ci]",
    "partner_id": "a.partners[r.pi]",
    "user_id": "a.users[r.ui]",
    "order_uuid": "md5(r.g::text || random()::text)::uuid::text",
    "state": "r.state",
    "method": "CASE WHEN r.state = 'used' THEN"
    " CASE WHEN r.r < 0.70 THEN 'code' ELSE 'override' END END",
    "channel": "CASE WHEN r.state = 'failed' THEN NULL WHEN r.r2 < 0.85 THEN 'sms'"
    " ELSE 'email' END",
    "destination_masked": "CASE WHEN r.state = 'failed' THEN NULL WHEN r.r2 < 0.85"
    " THEN '+33 6** ** ** ' || lpad(mod(r.pi, 100)::text, 2, '0')"
    " ELSE 'g*****@example.com' END",
    "failure_reason": "CASE WHEN r.state = 'failed' THEN 'sms: Server Error' END",
    "attempt_count": "CASE WHEN r.state = 'locked' THEN 5 WHEN r.r2 < 0.1 THEN 1"
    " ELSE 0 END",
    "override_failure_count": "0",
    "max_attempts": "5",
    "code_length": "6",
    "alphabet": "'numeric'",
    "validity_minutes": "5",
    "sent_at": "CASE WHEN r.state <> 'failed' THEN r.t END",
    "expires_at": "r.t + interval '5 minutes'",
    "resend_at": "r.t + interval '30 seconds'",
    "verified_at": "CASE WHEN r.state = 'used' THEN r.t + interval '40 seconds' END",
    "used_at": "CASE WHEN r.state = 'used' THEN r.t + interval '70 seconds' END",
    "override_user_id": "CASE WHEN r.state = 'used' AND r.r >= 0.70"
    " THEN a.users[1] END",
    "override_reason": "CASE WHEN r.state = 'used' AND r.r >= 0.70"
    " THEN 'Guest forgot her phone' END",
    "redemption_json": "'[{\"card_id\": ' || a.cards[r.pi] || ', \"program_id\": '"
    " || a.program || ', \"points\": ' || r.amount || ', \"amount\": ' || r.amount"
    " || '}]'",
    "redemption_summary": "'$ ' || r.amount || ' of Bench e-wallet'",
    "amount": "r.amount",
    "points_total": "r.amount",
    "fingerprint": "md5(r.g::text || 'a') || md5(r.g::text || 'b')",
    "risk_dormant": "r.r2 < 0.01",
    "risk_destination_changed": "r.r2 > 0.995",
    "risk_expired": "r.state = 'cancelled'",
    "risk_override": "r.state = 'used' AND r.r >= 0.70",
    "has_risk": "r.state IN ('locked', 'cancelled') OR (r.state = 'used' AND"
    " r.r >= 0.70) OR r.r2 < 0.01 OR r.r2 > 0.995",
    "create_uid": "a.users[r.ui]",
    "create_date": "r.t",
    "write_uid": "a.users[r.ui]",
    "write_date": "r.t + interval '70 seconds'",
}
FILL_SQL = """
WITH a AS (
    SELECT %(companies)s::int[] AS companies, %(configs)s::int[] AS configs,
           %(users)s::int[] AS users, %(partners)s::int[] AS partners,
           %(cards)s::int[] AS cards, %(program)s::int AS program
), s AS (
    SELECT g,
           1 + floor(random() * array_length(a.configs, 1))::int AS ci,
           1 + floor(random() * array_length(a.partners, 1))::int AS pi,
           1 + floor(random() * array_length(a.users, 1))::int AS ui,
           random() AS r, random() AS r2,
           (now() AT TIME ZONE 'UTC') - interval '1 hour'
               - random() * interval '400 days' AS t,
           (5 + floor(random() * 40) * 5)::numeric AS amount
      FROM generate_series(1, %(count)s) AS g, a
), r AS (
    SELECT s.*, CASE
        WHEN s.r < 0.72 THEN 'used'
        WHEN s.r < 0.84 THEN 'expired'
        WHEN s.r < 0.92 THEN 'superseded'
        WHEN s.r < 0.95 THEN 'failed'
        WHEN s.r < 0.97 THEN 'locked'
        WHEN s.r < 0.98 THEN 'cancelled'
        ELSE 'expired' END AS state
      FROM s
)
INSERT INTO salon_otp_challenge ({columns})
SELECT {values} FROM r, a
"""
CARDS_SQL = """
INSERT INTO loyalty_card_salon_otp_challenge_rel (salon_otp_challenge_id, loyalty_card_id)
SELECT c.id, lc.id
  FROM salon_otp_challenge c
  JOIN loyalty_card lc ON lc.partner_id = c.partner_id AND lc.program_id = %(program)s
 WHERE c.id > %(after)s
"""


def fill(settings, db, actors, ids, rows, say):
    """Top salon_otp_challenge up to `rows` rows with SQL; VACUUM ANALYZE."""
    conn = settings.connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT count(*), COALESCE(max(id), 0) FROM salon_otp_challenge")
            count, after = cr.fetchone()
            if count >= rows:
                say(f"{db}: salon_otp_challenge already holds {count:,} rows")
                return count
            cr.execute(
                "SELECT column_name, is_nullable, column_default"
                "  FROM information_schema.columns"
                " WHERE table_name = 'salon_otp_challenge'"
            )
            table = {name: (nullable, default) for name, nullable, default in cr}
            missing = [
                name
                for name, (nullable, default) in table.items()
                if nullable == "NO" and default is None and name not in COLUMNS
            ]
            if missing:
                raise BenchError(
                    f"salon_otp_challenge has required columns the filler does not "
                    f"know: {', '.join(missing)}"
                )
            columns = [name for name in COLUMNS if name in table]
            sql = FILL_SQL.format(
                columns=", ".join(columns),
                values=", ".join(COLUMNS[name] for name in columns),
            )
            say(f"{db}: inserting {rows - count:,} challenges with SQL ...")
            cr.execute(
                sql,
                {
                    "companies": actors["companies"],
                    "configs": actors["configs"],
                    "users": actors["users"],
                    # The benchmark's own guest has her share of history too.
                    "partners": [*actors["partners"], ids["guest_id"]],
                    "cards": [*actors["cards"], ids["card_id"]],
                    "program": ids["program_id"],
                    "count": rows - count,
                },
            )
            cr.execute(CARDS_SQL, {"program": ids["program_id"], "after": after})
            say(f"{db}: VACUUM ANALYZE")
            for name in TABLES:
                cr.execute(f"VACUUM ANALYZE {name}")
            cr.execute("SELECT count(*) FROM salon_otp_challenge")
            return cr.fetchone()[0]
    finally:
        conn.close()


# The paid orders of the used challenges, copies of one of the benchmark's own
# orders in a closed session of their own, over the same 400 days.
ORDER_OVERRIDES = {
    "session_id": "%(session)s",
    "uuid": "md5(t.g::text || random()::text)::uuid::text",
    "name": "'History/' || lpad(t.g::text, 7, '0')",
    "pos_reference": "'Order 99999-' || t.g",
    "access_token": "md5(random()::text)",
    "date_order": "t.at",
    "create_date": "t.at",
    "write_date": "t.at",
    "redeem_otp_challenge_id": "NULL",
    "account_move": "NULL",
}
ORDERS_SQL = """
WITH template AS (SELECT * FROM pos_order WHERE id = %(template)s),
t AS (
    SELECT g, (now() AT TIME ZONE 'UTC') - interval '1 hour'
              - random() * interval '400 days' AS at
      FROM generate_series(1, %(count)s) AS g
)
INSERT INTO pos_order ({columns})
SELECT {values} FROM template, t
"""
SESSION_OVERRIDES = {"name": "name || ' (history)'", "state": "'closed'"}
# Each history order spent points of one of the guests' cards, as pos_loyalty's
# history rows record it: the dormancy check reads a card's rows.
HISTORY_SQL = """
INSERT INTO loyalty_history (card_id, order_model, order_id, description, issued,
                             used, create_uid, create_date, write_uid, write_date)
SELECT (%(cards)s::int[])[1 + mod(o.id, cardinality(%(cards)s::int[]))],
       'pos.order', o.id, o.name, 0, 5, o.create_uid, o.create_date, o.write_uid,
       o.write_date
  FROM pos_order o
 WHERE o.name LIKE 'History/%%'
"""


def copy_row_sql(cr, table, overrides, source):
    """Columns and values copying `table`'s row from `source` but for `overrides`."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    columns = [name for (name,) in cr.fetchall()]
    values = [overrides.get(name, f"{source}.{name}") for name in columns]
    return ", ".join(columns), ", ".join(values)


def fill_history_rows(cr, cards, say):
    """A loyalty history row per history order (the cards' activity)."""
    cr.execute("SELECT count(*) FROM loyalty_history")
    if cr.fetchone()[0] < 1000:
        say("inserting a loyalty history row per history order with SQL ...")
        cr.execute(HISTORY_SQL, {"cards": cards})
        cr.execute("VACUUM ANALYZE loyalty_history")
    cr.execute("SELECT count(*) FROM loyalty_history")
    return cr.fetchone()[0]


def fill_orders(settings, db, cards, say):
    """As many paid orders as used challenges, and their loyalty history
    rows on `cards`, with SQL; VACUUM ANALYZE. Returns both counts."""
    conn = settings.connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM salon_otp_challenge WHERE state = 'used'")
            (wanted,) = cr.fetchone()
            cr.execute("SELECT count(*), min(id) FROM pos_order")
            count, template = cr.fetchone()
            if template is None:
                raise BenchError(f"{db} has no order to copy")
            if count >= wanted:
                say(f"{db}: pos_order already holds {count:,} rows")
                return count, fill_history_rows(cr, cards, say)
            columns, values = copy_row_sql(cr, "pos_session", SESSION_OVERRIDES, "s")
            cr.execute(
                f"INSERT INTO pos_session ({columns}) SELECT {values}"  # noqa: S608
                " FROM pos_session s WHERE s.id ="
                " (SELECT session_id FROM pos_order WHERE id = %s) RETURNING id",
                [template],
            )
            (session,) = cr.fetchone()
            columns, values = copy_row_sql(cr, "pos_order", ORDER_OVERRIDES, "template")
            say(f"{db}: inserting {wanted - count:,} paid orders with SQL ...")
            cr.execute(
                ORDERS_SQL.format(columns=columns, values=values),
                {"template": template, "session": session, "count": wanted - count},
            )
            cr.execute("VACUUM ANALYZE pos_order")
            lines = fill_history_rows(cr, cards, say)
            cr.execute("SELECT count(*) FROM pos_order")
            return cr.fetchone()[0], lines
    finally:
        conn.close()


def spread(settings, db, say):
    conn = settings.connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM salon_otp_challenge GROUP BY state"
                " ORDER BY 2 DESC"
            )
            states = ", ".join(f"{state} {n:,}" for state, n in cr.fetchall())
            cr.execute(
                "SELECT count(DISTINCT company_id), count(DISTINCT pos_config_id),"
                " count(DISTINCT partner_id), count(DISTINCT user_id),"
                " min(create_date)::date, max(create_date)::date,"
                " pg_size_pretty(pg_total_relation_size('salon_otp_challenge'))"
                " FROM salon_otp_challenge"
            )
            companies, configs, partners, users, first, last, size = cr.fetchone()
    finally:
        conn.close()
    say(
        f"history: {companies} companies, {configs} centers, {partners:,} guests, "
        f"{users} cashiers, {first} to {last}, {size} with indexes"
    )
    say(f"history states: {states}")


def empty_table(settings, db):
    """No challenge left in the small database (orders keep no link to them)."""
    conn = settings.connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute("DELETE FROM salon_otp_challenge")
            cr.execute("VACUUM ANALYZE salon_otp_challenge")
            cr.execute("SELECT count(*) FROM salon_otp_challenge")
            return cr.fetchone()[0]
    finally:
        conn.close()


def measure(settings, args, ids, sms, say):
    timings, queries = Timings(), {}
    srv = {
        "empty": OdooServer(settings, args.addon_db, "addon", 2, label="empty"),
        "history": OdooServer(settings, args.history_db, "third", 2, label="history"),
    }
    try:
        for server in srv.values():
            server.start()
        till = {
            side: co.Till(
                side,
                RpcClient(
                    server.url, server.db, ids[side]["login"], ids[side]["password"]
                ),
                ids[side],
                sms,
            )
            for side, server in srv.items()
        }
        tails = {side: LogTail(server.log_path) for side, server in srv.items()}
        for _n in range(args.warmup):
            for side in SIDES:
                till[side].checkout()
        marks = {side: tail.mark() for side, tail in tails.items()}
        say(f"measuring: {args.rounds} rounds, alternating empty table and history")
        for n in range(args.rounds):
            for side in SIDES if n % 2 == 0 else SIDES[::-1]:
                till[side].checkout(timings)
            if args.rounds >= 20 and (n + 1) % 20 == 0:
                say(f"  {n + 1}/{args.rounds} rounds")
        for side, tail in tails.items():
            by_path = queries_by_path(tail.since(marks[side]))
            for call, path in co.PATHS.items():
                if path in by_path:
                    queries[side, call] = by_path[path]
    finally:
        for server in srv.values():
            server.stop()
    return timings, queries


def hot_queries(settings, args, ids, sms):
    """The SQL of one checkout on the big table, those that read or write it."""
    server = OdooServer(
        settings, args.history_db, "third", 0, "debug_sql", label="history-sql"
    )
    with server:
        till = co.Till(
            "history",
            RpcClient(server.url, server.db, ids["login"], ids["password"]),
            ids,
            sms,
        )
        till.checkout()
        tail = LogTail(server.log_path)
        mark = tail.mark()
        till.checkout()
        found = sql_by_request(tail.since(mark))
    hot, seen = [], set()
    for path, queries in found:
        for ms, sql in queries:
            if not any(mark in sql for mark in HOT_MARKS):
                continue
            key = shape(sql)
            if key in seen:
                continue
            seen.add(key)
            hot.append((path, ms, sql))
    return hot


HASH_RE = re.compile(r"(code_hash\"? = )'[0-9a-f]+'")
LONG_SELECT_RE = re.compile(r"^SELECT (.{160,}?) FROM ")
SPACES_RE = re.compile(r"\s+")


def compact(sql):
    """One line, the keyed hash hidden, a long column list counted instead of listed."""
    text = HASH_RE.sub(r"\1'<hash>'", SPACES_RE.sub(" ", sql).strip())
    match = LONG_SELECT_RE.match(text)
    if match:
        columns = match.group(1).count(",") + 1
        text = f"SELECT <{columns} columns> FROM " + text[match.end() :]
    return text


def explain(settings, db, hot, say):
    """EXPLAIN (ANALYZE, BUFFERS) of each, in a transaction rolled back."""
    conn = settings.connect(db)
    conn.autocommit = False
    try:
        for path, ms, sql in hot:
            say("")
            say(f"-- {path} ({ms:.2f} ms when logged)")
            say(compact(sql))
            with conn.cursor() as cr:
                try:
                    cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    for (line,) in cr.fetchall():
                        say(f"    {line}")
                except Exception as exc:  # noqa: BLE001 - shown, not fatal
                    say(f"    (no plan: {exc.__class__.__name__}: {exc})".strip())
            conn.rollback()
    finally:
        conn.rollback()
        conn.close()


def run(settings, args, say):
    with (
        SmsStandIn(settings.port("sms"), delay=args.sms_delay / 1000) as sms,
        SmtpSink(settings.port("smtp")),
    ):
        ids = prepare(settings, args, sms, say, reuse=True, sides=("addon",))
        duplicate(settings, args.addon_db, args.history_db, args.reuse, say)
        history_ids = run_task(
            settings,
            args.history_db,
            "setup",
            with_addon=True,
            sms_endpoint=sms.endpoint,
        )
        actors = run_task(
            settings,
            args.history_db,
            "history_actors",
            centers=8,
            cashiers=5,
            guests=5000,
        )
        rows = fill(
            settings, args.history_db, actors, history_ids, args.history_rows, say
        )
        orders, lines = fill_orders(
            settings, args.history_db, [*actors["cards"], history_ids["card_id"]], say
        )
        small = empty_table(settings, args.addon_db)
        spread(settings, args.history_db, say)
        say(f"history: {orders:,} orders, {lines:,} loyalty history rows")
        ids = {"empty": ids["addon"], "history": history_ids}
        timings, queries = measure(settings, args, ids, sms, say)
        say("capturing the hot queries (one checkout with --log-level=debug_sql)")
        hot = hot_queries(settings, args, history_ids, sms)
    say("")
    say(
        f"medians over {args.rounds} rounds (ms): empty table ({small:,} rows at the "
        f"start, {args.addon_db}) vs history ({rows:,} rows, {args.history_db})"
    )
    say(timings.table(SIDES, co.ADDON_CALLS, queries))
    say("")
    m = timings.median
    for call in (co.CHALLENGE, co.VERIFY):
        say(
            ratio_line(
                f"{call}, history / empty table",
                m("history", call) / m("empty", call),
                1.15,
            )
        )
    for call in (co.FLOOR, co.DECISION, co.SYNC, co.CONFIRM):
        say(
            f"{call + ', history / empty table':<48}"
            f"{m('history', call) / m('empty', call):>7.2f}x   (for reference)"
        )
    say("")
    say(
        f"EXPLAIN (ANALYZE, BUFFERS) of the queries that touch {', '.join(TABLES)}, "
        f"and of the order lookups by uuid, on {args.history_db}"
    )
    explain(settings, args.history_db, hot, say)
