// Runs the YAML injection over the real Sentinel rules of the shared corpus (../shared/corpus/sentinel, or
// $KQLINT_SHARED/corpus/sentinel) and checks, line by line, that exactly the top-level `query:` value is
// highlighted as KQL: the region never swallows the keys after it, and never stops early.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import type { IGrammar } from 'vscode-textmate';
import { EMBEDDED_KQL, type GrammarFiles, ROOT, loadGrammar, tmBundleYaml, tokenize, vscodeYaml } from './textmate';

const SHARED = process.env['KQLINT_SHARED'] ?? path.resolve(ROOT, '../../../shared');
const CORPUS = path.join(SHARED, 'corpus/sentinel');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return yamlFiles(full);
    }
    return /\.ya?ml$/i.test(entry.name) ? [full] : [];
  });
}

/** Which lines a person reads as the query: from a top-level `query:` (not quoted) to the next top-level line. */
function expectedQueryLines(lines: readonly string[]): boolean[] {
  const inQuery: boolean[] = [];
  let open = false;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      open = /^(?:query|ParserQuery|FunctionQuery)[ \t]*:(?![ \t]*["'])/.test(line);
      // a header line (`query: |`) holds no KQL; a plain one-line value does
      inQuery.push(open && !/^(?:query|ParserQuery|FunctionQuery)[ \t]*:[ \t]*([|>][^\n]*)?$/.test(line));
      continue;
    }
    inQuery.push(open && line.trim() !== '');
  }
  return inQuery;
}

const sets: Array<{ name: string; files: GrammarFiles | undefined }> = [
  { name: 'textmate yaml.tmbundle (tm-grammars)', files: tmBundleYaml() },
  { name: 'VS Code 1.100 built-in YAML', files: vscodeYaml() },
];

describe('Sentinel corpus: the query key and only it is KQL', () => {
  test('the shared corpus is present', () => {
    assert.ok(fs.existsSync(CORPUS), `missing ${CORPUS}: the shared corpus must sit beside the repository (or set KQLINT_SHARED)`);
  });

  for (const set of sets) {
    describe(set.name, { skip: set.files === undefined ? 'code-server is not installed in the e2e cache (run test/e2e/run.sh once)' : false }, () => {
      let yaml: IGrammar;
      before(async () => {
        yaml = await loadGrammar('source.yaml', set.files);
      });

      test('every corpus rule', { skip: !fs.existsSync(CORPUS) ? 'no corpus' : false }, () => {
        const files = yamlFiles(CORPUS);
        assert.ok(files.length > 1000, `only ${files.length} corpus files`);
        const problems: string[] = [];
        for (const file of files) {
          const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
          const lines = tokenize(yaml, text);
          const expected = expectedQueryLines(lines.map((l) => l.text));
          lines.forEach((line, i) => {
            const nonBlank = line.tokens.filter((t) => t.text.trim() !== '');
            const embedded = nonBlank.length > 0 && nonBlank.every((t) => t.scopes.includes(EMBEDDED_KQL));
            const partly = nonBlank.some((t) => t.scopes.includes(EMBEDDED_KQL));
            const want = expected[i] === true;
            // a one-line `query: T | ...` is partly YAML (the key), partly KQL
            const ok = want ? (/^\S/.test(line.text) ? partly : embedded) : !partly;
            if (!ok && problems.length < 20) {
              problems.push(`${path.relative(CORPUS, file)}:${i + 1}: expected ${want ? 'KQL' : 'YAML'}: ${line.text}`);
            }
          });
        }
        assert.deepEqual(problems, []);
      });
    });
  }
});
