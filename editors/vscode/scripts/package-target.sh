#!/usr/bin/env bash
# A platform-specific .vsix with the kqlint binary inside (bin/kqlint, bin/kqlint.exe on Windows): the
# extension runs it when neither `kqlint.path` nor KQLINT_PATH is set, and falls back to PATH in the
# universal package (`npm run package`), which carries no binary.
#   scripts/package-target.sh VSCODE_TARGET KQLINT_BINARY
# VSCODE_TARGET is one of vsce's targets: linux-x64, linux-arm64, alpine-x64, alpine-arm64, darwin-x64,
# darwin-arm64, win32-x64, win32-arm64. The binary must be built for that platform (the release workflow's
# archives; static musl binaries serve linux-* and alpine-* alike). Writes kqlint-VSCODE_TARGET-VERSION.vsix.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?VSCODE_TARGET}"
binary="${2:?KQLINT_BINARY}"
exe=kqlint
[[ "$target" == win32-* ]] && exe=kqlint.exe
rm -rf bin
mkdir bin
trap 'rm -rf bin' EXIT
cp "$binary" "bin/$exe"
chmod +x "bin/$exe"
npx vsce package --no-dependencies --target "$target"
