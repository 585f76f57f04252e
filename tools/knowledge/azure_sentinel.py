#!/usr/bin/env python3
"""Facts from Azure-Sentinel snapshots (standard library only, Python 3.11).

Writes, deterministically (sorted, byte-identical on re-run):

  schemas/facts/sentinel-ci-models.json     the rule model of Azure-Sentinel's template-validation CI
                                            (.script/tests/detectionTemplateSchemaValidation/Models/**/*.cs,
                                            parsed from the C# text) and its ValidConnectorIds.json
  schemas/facts/sentinel-connectors.facts   data connector ids and the tables they feed
  schemas/facts/sentinel-functions.facts    ASIM parsers, ASIM library functions and solution parsers

Sources (local bare git mirrors, read with `git ls-tree` / `git cat-file`, no network):

  azure-sentinel/2023-11  rajmahadevan/kql-lab 656066a17113eb999563bb968a0607590bfdd7fa
                          (a copy of Azure/Azure-Sentinel master of about 2023-11-20)
  azure-sentinel/2022-08  cloudflare/Azure-Sentinel b819f6737ee1d0c3c865225f5750112c8f1096e3
                          (an upstream Azure/Azure-Sentinel commit of 2022-08-10)
  sentinelninja/2026-08   oshezaf/sentinelninja 4167c9caa798d8ead1fa1e5944f431ed0b999ea1
                          (CSVs derived from Azure-Sentinel: Tools/Solutions Analyzer/*.csv)

Usage:  python3 tools/knowledge/azure_sentinel.py [--mirrors /work/.mirror] [--out schemas/facts] [--report]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

EXTRACTOR = "tools/knowledge/azure_sentinel.py"

IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# ----------------------------------------------------------------------------------------------------------
# Sources
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    key: str  # azure-sentinel/2023-11 ...
    repo: str  # owner/name as on GitHub
    mirror: str  # owner+name directory under the mirrors root
    commit: str
    date: str
    rank: int  # lower = preferred when sources disagree
    git_dir: str = ""
    _files: list | None = None

    def files(self) -> list[str]:
        if self._files is None:
            out = subprocess.run(
                ["git", "-C", self.git_dir, "ls-tree", "-r", "-z", "--name-only", self.commit],
                check=True, capture_output=True).stdout
            self._files = sorted(p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p)
        return self._files

    def read_many(self, paths: list[str]) -> dict[str, bytes | None]:
        """Blob contents by path (None when the blob is absent from the mirror)."""
        result: dict[str, bytes | None] = {}
        paths = list(paths)
        for start in range(0, len(paths), 400):
            chunk = paths[start:start + 400]
            req = "".join(f"{self.commit}:{p}\n" for p in chunk).encode("utf-8", "surrogateescape")
            out = subprocess.run(["git", "-C", self.git_dir, "cat-file", "--batch"], input=req,
                                 check=True, capture_output=True).stdout
            pos = 0
            for p in chunk:
                nl = out.index(b"\n", pos)
                header = out[pos:nl].decode("utf-8", "surrogateescape")
                pos = nl + 1
                if header.endswith(" missing") or header.endswith(" ambiguous"):
                    result[p] = None
                    continue
                _sha, _typ, size = header.rsplit(" ", 2)
                size = int(size)
                result[p] = out[pos:pos + size]
                pos += size + 1
        return result

    def read(self, path: str) -> bytes | None:
        return self.read_many([path])[path]


S2023 = Snapshot("azure-sentinel/2023-11", "rajmahadevan/kql-lab", "rajmahadevan+kql-lab",
                 "656066a17113eb999563bb968a0607590bfdd7fa", "2023-11-20", 0)
S2022 = Snapshot("azure-sentinel/2022-08", "cloudflare/Azure-Sentinel", "cloudflare+Azure-Sentinel",
                 "b819f6737ee1d0c3c865225f5750112c8f1096e3", "2022-08-10", 1)
NINJA = Snapshot("sentinelninja/2026-08", "oshezaf/sentinelninja", "oshezaf+sentinelninja",
                 "4167c9caa798d8ead1fa1e5944f431ed0b999ea1", "2026-08-14", 2)
NINJA_DIR = "Tools/Solutions Analyzer"
SNAPSHOTS = [S2023, S2022]

CI_DIR = ".script/tests/detectionTemplateSchemaValidation"
CI_MODELS_DIR = CI_DIR + "/Models"
CUSTOM_TABLES_DIR = ".script/tests/KqlvalidationsTests/CustomTables"


def text_of(data: bytes | None) -> str | None:
    if data is None:
        return None
    t = data.decode("utf-8-sig", "replace")
    return t.replace("\r\n", "\n").replace("\r", "\n")


def is_ident(s) -> bool:
    return isinstance(s, str) and bool(IDENT_RE.match(s))


# ----------------------------------------------------------------------------------------------------------
# Small helpers shared by the writers
# ----------------------------------------------------------------------------------------------------------

KQL_TYPES = {
    "string": "string", "str": "string",
    "int": "int", "int32": "int",
    "long": "long", "int64": "long",
    "real": "real", "double": "real", "float": "real",
    "decimal": "decimal",
    "bool": "bool", "boolean": "bool",
    "datetime": "datetime", "date": "datetime",
    "timespan": "timespan", "time": "timespan",
    "guid": "guid", "uniqueid": "guid",
    "dynamic": "dynamic", "object": "dynamic",
}


def kql_type(t: str | None) -> str | None:
    if t is None:
        return None
    t = str(t).strip().lower()
    return KQL_TYPES.get(t)


def is_tabular_type(t: str | None) -> bool:
    if t is None:
        return False
    t = re.sub(r"\s+", "", str(t).lower())
    return t in ("table", "(*)", "table:(*)") or t.startswith("table:(") or t.startswith("(")


def quote_name(name: str) -> str:
    return f'"{name}"' if re.search(r"\s", name) else name


# ----------------------------------------------------------------------------------------------------------
# A YAML subset reader (block mappings, block sequences, block scalars, quoted/plain scalars, simple flow)
# ----------------------------------------------------------------------------------------------------------


class YStr(str):
    """A YAML scalar; .quoted tells whether the source spelled it in quotes."""
    quoted: bool = False


def _ystr(s: str, quoted: bool) -> YStr:
    v = YStr(s)
    v.quoted = quoted
    return v


class YamlError(Exception):
    pass


class MiniYaml:
    KEY_RE = re.compile(r"""^(?P<key>"[^"]*"|'[^']*'|[^\s#'"\-?:,\[\]{}][^:#]*?|-[^\s:#][^:#]*?)\s*:(?:\s+|$)(?P<rest>.*)$""")

    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.i = 0

    @staticmethod
    def indent_of(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def skip_blank(self):
        while self.i < len(self.lines):
            s = self.lines[self.i].strip()
            if s == "" or s.startswith("#") or s in ("---",):
                self.i += 1
            else:
                break

    def parse(self):
        self.skip_blank()
        if self.i >= len(self.lines):
            return None
        return self.node(self.indent_of(self.lines[self.i]))

    def node(self, ind: int, first: str | None = None):
        """Parse the node at indentation ind. first: content replacing the current line's text."""
        line = first if first is not None else self.lines[self.i][ind:]
        if line.startswith("- ") or line == "-":
            return self.seq(ind, first)
        if self.KEY_RE.match(line):
            return self.mapping(ind, first)
        # a bare scalar
        self.i += 1
        return self.inline_scalar(line, ind)

    def seq(self, ind: int, first: str | None):
        items = []
        while True:
            if first is None:
                self.skip_blank()
                if self.i >= len(self.lines):
                    break
                raw = self.lines[self.i]
                if self.indent_of(raw) != ind or not (raw[ind:].startswith("- ") or raw[ind:] == "-"):
                    break
                content = raw[ind:]
            else:
                content = first
                first = None
            rest = content[1:]
            stripped = rest.lstrip(" ")
            sub_ind = ind + 1 + (len(rest) - len(stripped))
            if stripped == "" or stripped.startswith("#"):
                self.i += 1
                self.skip_blank()
                if self.i < len(self.lines) and self.indent_of(self.lines[self.i]) > ind:
                    items.append(self.node(self.indent_of(self.lines[self.i])))
                else:
                    items.append(None)
            else:
                items.append(self.node(sub_ind, stripped))
        return items

    def mapping(self, ind: int, first: str | None):
        m = OrderedDict()
        while True:
            if first is None:
                self.skip_blank()
                if self.i >= len(self.lines):
                    break
                raw = self.lines[self.i]
                if self.indent_of(raw) != ind:
                    if self.indent_of(raw) > ind:
                        raise YamlError(f"unexpected indentation at line {self.i + 1}")
                    break
                content = raw[ind:]
                if content.startswith("- "):
                    break
            else:
                content = first
                first = None
            km = self.KEY_RE.match(content)
            if not km:
                raise YamlError(f"expected a key at line {self.i + 1}: {content[:40]!r}")
            key = km.group("key").strip()
            if key[:1] in "'\"":
                key = key[1:-1]
            rest = km.group("rest")
            m[key] = self.value(ind, rest)
        return m

    def value(self, ind: int, rest: str):
        r = rest.strip()
        bm = re.match(r"^([|>])([+-]?)(\d?)([+-]?)\s*(#.*)?$", r)
        if bm:
            return self.block_scalar(ind, bm.group(1), (bm.group(2) or bm.group(4)),
                                     int(bm.group(3)) if bm.group(3) else None)
        if r == "" or r.startswith("#"):
            self.i += 1
            self.skip_blank()
            if self.i >= len(self.lines):
                return None
            nxt = self.lines[self.i]
            ni = self.indent_of(nxt)
            if ni > ind:
                return self.node(ni)
            if ni == ind and (nxt[ind:].startswith("- ") or nxt[ind:] == "-"):
                return self.seq(ind, None)
            return None
        self.i += 1
        return self.inline_scalar(r, ind)

    def block_scalar(self, ind: int, style: str, chomp: str, explicit: int | None):
        self.i += 1
        body = []
        block_ind = None if explicit is None else ind + explicit
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            if raw.strip() == "":
                body.append("")
                self.i += 1
                continue
            ri = self.indent_of(raw)
            if block_ind is None:
                if ri <= ind:
                    break
                block_ind = ri
            if ri < block_ind:
                break
            body.append(raw[block_ind:])
            self.i += 1
        # trailing blank lines
        trail = 0
        while body and body[-1] == "":
            body.pop()
            trail += 1
        if style == ">":
            out, prev_blank = [], False
            for ln in body:
                if ln == "":
                    out.append("\n")
                    prev_blank = True
                elif out and not prev_blank and not ln.startswith(" ") and not out[-1].endswith("\n"):
                    out.append(" " + ln)
                else:
                    out.append(ln)
                    prev_blank = False
            text = "".join(out)
        else:
            text = "\n".join(body)
        if chomp == "-":
            pass
        elif chomp == "+":
            text += "\n" * (trail + 1)
        else:
            text += "\n" if body else ""
        return _ystr(text, True)

    def inline_scalar(self, r: str, ind: int):
        if r.startswith("'"):
            buf, s = [], r[1:]
            while True:
                j = 0
                while j < len(s):
                    if s[j] == "'":
                        if j + 1 < len(s) and s[j + 1] == "'":
                            buf.append("'")
                            j += 2
                            continue
                        return _ystr("".join(buf), True)
                    buf.append(s[j])
                    j += 1
                if self.i >= len(self.lines):
                    raise YamlError("unterminated single-quoted scalar")
                buf.append(" ")
                s = self.lines[self.i].strip()
                self.i += 1
        if r.startswith('"'):
            buf, s = [], r[1:]
            esc = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "/": "/", "r": "\r", "0": "\0", " ": " "}
            while True:
                j = 0
                while j < len(s):
                    c = s[j]
                    if c == "\\" and j + 1 < len(s):
                        buf.append(esc.get(s[j + 1], s[j + 1]))
                        j += 2
                        continue
                    if c == '"':
                        return _ystr("".join(buf), True)
                    buf.append(c)
                    j += 1
                if self.i >= len(self.lines):
                    raise YamlError("unterminated double-quoted scalar")
                buf.append(" ")
                s = self.lines[self.i].strip()
                self.i += 1
        if r.startswith("[") or r.startswith("{"):
            text = r
            depth = self._flow_depth(text)
            while depth > 0 and self.i < len(self.lines):
                text += " " + self.lines[self.i].strip()
                self.i += 1
                depth = self._flow_depth(text)
            return self.flow(text)
        # plain scalar, possibly continued on more-indented lines
        v = re.sub(r"\s+#.*$", "", r).strip()
        parts = [v]
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            if raw.strip() == "" or self.indent_of(raw) <= ind:
                break
            parts.append(raw.strip())
            self.i += 1
        return _ystr(" ".join(p for p in parts if p), False)

    @staticmethod
    def _flow_depth(text: str) -> int:
        depth, q = 0, None
        for c in text:
            if q:
                if c == q:
                    q = None
            elif c in "'\"":
                q = c
            elif c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
        return depth

    def flow(self, text: str):
        text = text.strip()
        if text.startswith("[") and text.endswith("]"):
            inner = text[1:-1]
            items, cur, depth, q = [], "", 0, None
            for c in inner:
                if q:
                    cur += c
                    if c == q:
                        q = None
                    continue
                if c in "'\"":
                    q = c
                elif c in "[{":
                    depth += 1
                elif c in "]}":
                    depth -= 1
                if c == "," and depth == 0:
                    items.append(cur.strip())
                    cur = ""
                else:
                    cur += c
            if cur.strip():
                items.append(cur.strip())
            out = []
            for it in items:
                if it[:1] in "'\"" and it[-1:] == it[:1]:
                    out.append(_ystr(it[1:-1], True))
                else:
                    out.append(_ystr(it, False))
            return out
        return _ystr(text, False)


def yaml_load(text: str):
    # one document: stop at a document-end marker
    lines = text.split("\n")
    for k, ln in enumerate(lines):
        if ln.rstrip() == "..." or (k > 0 and ln.rstrip() == "---"):
            lines = lines[:k]
            break
    return MiniYaml("\n".join(lines)).parse()


# ----------------------------------------------------------------------------------------------------------
# A KQL token scanner, enough to find a query's source tables, a function's form and simple result columns
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Tok:
    kind: str  # id, str, num, op
    val: str


HYPHEN_OPS = {"project-away", "project-rename", "project-keep", "project-reorder", "mv-expand", "mv-apply",
              "make-series", "parse-where", "parse-kv", "top-nested", "top-hitters", "graph-match",
              "make-graph", "graph-to-table", "graph-merge", "project-smart", "scan", "as"}


def kql_tokens(text: str) -> list[Tok]:
    toks: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if text.startswith("```", i):
            j = text.find("```", i + 3)
            j = n if j < 0 else j + 3
            toks.append(Tok("str", text[i:j]))
            i = j
            continue
        if c in "'\"" or (c in "@hH" and i + 1 < n and text[i + 1] in "'\""):
            start = i
            verbatim = c == "@"
            if c in "@hH":
                i += 1
            q = text[i]
            i += 1
            while i < n:
                if text[i] == "\\" and not verbatim:
                    i += 2
                    continue
                if text[i] == q:
                    if verbatim and i + 1 < n and text[i + 1] == q:
                        i += 2
                        continue
                    i += 1
                    break
                if text[i] == "\n" and not verbatim:
                    break
                i += 1
            toks.append(Tok("str", text[start:i]))
            continue
        if c.isalpha() or c in "_$":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            word = text[i:j]
            # hyphenated operators: project-away, mv-expand, ...
            m = re.match(r"-([A-Za-z]+)", text[j:j + 20])
            if m and f"{word}-{m.group(1)}".lower() in HYPHEN_OPS:
                word = f"{word}-{m.group(1)}"
                j += 1 + len(m.group(1))
            toks.append(Tok("id", word))
            i = j
            continue
        if c.isdigit():
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "._") and not text.startswith("..", j):
                j += 1
            toks.append(Tok("num", text[i:j]))
            i = j
            continue
        for op in ("==", "!=", "=~", "!~", "<=", ">=", "..", "=>", "<>", "<|"):
            if text.startswith(op, i):
                toks.append(Tok("op", op))
                i += len(op)
                break
        else:
            toks.append(Tok("op", c))
            i += 1
    return toks


OPEN = {"(": ")", "[": "]", "{": "}"}


def match_close(toks: list[Tok], i: int) -> int:
    """Index of the bracket closing toks[i] (or len(toks)-1 when unbalanced)."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j]
        if t.kind == "op" and t.val in OPEN:
            depth += 1
        elif t.kind == "op" and t.val in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def split_top(toks: list[Tok], sep: str) -> list[list[Tok]]:
    parts, cur, depth = [], [], 0
    for t in toks:
        if t.kind == "op" and t.val in OPEN:
            depth += 1
        elif t.kind == "op" and t.val in (")", "]", "}"):
            depth -= 1
        if depth == 0 and t.kind == "op" and t.val == sep:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    parts.append(cur)
    return parts


def is_op(t: Tok | None, v: str) -> bool:
    return t is not None and t.kind == "op" and t.val == v


def is_id(t: Tok | None, v: str | None = None) -> bool:
    return t is not None and t.kind == "id" and (v is None or t.val.lower() == v)


KQL_WORDS = {
    "let", "set", "declare", "alias", "pattern", "restrict", "access", "view", "true", "false", "null", "and", "or",
    "not", "union", "datatable", "print", "range", "search", "find", "evaluate", "materialize", "toscalar",
    "externaldata", "external_data", "table", "database", "cluster", "on", "by", "with", "kind", "in", "has",
    "contains", "between", "where", "extend", "project", "summarize", "join", "lookup", "invoke", "getschema",
    "dynamic", "datetime", "timespan", "int", "long", "real", "string", "bool", "guid", "decimal", "typeof",
    "isfuzzy", "withsource", "of", "to", "step", "from", "macro-expand", "function", "T",
}


@dataclass
class Lambda:
    params: list  # [(name, type_text, default_text|None)]
    body: list  # tokens


@dataclass
class Body:
    """A parsed let-statement list."""
    lets: "OrderedDict[str, object]"  # name -> Lambda | list[Tok]
    final: list  # the last (non-let) statement's tokens
    statements: list  # all non-let statements


def parse_params(toks: list[Tok]) -> list:
    """KQL parameter list tokens (inside the parens) -> [(name, type, default)]."""
    out = []
    for part in split_top(toks, ","):
        if not part:
            continue
        if not (part[0].kind == "id"):
            continue
        name = part[0].val
        typ, default = None, None
        if len(part) > 2 and is_op(part[1], ":"):
            eq = next((k for k in range(2, len(part)) if is_op(part[k], "=") and
                       sum(1 for t in part[2:k] if is_op(t, "(")) == sum(1 for t in part[2:k] if is_op(t, ")"))), None)
            typ_toks = part[2:eq] if eq is not None else part[2:]
            typ = "".join(t.val for t in typ_toks)
            if eq is not None:
                default = "".join(t.val for t in part[eq + 1:])
        out.append((name, typ, default))
    return out


def parse_body(toks: list[Tok]) -> Body:
    lets: OrderedDict = OrderedDict()
    statements = []
    for st in split_top(toks, ";"):
        if not st:
            continue
        if is_id(st[0], "let") and len(st) >= 3 and st[1].kind == "id" and is_op(st[2], "="):
            name = st[1].val
            rhs = st[3:]
            lam = as_lambda(rhs)
            lets[name] = lam if lam is not None else rhs
        elif st[0].kind == "id" and st[0].val.lower() in ("set", "declare", "alias", "pattern", "restrict"):
            continue
        else:
            statements.append(st)
    return Body(lets, statements[-1] if statements else [], statements)


def as_lambda(rhs: list[Tok]) -> Lambda | None:
    i = 0
    if is_id(rhs[0] if rhs else None, "view"):
        i = 1
    if i < len(rhs) and is_op(rhs[i], "("):
        close = match_close(rhs, i)
        if close + 1 < len(rhs) and is_op(rhs[close + 1], "{"):
            end = match_close(rhs, close + 1)
            return Lambda(parse_params(rhs[i + 1:close]), rhs[close + 2:end])
    return None


def bound_names(toks: list[Tok]) -> set:
    """All names a body binds anywhere (let names, lambda parameters)."""
    names = set()
    for k, t in enumerate(toks):
        if is_id(t, "let") and k + 1 < len(toks) and toks[k + 1].kind == "id":
            names.add(toks[k + 1].val)
    # lambda params: "( name : type" patterns
    for k in range(len(toks) - 2):
        if (is_op(toks[k], "(") or is_op(toks[k], ",")) and toks[k + 1].kind == "id" and is_op(toks[k + 2], ":"):
            names.add(toks[k + 1].val)
    return names


def sources_of_statement_list(toks: list[Tok]) -> list[str]:
    out: list[str] = []
    body = parse_body(toks)
    for name, v in body.lets.items():
        if isinstance(v, Lambda):
            out += sources_of_statement_list(v.body)
        else:
            out += sources_of_expr(v)
    for st in body.statements:
        out += sources_of_expr(st)
    return out


def skip_options(seg: list[Tok], i: int) -> int:
    """Skip operator options like kind=inner, hint.remote=auto, isfuzzy=true, withsource=X."""
    while i < len(seg):
        j = i
        if seg[j].kind != "id":
            break
        j += 1
        while j + 1 < len(seg) and is_op(seg[j], ".") and seg[j + 1].kind == "id":
            j += 2
        if j < len(seg) and is_op(seg[j], "=") and j + 1 < len(seg):
            i = j + 2
            continue
        break
    return i


def sources_of_operand(toks: list[Tok]) -> list[str]:
    if not toks:
        return []
    if is_op(toks[0], "("):
        close = match_close(toks, 0)
        if close == len(toks) - 1:
            return sources_of_statement_list(toks[1:close])
        return []
    if toks[0].kind == "id" and len(toks) == 1:
        return [toks[0].val]
    return []


def sources_of_union(toks: list[Tok]) -> list[str]:
    i = skip_options(toks, 0)
    out = []
    for part in split_top(toks[i:], ","):
        out += sources_of_operand(part)
    return out


def sources_of_expr(toks: list[Tok]) -> list[str]:
    if not toks:
        return []
    segs = split_top(toks, "|")
    out = []
    first = segs[0]
    if first:
        t0 = first[0]
        if is_op(t0, "("):
            out += sources_of_operand(first)
        elif is_id(t0, "union"):
            out += sources_of_union(first[1:])
        elif t0.kind == "id" and len(first) == 1:
            out.append(t0.val)
        elif t0.kind == "id" and len(first) > 1 and is_op(first[1], "(") and \
                t0.val.lower() in ("materialize", "toscalar"):
            close = match_close(first, 1)
            out += sources_of_statement_list(first[2:close])
    for seg in segs[1:]:
        if not seg or seg[0].kind != "id":
            continue
        op = seg[0].val.lower()
        if op in ("join", "lookup"):
            i = skip_options(seg, 1)
            if i < len(seg):
                if is_op(seg[i], "("):
                    close = match_close(seg, i)
                    out += sources_of_statement_list(seg[i + 1:close])
                elif seg[i].kind == "id" and (i + 1 == len(seg) or is_id(seg[i + 1], "on")):
                    out.append(seg[i].val)
        elif op == "union":
            out += sources_of_union(seg[1:])
    return out


def query_sources(query: str, exclude: set) -> list[str]:
    """First identifiers of the query's pipelines (and join/lookup/union operands) that are not bound names."""
    toks = kql_tokens(query)
    bound = bound_names(toks)
    seen, out = set(), []
    for s in sources_of_statement_list(toks):
        if s in bound or s in exclude or s.lower() in KQL_WORDS or not is_ident(s) or s in seen:
            continue
        seen.add(s)
        out.append(s)
    return out


SCALAR_FUNCS = {
    "case", "iff", "iif", "toscalar", "tostring", "toint", "tolong", "todouble", "toreal", "tobool", "todatetime",
    "totimespan", "toguid", "todynamic", "strcat", "strlen", "pack", "bag_pack", "pack_array", "dynamic", "now",
    "ago", "coalesce", "split", "extract", "parse_json", "array_length", "isempty", "isnotempty", "replace_string",
}
TABLE_STARTS = {"union", "datatable", "range", "print", "externaldata", "materialize", "search", "find", "evaluate"}


def expr_form(stmt: list[Tok], body: Body, depth: int = 0) -> str:
    """'table' or 'scalar' for a function body's last statement."""
    if not stmt or depth > 4:
        return "table"
    if len(split_top(stmt, "|")) > 1:
        return "table"
    t0 = stmt[0]
    if t0.kind in ("str", "num"):
        return "scalar"
    if t0.kind == "id":
        name = t0.val
        if len(stmt) > 1 and is_op(stmt[1], "("):
            close = match_close(stmt, 1)
            target = body.lets.get(name)
            if isinstance(target, Lambda) and close == len(stmt) - 1:
                inner = parse_body(target.body)
                return expr_form(inner.final, inner, depth + 1)
            if name.lower() in SCALAR_FUNCS:
                return "scalar"
            return "table"
        if name.lower() in TABLE_STARTS:
            return "table"
        target = body.lets.get(name)
        if isinstance(target, list):
            return expr_form(target, body, depth + 1)
        return "table"
    if is_op(t0, "("):
        close = match_close(stmt, 0)
        return expr_form(stmt[1:close], body, depth + 1)
    return "table"


# ---- result columns, for the few library functions whose body is simple enough ----------------------------

CAST_TYPES = {"toint": "int", "tolong": "long", "tostring": "string", "todouble": "real", "toreal": "real",
              "tobool": "bool", "toboolean": "bool", "todatetime": "datetime", "totimespan": "timespan",
              "toguid": "guid", "todynamic": "dynamic", "parse_json": "dynamic", "split": "dynamic",
              "strcat": "string", "strcat_array": "string", "array_length": "long", "pack": "dynamic",
              "bag_pack": "dynamic", "pack_array": "dynamic", "dynamic": "dynamic", "tolower": "string",
              "toupper": "string", "trim": "string", "now": "datetime", "ago": "datetime",
              "array_slice": "dynamic", "make_set": "dynamic", "make_list": "dynamic"}


def literal_type(t: Tok) -> str | None:
    if t.kind == "str":
        return "string"
    if t.kind == "num":
        return "real" if "." in t.val else "long"
    if is_id(t, "true") or is_id(t, "false"):
        return "bool"
    return None


def infer_type(toks: list[Tok], cols: dict) -> str | None:
    if not toks:
        return None
    if len(toks) == 1:
        t = toks[0]
        lt = literal_type(t)
        if lt:
            return lt
        if t.kind == "id":
            return cols.get(t.val)
        return None
    t0 = toks[0]
    if is_op(t0, "(") and match_close(toks, 0) == len(toks) - 1:
        return infer_type(toks[1:-1], cols)
    if t0.kind == "id" and is_op(toks[1], "(") and match_close(toks, 1) == len(toks) - 1:
        fn = t0.val.lower()
        args = split_top(toks[2:-1], ",")
        if fn in CAST_TYPES:
            return CAST_TYPES[fn]
        if fn == "column_ifexists" and len(args) == 2:
            return infer_type(args[1], cols)
        if fn in ("iff", "iif") and len(args) == 3:
            vals = [args[1], args[2]]
        elif fn == "case" and len(args) >= 3 and len(args) % 2 == 1:
            vals = [args[k] for k in range(1, len(args) - 1, 2)] + [args[-1]]
        else:
            return None
        types = {infer_type(v, cols) for v in vals}
        return types.pop() if len(types) == 1 and None not in types else None
    if t0.kind == "id" and is_op(toks[1], "[") and match_close(toks, 1) == len(toks) - 1:
        return "dynamic" if cols.get(t0.val) == "dynamic" else None
    return None


@dataclass
class ColState:
    cols: "OrderedDict[str, str | None]"  # known columns (for invoke: the added ones), type None = unknown
    exact: bool  # no columns beyond cols (besides, for invoke, the input's)


def datatable_schema(toks: list[Tok]) -> "OrderedDict | None":
    if len(toks) >= 2 and is_id(toks[0], "datatable") and is_op(toks[1], "("):
        close = match_close(toks, 1)
        sch = OrderedDict()
        for name, typ, _ in parse_params(toks[2:close]):
            sch[name] = kql_type(typ)
        return sch
    return None


def eval_columns(final: list[Tok], body: Body, start: ColState | None, tables: dict, funcs: dict,
                 depth: int = 0) -> ColState | None:
    """Columns after the pipeline `final` (None: an operator this reader does not model).
    start: the piped-in state (invoke) or None (the pipeline's own source)."""
    segs = split_top(final, "|")
    first = segs[0]
    if depth > 4:
        return None
    if start is not None:
        if not (len(first) == 1 and first[0].kind == "id"):
            return None
        state = ColState(OrderedDict(start.cols), start.exact)
    else:
        state = ColState(OrderedDict(), False)
        if len(first) == 1 and first[0].kind == "id" and isinstance(body.lets.get(first[0].val), list):
            st = eval_columns(body.lets[first[0].val], body, None, tables, funcs, depth + 1)
            if st is None:
                return None
            state = st
        elif len(first) == 1 and first[0].kind == "id" and first[0].val in tables:
            state = ColState(OrderedDict(tables[first[0].val]), True)
        elif first and first[0].kind == "id" and len(first) > 1 and is_op(first[1], "("):
            f = funcs.get(first[0].val)
            if f is not None and f.form == "table" and f.all_columns is not None:
                state = ColState(OrderedDict(f.all_columns), not f.open)
            dt = datatable_schema(first)
            if dt is not None:
                state = ColState(dt, True)
    for seg in segs[1:]:
        if not seg or seg[0].kind != "id":
            return None
        op = seg[0].val.lower()
        rest = seg[1:]
        if op in ("where", "filter", "take", "limit", "sort", "order", "top"):
            continue
        if op == "extend":
            for part in split_top(rest, ","):
                if len(part) >= 3 and part[0].kind == "id" and is_op(part[1], "="):
                    state.cols[part[0].val] = infer_type(part[2:], state.cols)
                else:
                    return None
            continue
        if op == "project-away":
            for part in split_top(rest, ","):
                if len(part) == 1 and part[0].kind == "id" and part[0].val in state.cols:
                    del state.cols[part[0].val]
                elif len(part) == 1 and part[0].kind == "id" and start is not None:
                    continue  # an input column
                else:
                    return None
            continue
        if op == "project-rename":
            renamed = OrderedDict()
            pairs = {}
            for part in split_top(rest, ","):
                if len(part) == 3 and part[0].kind == "id" and is_op(part[1], "=") and part[2].kind == "id" \
                        and part[2].val in state.cols:
                    pairs[part[2].val] = part[0].val
                else:
                    return None
            for k, v in state.cols.items():
                renamed[pairs.get(k, k)] = v
            state.cols = renamed
            continue
        if op in ("distinct", "project"):
            new = OrderedDict()
            for part in split_top(rest, ","):
                if len(part) == 1 and part[0].kind == "id" and part[0].val in state.cols:
                    new[part[0].val] = state.cols[part[0].val]
                elif op == "project" and len(part) >= 3 and part[0].kind == "id" and is_op(part[1], "="):
                    new[part[0].val] = infer_type(part[2:], state.cols)
                else:
                    return None
            if start is not None:
                return None  # drops the input's columns: not an "added columns" shape
            state = ColState(new, True)
            continue
        if op == "summarize" and start is None:
            i = skip_options(rest, 0)
            by = next((k for k in range(i, len(rest)) if is_id(rest[k], "by")), None)
            aggs = rest[i:by] if by is not None else rest[i:]
            keys = rest[by + 1:] if by is not None else []
            new = OrderedDict()
            for part in split_top(keys, ","):
                if len(part) == 1 and part[0].kind == "id" and part[0].val in state.cols:
                    new[part[0].val] = state.cols[part[0].val]
                elif len(part) == 3 and part[0].kind == "id" and is_op(part[1], "=") and part[2].val in state.cols:
                    new[part[0].val] = state.cols[part[2].val]
                else:
                    return None
            for part in split_top(aggs, ","):
                if len(part) >= 3 and part[0].kind == "id" and part[0].val.lower() in ("arg_max", "arg_min") \
                        and is_op(part[1], "(") and match_close(part, 1) == len(part) - 1:
                    for a in split_top(part[2:-1], ","):
                        if len(a) == 1 and a[0].kind == "id" and a[0].val in state.cols:
                            new[a[0].val] = state.cols[a[0].val]
                        else:
                            return None
                else:
                    return None
            state = ColState(new, state.exact)
            continue
        if op == "lookup":
            i = skip_options(rest, 0)
            if i < len(rest) and rest[i].kind == "id" and i + 2 < len(rest) and is_id(rest[i + 1], "on"):
                right = body.lets.get(rest[i].val)
                sch = datatable_schema(right) if isinstance(right, list) else None
                keys = [p[0].val for p in split_top(rest[i + 2:], ",") if len(p) == 1 and p[0].kind == "id"]
                if sch is not None and keys:
                    for k, v in sch.items():
                        if k not in keys:
                            state.cols[k] = v
                        elif k not in state.cols and start is None:
                            return None
                    continue
            return None
        if op == "invoke":
            if rest and rest[0].kind == "id":
                f = funcs.get(rest[0].val)
                if f is not None and f.form == "invoke" and f.all_columns is not None:
                    for k, v in f.all_columns.items():
                        state.cols[k] = v
                    if f.open:
                        state.exact = False
                    continue
            return None
        return None
    return state


# ----------------------------------------------------------------------------------------------------------
# 1. The CI rule model, from the C# text
# ----------------------------------------------------------------------------------------------------------


def cs_strip_comments(src: str) -> str:
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if c == '"' or (c == "@" and i + 1 < n and src[i + 1] == '"') or (c == "$" and i + 1 < n and src[i + 1] == '"'):
            verbatim = c == "@"
            j = i + (1 if c == '"' else 2)
            while j < n:
                if src[j] == "\\" and not verbatim:
                    j += 2
                    continue
                if src[j] == '"':
                    if verbatim and j + 1 < n and src[j + 1] == '"':
                        j += 2
                        continue
                    j += 1
                    break
                j += 1
            out.append(src[i:j])
            i = j
            continue
        if c == "'" and i + 2 < n:
            j = src.find("'", i + 2 if src[i + 1] == "\\" else i + 1)
            if 0 < j - i <= 4:
                out.append(src[i:j + 1])
                i = j + 1
                continue
        out.append(c)
        i += 1
    return "".join(out)


def cs_string_value(lit: str) -> str:
    lit = lit.strip()
    if lit.startswith('@"'):
        return lit[2:-1].replace('""', '"')
    if lit.startswith('"'):
        body = lit[1:-1]
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "0": "\0"}.get(m.group(1), m.group(1)), body)
    return lit


def cs_literal(lit: str):
    lit = lit.strip()
    if lit.startswith('"') or lit.startswith('@"'):
        return cs_string_value(lit)
    if re.fullmatch(r"-?\d+", lit):
        return int(lit)
    if lit in ("true", "false"):
        return lit == "true"
    return lit


def split_args(s: str) -> list[str]:
    parts, cur, depth, q = [], "", 0, None
    i = 0
    while i < len(s):
        c = s[i]
        if q:
            cur += c
            if c == "\\" and q == '"' and not cur.endswith('@"'):
                if i + 1 < len(s):
                    cur += s[i + 1]
                    i += 2
                    continue
            if c == q:
                q = None
            i += 1
            continue
        if c == '"':
            q = '"'
        elif c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        parts.append(cur.strip())
    return parts


def brace_block(src: str, open_idx: int) -> tuple[int, int]:
    """(start, end) of the text inside the brace at open_idx (strings skipped)."""
    depth, i, q = 0, open_idx, None
    while i < len(src):
        c = src[i]
        if q:
            if c == "\\" and q == '"':
                i += 2
                continue
            if c == q:
                q = None
        elif c == '"':
            q = '"'
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return open_idx + 1, i
        i += 1
    raise ValueError("unbalanced braces")


def cs_string_list(block: str) -> list[str]:
    return [cs_string_value(m.group(0)) for m in re.finditer(r'@?"(?:[^"\\]|\\.)*"', block)]


def cs_enums(src: str) -> list[dict]:
    out = []
    for m in re.finditer(r"\benum\s+(\w+)\s*\{", src):
        s, e = brace_block(src, m.end() - 1)
        members, value, known = [], -1, {}
        for part in split_args(src[s:e]):
            attrs = re.findall(r"\[([^\]]*)\]", part)
            decl = re.sub(r"\[[^\]]*\]", "", part).strip()
            if not decl:
                continue
            mm = re.fullmatch(r"(\w+)\s*(?:=\s*(.+))?", decl, re.S)
            if not mm:
                continue
            name, expr = mm.group(1), mm.group(2)
            if expr is None:
                value = value + 1
            else:
                total = 0
                for term in re.split(r"\s*\+\s*", expr.strip()):
                    total += int(term) if re.fullmatch(r"-?\d+", term) else known[term]
                value = total
            known[name] = value
            member = OrderedDict([("name", name), ("value", value)])
            if expr is not None:
                member["explicit"] = expr.strip()
            if any(a.strip().startswith("Obsolete") for a in attrs):
                member["obsolete"] = True
            members.append(member)
        out.append({"name": m.group(1), "members": members})
    return out


ATTR_RE = re.compile(r"\[\s*(\w+)\s*(?:\((.*?)\))?\s*\]\s*$", re.S)


def cs_attributes(text: str) -> list[dict]:
    """Attributes in a run of `[A(...)] [B]` text."""
    out = []
    i = 0
    while True:
        m = re.compile(r"\s*\[").match(text, i)
        if not m:
            break
        # find the matching ]
        depth, j, q = 0, m.end() - 1, None
        while j < len(text):
            c = text[j]
            if q:
                if c == "\\":
                    j += 2
                    continue
                if c == q:
                    q = None
            elif c == '"':
                q = '"'
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        inner = text[m.end():j].strip()
        am = re.fullmatch(r"(\w+)\s*(?:\((.*)\))?", inner, re.S)
        if am:
            args, named = [], OrderedDict()
            for a in split_args(am.group(2) or ""):
                nm = re.fullmatch(r"(\w+)\s*(?::|=(?!=))\s*(.+)", a, re.S)
                if nm and not a.startswith('"'):
                    named[nm.group(1)] = cs_literal(nm.group(2))
                else:
                    args.append(cs_literal(a))
            out.append({"name": am.group(1), "args": args, "named": named})
        i = j + 1
    return out


def cs_classes(src: str) -> list[dict]:
    out = []
    for m in re.finditer(r"((?:\s*\[[^\[\]]*(?:\[[^\]]*\][^\[\]]*)*\])*)\s*public\s+((?:abstract\s+|static\s+|sealed\s+)*)class\s+(\w+)(?:\s*:\s*([\w.<>, ]+?))?\s*\{", src):
        s, e = brace_block(src, m.end() - 1)
        body = src[s:e]
        cls = OrderedDict()
        cls["name"] = m.group(3)
        mods = m.group(2).split()
        if "abstract" in mods:
            cls["abstract"] = True
        if "static" in mods:
            cls["static"] = True
        if m.group(4):
            cls["base"] = m.group(4).strip()
        cattrs = cs_attributes(m.group(1) or "")
        if cattrs:
            cls["attributes"] = cattrs
        props = []
        for pm in re.finditer(r"((?:\s*\[(?:[^\[\]\"]|\"(?:[^\"\\]|\\.)*\")*\])*)\s*public\s+((?:override\s+|virtual\s+|abstract\s+)*)([\w.<>, ]+?)\s+(\w+)\s*\{\s*get;\s*(?:set;)?\s*\}", body):
            attrs = cs_attributes(pm.group(1) or "")
            prop = OrderedDict()
            prop["member"] = pm.group(4)
            prop["type"] = re.sub(r"\s+", "", pm.group(3))
            mods = pm.group(2).split()
            if mods:
                prop["modifiers"] = mods
            jp = next((a for a in attrs if a["name"] == "JsonProperty"), None)
            if jp is not None:
                prop["json"] = jp["args"][0] if jp["args"] else None
                req = jp["named"].get("Required")
                prop["required"] = str(req).split(".")[-1] if req is not None else "Default"
            other = [a for a in attrs if a["name"] != "JsonProperty"]
            if other:
                prop["attributes"] = other
            props.append(prop)
        cls["properties"] = props
        out.append(cls)
    return out


def timespan_iso(ts: str) -> str:
    """C# TimeSpan.Parse text (d.hh:mm:ss) -> ISO 8601 duration like XmlConvert.ToString."""
    m = re.fullmatch(r"(?:(\d+)\.)?(\d+):(\d+)(?::(\d+))?", ts)
    if not m:
        return ts
    d, h, mi, s = (int(x) if x else 0 for x in m.groups())
    out = "P" + (f"{d}D" if d else "")
    t = (f"{h}H" if h else "") + (f"{mi}M" if mi else "") + (f"{s}S" if s else "")
    if t:
        out += "T" + t
    return out if out != "P" else "PT0S"


def build_ci_models(snap: Snapshot, report: dict) -> OrderedDict:
    files = [f for f in snap.files() if f.startswith(CI_MODELS_DIR + "/") and f.endswith(".cs")]
    connector_ids_path = next(f for f in snap.files() if f.endswith("/ValidConnectorIds.json") and
                              f.startswith(".script/tests/detectionTemplateSchemaValidation/"))
    blobs = snap.read_many(files + [connector_ids_path])
    srcs = {f: cs_strip_comments(text_of(blobs[f])) for f in files}

    enums, classes = OrderedDict(), OrderedDict()
    enum_dupes = []
    for f in files:
        for en in cs_enums(srcs[f]):
            en["file"] = f
            if en["name"] in enums:
                same = [m["name"] for m in enums[en["name"]]["members"]] == [m["name"] for m in en["members"]]
                enum_dupes.append({"name": en["name"], "files": [enums[en["name"]]["file"], f], "identical": same})
                continue
            enums[en["name"]] = en
        for cl in cs_classes(srcs[f]):
            cl["file"] = f
            classes[cl["name"]] = cl

    def members(name):
        return [m["name"] for m in enums[name]["members"]]

    def prop(cls, json_name):
        return next(p for p in classes[cls]["properties"] if p.get("json") == json_name)

    def attr(p, name):
        return next((a for a in p.get("attributes", []) if a["name"] == name), None)

    # --- entity identifiers (brace-matched, so every alternative is kept) ---
    ent_src = next(srcs[f] for f in files if f.endswith("/EntityMappingIdentifiers.cs"))
    entity_ids = OrderedDict()
    for m in re.finditer(r"EntityType\.(\w+)\s*,\s*new\s+EntityIdentifiers\s*\(\s*\)\s*\{", ent_src):
        s, e = brace_block(ent_src, m.end() - 1)
        block = ent_src[s:e]
        im = re.search(r"\bIdentifiers\s*=\s*new\s+List<string>\s*\(\s*\)\s*\{", block)
        a, b = brace_block(block, im.end() - 1)
        identifiers = cs_string_list(block[a:b])
        rm = re.search(r"\bRequiredIdentifiers\s*=\s*new\s+List<List<string>>\s*\(\s*\)\s*\{", block)
        ra, rb = brace_block(block, rm.end() - 1)
        req_block = block[ra:rb]
        required = []
        for lm in re.finditer(r"new\s+List<string>\s*\(\s*\)\s*\{", req_block):
            la, lb = brace_block(req_block, lm.end() - 1)
            required.append(cs_string_list(req_block[la:lb]))
        entity_ids[m.group(1)] = OrderedDict([("identifiers", identifiers), ("requiredIdentifiersAnyOf", required)])
    entity_ids = OrderedDict(sorted(entity_ids.items()))

    # --- technique -> tactic map ---
    kc_file = next(f for f in files if f.endswith("/KillChainTechniquesHelper.cs"))
    kc_src = srcs[kc_file]
    by_tactic, dup_in_source = OrderedDict(), OrderedDict()
    for m in re.finditer(r"\{\s*Tactic\.(\w+)\s*,\s*new\s+List<string>\s*\(\s*\)\s*\{", kc_src):
        s, e = brace_block(kc_src, m.end() - 1)
        techs = cs_string_list(kc_src[s:e])
        dups = sorted(t for t, c in Counter(techs).items() if c > 1)
        if dups:
            dup_in_source[m.group(1)] = dups
        by_tactic[m.group(1)] = sorted(set(techs))
    attack = set(members("AttackTactic"))
    technique_tactics = {}
    for tac, techs in by_tactic.items():
        for t in techs:
            technique_tactics.setdefault(t, set()).add(tac)
    technique_tactics = OrderedDict(
        (t, sorted(v, key=lambda x: members("AttackTactic").index(x) if x in attack else 999))
        for t, v in sorted(technique_tactics.items()))
    ext = re.search(r"Split\('(.)'\)\.First\(\)", kc_src)

    # --- converters ---
    trig_src = next(srcs[f] for f in files if f.endswith("/ScheduledTemplateTriggerOperatorConverter.cs"))
    trig_cases = re.findall(r'case\s+"(\w+)"\s*:\s*return\s+AlertTriggerOperator\.(\w+)\s*;', trig_src)
    aliases = OrderedDict((k, v) for k, v in trig_cases if k != v)
    ts_src = next(srcs[f] for f in files if f.endswith("/ScheduledTemplateTimeSpanConverter.cs"))
    units = OrderedDict()
    for ch, body in re.findall(r"case\s+'(\w)'\s*:\s*return\s+new\s+TimeSpan\(([^)]*)\)", ts_src):
        unit = next((k for k, v in re.findall(r"(\w+)\s*:\s*(\w+)", body) if v == "timeValue"), None)
        units[ch] = unit

    # --- validator details ---
    def src_of(suffix):
        return next(srcs[f] for f in files if f.endswith(suffix))

    version_regex = cs_string_value(re.search(r"new\s+Regex\((@?\"(?:[^\"\\]|\\.)*\")\)",
                                              src_of("/QueryBasedTemplateVersionValidator.cs")).group(1))
    vem = src_of("/ValidEntityMappingsAttribute.cs")
    col_max = int(re.search(r"_laColumnNameMaxLength\s*=\s*(\d+)", vem).group(1))
    col_regex = cs_string_value(re.search(r"_laColumnNameRegex\s*=\s*new\s+Regex\((@?\"(?:[^\"\\]|\\.)*\")\)",
                                          vem).group(1))
    flp = src_of("/FrequencyLimitationForLongPeriodQuery.cs")
    fm = re.search(r"(\w+)\.Total(\w+)\s*>=\s*(\d+)\s*\?\s*(\w+)\.Total(\w+)\s*>=\s*(\d+)", flp)
    unit_letter = {"Days": "D", "Hours": "H", "Minutes": "M"}

    def iso(n, unit):
        return f"P{n}D" if unit == "Days" else f"PT{n}{unit_letter[unit]}"

    long_period = OrderedDict([
        ("queryPeriodAtLeast", iso(fm.group(3), fm.group(2))),
        ("requiresQueryFrequencyAtLeast", iso(fm.group(6), fm.group(5)))])
    pgf = src_of("/PeriodGreaterThanOrEqualFrequencyAttribute.cs")
    pgf_ok = bool(re.search(r"\(TimeSpan\)\s*queryPeriod\s*>=\s*\(TimeSpan\)\s*queryFrequency", pgf))
    nem = src_of("/NewEntityMappingsAttribute.cs")
    old_cols = re.findall(r"_old\w+ColumnName\s*=\s*\"(\w+)\"", nem)
    mph = src_of("/MaxAmountOfDynamicContentPlaceHoldersAttribute.cs")
    ph_prefix = cs_string_value(re.search(r"FORMAT_PREFIX_CHARACTER\s*=\s*(\"[^\"]*\")", mph).group(1))
    ph_suffix = cs_string_value(re.search(r"FORMAT_SUFFFIX_CHARACTER\s*=\s*(\"[^\"]*\")", mph).group(1))
    ntwt = src_of("/NoTechniquesWithoutMatchingTactics.cs")
    ntwt_cast = re.search(r"value\s+as\s+(\w+)", ntwt).group(1)

    # --- limits, from the attributes ---
    base, qb, sch, ado = ("AnalyticsTemplateInternalModelBase", "QueryBasedTemplateInternalModel",
                          "ScheduledTemplateInternalModel", "AlertDetailsOverride")
    limits = OrderedDict()
    limits["name.maxLength"] = attr(prop(base, "name"), "StringLength")["args"][0]
    limits["description.maxLength"] = attr(prop(base, "description"), "StringLength")["args"][0]
    q = attr(prop(qb, "query"), "StringLength")
    limits["query.length"] = [q["named"].get("MinimumLength", 0), q["args"][0]]
    cd = prop(qb, "customDetails")
    limits["customDetails.maxEntries"] = attr(cd, "DictionaryLength")["args"][0]
    kv = attr(cd, "DictionaryMaxKeyAndValueLengths")["named"]
    limits["customDetails.key.maxLength"] = kv["maxKeyLength"]
    limits["customDetails.value.maxLength"] = kv["maxValueLength"]
    limits["customDetails.key.regex"] = attr(cd, "DictionaryKeyMatchesRegex")["args"][0]
    limits["customDetails.value.regex"] = attr(cd, "DictionaryValueMatchesRegex")["args"][0]
    vea = attr(prop(qb, "entityMappings"), "ValidEntityMappings")["named"]
    limits["entityMappings.count"] = [vea["entityMappingsMinLength"], vea["entityMappingsMaxLength"]]
    limits["entityMappings.fieldMappings.count"] = [vea["fieldMappingsMinLength"], vea["fieldMappingsMaxLength"]]
    limits["fieldMappings.columnName.regex"] = col_regex
    limits["fieldMappings.columnName.maxLength"] = col_max
    for fld in ("alertDisplayNameFormat", "alertDescriptionFormat"):
        p = prop(ado, fld)
        sl = attr(p, "StringLength")
        limits[f"alertDetailsOverride.{fld}.length"] = [sl["named"].get("MinimumLength", 0), sl["args"][0]]
        limits[f"alertDetailsOverride.{fld}.maxPlaceholders"] = attr(p, "MaxAmountOfDynamicContentPlaceHolders")["args"][0]
        limits[f"alertDetailsOverride.{fld}.nonEmpty"] = attr(p, "NonEmptyString") is not None
    limits["alertDetailsOverride.placeholder"] = ph_prefix + "column" + ph_suffix
    for fld in ("queryFrequency", "queryPeriod"):
        r = attr(prop(sch, fld), "RangeTimeSpanIsoFormat")["args"]
        limits[f"{fld}.range"] = [timespan_iso(r[0]), timespan_iso(r[1])]
        limits[f"{fld}.rangeTimeSpan"] = [r[0], r[1]]
    limits["queryPeriod>=queryFrequency"] = pgf_ok and any(
        a["name"] == "PeriodGreaterThanOrEqualFrequency" for a in classes[sch].get("attributes", []))
    limits["longPeriodQuery"] = long_period
    tt = attr(prop(sch, "triggerThreshold"), "Range")["args"]
    limits["triggerThreshold.range"] = [tt[0], tt[1]]
    ver = prop(qb, "version")
    limits["version.regex"] = version_regex
    limits["version.maxLength"] = attr(ver, "StringLength")["args"][0]
    limits["timespan.formats"] = OrderedDict([("TimeSpan.Parse", "TimeSpan.TryParse" in ts_src),
                                              ("suffixUnits", units)])

    # --- required properties, per model and per kind ---
    def chain(c):
        out = []
        while c in classes:
            out.append(c)
            c = classes[c].get("base")
        return out[::-1]

    required = OrderedDict()
    for cname in sorted(classes):
        req = [p["json"] for p in classes[cname]["properties"] if p.get("required") == "Always"]
        if req:
            required[cname] = req
    by_kind = OrderedDict()
    for kind_cls, kind in (("ScheduledTemplateInternalModel", "Scheduled"), ("NrtTemplateInternalModel", "NRT")):
        props = OrderedDict()
        for c in chain(kind_cls):
            for p in classes[c]["properties"]:
                if p.get("json"):
                    props[p["json"]] = p.get("required")
        by_kind[kind] = [k for k, v in props.items() if v == "Always"]

    class_rules = OrderedDict()
    for cname, cl in sorted(classes.items()):
        if cl.get("attributes"):
            class_rules[cname] = [a["name"] for a in cl["attributes"] if a["name"] not in ("KnownType", "JsonConverter")]
    class_rules = OrderedDict((k, v) for k, v in class_rules.items() if v)

    connector_ids_raw = json.loads(text_of(blobs[connector_ids_path]))
    cid_counts = Counter(connector_ids_raw)

    tactic_flags = OrderedDict((m["name"], m["value"]) for m in enums["Tactic"]["members"])
    obsolete_tactics = [m["name"] for m in enums["Tactic"]["members"] if m.get("obsolete")]

    out = OrderedDict()
    out["_source"] = OrderedDict([
        ("repo", snap.repo), ("commit", snap.commit),
        ("upstream", "Azure/Azure-Sentinel master, copy of about " + snap.date),
        ("paths", sorted(files + [connector_ids_path]))])
    out["_extractor"] = EXTRACTOR
    out["kinds"] = members("AlertRuleKind")
    out["severity"] = members("Severity")
    out["severityValues"] = OrderedDict((m["name"], m["value"]) for m in enums["Severity"]["members"])
    out["triggerOperator"] = OrderedDict([("values", members("AlertTriggerOperator")), ("aliases", aliases)])
    out["eventGroupingSettings.aggregationKind"] = members("EventGroupingAggregationKind")
    out["tactics"] = members("AttackTactic")
    out["entityTypes"] = members("EntityType")
    out["entityIdentifiers"] = entity_ids
    out["techniqueToTactics_byTactic"] = by_tactic
    out["techniqueToTactics"] = technique_tactics
    out["techniqueToTactics_notes"] = OrderedDict([
        ("duplicatesInSource", dup_in_source),
        ("subTechniqueSeparator", ext.group(1) if ext else None),
        ("checkedOnlyFor", ntwt_cast),
        ("tacticFlags", tactic_flags),
        ("obsoleteTactics", obsolete_tactics),
    ])
    out["limits"] = limits
    out["oldEntityMappingColumnNames"] = old_cols
    out["required"] = required
    out["requiredByKind"] = by_kind
    out["classValidations"] = class_rules
    helper_bases = ("ValidationAttribute", "RangeAttribute", "JsonConverter")
    out["models"] = OrderedDict((k, OrderedDict((kk, vv) for kk, vv in v.items() if kk != "name"))
                                for k, v in sorted(classes.items())
                                if v.get("base") not in helper_bases and not v.get("static")
                                and k not in ("JsonConverterUtils", "DataAnnotationsValidator"))
    out["enums"] = OrderedDict((k, OrderedDict([("file", v["file"]), ("members", v["members"])]))
                               for k, v in sorted(enums.items()))
    out["enumDuplicates"] = enum_dupes
    out["validConnectorIds"] = sorted(cid_counts)
    out["validConnectorIdsFile"] = OrderedDict([
        ("path", connector_ids_path), ("entries", len(connector_ids_raw)), ("unique", len(cid_counts)),
        ("duplicates", sorted(k for k, v in cid_counts.items() if v > 1))])
    report["ci"] = {"files": len(files), "validConnectorIds": len(connector_ids_raw),
                    "validConnectorIdsUnique": len(cid_counts)}
    return out


# ----------------------------------------------------------------------------------------------------------
# 2. Data connectors
# ----------------------------------------------------------------------------------------------------------

CONNECTOR_KEYS = {"dataTypes", "graphQueries", "connectivityCriterias", "connectivityCriteria", "sampleQueries"}
CONNECTOR_DIR_RE = re.compile(r"^(?:Solutions/[^/]+/Data ?Connectors?/|DataConnectors/)", re.I)


@dataclass
class Connector:
    id: str
    pages: set = field(default_factory=set)  # (path_or_url, commit)
    feeds: set = field(default_factory=set)


def load_json_lenient(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    # // comments and trailing commas, as some hand-written files have
    t = re.sub(r'("(?:[^"\\]|\\.)*")|//[^\n]*', lambda m: m.group(1) or "", text)
    t = re.sub(r",(\s*[}\]])", r"\1", t)
    return json.loads(t)


def find_connector_objects(d, out):
    if isinstance(d, dict):
        if "id" in d and CONNECTOR_KEYS & set(d):
            out.append(d)
        for v in d.values():
            find_connector_objects(v, out)
    elif isinstance(d, list):
        for v in d:
            find_connector_objects(v, out)


TEMPLATE_RE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
ARM_VAR_RE = re.compile(r"^\[variables\('(\w+)'\)\]$")


def arm_variables(d) -> dict:
    """Every `variables` object of an ARM template (nested templates too); conflicting names are dropped."""
    found: dict = {}
    conflicts = set()

    def walk(o):
        if isinstance(o, dict):
            v = o.get("variables")
            if isinstance(v, dict):
                for k, val in v.items():
                    if k in found and found[k] != val:
                        conflicts.add(k)
                    found.setdefault(k, val)
            for x in o.values():
                walk(x)
        elif isinstance(o, list):
            for x in o:
                walk(x)

    walk(d)
    return {k: v for k, v in found.items() if k not in conflicts}


def resolve_arm(value, variables: dict):
    """`[variables('x')]` (chains of them) -> the literal string; anything else unchanged; None if unresolvable."""
    for _ in range(6):
        if not isinstance(value, str):
            return None
        m = ARM_VAR_RE.match(value.strip())
        if not m:
            return value
        value = variables.get(m.group(1))
    return None


def resolve_template(s: str, obj: dict, stats: Counter, variables: dict) -> str | None:
    """`{{graphQueriesTableName}}`-style names: resolved only from the same object's key; else None."""
    if not TEMPLATE_RE.search(s):
        return s
    stats["templated names"] += 1

    def sub(m):
        v = resolve_arm(obj.get(m.group(1)), variables)
        if isinstance(v, str) and not v.startswith("[") and "{{" not in v:
            return v
        raise KeyError(m.group(1))

    try:
        r = TEMPLATE_RE.sub(sub, s)
        stats["templated names resolved from the connector's own key"] += 1
        return r
    except KeyError:
        stats["templated names skipped"] += 1
        return None


def table_of_datatype(name: str) -> str | None:
    m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(.*\))?\s*", name, re.S)
    return m.group(1) if m else None


def connectors_from_snapshot(snap: Snapshot, conns: dict, known_functions: set, stats: Counter):
    paths = [f for f in snap.files() if CONNECTOR_DIR_RE.match(f) and f.lower().endswith(".json")
             and not f.startswith("DataConnectors/Templates/")]
    skipped_templates = [f for f in snap.files() if f.startswith("DataConnectors/Templates/") and
                         f.lower().endswith(".json")]
    stats[f"{snap.key}: json files under Data Connectors folders"] = len(paths)
    stats[f"{snap.key}: json files skipped in DataConnectors/Templates (placeholder ids)"] = len(skipped_templates)
    blobs = snap.read_many(paths)
    nfiles = 0
    for p in paths:
        t = text_of(blobs[p])
        if t is None:
            stats[f"{snap.key}: blobs absent from the mirror"] += 1
            continue
        try:
            d = load_json_lenient(t)
        except (json.JSONDecodeError, ValueError):
            stats[f"{snap.key}: unparsable json"] += 1
            continue
        objs = []
        find_connector_objects(d, objs)
        if objs:
            nfiles += 1
        variables = arm_variables(d)
        for o in objs:
            cid = o.get("id")
            if isinstance(cid, str) and ARM_VAR_RE.match(cid.strip()):
                cid = resolve_arm(cid, variables)
                stats[f"{snap.key}: connector ids resolved from ARM variables"] += 1 if cid else 0
            if not isinstance(cid, str) or not cid.strip() or cid.startswith("[") or "{{" in cid:
                stats[f"{snap.key}: connector objects with a non-literal id"] += 1
                continue
            cid = cid.strip()
            tables, bad_names = [], False
            dts = o.get("dataTypes")
            if isinstance(dts, list):
                for dt in dts:
                    name = dt.get("name") if isinstance(dt, dict) else dt if isinstance(dt, str) else None
                    if not isinstance(name, str):
                        continue
                    name = resolve_template(name, o, stats, variables)
                    if name is None:
                        continue
                    tbl = table_of_datatype(name)
                    if tbl is None:
                        stats["dataTypes names that are not table names (skipped)"] += 1
                        bad_names = True
                        continue
                    tables.append(tbl)
            if bad_names and tables:
                # e.g. AzureKubernetes lists diagnostic categories (kube-apiserver, ..., guard), not tables:
                # none of the names is trusted then, the queries say which table
                stats["connectors whose dataTypes name categories, not tables (queries used instead)"] += 1
                tables = []
            if not tables:
                queries = []
                for gq in o.get("graphQueries") or []:
                    if isinstance(gq, dict) and isinstance(gq.get("baseQuery"), str):
                        queries.append(gq["baseQuery"])
                for sq in o.get("sampleQueries") or []:
                    if isinstance(sq, dict) and isinstance(sq.get("query"), str):
                        queries.append(sq["query"])
                for qtext in queries:
                    qtext = resolve_template(qtext, o, stats, variables)
                    if qtext is None:
                        continue
                    tables += query_sources(qtext, known_functions)
                if tables:
                    stats["connectors whose tables came from graphQueries/sampleQueries"] += 1
            c = conns.setdefault(cid, Connector(cid))
            c.pages.add((p, snap.commit))
            c.feeds.update(tables)
            stats[f"{snap.key}: connector definitions"] += 1
            if not tables:
                stats[f"{snap.key}: connector definitions without a table"] += 1
    stats[f"{snap.key}: files with connector definitions"] = nfiles


def read_csv(snap: Snapshot, name: str) -> list[dict]:
    t = text_of(snap.read(f"{NINJA_DIR}/{name}"))
    return list(csv.DictReader(io.StringIO(t, newline="")))


def connectors_from_ninja(snap: Snapshot, conns: dict, stats: Counter):
    rows = read_csv(snap, "connectors.csv")
    mapping = read_csv(snap, "solutions_connectors_tables_mapping_simplified.csv")
    tables_of: dict[str, set] = {}
    for r in mapping:
        cid, tbl = (r.get("connector_id") or "").strip(), (r.get("table_name") or "").strip()
        if cid and tbl:
            if is_ident(tbl):
                tables_of.setdefault(cid, set()).add(tbl)
            else:
                stats["sentinelninja: mapping table names that are not identifiers (skipped)"] += 1
    seen = set()
    generated = {(r.get("connector_id") or "").strip() for r in rows
                 if (r.get("connector_id_generated") or "").lower() == "true"}
    for r in rows:
        cid = (r.get("connector_id") or "").strip()
        if not cid:
            continue
        if cid in generated:
            stats["sentinelninja: connector ids generated by the analyzer (skipped)"] += 1
            continue
        seen.add(cid)
        c = conns.setdefault(cid, Connector(cid))
        urls = [u.strip() for u in (r.get("connector_files") or "").split(";") if u.strip()]
        for u in urls:
            c.pages.add((u.replace(" ", "%20"), snap.commit))
        if not urls:
            c.pages.add((f"{NINJA_DIR}/connectors.csv".replace(" ", "%20"), snap.commit))
        c.feeds.update(tables_of.get(cid, ()))
        stats["sentinelninja: connectors"] += 1
    for cid in sorted(set(tables_of) - seen - generated):
        stats["sentinelninja: mapping connector ids not in connectors.csv"] += 1
        c = conns.setdefault(cid, Connector(cid))
        c.pages.add((f"{NINJA_DIR}/solutions_connectors_tables_mapping_simplified.csv".replace(" ", "%20"),
                     snap.commit))
        c.feeds.update(tables_of[cid])


# ----------------------------------------------------------------------------------------------------------
# 3. Functions: ASIM parsers, ASIM library functions, solution parsers
# ----------------------------------------------------------------------------------------------------------


@dataclass
class FuncDecl:
    name: str
    source: Snapshot
    path: str
    rank: int  # within a snapshot: which declaration wins
    form: str = "table"
    params: list = field(default_factory=list)  # [(name, type, default)]
    params_known: bool = True
    columns: "OrderedDict | None" = None
    open: bool = True
    reads: list = field(default_factory=list)
    query: str | None = None
    tabular_params: tuple = ()
    all_columns: "OrderedDict | None" = None  # columns including those of unknown type (for chaining)
    subparsers: tuple = ()  # names a unifying ASIM parser lists under `Parsers:`
    kind: str = ""  # asim | asim-lib | solution | legacy | ninja


def norm_default(raw, typ: str | None) -> str | None:
    """A parameter default as KQL text without spaces (string defaults as KQL string literals)."""
    if raw is None:
        return None
    quoted = getattr(raw, "quoted", False)
    s = str(raw).strip()
    if typ == "string":
        if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
            return s  # already a KQL literal
        if not quoted and re.fullmatch(r"\w+\(.*\)", s):
            return re.sub(r"\s+", "", s)  # an expression such as tostring(...)
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if quoted and s == "":
        return "''"
    if s.lower() in ("true", "false"):
        return s.lower()
    return re.sub(r"\s+", "", s)


def params_from_yaml(items, stats: Counter) -> tuple[list, list, bool]:
    """-> (params, names of tabular params, ok)"""
    params, tabular = [], []
    if items is None:
        return [], [], True
    if not isinstance(items, list):
        stats["params lists that are not lists"] += 1
        return [], [], False
    for it in items:
        if not isinstance(it, dict):
            stats["params that are not mappings"] += 1
            return [], [], False
        lk = {str(k).lower(): v for k, v in it.items()}
        name = str(lk.get("name", "")).strip()
        raw_type = lk.get("type")
        if is_tabular_type(raw_type):
            tabular.append(name)
            continue
        typ = kql_type(raw_type)
        if not is_ident(name) or typ is None:
            stats["params with an unknown type or a bad name"] += 1
            return [], tabular, False
        default = norm_default(lk.get("default"), typ) if "default" in lk else None
        params.append((name, typ, default))
    return params, tabular, True


def params_from_kql(text: str | None, stats: Counter) -> tuple[list, list, bool]:
    if not text:
        return [], [], True
    params, tabular = [], []
    for name, typ, default in parse_params(kql_tokens(text)):
        if typ is not None and (typ.startswith("(") or typ.lower().startswith("table")):
            tabular.append(name)
            continue
        kt = kql_type(typ)
        if kt is None:
            stats["params with an unknown type or a bad name"] += 1
            return [], tabular, False
        params.append((name, kt, norm_default(default, kt) if default is not None else None))
    return params, tabular, True


ALIAS_PATTERNS = [
    re.compile(r"^\s*//\s*(?:Function\s*)?Alias\s*:\s*\"?([A-Za-z_][A-Za-z0-9_]*)", re.I | re.M),
    re.compile(r"^\s*//.*?\balias\s+(?:must\s+be\s+set\s+to\s*-?|is\s+set\s+to|should\s+be\s+set\s+to)\s*\"?([A-Za-z_][A-Za-z0-9_]*)", re.I | re.M),
    re.compile(r"^\s*//.*?\bFunction\s+name\s+must\s+be\s+set\s+to\s*-?\s*\"?([A-Za-z_][A-Za-z0-9_]*)", re.I | re.M),
    re.compile(r"^\s*//.*?\balias,?\s+(?:as|of)\s+\"?([A-Za-z_][A-Za-z0-9_]*)", re.I | re.M),
    re.compile(r"^\s*//.*?\balias\s*\(e\.g\.?\s*\"?([A-Za-z_][A-Za-z0-9_]*)", re.I | re.M),
    re.compile(r"^\s*//.*?\bfunction alias from any other queries\s*\(e\.g\.?\s*\"?([A-Za-z_][A-Za-z0-9_]*)", re.I | re.M),
]
ALIAS_STOPWORDS = {"the", "a", "an", "and", "function", "alias", "name", "shown", "below", "per", "in", "for"}


def alias_from_header(text: str) -> str | None:
    head = "\n".join(text.split("\n")[:60])
    for pat in ALIAS_PATTERNS:
        for m in pat.finditer(head):
            # an example like "(e.g. NetScaler_CL | take 10)" names the table, not the function
            if m.group(1).lower() not in ALIAS_STOPWORDS and not m.group(1).endswith("_CL"):
                return m.group(1)
    return None


PARSER_SKIP_EXT = (".md", ".json", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".conf", ".csv", ".zip", ".ps1",
                   ".py", ".sh", ".xml", ".docx", ".pdf")


def asim_scope(path: str) -> bool:
    pl = path.lower()
    return pl.startswith("parsers/asim") or pl.startswith("asim/lib/") or pl.startswith("asim/deploy/")


def solution_parser_scope(path: str) -> bool:
    return bool(re.match(r"^Solutions/[^/]+/Parsers/", path)) or \
        (path.startswith("Parsers/") and not path.lower().startswith("parsers/asim"))


def in_test_dir(path: str) -> bool:
    return bool(re.search(r"/(tests?|Tests?|Test)/", path)) or os.path.basename(path).lower().startswith("readme")


def decls_from_yaml(snap, path, text, stats) -> list[FuncDecl]:
    try:
        doc = yaml_load(text)
    except YamlError:
        stats[f"{snap.key}: yaml files the subset reader could not read"] += 1
        return []
    if not isinstance(doc, dict):
        return []
    get = {str(k): v for k, v in doc.items()}
    lower = {str(k).lower(): v for k, v in doc.items()}
    names = []
    alias = lower.get("functionalias")
    if alias:
        names.append(str(alias).strip())
    elif get.get("FunctionName"):
        names.append(str(get["FunctionName"]).strip())
    for k in ("ParserName", "EquivalentBuiltInParser", "EquivalentBuiltInFunction"):
        if get.get(k):
            names.append(str(get[k]).strip())
    if not names:
        return []
    plist = get.get("ParserParams", get.get("FunctionParams"))
    params, tabular, ok = params_from_yaml(plist, stats)
    query = get.get("ParserQuery", get.get("FunctionQuery"))
    query = str(query) if query is not None else None
    subs = get.get("Parsers")
    subs = tuple(str(x).strip() for x in subs if x is not None) if isinstance(subs, list) else ()
    out = []
    for n in dict.fromkeys(names):
        if not is_ident(n):
            stats["declared names that are not identifiers (skipped)"] += 1
            continue
        out.append(FuncDecl(n, snap, path, 0, "invoke" if tabular else "table", params, ok,
                            query=query, tabular_params=tuple(tabular), subparsers=subs))
    return out


def decls_from_arm(snap, path, text, stats) -> list[FuncDecl]:
    try:
        d = load_json_lenient(text)
    except (json.JSONDecodeError, ValueError):
        stats[f"{snap.key}: unparsable json"] += 1
        return []
    found = []

    def walk(o):
        if isinstance(o, dict):
            p = o.get("properties")
            if isinstance(p, dict):
                lk = {str(k).lower(): v for k, v in p.items()}
                alias = lk.get("functionalias")
                if isinstance(alias, str) and is_ident(alias.strip()):
                    found.append((alias.strip(), lk.get("functionparameters"), lk.get("query")))
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(d)
    out = []
    for alias, fparams, query in found:
        params, tabular, ok = params_from_kql(fparams if isinstance(fparams, str) else None, stats)
        out.append(FuncDecl(alias, snap, path, 0, "invoke" if tabular else "table", params, ok,
                            query=query if isinstance(query, str) else None, tabular_params=tuple(tabular)))
    return out


def decls_from_snapshot(snap: Snapshot, stats: Counter) -> list[FuncDecl]:
    files = snap.files()
    asim_yaml = [f for f in files if asim_scope(f) and re.search(r"\.ya?ml$", f, re.I) and not in_test_dir(f)]
    asim_arm = [f for f in files if asim_scope(f) and f.lower().endswith(".json") and not in_test_dir(f)]
    sol = [f for f in files if solution_parser_scope(f) and not in_test_dir(f)
           and not f.lower().endswith(PARSER_SKIP_EXT)]
    sol_arm = [f for f in files if solution_parser_scope(f) and f.lower().endswith(".json") and not in_test_dir(f)]
    blobs = snap.read_many(asim_yaml + asim_arm + sol + sol_arm)
    decls: list[FuncDecl] = []

    # ASIM YAML
    yaml_names = set()
    for f in asim_yaml:
        t = text_of(blobs[f])
        if t is None:
            stats[f"{snap.key}: blobs absent from the mirror"] += 1
            continue
        for dcl in decls_from_yaml(snap, f, t, stats):
            lib = f.lower().startswith("asim/lib/")
            dcl.kind = "asim-lib" if lib else "asim"
            main = bool(re.match(r"^Parsers/ASim[^/]*/Parsers/", f)) or lib
            dcl.rank = 0 if main else 1
            decls.append(dcl)
            yaml_names.add(dcl.name)
        stats[f"{snap.key}: ASIM yaml files"] += 1
    # ASIM ARM: only names no YAML of this snapshot declares
    for f in asim_arm:
        t = text_of(blobs[f])
        if t is None:
            stats[f"{snap.key}: blobs absent from the mirror"] += 1
            continue
        for dcl in decls_from_arm(snap, f, t, stats):
            if dcl.name in yaml_names:
                continue
            dcl.kind = "asim-lib" if f.lower().startswith("asim/") else "asim"
            dcl.rank = 2
            decls.append(dcl)
    # solution + legacy parsers
    for f in sol:
        t = text_of(blobs[f])
        if t is None:
            stats[f"{snap.key}: blobs absent from the mirror"] += 1
            continue
        legacy = f.startswith("Parsers/")
        kind = "legacy" if legacy else "solution"
        if re.search(r"\.ya?ml$", f, re.I):
            ds = decls_from_yaml(snap, f, t, stats)
            for dcl in ds:
                dcl.kind, dcl.rank = kind, 4 if legacy else 3
            decls += ds
            stats[f"{snap.key}: {kind} parser yaml files"] += 1
            if not ds:
                stats[f"{snap.key}: {kind} parser yaml files without a function name"] += 1
            continue
        name = alias_from_header(t)
        how = "header" if name else "file name"
        if name is None:
            stem = os.path.basename(f)
            stem = re.sub(r"\.(txt|kql|csl|kusto)$", "", stem, flags=re.I)
            if is_ident(stem):
                name = stem
        if name is None:
            stats[f"{snap.key}: {kind} parser text files without a usable name (skipped)"] += 1
            stats[f"{snap.key}: skipped: {f}"] += 1
            continue
        stats[f"{snap.key}: {kind} parser text files named by {how}"] += 1
        decls.append(FuncDecl(name, snap, f, 6 if legacy else 5, "table", [], True, query=t, kind=kind))
    for f in sol_arm:
        t = text_of(blobs[f])
        if t is None:
            continue
        for dcl in decls_from_arm(snap, f, t, stats):
            dcl.kind, dcl.rank = ("legacy" if f.startswith("Parsers/") else "solution"), 7
            decls.append(dcl)
    return decls


def custom_table_schemas(snap: Snapshot) -> dict:
    paths = [f for f in snap.files() if f.startswith(CUSTOM_TABLES_DIR + "/") and f.endswith(".json")]
    want = [p for p in paths if os.path.basename(p)[:-5] in ("Watchlist",)]
    out = {}
    for p, b in snap.read_many(want).items():
        t = text_of(b)
        if t is None:
            continue
        d = json.loads(t)
        cols = OrderedDict()
        for c in d.get("Properties", []):
            kt = kql_type(c.get("type"))
            cols[c["name"]] = kt
        out[d.get("Name", os.path.basename(p)[:-5])] = cols
    return out


def analyse_lib(decls: list[FuncDecl], tables: dict):
    """Form, and result columns where the body is simple, for ASIM library functions."""
    by_name = {}
    # resolve in dependency order: repeat until stable (helpers call each other)
    for _ in range(4):
        for d in decls:
            if d.query is None:
                continue
            toks = kql_tokens(d.query)
            body = parse_body(toks)
            final, inner = body.final, body
            # `let function = (...) { ... }; function(...)`
            if final and final[0].kind == "id" and isinstance(body.lets.get(final[0].val), Lambda) and \
                    len(final) > 1 and is_op(final[1], "(") and match_close(final, 1) == len(final) - 1:
                inner = parse_body(body.lets[final[0].val].body)
                final = inner.final
            if d.form != "invoke":
                d.form = expr_form(final, inner)
            if d.form == "scalar":
                d.columns, d.open = None, False
                by_name[d.name] = d
                continue
            start = ColState(OrderedDict(), True) if d.form == "invoke" else None
            st = eval_columns(final, inner, start, tables, by_name)
            if st is None:
                d.columns, d.all_columns, d.open = None, None, True
                by_name[d.name] = d
                continue
            known = OrderedDict((k, v) for k, v in st.cols.items() if v is not None)
            exact = st.exact and len(known) == len(st.cols)
            d.columns = known if (known or exact) else None
            d.all_columns = OrderedDict(st.cols)
            d.open = not exact
            by_name[d.name] = d


def ninja_decls(snap: Snapshot, stats: Counter) -> list[FuncDecl]:
    out = []
    for r in read_csv(snap, "asim_parsers.csv"):
        params = []
        ok = True
        for p in (r.get("parser_params") or "").split(";"):
            p = p.strip()
            if not p:
                continue
            m = re.fullmatch(r"(\w+)\s*:\s*(\w+)\s*(?:=\s*(.*))?", p)
            if not m or kql_type(m.group(2)) is None:
                ok = False
                break
            typ = kql_type(m.group(2))
            params.append((m.group(1), typ, norm_default(m.group(3), typ) if m.group(3) is not None else None))
        url = (r.get("github_url") or "").strip().replace(" ", "%20")
        page = url or (r.get("source_file") or "").replace("\\", "/")
        for col, known in (("parser_name", ok), ("equivalent_builtin", ok),
                           ("filtering_parser_name", False), ("filtering_equivalent_builtin", False)):
            n = (r.get(col) or "").strip()
            if not n:
                continue
            if not is_ident(n):
                stats["sentinelninja: names that are not identifiers (skipped)"] += 1
                continue
            out.append(FuncDecl(n, snap, page, 0, "table", params if known else [], known, kind="ninja-asim"))
        stats["sentinelninja: asim_parsers.csv rows"] += 1
    for r in read_csv(snap, "parsers.csv"):
        n = (r.get("parser_name") or "").strip()
        stats["sentinelninja: parsers.csv rows"] += 1
        if not is_ident(n):
            stats["sentinelninja: parsers.csv names that are not identifiers (skipped)"] += 1
            continue
        url = (r.get("github_url") or "").strip().replace(" ", "%20")
        page = url or (r.get("source_file") or "").replace("\\", "/")
        reads = []
        for tname in re.split(r"[;,]", r.get("tables") or ""):
            tname = tname.strip()
            if is_ident(tname) and tname not in reads:
                reads.append(tname)
        out.append(FuncDecl(n, snap, page, 1, "table", [], False, reads=reads, kind="ninja-parser"))
    return out


@dataclass
class FuncRecord:
    name: str
    primary: FuncDecl
    pages: set = field(default_factory=set)


def build_functions(stats: Counter, report: dict):
    all_decls: list[FuncDecl] = []
    for snap in SNAPSHOTS:
        ds = decls_from_snapshot(snap, stats)
        lib = [d for d in ds if d.kind == "asim-lib"]
        analyse_lib(lib, custom_table_schemas(snap))
        all_decls += ds
    nd = ninja_decls(NINJA, stats)
    all_decls += nd
    names = {d.name for d in all_decls}
    # reads: first identifiers of pipelines, minus function names
    for d in all_decls:
        if d.query is not None and not d.reads:
            d.reads = query_sources(d.query, names | set(d.tabular_params) | {p[0] for p in d.params})
    records: dict[str, FuncRecord] = {}
    order = lambda d: (d.source.rank, d.rank, 0 if d.params_known else 1, d.path)
    for d in sorted(all_decls, key=order):
        r = records.get(d.name)
        if r is None:
            r = records[d.name] = FuncRecord(d.name, d)
        r.pages.add((d.path, d.source.commit))
    # sub-parser names listed in `Parsers:` of unifying parsers but declared nowhere
    listed = {n for d in all_decls for n in d.subparsers}
    report["functions"] = {
        "names listed under Parsers: but declared nowhere": sorted(listed - set(records)),
        "records": len(records),
        "by primary source": dict(Counter(r.primary.source.key for r in records.values())),
        "by kind": dict(Counter(r.primary.kind for r in records.values())),
    }
    return records


# ----------------------------------------------------------------------------------------------------------
# Writers
# ----------------------------------------------------------------------------------------------------------


def source_lines(paths_by_snap: list[tuple[Snapshot, list[str]]]) -> list[str]:
    out = []
    for snap, paths in paths_by_snap:
        for p in paths:
            ptxt = f'"{p}"' if " " in p else p
            out.append(f"@source repo={snap.repo} commit={snap.commit} path={ptxt}")
    return out


SOURCE_NOTES = [
    f"#   commit={S2023.commit[:12]}...: {S2023.key}, rajmahadevan/kql-lab, a copy of Azure/Azure-Sentinel master",
    f"#     of about {S2023.date} (no upstream commit id)",
    f"#   commit={S2022.commit[:12]}...: {S2022.key}, upstream Azure/Azure-Sentinel commit of {S2022.date}",
    f"#     (as held by the cloudflare/Azure-Sentinel fork)",
    f"#   commit={NINJA.commit[:12]}...: {NINJA.key}, oshezaf/sentinelninja CSVs of {NINJA.date}, derived from",
    f"#     Azure-Sentinel master; their `page` lines are the github URLs the CSVs give",
]


def page_line(path: str, commit: str) -> str:
    # A path with a space is quoted (schemas/facts/README.md).
    if " " in path or '"' in path:
        path = '"' + path.replace('"', '""') + '"'
    return f"page {path} commit={commit}"


def write_connectors(conns: dict, stats: Counter, out_path: str):
    lines = source_lines([
        (S2023, ["Solutions/*/Data Connectors", "DataConnectors"]),
        (S2022, ["Solutions/*/Data Connectors", "DataConnectors"]),
        (NINJA, [f"{NINJA_DIR}/connectors.csv", f"{NINJA_DIR}/solutions_connectors_tables_mapping_simplified.csv"]),
    ])
    lines += [f"@extractor {EXTRACTOR}", "@platform sentinel", "@provenance documented", "#",
              "# Microsoft Sentinel data connectors: connector id -> the tables it feeds, one record per id over all",
              "# sources, a `page` line for each place the id is defined (`commit=` names the source):"]
    lines += SOURCE_NOTES
    lines += [
        "# Snapshots: every connector definition (an object with `id` and dataTypes/graphQueries/",
        "# connectivityCriterias) in json files under Solutions/*/Data Connectors (also `DataConnectors`,",
        "# `Data Connector`) and DataConnectors/ (not DataConnectors/Templates: placeholder ids). `feeds`:",
        "# dataTypes[].name, the table before any `(...)`; `{{graphQueriesTableName}}`-style names resolved from",
        "# the definition's own key; ids like [variables('x')] resolved from the template's variables; the",
        "# source tables of graphQueries[].baseQuery / sampleQueries[].query when no dataTypes name a table.",
        "# sentinelninja: connectors.csv ids (not the analyzer-generated ones), tables from",
        "# solutions_connectors_tables_mapping_simplified.csv.",
        "# Regenerate: python3 tools/knowledge/azure_sentinel.py (see its docstring).",
        "#",
        "# Extraction notes:",
    ]
    for k, v in sorted(stats.items()):
        if "skipped: " in k:
            continue
        if k.startswith("sentinelninja: connector") or "connector" in k or "templated" in k or "dataTypes" in k \
                or "Data Connectors" in k or "DataConnectors" in k:
            lines.append(f"#   {k}: {v}")
    lines.append("")
    for cid in sorted(conns, key=lambda s: (s.lower(), s)):
        c = conns[cid]
        lines.append(f"connector {quote_name(cid)}")
        rank = {S2023.commit: 0, S2022.commit: 1, NINJA.commit: 2}
        for path, commit in sorted(c.pages, key=lambda pc: (rank[pc[1]], pc[0])):
            lines.append(page_line(path, commit))
        for t in sorted(c.feeds, key=lambda s: (s.lower(), s)):
            lines.append(f"feeds {t}")
        lines.append("")
    with open(out_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines))


def write_functions(records: dict, stats: Counter, out_path: str):
    lines = source_lines([
        (S2023, ["Parsers", "ASIM/lib", "ASIM/deploy", "Solutions/*/Parsers"]),
        (S2022, ["Parsers", "ASIM/lib", "ASIM/deploy", "Solutions/*/Parsers"]),
        (NINJA, [f"{NINJA_DIR}/asim_parsers.csv", f"{NINJA_DIR}/parsers.csv"]),
    ])
    lines += [f"@extractor {EXTRACTOR}", "@platform sentinel", "@provenance parser", "#",
              "# Microsoft Sentinel workspace functions from Azure-Sentinel: ASIM parsers (Parsers/ASim*/**), ASIM",
              "# library functions (ASIM/lib, ASIM/deploy) and solution/legacy parsers (Solutions/*/Parsers/**,",
              "# Parsers/), one record per callable name (ParserName, EquivalentBuiltInParser, FunctionAlias or",
              "# FunctionName, EquivalentBuiltInFunction; a text parser's alias from its header comment, else its",
              "# file name), a `page` line for each place it is declared (`commit=` names the source):"]
    lines += SOURCE_NOTES
    lines += [
        "# form, params, columns and reads come from one declaration: the 2023-11 snapshot's, else 2022-08's,",
        "# else sentinelninja's; within a snapshot Parsers/ASim*/Parsers/ and ASIM/lib/ before other folders,",
        "# YAML before ARM, solution before legacy. A tabular parameter (T:(*)) makes the form `invoke`.",
        "# `reads`: the first identifiers of the body's pipelines and join/lookup/union operands that are not",
        "# let-bound names, parameters or functions of this file (tables, mostly).",
        "# ASIM parsers: `open`, their columns are the ASIM schemas'. ASIM library functions: columns derived",
        "# from the body where every operator is understood (Watchlist column types from the snapshot's",
        "# .script/tests/KqlvalidationsTests/CustomTables stub); `open` when a column's type is unknown.",
        "# `params unknown`: the source states no parameters for the name (sentinelninja's list): any",
        "# arguments are accepted.",
        "# Regenerate: python3 tools/knowledge/azure_sentinel.py (see its docstring).",
        "#",
        "# Extraction notes:",
    ]
    for k, v in sorted(stats.items()):
        if "connector" in k or "templated" in k or "dataTypes" in k or "Data Connectors" in k \
                or "DataConnectors" in k:
            continue
        lines.append(f"#   {k}" + ("" if k.split(": ", 1)[-1].startswith("skipped") and v == 1 else f": {v}"))
    lines.append("")
    rank = {S2023.commit: 0, S2022.commit: 1, NINJA.commit: 2}
    for name in sorted(records, key=lambda s: (s.lower(), s)):
        r = records[name]
        d = r.primary
        lines.append(f"function {name}")
        for path, commit in sorted(r.pages, key=lambda pc: (rank[pc[1]], pc[0])):
            lines.append(page_line(path, commit))
        lines.append(f"form {d.form}")
        if not d.params_known:
            lines.append("params unknown")
        for pn, pt, pdft in d.params:
            lines.append(f"param {pn} {pt}" + (f" default={pdft}" if pdft is not None else ""))
        for t in d.reads:
            lines.append(f"reads {t}")
        if d.form != "scalar":
            if d.columns:
                for cn, ct in d.columns.items():
                    lines.append(f"column {cn} {ct}")
            if d.open or not d.columns:
                lines.append("open")
        lines.append("")
    with open(out_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--mirrors", default=os.environ.get("KQLINT_MIRRORS", "/work/.mirror"))
    ap.add_argument("--out", default=os.path.normpath(os.path.join(here, "..", "..", "schemas", "facts")))
    ap.add_argument("--report", action="store_true", help="print counts and checks to stderr")
    args = ap.parse_args(argv)
    for s in (S2023, S2022, NINJA):
        s.git_dir = os.path.join(args.mirrors, s.mirror, "repo")
    os.makedirs(args.out, exist_ok=True)
    stats: Counter = Counter()
    report: dict = {}

    models = build_ci_models(S2023, report)
    with open(os.path.join(args.out, "sentinel-ci-models.json"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json.dumps(models, indent=1, ensure_ascii=False) + "\n")

    records = build_functions(stats, report)
    conns: dict[str, Connector] = {}
    for snap in SNAPSHOTS:
        connectors_from_snapshot(snap, conns, set(records), stats)
    connectors_from_ninja(NINJA, conns, stats)
    write_connectors(conns, stats, os.path.join(args.out, "sentinel-connectors.facts"))
    write_functions(records, stats, os.path.join(args.out, "sentinel-functions.facts"))

    if args.report:
        valid = set(models["validConnectorIds"])
        report["connectors"] = {
            "ids": len(conns),
            "ids in ValidConnectorIds": len(valid & set(conns)),
            "ValidConnectorIds not found": sorted(valid - set(conns)),
            "ids without a table": sum(1 for c in conns.values() if not c.feeds),
        }
        asim_helpers = sorted(n for n in records if n.startswith("_ASIM_"))
        report["checks"] = {
            "_ASIM_GetWatchlistRaw": "_ASIM_GetWatchlistRaw" in records,
            "_ASIM_* helpers": len(asim_helpers),
            "ZNAccessOrchestratorAudit": sorted(p for p, _ in records["ZNAccessOrchestratorAudit"].pages)
            if "ZNAccessOrchestratorAudit" in records else None,
        }
        json.dump({"stats": dict(sorted(stats.items())), "report": report}, sys.stderr, indent=1, default=str)
        sys.stderr.write("\n")


if __name__ == "__main__":
    main()
