#!/usr/bin/env bash
# Run the test suite on SQLite, then on PostgreSQL when one answers at DATABASE_URL or 127.0.0.1:5432,
# and say which ran. SHIELDWALL_REQUIRE_POSTGRES=1 (CI) turns a missing PostgreSQL into a failure.
set -euo pipefail
BIN=${BIN:-.venv/bin}
PG_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
case "$PG_URL" in postgres*) ;; *) PG_URL=postgres://postgres@127.0.0.1:5432/test ;; esac
WORKERS=${SHIELDWALL_TEST_WORKERS:-2}

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$(pwd)/var/test.sqlite3" "$BIN/pytest" -n "$WORKERS" "$@"
echo "== SQLite: passed"

if "$BIN/python" - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {sys.argv[1]}: {exc}")
    sys.exit(1)
PY
then
    echo "== tests on PostgreSQL ($PG_URL)"
    DATABASE_URL="$PG_URL" "$BIN/pytest" -n "$WORKERS" "$@"
    echo "== PostgreSQL: passed"
    echo "== databases tested: SQLite, PostgreSQL"
else
    if [ "${SHIELDWALL_REQUIRE_POSTGRES:-0}" = "1" ]; then
        echo "== PostgreSQL required but not reachable" >&2
        exit 1
    fi
    echo "== databases tested: SQLite only (PostgreSQL skipped: not reachable)"
fi
