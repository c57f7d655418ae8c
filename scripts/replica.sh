#!/usr/bin/env bash
# `make replica`: a PostgreSQL streaming replica of the local cluster, on
# this machine, for Odoo's read-only replica (db_replica_host/port).
#
#   scripts/replica.sh start    make it if missing (second Debian cluster
#                               filled by pg_basebackup), start it, wait
#                               until it replays the primary
#   scripts/replica.sh status   both clusters, the replication state and lag
#   scripts/replica.sh stop     stop the replica (kept on disk)
#   scripts/replica.sh drop     stop and delete the replica
#
# PRIMARY_PORT (default 5432) names the primary cluster among those of
# `pg_lsclusters`; REPLICA_PORT (default 5433) and REPLICA_NAME (default
# crm_replica) the replica. The replica is a copy of the whole cluster (every
# database), read-only, kept up to date by streaming replication; it needs as
# much free disk as the primary's data directory.
#
# What it changes on the primary: when its pg_hba.conf allows no local
# replication connection, it adds `local replication postgres peer` (Debian's
# own default line) and reloads. The replica's walreceiver connects through
# the socket as the postgres system user, as Debian's tools do.
#
# Odoo then reads through the replica with
#   --db_replica_host=/var/run/postgresql --db_replica_port=$REPLICA_PORT
# (see the README, "A read-only replica").
# Needs Debian's postgresql-common tools (pg_lsclusters, pg_createcluster,
# pg_ctlcluster) and root or sudo, like scripts/setup.sh.
set -euo pipefail

PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_NAME="${REPLICA_NAME:-crm_replica}"
SOCKET_DIR=/var/run/postgresql

say() { printf '[replica] %s\n' "$*"; }
die() { printf '[replica] %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

command -v pg_lsclusters >/dev/null ||
    die "pg_lsclusters is missing: install Debian's postgresql (make setup does) and run again"

# "<version> <name> <port> <status> ..." of the cluster on a port
cluster_on() { pg_lsclusters -h | awk -v port="$1" '$3 == port { print; exit }'; }
replica_line() { pg_lsclusters -h | awk -v name="$REPLICA_NAME" '$2 == name { print; exit }'; }

primary() {
    local line
    line="$(cluster_on "$PRIMARY_PORT")"
    [ -n "$line" ] || die "no PostgreSQL cluster listens on port $PRIMARY_PORT (pg_lsclusters): set PRIMARY_PORT"
    read -r VERSION PRIMARY_NAME _ PRIMARY_STATUS _ <<<"$line"
    [ "$PRIMARY_STATUS" = online ] ||
        die "the primary cluster $VERSION/$PRIMARY_NAME is $PRIMARY_STATUS: start it (pg_ctlcluster $VERSION $PRIMARY_NAME start)"
}

psql_primary() { as_postgres psql -X -q -At -h "$SOCKET_DIR" -p "$PRIMARY_PORT" -d postgres -c "$1"; }
psql_replica() { as_postgres psql -X -q -At -h "$SOCKET_DIR" -p "$REPLICA_PORT" -d postgres -c "$1"; }

allow_replication() {
    local hba
    hba="$(psql_primary 'SHOW hba_file')"
    if ! as_root grep -qE '^[[:space:]]*local[[:space:]]+replication[[:space:]]' "$hba"; then
        say "allowing local replication connections on the primary ($hba)"
        echo "local   replication     postgres                                peer" | as_root tee -a "$hba" >/dev/null
        psql_primary 'SELECT pg_reload_conf()' >/dev/null
    fi
    local level senders
    level="$(psql_primary 'SHOW wal_level')"
    senders="$(psql_primary 'SHOW max_wal_senders')"
    [ "$level" != minimal ] && [ "$senders" -gt 0 ] ||
        die "the primary cannot stream: set wal_level = replica and max_wal_senders > 0 in its postgresql.conf, then restart it"
}

create() {
    local data conf
    [ -z "$(cluster_on "$REPLICA_PORT")" ] ||
        die "port $REPLICA_PORT is taken by another cluster: set REPLICA_PORT"
    say "creating cluster $VERSION/$REPLICA_NAME on port $REPLICA_PORT"
    as_root pg_createcluster --port "$REPLICA_PORT" "$VERSION" "$REPLICA_NAME" >/dev/null
    data="/var/lib/postgresql/$VERSION/$REPLICA_NAME"
    conf="/etc/postgresql/$VERSION/$REPLICA_NAME"
    # the same roles connect the same way on both
    as_root cp "$(psql_primary 'SHOW hba_file')" "$conf/pg_hba.conf"
    say "copying the primary with pg_basebackup (size: $(psql_primary \
        "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database"))"
    as_root find "$data" -mindepth 1 -delete
    as_postgres pg_basebackup -h "$SOCKET_DIR" -p "$PRIMARY_PORT" -U postgres \
        -D "$data" --write-recovery-conf --wal-method=stream --checkpoint=fast || {
        as_root pg_dropcluster "$VERSION" "$REPLICA_NAME"
        die "pg_basebackup failed (above): nothing kept"
    }
}

start() {
    primary
    allow_replication
    [ -n "$(replica_line)" ] || create
    as_root pg_ctlcluster "$VERSION" "$REPLICA_NAME" start 2>/dev/null || true
    for _ in $(seq 60); do
        [ "$(psql_replica 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
        sleep 1
    done
    [ "$(psql_replica 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] ||
        die "the replica did not start in recovery: see /var/log/postgresql/postgresql-$VERSION-$REPLICA_NAME.log"
    status
    say "ready: start Odoo with --db_replica_host=$SOCKET_DIR --db_replica_port=$REPLICA_PORT"
}

status() {
    primary
    pg_lsclusters
    say "streaming (on the primary):"
    psql_primary "SELECT application_name || ' ' || state || ', replay lag ' ||
                         COALESCE(replay_lag::text, '0')
                    FROM pg_stat_replication" | sed 's/^/  /'
    if [ -n "$(replica_line)" ]; then
        say "replica: in recovery $(psql_replica 'SELECT pg_is_in_recovery()' 2>/dev/null || echo '?'),
          replay paused $(psql_replica 'SELECT pg_is_wal_replay_paused()' 2>/dev/null || echo '?')"
    fi
}

case "${1:-start}" in
start) start ;;
status) status ;;
stop)
    primary
    [ -n "$(replica_line)" ] && as_root pg_ctlcluster "$VERSION" "$REPLICA_NAME" stop
    say "stopped"
    ;;
drop)
    primary
    [ -n "$(replica_line)" ] && as_root pg_dropcluster --stop "$VERSION" "$REPLICA_NAME"
    say "dropped"
    ;;
*) die "usage: $0 start|status|stop|drop" ;;
esac
