#!/usr/bin/env bash
# setup_deps.sh: installs everything the build, the tests and the demo need, from Debian 12's
# archive only. Idempotent; skips apt when every package is already there.
set -euo pipefail
packages=(libmilter-dev libgmime-3.0-dev libglib2.0-dev libsimdjson-dev zlib1g-dev libpqxx-dev
  libpq-dev libboost-test-dev libarchive-dev meson ninja-build pkg-config g++ postgresql postfix
  swaks miltertest python3 clang-format libopendkim-dev libunbound-dev libevent-dev dnsmasq-base python3-dkim
  python3-nacl time clang libclang-rt-14-dev prometheus-cpp-dev curl prometheus nsd ldnsutils
  libcivetweb-dev libssl-dev openssl libcurl4-openssl-dev dovecot-imapd chromium pgbouncer
  # what an unpacked Sendmail runs with (tests/e2e/sendmail_lib.sh; Sendmail is never installed)
  m4 liblockfile1 libwrap0 libnsl2 libsasl2-2 libldap-2.5-0 libdb5.3
  # the Debian package (tests/package/deb.sh): build, lint, manual pages, unit checks
  debhelper dpkg-dev fakeroot lintian man-db groff-base systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
# "No configuration": Postfix writes no main.cf; the tests and the demo write their own.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string mx.example.test" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
