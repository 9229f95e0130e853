#!/usr/bin/env bash
# backup.sh - a consistent backup of WxQms: the database in one transaction, then the photo store by hash.
#
# Usage: scripts/backup.sh DEST
#   Reads the same settings as the hosts: ConnectionStrings__MySql and Storage__Root (default .local/uploads).
#   Writes DEST/<UTC stamp>/db.sql.gz      the dump (mariadb-dump or mysqldump, --single-transaction: no locks)
#          DEST/<UTC stamp>/photos.sha256  "sha256  relative path" of every photo a row names (the restore checks it)
#          DEST/<UTC stamp>/tables.tsv     rows per table at the dump (what the drill compares)
#          DEST/photos/ab/<sha256>.<ext>   the photos: named by their hash, so each is copied once into DEST however
#                                          many backups share it, and a copy whose hash differs is refused
#   and prints one summary line. Exit status 0 only when every named photo is in DEST with its hash.
#
# Order matters: the dump is taken first, the photos after. A photo reaches the store before any row names it and is
# never removed while named, so every photo the dump names is on disk when the copy runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
log() { printf '[backup] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $# -eq 1 && -n $1 ]] || die "usage: scripts/backup.sh DEST"
DEST=$(mkdir -p "$1" && cd "$1" && pwd -P)
STORE=${Storage__Root:-$ROOT/.local/uploads}
[[ -n ${ConnectionStrings__MySql:-} ]] || die "ConnectionStrings__MySql is not set (eval \"\$(scripts/services.sh env)\" for the local instance)"

# shellcheck source=scripts/lib/mysql-conn.sh
source "$ROOT/scripts/lib/mysql-conn.sh"
mysql_conn_parse "$ConnectionStrings__MySql" || die "ConnectionStrings__MySql has no Server/Database/User ID"
DUMP=$(command -v mariadb-dump || command -v mysqldump) || die "neither mariadb-dump nor mysqldump is installed"

t0=$SECONDS
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$DEST/$STAMP
mkdir -p "$OUT" "$DEST/photos"
umask 077 # a dump holds personal data: readable by its owner only

log "dumping $DB_NAME from $DB_HOST:$DB_PORT"
# --single-transaction: one consistent InnoDB snapshot without locking; --no-tablespaces needs no PROCESS privilege.
MYSQL_PWD=$DB_PASSWORD "$DUMP" --no-defaults -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USER" --single-transaction --quick \
  --routines --triggers --hex-blob --no-tablespaces --default-character-set=utf8mb4 "$DB_NAME" \
  | gzip -6 >"$OUT/db.sql.gz.part" || die "the dump failed"
mv "$OUT/db.sql.gz.part" "$OUT/db.sql.gz"
mysql_counts >"$OUT/tables.tsv" || die "could not count the tables' rows"
mysql_named_photos >"$OUT/photos.sha256" || die "could not list the photos the database names"

# Photos: copy what DEST does not have yet (by name = by hash), checking the hash of each copy.
copied=0 present=0 bytes=0
while read -r sha rel; do
  [[ -n $sha ]] || continue
  target=$DEST/photos/$rel
  if [[ -f $target ]]; then present=$((present + 1)); continue; fi
  [[ -f $STORE/$rel ]] || die "photo $rel is named by the database but missing from $STORE"
  mkdir -p "$(dirname "$target")"
  cp "$STORE/$rel" "$target.part"
  [[ $(sha256sum "$target.part" | cut -d' ' -f1) == "$sha" ]] || { rm -f "$target.part"; die "photo $rel does not hash to its name"; }
  mv "$target.part" "$target"
  copied=$((copied + 1))
  bytes=$((bytes + $(stat -c %s "$target")))
done <"$OUT/photos.sha256"

ln -sfn "$STAMP" "$DEST/latest"
printf 'backup %s: %s tables, %s rows, dump %s bytes; photos %s named, %s copied (%s bytes), %s already in %s; %s s\n' \
  "$STAMP" "$(wc -l <"$OUT/tables.tsv")" "$(awk -F'\t' '{s += $2} END {print s + 0}' "$OUT/tables.tsv")" \
  "$(stat -c %s "$OUT/db.sql.gz")" "$(wc -l <"$OUT/photos.sha256")" "$copied" "$bytes" "$present" "$DEST" $((SECONDS - t0))
