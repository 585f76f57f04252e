#!/usr/bin/env python3
"""Builds the fuzz corpora (fuzz/corpus/<target>/, git-ignored) from the
shared rule corpus (KQLINT_SHARED, default ../shared next to the checkout),
the repository's fixtures and test cases, and a few hand-made seeds.

    fuzz/seed.py            # every target
    fuzz/seed.py parse lsp  # some

The query texts are taken from the rule files with PyYAML when it is
installed; without it, the `query: |` blocks are cut out by indentation
(enough for seeding).
"""

import hashlib
import json
import os
import random
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
SHARED = Path(os.environ.get("KQLINT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"

try:
    import yaml  # type: ignore
except ImportError:  # pragma: no cover
    yaml = None


def rule_files():
    files = sorted(CORPUS.glob("sentinel/**/*.y*ml"))
    if not files:
        sys.exit(f"seed.py: no rule files under {CORPUS} (set KQLINT_SHARED)")
    files += sorted((ROOT / "fixtures").glob("**/*.y*ml"))
    return files


def query_of(path: Path):
    raw = path.read_bytes()
    text = raw.decode("utf-8", "replace").lstrip("\ufeff")
    if yaml is not None:
        try:
            doc = yaml.safe_load(text)
            if isinstance(doc, dict):
                for k in ("query", "ParserQuery", "FunctionQuery"):
                    if isinstance(doc.get(k), str):
                        return doc[k]
        except Exception:
            pass
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("query:"):
            body = []
            for rest in lines[i + 1:]:
                if rest and not rest.startswith((" ", "\t")):
                    break
                body.append(rest.strip())
            return "\n".join(body) or line[6:].strip()
    return None


def kql_seeds():
    out = [q for q in (query_of(f) for f in rule_files()) if q]
    for ext in ("kql", "csl"):
        out += [p.read_text("utf-8", "replace") for p in sorted(ROOT.glob(f"fixtures/**/*.{ext}"))]
    for p in sorted(ROOT.glob("crates/*/tests/cases/**/*")):
        if p.is_file() and p.suffix in (".kql", ".txt", ""):
            out.append(p.read_text("utf-8", "replace"))
    out = [s.encode() for s in out]
    # Inputs for the grammar-shaped generator (first byte 0x01).
    rnd = random.Random(7)
    out += [b"\x01" + bytes(rnd.randrange(256) for _ in range(rnd.randrange(16, 512))) for _ in range(64)]
    return out


def frame(msg) -> bytes:
    body = json.dumps(msg).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def lsp_seeds():
    """Raw transport inputs (first byte 0xFF); sessions grow from nothing."""
    q = "DeviceNetworkEvents\n| where RemoteIp == 1\n| take 10\n"
    uri = "file:///w/q.kql"
    msgs = [
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": uri, "languageId": "kql", "version": 1, "text": q}}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
             {"range": {"start": {"line": 1, "character": 8}, "end": {"line": 1, "character": 16}}, "text": "RemoteIP"}]}},
        {"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover",
         "params": {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 10}}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion",
         "params": {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 2}}},
        {"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction",
         "params": {"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}, "context": {"diagnostics": []}}},
        {"jsonrpc": "2.0", "id": 4, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    seeds = [b"\xff" + b"".join(frame(m) for m in msgs)]
    seeds.append(b"\xff" + b"Content-Length: 5\r\n\r\n{bad}" + frame(msgs[1]) + b"garbage\r\n\r\n")
    seeds.append(b"\xff" + b"Content-Length: 99999999999999999999\r\n\r\n" + frame(msgs[3]))
    rnd = random.Random(11)
    seeds += [bytes(rnd.randrange(255) for _ in range(rnd.randrange(8, 600))) for _ in range(64)]
    return seeds


def yaml_seeds():
    return [p.read_bytes() for p in rule_files()] + [
        p.read_bytes() for p in sorted((ROOT / "fixtures" / "yaml").iterdir()) if p.is_file()
    ]


def shape_seeds():
    """Bytes for kqlint_testkit::shapes::composed: each picks building
    blocks (self-joins, unions, wide extends, ...) and their sizes."""
    rnd = random.Random(13)
    seeds = [bytes([op, a, b, k]) * 40 for op in range(1, 12) for (a, b, k) in [(1, 1, 9), (2, 3, 200)]]
    seeds += [bytes(rnd.randrange(1, 256) for _ in range(rnd.randrange(8, 1024))) for _ in range(64)]
    return seeds


TARGETS = {
    "lex": kql_seeds,
    "parse": kql_seeds,
    "semantic": kql_seeds,
    "rule_yaml": yaml_seeds,
    "lsp": lsp_seeds,
    "shapes": shape_seeds,
}


def main():
    names = sys.argv[1:] or list(TARGETS)
    for name in names:
        d = FUZZ / "corpus" / name
        d.mkdir(parents=True, exist_ok=True)
        seeds = TARGETS[name]()
        for s in seeds:
            (d / hashlib.sha1(s).hexdigest()).write_bytes(s)
        print(f"{name}: {len(seeds)} seeds in {d}")


if __name__ == "__main__":
    main()
