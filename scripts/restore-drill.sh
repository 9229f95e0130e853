#!/usr/bin/env bash
# restore-drill.sh - proves that a backup can be restored (test.sh runs it after the tests, so CI does too):
#   1. a realistic source: the demo subdistrict seeded and its year simulated (Jobs migrate, seed, simulate) into the
#      database wxqms_drill_src of the test instance, with its own photo store;
#   2. scripts/backup.sh of it;
#   3. a fresh MariaDB + Redis (scripts/services.sh --drill, a new data folder each time) and scripts/restore.sh into it
#      (rows per table and every photo's hash checked there);
#   4. the Api started on the restored instance: ready, the rows and the latest monthly snapshot equal the source's,
#      the public showcase names the snapshot's 最in社区, and every photo it links answers with the bytes of its hash.
# Prints the figures and "restore drill: passed" (exit 0), or what differed (exit 1).
#
# Ports: the source is the test instance (MARIADB_PORT / REDIS_PORT as for test.sh, defaults 33307 / 16380); the drill's
# instance and Api use DRILL_MARIADB_PORT / DRILL_REDIS_PORT / DRILL_API_PORT, by default those plus 500 (and 8580).
# Uses the Debug build test.sh made (builds it when missing). Work files: .local/drill/ (replaced on each run).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
log() { printf '[drill] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; log "restore drill: FAILED"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
SRC_MARIADB_PORT=${MARIADB_PORT:-33307}
SRC_REDIS_PORT=${REDIS_PORT:-16380}
DRILL_MARIADB_PORT=${DRILL_MARIADB_PORT:-$((SRC_MARIADB_PORT + 500))}
DRILL_REDIS_PORT=${DRILL_REDIS_PORT:-$((SRC_REDIS_PORT + 500))}
DRILL_API_PORT=${DRILL_API_PORT:-$((${WXQMS_PORT:-8080} + 500))}
WORK=$ROOT/.local/drill
API_DIR=$ROOT/WxQms.Api
API_DLL=bin/Debug/net10.0/WxQms.Api.dll # relative to API_DIR, as run.sh starts it
JOBS_DLL=$ROOT/WxQms.Jobs/bin/Debug/net10.0/WxQms.Jobs.dll
BASE_URL=http://127.0.0.1:$DRILL_API_PORT
API_PID=

# shellcheck source=scripts/lib/mysql-conn.sh
source "$ROOT/scripts/lib/mysql-conn.sh"

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
  if [[ -n $API_PID ]]; then kill "$API_PID" 2>/dev/null || true; wait "$API_PID" 2>/dev/null || true; fi
  MARIADB_PORT=$DRILL_MARIADB_PORT REDIS_PORT=$DRILL_REDIS_PORT bash scripts/services.sh --drill down >/dev/null 2>&1 || true
}
trap cleanup EXIT

t_start=$SECONDS
rm -rf "$WORK"
mkdir -p "$WORK"
if [[ ! -f $API_DIR/$API_DLL || ! -f $JOBS_DLL ]]; then
  log "building WxQms.sln (Debug)"
  dotnet build WxQms.sln -c Debug --nologo -v quiet >&2 || die "build failed"
fi
bash scripts/vendor.sh >&2 || die "the pages' browser libraries could not be installed"

# The hosts' sandbox settings, as run.sh gives them (the demo's WeChat is the sandbox of the Api started below).
export ASPNETCORE_ENVIRONMENT=Sandbox DOTNET_ENVIRONMENT=Sandbox Wechat__Sandbox__Enabled=true
export Wechat__ApiBase=$BASE_URL/sandbox/wechat Wechat__OpenBase=$BASE_URL/sandbox/open Wechat__Sandbox__CallbackBase=$BASE_URL
export Bot__PublicBase=$BASE_URL Wishes__PublicBase=$BASE_URL Wechat__Pay__ApiBase=$BASE_URL/sandbox/wechat
export Wechat__Pay__NotifyUrl=$BASE_URL/wechat/pay/notify
unset Clock__Now

# ------------------------------------------------------------------- source ---
t0=$SECONDS
src_env=$(MARIADB_PORT=$SRC_MARIADB_PORT REDIS_PORT=$SRC_REDIS_PORT bash scripts/services.sh --test up) || die "the test instance did not start"
test_mysql=$(eval "$src_env" && printenv ConnectionStrings__MySql)
test_redis=$(eval "$src_env" && printenv ConnectionStrings__Redis)
mysql_conn_parse "$test_mysql" || die "cannot read the test instance's connection string"
mysql_q "DROP DATABASE IF EXISTS wxqms_drill_src; CREATE DATABASE wxqms_drill_src CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" \
  || die "could not create wxqms_drill_src"
SRC_MYSQL=${test_mysql/Database=$DB_NAME/Database=wxqms_drill_src}
SRC_REDIS="$test_redis,defaultDatabase=7" # its own Redis database: nothing cached by the tests leaks into it
redis-cli -h 127.0.0.1 -p "$SRC_REDIS_PORT" -n 7 FLUSHDB >/dev/null || die "cannot reach the test instance's Redis"
jobs_src() {
  ConnectionStrings__MySql=$SRC_MYSQL ConnectionStrings__Redis=$SRC_REDIS Storage__Root=$WORK/source-photos \
    dotnet "$JOBS_DLL" "$@" >>"$WORK/source.log" 2>&1 || { tail -n 30 "$WORK/source.log" >&2; die "WxQms.Jobs $1 failed on the source"; }
}
log "source: the demo seeded and its year simulated into wxqms_drill_src (log: ${WORK#"$ROOT"/}/source.log)"
jobs_src migrate
jobs_src seed
jobs_src simulate
t_source=$((SECONDS - t0))

# ------------------------------------------------------------------- backup ---
t0=$SECONDS
backup_line=$(ConnectionStrings__MySql=$SRC_MYSQL Storage__Root=$WORK/source-photos bash scripts/backup.sh "$WORK/backups") \
  || die "the backup failed"
t_backup=$((SECONDS - t0))

# ------------------------------------------------------------------ restore ---
t0=$SECONDS
MARIADB_PORT=$DRILL_MARIADB_PORT REDIS_PORT=$DRILL_REDIS_PORT bash scripts/services.sh --drill down >/dev/null 2>&1 || true
rm -rf "$ROOT/.local/services/drill" # a fresh instance: a new data folder
drill_env=$(MARIADB_PORT=$DRILL_MARIADB_PORT REDIS_PORT=$DRILL_REDIS_PORT bash scripts/services.sh --drill up) \
  || die "the drill's instance did not start"
DRILL_MYSQL=$(eval "$drill_env" && printenv ConnectionStrings__MySql)
DRILL_REDIS=$(eval "$drill_env" && printenv ConnectionStrings__Redis)
restore_line=$(ConnectionStrings__MySql=$DRILL_MYSQL Storage__Root=$WORK/restored-photos bash scripts/restore.sh "$WORK/backups/latest") \
  || die "the restore failed"
t_restore=$((SECONDS - t0))

# ---------------------------------------------------------------- the Api ---
t0=$SECONDS
(cd "$API_DIR" && ConnectionStrings__MySql=$DRILL_MYSQL ConnectionStrings__Redis=$DRILL_REDIS \
  Storage__Root=$WORK/restored-photos exec dotnet "$API_DLL" --urls "$BASE_URL") </dev/null >"$WORK/api.log" 2>&1 &
API_PID=$!
ready=
for _ in $(seq 1 240); do
  if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$BASE_URL/readyz" || true) == 200 ]]; then ready=1; break; fi
  kill -0 "$API_PID" 2>/dev/null || break
  sleep 0.25
done
[[ -n $ready ]] || { tail -n 30 "$WORK/api.log" >&2; die "the Api on the restored instance did not become ready"; }
t_api=$((SECONDS - t0))

# The latest monthly snapshot, row by row, on both sides.
snapshot() { # connection string -> "period rows checksum" of the latest closed month
  mysql_conn_parse "$1"
  mysql_q "SELECT c.period_key, COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', r.org_id, r.name, r.possible, r.earned, r.carried, r.tasks,
             r.missed, r.ratio, r.community_rank))), 0)
           FROM assessment_closes c JOIN assessment_org_results r ON r.period_key = c.period_key
           WHERE c.period_key = (SELECT MAX(period_key) FROM assessment_closes) GROUP BY c.period_key"
}
src_snapshot=$(snapshot "$SRC_MYSQL")
drill_snapshot=$(snapshot "$DRILL_MYSQL")
[[ -n $src_snapshot ]] || die "the source has no closed month: the simulated year should have closed some"
[[ $src_snapshot == "$drill_snapshot" ]] || die "the latest snapshot differs: source '$src_snapshot', restored '$drill_snapshot'"
read -r snap_period snap_rows _ <<<"$src_snapshot"

# Through the restored Api: the showcase names the snapshot's top community, and every photo it links is served intact.
index=$(curl -sf --max-time 10 "$BASE_URL/h5/communities") || die "GET /h5/communities failed on the restored Api"
mysql_conn_parse "$DRILL_MYSQL"
top=$(mysql_q "SELECT name FROM assessment_org_results WHERE period_key = '$snap_period' AND depth = 1 AND community_rank = 1 ORDER BY org_id LIMIT 1")
[[ -z $top || $index == *"$top"* ]] || die "the showcase does not name $top, first in $snap_period"
served=0
for community in $(grep -oE 'href="/h5/communities/[0-9]+"' <<<"$index" | sed -E 's/.*\/([0-9]+)"/\1/' | sort -un); do
  page=$(curl -sf --max-time 10 "$BASE_URL/h5/communities/$community") || die "GET /h5/communities/$community failed"
  for path in $(grep -oE "/h5/communities/$community/(photos/[0-9a-f]{64}|scenes/[0-9]+/image)" <<<"$page" | sort -u); do
    sha=$(curl -sf --max-time 10 "$BASE_URL$path" | sha256sum | cut -d' ' -f1)
    if [[ $path == */photos/* ]]; then
      [[ $sha == "${path##*/}" ]] || die "$path does not answer with the bytes of its hash"
    else
      grep -q "^$sha " "$WORK/backups/latest/photos.sha256" || die "$path answers with bytes the backup never had"
    fi
    served=$((served + 1))
  done
done
((served > 0)) || die "the restored showcase links no photo at all: nothing was checked through the Api"

log "$backup_line"
log "$restore_line"
log "snapshot $snap_period: $snap_rows org rows equal on both sides; the restored Api ready in $t_api s, $served photos served by hash"
log "times: source $t_source s, backup $t_backup s, restore $t_restore s, total $((SECONDS - t_start)) s"
log "restore drill: passed"
