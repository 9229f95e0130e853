#!/usr/bin/env bash
# bench.sh - benchmarks against a Release build, each beside a baseline measured in the same run.
#
# Callback acknowledgement: text messages pushed at a fixed rate (default 500/s for 30 s) to
# /wechat/callback in plaintext and in safe mode (AES), next to a bare /ping endpoint of the same
# server at the same rate. The load generator (WxQms.Bench) is open-loop: requests leave on
# schedule whatever the server does, so slow answers show up in the percentiles instead of
# slowing the sender down (wrk's closed loop would hide them).
#
# Yearly plan for a district: 1,020 branches with the full catalogue (about 77,000 tasks), stored
# into an empty database; the pure generation time is printed beside the whole run.
#
# Assessment (issue #6): the monthly close of a district (1,020 branches, ~45,000 members, a year of
# ledger; goal < 5 s), and GET /api/rankings (cached, with a member's bearer token) against a plain
# Kestrel JSON endpoint (/ping.json) of the same server: wrk, same settings, alternating rounds (goal >= 0.8).
#
# Reminders (issue #5): the scanner over 1,000,000 task rows against 10,000 (1,000 due in both; goal
# <= 1.5), and two Jobs processes sending through the sandbox Api under one shared rate limit
# (throughput / configured rate, goal >= 0.95, no duplicates). Tunables: BENCH_SEND_RATE (50/s),
# BENCH_SEND_SECONDS (20).
#
# Roster import (issue #16): a workbook of 2,000 new members in 20 new branches uploaded as office staff to
# POST /api/admin/imports/roster; the baseline is the dry run of the same file in the same run (every row read and
# checked, nothing written), then the import in one transaction (goal < 10 s) and the same file again (unchanged);
# BENCH_ROSTER_ROUNDS (3) rounds, each a new file, and their spread.
#
# SMS (issue #21): two Jobs processes send BENCH_SMS_COUNT (2,000) task warnings by SMS to the Api's SMS sandbox under one
# shared rate BENCH_SMS_RATE (50/s): throughput / rate (goal >= 0.95), none sent twice, none over a number's limit.
#
# Usage: scripts/bench.sh [all|callbacks|plan|assessment|reminders|roster|sms]   (default all)
# Runs on the dev MariaDB/Redis instance but in their own databases (wxqms_bench, wxqms_bench_plan),
# so dev data is untouched. Tunables: BENCH_RATE (500), BENCH_SECONDS (30), BENCH_PORT (18081; the
# safe-mode Api takes the next port). MARIADB_PORT, REDIS_PORT and DB_* choose another instance, as
# for services.sh, so two benches can run side by side.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
log() { printf '[bench] %s\n' "$*" >&2; }

WHAT=${1:-all}
RATE=${BENCH_RATE:-500}
SECONDS_EACH=${BENCH_SECONDS:-30}
PLAIN_PORT=${BENCH_PORT:-18081}
SAFE_PORT=$((PLAIN_PORT + 1))
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

svc_env=$(bash scripts/services.sh up)
eval "$svc_env"
# The dev instance, or the one MARIADB_PORT/REDIS_PORT/DB_* name (as for services.sh).
DB=${DB_NAME:-wxqms}
# The password goes through MYSQL_PWD, not the command line that ps shows.
db() { MYSQL_PWD=${DB_PASSWORD:-wxqms_dev_pw} mariadb --no-defaults -h127.0.0.1 -P"${MARIADB_PORT:-33306}" -u"${DB_USER:-wxqms}" "$@"; }
# shellcheck disable=SC2154 # set by the eval above
mysql_cs=${ConnectionStrings__MySql/Database=$DB;/Database=wxqms_bench;}
plan_cs=${ConnectionStrings__MySql/Database=$DB;/Database=wxqms_bench_plan;}
db -e '
  CREATE DATABASE IF NOT EXISTS wxqms_bench CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
  DROP DATABASE IF EXISTS wxqms_bench_plan;
  CREATE DATABASE wxqms_bench_plan CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;'

if ! command -v wrk >/dev/null; then
  log "installing wrk (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null || { log "apt-get install wrk failed"; exit 1; }
fi

bash scripts/vendor.sh
log "building (Release)"
dotnet build WxQms.sln -c Release --nologo -v quiet
JOBS=WxQms.Jobs/bin/Release/net10.0/WxQms.Jobs.dll
BENCH=WxQms.Bench/bin/Release/net10.0/WxQms.Bench.dll
ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" migrate >/dev/null

if [[ $WHAT == all || $WHAT == plan ]]; then
  log "yearly plan of a district (1,020 branches)"
  dotnet "$BENCH" plan-district "$plan_cs"
fi
if [[ $WHAT == all || $WHAT == assessment ]]; then
  close_cs=${ConnectionStrings__MySql/Database=$DB;/Database=wxqms_bench_close;}
  db -e '
    DROP DATABASE IF EXISTS wxqms_bench_close;
    CREATE DATABASE wxqms_bench_close CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;'
  log "monthly close of a district (1,020 branches, ~45,000 members, a year of ledger)"
  dotnet "$BENCH" close-district "$close_cs"
fi
if [[ $WHAT == all || $WHAT == reminders ]]; then
  scan_small=${ConnectionStrings__MySql/Database=$DB;/Database=wxqms_bench_scan_s;}
  scan_large=${ConnectionStrings__MySql/Database=$DB;/Database=wxqms_bench_scan_l;}
  db -e '
    DROP DATABASE IF EXISTS wxqms_bench_scan_s; CREATE DATABASE wxqms_bench_scan_s CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
    DROP DATABASE IF EXISTS wxqms_bench_scan_l; CREATE DATABASE wxqms_bench_scan_l CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;'
  log "reminder scanner: 1,000 due among 10,000 task rows, then among 1,000,000 (the large setup takes a few minutes)"
  small=$(dotnet "$BENCH" reminder-scan "$scan_small" "$ConnectionStrings__Redis" 10000)
  large=$(dotnet "$BENCH" reminder-scan "$scan_large" "$ConnectionStrings__Redis" 1000000)
  printf '%s\n%s\n' "$small" "$large"
  python3 - "$small" "$large" <<'PY'
import re, sys
s, l = (float(re.search(r'scan-ms=(\d+)', a).group(1)) for a in sys.argv[1:])
print(f"reminder scan at 1,000,000 rows / at 10,000: {l/s:.2f} (goal <= 1.5)")
PY
fi
[[ $WHAT == all || $WHAT == callbacks || $WHAT == assessment || $WHAT == reminders || $WHAT == roster || $WHAT == sms ]] || exit 0

# Sandbox demo values (not secrets), as in appsettings.Sandbox.json.
TOKEN=sandboxtoken
AES_KEY=SandboxDemoKeyNotASecret0123456789abcdefghi
APP_ID=wx5a4db0c0a0000001

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start_api() { # port aes-key
  (cd WxQms.Api && exec env ASPNETCORE_ENVIRONMENT=Sandbox Logging__LogLevel__Default=Warning \
    ConnectionStrings__MySql="$mysql_cs" Wechat__ApiBase="http://127.0.0.1:$1/sandbox/wechat" \
    Wechat__Oa__EncodingAesKey="$2" Storage__Root="$ROOT/.local/bench-uploads" \
    dotnet bin/Release/net10.0/WxQms.Api.dll --urls "http://127.0.0.1:$1") >".local/logs/bench-api-$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz" || true) == 200 ]] && return 0
    sleep 0.5
  done
  log "the Api on port $1 did not become ready"; tail -20 ".local/logs/bench-api-$1.log" >&2; exit 1
}

mkdir -p .local/logs
start_api $PLAIN_PORT ""
if [[ $WHAT == all || $WHAT == assessment ]]; then
  # The demo subdistrict after a simulated month; the token is a member's of its first branch.
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" seed >/dev/null
  ConnectionStrings__MySql=$mysql_cs DOTNET_ENVIRONMENT=Sandbox dotnet "$JOBS" simulate >/dev/null
  read -r mid oid opath < <(db wxqms_bench -N -e "
    SELECT m.id, m.org_id, o.path FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.kind = 'branch' ORDER BY m.id LIMIT 1")
  JWT_KEY=sandbox-demo-jwt-key-NOT-A-SECRET-0123456789abcdef # appsettings.Sandbox.json, not a secret
  token=$(dotnet "$BENCH" token "$JWT_KEY" wxqms-sandbox "$mid" "$oid" "$opath")
  # wrk (C, closed loop) as the issue asks: a cheap client leaves the server's cost to decide the ratio.
  # Short rounds alternate between the two endpoints, so each pair sees the same noise (these machines
  # drift over seconds); the median of the per-pair ratios is the figure. A warm-up round of each first.
  rounds=${BENCH_ROUNDS:-12} secs=${WRK_SECONDS:-3}
  ping_url="http://127.0.0.1:$PLAIN_PORT/ping.json" rank_url="http://127.0.0.1:$PLAIN_PORT/api/rankings?level=branch"
  wrk -t2 -c32 -d2s "$ping_url" >/dev/null
  wrk -t2 -c32 -d2s -H "Authorization: Bearer $token" "$rank_url" >/dev/null
  log "rankings vs /ping.json: wrk -t2 -c32, $rounds alternating rounds of $secs s"
  ratios=()
  for _ in $(seq 1 "$rounds"); do
    b=$(wrk -t2 -c32 -d"${secs}s" "$ping_url" | awk '/Requests\/sec/{print $2}')
    r=$(wrk -t2 -c32 -d"${secs}s" -H "Authorization: Bearer $token" "$rank_url" | awk '/Requests\/sec/{print $2}')
    printf 'wrk /ping.json rps=%s  /api/rankings rps=%s\n' "$b" "$r"
    ratios+=("$(python3 -c "print(round($r / $b, 3))")")
  done
  python3 - "${ratios[@]}" <<'PY'
import statistics, sys
r = sorted(float(x) for x in sys.argv[1:])
print(f"rankings ÷ /ping.json throughput (wrk): median {statistics.median(r):.2f}, rounds {' '.join(f'{x:.2f}' for x in r)} (goal >= 0.8)")
PY
  [[ $WHAT == assessment ]] && exit 0
fi
if [[ $WHAT == all || $WHAT == roster ]]; then
  # The demo subdistrict's office staff imports 2,000 new members under its first community committee.
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" seed >/dev/null
  read -r smid soid spath < <(db wxqms_bench -N -e "
    SELECT r.member_id, o.id, o.path FROM member_roles r JOIN orgs o ON o.id = r.org_id WHERE r.role = 'staff' ORDER BY r.member_id LIMIT 1")
  community=$(db wxqms_bench -N -e "SELECT code FROM orgs WHERE kind = 'community_committee' ORDER BY path LIMIT 1")
  JWT_KEY=sandbox-demo-jwt-key-NOT-A-SECRET-0123456789abcdef # appsettings.Sandbox.json, not a secret
  staff_token=$(dotnet "$BENCH" token "$JWT_KEY" wxqms-sandbox "$smid" "$soid" "$spath" staff subdistrict)
  log "roster import: 2,000 members in one workbook, beside the dry run of the same file, ${BENCH_ROSTER_ROUNDS:-3} rounds"
  dotnet "$BENCH" roster-import "http://127.0.0.1:$PLAIN_PORT" "$staff_token" "$community" 2000 "${BENCH_ROSTER_ROUNDS:-3}"
  [[ $WHAT == roster ]] && exit 0
fi
if [[ $WHAT == all || $WHAT == reminders ]]; then
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" seed >/dev/null
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" plan >/dev/null
  send_rate=${BENCH_SEND_RATE:-50}
  log "reminder sender: two Jobs processes, $send_rate/s shared, for ${BENCH_SEND_SECONDS:-20} s of reminders"
  dotnet "$BENCH" reminder-send "http://127.0.0.1:$PLAIN_PORT" "$mysql_cs" "$ConnectionStrings__Redis" "$ROOT/$JOBS" \
    "$send_rate" "${BENCH_SEND_SECONDS:-20}"
  [[ $WHAT == reminders ]] && exit 0
fi
if [[ $WHAT == all || $WHAT == sms ]]; then
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" seed >/dev/null
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" plan >/dev/null
  sms_rate=${BENCH_SMS_RATE:-50}
  log "SMS sender: two Jobs processes, $sms_rate/s shared, ${BENCH_SMS_COUNT:-2000} SMS through the sandbox"
  dotnet "$BENCH" sms-send "http://127.0.0.1:$PLAIN_PORT" "$mysql_cs" "$ConnectionStrings__Redis" "$ROOT/$JOBS" \
    "$sms_rate" "${BENCH_SMS_COUNT:-2000}"
  [[ $WHAT == sms ]] && exit 0
fi
start_api $SAFE_PORT "$AES_KEY"

run() { dotnet "$BENCH" "$@" "$TOKEN" "$AES_KEY" "$APP_ID"; }
log "each run: $RATE requests/s for $SECONDS_EACH s"
results=()
results+=("$(run "http://127.0.0.1:$PLAIN_PORT" /ping "$RATE" "$SECONDS_EACH")")
results+=("$(run "http://127.0.0.1:$PLAIN_PORT" callback-plain "$RATE" "$SECONDS_EACH")")
results+=("$(run "http://127.0.0.1:$SAFE_PORT" /ping "$RATE" "$SECONDS_EACH")")
results+=("$(run "http://127.0.0.1:$SAFE_PORT" callback-safe "$RATE" "$SECONDS_EACH")")

printf '%s\n' "${results[@]}"
python3 - "${results[@]}" <<'PY'
import re, sys
rows = [dict(re.findall(r'(\w+)=([\d.]+)', line)) | {"name": line.split()[0]} for line in sys.argv[1:]]
for base, cb in ((rows[0], rows[1]), (rows[2], rows[3])):
    print(f"{cb['name']}: p50 {float(cb['p50']):.2f} ms ({float(cb['p50'])/float(base['p50']):.1f}x /ping), "
          f"p99 {float(cb['p99']):.2f} ms ({float(cb['p99'])/float(base['p99']):.1f}x /ping), "
          f"max {float(cb['max']):.0f} ms, over 5 s: {cb['over5s']}, errors: {cb['errors']}")
PY
