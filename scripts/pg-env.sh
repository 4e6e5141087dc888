# shellcheck shell=bash
# Sourced by scripts/run-tests and scripts/demo: picks the PostgreSQL server
# and the Odoo addons path, and exports them for the caller:
#
#   SALON_REPO_ROOT     the repository root
#   SALON_DB_HOST       host to give Odoo as --db_host
#   SALON_DB_PORT       port to give Odoo as --db_port
#   SALON_DB_USER       role to give Odoo as --db_user (a superuser, or CREATEDB)
#   SALON_PG_MODE       "system" or "private"
#   SALON_ADDONS_PATH   --addons-path: the repository root, then Odoo's own addons
#   SALON_DATA_DIR      Odoo's --data-dir (filestore, sessions): <repo>/.odoo-data
#
# The rule: if a server answers at 127.0.0.1:${SALON_PG_SYSTEM_PORT:-5432},
# use it as ${PGUSER:-$(id -un)}. Otherwise run a private cluster whose data
# lives in <repo>/.pgdata (git-ignored), listening only on 127.0.0.1 at port
# ${SALON_PG_PORT:-54329}, role "odoo", trust authentication. An existing
# .pgdata cluster is reused (and started if it is stopped). Stop it with
#   pg_ctl -D .pgdata/data stop           (as the postgres user when root)

SALON_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SALON_REPO_ROOT
export SALON_DATA_DIR="${SALON_REPO_ROOT}/.odoo-data"

_salon_die() {
    echo "ERROR: $*" >&2
    return 1
}

# A PostgreSQL server binary: PATH first, then the newest Debian install.
_salon_pg_bin() {
    local name="$1" dir
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/$name" ]; then
            echo "$dir/$name"
            return 0
        fi
    done
    return 1
}

# Does anything accept connections at 127.0.0.1:$1?
_salon_pg_answers() {
    local port="$1" isready
    if isready="$(_salon_pg_bin pg_isready)"; then
        "$isready" -q -h 127.0.0.1 -p "$port" -t 3 >/dev/null 2>&1
        return $?
    fi
    python3 - "$port" <<'PY' >/dev/null 2>&1
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).close()
PY
}

# Can role $3 log in at $1:$2? Prints the server's complaint when not.
_salon_pg_login() {
    python3 - "$@" <<'PY'
import sys

import psycopg2

host, port, user = sys.argv[1:4]
try:
    psycopg2.connect(host=host, port=port, user=user, dbname="postgres").close()
except psycopg2.Error as e:
    sys.exit(str(e).strip())
PY
}

# Run a command as the cluster's owner: postgres when we are root.
_salon_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

_salon_private_cluster() {
    local pgroot="$SALON_REPO_ROOT/.pgdata"
    local data="$pgroot/data" run="$pgroot/run" log="$pgroot/postgres.log"
    local port="${SALON_PG_PORT:-54329}"
    local initdb pg_ctl dir

    if ! initdb="$(_salon_pg_bin initdb)" || ! pg_ctl="$(_salon_pg_bin pg_ctl)"; then
        _salon_die "no PostgreSQL server answers at 127.0.0.1:${SALON_PG_SYSTEM_PORT:-5432}" \
            "and no PostgreSQL server binaries (initdb, pg_ctl) were found in PATH" \
            "or /usr/lib/postgresql/*/bin. Install Debian's \`postgresql\` package" \
            "(apt-get install postgresql), or start a server; see README \"Prerequisites\"."
        return 1
    fi

    mkdir -p "$data" "$run"
    chmod 700 "$data"
    if [ "$(id -u)" = 0 ]; then
        if ! id postgres >/dev/null 2>&1; then
            _salon_die "running as root, a private PostgreSQL cluster needs the" \
                "\`postgres\` OS user (Debian's postgresql package creates it)."
            return 1
        fi
        # The postgres user must be able to reach .pgdata: grant search
        # (x, not read) on ancestors that lack it, e.g. a 0700 mktemp folder.
        dir="$pgroot"
        while [ "$dir" != "/" ]; do
            dir="$(dirname "$dir")"
            if ! runuser -u postgres -- test -x "$dir"; then
                echo "pg-env: granting o+x on $dir so that postgres can reach .pgdata" >&2
                chmod o+x "$dir"
            fi
        done
        chown -R postgres: "$pgroot"
    fi

    if [ ! -s "$data/PG_VERSION" ]; then
        echo "pg-env: creating a private PostgreSQL cluster in $data" >&2
        if ! _salon_as_owner "$initdb" -D "$data" --auth=trust -U odoo \
            --encoding=UTF8 --locale=C >"$pgroot/initdb.log" 2>&1; then
            tail -n 20 "$pgroot/initdb.log" >&2
            _salon_die "initdb failed (log: $pgroot/initdb.log)"
            return 1
        fi
        cat >>"$data/postgresql.conf" <<EOF

# salon_otp_redeem private test cluster: local only, and fast over safe.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$run'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
    fi

    if ! _salon_as_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
        echo "pg-env: starting the private PostgreSQL cluster on 127.0.0.1:$port" >&2
        if [ "$(id -u)" = 0 ]; then
            touch "$log"
            chown postgres: "$pgroot" "$run" "$log"
        fi
        if ! _salon_as_owner "$pg_ctl" -D "$data" -l "$log" -w -t 60 \
            -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$run" \
            start >/dev/null; then
            tail -n 20 "$log" >&2
            _salon_die "could not start the private PostgreSQL cluster (log: $log);" \
                "is port $port taken? Set SALON_PG_PORT to another port."
            return 1
        fi
    else
        # Already running: use the port it actually listens on.
        port="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || echo "$port")"
    fi

    export SALON_PG_MODE=private
    export SALON_DB_HOST=127.0.0.1
    export SALON_DB_PORT="$port"
    export SALON_DB_USER=odoo
    export SALON_PGDATA="$data"
    export SALON_PG_CTL="$pg_ctl"
}

salon_pg_env() {
    local system_port="${SALON_PG_SYSTEM_PORT:-5432}" user complaint
    if _salon_pg_answers "$system_port"; then
        user="${PGUSER:-$(id -un)}"
        if [ "$user" = postgres ]; then
            _salon_die "Odoo refuses to connect as the \`postgres\` role. Run as another" \
                "user, or set PGUSER to a PostgreSQL role with CREATEDB (e.g. one made" \
                "with \`createuser -s \$(id -un)\`)."
            return 1
        fi
        if ! complaint="$(_salon_pg_login 127.0.0.1 "$system_port" "$user" 2>&1)"; then
            _salon_die "the PostgreSQL server at 127.0.0.1:$system_port refuses role" \
                "\"$user\": $complaint
Create it (as postgres: createuser -s $user), or set PGUSER to a role that" \
                "can create databases."
            return 1
        fi
        export SALON_PG_MODE=system
        export SALON_DB_HOST=127.0.0.1
        export SALON_DB_PORT="$system_port"
        export SALON_DB_USER="$user"
    else
        _salon_private_cluster || return 1
    fi
}

salon_addons_path() {
    local odoo_addons
    # Odoo's own addons: odoo/addons of the installed package, plus the
    # top-level addons/ of a source checkout when there is one.
    if ! odoo_addons="$(python3 -c '
import os
import odoo
import odoo.addons

root = os.path.dirname(os.path.abspath(odoo.__file__))
paths = [os.path.dirname(os.path.abspath(odoo.addons.__file__))]
paths.append(os.path.join(os.path.dirname(root), "addons"))
print(",".join(p for p in dict.fromkeys(paths) if os.path.isdir(p)))
')"; then
        _salon_die "cannot import odoo to find its addons; see README \"Prerequisites\"."
        return 1
    fi
    export SALON_ADDONS_PATH="${SALON_REPO_ROOT},${odoo_addons}"
}

salon_pg_env && salon_addons_path
