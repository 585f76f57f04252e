#!/usr/bin/env python3
"""Calls of every built-in scalar and aggregate function with arguments of
one type (and with every argument count, numbers of mixed types), and
Kusto.Language's verdict on each, for kql-semantic's
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


# the parameter kinds a long value (`n`) fits, for the mixed calls
NUMERIC_KINDS = {
    "number", "integer", "summable", "orderable", "scalar", "common_number", "common_scalar",
    "common_summable", "common_orderable", "number_or_bool", "real_or_decimal", "not_dynamic",
}
DYNAMIC_KINDS = {"dynamic_array", "dynamic_bag", "dynamic", "string_or_dynamic", "dynamic_array_or_bag"}
DECLARED = {"string": "s", "long": "n", "int": "i", "real": "r", "datetime": "dt", "timespan": "ts",
            "dynamic": "d", "bool": "b", "decimal": "m"}
MIXED_VALUES = dict(VALUES, i="i = toint(5)", m="m = todecimal(1)")


def mixed_calls():
    """Every argument count of every signature (optional arguments too), with
    a value of the parameter's kind in each place; then, for each place that
    takes a long, the same call with an int, a real and a decimal there (the
    numeric widenings a one-type call does not show)."""
    with open(FUNCTIONS, encoding="utf-8") as f:
        functions = json.load(f)
    if isinstance(functions, dict):
        functions = functions.get("functions", [])
    for f in functions:
        if f.get("kind") not in ("scalar", "aggregate") or f["name"].startswith("__"):
            continue
        op = "summarize r =" if f["kind"] == "aggregate" else "extend r ="
        for s in f.get("signatures") or []:
            params = s.get("parameters") or []
            if s.get("hidden") or not params:
                continue
            for k in range(max(s["min_args"], 1), min(s["max_args"], 5) + 1):
                base = []
                for j in range(k):
                    p = params[min(j, len(params) - 1)]
                    kind = p.get("type")
                    if kind == "declared":
                        v = next((DECLARED[t] for t in p.get("types", []) if t in DECLARED), None)
                    elif kind in NUMERIC_KINDS:
                        v = "n"
                    elif kind in DYNAMIC_KINDS:
                        v = "d"
                    else:
                        v = None
                    if v is None:
                        break
                    base.append(v)
                if len(base) < k:
                    continue
                variants = [base]
                for j, v in enumerate(base):
                    if v == "n":
                        variants += [base[:j] + [alt] + base[j + 1:] for alt in ("r", "i", "m")]
                for args in variants:
                    binds = ", ".join(MIXED_VALUES[x] for x in sorted(set(args)))
                    yield f"DeviceNetworkEvents | extend {binds} | {op} {f['name']}({', '.join(args)})"


def main():
    oracle, schema = sys.argv[1], sys.argv[2]
    queries = list(dict.fromkeys(list(calls()) + list(mixed_calls())))
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
