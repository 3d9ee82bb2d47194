# Sourced by scripts/windows.sh and scripts/macos-check.sh: makes sure Debian's Rust tool chain
# for building std from source is installed and recent enough, installing or upgrading it with
# apt (as root, which CI is). Not a script of its own.
#
# The tool chain comes from Debian, not rustup (no rustup target can be fetched here): rustc-web
# and cargo-web (/usr/bin/rustc, /usr/bin/cargo), rust-web-src (std's source, where -Z build-std
# looks for it). bookworm itself has 1.85; 1.96 comes from bookworm-security.
#
#   debian_rust_ensure MIN_VERSION [EXTRA_PACKAGE...]
#
# installs what is missing of rustc-web, cargo-web, rust-web-src and the extra packages, upgrades
# the three to the newest version apt knows when the installed rustc-web is older than
# MIN_VERSION, then puts Debian's Rust first (PATH, CARGO, RUSTC, RUSTDOC) and lets this stable
# compiler build std (RUSTC_BOOTSTRAP=1). It fails, saying why, only when apt has no version new
# enough or when it must install and is not root.

DEBIAN_RUST_PACKAGES=(rustc-web cargo-web rust-web-src)

debian_rust_apt() {
  if [ "$(id -u)" != 0 ]; then
    echo "$(basename "$0"): needs root to $*" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${DEBIAN_RUST_APT_UPDATED:-}" ]; then
    apt-get update -qq
    DEBIAN_RUST_APT_UPDATED=1
  fi
}

debian_rust_version() {
  dpkg-query -W -f='${Version}' rustc-web 2>/dev/null || true
}

debian_rust_ensure() {
  local min=$1
  shift
  local missing=() p installed
  for p in "${DEBIAN_RUST_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    debian_rust_apt "install: ${missing[*]}"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  installed=$(debian_rust_version)
  if ! dpkg --compare-versions "$installed" ge "$min"; then
    echo "== upgrading rustc-web $installed to >= $min"
    debian_rust_apt "upgrade rustc-web $installed to >= $min"
    apt-get install -y -qq --no-install-recommends --only-upgrade "${DEBIAN_RUST_PACKAGES[@]}" >/dev/null
    installed=$(debian_rust_version)
    if ! dpkg --compare-versions "$installed" ge "$min"; then
      echo "$(basename "$0"): rustc-web is $installed after apt-get upgrade; >= $min expected" \
        "(it comes from bookworm-security: is it in the apt sources?)" >&2
      exit 1
    fi
  fi
  # Debian's Rust before the rustup one; std may be built from source by this stable compiler.
  export PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1
  export CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
  unset RUSTUP_TOOLCHAIN
  echo "== $(rustc --version) (rustc-web $installed)"
}
