#!/usr/bin/env bash
# Builds the Yunzhan app for the web (wasm32-unknown-unknown).
#
# Uses a rustup wasm32 target when one is installed; otherwise falls back to
# Debian's rustc-web (Rust 1.96) building std from source, which works on
# machines where `rustup target add` cannot download (see docs/ci.md).
#
# Then makes the site in web/dist: wasm-bindgen at the exact version in
# Cargo.lock (installed into the target dir if missing), wasm-opt from the
# npm `binaryen` package, the app's files named by their content hash (so
# they can be cached for good), index.html, manifest.json, the text view
# (text/, from `yunzhan-server export-text`), the shipped catalog (packed by
# `yunzhan-catalog pack`) and the CJK font (downloaded by the page beside
# the wasm), and precompressed .gz/.br files. dist/ works from any static
# file server, on the shipped catalog.
#
#   web/build.sh [--profile PROFILE] [--no-dist] [--quick] [--lint] [--example NAME] [--out DIR]
#     --profile  cargo profile (default web-release; CI uses wasm-ci)
#     --no-dist  only compile
#     --lint     compile the workspace's crates with clippy, warnings as
#                errors (the wasm32-only code is linted nowhere else)
#     --quick    no wasm-opt and no precompressed files (CI's browser tests)
#     --example  build this example instead of the app (the size baseline
#                examples/bare_web.rs), without the text view
#     --out      the site's folder (default web/dist)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=web-release
dist=yes
quick=no
lint=no
example=
out=web/dist
while [ $# -gt 0 ]; do
  case "$1" in
    --example) example="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    --no-dist) dist=no; shift ;;
    --quick) quick=yes; shift ;;
    --lint) lint=yes; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# Precompressing needs brotli: find out now, not after a long build.
if [ "$quick" = no ] && [ "$dist" = yes ] && ! command -v brotli >/dev/null &&
  ! python3 -c 'import brotli' 2>/dev/null; then
  echo "web/build.sh: precompressing needs brotli: install Debian's brotli (or PyPI's brotli), or build with --quick" >&2
  exit 1
fi

native_rustflags="${RUSTFLAGS:-}"
target=wasm32-unknown-unknown
what=(--bin yunzhan)
[ -z "$example" ] || what=(--example "$example")
export RUSTFLAGS="${RUSTFLAGS:-} --cfg getrandom_backend=\"wasm_js\""
# Clippy as the workspace's compiler: the crates are linted while they are
# built, without a second (check) build of the dependencies. Only for the
# app's build (in `lint_env`): `cargo install` below must not get it.
lint_env=()
use_clippy() {
  local driver="$1"
  if [ "$lint" = yes ]; then
    [ -x "$driver" ] || { echo "web/build.sh: --lint needs clippy ($driver)" >&2; exit 1; }
    lint_env=(RUSTC_WORKSPACE_WRAPPER="$driver"
      CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__")
  fi
}
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  echo "web/build.sh: rustup target $target" >&2
  target_dir="${CARGO_TARGET_DIR:-target}/wasm"
  use_clippy "$(rustc --print sysroot)/bin/clippy-driver"
  env "${lint_env[@]}" cargo build "${what[@]}" --target "$target" --profile "$profile" --target-dir "$target_dir"
elif [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust ]; then
  echo "web/build.sh: Debian rustc-web with -Zbuild-std ($(/usr/bin/rustc --version))" >&2
  target_dir="${CARGO_TARGET_DIR:-target}/wasm-debian"
  # rustc-web links wasm32 with `rust-lld`, which no Debian package provides
  # under that name; LLVM's own wasm-ld (package lld-NN) is the same linker.
  # Its file name must stay `wasm-ld` for rustc to pick the linker flavour.
  if [ -z "${CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER:-}" ] && ! command -v rust-lld >/dev/null; then
    wasm_ld=$(ls -d /usr/lib/llvm-*/bin/wasm-ld 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$wasm_ld" ]; then
      echo "web/build.sh: no wasm32 linker: install Debian's lld-22 (it provides /usr/lib/llvm-22/bin/wasm-ld)" >&2
      exit 1
    fi
    echo "web/build.sh: linking with $wasm_ld" >&2
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$wasm_ld"
  fi
  use_clippy /usr/bin/clippy-driver
  env "${lint_env[@]}" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build "${what[@]}" \
    --target "$target" --profile "$profile" --target-dir "$target_dir" \
    -Zbuild-std=std,panic_abort
else
  echo "web/build.sh: no wasm32 toolchain: install the rustup target ($target) or Debian's rustc-web cargo-web rust-web-src lld" >&2
  exit 1
fi
[ "$dist" = yes ] || exit 0

wasm="$target_dir/$target/$profile/yunzhan.wasm"
[ -z "$example" ] || wasm="$target_dir/$target/$profile/examples/$example.wasm"
tools="${CARGO_TARGET_DIR:-target}/web-tools"
bindgen_version=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if ! "$tools/bin/wasm-bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $bindgen_version"; then
  echo "web/build.sh: installing wasm-bindgen-cli $bindgen_version (the version in Cargo.lock)" >&2
  # Its own lock file can name a crate version the registry no longer
  # offers; then resolve afresh.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --locked --root "$tools" ||
    cargo install wasm-bindgen-cli --version "$bindgen_version" --root "$tools"
fi
rm -rf "$out"; mkdir -p "$out"
"$tools/bin/wasm-bindgen" "$wasm" --target web --no-typescript --out-dir "$out" --out-name yunzhan
raw=$(stat -c %s "$out/yunzhan_bg.wasm")
if [ "$quick" = no ]; then
  if [ ! -x "$tools/npm/node_modules/.bin/wasm-opt" ]; then
    echo "web/build.sh: installing binaryen (wasm-opt) from npm" >&2
    npm install --silent --prefix "$tools/npm" binaryen@132.0.0
  fi
  # Rust's wasm32 target uses these post-MVP features; wasm-opt must accept them.
  "$tools/npm/node_modules/.bin/wasm-opt" -Oz --strip-debug \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/yunzhan_bg.wasm" -o "$out/yunzhan_bg.opt.wasm"
  mv "$out/yunzhan_bg.opt.wasm" "$out/yunzhan_bg.wasm"
fi
# Content-hashed names: the server lets browsers keep these for a year.
hash=$(cat "$out/yunzhan_bg.wasm" "$out/yunzhan.js" | sha256sum | cut -c1-16)
mv "$out/yunzhan_bg.wasm" "$out/yunzhan_bg.$hash.wasm"
mv "$out/yunzhan.js" "$out/yunzhan.$hash.js"
cp web/index.html "$out/"
bytes=$(stat -c %s "$out/yunzhan_bg.$hash.wasm")
data_fields=
if [ -z "$example" ]; then
  # The sample exhibitor booth, for ?preview=booths/sample/booth.json.
  mkdir -p "$out/booths/sample"
  cp assets/booths/sample/booth.json assets/booths/sample/booth.glb assets/booths/sample/logo.png "$out/booths/sample/"
  # The shipped catalog and the Chinese font are not compiled into the
  # wasm: the page downloads them beside it and hands them over
  # (web/index.html, web::take_page_files).
  # The catalog goes packed (Catalog::to_packed): fewer bytes for the
  # browser to take in, read several times faster than the JSON.
  data_name() { echo "$(basename "$1" ".$2").$(sha256sum "$1" | cut -c1-16).$2"; }
  catalog=assets/catalog/catalog.json
  font=assets/fonts/NotoSansSC-Yunzhan.otf
  # YUNZHAN_CATALOG_TOOL: a yunzhan-catalog already built (CI's), instead
  # of building one here.
  if [ -n "${YUNZHAN_CATALOG_TOOL:-}" ]; then
    "$YUNZHAN_CATALOG_TOOL" pack "$catalog" --out "$out/catalog.bin"
  else
    RUSTFLAGS="$native_rustflags" cargo run --quiet -p yunzhan-sheet --bin yunzhan-catalog -- \
      pack "$catalog" --out "$out/catalog.bin"
  fi
  catalog_name=$(data_name "$out/catalog.bin" bin)
  font_name=$(data_name "$font" otf)
  mv "$out/catalog.bin" "$out/$catalog_name"
  cp "$font" "$out/$font_name"
  python3 - "$out/yunzhan_bg.$hash.wasm" "$catalog" "$font" <<'PY'
import sys
wasm = open(sys.argv[1], "rb").read()
for path in sys.argv[2:]:
    if open(path, "rb").read()[:4096] in wasm:
        sys.exit(f"web/build.sh: {path} is compiled into the wasm: it must only be downloaded beside it")
PY
  data_fields=$(printf ', "catalog": "%s", "catalog_bytes": %s, "font": "%s", "font_bytes": %s' \
    "$catalog_name" "$(stat -c %s "$out/$catalog_name")" "$font_name" "$(stat -c %s "$font")")
fi
printf '{"wasm": "yunzhan_bg.%s.wasm", "js": "yunzhan.%s.js", "wasm_bytes": %s%s}\n' \
  "$hash" "$hash" "$bytes" "$data_fields" > "$out/manifest.json"
# The text view, with the native server (the wasm flags would rebuild it).
[ -n "$example" ] || RUSTFLAGS="$native_rustflags" cargo run --quiet -p yunzhan-server -- export-text "$out/text"
if [ "$quick" = yes ]; then
  echo "web/build.sh: $out ready (quick: not optimised, not precompressed): wasm $bytes bytes" >&2
  exit 0
fi
for file in "$out"/*.wasm "$out"/catalog.*.bin "$out"/*.otf "$out"/*.js "$out"/*.html "$out"/text/*.js "$out"/text/*.css "$out"/text/index.html; do
  [ -e "$file" ] || continue
  gzip -9 -k -f "$file"
  if command -v brotli >/dev/null; then
    brotli -q 11 -k -f "$file"
  else
    python3 -c 'import brotli, sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[1] + ".br", "wb").write(brotli.compress(d, quality=11))' "$file"
  fi
done
echo "web/build.sh: $out ready: wasm $raw bytes after wasm-bindgen, $bytes after wasm-opt," \
  "$(stat -c %s "$out/yunzhan_bg.$hash.wasm.gz") gzip, $(stat -c %s "$out/yunzhan_bg.$hash.wasm.br") brotli" >&2
[ -z "$example" ] || exit 0
for name in "$catalog_name" "$font_name"; do
  echo "web/build.sh: beside it $name: $(stat -c %s "$out/$name") bytes," \
    "$(stat -c %s "$out/$name.gz") gzip, $(stat -c %s "$out/$name.br") brotli" >&2
done
