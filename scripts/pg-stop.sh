#!/usr/bin/env bash
# Stops the cluster pg-start.sh started (wherever .tmp/pg-dir says it is) and removes it.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -f .tmp/pg-dir ] || exit 0
root=$(cat .tmp/pg-dir)
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run=()
[ "$(id -u)" -eq 0 ] && run=(runuser -u postgres -- env -C /)
[ -d "$root/data" ] && "${run[@]}" "$bindir/pg_ctl" -D "$root/data" -m immediate stop >/dev/null 2>&1
rm -rf "$root" .tmp/pg-dir
exit 0
