#!/usr/bin/env node
// Generates kqlint's built-in function catalogue (schemas/functions.json) from
// the symbols of Kusto.Language, as published on npm in
// @kusto/language-service-next (exact version pinned in package.json and
// package-lock.json; install it with `npm ci`).
//
// Usage: node gen-functions.js OUTPUT.json
//
// What is taken from the package: names, kinds (scalar / aggregate / plug-in),
// signatures (parameter names, type constraints, argument kinds, how often a
// parameter may occur, default-value indicators, allowed literal values),
// result-type rules, result-column naming rules, hidden/obsolete flags and
// replacement names. The package carries no prose for these symbols. What is
// ours: the one-line docs in function-docs.tsv, the list of window functions
// that need serialized input (WINDOW_FUNCTIONS below) and the plug-in output
// notes in plugin-outputs.json, all written from the public KQL documentation
// in our own words.
'use strict';

const fs = require('fs');
const path = require('path');

const HERE = __dirname;
const PKG = path.join(HERE, 'node_modules', '@kusto', 'language-service-next');
for (const f of ['bridge.js', 'Kusto.Language.Bridge.js']) {
  if (!fs.existsSync(path.join(PKG, f))) {
    process.stderr.write(`gen-functions: ${f} not found; run \`npm ci\` in ${HERE} first\n`);
    process.exit(2);
  }
}
require(path.join(PKG, 'bridge.js'));
require(path.join(PKG, 'Kusto.Language.Bridge.js'));
const PKG_VERSION = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')).version;

const K = global.Kusto.Language;
const S = K.Symbols;

const toArr = (x) => {
  if (x == null) return [];
  if (Array.isArray(x)) return x;
  const r = [];
  const en = Bridge.getEnumerator(x);
  while (en.moveNext()) r.push(en.Current);
  return r;
};

// C# enum values -> our snake_case names. A value the compiled enum table
// does not name (this build uses ArgumentKind 13 for the AI plug-ins) becomes
// `other`, which kqlint reads as "no constraint".
function enumName(enumType, value) {
  for (const k of Object.keys(enumType)) {
    if (enumType[k] === value && !k.startsWith('$')) return snake(k);
  }
  process.stderr.write(`gen-functions: note: ${enumType.$$name} value ${value} has no name; written as "other"\n`);
  return 'other';
}
function snake(s) {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/Parameter_?(\d)/gi, 'parameter$1')
    .toLowerCase();
}

function typeText(t) {
  if (t == null) return null;
  if (Bridge.is(t, S.TableSymbol)) {
    return {
      table: toArr(t.Columns).map((c) => ({ name: c.Name, type: typeText(c.Type) })),
      open: !!t.IsOpen,
    };
  }
  // Kusto's own scalar names (long, string, dynamic, ...). Typed dynamic
  // (dynamic(array) etc.) is reported as plain dynamic.
  const name = t.Name;
  if (typeof name === 'string' && name.startsWith('dynamic')) return 'dynamic';
  return name;
}

function layoutName(layout) {
  const L = S.ParameterLayouts;
  if (layout == null) return 'fixed';
  for (const k of ['Fixed', 'Repeating', 'RepeatingSkipping', 'BlockRepeating']) {
    if (layout === L[k]) return snake(k);
  }
  return 'custom';
}

function literalValue(v) {
  if (v == null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return String(v);
}

function parameter(p) {
  const out = {
    name: p.Name,
    type: enumName(S.ParameterTypeKind, p.TypeKind),
  };
  const declared = toArr(p.DeclaredTypes).map(typeText);
  if (declared.length) out.types = declared;
  out.argument = enumName(S.ArgumentKind, p.ArgumentKind);
  out.min = p.MinOccurring;
  out.max = p.MaxOccurring;
  if (p.DefaultValueIndicator) out.default = p.DefaultValueIndicator;
  const values = toArr(p.Values).map(literalValue);
  if (values.length) out.values = values;
  if (p.IsCaseSensitive) out.case_sensitive = true;
  return out;
}

function signature(s) {
  const out = { returns: enumName(S.ReturnTypeKind, s.ReturnKind) };
  if (s.ReturnKind === S.ReturnTypeKind.Declared) out.type = typeText(s.DeclaredReturnType);
  if (s.IsHidden) out.hidden = true;
  if (s.IsObsolete) {
    out.obsolete = true;
    if (s.Alternative) out.alternative = s.Alternative;
  }
  const layout = layoutName(s.Layout);
  if (layout !== 'fixed') out.layout = layout;
  out.min_args = s.MinArgumentCount;
  out.max_args = s.MaxArgumentCount;
  out.parameters = toArr(s.Parameters).map(parameter);
  return out;
}

// Window functions: documented to work only on a serialized row set
// (KQL reference, "Window functions overview"). Kusto.Language does not check
// this, so it is not in the symbols.
const WINDOW_FUNCTIONS = new Set([
  'next', 'prev', 'row_cumsum', 'row_number', 'row_rank', 'row_rank_dense', 'row_rank_min',
  'row_window_session',
]);

function readDocs() {
  const file = path.join(HERE, 'function-docs.tsv');
  const docs = new Map();
  for (const [i, line] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim() || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error(`function-docs.tsv:${i + 1}: expected NAME<TAB>DOC`);
    const name = line.slice(0, tab).trim();
    if (docs.has(name)) throw new Error(`function-docs.tsv:${i + 1}: ${name} twice`);
    docs.set(name, line.slice(tab + 1).trim());
  }
  return docs;
}

// Result of a function whose return type is computed in code: analyse our
// probe expression and read the columns it adds.
function probeResult(name, probe) {
  const [x, expr] = probe;
  const code = K.KustoCode.ParseAndAnalyze(`print x=${x} | extend ${expr}`, K.GlobalState.Default);
  const errors = toArr(code.GetDiagnostics()).filter((d) => d.Severity === 'Error');
  if (errors.length) throw new Error(`probe of ${name}: ${errors[0].Message}`);
  const all = toArr(code.ResultType.Columns);
  // A result named after its first argument replaces the column x itself.
  const cols = all.length === 1 ? all : all.slice(1);
  if (cols.length === 1) return { type: typeText(cols[0].Type) };
  const prefix = `${name}_x_`;
  return {
    tuple: cols.map((c) => ({
      suffix: c.Name.startsWith(prefix) ? c.Name.slice(prefix.length) : c.Name,
      type: typeText(c.Type),
    })),
  };
}

function main() {
  const outPath = process.argv[2];
  if (!outPath) {
    process.stderr.write('usage: node gen-functions.js OUTPUT.json\n');
    process.exit(2);
  }
  const docs = readDocs();
  const pluginOutputs = JSON.parse(fs.readFileSync(path.join(HERE, 'plugin-outputs.json'), 'utf8'));
  const probes = JSON.parse(fs.readFileSync(path.join(HERE, 'custom-result-probes.json'), 'utf8'));
  const used = new Set();
  const functions = [];
  const groups = [
    ['scalar', K.Functions.All],
    ['aggregate', K.Aggregates.All],
    ['plugin', K.PlugIns.All],
  ];
  for (const [kind, list] of groups) {
    for (const f of toArr(list)) {
      const entry = { name: f.Name, kind };
      if (f.IsHidden) entry.hidden = true;
      if (f.IsObsolete) {
        entry.obsolete = true;
        if (f.Alternative) entry.alternative = f.Alternative;
      }
      if (f.OptimizedAlternative) entry.optimized_alternative = f.OptimizedAlternative;
      if (f.IsConstantFoldable) entry.constant_foldable = true;
      if (WINDOW_FUNCTIONS.has(f.Name)) entry.needs_serialized = true;
      if (kind !== 'plugin') {
        const rn = enumName(S.ResultNameKind, f.ResultNameKind);
        if (rn !== 'none') entry.result_name = rn;
        if (f.ResultNamePrefix) entry.result_name_prefix = f.ResultNamePrefix;
      }
      const doc = docs.get(`${kind}:${f.Name}`) || docs.get(f.Name);
      if (docs.has(`${kind}:${f.Name}`)) used.add(`${kind}:${f.Name}`);
      else if (docs.has(f.Name)) used.add(f.Name);
      if (doc) entry.doc = doc;
      if (kind === 'plugin') {
        const po = pluginOutputs[f.Name];
        if (po) {
          entry.output = po;
          used.add(`plugin-output:${f.Name}`);
        } else {
          const sig0 = toArr(f.Signatures)[0];
          entry.output = sig0 && sig0.ReturnKind === S.ReturnTypeKind.Declared ? { kind: 'declared' } : { kind: 'unknown' };
        }
      }
      entry.signatures = toArr(f.Signatures).map(signature);
      if (kind === 'scalar' && probes[f.Name]) {
        used.add(`probe:${f.Name}`);
        const r = probeResult(f.Name, probes[f.Name]);
        for (const s of entry.signatures) if (s.returns === 'custom') Object.assign(s, r);
      }
      functions.push(entry);
    }
  }
  const unused = [...docs.keys()].filter((k) => !used.has(k));
  const unusedOutputs = Object.keys(pluginOutputs).filter((k) => !k.startsWith('_') && !used.has(`plugin-output:${k}`))
    .concat(Object.keys(probes).filter((k) => !k.startsWith('_') && !used.has(`probe:${k}`)));
  if (unused.length || unusedOutputs.length) {
    process.stderr.write(`gen-functions: entries that match no symbol: ${[...unused, ...unusedOutputs].join(', ')}\n`);
    process.exit(1);
  }
  const counts = {};
  for (const f of functions) counts[f.kind] = (counts[f.kind] || 0) + 1;
  const out = {
    generator: 'tools/gen-functions/gen-functions.js',
    source: `@kusto/language-service-next ${PKG_VERSION} (Kusto.Language)`,
    counts,
    functions,
  };
  fs.writeFileSync(outPath, JSON.stringify(out, null, 1) + '\n');
  process.stderr.write(`gen-functions: wrote ${outPath}: ${JSON.stringify(counts)}\n`);
}

main();
