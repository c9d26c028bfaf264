#!/usr/bin/env bash
# Scale-out mode on one machine: two Lockstep instances on ports 3001 and 3002 sharing one
# PostgreSQL database (locks, index, users, audit, events via LISTEN/NOTIFY) and one data folder
# (the bare git repositories and secret.key). Run `npm run setup` first. Ctrl-C stops both.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/lockstep scripts/two-instances.sh
#
# Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lockstep; the database is
# created when missing), LOCKSTEP_DATA_DIR (default ./data-scaleout), PORT_A / PORT_B (3001/3002),
# plus every other LOCKSTEP_* variable, passed to both instances.
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/lockstep}"
export LOCKSTEP_DATA_DIR="${LOCKSTEP_DATA_DIR:-./data-scaleout}"
PORT_A="${PORT_A:-3001}"
PORT_B="${PORT_B:-3002}"

if [ ! -f packages/server/dist/main.js ]; then
  echo "two-instances: packages/server/dist/main.js is missing; run 'npm run setup' first" >&2
  exit 1
fi
mkdir -p "$LOCKSTEP_DATA_DIR"

# Create the database if it does not exist yet (connects to the server's "postgres" database).
node --input-type=module -e '
  import pg from "pg";
  const url = new URL(process.env.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) { console.error(`two-instances: unusual database name "${name}"; create it yourself`); process.exit(0); }
  url.pathname = "/postgres";
  const c = new pg.Client({ connectionString: url.toString() });
  try { await c.connect(); } catch (e) { console.error(`two-instances: cannot reach PostgreSQL: ${e.message}`); process.exit(1); }
  const r = await c.query("select 1 from pg_database where datname = $1", [name]);
  if (!r.rowCount) { await c.query(`CREATE DATABASE ${name}`); console.log(`two-instances: created database ${name}`); }
  await c.end();
'

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

wait_healthy() {
  node -e '
    const url = process.argv[1]; const until = Date.now() + 60000;
    (async () => { for (;;) {
      try { if ((await fetch(url)).ok) process.exit(0); } catch {}
      if (Date.now() > until) { console.error(`two-instances: ${url} did not answer in 60 s`); process.exit(1); }
      await new Promise((r) => setTimeout(r, 200));
    } })();' "http://127.0.0.1:$1/api/health"
}

# One after the other: the first start migrates the database and creates the admin user.
PORT="$PORT_A" node packages/server/dist/main.js > >(sed -u "s/^/[A:$PORT_A] /") 2>&1 &
pids+=($!)
wait_healthy "$PORT_A"
PORT="$PORT_B" node packages/server/dist/main.js > >(sed -u "s/^/[B:$PORT_B] /") 2>&1 &
pids+=($!)
wait_healthy "$PORT_B"

echo "two-instances: A on http://127.0.0.1:$PORT_A, B on http://127.0.0.1:$PORT_B (database $DATABASE_URL, data $LOCKSTEP_DATA_DIR); Ctrl-C stops both"
wait
