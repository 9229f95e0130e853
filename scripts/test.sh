#!/usr/bin/env bash
# test.sh - README command 2 (CI runs it through .ci/run): every .NET test, then the mini program's.
#   services (test instance) -> browser packages (chromium, fonts-noto-cjk; installed once)
#   -> dotnet build WxQms.sln (Debug) -> dotnet test --no-build in shards at once (below), and beside them
#      npm ci + npm test in miniprogram/ (node, light) -> scripts/chaos.sh, and beside it scripts/restore-drill.sh
#   -> counts per shard, the time of each phase, and a closing "tests: N passed, N failed, N skipped".
# The test services stay up for faster reruns, except with CI=true.
# Full output: .local/logs/build.log, test-dotnet.log (test-dotnet-<n>.log per shard), test-miniprogram.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

log() { printf '[test] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LOGS=.local/logs
RESULTS=.local/test-results # trx files, one per test assembly
mkdir -p "$LOGS"
CI_MODE=0
if [[ ${CI:-} == true || ${CI:-} == 1 ]]; then CI_MODE=1; fi

# CI machines are thrown away, but a clean stop keeps the run's own process list tidy.
SERVICES_UP=0
services_down() {
  if ((CI_MODE && SERVICES_UP)); then
    SERVICES_UP=0
    bash scripts/services.sh --test down || true
  fi
}
trap services_down EXIT

# ------------------------------------------------------------------ services ---
t0=$SECONDS
SERVICES_UP=1
svc_env=$(bash scripts/services.sh --test up) || die "scripts/services.sh --test up failed"
svc_value() { (eval "$svc_env" && printenv "$1"); }
# The tests read their stores from these two only.
WXQMS_TEST_MYSQL=$(svc_value ConnectionStrings__MySql)
WXQMS_TEST_REDIS=$(svc_value ConnectionStrings__Redis)
export WXQMS_TEST_MYSQL WXQMS_TEST_REDIS
# A shell that eval'd the dev services' env must not point a test at the dev database.
unset ConnectionStrings__MySql ConnectionStrings__Redis
t_services=$((SECONDS - t0))

# ------------------------------------------------------------------ browser ---
# The phone page's browser tests (WxQms.Tests/Browser) drive Debian's Chromium through Playwright,
# which downloads nothing, and the page is Chinese: it needs a CJK font. Installed once, like
# services.sh installs MariaDB; a machine that has both skips this in well under a second.
# WXQMS_CHROMIUM (read by the tests too) names another Chromium; then only the font is installed.
browser_missing() {
  if [[ -z ${WXQMS_CHROMIUM:-} && ! -x /usr/bin/chromium ]]; then echo chromium; fi
  if [[ $(dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null) != "install ok installed" ]]; then echo fonts-noto-cjk; fi
}
t0=$SECONDS
if [[ -n ${WXQMS_CHROMIUM:-} && ! -x $WXQMS_CHROMIUM ]]; then die "WXQMS_CHROMIUM=$WXQMS_CHROMIUM is not executable"; fi
mapfile -t browser_need < <(browser_missing)
if ((${#browser_need[@]})); then
  [[ $EUID -eq 0 ]] || die "missing ${browser_need[*]} for the browser tests; install them as root: sudo apt-get install --no-install-recommends ${browser_need[*]}"
  command -v apt-get >/dev/null || die "missing ${browser_need[*]} for the browser tests and no apt-get to install them"
  log "installing ${browser_need[*]} for the browser tests (apt-get)"
  apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
  updated=0
  # A fresh machine may have no package lists at all; otherwise update only when install fails.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    "${apt[@]}" update >&2 || die "apt-get update failed"
    updated=1
  fi
  if ! "${apt[@]}" install --no-install-recommends "${browser_need[@]}" >&2; then
    ((updated == 0)) || die "apt-get install ${browser_need[*]} failed"
    log "apt-get install failed; running apt-get update and retrying"
    "${apt[@]}" update >&2 || die "apt-get update failed"
    "${apt[@]}" install --no-install-recommends "${browser_need[@]}" >&2 || die "apt-get install ${browser_need[*]} failed"
  fi
  mapfile -t browser_need < <(browser_missing)
  ((${#browser_need[@]} == 0)) || die "still missing after apt-get install: ${browser_need[*]}"
fi
t_browser=$((SECONDS - t0))

# --------------------------------------------------------------------- build ---
bash scripts/vendor.sh || die "the pages' browser libraries could not be installed (errors above)"
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
log "dotnet build WxQms.sln -c Debug (output also in $LOGS/build.log)"
t0=$SECONDS
set +e
dotnet build WxQms.sln -c Debug --nologo -v quiet 2>&1 | tee "$LOGS/build.log"
build_rc=${PIPESTATUS[0]}
set -e
t_build=$((SECONDS - t0))

# --------------------------------------------------------------- miniprogram ---
# The mini program's checks are node and light: they run beside the .NET shards (output prefixed [mp], all of it in
# $LOGS/test-miniprogram.log), and their counts are read once both are done.
mp_rc=0
t_mp=0
MP_PID=
if [[ -f miniprogram/package.json ]]; then
  log "miniprogram: install and npm test beside the .NET tests (output also in $LOGS/test-miniprogram.log)"
  (
    t0=$SECONDS
    set +e
    (
      set -e
      cd miniprogram
      command -v npm >/dev/null || { echo "[test] ERROR: npm not found (node 20 is needed)" >&2; exit 1; }
      if [[ -f package-lock.json ]]; then
        # npm ci wipes node_modules (~15 s): locally, skip it while npm's own record of the
        # installed tree is newer than package.json and the lock file. CI always installs.
        if ((CI_MODE == 0)) && [[ node_modules/.package-lock.json -nt package-lock.json &&
          node_modules/.package-lock.json -nt package.json ]]; then
          echo "[test] miniprogram: node_modules is up to date, skipping npm ci" >&2
        else
          npm ci --no-audit --no-fund
        fi
      else
        npm install --no-audit --no-fund
      fi
      npm test
    ) 2>&1 | tee "$LOGS/test-miniprogram.log" | sed -u 's/^/[mp] /'
    rc=${PIPESTATUS[0]}
    echo $((SECONDS - t0)) >"$LOGS/test-miniprogram.seconds"
    exit "$rc"
  ) &
  MP_PID=$!
fi

# -------------------------------------------------------------------- dotnet ---
# The integration tests run one at a time within a process (one database, one Redis, one clock that only moves
# forward), so the suite runs as WXQMS_TEST_SHARDS (default 2) `dotnet test` processes at once, each on its own
# database (wxqms_test_<n>, created by the tests' set-up) and Redis database number, with its own clock: a shard's
# tests never see another's data. Shard 1 takes the namespaces below (about half of the time, by the trx
# durations); the last shard takes every other namespace, so a new namespace is never left out.
# Console verbosity "normal" lists every test but drops the per-assembly "Passed!" line, so the counts come from
# one trx file per shard. Each shard's output: $LOGS/test-dotnet-<n>.log (all of them: $LOGS/test-dotnet.log).
SHARD_1_NAMESPACES=(Browser Api Tasks Wishes Development Reminders Nonconformities Dashboard)
SHARDS=${WXQMS_TEST_SHARDS:-2}
[[ $SHARDS == 1 || $SHARDS == 2 ]] || die "WXQMS_TEST_SHARDS=$SHARDS: 1 or 2"
shard_filter() { # shard -> a dotnet test --filter for it ("" = everything)
  local ns joined=() op sep
  if (($1 == 1)); then op='~' sep='|'; else op='!~' sep='&'; fi
  ((SHARDS > 1)) || { echo ""; return; }
  for ns in "${SHARD_1_NAMESPACES[@]}"; do joined+=("FullyQualifiedName${op}WxQms.Tests.$ns."); done
  (IFS=$sep; echo "${joined[*]}")
}
t0=$SECONDS
dotnet_rc=0
shard_rc=()
if ((build_rc != 0)); then
  dotnet_rc=$build_rc
else
  log "dotnet test --no-build in $SHARDS shard(s) at once (output also in $LOGS/test-dotnet-<n>.log)"
  shard_pids=()
  for ((n = 1; n <= SHARDS; n++)); do
    filter=$(shard_filter "$n")
    mysql=$WXQMS_TEST_MYSQL redis=$WXQMS_TEST_REDIS
    if ((SHARDS > 1)); then
      mysql=$(sed -E "s/(^|;)Database=([^;]*)/\1Database=\2_$n/" <<<"$WXQMS_TEST_MYSQL")
      redis="$WXQMS_TEST_REDIS,defaultDatabase=$n" # the restore drill uses 7
    fi
    (
      set +e
      WXQMS_TEST_MYSQL=$mysql WXQMS_TEST_REDIS=$redis \
        dotnet test WxQms.Tests/WxQms.Tests.csproj -c Debug --no-build --nologo ${filter:+--filter "$filter"} \
        --logger "console;verbosity=normal" --logger "trx;LogFileName=shard-$n.trx" --results-directory "$RESULTS" \
        2>&1 | tee "$LOGS/test-dotnet-$n.log" | sed -u "s/^/[$n] /"
      rc=${PIPESTATUS[0]}
      echo $((SECONDS - t0)) >"$LOGS/test-dotnet-$n.seconds"
      exit "$rc"
    ) &
    shard_pids+=($!)
  done
  for ((n = 1; n <= SHARDS; n++)); do
    set +e
    wait "${shard_pids[n - 1]}"
    shard_rc+=($?)
    set -e
    ((shard_rc[n - 1] == 0)) || dotnet_rc=${shard_rc[n - 1]}
  done
fi
t_dotnet=$((SECONDS - t0))
for ((n = 1; n <= SHARDS; n++)); do cat "$LOGS/test-dotnet-$n.log" 2>/dev/null; done >"$LOGS/test-dotnet.log"
# The browser test classes (Chromium through Playwright) in all shards together, set-up included: each test process
# writes theirs to $RESULTS/browser-<pid>.seconds (WxQms.Tests/Browser/Chromium.cs).
t_browser_tests=0
shopt -s nullglob
for f in "$RESULTS"/browser-*.seconds; do t_browser_tests=$((t_browser_tests + $(cat "$f"))); done
shopt -u nullglob

SUMMARY=()
TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0
add_counts() { # label passed failed skipped
  SUMMARY+=("$1: $2 passed, $3 failed, $4 skipped")
  TOTAL_PASSED=$((TOTAL_PASSED + $2)) TOTAL_FAILED=$((TOTAL_FAILED + $3)) TOTAL_SKIPPED=$((TOTAL_SKIPPED + $4))
}

shard_without_trx() {
  local n
  for ((n = 1; n <= SHARDS; n++)); do [[ -f $RESULTS/shard-$n.trx ]] || return 0; done
  return 1
}
dotnet_failed=0
dotnet_executed=0
shopt -s nullglob
trx_files=("$RESULTS"/*.trx)
shopt -u nullglob
counters=
count() { # attribute of the current trx's <Counters .../>
  local v
  v=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters")
  echo "${v:-0}"
}
for trx in "${trx_files[@]}"; do
  counters=$(grep -o -m 1 '<Counters [^>]*>' "$trx" || true)
  name=$(grep -o -m 1 'codeBase="[^"]*"' "$trx" | head -n 1 | sed 's/^codeBase="//; s/"$//; s#.*/##' || true)
  failed=$(($(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  add_counts "${name:-WxQms.Tests}, $(basename "$trx" .trx)" "$(count passed)" "$failed" "$(($(count total) - $(count executed)))"
  dotnet_failed=$((dotnet_failed + failed))
  dotnet_executed=$((dotnet_executed + $(count executed)))
done
# The failed tests by name, with the first line of each message, so a CI log's tail says what broke.
FAILED_TESTS=()
if ((dotnet_failed > 0)); then
  mapfile -t FAILED_TESTS < <(perl -0777 -ne '
    while (/<UnitTestResult\b([^>]*[^\/])>(.*?)<\/UnitTestResult>/gs) {
      my ($attrs, $body) = ($1, $2);
      next unless $attrs =~ /outcome="(Failed|Error|Timeout|Aborted)"/;
      my ($name) = $attrs =~ /testName="([^"]*)"/;
      my ($msg) = $body =~ /<Message>(.*?)<\/Message>/s;
      $msg = defined $msg ? (split /\n/, $msg)[0] : "";
      for ($name, $msg) { s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&#xD;//g; s/&amp;/&/g; }
      print "$name: ", substr($msg, 0, 300), "\n";
    }' "${trx_files[@]}" || true)
fi
if ((dotnet_rc != 0 && dotnet_failed == 0)); then
  # A build error, a crashed test host or a bad option: no test says so, the exit code does.
  add_counts "dotnet build/test (exit $dotnet_rc, no failed test counted: build error or aborted run; see $LOGS/build.log, $LOGS/test-dotnet-<n>.log)" 0 1 0
elif ((build_rc == 0)) && shard_without_trx; then
  # A shard that left no trx (its host crashed before writing it, or the filter named no test) is a failed run.
  add_counts "dotnet test (a shard left no trx file in $RESULTS; see $LOGS/test-dotnet-<n>.log)" 0 1 0
elif ((dotnet_executed == 0)); then
  # A run that tested nothing (no test project found, every test filtered out or skipped) proves nothing.
  add_counts "dotnet test (no .NET test ran: ${#trx_files[@]} trx file(s) in $RESULTS, 0 tests executed; see $LOGS/test-dotnet.log)" 0 1 0
fi

# The mini program's counts, once its run beside the shards is done.
if [[ -n $MP_PID ]]; then
  set +e
  wait "$MP_PID"
  mp_rc=$?
  set -e
  t_mp=$(cat "$LOGS/test-miniprogram.seconds" 2>/dev/null || echo 0)

  # jest: "Tests:  1 failed, 2 skipped, 20 passed, 23 total"; node --test: "# pass 20" / "ℹ pass 20"
  mp_out=$(sed 's/\x1b\[[0-9;]*m//g' "$LOGS/test-miniprogram.log")
  mp_pick() { # regex -> last number captured
    local v
    v=$(grep -oE "$1" <<<"$mp_out" | tail -n 1 | grep -oE '[0-9]+' | head -n 1 || true)
    echo "${v:-}"
  }
  jest_line=$(grep -E '^Tests:' <<<"$mp_out" | tail -n 1 || true)
  if [[ -n $jest_line ]]; then
    mp_counted() { local v; v=$(grep -oE "[0-9]+ $1" <<<"$jest_line" | grep -oE '[0-9]+' || true); echo "${v:-0}"; }
    mp_passed=$(mp_counted passed) mp_failed=$(mp_counted failed) mp_skipped=$(mp_counted skipped)
  else
    mp_passed=$(mp_pick '^(#|ℹ) pass [0-9]+') mp_failed=$(mp_pick '^(#|ℹ) fail [0-9]+')
    mp_skipped=$(mp_pick '^(#|ℹ) skipped [0-9]+')
  fi
  if [[ -z $mp_passed && -z $mp_failed ]]; then
    if ((mp_rc != 0)); then
      add_counts "miniprogram (exit $mp_rc, no counts found; see $LOGS/test-miniprogram.log)" 0 1 0
    else
      add_counts "miniprogram (no counts found)" 0 0 0
    fi
  else
    mp_failed=${mp_failed:-0}
    if ((mp_rc != 0 && mp_failed == 0)); then mp_failed=1; fi # e.g. npm ci failed after a test run
    add_counts "miniprogram (npm test)" "${mp_passed:-0}" "$mp_failed" "${mp_skipped:-0}"
  fi
elif [[ ! -f miniprogram/package.json ]]; then
  log "no miniprogram/package.json: skipping the mini program's tests"
fi

# ------------------------------------------------------ restore drill, chaos ---
# #22: a backup of a simulated demo restored into a fresh instance and served by the Api (scripts/restore-drill.sh),
# beside the fault suite: two Apis and two Jobs under store outages and SIGKILLs, nothing lost or doubled
# (scripts/chaos.sh), which mostly waits out its outages. Their ports and work folders are apart; the drill's output
# is prefixed [drill] (all of it in $LOGS/restore-drill.log).
log "restore drill beside the fault suite (output also in $LOGS/restore-drill.log and $LOGS/chaos.log)"
(
  t0=$SECONDS
  set +e
  bash scripts/restore-drill.sh 2>&1 | tee "$LOGS/restore-drill.log" | sed -u 's/^/[drill] /'
  rc=${PIPESTATUS[0]}
  echo $((SECONDS - t0)) >"$LOGS/restore-drill.seconds"
  exit "$rc"
) &
drill_pid=$!
t0=$SECONDS
set +e
bash scripts/chaos.sh 2>&1 | tee "$LOGS/chaos.log"
chaos_rc=${PIPESTATUS[0]}
set -e
t_chaos=$((SECONDS - t0))
set +e
wait "$drill_pid"
drill_rc=$?
set -e
t_drill=$(cat "$LOGS/restore-drill.seconds" 2>/dev/null || echo '?')
if ((drill_rc == 0)); then SUMMARY+=("restore drill: passed"); else SUMMARY+=("restore drill: FAILED (exit $drill_rc, see $LOGS/restore-drill.log)"); fi
if ((chaos_rc == 0)); then SUMMARY+=("fault suite: passed"); else SUMMARY+=("fault suite: FAILED (exit $chaos_rc, see $LOGS/chaos.log)"); fi

# ------------------------------------------------------------------- summary ---
services_down
log "---------------------------------------------------------------- summary"
for line in "${SUMMARY[@]}"; do log "$line"; done
for line in "${FAILED_TESTS[@]}"; do log "FAILED $line"; done
shard_times=
for ((n = 1; n <= SHARDS; n++)); do shard_times+="${shard_times:+, }shard $n $(cat "$LOGS/test-dotnet-$n.seconds" 2>/dev/null || echo '?') s"; done
log "time per phase: services $t_services s, browser packages $t_browser s, build $t_build s, .NET tests $t_dotnet s ($shard_times; $t_browser_tests s of browser test classes within them), miniprogram $t_mp s (beside the .NET tests), fault suite $t_chaos s, restore drill $t_drill s (beside the fault suite)"
log "wall time $SECONDS s"
log "screenshots of the browser tests: .local/test-results/screenshots/"
if ((CI_MODE == 0)); then log "test services left running; stop them with: scripts/services.sh --test down"; fi
# The plain closing line that CI reads: "tests: N passed, N failed, N skipped".
printf 'tests: %d passed, %d failed, %d skipped\n' "$TOTAL_PASSED" "$TOTAL_FAILED" "$TOTAL_SKIPPED"
if ((dotnet_rc != 0 || mp_rc != 0 || drill_rc != 0 || chaos_rc != 0 || TOTAL_FAILED > 0)); then exit 1; fi
