#!/usr/bin/env bash
# Starts a private PostgreSQL cluster on a free loopback port and prints the DSN as an `export` line.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user and lives in a
# directory of its own under /tmp: a checkout inside a private directory (mktemp -d is 0700) is out of
# that user's reach. .tmp/pg-dir records where the cluster is, for pg-stop.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p .tmp
bash scripts/pg-stop.sh
run=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent postgres
  root=$(mktemp -d /tmp/tiktok-ads-mart-pg.XXXXXX)
  chown postgres "$root"
  run=(runuser -u postgres -- env -C /)  # from /, which that user can enter
else
  root=$(pwd)/.tmp/pg
  mkdir -p "$root"
fi
echo "$root" > .tmp/pg-dir
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${run[@]}" "$bindir/initdb" -D "$root/data" -U tester --auth=trust >/dev/null
"${run[@]}" "$bindir/pg_ctl" -D "$root/data" -l "$root/log" -w \
  -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U tester tiktok_ads_test >/dev/null 2>&1 || \
  "${run[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U tester tiktok_ads_test
echo "export TIKTOK_ADS_MART_TEST_PG_DSN=postgresql://tester@127.0.0.1:$port/tiktok_ads_test"
