#!/usr/bin/env bash
# run.sh - README command 1: WxQms on this machine, against the local WeChat sandbox.
#   services (dev) -> build (Release) -> migrate -> seed -> Api + Jobs in the background
#   -> wait for /healthz and /readyz -> print the URLs -> stay in the foreground.
# Ctrl-C stops Api and Jobs; MariaDB and Redis keep running (`scripts/services.sh down` stops them).
#
# The environment wins: only unset variables get the defaults below (WXQMS_PORT=8080,
# Wechat__Sandbox__Enabled=true, ASPNETCORE_ENVIRONMENT/DOTNET_ENVIRONMENT=Sandbox, or Production when
# the sandbox is off, ConnectionStrings__MySql/Redis from scripts/services.sh).
# Logs: .local/logs/api.log and jobs.log (the previous run's as *.log.1).
#
# WXQMS_CLOCK=2026-12-17T10:00:00+08:00 starts the clock of Api and Jobs at that instant (a demo of a
# chosen day; it runs on from there). Each run places three theme party days of 东风路 first community
# around the clock, so the reminder cards show at once: see the phone links printed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

log() { printf '[run] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

: "${WXQMS_PORT:=8080}"
: "${Wechat__Sandbox__Enabled:=true}"
# The Sandbox environment loads appsettings.Sandbox.json, whose demo secrets are public. With the sandbox
# off (a real account) the default is Production, so every secret must come from the environment; the
# hosts refuse a demo secret with the sandbox off either way.
if [[ ${Wechat__Sandbox__Enabled,,} == true ]]; then default_env=Sandbox; else default_env=Production; fi
# WebApplicationBuilder lets DOTNET_ENVIRONMENT override ASPNETCORE_ENVIRONMENT: when only one is
# set, the other follows it, so a user's ASPNETCORE_ENVIRONMENT=X is not beaten by our default.
: "${ASPNETCORE_ENVIRONMENT:=${DOTNET_ENVIRONMENT:-$default_env}}"
: "${DOTNET_ENVIRONMENT:=$ASPNETCORE_ENVIRONMENT}"
: "${DOTNET_CLI_TELEMETRY_OPTOUT:=1}"
: "${DOTNET_NOLOGO:=1}"
export ASPNETCORE_ENVIRONMENT DOTNET_ENVIRONMENT Wechat__Sandbox__Enabled \
  DOTNET_CLI_TELEMETRY_OPTOUT DOTNET_NOLOGO

BASE_URL=http://127.0.0.1:$WXQMS_PORT
# The Api imitates WeChat under /sandbox on its own port; uploads stay inside the checkout.
if [[ ${Wechat__Sandbox__Enabled,,} == true ]]; then
  : "${Wechat__ApiBase:=$BASE_URL/sandbox/wechat}"
  : "${Wechat__OpenBase:=$BASE_URL/sandbox/open}"
  : "${Wechat__Sandbox__CallbackBase:=$BASE_URL}"
  : "${Bot__PublicBase:=$BASE_URL}"
  : "${Wechat__Pay__ApiBase:=$BASE_URL/sandbox/wechat}"
  : "${Wechat__Pay__NotifyUrl:=$BASE_URL/wechat/pay/notify}"
  : "${Sms__ApiBase:=$BASE_URL/sandbox/sms/api}"
  export Wechat__ApiBase Wechat__OpenBase Wechat__Sandbox__CallbackBase Bot__PublicBase Wechat__Pay__ApiBase Wechat__Pay__NotifyUrl Sms__ApiBase
fi
: "${Storage__Root:=$ROOT/.local/uploads}"
# Where WeChat's image check fetches a wish's photos from: this Api.
: "${Wishes__PublicBase:=$BASE_URL}"
export Storage__Root Wishes__PublicBase
if [[ -n ${WXQMS_CLOCK:-} ]]; then
  export Clock__Now=$WXQMS_CLOCK
fi
LOGS=$ROOT/.local/logs
API_DIR=$ROOT/WxQms.Api
API_DLL=bin/Release/net10.0/WxQms.Api.dll # relative to API_DIR
JOBS_DLL=$ROOT/WxQms.Jobs/bin/Release/net10.0/WxQms.Jobs.dll
API_PID=
JOBS_PID=
SERVICES_STARTED=0

# Children are our own, so a dead one is a zombie until we `wait` for it: check the state.
proc_alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $st && $st != Z* ]]
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$BASE_URL$1" || true; }

# shellcheck disable=SC2317 # reached through the EXIT trap, which shellcheck 0.9 does not follow
stop_children() {
  local pids=() p i
  if [[ -n $API_PID ]]; then pids+=("$API_PID"); fi
  if [[ -n $JOBS_PID ]]; then pids+=("$JOBS_PID"); fi
  ((${#pids[@]})) || return 0
  log "stopping Api and Jobs"
  # Each child leads its own process group (setsid below): signal the whole group.
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for ((i = 0; i < 200; i++)); do # the hosts shut down gracefully on SIGTERM; give them 20 s
    local alive=0
    for p in "${pids[@]}"; do if proc_alive "$p"; then alive=1; fi; done
    ((alive)) || break
    sleep 0.1
  done
  for p in "${pids[@]}"; do
    if proc_alive "$p"; then
      log "pid $p still running after 20 s: SIGKILL"
      kill -KILL -- "-$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
  done
  API_PID='' JOBS_PID=''
}

# shellcheck disable=SC2317
on_exit() {
  local rc=$?
  trap '' INT TERM HUP # a second Ctrl-C must not cut the cleanup short
  stop_children
  if ((SERVICES_STARTED)); then
    log "MariaDB and Redis are still running; stop them with: scripts/services.sh down"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'echo >&2; log "interrupted"; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

show_tail() { # name
  log "last lines of .local/logs/$1.log:"
  tail -n 40 "$LOGS/$1.log" >&2 || true
}

command -v dotnet >/dev/null || die "dotnet not found (the .NET 10 SDK is needed)"
command -v curl >/dev/null || die "curl not found (apt-get install curl)"

# Fail before the build, not after it, when another run (or anything else) has the port.
if port_busy "$WXQMS_PORT"; then
  holder=$(ss -Hltnp "sport = :$WXQMS_PORT" 2>/dev/null | grep -o 'users:(.*)' | head -n 1 || true)
  die "port $WXQMS_PORT is busy${holder:+ ($holder)}: is another scripts/run.sh running? Stop it, or use another port: WXQMS_PORT=8081 scripts/run.sh"
fi

# ------------------------------------------------------------------ services ---
svc_env=$(bash "$ROOT/scripts/services.sh" up) || die "scripts/services.sh up failed"
SERVICES_STARTED=1
svc_value() { (eval "$svc_env" && printenv "$1"); }
for var in ConnectionStrings__MySql ConnectionStrings__Redis; do
  if [[ -n ${!var:-} ]]; then
    log "using $var from the environment"
  else
    printf -v "$var" '%s' "$(svc_value "$var")"
  fi
  export "${var?}"
done

# --------------------------------------------------------------------- build ---
bash "$ROOT/scripts/vendor.sh" || die "the pages' browser libraries could not be installed (errors above)"
log "building WxQms.sln (Release)"
t0=$SECONDS
dotnet build "$ROOT/WxQms.sln" -c Release --nologo -v quiet || die "build failed (errors above)"
log "built in $((SECONDS - t0)) s"
[[ -f $API_DIR/$API_DLL && -f $JOBS_DLL ]] || die "build output missing: $API_DIR/$API_DLL or $JOBS_DLL"

log "migrating the database"
dotnet "$JOBS_DLL" migrate || die "WxQms.Jobs migrate failed"
log "seeding (skipped by the verb itself when data exists)"
dotnet "$JOBS_DLL" seed || die "WxQms.Jobs seed failed"
demo_phones=
if [[ ${Wechat__Sandbox__Enabled,,} == true ]]; then
  log "simulating the demo's year so far: go-live on 1 January, every month worked through (repeats nothing that is done)"
  sim_out=$(dotnet "$JOBS_DLL" simulate) || { printf '%s\n' "$sim_out" >&2; die "WxQms.Jobs simulate failed"; }
  printf '%s\n' "$sim_out" | grep -v '^demo-phone' >&2 || true
  demo_phones=$(printf '%s\n' "$sim_out" | grep '^demo-phone' || true)
else
  log "the sandbox is off: no simulated history, no demo links to sandbox WeChat users"
fi

# --------------------------------------------------------------------- start ---
mkdir -p "$LOGS"
for name in api jobs; do
  if [[ -f $LOGS/$name.log ]]; then mv -f "$LOGS/$name.log" "$LOGS/$name.log.1"; fi
done
# setsid: each child gets its own process group (killed as a whole on exit) and does not see the
# terminal's Ctrl-C, so the stop order stays ours. A script's background job is no group leader,
# so setsid execs in place and $! is the dotnet process itself.
# The Api runs from its project folder, as `dotnet run` would: its content root is the working
# directory (appsettings*.json, wwwroot). Jobs sets its content root to its own bin folder.
(cd "$API_DIR" && exec setsid dotnet "$API_DLL" --urls "$BASE_URL") </dev/null >"$LOGS/api.log" 2>&1 &
API_PID=$!
(exec setsid dotnet "$JOBS_DLL" run) </dev/null >"$LOGS/jobs.log" 2>&1 &
JOBS_PID=$!
log "started Api (pid $API_PID) and Jobs (pid $JOBS_PID); waiting for $BASE_URL/healthz and /readyz"

check_children() {
  if ! proc_alive "$API_PID"; then show_tail api; die "the Api exited during startup"; fi
  if ! proc_alive "$JOBS_PID"; then show_tail jobs; die "Jobs exited during startup"; fi
}
deadline=$((SECONDS + 60))
for path in /healthz /readyz; do
  code=
  while ((SECONDS < deadline)); do
    check_children
    code=$(http_code "$path")
    [[ $code == 200 ]] && break
    sleep 0.5
  done
  if [[ $code != 200 ]]; then
    show_tail api
    show_tail jobs
    die "$BASE_URL$path did not answer 200 within 60 s (last status: ${code:-none})"
  fi
done

# The sandbox keeps the menu in memory: push it on every start (as a deployment does once per change).
dotnet "$JOBS_DLL" menus || log "the official-account menu was not published (see above); the rest runs on"

# /docs and /openapi/v1.json are served only with Api:PublicDocs (the Sandbox file turns it on).
docs="$BASE_URL/docs"
[[ $(curl -sL -o /dev/null -w '%{http_code}' "$docs" || true) == 200 ]] || docs="off (Api__PublicDocs=true publishes $BASE_URL/docs)"
# Telemetry__Prometheus__Enabled=true (and Telemetry__Prometheus__Port for Jobs) pass through to both hosts.
metrics_links=
if [[ ${Telemetry__Prometheus__Enabled:-} == true ]]; then
  metrics_links="$BASE_URL/metrics (the Api)"
  [[ -n ${Telemetry__Prometheus__Port:-} ]] && metrics_links+=", http://localhost:$Telemetry__Prometheus__Port/metrics (Jobs)"
fi
cat <<EOF
[run] WxQms is running ($ASPNETCORE_ENVIRONMENT): Api pid $API_PID, Jobs pid $JOBS_PID
[run]   API docs   $docs
[run]   readiness  $BASE_URL/readyz
[run]   console    $BASE_URL/admin (管理后台: open it on the computer and scan its code with the office staff's phone below)
[run]   showcase   $BASE_URL/h5/communities (最in社区, public: each community's page, the first with a 3D tour of two scenes)
[run]   console's  /admin/dues, /development, /transfers, /documents, /nonconformities, /review (管理评审), /dashboard (看板)
[run]   in WeChat  the phone page's 工作台 (office staff, community secretaries) opens the dashboard /h5/dashboard; the documents read at $BASE_URL/h5/documents (WeChat sign-in) and in the mini program (我的 → 受控文件)
[run]   orgs       $BASE_URL/api/orgs and /api/orgs/{id}/tree: with a mini-program token (POST /api/mp/login), as far as its roles read${demo_phones:+
[run]   phone      $BASE_URL/sandbox/phone}
[run]   logs       $LOGS/api.log, jobs.log${metrics_links:+
[run]   metrics    $metrics_links}${Clock__Now:+
[run]   clock      started at $Clock__Now (WXQMS_CLOCK)}
[run] Ctrl-C stops Api and Jobs; MariaDB and Redis keep running (scripts/services.sh down stops them).
EOF
if [[ -n $demo_phones ]]; then
  log "on the phone page (reminders are sent within a minute; quiet hours 22:00-08:00 hold them till eight):"
  while IFS=$'\t' read -r _ openid who role; do
    # sms:<number> is a member without WeChat: the phone page opens that number's SMS inbox.
    if [[ $openid == sms:* ]]; then query="sms=${openid#sms:}"; else query="openid=$openid"; fi
    printf '[run]   %s\n[run]     %s  %s/sandbox/phone?%s\n' "$role" "$who" "$BASE_URL" "$query"
  done <<<"$demo_phones"
fi

# ---------------------------------------------------------------------- wait ---
# Returns when either child exits; a Ctrl-C interrupts it and runs the traps instead.
rc=0
wait -n "$API_PID" "$JOBS_PID" || rc=$?
if ! proc_alive "$API_PID"; then
  show_tail api
  die "the Api exited (status $rc); stopping Jobs"
fi
show_tail jobs
die "Jobs exited (status $rc); stopping the Api"
