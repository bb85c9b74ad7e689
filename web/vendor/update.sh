#!/usr/bin/env bash
# Re-vendor the pinned browser libraries from the npm registry and verify
# them against SHA256SUMS.
#
#   web/vendor/update.sh           # fetch, copy, verify (fails on mismatch)
#   web/vendor/update.sh --write   # fetch, copy, regenerate SHA256SUMS
#
# To bump a version: edit FILES below, run with --write, review the diff.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
write=0
case "${1:-}" in
  --write) write=1 ;;
  "") ;;
  *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac

# package@version  file-inside-package  destination (relative to web/vendor)
FILES=(
  "preact@11.2.0            dist/preact.mjs                preact/preact.mjs"
  "preact@11.2.0            hooks/dist/hooks.mjs           preact/hooks.mjs"
  "preact@11.2.0            LICENSE                        LICENSES/preact.LICENSE"
  "htm@3.1.1                dist/htm.module.js             htm/htm.module.js"
  "htm@3.1.1                LICENSE                        LICENSES/htm.LICENSE"
  "socket.io-client@4.8.4   dist/socket.io.esm.min.js      socket.io-client/socket.io.esm.min.js"
  "socket.io-client@4.8.4   LICENSE                        LICENSES/socket.io-client.LICENSE"
)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

declare -A unpacked=()
for line in "${FILES[@]}"; do
  read -r pkg src dest <<<"$line"
  dir="$tmp/${pkg//\//_}"
  if [[ -z "${unpacked[$pkg]:-}" ]]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$pkg" >/dev/null 2>&1) \
      || { echo "npm pack $pkg failed" >&2; exit 1; }
    tar -xzf "$dir"/*.tgz -C "$dir"
    unpacked[$pkg]=1
  fi
  mkdir -p "$here/$(dirname "$dest")"
  cp "$dir/package/$src" "$here/$dest"
done

cd "$here"
listed() { for line in "${FILES[@]}"; do read -r _ _ dest <<<"$line"; echo "$dest"; done | sort; }

if [[ $write -eq 1 ]]; then
  listed | xargs sha256sum > SHA256SUMS
  echo "wrote $here/SHA256SUMS"
else
  [[ -f SHA256SUMS ]] || { echo "SHA256SUMS missing; run with --write" >&2; exit 1; }
  sha256sum --check --strict SHA256SUMS
  if ! diff <(listed) <(awk '{print $2}' SHA256SUMS | sort) >/dev/null; then
    echo "SHA256SUMS does not list exactly the vendored files" >&2; exit 1
  fi
  echo "vendored files verified"
fi
