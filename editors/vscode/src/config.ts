// Settings -> server command line and server settings. Pure logic with no `vscode` import, so it is
// unit-tested in plain node (test/unit/config.test.ts).

import * as path from 'node:path';

/** The `kqlint.*` settings as VS Code returns them (before any normalisation). */
export interface RawSettings {
  /** `kqlint.path`; empty means "not set". */
  readonly path?: unknown;
  /** `kqlint.configPath`; empty means "let the server find the config file". */
  readonly configPath?: unknown;
  /** `kqlint.schemaDirs` */
  readonly schemaDirs?: unknown;
}

/** What the extension knows about the machine; injected so tests are deterministic. */
export interface Host {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
  /** Folder that relative paths and `${workspaceFolder}` resolve against, if a folder is open. */
  readonly workspaceFolder: string | undefined;
  /** True when `file` exists, is a regular file, and is executable (on Windows: exists and is a file). */
  isExecutableFile(file: string): boolean;
  /**
   * The server binary inside a platform-specific extension package (`bin/kqlint`, `bin/kqlint.exe`), if
   * this package may carry one; absent from the universal package.
   */
  readonly bundledServer?: string;
}

/** Where the requested executable came from. */
export type PathSource = 'setting' | 'env' | 'bundled' | 'default';

export const DEFAULT_EXECUTABLE = 'kqlint';
export const PATH_ENV_VAR = 'KQLINT_PATH';
export const SERVER_ARGS: readonly string[] = ['lsp'];

export type ServerCommand =
  | {
      readonly kind: 'found';
      readonly command: string;
      readonly args: string[];
      readonly source: PathSource;
    }
  | {
      readonly kind: 'not-found';
      /** The value as written in the setting / env var (or the default name). */
      readonly requested: string;
      readonly source: PathSource;
      /** Absolute candidates that were tried, in order. */
      readonly tried: string[];
    };

/** The settings the server receives (initializationOptions, didChangeConfiguration, workspace/configuration). */
export interface ServerSettings {
  /** Absolute path of the config file, or null to let the server discover it. */
  configPath: string | null;
  /** Absolute paths of extra schema directories. */
  schemaDirs: string[];
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

function asTrimmedString(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** Expands `~`, `${userHome}` and `${workspaceFolder}` (left as is when no folder is open). */
export function expandVariables(value: string, host: Host): string {
  let out = value.replace(/\$\{userHome\}/g, host.homedir);
  if (host.workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, host.workspaceFolder);
  }
  if (out === '~') {
    return host.homedir;
  }
  if (out.startsWith('~/') || (host.platform === 'win32' && out.startsWith('~\\'))) {
    return pathApi(host.platform).join(host.homedir, out.slice(2));
  }
  return out;
}

/** Makes a user-supplied path absolute: variables expanded, relative paths against the workspace folder. */
export function resolveUserPath(value: string, host: Host): string {
  const p = pathApi(host.platform);
  const expanded = expandVariables(value, host);
  if (p.isAbsolute(expanded) || host.workspaceFolder === undefined) {
    return expanded;
  }
  return p.resolve(host.workspaceFolder, expanded);
}

function looksLikePath(value: string, platform: NodeJS.Platform): boolean {
  return value.includes('/') || (platform === 'win32' && value.includes('\\'));
}

function windowsExtensions(host: Host): string[] {
  const pathext = host.env['PATHEXT'] ?? host.env['Pathext'] ?? '.COM;.EXE;.BAT;.CMD';
  return pathext
    .split(';')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
}

/** The file names to try for `file`: on Windows, `file` plus each PATHEXT extension when it has none. */
function candidates(file: string, host: Host): string[] {
  if (host.platform !== 'win32' || path.win32.extname(file) !== '') {
    return [file];
  }
  return [file, ...windowsExtensions(host).map((ext) => file + ext.toLowerCase())];
}

/**
 * Decides which executable runs the language server.
 *
 * Order: the `kqlint.path` setting when it is not empty, else the `KQLINT_PATH` environment variable when
 * it is not empty, else the binary bundled in a platform-specific package, else `kqlint` looked up on PATH. A value containing a path separator is a path (relative
 * ones resolve against the workspace folder); a bare name is looked up on PATH.
 */
export function resolveServerCommand(settings: RawSettings, host: Host): ServerCommand {
  const fromSetting = asTrimmedString(settings.path);
  const fromEnv = asTrimmedString(host.env[PATH_ENV_VAR]);
  let requested: string;
  let source: PathSource;
  if (fromSetting !== '') {
    requested = fromSetting;
    source = 'setting';
  } else if (fromEnv !== '') {
    requested = fromEnv;
    source = 'env';
  } else if (host.bundledServer !== undefined && host.isExecutableFile(host.bundledServer)) {
    return { kind: 'found', command: host.bundledServer, args: [...SERVER_ARGS], source: 'bundled' };
  } else {
    requested = DEFAULT_EXECUTABLE;
    source = 'default';
  }

  const p = pathApi(host.platform);
  const expanded = expandVariables(requested, host);
  let tried: string[];
  if (looksLikePath(expanded, host.platform) || p.isAbsolute(expanded)) {
    tried = candidates(resolveUserPath(expanded, host), host);
  } else {
    const pathVar = host.env['PATH'] ?? host.env['Path'] ?? '';
    const dirs = pathVar.split(p.delimiter).filter((d) => d.length > 0);
    tried = dirs.flatMap((dir) => candidates(p.join(dir, expanded), host));
  }

  const found = tried.find((file) => host.isExecutableFile(file));
  if (found !== undefined) {
    return { kind: 'found', command: found, args: [...SERVER_ARGS], source };
  }
  return { kind: 'not-found', requested, source, tried };
}

/** A one-paragraph, actionable message for a server executable that was not found. */
export function notFoundMessage(result: Extract<ServerCommand, { kind: 'not-found' }>): string {
  const start = 'kqlint: cannot start the language server:';
  switch (result.source) {
    case 'setting':
      return `${start} the setting "kqlint.path" is "${result.requested}", and no executable was found there. Fix "kqlint.path", or clear it to use kqlint from PATH; the server restarts when the setting changes.`;
    case 'env':
      return `${start} the environment variable ${PATH_ENV_VAR} is "${result.requested}", and no executable was found there. Set "kqlint.path" to the kqlint executable (it takes precedence), or fix ${PATH_ENV_VAR} and restart VS Code.`;
    case 'bundled':
    case 'default':
      return `${start} "${DEFAULT_EXECUTABLE}" was not found on PATH. Install kqlint and run "kqlint: Restart Language Server", or set "kqlint.path" to the full path of the kqlint executable.`;
  }
}

/** Normalises the pass-through settings into what the server receives. */
export function toServerSettings(settings: RawSettings, host: Host): ServerSettings {
  const configPath = asTrimmedString(settings.configPath);
  const dirs = Array.isArray(settings.schemaDirs) ? settings.schemaDirs : [];
  return {
    configPath: configPath === '' ? null : resolveUserPath(configPath, host),
    schemaDirs: dirs
      .map(asTrimmedString)
      .filter((d) => d !== '')
      .map((d) => resolveUserPath(d, host)),
  };
}
