#!/usr/bin/env bash
# The all-projects radar: 30 projects (3 regions, 9 sub-projects each) of
# 300 secrets, one AK/SK pair, 50 ms of injected latency on every request.
# Prints the median wall time of 5 runs of
#   csms list --profile acme -o json      (regions = ["*"]: IAM, then 30 listings)
#   csms list --all-profiles -o json      (the same 30 projects as hand-written profiles)
# and of the official Python SDK listing the 30 projects one after another,
# with the ratios. Needs python3 and, for the SDK, PyPI (see tests/sdk/run.sh).
# Usage: tests/perf/radar.sh PATH_TO_CSMS
set -euo pipefail
csms=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
venv=${CSMS_SDK_VENV:-$here/../../target/sdk-venv}
runs=5
latency=${LATENCY_MS:-50}
per_project=${SECRETS:-300}
work=$(mktemp -d)
trap 'kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
# The cache of projects found, and the log, stay in here.
export XDG_STATE_HOME=$work/state
cache=$XDG_STATE_HOME/csms-tui/targets.json

ak=HPUAEXAMPLEAK0000001
export PERF_SK=ExampleSecretKey0123456789abcdefGHIJKLMN
admin=perf-admin-token
: >"$work/projects"
for region in cn-north-4 ap-southeast-1 cn-east-3; do
  for i in $(seq 0 9); do
    name=$region
    [ "$i" -gt 0 ] && name=${region}_p$i
    id=$(printf '%s' "$name" | md5sum | cut -c1-32)
    echo "$name $region $id" >>"$work/projects"
  done
done
{
  while read -r name region id; do
    printf '[[projects]]\nid = "%s"\nregion = "%s"\nname = "%s"\n\n' "$id" "$region" "$name"
  done <"$work/projects"
  printf '[[credentials]]\naccess_key = "%s"\nsecret_key = "%s"\nprojects = [%s]\n' "$ak" "$PERF_SK" \
    "$(awk '{ printf "%s\"%s\"", (NR > 1 ? ", " : ""), $3 }' "$work/projects")"
} >"$work/accounts.toml"

# shellcheck source=../serve.sh
. "$here/../serve.sh"
start_serve "$csms" "$work" --db "$work/emulator.db" --accounts "$work/accounts.toml" --admin-token "$admin"
{
  printf '[profiles.acme]\nregions = ["*"]\nendpoint = "%s"\niam_endpoint = "%s"\naccess_key = "%s"\nsecret_key_env = "PERF_SK"\n\n' \
    "$url" "$url" "$ak"
} >"$work/discover.toml"
{
  while read -r name region id; do
    printf '[profiles.%s]\nregion = "%s"\nproject_id = "%s"\nendpoint = "%s"\naccess_key = "%s"\nsecret_key_env = "PERF_SK"\n\n' \
      "$name" "$region" "$id" "$url" "$ak"
  done <"$work/projects"
} >"$work/written.toml"

# One secret made through the API, copied in SQL into every project: the
# rows are what the emulator itself writes.
echo value | "$csms" --config "$work/written.toml" --profile cn-north-4 create --value-stdin \
  --description "a description of moderate length" seed >/dev/null
python3 - "$work/emulator.db" "$per_project" "$work/projects" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ids = [line.split()[2] for line in open(sys.argv[3])]
for pid in ids:
    db.execute("""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
      INSERT INTO secrets SELECT ?, printf('s%04d', i), state, NULL,
        json_set(body, '$.name', printf('s%04d', i), '$.id', printf('%s-%04d', ?, i))
      FROM secrets, n WHERE name = 'seed'""", (int(sys.argv[2]), pid, pid))
db.execute("DELETE FROM secrets WHERE name = 'seed'")
db.commit()
PY

curl -fsS -X POST "$url/_emulator/faults" -H "X-Emulator-Admin-Token: $admin" \
  -H 'Content-Type: application/json' -d "{\"latency_ms\": $latency}" >/dev/null

median() { python3 -c 'import statistics, sys; print("%.3f" % statistics.median(float(x) for x in sys.stdin))'; }

# Prints the median seconds of `runs` runs of a command, checking it listed everything.
timed() {
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >"$work/out.json"
    end=$(date +%s%N)
    count=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$work/out.json")
    [ "$count" -eq $((30 * per_project)) ] || { echo "listed $count secrets, not $((30 * per_project))" >&2; exit 1; }
    echo "$(( (end - start) / 1000000 ))e-3"
  done | median
}

echo "30 projects x $per_project secrets, ${latency} ms latency, median of $runs runs"
# Without a cache: IAM is asked every time.
discover=$(timed sh -c 'rm -f "$0"; exec "$@"' "$cache" "$csms" --config "$work/discover.toml" list --profile acme -o json)
echo "  csms, one profile, regions = [\"*\"] (IAM, then 30 listings): ${discover} s"
cached=$(timed "$csms" --config "$work/discover.toml" list --profile acme -o json)
echo "  csms, the same, projects as last found (cache):             ${cached} s"
written=$(timed "$csms" --config "$work/written.toml" list --all-profiles -o json)
echo "  csms, 30 hand-written profiles:                              ${written} s"

# The TUI on the profile's 30 targets (as last found: the cache the runs
# above wrote), from start until every secret is on screen.
tui=$(for _ in $(seq "$runs"); do
  python3 "$here/tui_until.py" "/$((30 * per_project)))" "$csms" --config "$work/discover.toml" --profile acme |
    cut -d' ' -f1
done | median)
echo "  csms TUI, the 30 targets of regions = [\"*\"] on screen:       ${tui} s"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import huaweicloudsdkcsms' 2>/dev/null; then
  sdk=$(for _ in $(seq "$runs"); do
    "$venv/bin/python" - "$url" "$ak" "$PERF_SK" "$work/projects" "$per_project" <<'PY'
import sys, time
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcsms.v1 import CsmsClient, ListSecretsRequest
url, ak, sk, projects = sys.argv[1:5]
ids = [line.split()[2] for line in open(projects)]
config = HttpConfig.get_default_config()
start = time.monotonic()
total = 0
for pid in ids:
    client = (CsmsClient.new_builder().with_http_config(config)
              .with_credentials(BasicCredentials(ak, sk, pid)).with_endpoints([url]).build())
    marker = None
    while True:
        page = client.list_secrets(ListSecretsRequest(limit="1000", marker=marker))
        total += len(page.secrets)
        marker = page.page_info.next_marker if page.page_info else None
        if not marker or not page.secrets:
            break
assert total == len(ids) * int(sys.argv[5]), total
print(time.monotonic() - start)
PY
  done | median)
  echo "  official Python SDK, the 30 projects one after another:      ${sdk} s"
  awk -v d="$discover" -v w="$written" -v s="$sdk" \
    'BEGIN { printf "  SDK / csms discovering: x%.1f; SDK / csms written: x%.1f\n", s / d, s / w }'
else
  echo "  (the official Python SDK is not installed in $venv: run tests/sdk/run.sh first)"
fi
