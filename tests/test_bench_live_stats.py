# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The live benchmark reads query counts from Odoo's own logs: that reading, checked.

The figures in benchmarks/README.md (queries per call, the SQL behind them)
come from these parsers; a change in Odoo's log format must fail here, not
turn into silently empty columns.
"""

import os
import sys

import pytest

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks")
)

from live import stats  # noqa: E402 - the benchmark's folder first
from live.mode_history import compact  # noqa: E402

REQUEST = (
    "2026-11-30 07:51:04,026 1675 INFO bench_addon werkzeug: 127.0.0.1 - - "
    '[30/Nov/2026 07:51:04] "POST /web/dataset/call_kw/pos.order/sync_from_ui '
    'HTTP/1.1" 200 - 77 0.153 0.412 \n'
)
SQL_LOG = (
    "2026-11-30 07:49:39,349 31901 DEBUG bench_addon odoo.sql_db: [0.736 ms] "
    'query: SELECT "loyalty_card"."id" FROM "loyalty_card" WHERE "loyalty_card"."id" IN (1) \n'
    "2026-11-30 07:49:39,350 31901 DEBUG bench_addon odoo.sql_db: [1.250 ms] "
    'query:  UPDATE "salon_otp_challenge"\n'
    '                    SET "state" = "__tmp"."state"::VARCHAR\n'
    '                    FROM (VALUES (12, \'used\')) AS "__tmp"("id", "state")\n'
    '                    WHERE "salon_otp_challenge"."id" = "__tmp"."id"\n'
    "                 \n"
    "2026-11-30 07:49:39,351 31901 DEBUG bench_addon odoo.sql_db: [0.500 ms] "
    'query: SELECT "loyalty_card"."id" FROM "loyalty_card" WHERE "loyalty_card"."id" IN (2) \n'
    "2026-11-30 07:49:39,352 31901 INFO bench_addon odoo.addons.salon_otp_redeem: "
    "Redemption code verified \n" + REQUEST
)


def test_request_line_gives_path_status_and_query_count():
    assert stats.request_counts(REQUEST) == [
        ("/web/dataset/call_kw/pos.order/sync_from_ui", 200, 77, 0.153, 0.412)
    ]
    assert stats.queries_by_path(REQUEST + REQUEST.replace(" 77 ", " 79 ")) == {
        "/web/dataset/call_kw/pos.order/sync_from_ui": 78
    }


def test_queries_are_grouped_under_the_request_that_follows_them():
    ((path, queries),) = stats.sql_by_request(SQL_LOG)
    assert path == "/web/dataset/call_kw/pos.order/sync_from_ui"
    assert [ms for ms, _sql in queries] == [0.736, 1.25, 0.5]
    # A query spread over several lines is one query, whole.
    assert 'WHERE "salon_otp_challenge"."id" = "__tmp"."id"' in queries[1][1]


def test_same_query_with_other_literals_has_one_shape():
    ((_path, queries),) = stats.sql_by_request(SQL_LOG)
    lines = stats.describe_queries(queries)
    assert lines[0] == "3 queries, 2.5 ms in SQL"
    assert "SELECT loyalty_card x2" in lines[1]
    assert "UPDATE salon_otp_challenge x1" in lines[1]
    assert lines[2].startswith("  x2: SELECT")


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "sms_sms" ("body") VALUES (\'x\')', "INSERT sms_sms"),
        ("SELECT nextval('pos_order_id_seq')", "SELECT nextval(?)"),
        ("SELECT pg_advisory_xact_lock(7301, 7)", "SELECT pg_advisory_xact_lock(?, ?)"),
    ],
)
def test_first_table(sql, table):
    assert stats.first_table(sql) == table


def test_explained_queries_never_show_a_code_hash():
    sql = (
        "UPDATE salon_otp_challenge SET code_hash = "
        "'46d902d8d9e566ae8ae9c3f08a6baeff212866cb89b6295437cad75e4fd39738' WHERE id = 12"
    )
    shown = compact(sql)
    assert "46d902" not in shown
    assert shown == "UPDATE salon_otp_challenge SET code_hash = '<hash>' WHERE id = 12"


def test_percentile_and_summary():
    values = [float(n) for n in range(1, 101)]
    assert stats.percentile(values, 95) == 95.0
    assert stats.summary(values)["median"] == 50.5
    assert stats.ratio_line("x", 1.2, 1.1).rstrip().endswith("MISSED")
