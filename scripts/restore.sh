#!/usr/bin/env bash
# restore.sh - puts a backup made by backup.sh back: the database into an EMPTY database, the photos into the store.
#
# Usage: scripts/restore.sh BACKUP          (BACKUP = DEST/<stamp> or DEST/latest of scripts/backup.sh)
#   Reads the target from the hosts' settings: ConnectionStrings__MySql (its database must exist and hold no tables:
#   a restore never overwrites a live database) and Storage__Root (default .local/uploads).
#   Every photo the backup names is copied into the store and checked against its hash; the rows per table are
#   compared with the backup's tables.tsv. Exit status 0 only when both agree. Start the hosts afterwards: the
#   schema is the backup's, so run the same release (or a newer one: `WxQms.Jobs migrate` first).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
log() { printf '[restore] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $# -eq 1 && -d $1 ]] || die "usage: scripts/restore.sh DEST/<stamp>  (a folder written by scripts/backup.sh)"
BACKUP=$(cd "$1" && pwd -P)
PHOTOS=$(dirname "$BACKUP")/photos
for f in db.sql.gz tables.tsv photos.sha256; do [[ -f $BACKUP/$f ]] || die "$BACKUP/$f is missing: not a complete backup"; done
STORE=${Storage__Root:-$ROOT/.local/uploads}
[[ -n ${ConnectionStrings__MySql:-} ]] || die "ConnectionStrings__MySql is not set (the database to restore into)"

# shellcheck source=scripts/lib/mysql-conn.sh
source "$ROOT/scripts/lib/mysql-conn.sh"
mysql_conn_parse "$ConnectionStrings__MySql" || die "ConnectionStrings__MySql has no Server/Database/User ID"

t0=$SECONDS
existing=$(mysql_q "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()") \
  || die "cannot reach database $DB_NAME on $DB_HOST:$DB_PORT"
((existing == 0)) || die "database $DB_NAME on $DB_HOST:$DB_PORT already has $existing tables: restore into an empty one"

log "loading $(basename "$BACKUP")/db.sql.gz into $DB_NAME on $DB_HOST:$DB_PORT"
gunzip -c "$BACKUP/db.sql.gz" | MYSQL_PWD=$DB_PASSWORD "$(mysql_client)" --no-defaults -h"$DB_HOST" -P"$DB_PORT" \
  -u"$DB_USER" --default-character-set=utf8mb4 "$DB_NAME" || die "loading the dump failed"

mysql_counts >"$BACKUP/.restored-tables.tsv" || die "could not count the restored rows"
if ! diff -q "$BACKUP/tables.tsv" "$BACKUP/.restored-tables.tsv" >/dev/null; then
  diff "$BACKUP/tables.tsv" "$BACKUP/.restored-tables.tsv" >&2 || true
  die "the restored rows per table differ from the backup's (above: < backup, > restored)"
fi
rm -f "$BACKUP/.restored-tables.tsv"

mkdir -p "$STORE"
photos=0 bytes=0
while read -r sha rel; do
  [[ -n $sha ]] || continue
  [[ -f $PHOTOS/$rel ]] || die "photo $rel is named by the backup but missing from $PHOTOS"
  target=$STORE/$rel
  if [[ ! -f $target ]]; then
    mkdir -p "$(dirname "$target")"
    cp "$PHOTOS/$rel" "$target.part" && mv "$target.part" "$target"
  fi
  [[ $(sha256sum "$target" | cut -d' ' -f1) == "$sha" ]] || die "photo $rel in $STORE does not hash to its name"
  photos=$((photos + 1))
  bytes=$((bytes + $(stat -c %s "$target")))
done <"$BACKUP/photos.sha256"

printf 'restored %s: %s tables, %s rows (equal to the backup'"'"'s); %s photos (%s bytes) in %s, each checked by hash; %s s\n' \
  "$(basename "$BACKUP")" "$(wc -l <"$BACKUP/tables.tsv")" "$(awk -F'\t' '{s += $2} END {print s + 0}' "$BACKUP/tables.tsv")" \
  "$photos" "$bytes" "$STORE" $((SECONDS - t0))
