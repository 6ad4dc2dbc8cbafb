#!/usr/bin/env bash
# Start the app on the embedded PostgreSQL (no DATABASE_URL) and check that it
# serves the login page. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL
export DEBUG=1
PORT=${SMOKE_PORT:-8765}
.venv/bin/python manage.py migrate --no-input >/dev/null
.venv/bin/gunicorn crm.wsgi --bind 127.0.0.1:$PORT --workers 1 --log-level warning &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$PORT/accounts/login/" -o /tmp/smoke-login.html 2>/dev/null; then
    grep -q 'name="password"' /tmp/smoke-login.html && { echo "embedded smoke: login page served"; exit 0; }
  fi
  sleep 0.2
done
echo "embedded smoke: FAILED" >&2
exit 1
