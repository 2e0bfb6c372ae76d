#!/usr/bin/env bash
# Install headless Chromium, its driver and a CJK font for the browser tests when they are missing (root only).
set -uo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -eq 0 ]; then echo "browser: chromium, chromedriver and a Chinese font are present"; exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser: installing ${missing[*]} from Debian packages (for the browser tests and Chinese text) ..."
  apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" >/dev/null \
    && echo "browser: installed" && exit 0
fi
echo "browser: could not install ${missing[*]}; browser tests will be skipped (install them to run those)." >&2
exit 0
