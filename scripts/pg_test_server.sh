#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks: initdb + pg_ctl in a temp dir, on a
# free port on 127.0.0.1, run as an unprivileged user (postgres, or a dedicated one) when called
# as root. Creates role `picktune` (scram-sha-256 password, CREATEDB) owning databases `picktune`
# and `picktune_prod` (what `--env prod` selects), and prints the store URI on stdout.
#   scripts/pg_test_server.sh start [DIR]   # DIR: empty or missing dir (default: mktemp -d)
#   scripts/pg_test_server.sh stop DIR      # stops the server and deletes DIR
set -euo pipefail

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
MARKER=".picktune-pg-test"

die() { echo "pg_test_server: $*" >&2; exit 1; }

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

pick_owner() {
  OWNER="$(id -un)"
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then
      OWNER=postgres
    else
      id picktune-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin picktune-pg
      OWNER=picktune-pg
    fi
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found (set PG_BIN; Debian: apt-get install postgresql)"
  local dir="${1:-}"
  if [ -z "$dir" ]; then
    dir="$(mktemp -d /tmp/picktune-pg.XXXXXX)"
  else
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
  fi
  dir="$(cd "$dir" && pwd)"
  touch "$dir/$MARKER"
  pick_owner
  chown "$OWNER" "$dir" && chmod 700 "$dir"
  local password
  password="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"

  as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || die "initdb failed: see $dir/initdb.log"

  local port started=""
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    cat >"$dir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = 256MB
max_wal_size = 4GB
checkpoint_timeout = 15min
EOF
    chown "$OWNER" "$dir/data/postgresql.auto.conf"
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
      started=1
      break
    fi
  done
  [ -n "$started" ] || die "server did not start: see $dir/server.log"

  # The password goes over stdin, never on a command line.
  as_owner "$PG_BIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL ||
CREATE ROLE picktune LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE picktune OWNER picktune;
CREATE DATABASE picktune_prod OWNER picktune;
SQL
    die "creating the test role and databases failed"
  local uri="postgres://picktune:$password@127.0.0.1:$port/picktune"
  (umask 077 && echo "$uri" >"$dir/uri")
  echo "pg_test_server: started in $dir (stop: $0 stop $dir)" >&2
  echo "$uri"
}

stop() {
  local dir="${1:-}"
  [ -n "$dir" ] || die "usage: $0 stop DIR"
  [ -d "$dir" ] || return 0
  [ -f "$dir/$MARKER" ] || die "$dir was not made by $0 start; not touching it"
  pick_owner
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
      as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) die "usage: $0 start [DIR] | stop DIR" ;;
esac
