#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL, with the browser tests in headless Chromium.
#
# Installs what the tests need when it is missing (Debian packages: PostgreSQL, Chromium and its
# driver, fonts, poppler-utils for PDF text, LibreOffice Calc for xlsx checks), then runs
# `cargo test --workspace` inside a throw-away PostgreSQL cluster (pg_virtualenv).
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p binhyen-core`).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v pg_virtualenv >/dev/null 2>&1 || need+=(postgresql postgresql-common)
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
# A throw-away cluster for the duration of the run; TEST_PG_URL points at it.
exec pg_virtualenv -o 'fsync=off' -o 'max_connections=300' sh -c \
  'TEST_PG_URL="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE" exec cargo test --workspace --all-targets --no-fail-fast "$@"' \
  sh "$@"
