#!/usr/bin/env bash
# Install the Debian packages some tests need, when missing and when we can (root + apt-get).
# Safe to run again: does nothing when everything is there.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v pg_ctlcluster >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: ${need[*]} not installed and cannot install them here (needs root and apt-get);"
  echo "      the tests that use them will report that they could not run."
  exit 0
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null \
  || echo "warning: apt-get could not install ${need[*]}"
exit 0
