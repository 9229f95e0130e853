# mysql-conn.sh - sourced by backup.sh, restore.sh and restore-drill.sh: reads a MySqlConnector connection string
# (the hosts' ConnectionStrings__MySql) and runs the client with it, the password in MYSQL_PWD, never on a command line.
# shellcheck shell=bash

# mysql_conn_parse "Server=…;Port=…;Database=…;User ID=…;Password=…" -> DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD
mysql_conn_parse() {
  DB_HOST=127.0.0.1 DB_PORT=3306 DB_NAME= DB_USER= DB_PASSWORD=
  local part key value
  local IFS=';'
  for part in $1; do
    [[ $part == *=* ]] || continue
    key=${part%%=*} value=${part#*=}
    key=${key,,} key=${key// /}
    case $key in
      server | host | datasource | address) DB_HOST=$value ;;
      port) DB_PORT=$value ;;
      database | initialcatalog) DB_NAME=$value ;;
      userid | user | uid | username) DB_USER=$value ;;
      password | pwd) DB_PASSWORD=$value ;;
    esac
  done
  [[ -n $DB_HOST && -n $DB_NAME && -n $DB_USER && $DB_NAME =~ ^[A-Za-z0-9_]+$ ]]
}

mysql_client() { command -v mariadb || command -v mysql; }

# mysql_q SQL -> tab-separated rows, no header
mysql_q() {
  MYSQL_PWD=$DB_PASSWORD "$(mysql_client)" --no-defaults -h"$DB_HOST" -P"$DB_PORT" -u"$DB_USER" \
    --default-character-set=utf8mb4 -N -B "$DB_NAME" -e "$1"
}

# mysql_counts -> "table<TAB>rows" for every base table, exact (COUNT(*), not the statistics' estimate)
mysql_counts() {
  local tables sql= t
  tables=$(mysql_q "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name") || return 1
  for t in $tables; do
    sql+="${sql:+ UNION ALL }SELECT '$t', COUNT(*) FROM \`$t\`"
  done
  [[ -n $sql ]] || return 0
  mysql_q "$sql"
}

# mysql_named_photos -> "sha256 relative-path" for every photo a row names (tables with sha256 and storage_path)
mysql_named_photos() {
  local tables sql= t
  tables=$(mysql_q "SELECT table_name FROM information_schema.columns WHERE table_schema = DATABASE() AND column_name IN ('sha256', 'storage_path') GROUP BY table_name HAVING COUNT(*) = 2 ORDER BY table_name") || return 1
  for t in $tables; do
    sql+="${sql:+ UNION }SELECT sha256, storage_path FROM \`$t\` WHERE storage_path IS NOT NULL"
  done
  [[ -n $sql ]] || return 0
  mysql_q "SELECT * FROM ($sql) photos ORDER BY 2" | tr '\t' ' '
}
