#!/usr/bin/env bash
# Compile check of esecheck for macOS, x86_64-apple-darwin and aarch64-apple-darwin: every target
# (library, binary, tests, benches, examples), so the Unix code paths that differ on macOS (no
# O_NOATIME or statx, other MetadataExt fields, SEEK_HOLE/SEEK_DATA) keep compiling. .ci/run runs
# it; it also works by hand on a Debian 12 machine as root (it installs what it needs). A check
# links nothing, so no macOS linker or SDK is needed; nothing is run.
#
# As scripts/windows.sh: Debian's Rust (scripts/debian-rust.sh), std checked from source for each
# target (-Z build-std, allowed on a stable compiler by RUSTC_BOOTSTRAP=1).
#
#   MACOS_TARGET_DIR  the cargo target directory (default target/macos: apart from the Linux and
#                     Windows builds, so none rebuilds the others)
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(x86_64-apple-darwin aarch64-apple-darwin)
export CARGO_TARGET_DIR="${MACOS_TARGET_DIR:-$PWD/target/macos}"

now() { date +%s; }
t0=$(now)
# shellcheck source=scripts/debian-rust.sh
. scripts/debian-rust.sh
debian_rust_ensure 1.96
t_packages=$(now)

targets=()
for t in "${TARGETS[@]}"; do targets+=(--target "$t"); done
echo "== macos: cargo check --all-targets --all-features (${TARGETS[*]})"
cargo check -Z build-std=std,panic_abort "${targets[@]}" --all-targets --all-features --locked
t_check=$(now)

echo "macos: packages $((t_packages - t0)) s, check $((t_check - t_packages)) s, total $((t_check - t0)) s"
