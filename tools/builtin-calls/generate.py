#!/usr/bin/env python3
"""Calls of every built-in scalar and aggregate function with arguments of
one type, and Kusto.Language's verdict on each, for kql-semantic's
`builtin_calls` test: kqlint must not report an error on a call the oracle
accepts.

    tools/builtin-calls/generate.py ORACLE SCHEMA_DIR > crates/kql-semantic/tests/data/builtin-calls.tsv

ORACLE is the `kql-oracle` command (Kusto.Language in node); SCHEMA_DIR
the folder of built-in table schemas that has DeviceNetworkEvents. The
output has one line per call: the query, then the oracle's error codes
(comma-separated; `-` for none).
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTIONS = os.path.join(HERE, "..", "..", "schemas", "functions.json")

# one value of each kind, bound by `extend` so the call sees a column
VALUES = [
    ("d", "d = AdditionalFields.x"),
    ("s", 's = "a"'),
    ("n", "n = 5"),
    ("dt", "dt = now()"),
    ("b", "b = true"),
    ("r", "r = 1.5"),
    ("ts", "ts = 1h"),
]


def calls():
    with open(FUNCTIONS, encoding="utf-8") as f:
        functions = json.load(f)
    if isinstance(functions, dict):
        functions = functions.get("functions", [])
    for f in functions:
        if f.get("kind") not in ("scalar", "aggregate") or f["name"].startswith("__"):
            continue
        sigs = f.get("signatures") or []
        if not sigs:
            continue
        k = min(s["min_args"] for s in sigs)
        if k == 0 or k > 4:
            continue
        op = "summarize r =" if f["kind"] == "aggregate" else "extend r ="
        for var, bind in VALUES:
            args = ", ".join([var] * k)
            yield f"DeviceNetworkEvents | extend {bind} | {op} {f['name']}({args})"


def main():
    oracle, schema = sys.argv[1], sys.argv[2]
    queries = list(calls())
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as t:
        for i, q in enumerate(queries):
            t.write(json.dumps({"id": i, "query": q}) + "\n")
    out = subprocess.run(
        [oracle, "--no-columns", "--schema", schema, "--jsonl", t.name],
        capture_output=True, text=True,
    ).stdout
    os.unlink(t.name)
    verdict = {}
    for line in out.splitlines():
        o = json.loads(line)
        codes = sorted({d["code"] for d in o["diagnostics"] if d["severity"] == "Error"})
        verdict[o["id"]] = ",".join(codes) or "-"
    print("# query\toracle error codes (Kusto.Language 12.4.1); made by tools/builtin-calls/generate.py")
    for i, q in enumerate(queries):
        print(f"{q}\t{verdict[i]}")


if __name__ == "__main__":
    main()
