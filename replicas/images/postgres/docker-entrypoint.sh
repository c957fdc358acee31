#!/bin/bash
# The official postgres image's entrypoint contract, in short: initialise PGDATA
# on first start from POSTGRES_* variables, run /docker-entrypoint-initdb.d, then
# exec postgres as the postgres user. fsync stays on: drills measure lost writes.
set -euo pipefail

if [ "${1:-}" = "postgres" ]; then
  if [ "$(id -u)" = "0" ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
  fi

  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != "trust" ]; then
      echo "error: POSTGRES_PASSWORD is not set; set it (or POSTGRES_HOST_AUTH_METHOD=trust for a throwaway database)" >&2
      exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
    # shellcheck disable=SC2086
    initdb --username="$user" --pwfile="$pwfile" -D "$PGDATA" \
      --encoding=UTF8 --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} >/dev/null
    rm -f "$pwfile"
    echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    # The runbook's slow-query diagnostics read pg_stat_statements.
    echo "shared_preload_libraries = 'pg_stat_statements'" >> "$PGDATA/postgresql.conf"
    # Room for administrators when clients have taken every ordinary slot: the runbook's
    # connection diagnostics must still get in (the default 3 is one diagnostics snapshot).
    echo "superuser_reserved_connections = 10" >> "$PGDATA/postgresql.conf"

    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$db" != "postgres" ]; then
      psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -q \
        -c "CREATE DATABASE \"$db\"" >/dev/null
    fi
    psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -q \
      -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
    # The service's own login, not a superuser: it owns the database (and so may create
    # its tables) but cannot take the slots reserved for administrators.
    if [ -n "${APP_DB_USER:-}" ]; then
      psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -q \
        -v app_user="$APP_DB_USER" -v app_pw="${APP_DB_PASSWORD:-}" -v db="$db" >/dev/null <<'SQL'
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_pw';
ALTER DATABASE :"db" OWNER TO :"app_user";
SQL
    fi
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sql) psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -q -f "$f" ;;
        *.sh) . "$f" ;;
        *) ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "PostgreSQL init process complete; ready for start up."
  fi
fi

exec "$@"
