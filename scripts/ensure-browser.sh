#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests if it is missing (needs root, as on CI).
# Playwright drives this binary through executable_path; it never downloads a browser of its own.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian chromium for the browser tests..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium not found and cannot install it (not root): browser tests will be skipped" >&2
fi
