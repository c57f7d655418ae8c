#!/usr/bin/env bash
# Idempotent set-up for `make run`, `make test` and `make bench`.
#
# Each step checks first and only acts when something is missing:
#   1. PostgreSQL installed (Debian packages), running, and a role for the
#      current system user (Odoo refuses the "postgres" role);
#   2. Chromium for the browser tours;
#   3. the Python environment .venv/ at the repository root;
#   4. Odoo 19.0 in .venv, found in this order:
#        a. already importable from .venv;
#        b. already importable by the `python3` on PATH: its source tree is
#           installed into .venv;
#        c. a source tree given by ODOO_SRC, else ../odoo beside this
#           repository;
#        d. Odoo's official 19.0 community source archive (ODOO_ARCHIVE_URL),
#           unpacked into .odoo-src/;
#      otherwise it stops and says what to provide;
#   5. requirements.txt (with Odoo's pins from constraints.txt);
#   6. with --core-tests (`make test-core`), what Odoo's own tests of sale,
#      account and crm need besides: wkhtmltopdf (PDF reports) and the
#      phonenumbers library (phone formatting), as Odoo's Debian package has.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
ODOO_ARCHIVE_URL="${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz}"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "'$*' needs root: run it as root (or install sudo) and retry"; fi
}
apt_install() {
    command -v apt-get >/dev/null ||
        die "cannot install $* automatically (no apt-get): install it with your system's package manager and retry"
    say "installing Debian packages: $*"
    if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
        as_root apt-get update -qq
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_postgres() {
    if ! command -v pg_isready >/dev/null || ! command -v psql >/dev/null; then
        apt_install postgresql postgresql-client
    fi
    if ! pg_isready -q; then
        if command -v pg_ctlcluster >/dev/null; then
            for cluster in $(pg_lsclusters -h 2>/dev/null | awk '{print $1"/"$2}'); do
                say "starting PostgreSQL cluster $cluster"
                as_root pg_ctlcluster --skip-systemctl-redirect "${cluster%/*}" "${cluster#*/}" start || true
            done
        fi
        for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
        pg_isready -q || die "PostgreSQL is not accepting connections on the local socket: start it and retry"
    fi
    local user
    user="$(id -un)"
    [ "$user" != postgres ] || die "Odoo refuses to run as 'postgres': run make as another user"
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        say "creating PostgreSQL role '$user' (createdb)"
        as_root runuser -u postgres -- psql -q -c "CREATE ROLE \"$user\" LOGIN CREATEDB" ||
            die "could not create the PostgreSQL role '$user': create it (createuser -d $user) and retry"
    fi
}

setup_chromium() {
    local found=""
    for bin in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$bin" >/dev/null && found="$bin" && break
    done
    [ -n "$found" ] || apt_install chromium fonts-liberation
}

odoo_ok() {  # $1 = python; true when it imports Odoo 19.0
    "$1" -c 'import odoo.release as r, sys; sys.exit(r.version_info[:2] != (19, 0))' 2>/dev/null
}

install_odoo_from() {  # $1 = source tree
    local src="$1"
    [ -f "$src/setup.py" ] && [ -f "$src/odoo/release.py" ] ||
        die "$src is not an Odoo source tree (no setup.py and odoo/release.py)"
    grep -q "version_info = (19, 0" "$src/odoo/release.py" ||
        die "$src is not Odoo 19.0 (see $src/odoo/release.py)"
    say "installing Odoo from $src into .venv"
    # compat mode writes a plain .pth, so Odoo's addons path holds only real folders
    "$VENV/bin/pip" install -q -c constraints.txt -e "$src" --config-settings editable_mode=compat
}

setup_odoo() {
    odoo_ok "$PY" && return 0
    local src=""
    if command -v python3 >/dev/null && odoo_ok python3; then
        src="$(python3 -c 'import os, odoo.release as r; print(os.path.dirname(os.path.dirname(r.__file__)))')"
        say "Odoo 19.0 is importable by $(command -v python3), from $src"
    elif [ -n "${ODOO_SRC:-}" ]; then
        src="$ODOO_SRC"
    elif [ -f "$ROOT/../odoo/odoo/release.py" ]; then
        src="$(cd "$ROOT/../odoo" && pwd)"
    elif [ -f "$ROOT/.odoo-src/odoo/release.py" ]; then
        src="$ROOT/.odoo-src"
    else
        say "no Odoo 19.0 found; downloading Odoo's official source archive"
        mkdir -p "$ROOT/.odoo-src"
        if ! curl -fsSL --max-time 900 "$ODOO_ARCHIVE_URL" | tar -xz -C "$ROOT/.odoo-src" --strip-components=1; then
            rm -rf "$ROOT/.odoo-src"
            die "Odoo 19.0 was not found and its source archive could not be downloaded from
  $ODOO_ARCHIVE_URL
Provide Odoo 19.0 community in one of these ways, then run make again:
  - install it into the python3 on your PATH (pip install -e /path/to/odoo), or
  - put its source tree beside this repository as ../odoo, or
  - point to a source tree: make test ODOO_SRC=/path/to/odoo  (the folder holding odoo-bin and setup.py)"
        fi
        src="$ROOT/.odoo-src"
    fi
    install_odoo_from "$src"
    odoo_ok "$PY" || die "Odoo from $src does not import in .venv: see the pip output above"
}

setup_venv() {
    if [ ! -x "$PY" ]; then
        command -v python3 >/dev/null || apt_install python3 python3-venv
        python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
            die "Odoo 19 needs Python 3.10 or newer; $(python3 --version) found"
        say "creating .venv"
        python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv and retry"
        "$VENV/bin/pip" install -q -U pip wheel setuptools || say "could not upgrade pip in .venv; going on with $("$VENV/bin/pip" --version)"
    fi
}

setup_requirements() {
    local stamp="$VENV/.requirements.sha"
    local sum
    sum="$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)"
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && return 0
    say "installing requirements.txt"
    "$VENV/bin/pip" install -q -c constraints.txt -r requirements.txt
    echo "$sum" >"$stamp"
}

setup_core_tests() {
    command -v wkhtmltopdf >/dev/null || apt_install wkhtmltopdf
    "$VENV/bin/pip" install -q -c constraints.txt phonenumbers
}

setup_postgres
setup_chromium
setup_venv
setup_odoo
setup_requirements
if [ "${1:-}" = "--core-tests" ]; then setup_core_tests; fi
mkdir -p "$ROOT/.odoo-data"
say "ready: $("$PY" -c 'import odoo.release as r; print("Odoo", r.version)') in .venv, PostgreSQL $(psql -d postgres -tAc 'show server_version'), $(command -v chromium || command -v chromium-browser || command -v google-chrome)"
