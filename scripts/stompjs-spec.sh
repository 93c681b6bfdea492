#!/usr/bin/env bash
# Runs the spec suite of @stomp/stompjs against this package, with only the library swapped:
# the suite loads `bundles/stomp.umd.js`, which here is stompwire's UMD bundle. Run by hand
# (not by the test command): the suite is stompjs's code, brought by the caller, and stays
# outside this repository.
#
#   scripts/stompjs-spec.sh STOMPJS_GIT_DIR [TAG] [node|browser|both]
#
#   STOMPJS_GIT_DIR  a clone (or bare mirror) of github.com/stomp-js/stompjs
#   TAG              a 7.x release tag (default 7.1.1)
#   mode             node (jasmine in Node with ws), browser (jasmine-core in headless
#                    Chromium), or both (default)
#
# The suite's spec/ at TAG is exported into $STOMPWIRE_CACHE/stompjs-spec/TAG (replaced each
# run), next to the package built by scripts/build-pkg.sh (target/pkg/npm; built when missing).
# Its test runner, jasmine (exact version below), is installed there from the npm registry once.
# Needs RabbitMQ Web-STOMP on ws://localhost:15674/ws (scripts/brokers.sh start), as the suite's
# own configuration says. Prints per-mode counts and every failure with its message; the
# reports are saved as spec-node.txt and spec-browser.json in that folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

case ${1:-} in
"" | -h | --help)
    sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
esac
SRC=$1
TAG=${2:-7.1.1}
MODE=${3:-both}
JASMINE_VERSION=5.9.0
PKG_DIR=${STOMPWIRE_PKG_DIR:-$ROOT/target/pkg}
WORK="$STOMPWIRE_CACHE/stompjs-spec/$TAG"
TOOLS="$STOMPWIRE_CACHE/stompjs-spec/tools"

git -C "$SRC" rev-parse --verify --quiet "$TAG^{commit}" >/dev/null ||
    sw_die "$SRC has no tag $TAG"
sw_ensure_npm_tools
[ -f "$PKG_DIR/npm/bundles/stompwire.umd.js" ] || bash scripts/build-pkg.sh --no-install ||
    [ $? -eq 3 ]

if [ ! -x "$TOOLS/node_modules/.bin/jasmine" ]; then
    sw_log "npm: installing jasmine@$JASMINE_VERSION into $TOOLS"
    mkdir -p "$TOOLS"
    [ -f "$TOOLS/package.json" ] || printf '{ "name": "stompjs-spec-tools", "private": true }\n' >"$TOOLS/package.json"
    sw_run_logged npm-jasmine npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact \
        "jasmine@$JASMINE_VERSION" || sw_die "npm install jasmine failed"
fi

rm -rf "$WORK"
mkdir -p "$WORK/bundles"
git -C "$SRC" archive "$TAG" spec | tar -x -C "$WORK"
cp "$PKG_DIR/npm/bundles/stompwire.umd.js" "$WORK/bundles/stomp.umd.js"
mkdir -p "$WORK/node_modules"
ln -sfn "$SW_NODE_MODULES/ws" "$WORK/node_modules/ws"
printf '{ "name": "stompjs-spec-run", "private": true }\n' >"$WORK/package.json"
sw_log "suite: stompjs $TAG spec/ in $WORK; library: $PKG_DIR/npm/bundles/stompwire.umd.js"

status=0
if [ "$MODE" = node ] || [ "$MODE" = both ]; then
    sw_log "node: jasmine $JASMINE_VERSION, $(node --version)"
    # Into a file, not a pipe: jasmine ends with process.exit, which cuts a pipe short.
    (cd "$WORK" && timeout -k 10 900 node "$TOOLS/node_modules/jasmine/bin/jasmine.js" \
        --config=spec/support/jasmine.json >"$WORK/spec-node.txt" 2>&1) || status=1
    grep -aE '^[0-9]+\) ' "$WORK/spec-node.txt" | sed 's/^/  FAIL /' | sort -u
    grep -aE '^[0-9]+ specs?, ' "$WORK/spec-node.txt" || tail -20 "$WORK/spec-node.txt"
fi
if [ "$MODE" = browser ] || [ "$MODE" = both ]; then
    sw_log "browser: jasmine-core $JASMINE_VERSION in $(/usr/bin/chromium --version 2>/dev/null)"
    timeout -k 10 900 node scripts/stompjs-spec-browser.mjs "$WORK" \
        "$TOOLS/node_modules/jasmine-core/lib/jasmine-core" || status=1
fi
exit "$status"
