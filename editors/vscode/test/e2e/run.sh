#!/usr/bin/env bash
# End-to-end test of the extension in real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven by headless
# Chromium through playwright-core. It installs the packaged .vsix, opens a workspace with a Sentinel rule
# whose query still has a template placeholder and a .kql file with a syntax error, waits for the language
# server's error squiggles in both, opens the Problems panel and saves a screenshot.
#
#   KQLINT_E2E_SERVER=/path/to/kqlint   bash test/e2e/run.sh     # the real server (`kqlint lsp`)
#   KQLINT_E2E_SERVER=standin           bash test/e2e/run.sh     # the stand-in server of this folder
#
# Environment:
#   KQLINT_E2E_SERVER      required: the kqlint executable (the extension runs `$KQLINT_E2E_SERVER lsp`), or
#                          `standin` for test/e2e/standin-kqlint.mjs (a fake server, for testing this script)
#   KQLINT_E2E_SCREENSHOT  PNG to write, outside the repository (default: ${TMPDIR:-/tmp}/kqlint-e2e.png)
#   KQLINT_E2E_CACHE       where code-server is installed (default: ~/.cache/kqlint-e2e; about 320 MB)
#   KQLINT_E2E_VSIX        a .vsix to test (default: build one with `npm run package` into the run directory)
#   KQLINT_E2E_EXPECT      texts, separated by `|`, that must appear in the Problems panel
#                          (default for the stand-in: its two messages; for the real server: KQL201 at the
#                          rule's `let IP = "IP ADDRESS GOES HERE";`, Ln 20, Col 12)
#   KQLINT_E2E_DOCS        `CODE|text`: the code in the Problems panel to click, and a text of the rule documentation
#                          it must open (default: STANDIN1 for the stand-in, KQL201 `unfilled-placeholder` for kqlint)
#   KQLINT_E2E_CHROMIUM    Chromium executable (default: chromium on PATH)
#   KQLINT_E2E_WORKSPACE  the workspace to open (default: test/e2e/workspace; same layout: queries/broken.kql, rules/)
#   KQLINT_E2E_KEEP=1      keep the run directory (user data, logs, workspace copy) instead of deleting it
#   KQLINT_E2E_BUNDLED=1   test the platform-specific package instead: the .vsix is built with
#                          scripts/package-target.sh linux-x64 "$KQLINT_E2E_SERVER" (the binary inside it), and
#                          neither `kqlint.path` nor KQLINT_PATH is set, so the extension must start its own binary
#
# Debian packages: chromium (always); ripgrep, pkg-config, libkrb5-dev, libx11-dev, libxkbfile-dev,
# libsecret-1-dev and a C/C++ toolchain (only to install code-server, the first time).
set -euo pipefail

started=$(date +%s)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXT=$(cd "$HERE/../.." && pwd)
REPO=$(git -C "$EXT" rev-parse --show-toplevel 2>/dev/null || (cd "$EXT/../.." && pwd))
CACHE=${KQLINT_E2E_CACHE:-$HOME/.cache/kqlint-e2e}
CODE_SERVER_DIR="$CACHE/code-server-4.100.3"
CODE_SERVER="$CODE_SERVER_DIR/node_modules/.bin/code-server"
SCREENSHOT=${KQLINT_E2E_SCREENSHOT:-${TMPDIR:-/tmp}/kqlint-e2e.png}

die() { echo "run.sh: $*" >&2; exit 2; }

# --- inputs -------------------------------------------------------------------------------------------
SERVER=${KQLINT_E2E_SERVER:-}
[[ -n "$SERVER" ]] || die "set KQLINT_E2E_SERVER to the kqlint executable, or to \`standin\` for the stand-in server"
EXPECT=${KQLINT_E2E_EXPECT:-}
if [[ "$SERVER" == standin ]]; then
  SERVER="$HERE/standin-kqlint.mjs"
  STANDIN=1
  EXPECT=${KQLINT_E2E_EXPECT:-unfilled placeholder \"GOES HERE\"|is never closed}
  DOCS=${KQLINT_E2E_DOCS:-STANDIN1|Stand-in documentation of STANDIN1}
else
  STANDIN=0
  EXPECT=${KQLINT_E2E_EXPECT:-KQL201|Ln 20, Col 12}
  DOCS=${KQLINT_E2E_DOCS:-KQL201|KQL201 \`unfilled-placeholder\`}
fi
SERVER=$(realpath "$SERVER" 2>/dev/null) || die "KQLINT_E2E_SERVER: no such file: ${KQLINT_E2E_SERVER}"
[[ -f "$SERVER" && -x "$SERVER" ]] || die "KQLINT_E2E_SERVER is not an executable file: $SERVER"

mkdir -p "$(dirname "$SCREENSHOT")"
SCREENSHOT="$(cd "$(dirname "$SCREENSHOT")" && pwd)/$(basename "$SCREENSHOT")"
case "$SCREENSHOT" in
  "$REPO"/*) die "KQLINT_E2E_SCREENSHOT must be outside the repository ($REPO): $SCREENSHOT" ;;
esac

# --- prerequisites ------------------------------------------------------------------------------------
CHROMIUM=${KQLINT_E2E_CHROMIUM:-$(command -v chromium || true)}
missing=()
[[ -n "$CHROMIUM" && -x "$CHROMIUM" ]] || missing+=(chromium)
if [[ ! -f "$CODE_SERVER_DIR/.kqlint-install-complete" ]]; then
  command -v rg >/dev/null || missing+=(ripgrep)
  if command -v dpkg-query >/dev/null; then
    for pkg in pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev g++ make python3; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
  fi
fi
if ((${#missing[@]})); then
  echo "run.sh: missing Debian packages: ${missing[*]}" >&2
  echo "  install them with: apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 2
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
((node_major >= 20)) || die "node 20 or newer is needed (code-server 4.100.3 is built for node 20), found $(node --version)"
[[ -d "$EXT/node_modules/playwright-core" ]] || die "run \`npm ci\` in $EXT first (playwright-core and the build tools come from there)"

# --- code-server --------------------------------------------------------------------------------------
bash "$HERE/install-code-server.sh" "$CODE_SERVER_DIR"

# --- the run directory: user data, extensions, a copy of the workspace --------------------------------
RUN=$(mktemp -d "${TMPDIR:-/tmp}/kqlint-e2e.XXXXXX")
CS_PID=
cleanup() {
  local rc=$?
  if [[ -n "$CS_PID" ]]; then
    kill -- "-$CS_PID" 2>/dev/null || kill "$CS_PID" 2>/dev/null || true
    wait "$CS_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    echo "run.sh: FAILED (exit $rc). Logs:" >&2
    tail -n 20 "$RUN/code-server.log" 2>/dev/null | sed 's/^/  code-server: /' >&2 || true
    find "$RUN/user/logs" -name '*kqlint*.log' -exec tail -n 30 {} + 2>/dev/null | sed 's/^/  kqlint output: /' >&2 || true
    find "$RUN/user/logs" -name 'remoteexthost.log' -exec grep -i -E 'kqlint|error' {} + 2>/dev/null | tail -n 20 | sed 's/^/  exthost: /' >&2 || true
  fi
  if [[ "${KQLINT_E2E_KEEP:-0}" == 1 || $rc -ne 0 ]]; then
    echo "run.sh: run directory kept: $RUN" >&2
  else
    rm -rf "$RUN"
  fi
  exit $rc
}
trap cleanup EXIT

mkdir -p "$RUN/user/User" "$RUN/extensions" "$RUN/xdg-config" "$RUN/xdg-data"
cp -r "${KQLINT_E2E_WORKSPACE:-$HERE/workspace}" "$RUN/ws"
WS="$RUN/ws"
export XDG_CONFIG_HOME="$RUN/xdg-config" XDG_DATA_HOME="$RUN/xdg-data"

VSIX=${KQLINT_E2E_VSIX:-}
BUNDLED=${KQLINT_E2E_BUNDLED:-0}
if [[ -z "$VSIX" && "$BUNDLED" == 1 ]]; then
  echo "run.sh: packaging the extension for linux-x64 with $SERVER inside" >&2
  version=$(node -p 'require(process.argv[1]).version' "$EXT/package.json")
  (cd "$EXT" && bash scripts/package-target.sh linux-x64 "$SERVER" >"$RUN/package.log" 2>&1) ||
    { cat "$RUN/package.log" >&2; die "scripts/package-target.sh failed"; }
  mv "$EXT/kqlint-linux-x64-$version.vsix" "$RUN/kqlint.vsix"
  VSIX="$RUN/kqlint.vsix"
  # the package must hold the binary, and nothing may point the extension elsewhere
  unzip -l "$VSIX" | grep -q 'extension/bin/kqlint$' || die "the package has no extension/bin/kqlint"
elif [[ -z "$VSIX" ]]; then
  echo "run.sh: packaging the extension" >&2
  (cd "$EXT" && npm run --silent package -- --out "$RUN/kqlint.vsix" >"$RUN/package.log" 2>&1) ||
    { cat "$RUN/package.log" >&2; die "npm run package failed"; }
  VSIX="$RUN/kqlint.vsix"
fi
[[ -f "$VSIX" ]] || die "no such .vsix: $VSIX"

"$CODE_SERVER" --user-data-dir "$RUN/user" --extensions-dir "$RUN/extensions" --install-extension "$VSIX" \
  >"$RUN/install-extension.log" 2>&1 || { cat "$RUN/install-extension.log" >&2; die "installing $VSIX failed"; }

cat >"$RUN/user/User/settings.json" <<'JSON'
{
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "chat.commandCenter.enabled": false,
  "kqlint.trace.server": "messages"
}
JSON

# --- start code-server (in its own process group, so that cleanup ends it and its children) -----------
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
if [[ "$BUNDLED" == 1 ]]; then
  unset KQLINT_PATH
  # no `kqlint` on PATH either: only the bundled binary can serve
  PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do [[ -x "$d/kqlint" ]] || printf '%s:' "$d"; done)
  export PATH="${PATH%:}"
else
  export KQLINT_PATH="$SERVER"
fi
export KQLINT_STANDIN_LOG="$RUN/standin-settings.jsonl"
setsid "$CODE_SERVER" --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$RUN/user" --extensions-dir "$RUN/extensions" "$WS" >"$RUN/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 100); do
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$PORT/healthz"; then
    break
  fi
  kill -0 "$CS_PID" 2>/dev/null || die "code-server exited; see $RUN/code-server.log"
  sleep 0.2
done

# --- drive it -----------------------------------------------------------------------------------------
e2e_started=$(date +%s)
E2E_URL="http://127.0.0.1:$PORT/?folder=$WS" E2E_SCREENSHOT="$SCREENSHOT" E2E_CHROMIUM="$CHROMIUM" \
  E2E_EXPECT="$EXPECT" E2E_DOCS="$DOCS" E2E_SETTINGS="$WS/.vscode/settings.json" node "$HERE/e2e.mjs"

# the stand-in records what it received: check that the settings reached the server, made absolute
if ((STANDIN)); then
  grep -q "\"schemaDirs\":\[\"$WS/schemas\"\]" "$KQLINT_STANDIN_LOG" ||
    { cat "$KQLINT_STANDIN_LOG" >&2; die "the server did not receive kqlint.schemaDirs = [\"$WS/schemas\"]"; }
  grep -q '"kqlintDocs":true' "$KQLINT_STANDIN_LOG" ||
    die "the client did not declare experimental.kqlintDocs"
  grep -q '"didChangeConfiguration":{"kqlint":' "$KQLINT_STANDIN_LOG" ||
    die "the server received no workspace/didChangeConfiguration for kqlint"
  starts=$(grep -c '"initializationOptions"' "$KQLINT_STANDIN_LOG")
  ((starts == 3)) || die "expected 3 server starts (first, restart command, kqlint.path restored), got $starts"
  echo "run.sh: the server started $starts times and received the settings: $(head -n 1 "$KQLINT_STANDIN_LOG")"
fi

# the bundled binary, installed with the extension, is what ran
if [[ "$BUNDLED" == 1 ]]; then
  grep -rqs "(from bundled)" "$RUN/user/logs" ||
    die "the logs do not show the bundled binary starting"
fi

now=$(date +%s)
echo "run.sh: PASS in $((now - started)) s (browser part $((now - e2e_started)) s); screenshot: $SCREENSHOT"
