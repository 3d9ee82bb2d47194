#!/usr/bin/env bash
# Builds esecheck.exe for x86_64-pc-windows-gnu and runs the whole test suite for that target
# under Wine. .ci/run runs it; it also works by hand on a Debian 12 machine as root (it installs
# what it needs). Prints cargo test's usual "test result:" lines, then one closing line.
#
# The tool chain comes from Debian, not rustup (no rustup target can be fetched here): rustc-web
# and cargo-web (Rust 1.96, /usr/bin/rustc, /usr/bin/cargo), rust-web-src (std's source, where
# -Z build-std looks for it), installed or upgraded from an older one by scripts/debian-rust.sh;
# mingw-w64 as the linker and wine64 to run the exe and the tests.
# std is built from source for the target (-Z build-std, allowed on a stable compiler by
# RUSTC_BOOTSTRAP=1), once: the exe and the tests share the `windows` profile of Cargo.toml.
#
#   WINDOWS_TARGET_DIR  the cargo target directory (default target/windows: apart from the Linux
#                       build, so neither rebuilds the other)
#   WINEPREFIX          the Wine prefix (default: under WINDOWS_TARGET_DIR)
#   WINDOWS_TESTS=0     build the exe only
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-pc-windows-gnu
PROFILE=windows
WINE=/usr/lib/wine/wine64 # Debian puts no wine64 on PATH
WINESERVER=/usr/lib/wine/wineserver

export CARGO_TARGET_DIR="${WINDOWS_TARGET_DIR:-$PWD/target/windows}"
export WINEPREFIX="${WINEPREFIX:-$CARGO_TARGET_DIR/wineprefix}"
# Quiet, headless, and no offer to install Mono or Gecko into the prefix.
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=

step() { printf '== windows: %s\n' "$*"; }
now() { date +%s; }
t0=$(now)

# --- packages -----------------------------------------------------------------------------------
# Debian's Rust (an older rustc-web is upgraded), first on PATH, with RUSTC_BOOTSTRAP=1.
# shellcheck source=scripts/debian-rust.sh
. scripts/debian-rust.sh
debian_rust_ensure 1.96 gcc-mingw-w64-x86-64 wine64
t_packages=$(now)

# --- the Wine prefix, with the test-only stand-in bcryptprimitives.dll ---------------------------
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  step "creating the Wine prefix $WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  # Wine 8 on a 64-bit-only install complains that it cannot start the 32-bit rundll32: harmless.
  "$WINE" wineboot --init >/dev/null 2>&1 || true
  "$WINESERVER" -w
  [ -f "$WINEPREFIX/system.reg" ] || { echo "scripts/windows.sh: wineboot made no prefix" >&2; exit 1; }
fi
# Rust's std imports ProcessPrng from bcryptprimitives.dll, which Windows 10 and later have and
# Wine 8 lacks (every exe then dies with c0000135). A Wine that has its own needs no stand-in.
sys32="$WINEPREFIX/drive_c/windows/system32"
stand_in=scripts/windows/bcryptprimitives.c
if [ ! -e /usr/lib/x86_64-linux-gnu/wine/x86_64-windows/bcryptprimitives.dll ] &&
  { [ ! -f "$sys32/bcryptprimitives.dll" ] || [ "$stand_in" -nt "$sys32/bcryptprimitives.dll" ]; }; then
  step "building the test-only stand-in bcryptprimitives.dll into the prefix"
  x86_64-w64-mingw32-gcc -O2 -shared -Wall -Wextra -Werror -o "$sys32/bcryptprimitives.dll" "$stand_in" -lbcrypt
fi
t_prefix=$(now)

# --- the exe --------------------------------------------------------------------------------------
build_std=(-Z build-std=std,panic_abort --target "$TARGET" --profile "$PROFILE" --locked)
step "cargo build --bin esecheck (target $TARGET, profile $PROFILE)"
cargo build "${build_std[@]}" --bin esecheck
exe="$CARGO_TARGET_DIR/$TARGET/$PROFILE/esecheck.exe"
[ -f "$exe" ] || { echo "scripts/windows.sh: $exe was not built" >&2; exit 1; }
step "built $exe ($(stat -c %s "$exe") bytes)"
# The exe runs and gives the README's verdict on the bundled set (exit 0).
"$WINE" "$exe" --no-progress verify testdata/museum-srum-win10-belkasoftctf/Dirty
t_build=$(now)

# --- the test suite under Wine --------------------------------------------------------------------
if [ "${WINDOWS_TESTS:-1}" = 1 ]; then
  # The runner is given with --config, not CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER: assert_cmd
  # reads that variable inside the tests and would start the Linux wine binary from inside Wine.
  step "cargo test (target $TARGET, profile $PROFILE, under $WINE)"
  cargo test "${build_std[@]}" --no-fail-fast --config "target.$TARGET.runner=[\"$WINE\"]"
fi
"$WINESERVER" -w
t_tests=$(now)

echo "windows: packages $((t_packages - t0)) s, prefix $((t_prefix - t_packages)) s," \
  "exe $((t_build - t_prefix)) s, tests $((t_tests - t_build)) s, total $((t_tests - t0)) s"
