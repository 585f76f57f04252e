#!/usr/bin/env node
// STAND-IN for `kqlint lsp`, for the e2e test of the extension only. It is NOT kqlint: it exists so that
// test/e2e/run.sh can be verified before the real language server is written. Run as `standin-kqlint.mjs lsp`.
// It publishes an error for every "GOES HERE" (an unfilled placeholder) and for every `(` never closed, and,
// when KQLINT_STANDIN_LOG is set, appends the settings it receives to that file (one JSON object a line).
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createConnection, DiagnosticSeverity, TextDocumentSyncKind } = require('vscode-languageserver/node');

if (process.argv[2] !== 'lsp') {
  process.stderr.write('usage: standin-kqlint.mjs lsp\n');
  process.exit(2);
}
const log = (entry) => process.env.KQLINT_STANDIN_LOG && appendFileSync(process.env.KQLINT_STANDIN_LOG, JSON.stringify(entry) + '\n');
const connection = createConnection(process.stdin, process.stdout);

function lint(text) {
  const diagnostics = [];
  const lines = text.split(/\r?\n/);
  const open = [];
  lines.forEach((line, l) => {
    for (let c = line.indexOf('GOES HERE'); c >= 0; c = line.indexOf('GOES HERE', c + 1)) {
      diagnostics.push({ range: { start: { line: l, character: c }, end: { line: l, character: c + 9 } },
        severity: DiagnosticSeverity.Error, code: 'STANDIN1', source: 'kqlint stand-in', message: 'unfilled placeholder "GOES HERE" (stand-in server)' });
    }
    for (let c = 0; c < line.length; c++) { // UTF-16 columns, as LSP wants by default
      if (line[c] === '(') open.push({ line: l, character: c }); else if (line[c] === ')') open.pop();
    }
  });
  for (const start of open) {
    diagnostics.push({ range: { start, end: { line: start.line, character: start.character + 1 } },
      severity: DiagnosticSeverity.Error, code: 'STANDIN2', source: 'kqlint stand-in', message: '`(` is never closed (stand-in server)' });
  }
  return diagnostics;
}

// Like kqlint: with `experimental.kqlintDocs`, each code links to `kqlint-docs:/rules/CODE.md`, served by `kqlint/explain`.
let docs = false;
const withDocs = (d) => (docs ? { ...d, codeDescription: { href: `kqlint-docs:/rules/${d.code}.md` } } : d);
const publish = (uri, version, text) => connection.sendDiagnostics({ uri, version, diagnostics: lint(text).map(withDocs) });
connection.onInitialize((params) => {
  docs = params.capabilities.experimental?.kqlintDocs === true;
  log({ initializationOptions: params.initializationOptions, kqlintDocs: docs });
  return { capabilities: { textDocumentSync: TextDocumentSyncKind.Full } };
});
connection.onRequest('kqlint/explain', ({ code }) => ({
  code, name: 'standin', text: `${code} standin (stand-in server)\n`,
  markdown: `# ${code} \`standin\`\n\nStand-in documentation of ${code} (this is not kqlint).\n`,
}));
connection.onDidOpenTextDocument(({ textDocument: d }) => publish(d.uri, d.version, d.text));
connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => publish(d.uri, d.version, contentChanges.at(-1).text));
connection.onDidCloseTextDocument(({ textDocument: d }) => connection.sendDiagnostics({ uri: d.uri, diagnostics: [] }));
connection.onDidChangeConfiguration((params) => log({ didChangeConfiguration: params.settings }));
connection.listen();
process.stderr.write('kqlint stand-in language server started (this is not kqlint)\n');
