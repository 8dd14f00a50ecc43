#!/bin/sh
# A private PostgreSQL 15 cluster for the benchmarks, so their load stays off a shared server.
#
#   benchmarks/private_postgres.sh start   # initdb (first time) and start on 127.0.0.1:5433
#   benchmarks/private_postgres.sh stop    # stop it and delete its data folder
#
# Then pass --database-url postgresql://postgres@127.0.0.1:5433/postgres to each benchmark.
# PGBIN (default /usr/lib/postgresql/15/bin), PGDATA_DIR (default /tmp/yagona-bench-pg) and
# PGPORT_BENCH (default 5433) override the defaults. As root, the server runs as `postgres`.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
DATA=${PGDATA_DIR:-/tmp/yagona-bench-pg}
PORT=${PGPORT_BENCH:-5433}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
start)
    if [ ! -f "$DATA/PG_VERSION" ]; then
        mkdir -p "$DATA"
        if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DATA"; fi
        as_owner "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust >/dev/null
    fi
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w start \
        -o "-p $PORT -c max_connections=400 -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp"
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres"
    ;;
stop)
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop || true
    rm -rf "$DATA"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
