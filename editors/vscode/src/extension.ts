// The kqlint VS Code extension: runs `kqlint lsp` for KQL files and YAML files (the server decides
// which YAML files are Sentinel / Defender XDR rules) and forwards the `kqlint.*` settings to it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';
import {
  type Host,
  type RawSettings,
  type ServerSettings,
  notFoundMessage,
  resolveServerCommand,
  toServerSettings,
} from './config';
import { DOCS_SCHEME, EXPLAIN_REQUEST, type ExplainResult, ruleDocument, withDocsCapability } from './docs';

const SECTION = 'kqlint';
const CLIENT_ID = 'kqlint'; // also makes vscode-languageclient honour `kqlint.trace.server`
const CLIENT_NAME = 'kqlint';

let client: LanguageClient | undefined;
/** `bin/kqlint` (`bin/kqlint.exe`) inside this extension: present in the platform-specific packages. */
let bundledServer: string | undefined;
let output: vscode.LogOutputChannel | undefined;
/** Serialises start/stop so that quick successive restarts do not overlap. */
let lifecycle: Promise<void> = Promise.resolve();

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

function host(scope?: vscode.Uri): Host {
  const folder =
    (scope !== undefined ? vscode.workspace.getWorkspaceFolder(scope) : undefined) ??
    vscode.workspace.workspaceFolders?.[0];
  return {
    platform: process.platform,
    env: process.env,
    homedir: os.homedir(),
    workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
    isExecutableFile,
    bundledServer,
  };
}

function rawSettings(scope?: vscode.Uri): RawSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope ?? null);
  return {
    path: config.get<unknown>('path'),
    configPath: config.get<unknown>('configPath'),
    schemaDirs: config.get<unknown>('schemaDirs'),
  };
}

function serverSettings(scope?: vscode.Uri): ServerSettings {
  return toServerSettings(rawSettings(scope), host(scope));
}

async function showStartError(message: string): Promise<void> {
  const openSettings = 'Open Settings';
  const showOutput = 'Show Output';
  const choice = await vscode.window.showErrorMessage(message, openSettings, showOutput);
  if (choice === openSettings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'kqlint.path');
  } else if (choice === showOutput) {
    output?.show(true);
  }
}

async function startClient(): Promise<void> {
  const channel = (output ??= vscode.window.createOutputChannel('kqlint', { log: true }));
  const resolved = resolveServerCommand(rawSettings(), host());
  if (resolved.kind === 'not-found') {
    const message = notFoundMessage(resolved);
    channel.error(message);
    if (resolved.tried.length > 0) {
      channel.error(`looked for: ${resolved.tried.join(', ')}`);
    }
    void showStartError(message);
    return;
  }
  channel.info(`starting ${resolved.command} ${resolved.args.join(' ')} (from ${resolved.source})`);

  // No `transport`: vscode-languageclient would append `--stdio` for TransportKind.stdio.
  const serverOptions: ServerOptions = { command: resolved.command, args: resolved.args };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'kql' },
      { scheme: 'untitled', language: 'kql' },
      { scheme: 'file', language: 'yaml' },
      // KQL in Markdown code blocks, ARM templates, Defender XDR detection rules and Bicep: the server
      // decides whether a file holds any, and gives a file without KQL no diagnostics.
      { scheme: 'file', language: 'markdown' },
      { scheme: 'file', language: 'json' },
      { scheme: 'file', language: 'jsonc' },
      { scheme: 'file', language: 'bicep' },
    ],
    initializationOptions: serverSettings(),
    outputChannel: channel,
    middleware: {
      workspace: {
        // Answer workspace/configuration for our section with the same normalised shape we push.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) =>
            item.section === SECTION
              ? serverSettings(item.scopeUri !== undefined ? vscode.Uri.parse(item.scopeUri) : undefined)
              : result[i],
          );
        },
      },
    },
  };

  const next = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  next.registerFeature(docsFeature);
  client = next;
  try {
    await next.start();
    await pushSettings();
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    channel.error(`failed to start ${resolved.command}: ${detail}`);
    void showStartError(
      `kqlint: the language server "${resolved.command} lsp" failed to start (${detail}). ` +
        'Check that this kqlint has the "lsp" command (kqlint --help); its own error is in the kqlint output.',
    );
  }
}

/** Declares `experimental.kqlintDocs`: the server then links each diagnostic's code to `kqlint-docs:/rules/CODE.md`. */
const docsFeature: StaticFeature = {
  fillClientCapabilities: (capabilities) => {
    withDocsCapability(capabilities);
  },
  initialize: () => {},
  getState: () => ({ kind: 'static' }),
  clear: () => {},
};

/** Shows `kqlint-docs:` documents (read-only): the rule's Markdown, from the running server's `kqlint/explain`. */
const docsProvider: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: (uri) => {
    const running = client?.isRunning() === true ? client : undefined;
    return ruleDocument(
      uri.path,
      running && ((code: string) => running.sendRequest<ExplainResult>(EXPLAIN_REQUEST, { code })),
    );
  },
};

async function stopClient(): Promise<void> {
  const current = client;
  client = undefined;
  if (current === undefined) {
    return;
  }
  try {
    await current.stop(5000);
  } catch (err) {
    output?.error(`error while stopping the server: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function pushSettings(): Promise<void> {
  if (client?.isRunning() === true) {
    await client.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { [SECTION]: serverSettings() },
    });
  }
}

function enqueue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

function restart(): Promise<void> {
  return enqueue(async () => {
    await stopClient();
    await startClient();
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  bundledServer = vscode.Uri.joinPath(
    context.extensionUri,
    'bin',
    process.platform === 'win32' ? 'kqlint.exe' : 'kqlint',
  ).fsPath;
  output ??= vscode.window.createOutputChannel('kqlint', { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('kqlint.restartServer', () => restart()),
    vscode.commands.registerCommand('kqlint.showOutput', () => output?.show(true)),
    vscode.workspace.registerTextDocumentContentProvider(DOCS_SCHEME, docsProvider),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('kqlint.path')) {
        void restart();
      } else if (event.affectsConfiguration('kqlint.configPath') || event.affectsConfiguration('kqlint.schemaDirs')) {
        void enqueue(pushSettings);
      }
    }),
  );
  await enqueue(startClient);
}

export function deactivate(): Promise<void> {
  return enqueue(stopClient);
}
