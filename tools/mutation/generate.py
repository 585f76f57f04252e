#!/usr/bin/env python3
"""Mutants of valid dev-corpus queries (one column or table name mistyped)
and Kusto.Language's verdict on each, for kql-semantic's `mutation` test:
kqlint must flag the mistakes the oracle confirms, on their line.

    tools/mutation/generate.py ORACLE SCHEMAS [SEED] > crates/kql-semantic/tests/data/mutants.tsv

ORACLE is the `kql-oracle` command (Kusto.Language in node); SCHEMAS the
`shared/schemas-sentinel` folder (the oracle is given the same schema sets
as for the corpus verdicts, `shared/corpus/oracle/full.jsonl`). SEED (1 by
default) seeds the generator, `cargo run -p kql-semantic --example
mutants` (see its header for how mutants are chosen), which this script
runs; re-run the script whenever the generator, the seed or the corpus
changes.

The output has one line per mutant: file, byte offset and line (1-based)
of the name in the query text, kind of mistake, original name, mutant
name, and the oracle's verdict: the unknown-name codes it reports on that
line of the mutant (comma-separated), `-` for none, `syntax` when the
mutant does not parse. A mutant counts only when the oracle reports an
unknown-name error on its line and none on that line of the original. No
query text is stored: the test rebuilds each mutant from the corpus.
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SCHEMA_SETS = [
    "2022-08-b819f67/CustomTables",
    "2023-11-copy/CustomTables",
    "2023-11-copy/CustomFunctions",
    "builtin-kustoservices-5.0.1/tables",
    "builtin-kustoservices-5.0.1/functions",
]
UNKNOWN = {"KS142", "KS204", "KS211", "KS122", "KS123", "KS124"}


def main():
    oracle, schemas = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    gen = subprocess.run(
        ["cargo", "run", "-q", "-p", "kql-semantic", "--example", "mutants", "--", str(seed)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    records = [json.loads(l) for l in gen.splitlines() if l.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as t:
        for i, r in enumerate(records):
            t.write(json.dumps({"id": i, "query": r["query"]}) + "\n")
    args = [oracle, "--no-columns"]
    for s in SCHEMA_SETS:
        args += ["--schema", os.path.join(schemas, s)]
    out = subprocess.run(args + ["--jsonl", t.name], capture_output=True, text=True).stdout
    os.unlink(t.name)
    verdict = {}
    for line in out.splitlines():
        o = json.loads(line)
        unknown = {}
        for d in o.get("diagnostics", []):
            if d["kind"] == "semantic" and d["code"] in UNKNOWN:
                unknown.setdefault(d["line"], set()).add(d["code"])
        verdict[o["id"]] = (o.get("syntax_ok", False) and "error" not in o, unknown)
    original = {}
    rows = []
    for i, r in enumerate(records):
        if r["type"] == "original":
            original[r["file"]] = verdict[i][1]
            continue
        syntax_ok, unknown = verdict[i]
        line = r["line"]
        if not syntax_ok:
            v = "syntax"
        elif unknown.get(line) and not original[r["file"]].get(line):
            v = ",".join(sorted(unknown[line]))
        else:
            v = "-"
        rows.append((r["file"], r["offset"], line, r["kind"], r["original"], r["mutant"], v))
    confirmed = sum(1 for r in rows if r[6] not in ("-", "syntax"))
    print(f"# mutants of dev-corpus queries and Kusto.Language 12.4.1's unknown-name codes on their line; "
          f"made by tools/mutation/generate.py, seed {seed}: {len(rows)} mutants, {confirmed} confirmed")
    print("# file\toffset\tline\tkind\toriginal\tmutant\toracle")
    for r in rows:
        print("\t".join(str(x) for x in r))


if __name__ == "__main__":
    main()
