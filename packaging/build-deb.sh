#!/usr/bin/env bash
# build-deb.sh: builds the Debian package tlsrpt-milter from this checkout into dist/.
# Installs the build dependencies of debian/control first (apt-get; as root), then runs
# dpkg-buildpackage -us -uc -b in a copy of the tree (so the checkout's build directories do not
# leak into it) and copies the .deb files into dist/. DEB_BUILD_OPTIONS passes through, e.g.
# DEB_BUILD_OPTIONS=nocheck to skip the unit tests, parallel=N for the compiler jobs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# Build-Depends of debian/control, without version constraints and profile-only entries
# (debhelper-compat is debhelper's virtual package: dpkg-query knows only debhelper).
build_deps() {
  sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' debian/control | sed '$d' |
    sed 's/^Build-Depends://' | tr ',' '\n' |
    sed -e 's/([^)]*)//g' -e 's/\[[^]]*\]//g' -e 's/^ *//' -e 's/ *$//' |
    { if [[ " ${DEB_BUILD_OPTIONS:-} " == *" nocheck "* ]]; then grep -v '<!nocheck>'; else cat; fi; } |
    sed -e 's/<[^>]*>//g' -e 's/ //g' -e 's/^debhelper-compat$/debhelper/' | grep -v '^$'
}

need=(dpkg-dev debhelper fakeroot)
mapfile -t deps < <(build_deps)
missing=()
for p in "${need[@]}" "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-deb.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
fi
dpkg-checkbuilddeps

work=$(mktemp -d /var/tmp/tlsrpt-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/tlsrpt-milter"
mkdir "$src"
# the tracked files (or, outside git, the tree without build output)
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$root" ls-files -z --cached --others --exclude-standard |
    grep -zv '^dist/' | (cd "$root" && xargs -0 cp --parents -t "$src")
else
  tar -C "$root" --exclude='./build*' --exclude=./dist --exclude=./.git -cf - . | tar -C "$src" -xf -
fi
(cd "$src" && dpkg-buildpackage -us -uc -b)
mkdir -p "$root/dist"
rm -f "$root"/dist/*.deb "$root"/dist/*.changes "$root"/dist/*.buildinfo
cp -v "$work"/*.deb "$root/dist/"
cp "$work"/*.changes "$work"/*.buildinfo "$root/dist/" 2>/dev/null || true
