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
# Reads of a district (issue #25): on the close benchmark's district (BENCH_SUBDISTRICTS of 17 subdistricts, 60 branches
# and ~2,640 members each), the task summary and list of a subdistrict and of a community, a subdistrict's branch
# ranking and a member's record (her stars), cold (BENCH_READ_COLD 20 of them one at a time at 5/s, every cache family's
# generation bumped before each, /ping.json right after each) and warm (a fixed rate, BENCH_READ_RATE 200/s for
# BENCH_READ_SECONDS 10, /ping.json beside in the same run) as p50/p99 with their X-Cache misses; then each warm read's
# throughput ÷ /ping.json's with wrk in alternating rounds (goal >= 0.8); goal for cold reads of the subdistrict < 100 ms.
#
# Memory per upload (issue #25): the Api's RSS growth while it refuses a 20 MB photo (declared, and chunked) and takes
# nine 9 MB photos in one multipart evidence request (goal < 8 MB each: streamed, never buffered whole).
#
# The 08:00 burst (issue #25, `burst`): on the district data set (BENCH_SUBDISTRICTS of 17, as for reads), BENCH_BURST_ROWS
# (20000) reminders due at once at 08:00 for its followers, each about her own branch (per person a warning, the T−1 card of
# her branch's meeting planned for that evening and four 待报计划 that go out as one digest), two Jobs processes at
# BENCH_SEND_RATE (50/s) shared, the Api's and their clocks at that morning: time to the last send ÷ the ideal (messages ÷
# rate, goal <= 1.05), digests against rows, the most urgent first (warnings, T−1, the rest), every row sent, and
# /api/mp/tasks's p99 while they send ÷ its idle p99 measured first (goal <= 2); exits 1 when a goal is missed.
#
# SMS (issue #21): two Jobs processes send BENCH_SMS_COUNT (2,000) task warnings by SMS to the Api's SMS sandbox under one
# shared rate BENCH_SMS_RATE (50/s): throughput / rate (goal >= 0.95), none sent twice, none over a number's limit.
#
# Usage: scripts/bench.sh [all|callbacks|plan|assessment|reminders|roster|reads|uploads|burst|sms]   (default all)
# Runs on the dev MariaDB/Redis instance but in their own databases (wxqms_bench, wxqms_bench_plan),
# so dev data is untouched. Tunables: BENCH_RATE (500), BENCH_SECONDS (30), BENCH_PORT (18081; the
# safe-mode Api takes the same port once the plaintext one has stopped: a neighbour's port is never borrowed). MARIADB_PORT, REDIS_PORT and DB_* choose another instance, as
# for services.sh, so two benches can run side by side.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
log() { printf '[bench] %s\n' "$*" >&2; }

WHAT=${1:-all}
RATE=${BENCH_RATE:-500}
SECONDS_EACH=${BENCH_SECONDS:-30}
PLAIN_PORT=${BENCH_PORT:-18081}
SAFE_PORT=$PLAIN_PORT # one Api at a time: the safe-mode one starts after the plaintext one has stopped
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
if [[ $WHAT == all || $WHAT == reads ]]; then
  reads_cs=${ConnectionStrings__MySql/Database=$DB;/Database=wxqms_bench_reads;}
  db -e '
    DROP DATABASE IF EXISTS wxqms_bench_reads;
    CREATE DATABASE wxqms_bench_reads CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;'
  log "reads of a district: building the close benchmark's data set (${BENCH_SUBDISTRICTS:-17} subdistricts of 60 branches)"
  # Its own figures are the assessment mode's; here it only builds the data (a slow close must not stop the reads).
  BENCH_SUBDISTRICTS=${BENCH_SUBDISTRICTS:-17} dotnet "$BENCH" close-district "$reads_cs" || true
  READS_PORT=$((PLAIN_PORT + 2))
  # June 2027 in Shanghai: the plan's tasks are this month's, the close of June is in.
  # The per-user ranking limit is lifted: one token stands for the many readers of a district, each with a bucket of her own.
  (cd WxQms.Api && exec env ASPNETCORE_ENVIRONMENT=Sandbox Logging__LogLevel__Default=Warning Clock__Now=2027-06-20T10:00:00+08:00 \
    RateLimits__Rankings__PerMinute=1000000 RateLimits__Rankings__Burst=100000 \
    ConnectionStrings__MySql="$reads_cs" Wechat__ApiBase="http://127.0.0.1:$READS_PORT/sandbox/wechat" \
    dotnet bin/Release/net10.0/WxQms.Api.dll --urls "http://127.0.0.1:$READS_PORT") >".local/logs/bench-api-$READS_PORT.log" 2>&1 &
  reads_pid=$!
  for _ in $(seq 1 120); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$READS_PORT/readyz" || true) == 200 ]] && break
    sleep 0.5
  done
  rdb() { db wxqms_bench_reads -N -e "$1"; }
  read -r sid spath < <(rdb "SELECT id, path FROM orgs WHERE kind = 'subdistrict' ORDER BY path LIMIT 1")
  read -r cid cpath < <(rdb "SELECT id, path FROM orgs WHERE kind = 'community_committee' AND path LIKE '$spath%' ORDER BY path LIMIT 1")
  read -r mid moid mpath < <(rdb "SELECT m.id, m.org_id, o.path FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.path LIKE '$cpath%' AND m.code LIKE 'B%' ORDER BY m.id LIMIT 1")
  JWT_KEY=sandbox-demo-jwt-key-NOT-A-SECRET-0123456789abcdef # appsettings.Sandbox.json, not a secret
  staff=$(BENCH_CLOCK=2027-06-20T10:00:00+08:00 dotnet "$BENCH" token "$JWT_KEY" wxqms-sandbox "$mid" "$sid" "$spath" staff subdistrict)
  member=$(BENCH_CLOCK=2027-06-20T10:00:00+08:00 dotnet "$BENCH" token "$JWT_KEY" wxqms-sandbox "$mid" "$moid" "$mpath")
  reads=("summary-subdistrict=/api/mp/tasks/summary@$staff" "tasks-subdistrict=/api/mp/tasks@$staff"
    "summary-community=/api/mp/tasks/summary?scope=$cid@$staff" "tasks-community=/api/mp/tasks?scope=$cid@$staff"
    "ranking-branches=/api/rankings?level=branch&period=2027-06&scope=$sid@$staff" "member-stars=/api/mp/me/record?year=2027@$member")
  log "reads: cold (${BENCH_READ_COLD:-20} each) and warm at ${BENCH_READ_RATE:-200}/s for ${BENCH_READ_SECONDS:-10} s beside /ping.json"
  reads_out=$(dotnet "$BENCH" district-reads "http://127.0.0.1:$READS_PORT" "$ConnectionStrings__Redis" "${BENCH_READ_RATE:-200}" \
    "${BENCH_READ_SECONDS:-10}" "${BENCH_READ_COLD:-20}" "${reads[@]}") || true
  printf '%s\n' "$reads_out"
  command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
  ping_url="http://127.0.0.1:$READS_PORT/ping.json"
  wrk_rps() { wrk -t2 -c32 -d"${WRK_SECONDS:-2}s" "$@" | awk '/Requests\/sec/{print $2}'; }
  throughput=()
  for spec in "${reads[@]}"; do
    name=${spec%%=*} rest=${spec#*=}
    url="http://127.0.0.1:$READS_PORT${rest%@*}" tok=${rest##*@}
    for _ in $(seq 1 "${BENCH_READ_ROUNDS:-3}"); do
      b=$(wrk_rps "$ping_url") r=$(wrk_rps -H "Authorization: Bearer $tok" "$url")
      throughput+=("$name $(python3 -c "print(round($r / $b, 3))")")
    done
  done
  kill "$reads_pid" 2>/dev/null || true; wait "$reads_pid" 2>/dev/null || true
  python3 - "$reads_out" "${throughput[@]}" <<'PY'
import re, statistics, sys
lines = sys.argv[1].splitlines()
ratios = {}
for t in sys.argv[2:]:
    name, r = t.split()
    ratios.setdefault(name, []).append(float(r))
f = lambda l: dict(re.findall(r'([\w-]+)=([\d.]+)', l))
cold = {l.split()[1]: f(l) for l in lines if l.startswith("reads-cold")}
warm = [l.split(None, 1)[1] for l in lines if l.startswith("reads-warm")]
for read, ping in zip(warm[0::2], warm[1::2]):
    name, w, p = read.split()[0], f(read), f(ping)
    c = cold.get(name, {})
    rs = sorted(ratios.get(name, [0]))
    cold_p99 = float(c.get('p99', 0))
    cold_goal = (f" (goal < 100 ms){' ok' if cold_p99 < 100 else ' MISSED'}" if name.endswith("subdistrict") else "")
    not_cold = "" if c.get('misses') == c.get('n') else " NOT ALL MISSES"
    print(f"{name}: cold at {c.get('rate')}/s p50 {float(c.get('p50', 0)):.1f} ms, p99 {cold_p99:.1f} ms{cold_goal} "
          f"beside /ping.json p50 {float(c.get('ping-p50', 0)):.2f} ms, p99 {float(c.get('ping-p99', 0)):.2f} ms "
          f"(misses {c.get('misses')}/{c.get('n')}{not_cold}); "
          f"warm at {w['rate']}/s p50 {float(w['p50']):.2f} ms, p99 {float(w['p99']):.2f} ms (misses {w.get('misses')}/{w.get('sent')}) "
          f"beside /ping.json p50 {float(p['p50']):.2f} ms, p99 {float(p['p99']):.2f} ms; throughput ÷ /ping.json (wrk) median "
          f"{statistics.median(rs):.2f}, rounds {' '.join(f'{x:.2f}' for x in rs)} (goal >= 0.8){' ok' if statistics.median(rs) >= 0.8 else ' MISSED'}")
PY
  [[ $WHAT == reads ]] && exit 0
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
[[ $WHAT == all || $WHAT == callbacks || $WHAT == assessment || $WHAT == reminders || $WHAT == roster || $WHAT == uploads || $WHAT == burst || $WHAT == sms ]] || exit 0

# Sandbox demo values (not secrets), as in appsettings.Sandbox.json.
TOKEN=sandboxtoken
AES_KEY=SandboxDemoKeyNotASecret0123456789abcdefghi
APP_ID=wx5a4db0c0a0000001

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# BENCH_API_ENV: runtime settings for the callbacks' Api, for A/B trials of GC and thread-pool settings on a quiet machine
# (e.g. "DOTNET_gcServer=0" or "DOTNET_GCDynamicAdaptationMode=0"); printed with the results.
read -r -a api_env <<<"${BENCH_API_ENV:-}"
start_api() { # port aes-key; API_CS another database, API_CLOCK the Api's clock (Clock:Now)
  (cd WxQms.Api && exec env "${api_env[@]}" ASPNETCORE_ENVIRONMENT=Sandbox Logging__LogLevel__Default=Warning ${API_CLOCK:+Clock__Now=$API_CLOCK} \
    ConnectionStrings__MySql="${API_CS:-$mysql_cs}" Wechat__ApiBase="http://127.0.0.1:$1/sandbox/wechat" \
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
if [[ $WHAT == all || $WHAT == uploads ]]; then
  # A secretary of the demo's first branch hands in evidence for one of its tasks.
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" seed >/dev/null
  ConnectionStrings__MySql=$mysql_cs dotnet "$JOBS" plan >/dev/null
  read -r umid uoid upath utask uversion < <(db wxqms_bench -N -e "
    SELECT r.member_id, o.id, o.path, t.id, t.row_version FROM member_roles r JOIN orgs o ON o.id = r.org_id JOIN tasks t ON t.org_id = o.id
    WHERE r.role = 'secretary' AND o.kind = 'branch' ORDER BY o.path, t.due_at LIMIT 1")
  JWT_KEY=sandbox-demo-jwt-key-NOT-A-SECRET-0123456789abcdef # appsettings.Sandbox.json, not a secret
  secretary=$(dotnet "$BENCH" token "$JWT_KEY" wxqms-sandbox "$umid" "$uoid" "$upath" secretary branch)
  log "memory per upload: the Api's RSS growth (20 MB refused at 10 MB; nine 9 MB photos in one evidence request)"
  dotnet "$BENCH" upload-memory "http://127.0.0.1:$PLAIN_PORT" "${pids[0]}" "$secretary" "$utask" "$uversion"
  [[ $WHAT == uploads ]] && exit 0
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
if [[ $WHAT == all || $WHAT == burst ]]; then
  # The district data set (close-district's: 1,020 branches, 44,880 members, the 2027 plan), its own database and Api, both
  # clocks at 08:00 on a June morning of the plan's year: the moment quiet hours release the night's reminders.
  burst_cs=${ConnectionStrings__MySql/Database=$DB;/Database=wxqms_bench_burst;}
  db -e '
    DROP DATABASE IF EXISTS wxqms_bench_burst;
    CREATE DATABASE wxqms_bench_burst CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;'
  log "08:00 burst: building the district data set (${BENCH_SUBDISTRICTS:-17} subdistricts of 60 branches)"
  BENCH_SUBDISTRICTS=${BENCH_SUBDISTRICTS:-17} dotnet "$BENCH" close-district "$burst_cs" >/dev/null || true
  BURST_PORT=$((PLAIN_PORT + 3)) BURST_MORNING=2027-06-21T08:00:00+08:00
  API_CS=$burst_cs API_CLOCK=$BURST_MORNING start_api $BURST_PORT ""
  read -r bmid boid bopath < <(db wxqms_bench_burst -N -e "
    SELECT m.id, o.id, o.path FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.kind = 'branch' ORDER BY m.id LIMIT 1")
  JWT_KEY=sandbox-demo-jwt-key-NOT-A-SECRET-0123456789abcdef # appsettings.Sandbox.json, not a secret
  burst_token=$(BENCH_CLOCK=$BURST_MORNING dotnet "$BENCH" token "$JWT_KEY" wxqms-sandbox "$bmid" "$boid" "$bopath" secretary branch)
  log "08:00 burst: ${BENCH_BURST_ROWS:-20000} reminders due at once, two Jobs processes, ${BENCH_SEND_RATE:-50}/s shared"
  dotnet "$BENCH" reminder-burst "http://127.0.0.1:$BURST_PORT" "$burst_cs" "$ConnectionStrings__Redis" "$ROOT/$JOBS" \
    "${BENCH_SEND_RATE:-50}" "${BENCH_BURST_ROWS:-20000}" "$burst_token" "$BURST_MORNING"
  [[ $WHAT == burst ]] && exit 0
fi
# One Api at a time on these two cores: the plaintext one stops before the safe-mode one starts. /ping runs beside the
# callbacks in the same run (a tenth of their rate), so both see the same moments. Safe mode runs at RATE and twice it.
# dotnet-counters watches the server during each safe-mode run: bytes allocated per push, GCs per generation, their
# pause, thread-pool queue and threads added, lock contentions (figures the machine's load does not change much).
COUNTERS=.local/tools/dotnet-counters
[[ -x $COUNTERS ]] || dotnet tool install --tool-path .local/tools dotnet-counters >/dev/null
# BENCH_GEN_CPUS: pin the load generator to these CPUs (taskset -c), e.g. "1"; unpinned by default (the Api, MariaDB and
# Redis share both cores with it either way; printed with the results).
gen=()
[[ -n ${BENCH_GEN_CPUS:-} ]] && gen=(taskset -c "$BENCH_GEN_CPUS")
run() { "${gen[@]}" dotnet "$BENCH" "$@" "$TOKEN" "$AES_KEY" "$APP_ID"; }
watched() { # port pid target rate: the run's two lines, then the server's counters over it
  local csv=".local/logs/bench-counters-$3-$4.csv" cpid out
  rm -f "$csv"
  "$COUNTERS" collect -p "$2" --counters System.Runtime --refresh-interval 1 --format csv -o "$csv" >/dev/null 2>&1 &
  cpid=$!
  sleep 2
  out=$(run "http://127.0.0.1:$1" "$3+/ping" "$4" "$SECONDS_EACH")
  # TERM: a background job of a script ignores INT; the CSV is written line by line as it goes.
  sleep 1; kill "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true
  printf '%s\n' "$out"
  python3 - "$csv" "$4" "$SECONDS_EACH" <<'PY'
import csv, sys
rate, secs = int(sys.argv[2]), int(sys.argv[3])
rows = list(csv.reader(open(sys.argv[1])))[1:]
def total(name, tag=""):
    return sum(float(r[4] or 0) for r in rows if r[2].startswith(name) and tag in r[2])
def peak(name):
    return max([float(r[4] or 0) for r in rows if r[2].startswith(name)] or [0])
pushes = rate * secs + 200  # the warm-up's pushes too; /ping beside adds a little to the bytes
print(f"server-counters allocated-per-push={total('dotnet.gc.heap.total_allocated') / pushes / 1024:.1f}KB "
      f"gc-gen0={total('dotnet.gc.collections', 'gen0'):.0f} gc-gen1={total('dotnet.gc.collections', 'gen1'):.0f} "
      f"gc-gen2={total('dotnet.gc.collections', 'gen2'):.0f} gc-pause-ms={total('dotnet.gc.pause.time') * 1000:.0f} "
      f"threadpool-queue-peak={peak('dotnet.thread_pool.queue.length'):.0f} threads-added={total('dotnet.thread_pool.thread.count'):.0f} "
      f"lock-contentions={total('dotnet.monitor.lock_contentions'):.0f}")
PY
}
log "each run: callbacks for $SECONDS_EACH s beside /ping; plaintext at $RATE/s, safe mode at $RATE/s and $((2 * RATE))/s"
echo "callbacks: Api runtime settings: ${BENCH_API_ENV:-as the project ships them}; load generator: ${BENCH_GEN_CPUS:+pinned to CPU $BENCH_GEN_CPUS}${BENCH_GEN_CPUS:-unpinned} on $(nproc) cores"
results=()
results+=("$(run "http://127.0.0.1:$PLAIN_PORT" "callback-plain+/ping" "$RATE" "$SECONDS_EACH")")
kill "${pids[0]}" 2>/dev/null || true; wait "${pids[0]}" 2>/dev/null || true
start_api $SAFE_PORT "$AES_KEY"
safe_pid=${pids[-1]}
results+=("$(watched $SAFE_PORT "$safe_pid" callback-safe "$RATE")")
results+=("$(watched $SAFE_PORT "$safe_pid" callback-safe "$((2 * RATE))")")

printf '%s\n' "${results[@]}"
python3 - "$RATE" "${results[@]}" <<'PY'
import re, sys
rate = int(sys.argv[1])
goals = {rate: 20, 2 * rate: 30}
for block in sys.argv[2:]:
    lines = block.splitlines()
    cb, ping = (dict(re.findall(r'([\w-]+)=([\d.]+)', l)) | {"name": l.split()[0]} for l in lines[:2])
    extra = dict(re.findall(r'([\w-]+)=([\d.]+)', lines[2])) if len(lines) > 2 else {}
    r = int(cb["rate"])
    goal = goals.get(r) if cb["name"] == "callback-safe" else None
    verdict = "" if goal is None else (" ok" if float(cb["p99"]) <= goal and cb["over5s"] == "0" else " MISSED")
    print(f"{cb['name']} at {r}/s: p50 {float(cb['p50']):.2f} ms, p99 {float(cb['p99']):.2f} ms, max {float(cb['max']):.0f} ms "
          f"beside /ping p50 {float(ping['p50']):.2f} ms, p99 {float(ping['p99']):.2f} ms, max {float(ping['max']):.0f} ms; "
          f"over 5 s: {cb['over5s']}, errors: {cb['errors']}; sender lag max {cb['lag-max']} ms, its GC {cb['client-gc-ms']} ms"
          + (f"; allocated per push {extra['allocated-per-push']} KB" if extra else "")
          + (f" (goal p99 <= {goal} ms, nothing over 5 s){verdict}" if goal else ""))
PY
