#!/usr/bin/env bash
# Builds the Yunzhan app for the web (wasm32-unknown-unknown).
#
# Uses a rustup wasm32 target when one is installed; otherwise falls back to
# Debian's rustc-web (Rust 1.96) building std from source, which works on
# machines where `rustup target add` cannot download (see docs/ci.md).
#
#   web/build.sh [--profile PROFILE]     (default profile: web-release)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=web-release
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) profile="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

target=wasm32-unknown-unknown
export RUSTFLAGS="${RUSTFLAGS:-} --cfg getrandom_backend=\"wasm_js\""
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  echo "web/build.sh: rustup target $target" >&2
  cargo build --target "$target" --profile "$profile" --target-dir "${CARGO_TARGET_DIR:-target}/wasm"
elif [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust ]; then
  echo "web/build.sh: Debian rustc-web with -Zbuild-std ($(/usr/bin/rustc --version))" >&2
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build \
    --target "$target" --profile "$profile" --target-dir "${CARGO_TARGET_DIR:-target}/wasm-debian" \
    -Zbuild-std=std,panic_abort
else
  echo "web/build.sh: no wasm32 toolchain: install the rustup target ($target) or Debian's rustc-web cargo-web rust-web-src lld" >&2
  exit 1
fi
