# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Databases and Odoo server processes: install, duplicate, serve, stop."""

import json
import os
import signal
import subprocess
import time

import requests

from .settings import ADDON, STOCK_MODULES

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = os.path.join(HERE, "orm_tasks.py")
# Odoo's prefork server starts its longpolling process as
# `sys.executable sys.argv[0] gevent ...`: under `python3 -m odoo` that
# argv[0] is odoo/__main__.py, which cannot run as a script, so the process
# dies at once and is started again in a loop that takes the CPU the
# measured requests need. Serving through a script file avoids that (in the
# output folder: beside this package, its modules would shadow others).
LAUNCHER = """from odoo.cli.command import main

main()
"""
RESULT_MARK = "BENCH-RESULT "


class BenchError(RuntimeError):
    """Something the benchmark needs did not happen; the message says what."""


def modules_for(with_addon):
    return (*STOCK_MODULES, ADDON) if with_addon else STOCK_MODULES


def db_exists(settings, db):
    conn = settings.connect("postgres")
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
            return bool(cr.fetchone())
    finally:
        conn.close()


def installed(settings, db, modules):
    """Are all `modules` installed in `db`?"""
    if not db_exists(settings, db):
        return False
    conn = settings.connect(db)
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT to_regclass('ir_module_module')")
            if cr.fetchone()[0] is None:
                return False
            cr.execute(
                "SELECT count(*) FROM ir_module_module WHERE name = ANY(%s)"
                " AND state = 'installed'",
                [list(modules)],
            )
            return cr.fetchone()[0] == len(modules)
    finally:
        conn.close()


def drop_db(settings, db):
    """Drop a database and its filestore with Odoo's own command."""
    log = settings.path(f"drop-{db}.log")
    with open(log, "w", encoding="utf-8") as out:
        rc = subprocess.call(
            [settings.python, "-m", "odoo", "db", *settings.odoo_args(), "drop", db],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if rc != 0 or db_exists(settings, db):
        raise BenchError(f"could not drop database {db} (see {log})")


def install(settings, db, with_addon, reuse, say=print):
    """A database with stock Odoo's POS modules (and the addon), without demo data.

    With `reuse`, a database that already has them is kept as it is;
    otherwise an existing one is dropped first: the figures are those of a
    fresh database.
    """
    modules = modules_for(with_addon)
    if reuse and installed(settings, db, modules):
        say(f"reusing database {db}")
        return
    if db_exists(settings, db):
        say(f"dropping database {db} (pass --reuse to keep it)")
        drop_db(settings, db)
    log = settings.path(f"install-{db}.log")
    say(f"installing {', '.join(modules)} into {db} (log: {log}) ...")
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        rc = subprocess.call(
            [
                settings.python,
                "-m",
                "odoo",
                "-d",
                db,
                "-i",
                ",".join(modules),
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
                "--max-cron-threads=0",
                "--http-interface=127.0.0.1",
                *settings.odoo_args(),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    if rc != 0 or not installed(settings, db, modules):
        raise BenchError(f"installing into {db} failed (exit code {rc}; see {log})")
    say(f"installed into {db} in {time.monotonic() - started:.0f} s")


def run_task(settings, db, task, **params):
    """Run one function of orm_tasks.py against `db` in its own Odoo process."""
    log = settings.path(f"task-{task}-{db}.log")
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.run(
            [
                settings.python,
                TASKS,
                task,
                json.dumps(params),
                "-d",
                db,
                "--log-level=warn",
                "--max-cron-threads=0",
                *settings.odoo_args(),
            ],
            stdout=subprocess.PIPE,
            stderr=out,
            text=True,
        )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT_MARK)]
    if proc.returncode != 0 or not lines:
        raise BenchError(
            f"task {task} on {db} failed (exit code {proc.returncode}; see {log})"
        )
    return json.loads(lines[-1][len(RESULT_MARK) :])


def duplicate(settings, source, target, reuse, say=print):
    """`target` as a copy of `source` (Odoo's duplicate: filestore and a new uuid)."""
    if reuse and db_exists(settings, target):
        say(f"reusing database {target}")
        return False
    if db_exists(settings, target):
        drop_db(settings, target)
    say(f"copying database {source} to {target} ...")
    run_task(settings, "postgres", "duplicate", source=source, target=target)
    return True


class OdooServer:
    """Odoo (see `LAUNCHER`) serving one database on its own ports, in its own process group.

    Stopped by signalling that group (the server and the workers it
    forked), which this object started itself.
    """

    def __init__(
        self,
        settings,
        db,
        port_name,
        workers=2,
        log_level="info",
        extra=(),
        label=None,
    ):
        self.settings = settings
        self.db = db
        self.port = settings.port(port_name)
        self.gevent_port = settings.port(f"{port_name}_gevent")
        self.workers = workers
        self.label = label or db
        self.log_path = settings.path(f"server-{self.label}.log")
        launcher = settings.path("odoo-launcher.py")
        with open(launcher, "w", encoding="utf-8") as file:
            file.write(LAUNCHER)
        self.args = [
            settings.python,
            launcher,
            "-d",
            db,
            f"--db-filter=^{db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={self.gevent_port}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            f"--log-level={log_level}",
            f"--logfile={self.log_path}",
            "--smtp=127.0.0.1",
            f"--smtp-port={settings.port('smtp')}",
            "--limit-time-real=600",
            "--limit-time-cpu=300",
            *settings.odoo_args(),
            *extra,
        ]
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=300):
        if os.path.exists(self.log_path):
            os.remove(self.log_path)
        self.proc = subprocess.Popen(  # noqa: S603 - our own command line
            self.args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"the server of {self.db} exited (code {self.proc.returncode});"
                    f" see {self.log_path}"
                )
            try:
                if requests.get(f"{self.url}/web/health", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise BenchError(f"the server of {self.db} did not answer within {timeout} s")

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        pgid = os.getpgid(self.proc.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        # Workers outlive their parent for a moment: wait for the group to go.
        for _ in range(60):
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.5)
        else:
            os.killpg(pgid, signal.SIGKILL)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
