#!/usr/bin/env bash
# Builds the npm package of the browser shell and reports its size.
#
#   scripts/build-pkg.sh                 the wasm-bindgen build and the npm package
#   scripts/build-pkg.sh web             the wasm-bindgen build only (what the demo serves)
#   scripts/build-pkg.sh --no-install    do not check/install the wasm toolchain first
#
# web: wasm-pack build --release --target web (size-tuned release profile through the
# CARGO_PROFILE_RELEASE_* variables below), wasm-opt (npm binaryen 132, first on PATH), the
# JavaScript glue minified (esbuild, ES module in, ES module out), pkg-template/package.json's
# "x-stompwire-targets".web applied. A page imports it and calls `await init()`.
# The web build has the web-sys `Client` class (feature web-client) for the demo and the
# wasm-bindgen tests. npm: the published package. Its core is a second build without that
# feature (core/: the session, the supervisor and the codec behind `browser::Core`, and the
# Parser's decoder); pkg-template/src/ (the JavaScript layer: the stompjs API, the WebSocket,
# the timers, carrying out what the core decides) is bundled by esbuild with the core's glue
# and its .wasm, inlined as base64 of its LZMA stream, into one file per module system:
#   stompwire.mjs             ES module (bundlers, <script type="module">, workers, Node import)
#   stompwire.cjs             CommonJS (Node require)
#   bundles/stompwire.umd.js  classic <script> (global `StompJs`), AMD, CommonJS
# plus pkg-template/stompwire.d.ts (also as .d.cts), README.md and package.json (version from
# Cargo.toml). Output, under $STOMPWIRE_PKG_DIR: web/, core/, npm/, size-report.txt.
# Each package is checked with `npm pack --dry-run` (every file package.json names exists and
# ships). The size report gives each shipped file raw and gzip -9, and what a minimal app
# (activate, subscribe, publish; esbuild --bundle --minify) ships.
# Exit status 3 (the packages are built all the same) when the npm minimal app, or the web
# build's wasm + glue, exceed their budget.
#
# Environment:
#   STOMPWIRE_PKG_DIR        output folder (default <repo>/target/pkg; never committed)
#   STOMPWIRE_SIZE_BUDGET    bytes, gzip -9 of what the npm minimal app ships (default
#                            40800 = 39.8 KiB: what it is now, 40,625 B, with 175 B
#                            of headroom; 41,316 B before the core's bytes came first in the
#                            bundle, 43,966 B before the core was packed with LZMA instead of
#                            zopfli; 46,320 B = 45.2 KiB before the layer loaded the core
#                            without the glue's loader, its properties were mangled and the
#                            core's containers, records and string cutting were slimmed down;
#                            63.6 KiB before the core was cut down to the session,
#                            supervisor and codec, 51.7 KiB before std was rebuilt for it and
#                            its exports merged)
#   STOMPWIRE_WEB_SIZE_BUDGET  bytes, gzip -9 of the web build's wasm + glue (default 77824 =
#                            76 KiB: the web-sys Client and the package's core, for the demo and
#                            the wasm-bindgen tests; not what npm users download)
#   STOMPWIRE_WASM_OPT_ARGS  wasm-opt arguments (default "-Oz --converge --strip-debug
#                            --strip-producers --strip-target-features")
#   STOMPWIRE_CORE_WASM_OPT_ARGS  wasm-opt arguments for the npm core (default
#                            "--low-memory-unused --flatten --rereloop -Oz -Oz --converge" and
#                            the same --strip-* ones: restructuring the control flow first saves
#                            about 250 B gzip there; --low-memory-unused, 140 B: the first KiB
#                            of memory is the far end of the 1 MiB stack, which grows down to
#                            it, so no address computed in the module wraps into it)
#   STOMPWIRE_MINIFY_JS      0: ship the glue as wasm-bindgen wrote it (default 1: minified)
#   STOMPWIRE_CORE_BUILD_STD 0: build the npm core on stable with the prebuilt std (default 1:
#                            the pinned nightly, $STOMPWIRE_NIGHTLY of scripts/lib/install.sh,
#                            rebuilds std for it, size-tuned, with panics that abort at once —
#                            no panic messages, no formatting machinery: about 10 KB less wasm,
#                            4 KB less gzip; the nightly and its rust-src are installed when
#                            missing, with or without --no-install; without a nightly the core
#                            is built on stable, with a warning, and the budget says the rest)
#   CARGO_TARGET_DIR         default $STOMPWIRE_CACHE/target
#   CARGO_PROFILE_RELEASE_OPT_LEVEL (z), _LTO (true), _CODEGEN_UNITS (1), _PANIC (abort)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/install.sh
source scripts/lib/install.sh

TARGETS=()
INSTALL=1
for arg in "$@"; do
    case $arg in
    web) TARGETS+=("$arg") ;;
    --no-install) INSTALL=0 ;;
    -h | --help)
        sed -n '2,59p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) sw_die "unknown argument '$arg' (try --help)" ;;
    esac
done
NPM=1
[ "${#TARGETS[@]}" -gt 0 ] && NPM=0
TARGETS=(web)

PKG_DIR=${STOMPWIRE_PKG_DIR:-$ROOT/target/pkg}
BUDGET=${STOMPWIRE_SIZE_BUDGET:-40800}
WEB_BUDGET=${STOMPWIRE_WEB_SIZE_BUDGET:-77824}
# --converge repeats -Oz while it still shrinks the module; target_features is read by
# wasm-bindgen, which has run by then, and by nothing that loads the module.
read -ra OPT_ARGS <<<"${STOMPWIRE_WASM_OPT_ARGS:--Oz --converge --strip-debug --strip-producers --strip-target-features}"
read -ra CORE_OPT_ARGS <<<"${STOMPWIRE_CORE_WASM_OPT_ARGS:---low-memory-unused --flatten --rereloop -Oz -Oz --converge --strip-debug --strip-producers --strip-target-features}"
MINIFY_JS=${STOMPWIRE_MINIFY_JS:-1}
: "${CARGO_TARGET_DIR:=$STOMPWIRE_CACHE/target}"
export CARGO_TARGET_DIR
# Size over speed for what ships to browsers. Not `strip`: it drops the target_features
# section wasm-bindgen reads; wasm-opt strips instead.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=${CARGO_PROFILE_RELEASE_OPT_LEVEL:-z}
export CARGO_PROFILE_RELEASE_LTO=${CARGO_PROFILE_RELEASE_LTO:-true}
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-1}
export CARGO_PROFILE_RELEASE_PANIC=${CARGO_PROFILE_RELEASE_PANIC:-abort}
export CARGO_PROFILE_RELEASE_DEBUG=${CARGO_PROFILE_RELEASE_DEBUG:-false}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if [ "$INSTALL" = 1 ]; then
    sw_ensure_wasm_toolchain
else
    sw_ensure_npm_tools # cheap; puts npm binaryen's wasm-opt first on PATH
fi
sw_ensure_js_minifier # sets SW_ESBUILD (the npm package is bundled with it)
# python3 packs the npm package's core (Debian's has the lzma module).
[ "$NPM" = 0 ] || command -v python3 >/dev/null || sw_ensure_apt_packages python3

# The npm core's toolchain: the pinned nightly with rust-src, to rebuild std (-Zbuild-std) with
# the release profile and panic=immediate-abort. Checked in both modes (cheap when present):
# the core's size depends on it.
CORE_BUILD_STD=${STOMPWIRE_CORE_BUILD_STD:-1}
SW_NIGHTLY=""
if [ "$NPM" = 1 ] && [ "$CORE_BUILD_STD" = 1 ]; then
    sw_ensure_nightly
    if [ -n "$SW_NIGHTLY" ] &&
        ! rustup component list --toolchain "$SW_NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
        sw_log "rustup: adding rust-src to $SW_NIGHTLY (the npm core rebuilds std)"
        sw_run_logged rustup-rust-src rustup component add rust-src --toolchain "$SW_NIGHTLY" ||
            SW_NIGHTLY=""
    fi
    [ -n "$SW_NIGHTLY" ] ||
        sw_warn "no nightly with rust-src: the npm core is built on stable with the prebuilt std (about 4 KB gzip larger)"
fi
# Debian's binaryen (wasm-opt 108) silently breaks wasm-bindgen output: refuse anything else.
wasm-opt --version 2>/dev/null | grep -q 'version 132' ||
    sw_die "wasm-opt on PATH ($(command -v wasm-opt || echo none)) is not npm binaryen 132"

VERSION=$(awk '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 }
    p && /^version *=/ { gsub(/[" ]/, "", $0); sub(/^version=/, "", $0); print; exit }' Cargo.toml)
[ -n "$VERSION" ] || sw_die "no [package] version in Cargo.toml"

# apply_template DIR ENTRY: writes DIR/package.json from pkg-template/package.json and its
# x-stompwire-targets.ENTRY, copies the template's other files into DIR, and checks that every
# file wasm-pack listed is listed and that every path package.json names exists.
apply_template() {
    node --input-type=module - "$ROOT/pkg-template" "$1" "$2" "$VERSION" <<'EOF'
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [template, out, entry, version] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
const perTarget = (pkg['x-stompwire-targets'] || {})[entry];
if (!perTarget) throw new Error(`pkg-template/package.json has no x-stompwire-targets.${entry}`);
delete pkg['x-stompwire-targets'];
Object.assign(pkg, perTarget, { version });
for (const [k, v] of Object.entries(pkg)) if (v === null) delete pkg[k]; // a target drops a field
// A file wasm-pack generated that the package does not list would silently not ship.
const previous = existsSync(join(out, 'package.json'))
  ? JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))
  : {};
for (const f of previous.files || []) {
  if (!pkg.files.includes(f)) throw new Error(`the build has ${f}, which pkg-template does not list in files (${entry})`);
}
for (const name of readdirSync(template)) {
  if (name === 'package.json' || (entry !== 'npm' && name.endsWith('.d.ts'))) continue;
  if (statSync(join(template, name)).isFile()) copyFileSync(join(template, name), join(out, name));
}
for (const dir of ['snippets', 'web/snippets']) {
  if (existsSync(join(out, dir)) && !pkg.files.includes(dir)) pkg.files.push(dir);
}
const named = [...pkg.files, pkg.main, pkg.module, pkg.types];
const walk = (v) => (typeof v === 'string' ? named.push(v) : Object.values(v).forEach(walk));
walk(pkg.exports);
for (const p of named) {
  if (p !== './package.json' && !existsSync(join(out, p))) throw new Error(`package.json names ${p}, which ${out} lacks`);
}
writeFileSync(join(out, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
EOF
}

# check_pack DIR FILE...: `npm pack --dry-run` (no network) ships every FILE.
check_pack() {
    local dir=$1 listing
    shift
    listing=$(cd "$dir" && npm pack --dry-run --json 2>/dev/null) || sw_die "npm pack --dry-run failed in $dir"
    node -e '
        const [info] = JSON.parse(process.argv[1]);
        const names = new Set(info.files.map((f) => f.path));
        const missing = process.argv.slice(2).filter((f) => !names.has(f));
        if (missing.length) { console.error(`npm pack would not ship ${missing.join(", ")}`); process.exit(1); }
        console.log(`  npm pack: ${info.entryCount} files, ${info.size} B packed, ${info.unpackedSize} B unpacked`);
    ' "$listing" "$@" || sw_die "the package in $dir is incomplete"
}

# minify_glue DIR: every .js file under DIR (the glue and any snippets) minified in place, as
# an ES module on its own (no bundling: each file keeps its imports and exports).
minify_glue() {
    local f before total_before=0 total_after=0
    while IFS= read -r f; do
        before=$(wc -c <"$f")
        sw_run_logged esbuild "$SW_ESBUILD" "$f" --minify --format=esm --log-level=warning \
            --outfile="$f.min" || return 1
        mv "$f.min" "$f"
        total_before=$((total_before + before))
        total_after=$((total_after + $(wc -c <"$f")))
    done < <(find "$1" -type f -name '*.js')
    sw_log "  glue minified: $total_before -> $total_after B"
}

# shape_core_glue FILE: the npm core's glue, as the package's layer (load.js) uses it. It
# exports the glue's imports object and its finishing step, so that load.js instantiates the
# bytes it unpacked itself (the synchronous constructors where the platform allows them, else
# WebAssembly.instantiate) and an app does not ship the glue's fetch/streaming loader; and
# the Symbol.dispose hooks go (the layer never hands a Core or FrameParser to `using`), so
# that an app that never makes a Parser does not ship the FrameParser class; so do two
# branches no supported platform takes (TextEncoder.encodeInto is in every browser and Node
# that runs the package: Chrome 74, Firefox 66, Safari 14.1, Node 12; the glue always passes
# `realloc` with a string). Each change is checked to apply exactly where expected: a
# wasm-bindgen that writes the glue differently fails the build instead of shipping it
# unchanged.
shape_core_glue() {
    node - "$1" <<'EOF'
const { readFileSync, writeFileSync } = require('node:fs');
const file = process.argv[2];
let text = readFileSync(file, 'utf8');
const edit = (pattern, replacement, count) => {
  const found = (text.match(pattern) || []).length;
  if (found !== count) throw new Error(`${file}: expected ${count} of ${pattern}, found ${found}`);
  text = text.replace(pattern, replacement);
};
edit(/^function __wbg_get_imports\(\)/gm, '$&', 1);
edit(/^function __wbg_finalize_init\(instance, module\)/gm, '$&', 1);
edit(/^if \(Symbol\.dispose\) \w+\.prototype\[Symbol\.dispose\] = \w+\.prototype\.free;\n/gm, '', 2);
edit(/^if \(!\('encodeInto' in cachedTextEncoder\)\) \{\n[\s\S]*?\n\}\n/gm, '', 1);
edit(/^    if \(realloc === undefined\) \{\n[\s\S]*?\n    \}\n/gm, '', 1);
text += 'export { __wbg_get_imports, __wbg_finalize_init };\n';
writeFileSync(file, text);
EOF
}

mkdir -p "$PKG_DIR"
# build_wasm NAME OUT [CARGO_ARGS...]: wasm-pack --target web into OUT, wasm-opt, glue minified.
build_wasm() {
    local name=$1 out=$2 wasm before started
    local -a opt=("${OPT_ARGS[@]}")
    [ "$name" != core ] || opt=("${CORE_OPT_ARGS[@]}")
    shift 2
    sw_log "wasm-pack build --release --target web ($name) -> $out"
    rm -rf "$out"
    started=$SECONDS
    # --mode no-install: use the wasm-bindgen on PATH (same version as Cargo.lock); never
    # download or compile one behind our back. --no-opt: wasm-opt runs next, with our arguments.
    sw_run_logged "wasm-pack-$name" wasm-pack --log-level warn build "$ROOT" --release \
        --target web --out-dir "$out" --out-name stompwire --mode no-install --no-opt "$@" ||
        sw_die "wasm-pack build ($name) failed (log: $SW_LOG_DIR/wasm-pack-$name.log)"
    wasm="$out/stompwire_bg.wasm"
    [ -f "$wasm" ] || sw_die "wasm-pack produced no $wasm"
    before=$(wc -c <"$wasm")
    # Features come from the module's target_features section (binaryen's default).
    sw_run_logged "wasm-opt-$name" wasm-opt "$wasm" -o "$wasm.opt" "${opt[@]}" ||
        sw_die "wasm-opt ${opt[*]} failed on the $name build"
    mv "$wasm.opt" "$wasm"
    sw_log "  built in $((SECONDS - started))s; wasm-opt ${opt[*]}: $before -> $(wc -c <"$wasm") B"
    if [ "$name" = core ]; then
        shape_core_glue "$out/stompwire.js" || sw_die "reshaping the glue of the core failed"
    fi
    if [ "$MINIFY_JS" = 1 ]; then
        minify_glue "$out" || sw_die "minifying the JavaScript of the $name build failed"
    fi
    rm -f "$out/.gitignore" # wasm-pack's `*`
}

for target in "${TARGETS[@]}"; do
    out="$PKG_DIR/$target"
    build_wasm "$target" "$out"
    apply_template "$out" "$target" || sw_die "applying pkg-template/ to the $target build failed"
    check_pack "$out" package.json README.md stompwire.js stompwire.d.ts stompwire_bg.wasm
done
# The npm package's core: the same crate without the web-sys `Client` (feature web-client):
# the session, the supervisor and the codec behind browser::Core, and the Parser's decoder.
if [ "$NPM" = 1 ]; then
    core_features=(--no-default-features --features std,small-alloc)
    if [ -n "$SW_NIGHTLY" ]; then
        # -Cpanic=immediate-abort after the profile's -C panic=abort: std is built with it.
        # RUSTFLAGS reach only the wasm32 crates (cargo is given --target), not build scripts.
        (
            export RUSTUP_TOOLCHAIN=$SW_NIGHTLY
            # -Zlocation-detail=none: no source paths in the module (track_caller locations).
            export RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
            sw_log "core: $(rustc --version), -Zbuild-std=std,panic_abort, panic=immediate-abort, no locations"
            build_wasm core "$PKG_DIR/core" -- "${core_features[@]}" -Zbuild-std=std,panic_abort
        ) || {
            # A nightly that cannot build it (not the pinned one, say): the size budget tells.
            sw_warn "the npm core did not build on $SW_NIGHTLY; building it on stable"
            build_wasm core "$PKG_DIR/core" -- "${core_features[@]}"
        }
    else
        build_wasm core "$PKG_DIR/core" -- "${core_features[@]}"
    fi
fi

# The published package: pkg-template/src/ bundled with the web build's glue and wasm.
# bundle_npm WEB_DIR OUT_DIR
bundle_npm() {
    local web=$1 out=$2 src
    src=$(mktemp -d)
    cp "$ROOT"/pkg-template/src/*.js "$src/"
    cp "$web/stompwire.js" "$src/glue.js"
    [ ! -d "$web/snippets" ] || cp -R "$web/snippets" "$src/"
    # The glue's fallback `new URL('stompwire_bg.wasm', import.meta.url)` would make bundlers
    # look for an asset that is not shipped (the bytes are inlined); the layer always passes them.
    # The core is packed as a raw LZMA stream (Python's lzma, liblzma: preset 9e, lc=3 lp=0
    # pb=0, the best of every lc/lp/pb for this module; a 1 MiB dictionary, which holds the
    # whole core, gives the same stream as preset 9's 64 MiB; about 10 % smaller than zopfli's
    # deflate) and unpacked by the layer's own decoder (lzma.js), which is run here on the
    # result and compared with the core byte for byte.
    python3 - "$web/stompwire_bg.wasm" "$src/core.lzma" <<'EOF' || return 1
import lzma, sys
data = open(sys.argv[1], 'rb').read()
lzma1 = {'id': lzma.FILTER_LZMA1, 'preset': 9 | lzma.PRESET_EXTREME, 'lc': 3, 'lp': 0, 'pb': 0,
         'nice_len': 273, 'mf': lzma.MF_BT4, 'dict_size': 1 << 20}
open(sys.argv[2], 'wb').write(lzma.compress(data, format=lzma.FORMAT_ALONE, filters=[lzma1]))
EOF
    node --input-type=module - "$src/glue.js" "$web/stompwire_bg.wasm" "$src/core.lzma" \
        "$src/wasm-data.js" "$src/lzma.js" <<'EOF' || return 1
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [glue, wasm, packedFile, data, decoder] = process.argv.slice(2);
const { unlzma } = await import(pathToFileURL(decoder).href);
const text = readFileSync(glue, 'utf8');
const fallback = /new URL\(\s*["']stompwire_bg\.wasm["']\s*,\s*import\.meta\.url\s*\)/g;
if ((text.match(fallback) || []).length !== 1) {
  throw new Error(`expected one new URL('stompwire_bg.wasm', import.meta.url) in ${glue}`);
}
writeFileSync(glue, text.replace(fallback, 'undefined'));
const bytes = readFileSync(wasm);
// The .lzma header: the properties byte, the dictionary size (4 bytes), the size (8 bytes).
const packed = readFileSync(packedFile);
const props = packed[0];
const body = packed.subarray(13);
if (!Buffer.from(unlzma(body, props, bytes.length)).equals(bytes)) {
  throw new Error('the packed core does not unpack to the core');
}
writeFileSync(
  data,
  `export const WASM = ${JSON.stringify(body.toString('base64'))};\n` +
    `export const WASM_PROPS = ${props};\nexport const WASM_SIZE = ${bytes.length};\n`,
);
EOF
    rm -f "$src/core.lzma"
    rm -rf "$out"
    mkdir -p "$out/bundles"
    # --mangle-props: the layer's own properties (`_` and a lowercase letter: never the API's,
    # nor the glue's `__wbg_…`) get short names; nothing reads them by a computed name.
    local common=(--bundle --minify --platform=neutral --target=es2020 --log-level=warning
        --legal-comments=none '--mangle-props=^_[a-z]')
    sw_run_logged esbuild-npm "$SW_ESBUILD" "$src/index.js" "${common[@]}" --format=esm \
        --outfile="$out/stompwire.mjs" || return 1
    sw_run_logged esbuild-npm "$SW_ESBUILD" "$src/index.js" "${common[@]}" --format=cjs \
        --outfile="$out/stompwire.cjs" || return 1
    # UMD: the CommonJS build inside a wrapper that serves AMD, CommonJS and a global.
    sw_run_logged esbuild-npm "$SW_ESBUILD" "$src/index.js" "${common[@]}" --format=cjs \
        '--banner:js=(function(g,f){typeof exports=="object"&&typeof module<"u"?module.exports=f():typeof define=="function"&&define.amd?define([],f):(g=typeof globalThis<"u"?globalThis:g||self).StompJs=f()})(this,function(){var module={exports:{}},exports=module.exports;' \
        '--footer:js=return module.exports});' --outfile="$out/bundles/stompwire.umd.js" || return 1
    cp "$ROOT/pkg-template/stompwire.d.ts" "$out/stompwire.d.cts"
    rm -rf "$src"
}

if [ "$NPM" = 1 ]; then
    npm_dir="$PKG_DIR/npm"
    sw_log "npm package -> $npm_dir"
    bundle_npm "$PKG_DIR/core" "$npm_dir" || sw_die "bundling the npm package failed"
    apply_template "$npm_dir" npm || sw_die "applying pkg-template/ to the npm package failed"
    check_pack "$npm_dir" package.json README.md stompwire.mjs stompwire.cjs stompwire.d.ts \
        stompwire.d.cts bundles/stompwire.umd.js
    # What a minimal app ships: esbuild --bundle --minify of activate, subscribe, publish.
    app=$(mktemp -d)
    cat >"$app/app.mjs" <<'EOF'
import { Client } from 'stompwire';
const client = new Client({ brokerURL: 'ws://127.0.0.1:15674/ws' });
client.onConnect = () => {
  client.subscribe('/queue/a', (m) => console.log(m.body));
  client.publish({ destination: '/queue/a', body: 'hi' });
};
client.activate();
EOF
    mkdir -p "$app/node_modules"
    ln -s "$npm_dir" "$app/node_modules/stompwire"
    sw_run_logged esbuild-app "$SW_ESBUILD" "$app/app.mjs" --bundle --minify --format=esm \
        --log-level=warning --outfile="$PKG_DIR/minimal-app.js" || sw_die "bundling the minimal app failed"
    rm -rf "$app"
fi

# ---------------------------------------------------------------------------------------------
# Size report
gz() { gzip -9 -c "$1" | wc -c; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
report="$PKG_DIR/size-report.txt"
over=0
row() { printf '%-9s %-26s %10s %10s\n' "$1" "$2" "$(wc -c <"$3")" "$(gz "$3")"; }
{
    printf 'stompwire %s — what ships, raw and gzip -9 (budget: npm minimal app %s, web build %s)\n' \
        "$VERSION" "$(kib "$BUDGET")" "$(kib "$WEB_BUDGET")"
    printf '%-9s %-26s %10s %10s\n' build file raw gzip
    out="$PKG_DIR/web"
    total_raw=0
    total_gz=0
    while IFS= read -r f; do
        row web "${f#"$out"/}" "$f"
        total_raw=$((total_raw + $(wc -c <"$f")))
        total_gz=$((total_gz + $(gz "$f")))
    done < <(find "$out" -type f \( -name '*.wasm' -o -name '*.js' \) | sort)
    checks=("web|wasm + glue|$total_raw|$total_gz|$WEB_BUDGET")
    if [ "$NPM" = 1 ]; then
        row core stompwire_bg.wasm "$PKG_DIR/core/stompwire_bg.wasm"
        row core "stompwire.js (glue)" "$PKG_DIR/core/stompwire.js"
        for f in stompwire.mjs stompwire.cjs bundles/stompwire.umd.js; do
            row npm "$f" "$PKG_DIR/npm/$f"
        done
        row npm "minimal app (esbuild)" "$PKG_DIR/minimal-app.js"
        checks+=("npm|minimal app (esbuild)|$(wc -c <"$PKG_DIR/minimal-app.js")|$(gz "$PKG_DIR/minimal-app.js")|$BUDGET")
    fi
    for c in "${checks[@]}"; do
        IFS='|' read -r build what raw g limit <<<"$c"
        verdict="within budget ($(kib "$limit"))"
        if [ "$g" -gt "$limit" ]; then
            verdict="OVER BUDGET by $((g - limit)) B"
            over=1
        fi
        printf '%-9s %-26s %10s %10s   %s gzip, %s\n' "$build" "$what" "$raw" "$g" "$(kib "$g")" "$verdict"
    done
} >"$report" # not a pipeline: `over` must be set in this shell
cat "$report"
sw_log "packages in $PKG_DIR (report: $report)"
if [ "$over" != 0 ]; then
    printf '\nERROR: over the size budget (STOMPWIRE_SIZE_BUDGET %s B, STOMPWIRE_WEB_SIZE_BUDGET %s B gzip); the packages are built\n' \
        "$BUDGET" "$WEB_BUDGET" >&2
    exit 3
fi
