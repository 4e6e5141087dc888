#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Live benchmark: stock Odoo 18 and Odoo with salon_otp_redeem, over real HTTP.

    python3 benchmarks/bench_live.py [compare|history|parallel|pos-load] [options]

compare (default)  installs stock (point_of_sale, pos_loyalty, membership,
                   pos_sms) and stock + salon_otp_redeem into two databases,
                   serves each with --workers=2 and drives the same checkouts
                   over JSON-RPC as a POS user, alternating stock and addon;
                   prints medians, p95, the issue's ratios and query counts.
history            copies the addon's database, fills salon_otp_challenge to
                   10^6 rows with SQL and times /challenge and /verify against
                   the small table; prints EXPLAIN of the hot queries.
parallel           --workers=4: concurrent wrong codes on one challenge, and
                   concurrent syncs of orders carrying one verified challenge.
pos-load           the POS start-up data load with 10,000 guests and 20,000
                   cards, stock vs addon.

SMS go to a local stand-in of the IAP endpoint (system parameter
`sms.endpoint`), mail to a local SMTP sink: nothing leaves the machine.
Logs, and the SQL of one checkout, are written to --outdir.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from live import (  # noqa: E402 - the script's own folder first
    mode_compare,
    mode_history,
    mode_parallel,
    mode_pos_load,
)
from live.servers import BenchError  # noqa: E402
from live.settings import Settings, describe_machine  # noqa: E402

MODES = {
    "compare": mode_compare.run,
    "history": mode_history.run,
    "parallel": mode_parallel.run,
    "pos-load": mode_pos_load.run,
}


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("mode", nargs="?", default="compare", choices=list(MODES))
    parser.add_argument(
        "--rounds", type=int, default=80, help="timed checkouts per side (default 80)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=5,
        help="untimed checkouts per side first (default 5)",
    )
    parser.add_argument(
        "--lines-rounds",
        type=int,
        default=5,
        help="compare: checkouts with 20 reward lines (default 5)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep databases that already have the modules "
        "(otherwise they are dropped and installed afresh)",
    )
    parser.add_argument("--stock-db", default="bench_stock")
    parser.add_argument("--addon-db", default="bench_addon")
    parser.add_argument("--history-db", default="bench_history")
    parser.add_argument("--history-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--load-guests",
        type=int,
        default=10_000,
        help="pos-load: guests, each with an e-wallet and a "
        "loyalty card (default 10,000, so 20,000 cards)",
    )
    parser.add_argument(
        "--load-rounds",
        type=int,
        default=20,
        help="pos-load: timed start-ups per side (default 20)",
    )
    parser.add_argument(
        "--wrong-codes",
        type=int,
        default=50,
        help="parallel: concurrent wrong codes (default 50)",
    )
    parser.add_argument(
        "--parallel-syncs",
        type=int,
        default=20,
        help="parallel: concurrent syncs (default 20)",
    )
    parser.add_argument(
        "--sms-delay",
        type=float,
        default=0.0,
        help="milliseconds the SMS stand-in waits before answering",
    )
    parser.add_argument(
        "--no-sql-log",
        action="store_true",
        help="compare: skip the extra checkout logged with --log-level=debug_sql",
    )
    parser.add_argument(
        "--port-base",
        type=int,
        default=8081,
        help="first of 8 consecutive ports used (default 8081)",
    )
    parser.add_argument(
        "--outdir",
        default="/tmp/bench_live",
        help="logs and SQL (default /tmp/bench_live)",
    )
    parser.add_argument("--db_host", default="127.0.0.1")
    parser.add_argument("--db_port", type=int, default=5432)
    parser.add_argument(
        "--db_user", default=None, help="default: $PGUSER or the current user"
    )
    parser.add_argument("--db_password", default="")
    parser.add_argument(
        "--addons-path",
        default="",
        help="default: this repository, then Odoo's own addons",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings(
        db_host=args.db_host,
        db_port=args.db_port,
        db_password=args.db_password,
        addons_path=args.addons_path,
        outdir=args.outdir,
        port_base=args.port_base,
    )
    if args.db_user:
        settings.db_user = args.db_user

    def say(text=""):
        print(text, flush=True)

    started = time.monotonic()
    say(f"bench_live {args.mode}: {' '.join(sys.argv[1:]) or '(defaults)'}")
    say(describe_machine(settings))
    try:
        MODES[args.mode](settings, args, say)
    except BenchError as exc:
        say(f"ERROR: {exc}")
        return 1
    say(describe_machine(settings).split("; ")[-1] + " (at the end)")
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
