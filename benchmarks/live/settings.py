# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where things are: PostgreSQL, Odoo's addons, ports, logs; and the machine."""

import getpass
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STOCK_MODULES = ("point_of_sale", "pos_loyalty", "membership", "pos_sms")
ADDON = "salon_otp_redeem"

# Offsets from --port-base: every port the benchmark listens on or serves.
PORTS = {
    "stock": 0,
    "stock_gevent": 1,
    "addon": 2,
    "addon_gevent": 3,
    "sms": 4,
    "smtp": 5,
    "third": 6,
    "third_gevent": 7,
}


def odoo_addons_path():
    """Odoo's own addons folders, as scripts/pg-env.sh finds them."""
    code = (
        "import os, odoo, odoo.addons\n"
        "root = os.path.dirname(os.path.abspath(odoo.__file__))\n"
        "paths = [os.path.dirname(os.path.abspath(odoo.addons.__file__)),\n"
        "         os.path.join(os.path.dirname(root), 'addons')]\n"
        "print(','.join(p for p in dict.fromkeys(paths) if os.path.isdir(p)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


@dataclass
class Settings:
    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_user: str = field(
        default_factory=lambda: os.environ.get("PGUSER") or getpass.getuser()
    )
    db_password: str = ""
    addons_path: str = ""
    data_dir: str = os.path.join(REPO_ROOT, ".odoo-data")
    outdir: str = "/tmp/bench_live"
    port_base: int = 8081
    python: str = sys.executable

    def __post_init__(self):
        if not self.addons_path:
            self.addons_path = f"{REPO_ROOT},{odoo_addons_path()}"
        os.makedirs(self.outdir, exist_ok=True)

    def port(self, name):
        return self.port_base + PORTS[name]

    def odoo_args(self):
        """What every Odoo process of the benchmark gets: database and paths."""
        args = [
            f"--addons-path={self.addons_path}",
            f"--data-dir={self.data_dir}",
            f"--db_host={self.db_host}",
            f"--db_port={self.db_port}",
            f"--db_user={self.db_user}",
        ]
        if self.db_password:
            args.append(f"--db_password={self.db_password}")
        return args

    def connect(self, dbname):
        import psycopg2

        conn = psycopg2.connect(
            host=self.db_host,
            port=self.db_port,
            user=self.db_user,
            password=self.db_password or None,
            dbname=dbname,
        )
        conn.autocommit = True
        return conn

    def path(self, name):
        return os.path.join(self.outdir, name)


def machine(settings):
    """nproc, RAM, CPU model, PostgreSQL version and load: for the figures' caption."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal"):
                    ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    try:
        conn = settings.connect("postgres")
        with conn.cursor() as cr:
            cr.execute("SHOW server_version")
            pg = cr.fetchone()[0]
        conn.close()
    except Exception as exc:  # noqa: BLE001 - a caption, not a requirement
        pg = f"unknown ({exc.__class__.__name__})"
    import odoo.release

    return {
        "nproc": os.cpu_count(),
        "ram": ram,
        "cpu": cpu,
        "postgresql": pg,
        "python": platform.python_version(),
        "odoo": odoo.release.version,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def describe_machine(settings):
    info = machine(settings)
    return (
        f"machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram']} RAM, "
        f"PostgreSQL {info['postgresql']}, Python {info['python']}, "
        f"Odoo {info['odoo']}; load average {info['load']}"
    )
