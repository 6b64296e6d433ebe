# shellcheck shell=bash
# Common functions for scripts/run-tests and scripts/run-demo. Source it, don't run it.
#
# Settings (environment):
#   ODOO_BIN       the odoo command (default: `odoo` on PATH); Odoo 19.0 is a prerequisite
#   PSR_CACHE      working folder (default /var/tmp/pos_session_restriction): links, logs,
#                  PostgreSQL, lint tools, locks. Runs from several checkouts at once may
#                  share it: each run has its own databases, ports, logs and work folders,
#                  and what they share (the cluster, installs) is set up under a lock.
#   PSR_PG_PORT    port of the private PostgreSQL cluster (default 54329)
#   PSR_ADDON_DIR  the addon folder to run (default: this repository)
#   PGHOST/PGPORT/PGUSER/PGPASSWORD  an existing PostgreSQL server to use instead of the private one

PSR_MODULE=pos_session_restriction
PSR_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
PSR_ADDON_DIR=${PSR_ADDON_DIR:-$PSR_REPO}
PSR_CACHE=${PSR_CACHE:-/var/tmp/pos_session_restriction}
PSR_PG_PORT=${PSR_PG_PORT:-54329}

psr_log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
psr_die() {
    local code=$1
    shift
    printf '[%s] ERROR: %s\n' "$(basename "$0")" "$*" >&2
    exit "$code"
}

psr_is_root() { [[ $(id -u) -eq 0 ]]; }

# --- Locks -----------------------------------------------------------------------------

# Runs that share $PSR_CACHE (two checkouts tested at once) serialise what they share
# (starting the cluster, installing tools) on lock files in $PSR_CACHE/locks.
declare -A _PSR_LOCKS=()

# Waits (at most an hour) for the lock NAME and holds it until psr_unlock NAME or the end
# of the process. A child started meanwhile inherits it: close it for daemons (see
# _psr_close_locks).
psr_lock() {
    local name=$1 fd
    mkdir -p "$PSR_CACHE/locks"
    exec {fd}>> "$PSR_CACHE/locks/$name.lock"
    if ! flock -n "$fd"; then
        psr_log "waiting for another run to release $PSR_CACHE/locks/$name.lock"
        flock -w 3600 "$fd" || psr_die 2 "$PSR_CACHE/locks/$name.lock still held after an hour"
    fi
    _PSR_LOCKS[$name]=$fd
}

psr_unlock() {
    local fd=${_PSR_LOCKS[$1]:-}
    [[ -n $fd ]] || return 0
    exec {fd}>&-
    unset "_PSR_LOCKS[$1]"
}

# Closes, in the current (sub)shell, every open file of $PSR_CACHE/locks (this script's
# and those inherited from a parent script): for a daemon that must not keep them.
_psr_close_locks() {
    local path fd
    for path in /proc/"$BASHPID"/fd/*; do
        fd=${path##*/}
        [[ $fd =~ ^[0-9]+$ && $fd -gt 2 ]] || continue
        if [[ $(readlink "$path" 2> /dev/null) == "$PSR_CACHE"/locks/* ]]; then
            exec {fd}>&-
        fi
    done
}

_PSR_APT_UPDATED=
psr_apt_install() {
    psr_is_root || psr_die 2 "need root to install $*; run: sudo apt-get update && sudo apt-get install -y $*"
    psr_lock apt
    if [[ -z $_PSR_APT_UPDATED ]]; then
        psr_log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
        _PSR_APT_UPDATED=1
    fi
    psr_log "apt-get install -y $*"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends "$@" >&2
    psr_unlock apt
}

# --- Odoo ------------------------------------------------------------------------------

# Sets ODOO_BIN and ODOO_PYTHON; exits 2 when Odoo 19.0 is not there.
psr_find_odoo() {
    if [[ -z ${ODOO_BIN:-} ]]; then
        ODOO_BIN=$(command -v odoo || true)
    elif [[ $ODOO_BIN != */* ]]; then
        ODOO_BIN=$(command -v "$ODOO_BIN" || true)
    fi
    if [[ -z $ODOO_BIN || ! -x $ODOO_BIN ]]; then
        psr_die 2 "Odoo 19.0 is a prerequisite and was not found: put the \`odoo\` command on PATH" \
            "or set ODOO_BIN=/path/to/odoo (or odoo-bin). It is not installed by these scripts."
    fi

    # Odoo's python is the interpreter of the odoo script: "#!/path/python" or "#!/usr/bin/env python3".
    ODOO_PYTHON=
    local shebang interp
    read -r shebang < "$ODOO_BIN" || true
    if [[ $shebang == '#!'* ]]; then
        read -r -a interp <<< "${shebang#\#!}"
        if [[ ${interp[0]:-} == */env ]]; then
            local word
            for word in "${interp[@]:1}"; do
                [[ $word == -* || $word == *=* ]] && continue
                ODOO_PYTHON=$(command -v "$word" || true)
                break
            done
        else
            ODOO_PYTHON=${interp[0]:-}
        fi
    fi
    if [[ -z $ODOO_PYTHON || ! -x $ODOO_PYTHON ]]; then
        ODOO_PYTHON=$(command -v python3) || psr_die 2 "cannot find the python that runs $ODOO_BIN"
    fi

    local version
    version=$("$ODOO_BIN" --version 2>&1 || true)
    if [[ $version != *"Odoo Server 19.0"* ]]; then
        psr_die 2 "$ODOO_BIN is not a working Odoo 19.0 (\`$ODOO_BIN --version\` says: '$(tail -n 1 <<< "$version")');" \
            "Odoo 19.0 is a prerequisite"
    fi
    export ODOO_BIN ODOO_PYTHON
}

# Sets ODOO_ADDONS_PATH: a link folder naming the addon (the clone's folder may have any
# name), then Odoo's own addons folders. Each checkout gets its own link folder, so that
# runs from two checkouts at once never load each other's code.
psr_addons_path() {
    [[ -f $PSR_ADDON_DIR/__manifest__.py ]] || psr_die 2 "no __manifest__.py in $PSR_ADDON_DIR"
    local links
    links=$PSR_CACHE/addons/$(realpath "$PSR_ADDON_DIR" | md5sum | cut -c1-12)
    mkdir -p "$links"
    # Replaced only when it points elsewhere: another run of this checkout may be loading it.
    [[ $(readlink "$links/$PSR_MODULE" 2> /dev/null) == "$PSR_ADDON_DIR" ]] \
        || ln -sfn "$PSR_ADDON_DIR" "$links/$PSR_MODULE"

    local odoo_dirs
    # Run from / so that nothing in the current folder shadows the odoo package.
    odoo_dirs=$(cd / && "$ODOO_PYTHON" - <<'EOF'
import os
import odoo

dirs = []
for root in odoo.__path__:
    if not os.path.isdir(root):
        continue  # editable installs also put import hooks in __path__
    own = os.path.realpath(os.path.join(root, 'addons'))                   # base, web...
    tree = os.path.realpath(os.path.join(os.path.dirname(root), 'addons'))  # a source tree's others
    if os.path.isdir(own) and own not in dirs:
        dirs.append(own)
    if os.path.isfile(os.path.join(tree, 'web', '__manifest__.py')) and tree not in dirs:
        dirs.append(tree)
print(','.join(dirs))
EOF
    ) || psr_die 2 "$ODOO_PYTHON cannot import odoo"
    [[ -n $odoo_dirs ]] || psr_die 2 "cannot find Odoo's addons folders with $ODOO_PYTHON"
    ODOO_ADDONS_PATH="$links,$odoo_dirs"
    export ODOO_ADDONS_PATH
}

# --- PostgreSQL ------------------------------------------------------------------------

# Prints the folder of PostgreSQL's server programs (initdb, pg_ctl), or nothing.
_psr_pg_bindir() {
    local dir
    if command -v pg_config > /dev/null && dir=$(pg_config --bindir 2> /dev/null) && [[ -x $dir/initdb ]]; then
        echo "$dir"
        return
    fi
    # Debian keeps them out of PATH, one folder per version; take the newest.
    dir=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
    if [[ -x $dir ]]; then
        dirname "$dir"
        return
    fi
    dir=$(command -v initdb || true)
    [[ -n $dir ]] && dirname "$dir"
    return 0
}

# Runs a command as the owner of the private cluster: PostgreSQL refuses to run as root.
_psr_as_pg() {
    if psr_is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Sets ODOO_DB_ARGS (an array) and exports PGHOST/PGPORT/PGUSER for psql and friends.
# Uses the server named by PGHOST/PGPORT/PGUSER when it answers, else the private cluster
# in $PSR_CACHE/pg (created and started when needed, reused when running).
psr_ensure_postgres() {
    if [[ -n ${PGHOST:-}${PGPORT:-}${PGUSER:-} ]] && command -v pg_isready > /dev/null \
        && pg_isready -q; then
        ODOO_DB_ARGS=()
        [[ -n ${PGHOST:-} ]] && ODOO_DB_ARGS+=("--db_host=$PGHOST")
        [[ -n ${PGPORT:-} ]] && ODOO_DB_ARGS+=("--db_port=$PGPORT")
        [[ -n ${PGUSER:-} ]] && ODOO_DB_ARGS+=("--db_user=$PGUSER")
        psr_log "using PostgreSQL at ${PGHOST:-<socket>}:${PGPORT:-5432} as ${PGUSER:-$(id -un)}"
        return
    fi
    if [[ -n ${PGHOST:-}${PGPORT:-}${PGUSER:-} ]]; then
        psr_log "PGHOST/PGPORT/PGUSER are set but no server answers there; using the private cluster"
    fi

    local bindir
    bindir=$(_psr_pg_bindir)
    if [[ -z $bindir ]]; then
        psr_apt_install postgresql
        bindir=$(_psr_pg_bindir)
        [[ -n $bindir ]] || psr_die 2 "PostgreSQL was installed but initdb is still not found"
    fi

    local pgdir=$PSR_CACHE/pg port=$PSR_PG_PORT
    export PATH="$bindir:$PATH"  # psql, dropdb... of the same version
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=odoo
    unset PGPASSWORD PGDATABASE
    ODOO_DB_ARGS=(--db_host=127.0.0.1 "--db_port=$port" --db_user=odoo)

    # Runs sharing $PSR_CACHE share the cluster: one at a time checks, creates and starts it.
    psr_lock pg
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
        psql -X -q -d postgres -c 'SELECT 1' > /dev/null 2>&1 \
            || psr_die 2 "a server on 127.0.0.1:$port does not let role 'odoo' in; choose another PSR_PG_PORT"
        local max_conn
        max_conn=$(psql -X -d postgres -tAc 'SHOW max_connections' 2> /dev/null || echo 0)
        psr_log "reusing PostgreSQL on 127.0.0.1:$port"
        ((max_conn >= 200)) || psr_log "note: it allows $max_conn connections; two runs at once" \
            "may need 150: once no run uses it, stop it (pg_ctl stop) and the next run starts it with 300"
        psr_unlock pg
        return
    fi

    mkdir -p "$pgdir"
    if psr_is_root; then
        id postgres > /dev/null 2>&1 || psr_die 2 "no 'postgres' OS user to run PostgreSQL (it refuses to run as root)"
        chown postgres: "$pgdir"
        _psr_as_pg test -w "$pgdir" \
            || psr_die 2 "the postgres OS user cannot write to $pgdir: make the folders above it traversable (chmod o+x)"
    fi
    if [[ ! -f $pgdir/data/PG_VERSION ]]; then
        psr_log "creating a PostgreSQL cluster in $pgdir/data"
        rm -rf "$pgdir/data"  # what an interrupted initdb left
        _psr_as_pg "$bindir/initdb" -D "$pgdir/data" -A trust -U odoo -E UTF8 --locale=C.UTF-8 > "$pgdir/initdb.log" 2>&1 \
            || { cat "$pgdir/initdb.log" >&2; psr_die 2 "initdb failed"; }
    fi
    # A throwaway cluster: durability settings off for speed, loopback only. Two test runs
    # at once each serve up to 64 connections in the concurrency check, hence 300.
    psr_log "starting PostgreSQL on 127.0.0.1:$port (log: $pgdir/log)"
    (
        _psr_close_locks  # the server outlives this run: it must not hold its locks
        _psr_as_pg "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 60 \
            -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start > /dev/null
    ) || { tail -n 20 "$pgdir/log" >&2; psr_die 2 "PostgreSQL did not start"; }

    local i
    for i in $(seq 60); do
        if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
            psr_unlock pg
            return
        fi
        sleep 1
    done
    psr_die 2 "PostgreSQL on 127.0.0.1:$port is not ready after ${i}s"
}

# Stops the private cluster of $PSR_CACHE (if running).
psr_stop_postgres() {
    local bindir
    bindir=$(_psr_pg_bindir)
    [[ -n $bindir && -f $PSR_CACHE/pg/data/postmaster.pid ]] || return 0
    _psr_as_pg "$bindir/pg_ctl" -D "$PSR_CACHE/pg/data" -m fast -w stop > /dev/null
}

# --- Test dependencies -----------------------------------------------------------------

# Browser tests (HttpCase tours) need websocket-client in Odoo's python and Chromium on
# PATH; without them Odoo SKIPS those tests instead of failing.
psr_ensure_test_deps() {
    if ! "$ODOO_PYTHON" -c 'import websocket' 2> /dev/null; then
        psr_lock pip  # two runs installing into one environment at once would clash
        if ! "$ODOO_PYTHON" -c 'import websocket' 2> /dev/null; then
            psr_log "installing websocket-client into $ODOO_PYTHON"
            "$ODOO_PYTHON" -m pip install --quiet websocket-client >&2 \
                || psr_die 2 "could not install websocket-client; run: $ODOO_PYTHON -m pip install websocket-client"
        fi
        psr_unlock pip
    fi

    # The names Odoo looks for (odoo/tests/common.py, _find_executable).
    local bin
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$bin" > /dev/null && return
    done
    psr_is_root || psr_die 2 "Chromium is needed for the browser tests; run: sudo apt-get update && sudo apt-get install -y chromium"
    psr_apt_install chromium
    command -v chromium > /dev/null || psr_die 2 "chromium was installed but is not on PATH"
}

# --- Misc ------------------------------------------------------------------------------

# Sets the variable named $1 to a TCP port of 127.0.0.1 that this run holds until it
# ends: a port that is free now, outside the kernel's ephemeral range (where the client
# ends of connections, to PostgreSQL for instance, take their ports), whose lock
# $PSR_CACHE/locks/port-N.lock no other run holds. A port picked and released could be
# taken by another run before Odoo binds it; a locked one cannot, by runs sharing
# $PSR_CACHE. (A program that binds it anyway makes Odoo fail to start: it says so.)
psr_reserve_port() {
    # Underscored names: printf -v below must set the caller's variable, not a local one.
    local _var=$1 _low _high _first _last _port _fd _i
    read -r _low _high < /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || { _low=32768; _high=60999; }
    if ((_low > 11000)); then
        _first=10000 _last=$((_low < 30000 ? _low - 1 : 29999))
    else
        _first=$((_high + 1)) _last=65535
    fi
    mkdir -p "$PSR_CACHE/locks"
    for _i in $(seq 100); do
        _port=$((_first + (RANDOM * 32768 + RANDOM) % (_last - _first + 1)))
        exec {_fd}>> "$PSR_CACHE/locks/port-$_port.lock"
        if flock -n "$_fd" && _psr_port_is_free "$_port"; then
            _PSR_LOCKS[port-$_port]=$_fd
            printf -v "$_var" %s "$_port"
            return
        fi
        exec {_fd}>&-
    done
    psr_die 2 "no free TCP port found on 127.0.0.1 in $_first-$_last after $_i tries"
}

# True when TCP port $1 of 127.0.0.1 can be bound, as Odoo binds it (werkzeug sets
# SO_REUSEADDR: a port whose old connections linger in TIME_WAIT is free).
_psr_port_is_free() {
    "${ODOO_PYTHON:-python3}" - "$1" 2> /dev/null <<'EOF'
import socket
import sys

with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1])))
EOF
}

# Prints a name for a new database: PREFIX_<date>_<time>_<random>, one no database has.
# Runs from two checkouts (or containers, where PIDs repeat) never pick the same one.
psr_new_db_name() {
    local name
    while :; do
        name=${1}_$(date +%Y%m%d_%H%M%S)_$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')
        psr_db_exists "$name" || break
    done
    echo "$name"
}

# True when database $1 exists.
psr_db_exists() {
    [[ $(psql -X -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'") == 1 ]]
}

# Drops database $1 and the files Odoo wrote for it (its filestore: the asset bundles and
# attachments, tens of MB for a test database). Keeps both when PSR_KEEP_DB=1.
psr_drop_db() {
    local db=$1 filestore
    if [[ ${PSR_KEEP_DB:-0} == 1 ]]; then
        psr_log "keeping database $db (PSR_KEEP_DB=1)"
        return 0
    fi
    if psr_db_exists "$db"; then
        dropdb --if-exists --force "$db" 2> /dev/null || dropdb --if-exists "$db" \
            || psr_log "could not drop database $db"
    fi
    filestore=$(cd / && "$ODOO_PYTHON" - "$db" 2> /dev/null <<'EOF'
import sys

from odoo.tools import config

config.parse_config([], setup_logging=False)
print(config.filestore(sys.argv[1]))
EOF
    ) || return 0
    if [[ $filestore == */filestore/"$db" && -d $filestore ]]; then
        rm -rf -- "$filestore"
    fi
    return 0
}
