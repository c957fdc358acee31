#!/bin/bash
# The official postgres image's entrypoint contract, in short: initialise PGDATA
# on first start from POSTGRES_* variables, run /docker-entrypoint-initdb.d, then
# exec postgres as the postgres user. fsync stays on in the server the drill meets:
# drills measure lost writes. The first start's setup alone (initdb, the setup
# server) runs without fsync: those files reach the disk when the kernel writes
# them, which a killed container does not stop, and a replica outlives no host.
set -euo pipefail

if [ "${1:-}" = "postgres" ]; then
  if [ "$(id -u)" = "0" ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    if [ -n "${ARCHIVE_DIR:-}" ]; then
      mkdir -p "$ARCHIVE_DIR"
      chown postgres:postgres "$ARCHIVE_DIR" "$(dirname "$ARCHIVE_DIR")"
    fi
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
  fi

  if [ ! -s "$PGDATA/PG_VERSION" ] && [ -n "${PRIMARY_HOST:-}" ]; then
    # A streaming standby: a base backup of the primary (retried until the primary
    # answers), then following it. It never archives and, once promoted, waits for
    # no standby of its own. The primary's checkpoint for the backup is immediate:
    # the default spreads it, and a standby started after the service had written
    # waited 8 s for its backup (ready 11-13 s after the drill began, not 4-6 s).
    export PGPASSWORD="${REPLICATION_PASSWORD:-}"
    until pg_basebackup -h "$PRIMARY_HOST" -U "${REPLICATION_USER:-replicator}" -D "$PGDATA" -X stream -R --checkpoint=fast \
        2>/tmp/basebackup.log; do
      rm -rf "${PGDATA:?}"/* && sleep 0.5
    done
    cat >> "$PGDATA/postgresql.auto.conf" <<CONF
primary_conninfo = 'host=$PRIMARY_HOST port=5432 user=${REPLICATION_USER:-replicator} password=${REPLICATION_PASSWORD:-} application_name=${STANDBY_NAME:-standby}'
synchronous_standby_names = ''
archive_mode = off
CONF
    unset PGPASSWORD
    echo "PostgreSQL standby of $PRIMARY_HOST ready for start up."
  elif [ ! -s "$PGDATA/PG_VERSION" ]; then
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != "trust" ]; then
      echo "error: POSTGRES_PASSWORD is not set; set it (or POSTGRES_HOST_AUTH_METHOD=trust for a throwaway database)" >&2
      exit 1
    fi
    case "$auth" in *[!a-z0-9-]*) echo "error: POSTGRES_HOST_AUTH_METHOD=$auth is not an authentication method" >&2; exit 1 ;; esac
    fresh=/var/lib/postgresql/fresh-cluster.tar.gz
    if [ -z "${ARCHIVE_DIR:-}" ] && [ -z "${POSTGRES_INITDB_ARGS:-}" ] && [ -s "$fresh" ]; then
      # The image's fresh cluster (its superuser `postgres`, renamed below; its host lines'
      # method set to $auth): initdb's work without initdb's second of CPU. Every database
      # started from it shares its system identifier, which a replica's standbys (base backups
      # of their primary) share anyway.
      tar -C "$PGDATA" -xzf "$fresh"
      sed -i "s/scram-sha-256\$/$auth/" "$PGDATA/pg_hba.conf"
      from_fresh=yes
    else
      pwfile=$(mktemp)
      printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
      # Archived WAL comes in 1 MiB segments, so archiving every second stays small.
      segsize=""
      [ -n "${ARCHIVE_DIR:-}" ] && segsize="--wal-segsize=1"
      # shellcheck disable=SC2086
      initdb --username="$user" --pwfile="$pwfile" -D "$PGDATA" $segsize --no-sync \
        --encoding=UTF8 --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} >/dev/null
      rm -f "$pwfile"
      from_fresh=""
    fi
    echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
    # Base backups and standbys connect for replication.
    echo "host replication all all $auth" >> "$PGDATA/pg_hba.conf"
    if [ -n "${ARCHIVE_DIR:-}" ]; then
      # Continuous archiving for point-in-time recovery: a segment at most every second.
      {
        echo "archive_mode = on"
        echo "archive_command = 'test ! -f $ARCHIVE_DIR/%f && cp %p $ARCHIVE_DIR/%f'"
        echo "archive_timeout = 1"
      } >> "$PGDATA/postgresql.conf"
    fi
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    # The runbook's slow-query diagnostics read pg_stat_statements.
    echo "shared_preload_libraries = 'pg_stat_statements'" >> "$PGDATA/postgresql.conf"
    # Room for administrators when clients have taken every ordinary slot: the runbook's
    # connection diagnostics must still get in (the default 3 is one diagnostics snapshot).
    echo "superuser_reserved_connections = 10" >> "$PGDATA/postgresql.conf"

    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c fsync=off -c synchronous_commit=off" -w start >/dev/null
    if [ -n "$from_fresh" ]; then
      # The bootstrap superuser takes POSTGRES_USER's name and password, as initdb would have
      # made it; a role cannot rename itself, so a setup role does it and is dropped.
      if [ "$user" != postgres ]; then
        psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres -q -c 'CREATE ROLE drillbook_setup SUPERUSER LOGIN'
        psql -v ON_ERROR_STOP=1 --username drillbook_setup --dbname postgres -q -v u="$user" >/dev/null <<'SQL'
ALTER ROLE postgres RENAME TO :"u";
SQL
        psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -q -c 'DROP ROLE drillbook_setup'
      fi
      if [ -n "${POSTGRES_PASSWORD:-}" ]; then
        psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -q -v u="$user" -v pw="$POSTGRES_PASSWORD" \
          >/dev/null <<'SQL'
ALTER ROLE :"u" PASSWORD :'pw';
SQL
      fi
    fi
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
    if [ -n "${REPLICATION_USER:-}" ]; then
      psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -q \
        -v r_user="$REPLICATION_USER" -v r_pw="${REPLICATION_PASSWORD:-}" >/dev/null <<'SQL'
CREATE ROLE :"r_user" REPLICATION LOGIN PASSWORD :'r_pw';
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
    if [ -n "${SYNC_STANDBY:-}" ]; then
      # A commit returns once the standby has it too: failing over loses nothing. Set after
      # the init above, whose own commits would otherwise wait for a standby not yet there.
      echo "synchronous_standby_names = '$SYNC_STANDBY'" >> "$PGDATA/postgresql.conf"
    fi
    echo "PostgreSQL init process complete; ready for start up."
  fi
fi

exec "$@"
