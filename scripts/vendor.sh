#!/usr/bin/env bash
# Re-fetch the vendored front-end assets and fonts from the npm registry. The app never loads
# anything from another host at run time; these files are committed. Run from the repo root.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fetch() {  # fetch PACKAGE@VERSION: unpack into $work/PACKAGE
  local dir="$work/${1%@*}"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$1" >/dev/null && tar xzf ./*.tgz)
}
fetch htmx.org@2.0.11
cp "$work/htmx.org/package/dist/htmx.min.js" static/vendor/htmx.min.js
cp "$work/htmx.org/package/LICENSE" static/vendor/htmx.LICENSE
fetch dejavu-fonts-ttf@2.37.3
cp "$work/dejavu-fonts-ttf/package/ttf/DejaVuSans.ttf" \
   "$work/dejavu-fonts-ttf/package/ttf/DejaVuSans-Bold.ttf" bridgework/plans/fonts/
cp "$work/dejavu-fonts-ttf/package/LICENSE" bridgework/plans/fonts/DejaVu-LICENSE
fetch axe-core@4.14.1  # accessibility checks in the browser tests only; never served
cp "$work/axe-core/package/axe.min.js" bridgework/tests/vendor/axe.min.js
cp "$work/axe-core/package/LICENSE" bridgework/tests/vendor/axe-core.LICENSE
echo "Vendored assets refreshed."
