#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests if it is missing (needs root, as on CI).
# Playwright drives this binary through executable_path; it never downloads a browser of its own.
# Under CI=true a browser that cannot be installed is an error (one line, exit 1): browser tests
# never skip there. Elsewhere it is a warning and those tests skip. $1: the path (default Debian's).
set -uo pipefail
chromium="${1:-/usr/bin/chromium}"
[ -x "$chromium" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian chromium for the browser tests..."
  if apt-get update -qq >/dev/null 2>&1 \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
      && [ -x "$chromium" ]; then
    exit 0
  fi
  why="apt-get install chromium failed"
else
  why="not root, or no apt-get"
fi
case "${CI:-}" in
  1|true|TRUE|True|yes)
    echo "error: chromium not found at $chromium and cannot be installed ($why); CI=true, so the browser tests must run" >&2
    exit 1 ;;
esac
echo "warning: chromium not found at $chromium and cannot be installed ($why): browser tests will be skipped" >&2
