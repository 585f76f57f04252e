// Grammar tests: tokenize our sample queries and rules with the real TextMate engine and compare against
// snapshot files (test/grammar/snapshots/*.snap; UPDATE_SNAPSHOTS=1 rewrites them), plus targeted checks of
// the scopes of each construct.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import type { IGrammar } from 'vscode-textmate';
import {
  EMBEDDED_KQL,
  type GrammarFiles,
  KQL_SCOPE,
  type Line,
  ROOT,
  type Token,
  embeddedKqlScopes,
  kqlScopes,
  loadGrammar,
  renderSnapshot,
  tmBundleYaml,
  tokenize,
  vscodeYaml,
} from './textmate';

const SAMPLES = path.join(ROOT, 'test/grammar/samples');
const SNAPSHOTS = path.join(ROOT, 'test/grammar/snapshots');
const UPDATE = process.env['UPDATE_SNAPSHOTS'] === '1';

function checkSnapshot(name: string, actual: string): void {
  const file = path.join(SNAPSHOTS, `${name}.snap`);
  if (UPDATE) {
    fs.mkdirSync(SNAPSHOTS, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) {
    assert.fail(`missing snapshot ${path.relative(ROOT, file)}; run \`npm run test:update-snapshots\` and review it`);
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `snapshot ${name} differs (npm run test:update-snapshots rewrites it)`);
}

const WORD = /\w/;

/**
 * All tokens that overlap the `nth` occurrence of `needle`. An occurrence that starts (ends) with a word
 * character must not be preceded (followed) by one, so `or` does not match inside `for`.
 */
function tokensAt(lines: readonly Line[], needle: string, nth = 0): { tokens: Token[]; start: number; end: number } {
  let seen = 0;
  for (const line of lines) {
    for (let start = line.text.indexOf(needle); start >= 0; start = line.text.indexOf(needle, start + 1)) {
      const end = start + needle.length;
      const before = line.text[start - 1] ?? ' ';
      const after = line.text[end] ?? ' ';
      if ((WORD.test(needle[0] ?? '') && WORD.test(before)) || (WORD.test(needle[needle.length - 1] ?? '') && WORD.test(after))) {
        continue;
      }
      if (seen++ === nth) {
        return { tokens: line.tokens.filter((t) => t.start < end && t.end > start), start, end };
      }
    }
  }
  throw new Error(`"${needle}" (occurrence ${nth}) not found`);
}

/** Asserts that the text `needle` is exactly covered by tokens that all carry `scope`. */
function expectScope(lines: readonly Line[], needle: string, scope: string, nth = 0): void {
  const { tokens, start, end } = tokensAt(lines, needle, nth);
  const describe = tokens.map((t) => `"${t.text}": ${t.scopes.join(' ')}`).join('\n  ');
  assert.ok(
    tokens.every((t) => t.scopes.includes(scope)),
    `"${needle}" should be ${scope}, got\n  ${describe}`,
  );
  assert.equal(tokens[0]?.start, start, `"${needle}" should start a token, got\n  ${describe}`);
  assert.equal(tokens[tokens.length - 1]?.end, end, `"${needle}" should end a token, got\n  ${describe}`);
}

/** Asserts that every token overlapping `needle` carries `scope` (token boundaries not checked). */
function expectInside(lines: readonly Line[], needle: string, scope: string, nth = 0): void {
  const { tokens } = tokensAt(lines, needle, nth);
  for (const t of tokens) {
    assert.ok(t.scopes.includes(scope), `"${t.text}" in "${needle}" should be inside ${scope}, got ${t.scopes.join(' ')}`);
  }
}

/** Asserts that no token overlapping `needle` has a scope starting with `prefix`. */
function expectNoScope(lines: readonly Line[], needle: string, prefix: string, nth = 0): void {
  const { tokens } = tokensAt(lines, needle, nth);
  for (const t of tokens) {
    const bad = t.scopes.find((s) => s.startsWith(prefix));
    assert.equal(bad, undefined, `"${t.text}" in "${needle}" should not be ${prefix}*, got ${t.scopes.join(' ')}`);
  }
}

const sample = (name: string): string => fs.readFileSync(path.join(SAMPLES, name), 'utf8');

describe('KQL grammar', () => {
  let kql: IGrammar;
  const kqlLines = (source: string): Line[] => tokenize(kql, source);
  before(async () => {
    kql = await loadGrammar(KQL_SCOPE);
  });

  for (const name of fs.readdirSync(SAMPLES).filter((n) => /\.(kql|csl)$/.test(n))) {
    test(`snapshot ${name}`, () => {
      checkSnapshot(name, renderSnapshot(kqlLines(sample(name)), kqlScopes));
    });
  }

  test('comments', () => {
    const lines = kqlLines('T // trailing\n// whole line "not a string"\n| where x == "// not a comment"');
    expectScope(lines, '// trailing', 'comment.line.double-slash.kql');
    expectScope(lines, '// whole line "not a string"', 'comment.line.double-slash.kql');
    expectScope(lines, '"// not a comment"', 'string.quoted.double.kql');
  });

  test('every string form', () => {
    const lines = kqlLines(sample('strings.kql'));
    expectScope(lines, '"double \\"escaped\\" \\\\ and \\n"', 'string.quoted.double.kql');
    expectScope(lines, '\\"', 'constant.character.escape.kql');
    expectScope(lines, "'single \\'escaped\\''", 'string.quoted.single.kql');
    expectScope(lines, '@"C:\\verbatim\\path ""quoted"""', 'string.quoted.double.verbatim.kql');
    expectScope(lines, '""', 'constant.character.escape.kql');
    expectScope(lines, "@'C:\\verbatim ''quoted'''", 'string.quoted.single.verbatim.kql');
    expectScope(lines, 'h"obfuscated secret"', 'string.quoted.double.kql');
    expectScope(lines, 'h', 'storage.modifier.obfuscated.kql');
    expectScope(lines, "H@'obfuscated verbatim'", 'string.quoted.single.verbatim.kql');
    expectScope(lines, '```multi-line', 'string.quoted.other.multiline.kql');
    expectScope(lines, 'line two with "quotes" and // not a comment', 'string.quoted.other.multiline.kql');
    expectScope(lines, '```', 'string.quoted.other.multiline.kql', 1);
    expectScope(lines, '~~~tilde', 'string.quoted.other.multiline.kql');
    expectScope(lines, 'block~~~', 'string.quoted.other.multiline.kql');
  });

  test('an unterminated string ends at the end of its line', () => {
    const lines = kqlLines(sample('strings.kql'));
    expectScope(lines, '"unterminated', 'string.quoted.double.kql');
    expectScope(lines, 'where', 'keyword.other.tabular.kql');
    expectScope(lines, '// a comment after code', 'comment.line.double-slash.kql');
  });

  test('numbers and timespans', () => {
    const lines = kqlLines(sample('basics.kql'));
    for (const ts of ['1d', '1h', '1.5h', '100ms', '5m']) {
      expectScope(lines, ts, 'constant.numeric.timespan.kql');
    }
    expectScope(lines, '0.25', 'constant.numeric.decimal.kql');
    expectScope(lines, '1e6', 'constant.numeric.decimal.kql');
    expectScope(lines, '0x1F', 'constant.numeric.hex.kql');
    expectScope(lines, '100', 'constant.numeric.decimal.kql');
    const ops = kqlLines(sample('operators.kql'));
    expectScope(ops, '10tick', 'constant.numeric.timespan.kql');
    expectScope(ops, '30min', 'constant.numeric.timespan.kql');
    expectScope(ops, '7d', 'constant.numeric.timespan.kql');
    // a number inside a name is not a number
    expectNoScope(kqlLines('T | project Col1d, x5m'), 'Col1d', 'constant');
  });

  test('datetime, timespan, guid and dynamic literals', () => {
    const lines = kqlLines(sample('basics.kql'));
    expectScope(lines, 'datetime', 'storage.type.datetime.kql');
    expectScope(lines, '2024-01-31 12:00:00.5', 'constant.other.datetime.kql');
    expectScope(lines, 'dynamic', 'storage.type.dynamic.kql');
    expectScope(lines, '"10.0.0.1"', 'string.quoted.double.kql');
    expectScope(lines, '"10.0.0.1"', 'meta.literal.dynamic.kql');
    const ops = kqlLines(sample('operators.kql'));
    expectScope(ops, '1.02:03:04', 'constant.numeric.timespan.kql');
    expectScope(ops, '74be27de-1e4e-49d9-b579-fe0b331d3642', 'constant.other.guid.kql');
    expectScope(ops, 'null', 'constant.other.datetime.kql');
    expectScope(ops, '"k"', 'string.quoted.double.kql');
    expectScope(ops, '2.5', 'constant.numeric.decimal.kql');
    expectScope(ops, 'null', 'constant.language.null.kql', 2);
    // `todatetime(` is a function, not a literal
    expectScope(kqlLines('print todatetime("2024-01-01")'), 'todatetime', 'support.function.kql');
    // a one-element array inside dynamic() is not a bracketed name
    expectScope(kqlLines('let a = dynamic(["x"]);'), '"x"', 'string.quoted.double.kql');
  });

  test('tabular operators after |, hyphenated ones included', () => {
    const lines = kqlLines(sample('basics.kql'));
    for (const op of ['where', 'extend', 'summarize', 'join', 'project-rename', 'mv-expand', 'project-away', 'order', 'take']) {
      expectScope(lines, op, 'keyword.other.tabular.kql');
    }
    expectScope(lines, '|', 'keyword.operator.pipe.kql');
    const ops = kqlLines(sample('operators.kql'));
    for (const op of ['top-nested', 'make-series', 'mv-apply', 'project-keep', 'sample-distinct', 'parse', 'evaluate', 'render', 'union', 'range']) {
      expectScope(ops, op, 'keyword.other.tabular.kql');
    }
    expectScope(ops, 'datatable', 'keyword.other.tabular.kql');
    expectScope(ops, 'timechart', 'support.constant.visualization.kql');
    // a sub-query that starts with an operator, without a pipe
    expectScope(ops, 'top', 'keyword.other.tabular.kql', 1);
    expectNoScope(kqlLines('T | extend c = tostring(count )'), 'count', 'keyword');
    // `project` alone is an operator; a column named project_x after a pipe-less position is not
    expectScope(kqlLines('T | project a'), 'project', 'keyword.other.tabular.kql');
    expectNoScope(kqlLines('T | extend project_x = 1'), 'project_x', 'keyword');
  });

  test('string and set operators', () => {
    const basics = kqlLines(sample('basics.kql'));
    expectScope(basics, '=~', 'keyword.operator.comparison.string.kql');
    expectScope(basics, '!in', 'keyword.operator.wordlike.set.kql');
    expectScope(basics, 'has_any', 'keyword.operator.wordlike.string.kql');
    expectScope(basics, '!has', 'keyword.operator.wordlike.string.kql');
    expectScope(basics, 'contains_cs', 'keyword.operator.wordlike.string.kql');
    expectScope(basics, 'and', 'keyword.operator.wordlike.logical.kql');
    expectScope(basics, 'or', 'keyword.operator.wordlike.logical.kql');
    const ops = kqlLines(sample('operators.kql'));
    expectScope(ops, 'in~', 'keyword.operator.wordlike.set.kql');
    expectScope(ops, '!in~', 'keyword.operator.wordlike.set.kql');
    expectScope(ops, 'between', 'keyword.operator.wordlike.set.kql');
    expectScope(ops, '!between', 'keyword.operator.wordlike.set.kql');
    expectScope(ops, '!~', 'keyword.operator.comparison.string.kql');
    expectScope(ops, 'has_cs', 'keyword.operator.wordlike.string.kql');
    expectScope(ops, '!hasprefix', 'keyword.operator.wordlike.string.kql');
    expectScope(ops, 'hassuffix_cs', 'keyword.operator.wordlike.string.kql');
    expectScope(ops, 'startswith_cs', 'keyword.operator.wordlike.string.kql');
    expectScope(ops, '!endswith', 'keyword.operator.wordlike.string.kql');
    expectScope(ops, 'matches regex', 'keyword.operator.wordlike.string.kql');
    expectScope(ops, '..', 'keyword.operator.range.kql');
    // names that merely start with an operator are not operators
    expectNoScope(kqlLines('T | where hasher == 1 and index > 2'), 'hasher', 'keyword');
    expectNoScope(kqlLines('T | where hasher == 1 and index > 2'), 'index', 'keyword');
  });

  test('let statements and function calls', () => {
    const lines = kqlLines(sample('basics.kql'));
    expectScope(lines, 'let', 'storage.type.let.kql');
    expectScope(lines, 'lookback', 'variable.other.declaration.kql');
    expectScope(lines, 'GetUser', 'entity.name.function.kql');
    expectScope(lines, 'string', 'storage.type.kql');
    expectScope(lines, 'long', 'storage.type.kql');
    expectScope(lines, 'ago', 'support.function.kql');
    expectScope(lines, 'make_set', 'support.function.kql');
    expectScope(lines, 'count', 'support.function.kql');
    expectScope(lines, 'typeof', 'keyword.other.typeof.kql');
    expectScope(lines, 'string', 'storage.type.kql', 1);
    expectScope(kqlLines('let f = view () { T };'), 'f', 'entity.name.function.kql');
  });

  test('join syntax: kind=, hints, $left/$right, by/on/desc/nulls last', () => {
    const lines = kqlLines(sample('basics.kql'));
    expectScope(lines, 'kind', 'keyword.other.kql');
    expectScope(lines, 'inner', 'support.constant.kind.kql');
    expectScope(lines, 'hint', 'keyword.other.hint.kql');
    expectScope(lines, 'strategy', 'keyword.other.hint.kql');
    expectScope(lines, 'shuffle', 'support.constant.hint.kql');
    expectScope(lines, '$left', 'variable.language.kql');
    expectScope(lines, '$right', 'variable.language.kql');
    expectScope(lines, 'on', 'keyword.other.kql');
    expectScope(lines, 'desc', 'keyword.other.kql');
    expectScope(lines, 'nulls', 'keyword.other.kql');
    expectScope(lines, 'last', 'keyword.other.kql');
  });

  test('bracketed names are names, not strings; indexing stays a string', () => {
    const lines = kqlLines(sample('basics.kql'));
    expectScope(lines, "['Column With Spaces']", 'meta.bracketed-name.kql');
    expectScope(lines, 'Column With Spaces', 'variable.other.quoted.kql');
    expectScope(lines, 'Another One', 'variable.other.quoted.kql');
    expectNoScope(lines, 'Column With Spaces', 'string');
    const index = kqlLines('T | extend v = Properties["key"], w = Bag[\'k\']');
    expectScope(index, '"key"', 'string.quoted.double.kql');
    expectScope(index, "'k'", 'string.quoted.single.kql');
  });

  test('management commands at the start of a line', () => {
    const lines = kqlLines(sample('commands.csl'));
    expectScope(lines, '.show', 'keyword.other.command.kql');
    expectScope(lines, 'getschema', 'keyword.other.tabular.kql');
  });
});

interface YamlSet {
  readonly name: string;
  readonly files: GrammarFiles | undefined;
}

const YAML_SETS: YamlSet[] = [
  { name: 'textmate yaml.tmbundle (tm-grammars)', files: tmBundleYaml() },
  { name: 'VS Code 1.100 built-in YAML', files: vscodeYaml() },
];

for (const set of YAML_SETS) {
  describe(`KQL injected into YAML: ${set.name}`, { skip: set.files === undefined ? 'code-server is not installed in the e2e cache (run test/e2e/run.sh once)' : false }, () => {
    let yaml: IGrammar;
    const yamlLines = (source: string): Line[] => tokenize(yaml, source);
    before(async () => {
      yaml = await loadGrammar('source.yaml', set.files);
    });

    // one snapshot per sample, shared by every YAML grammar: it shows only our own scopes
    for (const name of fs.readdirSync(SAMPLES).filter((n) => n.endsWith('.yaml'))) {
      test(`snapshot ${name}`, () => {
        checkSnapshot(name, renderSnapshot(yamlLines(sample(name)), embeddedKqlScopes, true));
      });
    }

    test('the query block of a rule is KQL, and the keys around it are not', () => {
      const lines = yamlLines(sample('rule.yaml'));
      expectScope(lines, 'let', 'storage.type.let.kql');
      expectScope(lines, '"IP ADDRESS GOES HERE"', 'string.quoted.double.kql');
      expectScope(lines, 'where', 'keyword.other.tabular.kql', 1);
      expectScope(lines, 'project-away', 'keyword.other.tabular.kql');
      expectScope(lines, 'Device Detail', 'variable.other.quoted.kql');
      expectScope(lines, '// the placeholder must be replaced', 'comment.line.double-slash.kql');
      expectInside(lines, 'SigninLogs', EMBEDDED_KQL, 1);
      // a blank line inside the block does not end it
      expectInside(lines, '| project-away', EMBEDDED_KQL);
      for (const outside of ['entityMappings', 'version', 'kind: Scheduled', 'SigninLogs', '| where this is not KQL']) {
        expectNoScope(lines, outside, EMBEDDED_KQL);
      }
    });

    test('every top-level query form, and nothing else', () => {
      const lines = yamlLines(sample('yaml-forms.yaml'));
      expectScope(lines, '"unterminated', 'string.quoted.double.kql');
      expectInside(lines, '| take 1', EMBEDDED_KQL);
      expectScope(lines, 'take', 'keyword.other.tabular.kql');
      expectNoScope(lines, 'next: the unterminated string', EMBEDDED_KQL);
      expectNoScope(lines, 'next: the unterminated string', 'string.quoted.double.kql');
      expectInside(lines, 'DigitalShadows_CL', EMBEDDED_KQL);
      expectScope(lines, '"include"', 'string.quoted.double.kql');
      expectScope(lines, 'contains', 'keyword.operator.wordlike.string.kql');
      expectNoScope(lines, '"a quoted scalar stays YAML | where x"', EMBEDDED_KQL);
      expectScope(lines, 'summarize', 'keyword.other.tabular.kql');
      expectScope(lines, 'parser', 'entity.name.function.kql');
      expectInside(lines, 'DnsEvents', EMBEDDED_KQL);
      expectInside(lines, 'Heartbeat', EMBEDDED_KQL, 1);
      expectNoScope(lines, 'NotKql | where x == 1', EMBEDDED_KQL);
      expectNoScope(lines, 'tail: end', EMBEDDED_KQL);
      expectNoScope(lines, '# every form', EMBEDDED_KQL);
    });

    test('the YAML after the query still gets YAML scopes', () => {
      const lines = yamlLines(sample('rule.yaml'));
      const { tokens } = tokensAt(lines, 'entityMappings');
      assert.ok(
        tokens.every((t) => t.scopes.some((s) => s.startsWith('entity.name.tag'))),
        `entityMappings: ${tokens.map((t) => t.scopes.join(' ')).join(' | ')}`,
      );
    });
  });
}
