#!/usr/bin/env bash
# Run the whole test suite against a throw-away PostgreSQL cluster on a loopback port
# (Debian's postgresql; installed when missing). Extra arguments go to pytest.
#   scripts/test-pg.sh                 every test on PostgreSQL
#   scripts/test-pg.sh tests/api -x    some of them
set -euo pipefail
cd "$(dirname "$0")/.."
# a free loopback port (another cluster, e.g. a second checkout's test run, may hold 55432)
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT="${PGTEST_PORT:-$(free_port)}"

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "Installing Debian packages: postgresql"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

dir="$(mktemp -d /tmp/tracker-pg.XXXXXX)"
as=()
if [ "$(id -u)" -eq 0 ]; then  # initdb refuses root: the cluster belongs to the postgres user
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
stop() {
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
# durability off: a test cluster is thrown away; it makes CREATE DATABASE ... TEMPLATE cheap
start() {
  "${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 120 start \
    -o "-h 127.0.0.1 -p $PORT -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300" >/dev/null
}
for attempt in 1 2 3; do
  if start; then break; fi
  echo "PostgreSQL did not start on port $PORT (attempt $attempt); its log:" >&2
  cat "$dir/log" >&2 || true
  [ "$attempt" -lt 3 ] || exit 1
  [ -n "${PGTEST_PORT:-}" ] || PORT="$(free_port)"
  sleep 2
done
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"

export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/postgres"
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" "$@"
