#!/usr/bin/env bash
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)/.tmp/pg
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run=()
[ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
[ -d "$root/data" ] && "${run[@]}" "$bindir/pg_ctl" -D "$root/data" -m immediate stop >/dev/null 2>&1
rm -rf "$root"
