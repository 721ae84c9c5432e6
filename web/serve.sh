#!/usr/bin/env bash
# One command for the web expo: builds the web app (web/build.sh) and starts
# yunzhan-server serving it at / with the API (/api/v1), the text view
# (/text/) and, on first start, the embedded catalog.
#
#   web/serve.sh [--quick] [serve options, e.g. --listen 0.0.0.0:8080 --db expo.db]
#     --quick  an unoptimised build in minutes instead of the size-optimised
#              one (web-release, about half an hour on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
build=()
serve=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) build=(--profile wasm-ci --quick); shift ;;
    *) serve+=("$1"); shift ;;
  esac
done
web/build.sh "${build[@]}"
echo "web/serve.sh: open http://127.0.0.1:8080/ (or the --listen address)" >&2
exec cargo run --release -p yunzhan-server -- serve --web web/dist "${serve[@]}"
