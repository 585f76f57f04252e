#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3), the newest release that runs on node 20, into a cache
# directory outside the repository, working around three install-time downloads that fail offline.
# Idempotent: does nothing when the install is already complete.
#
#   install-code-server.sh DEST      (run.sh calls it with "$KQLINT_E2E_CACHE/code-server-4.100.3")
#
# Needs node 20, npm, a C/C++ toolchain and the Debian packages checked below.
set -euo pipefail

VERSION=4.100.3
DEST=${1:?usage: install-code-server.sh DEST}
BIN="$DEST/node_modules/.bin/code-server"
STAMP="$DEST/.kqlint-install-complete"

if [[ -f "$STAMP" && -x "$BIN" ]]; then
  exit 0
fi

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v pkg-config >/dev/null || missing+=(pkg-config)
for pc in krb5-gssapi x11 xkbfile libsecret-1; do
  pkg-config --exists "$pc" 2>/dev/null || case $pc in
    krb5-gssapi) missing+=(libkrb5-dev) ;;
    x11) missing+=(libx11-dev) ;;
    xkbfile) missing+=(libxkbfile-dev) ;;
    libsecret-1) missing+=(libsecret-1-dev) ;;
  esac
done
if ((${#missing[@]})); then
  echo "install-code-server: missing Debian packages: ${missing[*]}" >&2
  echo "  install them with: apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 2
fi

echo "install-code-server: installing code-server $VERSION into $DEST (a few minutes the first time)" >&2
rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
echo '{"private":true}' > package.json

export npm_config_unsafe_perm=true   # postinstall scripts refuse to run as root without it
export npm_config_yes=true           # node-pty's install runs `npx node-gyp`
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# 1. the package itself, without its postinstall (which would download ripgrep and fail)
npm install "code-server@$VERSION" --ignore-scripts --no-save
# 2. argon2 (hoisted next to code-server): its prebuilt download fails, so it builds from source
npm rebuild argon2 --foreground-scripts

# 3. VS Code's own production dependencies, again without install scripts
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts
# @vscode/ripgrep's postinstall downloads rg; use Debian's instead
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# the native modules, built from source against this node
npm rebuild @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty --foreground-scripts
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)

# 4. the built-in extensions (grammars for YAML etc. live here)
cd extensions
npm install --omit=dev --ignore-scripts
node ./postinstall.mjs

"$BIN" --version >&2
touch "$STAMP"
echo "install-code-server: done" >&2
