#!/usr/bin/env bash
# Starts a private PostgreSQL cluster under .tmp/pg on a free loopback port and prints the DSN as an
# `export` line. PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user then.
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
root=$(pwd)/.tmp/pg
rm -rf "$root" && mkdir -p "$root"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$root" postgres
  chown -R postgres "$root"
  chmod 755 "$(pwd)/.tmp"
  run=(runuser -u postgres --)
fi
"${run[@]}" "$bindir/initdb" -D "$root/data" -U tester --auth=trust >/dev/null
"${run[@]}" "$bindir/pg_ctl" -D "$root/data" -l "$root/log" -w \
  -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U tester tiktok_ads_test >/dev/null 2>&1 || \
  "${run[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U tester tiktok_ads_test
echo "export TIKTOK_ADS_MART_TEST_PG_DSN=postgresql://tester@127.0.0.1:$port/tiktok_ads_test"
