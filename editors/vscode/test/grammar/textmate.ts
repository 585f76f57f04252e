// Tokenizes text with the real TextMate engine of VS Code (vscode-textmate + vscode-oniguruma) and renders
// tokens as reviewable snapshot text.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'kqlint') {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`no kqlint package.json above ${start}`);
    }
    dir = parent;
  }
}

export const ROOT = findPackageRoot(__dirname);
export const KQL_SCOPE = 'source.kql';
export const INJECTION_SCOPE = 'kqlint.yaml-query.injection';

/** Where each grammar of a set comes from: scope name -> file. */
export type GrammarFiles = Record<string, string>;

const OUR_GRAMMARS: GrammarFiles = {
  [KQL_SCOPE]: path.join(ROOT, 'syntaxes/kql.tmLanguage.json'),
  [INJECTION_SCOPE]: path.join(ROOT, 'syntaxes/kql-yaml.injection.tmLanguage.json'),
};

/** The TextMate YAML grammar (textmate/yaml.tmbundle) as shipped by the `tm-grammars` package. */
export function tmBundleYaml(): GrammarFiles {
  return { 'source.yaml': path.join(ROOT, 'node_modules/tm-grammars/grammars/yaml.json') };
}

/**
 * The YAML grammars of VS Code 1.100 (RedCMD/YAML-Syntax-Highlighter) from the code-server install that the
 * e2e test keeps in its cache, or from KQLINT_VSCODE_YAML_SYNTAXES. Undefined when neither is there.
 */
export function vscodeYaml(): GrammarFiles | undefined {
  const cache = process.env['KQLINT_E2E_CACHE'] ?? path.join(os.homedir(), '.cache/kqlint-e2e');
  const dir =
    process.env['KQLINT_VSCODE_YAML_SYNTAXES'] ??
    path.join(cache, 'code-server-4.100.3/node_modules/code-server/lib/vscode/extensions/yaml/syntaxes');
  if (!fs.existsSync(dir)) {
    return undefined;
  }
  const files: GrammarFiles = {};
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.json')) {
      const file = path.join(dir, name);
      const { scopeName } = JSON.parse(fs.readFileSync(file, 'utf8')) as { scopeName: string };
      files[scopeName] = file;
    }
  }
  return files;
}

let onigLib: Promise<vsctm.IOnigLib> | undefined;

function loadOnig(): Promise<vsctm.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    };
  })();
  return onigLib;
}

/** Loads `scopeName` with our grammars plus `extra`, injecting as VS Code does (`injectTo` matches scope prefixes). */
export async function loadGrammar(scopeName: string, extra: GrammarFiles = {}): Promise<vsctm.IGrammar> {
  const files: GrammarFiles = { ...OUR_GRAMMARS, ...extra };
  const injectTo: Record<string, string[]> = { 'source.yaml': [INJECTION_SCOPE] };
  const registry = new vsctm.Registry({
    onigLib: loadOnig(),
    loadGrammar: async (scope) => {
      const file = files[scope];
      return file === undefined ? null : vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
    getInjections: (scope) => {
      const parts = scope.split('.');
      const found: string[] = [];
      for (let i = 1; i <= parts.length; i++) {
        found.push(...(injectTo[parts.slice(0, i).join('.')] ?? []));
      }
      return found;
    },
  });
  const grammar = await registry.loadGrammar(scopeName);
  if (grammar === null) {
    throw new Error(`grammar ${scopeName} not found`);
  }
  return grammar;
}

export interface Token {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

export interface Line {
  readonly text: string;
  readonly tokens: readonly Token[];
}

export function tokenize(grammar: vsctm.IGrammar, source: string): Line[] {
  let state = vsctm.INITIAL;
  return source.split(/\r?\n/).map((text) => {
    const result = grammar.tokenizeLine(text, state, 5000);
    if (result.stoppedEarly) {
      throw new Error(`tokenizing took too long on line: ${text}`);
    }
    state = result.ruleStack;
    const tokens = result.tokens
      .map((t) => {
        const end = Math.min(t.endIndex, text.length);
        return { start: t.startIndex, end, text: text.slice(t.startIndex, end), scopes: t.scopes };
      })
      .filter((t) => t.end > t.start);
    return { text, tokens };
  });
}

export const EMBEDDED_KQL = 'meta.embedded.block.kql';

/**
 * Snapshot text: each source line after `> ` (a YAML line inside the embedded KQL region after `K `), then one
 * line per token that has scopes worth showing: carets under the token and its scopes, innermost last.
 * `keep` chooses the scopes shown; tokens left with none are not shown.
 */
export function renderSnapshot(lines: readonly Line[], keep: (scope: string) => boolean, embedded = false): string {
  const out: string[] = [];
  for (const line of lines) {
    const inKql = embedded && line.tokens.some((t) => t.scopes.includes(EMBEDDED_KQL));
    out.push(`${embedded ? (inKql ? 'K ' : '- ') : '> '}${line.text}`.trimEnd());
    for (const token of line.tokens) {
      const scopes = token.scopes.filter(keep);
      if (scopes.length === 0) {
        continue;
      }
      out.push(`${' '.repeat(2 + token.start)}${'^'.repeat(token.end - token.start)} ${scopes.join(' ')}`);
    }
  }
  return out.join('\n') + '\n';
}

/** Scopes shown for a .kql file: everything but the root scope. */
export const kqlScopes = (scope: string): boolean => scope !== KQL_SCOPE;

/** Scopes shown for a YAML file: only our own (KQL) scopes, so one snapshot fits every YAML grammar. */
export const embeddedKqlScopes = (scope: string): boolean =>
  scope.endsWith('.kql') && scope !== EMBEDDED_KQL && scope !== KQL_SCOPE;
