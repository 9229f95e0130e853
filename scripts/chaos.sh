#!/usr/bin/env bash
# chaos.sh - the fault suite (#22; test.sh runs it, so CI does): several instances under store outages, nothing lost.
#   1. a MariaDB + Redis of its own (scripts/services.sh --chaos, a new data folder each time), migrated and seeded;
#   2. the sandbox WeChat (an Api process of its own, never harmed: WeChat is not ours to kill), two Apis behind a
#      round-robin proxy (tools/WxQms.Chaos proxy, YARP) and two Jobs sending reminders through the sandbox;
#   3. a steady mixed load through the proxy (tools/WxQms.Chaos load): signed callbacks (plaintext and safe mode, each
#      MsgId pushed twice), evidence that meets its task's rules from the mini program's route (each sent twice at once,
#      as a double tap), ranking and task reads, reminders
#      falling due; meanwhile: Redis stopped for CHAOS_REDIS_OUTAGE s (20), MariaDB restarted, one Api and one Jobs
#      process killed with SIGKILL and started again;
#   4. the checks, from the database and the sandbox: every acknowledged evidence has its row and its photo by hash,
#      every acknowledged callback recorded once, ledger entries booked meanwhile and none twice, every due reminder
#      sent once or failed with a reason, cached reads answered while Redis was down, both stores recovered within 10 s of coming back.
# Prints the figures (requests and errors by kind, recovery times) and "chaos: passed" (exit 0), or what failed (exit 1).
#
# Ports: CHAOS_PORT_BASE (default WXQMS_PORT + 2000, so 10080 beside CI's defaults): MariaDB +0, Redis +1, proxy +2,
# the Apis +3 and +4, the sandbox +5. The load runs from 4 s before the first fault to CHAOS_STEADY (10) s after the
# last, each fault CHAOS_STEADY s after the previous one ended. Uses the Debug build test.sh made (builds it when
# missing). Work files and logs: .local/chaos/ (replaced on each run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
log() { printf '[chaos] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; log "chaos: FAILED"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
BASE=${CHAOS_PORT_BASE:-$((${WXQMS_PORT:-8080} + 2000))}
DB_PORT=$BASE REDIS_PORT_CHAOS=$((BASE + 1)) PROXY_PORT=$((BASE + 2)) SANDBOX_PORT=$((BASE + 5))
API_PORTS=($((BASE + 3)) $((BASE + 4)))
SECONDS_LOAD=${CHAOS_SECONDS:-600} # at most; the load ends after the last fault and a steady stretch
REDIS_OUTAGE=${CHAOS_REDIS_OUTAGE:-20}
WORK=$ROOT/.local/chaos
API_DIR=$ROOT/WxQms.Api
API_DLL=bin/Debug/net10.0/WxQms.Api.dll # relative to API_DIR, as run.sh starts it
JOBS_DLL=$ROOT/WxQms.Jobs/bin/Debug/net10.0/WxQms.Jobs.dll
CHAOS_DLL=$ROOT/tools/WxQms.Chaos/bin/Debug/net10.0/WxQms.Chaos.dll
PROXY=http://127.0.0.1:$PROXY_PORT
SANDBOX=http://127.0.0.1:$SANDBOX_PORT
declare -A PIDS=() # name -> pid of what this script started

svc() { MARIADB_PORT=$DB_PORT REDIS_PORT=$REDIS_PORT_CHAOS bash scripts/services.sh --chaos "$@"; }
now_ms() { date +%s%3N; }
event() { printf '%s %s\n' "$1" "$(now_ms)" >>"$WORK/events"; log "$1"; }
stop_pid() { # name signal
  local pid=${PIDS[$1]:-}
  [[ -n $pid ]] || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "PIDS[$1]"
}

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
  local name
  for name in "${!PIDS[@]}"; do stop_pid "$name" TERM; done
  svc down >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [[ ! -f $API_DIR/$API_DLL || ! -f $JOBS_DLL || ! -f $CHAOS_DLL ]]; then
  log "building WxQms.sln (Debug)"
  dotnet build WxQms.sln -c Debug --nologo -v quiet >&2 || die "build failed"
fi
bash scripts/vendor.sh >&2 || die "the pages' browser libraries could not be installed"
t_start=$SECONDS
rm -rf "$WORK"
mkdir -p "$WORK/photos"

# ---------------------------------------------------------------- the stores ---
svc down >/dev/null 2>&1 || true
rm -rf "$ROOT/.local/services/chaos" # a fresh instance: a new data folder
chaos_env=$(svc up) || die "the chaos instance did not start"
MYSQL=$(eval "$chaos_env" && printenv ConnectionStrings__MySql)
REDIS=$(eval "$chaos_env" && printenv ConnectionStrings__Redis)

# The hosts' sandbox settings, as run.sh gives them; WeChat (the sandbox) pushes to the proxy, as it would to the balancer.
export ASPNETCORE_ENVIRONMENT=Sandbox DOTNET_ENVIRONMENT=Sandbox Wechat__Sandbox__Enabled=true
export Wechat__ApiBase=$SANDBOX/sandbox/wechat Wechat__OpenBase=$SANDBOX/sandbox/open Wechat__Sandbox__CallbackBase=$PROXY
export Bot__PublicBase=$PROXY Wishes__PublicBase=$PROXY Wechat__Pay__ApiBase=$SANDBOX/sandbox/wechat
export Wechat__Pay__NotifyUrl=$PROXY/wechat/pay/notify Sms__ApiBase=$SANDBOX/sandbox/sms/api
export ConnectionStrings__MySql=$MYSQL ConnectionStrings__Redis=$REDIS Storage__Root=$WORK/photos
export Logging__LogLevel__Default=Warning Wechat__Callback__AcceptPlaintext=true # both modes' pushes, as while switching
unset Clock__Now

t0=$SECONDS
dotnet "$JOBS_DLL" migrate >>"$WORK/setup.log" 2>&1 || { tail -n 30 "$WORK/setup.log" >&2; die "migrate failed"; }
dotnet "$JOBS_DLL" seed >>"$WORK/setup.log" 2>&1 || { tail -n 30 "$WORK/setup.log" >&2; die "seed failed"; }
dotnet "$JOBS_DLL" plan >>"$WORK/setup.log" 2>&1 || { tail -n 30 "$WORK/setup.log" >&2; die "plan failed"; } # the year's tasks
t_setup=$((SECONDS - t0))

# ------------------------------------------------------------------ the hosts ---
start_api() { # name port
  (cd "$API_DIR" && exec dotnet "$API_DLL" --urls "http://127.0.0.1:$2") </dev/null >>"$WORK/$1.log" 2>&1 &
  PIDS[$1]=$!
}
start_jobs() { # name
  # A short lease and in-doubt wait (2 min and 1 min by default): what a killed sender held is sent within the run.
  dotnet "$JOBS_DLL" run --Jobs:Only=reminder-send,heartbeat --Reminders:SendInterval=00:00:00.500 \
    --Reminders:Lease=00:00:10 --Reminders:InDoubtWait=00:00:15 \
    </dev/null >>"$WORK/$1.log" 2>&1 &
  PIDS[$1]=$!
}
wait_ready() { # name url
  local i
  for ((i = 0; i < 480; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$2/readyz" || true) == 200 ]] && return 0
    kill -0 "${PIDS[$1]}" 2>/dev/null || break
    sleep 0.25
  done
  tail -n 30 "$WORK/$1.log" >&2
  die "$1 did not become ready"
}

t0=$SECONDS
start_api sandbox "$SANDBOX_PORT"
start_api api1 "${API_PORTS[0]}"
start_api api2 "${API_PORTS[1]}"
dotnet "$CHAOS_DLL" proxy "$PROXY" "http://127.0.0.1:${API_PORTS[0]}" "http://127.0.0.1:${API_PORTS[1]}" </dev/null >>"$WORK/proxy.log" 2>&1 &
PIDS[proxy]=$!
wait_ready sandbox "$SANDBOX"
wait_ready api1 "http://127.0.0.1:${API_PORTS[0]}"
wait_ready api2 "http://127.0.0.1:${API_PORTS[1]}"
wait_ready proxy "$PROXY"
start_jobs jobs1
start_jobs jobs2
t_hosts=$((SECONDS - t0))
log "ready in $t_setup s (migrate, seed) + $t_hosts s (sandbox, two Apis, proxy on $PROXY, two Jobs)"

# ------------------------------------------------------------- load + faults ---
CHAOS_PROXY=$PROXY CHAOS_SANDBOX=$SANDBOX CHAOS_MYSQL=$MYSQL CHAOS_STORAGE=$WORK/photos CHAOS_SECONDS=$SECONDS_LOAD \
  CHAOS_EVENTS=$WORK/events CHAOS_STARTED=$WORK/started \
  CHAOS_JWT_KEY=sandbox-demo-jwt-key-NOT-A-SECRET-0123456789abcdef CHAOS_JWT_ISSUER=wxqms-sandbox \
  dotnet "$CHAOS_DLL" load </dev/null >"$WORK/load.out" 2>"$WORK/load.log" &
PIDS[load]=$!
for ((i = 0; i < 240; i++)); do
  [[ -s $WORK/started ]] && break
  kill -0 "${PIDS[load]}" 2>/dev/null || { cat "$WORK/load.log" >&2; die "the load did not start"; }
  sleep 0.25
done
[[ -s $WORK/started ]] || die "the load did not start within a minute"
at() { # seconds since the load started: wait for that moment
  local until=$(($(<"$WORK/started") + $1 * 1000)) left
  left=$((until - $(now_ms)))
  ((left <= 0)) || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
}

at 4
redis-cli -p "$REDIS_PORT_CHAOS" shutdown nosave >/dev/null 2>&1 || true
event redis-down
at $((4 + REDIS_OUTAGE))
# Started as services.sh starts it (not through services.sh, whose other checks would delay the moment measured).
rds_dir=$ROOT/.local/services/chaos/redis
redis-server --bind 127.0.0.1 --port "$REDIS_PORT_CHAOS" --protected-mode yes --save '' --appendonly no --dir "$rds_dir" \
  --daemonize yes --pidfile "$rds_dir/redis.pid" --logfile "$rds_dir/redis.log" >/dev/null || die "Redis did not come back"
until [[ $(redis-cli -p "$REDIS_PORT_CHAOS" ping 2>/dev/null) == PONG ]]; do sleep 0.05; done
event redis-up

# Each fault comes a steady stretch after the previous one's end (CHAOS_STEADY s, default 10), whatever the machine's
# speed, so that each store's recovery is measured before the next fault.
STEADY=${CHAOS_STEADY:-10}
sleep "$STEADY"
mdb_pid=$(<"$ROOT/.local/services/chaos/mariadb/mariadbd.pid")
event mariadb-down
kill -TERM "$mdb_pid"
while kill -0 "$mdb_pid" 2>/dev/null && [[ $(ps -o stat= -p "$mdb_pid" 2>/dev/null) != Z* ]]; do sleep 0.1; done
svc up >/dev/null 2>>"$WORK/services.log" || die "MariaDB did not come back"
event mariadb-up

sleep "$STEADY"
event api-killed
stop_pid api1 KILL
stop_pid jobs1 KILL
start_jobs jobs1
start_api api1 "${API_PORTS[0]}"
wait_ready api1 "http://127.0.0.1:${API_PORTS[0]}"
event api-restarted
sleep "$STEADY"
event load-end

set +e
wait "${PIDS[load]}"
load_rc=$?
set -e
unset "PIDS[load]"
cat "$WORK/load.out"
if [[ ! -s $WORK/load.out ]]; then tail -n 30 "$WORK/load.log" >&2; fi
log "total $((SECONDS - t_start)) s (logs: ${WORK#"$ROOT"/}/)"
((load_rc == 0)) || die "a claim failed (above)"
log "chaos: passed"
