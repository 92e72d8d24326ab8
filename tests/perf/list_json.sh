#!/usr/bin/env bash
# `csms list -o json` over 100,000 secrets in one project: median wall time
# and peak RSS of 5 runs, and with a second binary the ratios between them;
# then the TUI on them in a pseudo-terminal: time until all are in the table,
# and peak RSS. Needs python3 (to seed the emulator's database) and GNU time.
# Usage: tests/perf/list_json.sh PATH_TO_CSMS [PATH_TO_OTHER_CSMS]
set -euo pipefail
csms=$(realpath "$1")
other=${2:+$(realpath "$2")}
here=$(cd "$(dirname "$0")" && pwd)
count=${COUNT:-100000}
runs=5
work=$(mktemp -d)
trap 'kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

project=0a1b2c3d4e5f60718293a4b5c6d7e8f9 ak=HPUAEXAMPLEAK0000001
export PERF_SK=ExampleSecretKey0123456789abcdefGHIJKLMN
cat >"$work/accounts.toml" <<TOML
[[projects]]
id = "$project"
region = "cn-north-4"
[[credentials]]
access_key = "$ak"
secret_key = "$PERF_SK"
projects = ["$project"]
TOML

# shellcheck source=../serve.sh
. "$here/../serve.sh"
start_serve "$csms" "$work" --db "$work/emulator.db" --accounts "$work/accounts.toml"
cat >"$work/config.toml" <<TOML
default_profile = "perf"
[profiles.perf]
region = "cn-north-4"
project_id = "$project"
endpoint = "$url"
auth = "aksk"
access_key = "$ak"
secret_key_env = "PERF_SK"
TOML
export CSMS_CONFIG=$work/config.toml

# One secret made through the API, copied in SQL: the rows are what the
# emulator itself writes.
echo value | "$csms" create --value-stdin --description "a description of moderate length" seed >/dev/null
python3 - "$work/emulator.db" "$count" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("""WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
  INSERT INTO secrets SELECT project_id, printf('seed%06d', i), state, NULL,
    json_set(body, '$.name', printf('seed%06d', i), '$.id', printf('id-%06d', i))
  FROM secrets, n WHERE name = 'seed'""", (int(sys.argv[2]),))
db.commit()
PY

# Prints "median_seconds median_kb" for a binary.
measure() {
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time" "$1" list -o json >"$work/out.json"
    cat "$work/time"
  done | python3 -c 'import statistics, sys
rows = [line.split() for line in sys.stdin]
print(statistics.median(float(r[0]) for r in rows), int(statistics.median(int(r[1]) for r in rows)))'
}

secrets=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' <("$csms" list -o json))
echo "list -o json over $secrets secrets, median of $runs runs"
read -r t m < <(measure "$csms")
echo "  $csms: ${t} s, peak RSS $((m / 1024)) MB"
if [ -n "$other" ]; then
  read -r ot om < <(measure "$other")
  echo "  $other: ${ot} s, peak RSS $((om / 1024)) MB"
  awk -v t="$t" -v m="$m" -v ot="$ot" -v om="$om" \
    'BEGIN { printf "  time x%.2f, memory x%.1f (other / this)\n", ot / t, om / m }'
fi

# The TUI on the same secrets: from start until all are in the table, and its peak RSS.
echo "TUI on $secrets secrets (50x160), median of $runs runs"
read -r tt tm < <(for _ in $(seq "$runs"); do
  XDG_STATE_HOME=$work/state python3 "$here/tui_until.py" "/$secrets)" "$csms"
done | python3 -c 'import statistics, sys
rows = [line.split() for line in sys.stdin]
print(statistics.median(float(r[0]) for r in rows), int(statistics.median(int(r[1]) for r in rows)))')
echo "  $csms: all on screen in ${tt} s, peak RSS $((tm / 1024)) MB"
