#!/usr/bin/env bash
# test.sh - README command 2 (CI runs it through .ci/run): every .NET test, then the mini program's.
#   services (test instance) -> browser packages (chromium, fonts-noto-cjk; installed once)
#   -> dotnet test WxQms.sln (Debug) -> npm ci + npm test in miniprogram/ -> scripts/restore-drill.sh -> scripts/chaos.sh
#   -> counts per test assembly, wall time, and a closing "tests: N passed, N failed, N skipped".
# The test services stay up for faster reruns, except with CI=true.
# Full output: .local/logs/test-dotnet.log, .local/logs/test-miniprogram.log.
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

# -------------------------------------------------------------------- dotnet ---
# Console verbosity "normal" lists every test but drops the per-assembly "Passed!" line, so
# the counts come from one trx file per assembly.
bash scripts/vendor.sh || die "the pages' browser libraries could not be installed (errors above)"
rm -rf "$RESULTS"
log "dotnet test WxQms.sln -c Debug (output also in $LOGS/test-dotnet.log)"
t0=$SECONDS
set +e
dotnet test WxQms.sln -c Debug --nologo --logger "console;verbosity=normal" \
  --logger trx --results-directory "$RESULTS" 2>&1 | tee "$LOGS/test-dotnet.log"
dotnet_rc=${PIPESTATUS[0]}
set -e
t_dotnet=$((SECONDS - t0))

SUMMARY=()
TOTAL_PASSED=0 TOTAL_FAILED=0 TOTAL_SKIPPED=0
add_counts() { # label passed failed skipped
  SUMMARY+=("$1: $2 passed, $3 failed, $4 skipped")
  TOTAL_PASSED=$((TOTAL_PASSED + $2)) TOTAL_FAILED=$((TOTAL_FAILED + $3)) TOTAL_SKIPPED=$((TOTAL_SKIPPED + $4))
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
  add_counts "${name:-$(basename "$trx")}" "$(count passed)" "$failed" "$(($(count total) - $(count executed)))"
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
  add_counts "dotnet test (exit $dotnet_rc, no failed test counted: build error or aborted run; see $LOGS/test-dotnet.log)" 0 1 0
elif ((dotnet_executed == 0)); then
  # A run that tested nothing (no test project found, every test filtered out or skipped) proves nothing.
  add_counts "dotnet test (no .NET test ran: ${#trx_files[@]} trx file(s) in $RESULTS, 0 tests executed; see $LOGS/test-dotnet.log)" 0 1 0
fi

# --------------------------------------------------------------- miniprogram ---
mp_rc=0
t_mp=0
if [[ -f miniprogram/package.json ]]; then
  t0=$SECONDS
  log "miniprogram: install and npm test (output also in $LOGS/test-miniprogram.log)"
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
  ) 2>&1 | tee "$LOGS/test-miniprogram.log"
  mp_rc=${PIPESTATUS[0]}
  set -e
  t_mp=$((SECONDS - t0))

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
else
  log "no miniprogram/package.json: skipping the mini program's tests"
fi

# ------------------------------------------------------------ restore drill ---
# #22: a backup of a simulated demo restored into a fresh instance and served by the Api (scripts/restore-drill.sh).
t0=$SECONDS
log "restore drill (output also in $LOGS/restore-drill.log)"
set +e
bash scripts/restore-drill.sh 2>&1 | tee "$LOGS/restore-drill.log"
drill_rc=${PIPESTATUS[0]}
set -e
t_drill=$((SECONDS - t0))
if ((drill_rc == 0)); then SUMMARY+=("restore drill: passed"); else SUMMARY+=("restore drill: FAILED (exit $drill_rc, see $LOGS/restore-drill.log)"); fi

# -------------------------------------------------------------------- chaos ---
# #22: two Apis and two Jobs under store outages and SIGKILLs, nothing lost or doubled (scripts/chaos.sh).
t0=$SECONDS
log "fault suite (output also in $LOGS/chaos.log)"
set +e
bash scripts/chaos.sh 2>&1 | tee "$LOGS/chaos.log"
chaos_rc=${PIPESTATUS[0]}
set -e
t_chaos=$((SECONDS - t0))
if ((chaos_rc == 0)); then SUMMARY+=("fault suite: passed"); else SUMMARY+=("fault suite: FAILED (exit $chaos_rc, see $LOGS/chaos.log)"); fi

# ------------------------------------------------------------------- summary ---
services_down
log "---------------------------------------------------------------- summary"
for line in "${SUMMARY[@]}"; do log "$line"; done
for line in "${FAILED_TESTS[@]}"; do log "FAILED $line"; done
log "wall time $SECONDS s (services $t_services s, browser packages $t_browser s, dotnet test $t_dotnet s, miniprogram $t_mp s, restore drill $t_drill s, fault suite $t_chaos s)"
log "screenshots of the browser tests: .local/test-results/screenshots/"
if ((CI_MODE == 0)); then log "test services left running; stop them with: scripts/services.sh --test down"; fi
# The plain closing line that CI reads: "tests: N passed, N failed, N skipped".
printf 'tests: %d passed, %d failed, %d skipped\n' "$TOTAL_PASSED" "$TOTAL_FAILED" "$TOTAL_SKIPPED"
if ((dotnet_rc != 0 || mp_rc != 0 || drill_rc != 0 || chaos_rc != 0 || TOTAL_FAILED > 0)); then exit 1; fi
