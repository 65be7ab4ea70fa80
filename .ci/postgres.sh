#!/usr/bin/env bash
# Start a throw-away PostgreSQL on 127.0.0.1 for the shared-study test and print the URL
# to use as GROWTHSIM_TEST_PG_URL. Installs PostgreSQL from Debian's packages if missing.
# Prints nothing (and exits 0) when it cannot, so the test is skipped with its reason.
set -uo pipefail
PORT=${GROWTHSIM_PG_PORT:-54329}
DATA=${GROWTHSIM_PG_DATA:-/tmp/growthsim-pg}
say() { echo "postgres.sh: $*" >&2; }
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pgbin)" ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    say "PostgreSQL is not installed and cannot be installed here (needs root and apt)"; exit 0
  fi
  say "installing PostgreSQL from Debian's packages"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
    >/dev/null 2>&1 || { say "apt-get install postgresql failed"; exit 0; }
fi
BIN=$(pgbin)
RUN=()
if [ "$(id -u)" -eq 0 ]; then RUN=(runuser -u postgres --); fi  # initdb refuses root
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA" && { [ "$(id -u)" -ne 0 ] || chown postgres "$DATA"; }
  "${RUN[@]}" "$BIN/initdb" -D "$DATA" -A trust -U postgres >/dev/null || { say "initdb failed"; exit 0; }
fi
if ! "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null \
    || { say "PostgreSQL did not start (see $DATA/server.log)"; exit 0; }
fi
"${RUN[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres growthsim_test 2>/dev/null || true
echo "postgresql://postgres@127.0.0.1:$PORT/growthsim_test"
