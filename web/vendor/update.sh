#!/usr/bin/env bash
# Re-vendor the pinned browser libraries, the highlight.js grammars, the
# emojibase data set and the Twemoji colour font from the npm registry and
# verify them against SHA256SUMS.
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
  "@highlightjs/cdn-assets@11.12.0  es/core.min.js  highlight.js/core.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/rust.min.js  highlight.js/languages/rust.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/python.min.js  highlight.js/languages/python.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/typescript.min.js  highlight.js/languages/typescript.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/javascript.min.js  highlight.js/languages/javascript.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/json.min.js  highlight.js/languages/json.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/ini.min.js  highlight.js/languages/ini.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/yaml.min.js  highlight.js/languages/yaml.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/bash.min.js  highlight.js/languages/bash.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/shell.min.js  highlight.js/languages/shell.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/go.min.js  highlight.js/languages/go.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/sql.min.js  highlight.js/languages/sql.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/xml.min.js  highlight.js/languages/xml.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/css.min.js  highlight.js/languages/css.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/diff.min.js  highlight.js/languages/diff.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/markdown.min.js  highlight.js/languages/markdown.min.js"
  "@highlightjs/cdn-assets@11.12.0  es/languages/dockerfile.min.js  highlight.js/languages/dockerfile.min.js"
  "@highlightjs/cdn-assets@11.12.0  LICENSE  LICENSES/highlight.js.LICENSE"
  "emojibase-data@17.0.0  en/compact.json  emojibase-data/en/compact.json"
  "emojibase-data@17.0.0  en/messages.json  emojibase-data/en/messages.json"
  "emojibase-data@17.0.0  en/shortcodes/github.json  emojibase-data/en/shortcodes/github.json"
  "emojibase-data@17.0.0  versions/emoji.json  emojibase-data/versions/emoji.json"
  "emojibase-data@17.0.0  LICENSE  LICENSES/emojibase-data.LICENSE"
  "twemoji-colr-font@15.0.3  twemoji.woff2  twemoji-colr-font/twemoji.woff2"
  "twemoji-colr-font@15.0.3  LICENSE  LICENSES/twemoji-colr-font.LICENSE"
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
