# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Figures: medians and p95, ratios against targets, and what the server logs say."""

import os
import re
import statistics
from collections import Counter, defaultdict

# Odoo's request log line ends with: query count, SQL seconds, other seconds
# (odoo/netsvc.py, PerfFilter).
REQUEST_RE = re.compile(
    r'"(?:POST|GET) (\S+) HTTP/[\d.]+" (\d{3}) \S+ (\d+) ([\d.]+) ([\d.]+)'
)
LOG_START_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ ", re.M)
QUERY_RE = re.compile(r"odoo\.sql_db: \[([\d.]+) ms\] query: (.*)", re.S)


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values):
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "min": min(values),
    }


class Timings:
    """Milliseconds per (side, call), in the order they were taken."""

    def __init__(self):
        self.values = defaultdict(list)

    def add(self, side, call, ms):
        self.values[side, call].append(ms)

    def median(self, side, call):
        return statistics.median(self.values[side, call])

    def has(self, side, call):
        return bool(self.values.get((side, call)))

    def table(self, sides, calls, queries=None):
        """Rows: call, then per side median / p95 (and queries when known)."""
        head = f"{'call':<34}" + "".join(
            f"{side + ' median':>16}{'p95':>10}{'queries':>9}" for side in sides
        )
        lines = [head, "-" * len(head)]
        for call in calls:
            row = f"{call:<34}"
            for side in sides:
                if self.has(side, call):
                    s = summary(self.values[side, call])
                    q = (queries or {}).get((side, call), "")
                    row += f"{s['median']:>13.1f} ms{s['p95']:>7.1f} ms{q!s:>9}"
                else:
                    row += f"{'':>16}{'':>10}{'':>9}"
            lines.append(row)
        return "\n".join(lines)


def verdict(value, target):
    return "ok" if value <= target else "MISSED"


def ratio_line(label, value, target, detail=""):
    return (
        f"{label:<48}{value:>7.2f}x   target <= {target:.2f}x   "
        f"{verdict(value, target)}{('   ' + detail) if detail else ''}"
    )


# ----------------------------------------------------------------------
# Server logs
# ----------------------------------------------------------------------
class LogTail:
    """Read a server's log file from a remembered position on."""

    def __init__(self, path):
        self.path = path

    def mark(self):
        return os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def since(self, mark):
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            handle.seek(mark)
            return handle.read()


def request_counts(text):
    """[(path, status, queries, sql_s, other_s)] from Odoo's request log lines."""
    return [
        (
            m.group(1),
            int(m.group(2)),
            int(m.group(3)),
            float(m.group(4)),
            float(m.group(5)),
        )
        for m in REQUEST_RE.finditer(text)
    ]


def queries_by_path(text):
    """Median query count per request path."""
    counts = defaultdict(list)
    for path, _status, queries, _sql, _other in request_counts(text):
        counts[path].append(queries)
    return {path: int(statistics.median(values)) for path, values in counts.items()}


def log_records(text):
    starts = [m.start() for m in LOG_START_RE.finditer(text)]
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        yield text[begin:end].rstrip("\n")


def sql_by_request(text):
    """[(path, [(ms, sql), ...])]: the queries logged before each request line.

    Needs a server with one request at a time and `--log-level=debug_sql`.
    """
    requests_, pending = [], []
    for record in log_records(text):
        query = QUERY_RE.search(record)
        if query:
            pending.append((float(query.group(1)), query.group(2)))
            continue
        line = REQUEST_RE.search(record)
        if line:
            requests_.append((line.group(1), pending))
            pending = []
    return requests_


NUMBER_RE = re.compile(r"\b\d+(\.\d+)?\b")
STRING_RE = re.compile(r"'(?:[^']|'')*'")
SPACE_RE = re.compile(r"\s+")
TABLE_RE = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"?([a-z_][a-z0-9_]*)"?', re.I)


def shape(sql):
    """A query with its literals blanked: the same shape is the same query run again."""
    text = STRING_RE.sub("?", sql)
    text = NUMBER_RE.sub("?", text)
    return SPACE_RE.sub(" ", text).strip()


def first_table(sql):
    """`VERB table` of a query, or its first words when it reads no table."""
    match = TABLE_RE.search(sql)
    if not match:
        return shape(sql)[:40]
    verb = sql.strip().split(None, 1)[0].upper()
    return f"{verb} {match.group(1)}"


def describe_queries(queries, top=8):
    """Lines: the count by statement and table, then the repeated shapes."""
    by_table = Counter(first_table(sql) for _ms, sql in queries)
    total_ms = sum(ms for ms, _sql in queries)
    lines = [f"{len(queries)} queries, {total_ms:.1f} ms in SQL"]
    lines.append(
        "  by table: "
        + ", ".join(f"{name} x{count}" for name, count in by_table.most_common(top))
    )
    repeated = [
        (count, text)
        for text, count in Counter(shape(sql) for _ms, sql in queries).most_common()
        if count > 1
    ]
    for count, text in repeated[:top]:
        lines.append(f"  x{count}: {text[:150]}")
    return lines
