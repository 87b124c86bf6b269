#!/usr/bin/env bash
# Builds the web app (web/ -> web/dist) with Vite when a source file is newer
# than the last build; `scripts/web.sh --force` always builds. The packages
# come from web/package-lock.json (scripts/deps.sh runs `npm ci` in web/).
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=dist/index.html
if [ "${1:-}" != "--force" ] && [ -f "$stamp" ] &&
   [ -z "$(find src public index.html vite.config.js package-lock.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
echo "web: building web/dist"
npx --no-install vite build --logLevel warn
touch "$stamp"
