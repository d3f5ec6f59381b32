#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, postgres) are on this
# machine. On Debian/Ubuntu as root it installs the `postgresql` package;
# elsewhere it says what to install. FamilyHub never uses the system's own
# cluster: `familyhub dev` and `make test` start private ones.
set -euo pipefail

have_binaries() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    [[ -x $dir/initdb && -x $dir/postgres ]] && return 0
  fi
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb && -x $dir/postgres ]] && return 0
  done
  command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1
}

have_binaries && exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL server binaries not found: installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  have_binaries && exit 0
fi

cat >&2 <<'MSG'
PostgreSQL server binaries (initdb, postgres) were not found.
Install them, e.g.:
  Debian/Ubuntu:  sudo apt-get install postgresql
  Fedora:         sudo dnf install postgresql-server
  macOS:          brew install postgresql@15
or point DATABASE_URL (for `make run`) / TEST_DATABASE_URL (for `make test`)
at a PostgreSQL server you already run.
MSG
exit 1
