#!/usr/bin/env bash
# Builds the release archives into dist/ (git-ignored):
#   esecheck-VERSION-x86_64-unknown-linux-gnu.tar.gz  cargo build --release (the usual toolchain)
#   esecheck-VERSION-x86_64-pc-windows-gnu.zip        esecheck.exe from scripts/windows.sh (Debian's
#                                                     Rust, -Z build-std, profile `windows`; the
#                                                     exe is run once under Wine, tests skipped)
#   SHA256SUMS                                        sha256sum of both, checkable with sha256sum -c
# Each archive holds one folder esecheck-VERSION-TARGET/ with the binary, README.md, docs/CLI.md
# and the LICENSE files present. File times are the last commit's, so a rebuild of the same
# commit with the same tools gives the same archives. The test-only bcryptprimitives.dll of
# scripts/windows/ is never packed.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\([^"]*\)"/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || { echo "scripts/release.sh: no version in Cargo.toml" >&2; exit 1; }
stamp=$(git log -1 --format=%ct 2>/dev/null || date +%s)
dist=dist
mkdir -p "$dist"

if ! command -v zip >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "scripts/release.sh: zip is missing (apt-get install zip)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zip >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends zip >/dev/null; }
fi

# Lays out dist/NAME/ with the binary and the documents, file times set to the commit's.
stage() {
  local name=$1 binary=$2
  rm -rf "${dist:?}/$name"
  mkdir -p "$dist/$name/docs"
  cp "$binary" "$dist/$name/"
  cp README.md "$dist/$name/"
  cp docs/CLI.md "$dist/$name/docs/"
  for f in LICENSE*; do
    [ -e "$f" ] && cp "$f" "$dist/$name/"
  done
  find "$dist/$name" -exec touch -h -d "@$stamp" {} +
}

echo "== release: Linux (x86_64-unknown-linux-gnu)"
cargo build --release --locked --bin esecheck
linux=esecheck-$version-x86_64-unknown-linux-gnu
stage "$linux" target/release/esecheck
tar -C "$dist" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$stamp" -cf - "$linux" |
  gzip -9n >"$dist/$linux.tar.gz"

echo "== release: Windows (x86_64-pc-windows-gnu)"
WINDOWS_TESTS=0 scripts/windows.sh
windows=esecheck-$version-x86_64-pc-windows-gnu
stage "$windows" "${WINDOWS_TARGET_DIR:-target/windows}/x86_64-pc-windows-gnu/windows/esecheck.exe"
rm -f "$dist/$windows.zip"
(cd "$dist" && find "$windows" -print | LC_ALL=C sort | zip -X -q -9 "$windows.zip" -@)

rm -rf "${dist:?}/$linux" "${dist:?}/$windows"
(cd "$dist" && sha256sum "$linux.tar.gz" "$windows.zip" >SHA256SUMS && cat SHA256SUMS)
