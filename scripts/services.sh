#!/usr/bin/env bash
# services.sh - WxQms's private MariaDB + Redis, run as plain background processes bound to
# 127.0.0.1 (no systemd, no Docker). State lives under .local/services/{dev,test}/ in the repo.
#
# Usage: scripts/services.sh [--test|--drill|--chaos] up|down|status|env
#   up      install the packages if missing, start both servers, create the database and user.
#           Idempotent. Prints the export lines on stdout (logs go to stderr, without the password)
#           and writes them to .local/services/<instance>/env.sh (mode 600)
#   down    stop both (SIGTERM, up to 30 s, then SIGKILL)
#   status  up/down per service; exit 0 only if both are up
#   env     print the export lines: eval "$(scripts/services.sh env)"
#   --test  the test instance (own ports, database and password), runs beside the dev one
#   --drill the restore drill's empty instance (scripts/restore-drill.sh), beside the other two
#   --chaos the fault suite's instance (scripts/chaos.sh stops and restarts its servers), beside the others
#
# Overrides (environment): MARIADB_PORT REDIS_PORT DB_NAME DB_USER DB_PASSWORD MARIADB_BUFFER_POOL
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

usage() {
  printf 'usage: %s [--test|--drill|--chaos] up|down|status|env\n' "$0" >&2
  exit "${1:-2}"
}

INSTANCE=dev
VERB=
for arg in "$@"; do
  case $arg in
    --test) INSTANCE='test' ;;
    --drill) INSTANCE='drill' ;;
    --chaos) INSTANCE='chaos' ;;
    up | down | status | env) [[ -z $VERB ]] || usage; VERB=$arg ;;
    -h | --help) usage 0 ;;
    *) usage ;;
  esac
done
[[ -n $VERB ]] || usage

TAG=services
DOWN_CMD="scripts/services.sh down"
if [[ $INSTANCE != dev ]]; then
  TAG="services:$INSTANCE"
  DOWN_CMD="scripts/services.sh --$INSTANCE down"
fi
log() { printf '[%s] %s\n' "$TAG" "$*" >&2; }
say() { printf '[%s] %s\n' "$TAG" "$*"; } # results (status) go to stdout
die() { log "ERROR: $*"; exit 1; }

# Local sandbox values, not secrets: both servers listen on 127.0.0.1 only.
# The InnoDB buffer pool holds the working set: a district's task table (a million rows with its
# indexes, ~0.5 GB) stays in memory on the dev instance, which bench.sh uses; tests need far less.
if [[ $INSTANCE == test ]]; then
  MARIADB_BUFFER_POOL=${MARIADB_BUFFER_POOL:-256M}
  MARIADB_PORT=${MARIADB_PORT:-33307} REDIS_PORT=${REDIS_PORT:-16380}
  DB_NAME=${DB_NAME:-wxqms_test} DB_PASSWORD=${DB_PASSWORD:-wxqms_test_pw}
elif [[ $INSTANCE == drill ]]; then
  MARIADB_BUFFER_POOL=${MARIADB_BUFFER_POOL:-128M}
  MARIADB_PORT=${MARIADB_PORT:-33807} REDIS_PORT=${REDIS_PORT:-16880}
  DB_NAME=${DB_NAME:-wxqms_drill} DB_PASSWORD=${DB_PASSWORD:-wxqms_drill_pw}
elif [[ $INSTANCE == chaos ]]; then
  MARIADB_BUFFER_POOL=${MARIADB_BUFFER_POOL:-128M}
  MARIADB_PORT=${MARIADB_PORT:-33907} REDIS_PORT=${REDIS_PORT:-16980}
  DB_NAME=${DB_NAME:-wxqms_chaos} DB_PASSWORD=${DB_PASSWORD:-wxqms_chaos_pw}
else
  MARIADB_BUFFER_POOL=${MARIADB_BUFFER_POOL:-1G}
  MARIADB_PORT=${MARIADB_PORT:-33306} REDIS_PORT=${REDIS_PORT:-16379}
  DB_NAME=${DB_NAME:-wxqms} DB_PASSWORD=${DB_PASSWORD:-wxqms_dev_pw}
fi
DB_USER=${DB_USER:-wxqms}

# The values are pasted into SQL and into a ;-separated connection string: keep them plain.
for p in "$MARIADB_PORT" "$REDIS_PORT"; do
  if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then die "invalid port: $p"; fi
done
[[ $DB_NAME =~ ^[A-Za-z0-9_]+$ && $DB_USER =~ ^[A-Za-z0-9_]+$ ]] || die "DB_NAME/DB_USER: letters, digits and _ only"
[[ $DB_PASSWORD =~ ^[A-Za-z0-9_.,:@%+=/-]+$ ]] || die "DB_PASSWORD: no quotes, spaces, ; \$ or backslashes"

STATE=$ROOT/.local/services/$INSTANCE
MDB_DIR=$STATE/mariadb
MDB_DATA=$MDB_DIR/data
MDB_PID=$MDB_DIR/mariadbd.pid
MDB_LOG=$MDB_DIR/error.log
MDB_SOCK=$MDB_DIR/mysqld.sock
RDS_DIR=$STATE/redis
RDS_PID=$RDS_DIR/redis.pid
RDS_LOG=$RDS_DIR/redis.log
# AF_UNIX paths are limited to 108 bytes (with the NUL): a deep checkout gets a socket in /tmp,
# named by a hash of the state dir so that two checkouts never share one.
if (($(printf '%s' "$MDB_SOCK" | wc -c) >= 108)); then
  MDB_SOCK=/tmp/wxqms-$(printf '%s' "$STATE" | sha1sum | cut -c1-12).sock
fi
# mariadb-install-db gives root@localhost (and the installing OS user) unix_socket auth only,
# so provisioning goes over the socket as the current OS user.
OS_USER=$(id -un)

# ------------------------------------------------------------------ install ---
MARIADBD=/usr/sbin/mariadbd

missing_packages() {
  if [[ ! -x $MARIADBD ]] || ! command -v mariadb-install-db >/dev/null; then echo mariadb-server; fi
  if ! command -v mariadb >/dev/null || ! command -v mariadb-admin >/dev/null; then echo mariadb-client; fi
  if ! command -v redis-server >/dev/null; then echo redis-server; fi
  if ! command -v redis-cli >/dev/null; then echo redis-tools; fi
}

POLICY_RC=/usr/sbin/policy-rc.d
POLICY_ADDED=0
remove_policy() {
  if ((POLICY_ADDED)); then rm -f "$POLICY_RC"; POLICY_ADDED=0; fi
}

install_packages() {
  local need
  mapfile -t need < <(missing_packages)
  ((${#need[@]})) || return 0
  # One installer at a time (dev and test instances may start together); re-check after the wait.
  mkdir -p "$ROOT/.local/services"
  exec 8>"$ROOT/.local/services/.install.lock"
  flock -w 900 8 || die "timed out waiting for another services.sh to finish installing"
  mapfile -t need < <(missing_packages)
  ((${#need[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing ${need[*]}; install them as root: sudo apt-get install --no-install-recommends ${need[*]}"
  command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"

  log "installing ${need[*]} with apt-get"
  local t0=$SECONDS updated=0
  # Without systemd, the postinst scripts' invoke-rc.d would run /etc/init.d/{mariadb,redis-server}
  # and start the system instances on 3306/6379. A policy-rc.d that exits 101 forbids that.
  # An existing one (e.g. the machine's own) is respected and left alone.
  if [[ ! -e $POLICY_RC ]]; then
    printf '#!/bin/sh\n# temporary, from WxQms scripts/services.sh\nexit 101\n' >"$POLICY_RC"
    chmod 755 "$POLICY_RC"
    POLICY_ADDED=1
    trap remove_policy EXIT
  fi
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  # A fresh machine may have no package lists at all; otherwise update only when install fails.
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt package lists are empty: apt-get update"
    "${apt[@]}" update >&2 || die "apt-get update failed"
    updated=1
  fi
  if ! "${apt[@]}" install --no-install-recommends "${need[@]}" >&2; then
    ((updated == 0)) || die "apt-get install ${need[*]} failed"
    log "apt-get install failed; running apt-get update and retrying"
    "${apt[@]}" update >&2 || die "apt-get update failed"
    "${apt[@]}" install --no-install-recommends "${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
  fi
  remove_policy
  trap - EXIT
  mapfile -t need < <(missing_packages)
  ((${#need[@]} == 0)) || die "still missing after apt-get install: ${need[*]}"
  log "installed in $((SECONDS - t0)) s"
}

# ------------------------------------------------------------------ helpers ---
# PID 1 on these machines reaps orphans lazily: a SIGKILLed server stays a zombie for a while and
# `kill -0` still succeeds. So "alive" means: exists, is not a zombie, and runs the expected program
# (the comm check also guards against a stale pid file whose pid was reused).
proc_alive() { # pid [comm]
  local out st comm
  out=$(ps -o stat=,comm= -p "$1" 2>/dev/null) || return 1
  read -r st comm <<<"$out"
  [[ -n ${st:-} && $st != Z* ]] || return 1
  [[ -z ${2:-} || $comm == "$2" ]]
}
pidfile_pid() { # file comm -> prints the pid if that process is alive
  local pid
  [[ -s $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  proc_alive "$pid" "$2" || return 1
  printf '%s\n' "$pid"
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
die_port() { # port what envvar
  local holder
  holder=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(.*)' | head -n 1 || true)
  die "127.0.0.1:$1 (for $2) is already in use by another process${holder:+ $holder}; stop it or choose another port with $3=<port>"
}
wait_ready() { # name check-fn pid seconds logfile
  local deadline=$((SECONDS + $4))
  while ((SECONDS < deadline)); do
    "$2" && return 0
    if [[ -n $3 ]] && ! proc_alive "$3"; then
      "$2" && return 0
      log "$1 exited during startup; last lines of $5:"
      tail -n 30 "$5" >&2 || true
      die "$1 did not start"
    fi
    sleep 0.2
  done
  "$2" && return 0
  log "$1 not ready after $4 s; last lines of $5:"
  tail -n 30 "$5" >&2 || true
  die "$1 did not become ready"
}

# ------------------------------------------------------------------ mariadb ---
mdb_ping() {
  mariadb-admin --no-defaults --protocol=socket --socket="$MDB_SOCK" -u"$OS_USER" \
    --connect-timeout=2 ping >/dev/null 2>&1
}
mdb_sql() { mariadb --no-defaults --protocol=socket --socket="$MDB_SOCK" -u"$OS_USER" "$@"; }

start_mariadb() {
  mkdir -p "$MDB_DIR"
  local pid
  if pid=$(pidfile_pid "$MDB_PID" mariadbd); then
    if mdb_ping; then
      local port
      port=$(mdb_sql -N -e 'SELECT @@port' 2>/dev/null || true)
      [[ $port == "$MARIADB_PORT" ]] || die "this instance's mariadb already runs on port ${port:-?}, not $MARIADB_PORT; run \`$DOWN_CMD\` first"
      log "mariadb already running (pid $pid, 127.0.0.1:$MARIADB_PORT)"
      return 0
    fi
    log "mariadb (pid $pid) is running but not answering yet; waiting"
  else
    rm -f "$MDB_PID" # stale after kill -9 or a reboot
    port_busy "$MARIADB_PORT" && die_port "$MARIADB_PORT" mariadb MARIADB_PORT
    if [[ ! -d $MDB_DATA/mysql ]]; then
      log "initialising datadir ${MDB_DATA#"$ROOT"/}"
      rm -rf "$MDB_DATA" # leftovers of an interrupted initialisation
      # --no-defaults keeps /etc/mysql/*.cnf (system datadir, /run/mysqld socket) out of it.
      mariadb-install-db --no-defaults --datadir="$MDB_DATA" --user="$OS_USER" \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$MDB_DIR/install-db.log" 2>&1 ||
        { tail -n 30 "$MDB_DIR/install-db.log" >&2; die "mariadb-install-db failed"; }
    fi
    local as_root=()
    [[ $EUID -ne 0 ]] || as_root=(--user=root) # mariadbd refuses to run as root without it
    log "starting mariadbd on 127.0.0.1:$MARIADB_PORT"
    # 8>&- 9>&-: the servers must not inherit our flock fds, or they would hold the locks for
    # their whole life and the next `up` would wait for them.
    # setsid: own session, so a Ctrl-C in run.sh's terminal does not reach the server. In a
    # script the background job is no process-group leader, so setsid execs in place and $! is
    # mariadbd's pid.
    # Without a config file character_set_server would be latin1; UTC keeps NOW() in line with
    # DateTimeKind=Utc; flush-at-commit=2 trades the last second of a crash for fewer fsyncs.
    setsid nohup "$MARIADBD" --no-defaults "${as_root[@]}" \
      --datadir="$MDB_DATA" --socket="$MDB_SOCK" --pid-file="$MDB_PID" --log-error="$MDB_LOG" \
      --port="$MARIADB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --default-time-zone=+00:00 --innodb-flush-log-at-trx-commit=2 --max-connections=500 \
      --innodb-buffer-pool-size="$MARIADB_BUFFER_POOL" \
      </dev/null >"$MDB_DIR/stdout.log" 2>&1 8>&- 9>&- &
    pid=$!
  fi
  wait_ready mariadb mdb_ping "$pid" 90 "$MDB_LOG"
  log "mariadb ready (pid $pid)"
}

provision_mariadb() {
  # Cheap and idempotent, so it runs on every `up` (it also re-syncs a changed DB_PASSWORD).
  # `wxqms%` lets the tests create and drop extra databases named wxqms_*.
  local extra=
  [[ $DB_NAME == wxqms* ]] || extra="GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'%';"
  mdb_sql <<SQL || die "could not create database $DB_NAME / user $DB_USER"
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
ALTER USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`wxqms%\`.* TO '$DB_USER'@'%';
$extra
SQL
}

# -------------------------------------------------------------------- redis ---
# timeout: a foreign server on the port may accept the connection and never answer.
rds_cli() { timeout 5 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
rds_ping() { [[ $(rds_cli ping 2>/dev/null) == PONG ]]; }
# The Redis answering on our port is ours if its working dir is our state dir.
rds_ours() { [[ $(rds_cli config get dir 2>/dev/null | sed -n 2p) == "$RDS_DIR" ]]; }
rds_pid() { # from the pid file, else from the server itself (pid file lost)
  pidfile_pid "$RDS_PID" redis-server && return 0
  rds_ping || return 1
  rds_ours || return 1
  rds_cli info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p'
}

start_redis() {
  mkdir -p "$RDS_DIR"
  local pid
  if rds_ping; then
    rds_ours || die "127.0.0.1:$REDIS_PORT answers as another Redis (not ${RDS_DIR#"$ROOT"/}); stop it or choose another port with REDIS_PORT=<port>"
    log "redis already running (pid $(rds_pid || echo '?'), 127.0.0.1:$REDIS_PORT)"
    return 0
  fi
  if pid=$(pidfile_pid "$RDS_PID" redis-server); then
    # Redis titles itself "redis-server 127.0.0.1:<port>": catch a changed REDIS_PORT.
    [[ $(ps -o args= -p "$pid") == *":$REDIS_PORT"* ]] ||
      die "this instance's redis (pid $pid) runs on another port than $REDIS_PORT; run \`$DOWN_CMD\` first"
    log "redis (pid $pid) is running but not answering yet; waiting"
  else
    port_busy "$REDIS_PORT" && die_port "$REDIS_PORT" redis REDIS_PORT
    log "starting redis-server on 127.0.0.1:$REDIS_PORT (no persistence)"
    rm -f "$RDS_PID"
    # No config file, so Debian's /etc/redis/redis.conf (6379, /var/lib/redis) is not read.
    # Redis daemonizes itself (fork + setsid) and writes the pid file.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
      --save '' --appendonly no --dir "$RDS_DIR" \
      --daemonize yes --pidfile "$RDS_PID" --logfile "$RDS_LOG" 8>&- 9>&- ||
      { tail -n 30 "$RDS_LOG" >&2 || true; die "redis-server did not start"; }
    pid=
  fi
  wait_ready redis rds_ping "$pid" 30 "$RDS_LOG"
  rds_ours || die "127.0.0.1:$REDIS_PORT answers, but not as this instance's Redis"
  log "redis ready (pid $(rds_pid || echo '?'))"
}

# --------------------------------------------------------------------- stop ---
stop_pid() { # name pid
  local name=$1 pid=$2 i
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.1
  done
  log "$name still running after 30 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    proc_alive "$pid" || return 0
    sleep 0.1
  done
  die "$name (pid $pid) survived SIGKILL"
}

stop_all() {
  local pid
  if pid=$(rds_pid); then stop_pid redis "$pid"; else log "redis not running"; fi
  rm -f "$RDS_PID"
  if pid=$(pidfile_pid "$MDB_PID" mariadbd); then stop_pid mariadb "$pid"; else log "mariadb not running"; fi
  rm -f "$MDB_PID"
}

# -------------------------------------------------------------------- print ---
env_lines() {
  printf 'export ConnectionStrings__MySql="Server=127.0.0.1;Port=%s;Database=%s;User ID=%s;Password=%s;DateTimeKind=Utc"\n' \
    "$MARIADB_PORT" "$DB_NAME" "$DB_USER" "$DB_PASSWORD"
  printf 'export ConnectionStrings__Redis="127.0.0.1:%s,abortConnect=false"\n' "$REDIS_PORT"
}

status() {
  local rc=0 pid
  if pid=$(pidfile_pid "$MDB_PID" mariadbd) && mdb_ping; then
    say "mariadb: up (pid $pid, 127.0.0.1:$MARIADB_PORT, database $DB_NAME)"
  else
    say "mariadb: down"
    rc=1
  fi
  if rds_ping && rds_ours; then
    say "redis: up (pid $(rds_pid || echo '?'), 127.0.0.1:$REDIS_PORT)"
  else
    say "redis: down"
    rc=1
  fi
  return "$rc"
}

lock_state() {
  # Two `up`s of the same instance at once (run.sh in two terminals) must not race.
  mkdir -p "$STATE"
  exec 9>"$STATE/.lock"
  flock -w 300 9 || die "timed out waiting for another services.sh on ${STATE#"$ROOT"/}"
}

case $VERB in
  up)
    lock_state
    install_packages
    start_mariadb
    provision_mariadb
    start_redis
    # env.sh holds the database password: readable by its owner only. umask applies to new files,
    # so a tmp file left by an interrupted run is removed first; mv replaces env.sh with the new file.
    rm -f "$STATE/env.sh.tmp"
    (umask 077 && env_lines >"$STATE/env.sh.tmp") && mv "$STATE/env.sh.tmp" "$STATE/env.sh"
    # Logs end up in CI output and terminals: no password here (-p alone asks for it).
    log "mariadb shell: mariadb --no-defaults -h127.0.0.1 -P$MARIADB_PORT -u$DB_USER -p $DB_NAME (password in ${STATE#"$ROOT"/}/env.sh)"
    log "redis shell:   redis-cli -p $REDIS_PORT"
    cat "$STATE/env.sh"
    ;;
  down)
    lock_state
    stop_all
    ;;
  status) status ;;
  env) env_lines ;;
esac
