#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL, with the browser tests in headless Chromium.
#
# Installs what the tests need when it is missing (Debian packages: PostgreSQL, Chromium and its
# driver, fonts, poppler-utils for PDF text, LibreOffice Calc for xlsx checks), then runs
# `cargo test --workspace` against a throw-away PostgreSQL cluster started here.
# Extra arguments replace `--workspace` (e.g. `scripts/test.sh -p binhyen --test e2e_facts`).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
[ -e /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || need+=(fonts-noto-core)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing test dependencies: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

export BINHYEN_REQUIRE_PG=1
export BINHYEN_REQUIRE_BROWSER=1
export RUST_BACKTRACE=1

# A throw-away PostgreSQL cluster of our own for the duration of the run: its own directory and a
# free port, so a stale cluster left by another run (pg_virtualenv's fixed `regress` name) or a
# second run at the same time cannot get in the way. TEST_PG_URL points at it.
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdir=$(mktemp -d /tmp/binhyen-pg.XXXXXX)
chmod 755 "$pgdir"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$pgdir"
  as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
"${as_pg[@]}" "$bindir/initdb" -D "$pgdir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
  -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
export TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
if [ $# -gt 0 ]; then
  cargo test --all-targets --no-fail-fast "$@"
else
  cargo test --workspace --all-targets --no-fail-fast
fi
