#!/bin/sh
# Install a driftcheck release binary (Linux x86_64/aarch64, macOS x86_64/arm64)
# after checking its SHA-256 checksum. Published with every release:
#
#   curl -fsSL https://github.com/driftcheck/driftcheck/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- --version 0.1.0 --to /usr/local/bin
#
# Options (or environment variables):
#   --version V   DRIFTCHECK_VERSION      release to install, e.g. 0.1.0 (default: latest)
#   --to DIR      DRIFTCHECK_INSTALL_DIR  where the binary goes (default: ~/.local/bin)
#                 DRIFTCHECK_RELEASES     releases URL (default: the GitHub releases page)
# Exit status: 0 installed; 1 failed (download, checksum, write); 3 no release
# binary for this platform or version (build it instead: cargo install driftcheck).
set -eu

releases=${DRIFTCHECK_RELEASES:-https://github.com/driftcheck/driftcheck/releases}
version=${DRIFTCHECK_VERSION:-latest}
dir=${DRIFTCHECK_INSTALL_DIR:-${HOME:?}/.local/bin}
while [ $# -gt 0 ]; do
  case $1 in
    --version) version=${2:?--version needs a value}; shift 2 ;;
    --to) dir=${2:?--to needs a directory}; shift 2 ;;
    *) echo "install.sh: unknown option $1 (use --version V, --to DIR)" >&2; exit 1 ;;
  esac
done
[ -n "$version" ] || version=latest

say() { printf 'install.sh: %s\n' "$*" >&2; }
unavailable() { say "$*; build it instead: cargo install --locked driftcheck"; exit 3; }

case $(uname -m) in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) unavailable "no release binary for the $(uname -m) architecture" ;;
esac
case $(uname -s) in
  Linux) target=$arch-unknown-linux-gnu ;;
  Darwin) target=$arch-apple-darwin ;;
  *) unavailable "no release binary for $(uname -s)" ;;
esac

if [ "$version" = latest ]; then
  base=$releases/latest/download
else
  base=$releases/download/v${version#v}
fi
archive=driftcheck-$target.tar.gz

fetch() { # URL FILE
  if command -v curl >/dev/null; then
    curl --proto '=https,file' -fsSL "$1" -o "$2"
  else
    wget -q "$1" -O "$2"
  fi
}
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "downloading $base/$archive"
fetch "$base/$archive" "$tmp/$archive" || unavailable "no driftcheck $version release binary for $target at $base"
fetch "$base/driftcheck-$target.sha256" "$tmp/sums" || { say "cannot download the checksum driftcheck-$target.sha256"; exit 1; }
expected=$(grep -F "$archive" "$tmp/sums" | cut -d' ' -f1)
actual=$(sha256 "$tmp/$archive")
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  say "checksum mismatch for $archive (expected ${expected:-nothing}, got $actual): not installed"
  exit 1
fi
tar -xzf "$tmp/$archive" -C "$tmp" driftcheck
mkdir -p "$dir"
# Replace atomically: a running driftcheck keeps its old file.
cp "$tmp/driftcheck" "$dir/.driftcheck.new"
chmod 755 "$dir/.driftcheck.new"
mv -f "$dir/.driftcheck.new" "$dir/driftcheck"
say "installed $("$dir/driftcheck" --version) to $dir/driftcheck (sha256 $actual)"
case :$PATH: in
  *:"$dir":*) ;;
  *) say "note: $dir is not on your PATH" ;;
esac
