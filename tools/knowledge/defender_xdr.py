#!/usr/bin/env python3
"""Microsoft Defender XDR advanced hunting facts for kqlint.

Reads the advanced hunting reference pages of MicrosoftDocs/defender-docs,
folder defender-xdr/:

  advanced-hunting-<table>-table.md        one table each: its name (the page's
                                           `# Heading`), its columns and types
                                           (the "Column name | Data type" table)
  advanced-hunting-<name>-function.md      one function each: form (`invoke F()`
                                           or `F()` in the Syntax block),
                                           parameters (the Syntax signature and
                                           the Arguments / Parameters list),
                                           result columns ("Column | Data type")
  advanced-hunting-schema-tables.md        the schema overview: every table it
                                           lists must have a record (checked)

and writes schemas/facts/defender-xdr.facts (format: schemas/facts/README.md).
Each record's `page` line names the page, its `ms.date` and the commit it was
read at.

Facts only: names, KQL types, parameter forms; no description text is copied.
Standard library only, deterministic (records sorted by name).

Usage (from the repository root):

    python3 tools/knowledge/defender_xdr.py [ROOT] [--commits FILE] [--out FILE]

ROOT (default /tmp/defender-docs) holds defender-xdr/*.md. The commit of each
page comes from --commits (default ROOT/commits.tsv: `path<TAB>commit` lines,
path as defender-xdr/<file>); without that file ROOT must be a git checkout
and each page's commit is its last commit (`git log -1 -- <path>`). A line may
name where the page was read when that is not a commit of MicrosoftDocs/
defender-docs: `path<TAB>commit<TAB>repository[<TAB>index file id]`, commit
`-` when the index did not report one (the record's `page` line then has no
`commit=`), repository `-` when it did not name one. Such pages are listed in
the file's header, and each other repository gets an `@source` line.

Pages are read in either form: the repository's source (`ms.date: MM/DD/YYYY`,
`# Name` heading, links to `*.md`) or a copy of the published Learn page (as
merill/defender-docs-mirror keeps them: `ms.date: YYYY-MM-DDT00:00:00Z`,
`# Name table in the advanced hunting schema - ... | Microsoft Learn`, links
without `.md`); the column tables are the same in both.

Regenerate without our tools, from the public repository:

    git clone --filter=blob:none --sparse https://github.com/MicrosoftDocs/defender-docs
    git -C defender-docs sparse-checkout set defender-xdr
    python3 tools/knowledge/defender_xdr.py defender-docs

(A fresh clone gives the newest pages, which can differ from the versions this
file was written from; the `commit=` of every record says which was read.)

Types are normalised to KQL's (`boolean`, `nullable bool` -> bool, `integer` ->
int, `object`, `array` -> dynamic, `enum` -> string); every normalisation, and
every parameter type or default the page does not state but that is read from
its text or examples, is listed in the file's header and printed.

Result when written (77 pages read through the public-repository index): 66
tables (1,635 columns), 10 functions; all 66 tables of the overview (2026-07-27)
covered. The index gives one version of a page per request, not a list of its
versions: a newer one was found at MicrosoftDocs/defender-docs commit 2903cc6c
(its newest crawl seen), by file id (commit not reported), or, failing both, in
merill/defender-docs-mirror @ 417a5f8e (the published pages as of 2026-09);
the header of the output lists which page came from where. Pages whose newest
copy found has the same ms.date as the one kept were not replaced.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import textwrap
import sys
from pathlib import Path

REPO = "MicrosoftDocs/defender-docs"
FOLDER = "defender-xdr"
OVERVIEW = "advanced-hunting-schema-tables.md"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "schemas" / "facts" / "defender-xdr.facts"

KQL_TYPES = {"bool", "int", "long", "real", "decimal", "string", "datetime", "timespan", "guid", "dynamic"}
# Spellings on the pages that are not KQL's own.
NORMALISE = {
    "boolean": "bool",
    "nullable bool": "bool",
    "integer": "int",
    "object": "dynamic",
    "array": "dynamic",
    "enum": "string",
    "double": "real",
    "int32": "int",
    "int64": "long",
}
TYPE_WORD = r"(string|int|long|real|bool|boolean|datetime|timespan|dynamic|guid|decimal)"

# Parameter types the pages do not state (read from the argument text and the
# examples); the notes in the output say so for each.
PARAM_READINGS = {
    ("FileProfile", "x"): "string",  # a column name, passed as "SHA1" in the example
    ("FileProfile", "y"): "int",  # a record count, 1-1000
    ("SeenBy", "x"): "string",  # a device ID
    ("AssignedIPAddresses", "x"): "string",  # a DeviceId or DeviceName value
    ("DeviceFromIP", "x"): "string",  # an IP address (the IP column)
    ("DeviceFromIP", "y"): "datetime",  # a Timestamp value
}

TABLE_PAGE = re.compile(r"^advanced-hunting-[a-z0-9]+-table\.md$", re.I)
FUNCTION_PAGE = re.compile(r"^advanced-hunting-[a-z0-9]+-function\.md$", re.I)
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BOOLEANS: list[str] = []  # columns typed `boolean` (KQL's alias of bool)


def front_matter_date(text: str) -> str | None:
    m = re.search(r"^ms\.date:\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$", text, re.M)
    if m:
        mo, d, y = m.groups()
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    # a rendered Learn page (a mirror of the published site): ISO 8601
    m = re.search(r"^ms\.date:\s*(\d{4})-(\d{2})-(\d{2})(?:T[0-9:.]+Z?)?\s*$", text, re.M)
    if m:
        return "-".join(m.groups())
    return None


def body(text: str) -> str:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :]
    return text


def heading_preview(text: str) -> bool:
    """Whether the page's `# Name` heading marks the table as a preview
    (`# AgentsInfo (Preview)`): its columns may still change."""
    m = re.search(r"^#\s+[A-Za-z_][A-Za-z0-9_]*[^\n]*", body(text), re.M)
    return bool(m) and re.search(r"\(\s*preview\s*\)", m.group(0), re.I) is not None


def heading_name(text: str) -> str | None:
    m = re.search(r"^#\s+([A-Za-z_][A-Za-z0-9_]*)(\(\))?", body(text), re.M)
    return m.group(1) if m else None


def cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return s.split("|")


def md_tables(text: str):
    """Yields (header cells, row lines) of each markdown table."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1]):
            header = [c.strip() for c in cells(lines[i])]
            rows = []
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                rows.append(lines[j])
                j += 1
            yield header, rows
            i = j
        else:
            i += 1


def column_rows(text: str, first: set[str], where: str, notes: list[str]):
    """Column name/type pairs of the first table headed `<first> | Data type`."""
    for header, rows in md_tables(text):
        if len(header) < 2 or header[0].lower() not in first or header[1].lower() != "data type":
            continue
        out = []
        for row in rows:
            c = cells(row)
            if len(c) < 2:
                notes.append(f"{where}: row {row.strip()!r} has no type cell, dropped")
                continue
            m = re.search(r"`([^`]*)`", c[0])
            name = (m.group(1) if m else c[0]).strip()
            if not m:
                name = name.split()[0] if name.split() else ""
            raw_type = c[1].strip().strip("`").strip()
            if name != (m.group(1) if m else name):
                notes.append(f"{where}.{name}: name written with surrounding blanks ({m.group(1)!r})")
            if not IDENT.match(name):
                notes.append(f"{where}: row {row.strip()!r} is not a column name, dropped")
                continue
            low = raw_type.lower()
            if low in KQL_TYPES:
                ty = low
            elif low in NORMALISE:
                ty = NORMALISE[low]
                if low == "boolean":
                    BOOLEANS.append(f"{where}.{name}")
                else:
                    notes.append(f"{where}.{name}: type `{raw_type}` -> {ty}")
            else:
                notes.append(f"{where}.{name}: type `{raw_type}` unmapped, row dropped")
                continue
            if not c[1].strip().startswith("`"):
                notes.append(f"{where}.{name}: type written without backticks ({raw_type})")
            if any(n == name for n, _ in out):
                notes.append(f"{where}.{name}: listed twice, first kept")
                continue
            out.append((name, ty))
        return out
    return None


def sections(text: str):
    """(heading text, section text) for each `#`-heading of the body."""
    parts = re.split(r"^(#{1,6}\s+.*)$", body(text), flags=re.M)
    out = [("", parts[0])]
    for k in range(1, len(parts), 2):
        out.append((parts[k].lstrip("#").strip(), parts[k + 1] if k + 1 < len(parts) else ""))
    return out


def code_blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.M | re.S)


def call_arg_counts(code: str, name: str) -> list[int]:
    counts = []
    for m in re.finditer(rf"\b{re.escape(name)}\(", code):
        depth, k, commas, seen = 1, m.end(), 0, False
        while k < len(code) and depth:
            ch = code[k]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == "," and depth == 1:
                commas += 1
            elif ch == '"' or ch == "'":
                end = code.find(ch, k + 1)
                k = end if end != -1 else k
                seen = True
            elif not ch.isspace() and depth >= 1:
                seen = True
            k += 1
        counts.append(commas + 1 if seen else 0)
    return counts


def parse_function(name: str, text: str, where: str, notes: list[str]):
    secs = sections(text)
    syntax = next((s for h, s in secs if h.lower() == "syntax"), None)
    if syntax is None:
        raise SystemExit(f"{where}: no Syntax section")
    blocks = code_blocks(syntax)
    if not blocks:
        raise SystemExit(f"{where}: no code block in Syntax")
    sig_line = blocks[0].strip().splitlines()[0].strip()
    form = "invoke" if sig_line.startswith("invoke ") else "table"
    m = re.search(rf"\b{re.escape(name)}\(([^)]*)\)", sig_line)
    if not m:
        raise SystemExit(f"{where}: Syntax `{sig_line}` does not call {name}")
    sig_params = [p.strip() for p in m.group(1).split(",") if p.strip()]

    # The argument list: `- **x**—...` bullets in Syntax / Arguments / Parameters.
    bullets: dict[str, str] = {}
    for h, s in secs:
        if h.lower() not in ("syntax", "arguments", "parameters"):
            continue
        for line in s.splitlines():
            b = re.match(r"^\s*-\s+(?:where\s+)?\*\*(\w+)\*\*(.*)$", line)
            if b and b.group(1) not in bullets:
                bullets[b.group(1)] = b.group(2)
    names = sig_params + [n for n in bullets if n not in sig_params]
    examples = "\n".join(code_blocks(body(text))[1:]) if len(code_blocks(body(text))) > 1 else ""
    counts = call_arg_counts(examples, name)
    fewest = min(counts) if counts else None

    params = []
    for i, p in enumerate(names):
        btext = bullets.get(p, "")
        tm = re.search(rf"[`(]{TYPE_WORD}[`)]", btext)
        if tm:
            ty = NORMALISE.get(tm.group(1), tm.group(1))
        elif (name, p) in PARAM_READINGS:
            ty = PARAM_READINGS[(name, p)]
            notes.append(f"{name}({p}): the page states no type; read as {ty}")
        else:
            raise SystemExit(f"{where}: no type for parameter {p}")
        required = bool(re.search(r"\bRequired\b", btext))
        optional = bool(re.search(r"\boptional\b|if unspecified|if not specified|if you omit", btext, re.I))
        why = []
        if p not in sig_params:
            optional = True
            why.append("not in the Syntax signature")
        if fewest is not None and i >= fewest and not required:
            if not optional:
                why.append(f"an example calls {name} with {fewest} argument(s)")
            optional = True
        if why:
            notes.append(f"{name}({p}): optional ({'; '.join(why)})")
        default = None
        dm = re.search(r"uses `?([A-Za-z0-9_]+)`? if unspecified", btext)
        if dm:
            v = dm.group(1)
            default = v if re.fullmatch(r"\d+", v) else f'"{v}"'
            if not v.isdigit():
                notes.append(f"{name}({p}): default {v} written as the string literal {default}")
        params.append((p, ty, default, optional and not required))
    columns = column_rows(text, {"column", "column name"}, name, notes) or []
    for col, ty, why in ADDED_ELSEWHERE.get(name, []):
        if col not in [c for c, _ in columns]:
            columns.append((col, ty))
            notes.append(f"{name}: adds column {col} ({ty}), not on its page: {why}")
    return form, params, columns


# Columns an `invoke` function adds that its own page does not list, each with
# the Microsoft page that shows it.
ADDED_ELSEWHERE: dict[str, list[tuple[str, str, str]]] = {
    "SeenBy": [(
        "SeenBy", "dynamic",
        "defender-endpoint/configure-device-discovery.md (2025-10-20) projects `SeenBy` after "
        "`invoke SeenBy()`; no type is given, and it is read as dynamic (a list of devices)",
    )],
}


# Where each page was read, when not at a commit of REPO (commits file columns
# 3 and 4): path -> (repository or "-", index file id or "").
PAGE_ORIGIN: dict[str, tuple[str, str]] = {}


def load_commits(root: Path, commits_file: Path | None) -> dict[str, str] | None:
    """`path<TAB>commit[<TAB>repository[<TAB>index file id]]` lines. A commit of
    `-` is one the index did not report (the page was found by its file id);
    a repository of `-` is one it did not name."""
    f = commits_file or root / "commits.tsv"
    if not f.exists():
        return None
    out = {}
    for line in f.read_text(encoding="utf-8").splitlines():
        if line.strip():
            fields = [x.strip() for x in line.split("\t")]
            path, commit = fields[0], fields[1]
            out[path] = commit
            if len(fields) > 2:
                PAGE_ORIGIN[path] = (fields[2], fields[3] if len(fields) > 3 else "")
    return out


def commit_of(root: Path, rel: str, commits: dict[str, str] | None) -> str | None:
    if commits is not None:
        if rel not in commits:
            raise SystemExit(f"{rel}: no commit in the commits file")
        return None if commits[rel] == "-" else commits[rel]
    r = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%H", "--", rel],
        capture_output=True, text=True, check=True,
    )
    if not r.stdout.strip():
        raise SystemExit(f"{rel}: no commit (not a git checkout? pass --commits)")
    return r.stdout.strip()


def page_line(rel: str, date: str | None, commit: str | None) -> str:
    return f"page {rel}" + (f" date={date}" if date else "") + (f" commit={commit}" if commit else "")


def origin_note(rel: str) -> str:
    """Where a page was read when not at a commit of REPO (empty otherwise)."""
    if rel not in PAGE_ORIGIN:
        return ""
    repo, file_id = PAGE_ORIGIN[rel]
    if repo == "-":
        what = "a copy of the published Learn page whose repository the index did not name"
    elif repo == REPO:
        what = f"a stored version of {REPO} whose commit the index did not report"
    else:
        what = f"{repo}, a copy of the published Learn page"
    return f" ({what}" + (f"; index file id {file_id}" if file_id else "") + ")"


def overview_tables(text: str) -> list[tuple[str, str]]:
    """(table name, linked page) of each row of the overview's table list."""
    out = []
    for header, rows in md_tables(text):
        if not header or header[0].lower() != "table name":
            continue
        for row in rows:
            m = re.search(r"\*\*\[([A-Za-z0-9_]+)\]\(([^)]+)\)\*\*", cells(row)[0])
            if m:
                link = m.group(2)
                # a rendered Learn page links without the `.md`
                out.append((m.group(1), link if link.endswith(".md") else f"{link}.md"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root", nargs="?", default="/tmp/defender-docs")
    ap.add_argument("--commits", type=Path)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    a = ap.parse_args()
    root = Path(a.root)
    folder = root / FOLDER
    if not folder.is_dir():
        raise SystemExit(f"{folder}: no such folder")
    commits = load_commits(root, a.commits)
    notes: list[str] = []

    tables: dict[str, tuple[str, str | None, str, list]] = {}
    functions: dict[str, tuple] = {}
    skipped = []
    for p in sorted(folder.iterdir()):
        fname = p.name
        is_table, is_function = TABLE_PAGE.match(fname), FUNCTION_PAGE.match(fname)
        if not (is_table or is_function):
            if fname.startswith("advanced-hunting-") and re.search(r"-(table|function)[^s].*\.md$", fname):
                skipped.append(fname)
            continue
        rel = f"{FOLDER}/{fname}"
        text = p.read_text(encoding="utf-8")
        date = front_matter_date(text)
        if date is None:
            notes.append(f"{rel}: no ms.date")
        commit = commit_of(root, rel, commits)
        name = heading_name(text)
        if not name:
            raise SystemExit(f"{rel}: no `# Name` heading")
        if is_table:
            cols = column_rows(text, {"column name"}, name, notes)
            if not cols:
                raise SystemExit(f"{rel}: no `Column name | Data type` table")
            if name in tables:
                raise SystemExit(f"{rel}: table {name} also on {tables[name][0]}")
            tables[name] = (rel, date, commit, cols, heading_preview(text))
        else:
            form, params, cols = parse_function(name, text, rel, notes)
            functions[name] = (rel, date, commit, form, params, cols)
    for s in skipped:
        notes.append(f"{FOLDER}/{s}: not a reference page name, skipped")
    if BOOLEANS:
        notes.append(f"type `boolean` -> bool: {len(BOOLEANS)} columns ({', '.join(BOOLEANS)})")

    # Every table of the schema overview must have a record.
    ov_path = folder / OVERVIEW
    ov_lines = []
    missing = []
    if ov_path.exists():
        ov_text = ov_path.read_text(encoding="utf-8")
        ov_rel = f"{FOLDER}/{OVERVIEW}"
        listed = overview_tables(ov_text)
        ov_lines.append(
            f"# Overview {ov_rel} date={front_matter_date(ov_text)} commit={commit_of(root, ov_rel, commits) or '-'}"
            f"{origin_note(ov_rel)}: {len(listed)} tables listed"
        )
        for t, link in listed:
            if t not in tables:
                missing.append(t)
                continue
            if f"{FOLDER}/{link}" != tables[t][0]:
                ov_lines.append(f"#   {t}: the overview links {link}, the table's page is {tables[t][0].split('/')[-1]}")
        for t in missing:
            ov_lines.append(f"#   {t}: listed, no table page read")
        extra = sorted(set(tables) - {t for t, _ in listed})
        if extra:
            ov_lines.append(f"#   tables with a page but not on the overview: {', '.join(extra)}")
    else:
        ov_lines.append(f"# Overview {FOLDER}/{OVERVIEW} not read: coverage unchecked")

    n_cols = sum(len(t[3]) for t in tables.values())
    other_sources = sorted(
        {(repo, c) for rel, (repo, _) in PAGE_ORIGIN.items() if repo not in ("-", REPO)
         for c in [commits.get(rel) if commits else None] if c and c != "-"}
    )
    origins = [
        f"#   {rel.split('/')[-1]}: {origin_note(rel).strip(' ()')}"
        for rel in sorted(PAGE_ORIGIN)
        if (folder / rel.split("/")[-1]).exists()
    ]
    out = [
        f"@source repo={REPO} path={FOLDER}",
        *[f"@source repo={r} commit={c} path={FOLDER}" for r, c in other_sources],
        "@extractor tools/knowledge/defender_xdr.py",
        "@platform defender",
        "@provenance documented",
        "#",
        "# Advanced hunting reference pages (advanced-hunting-*-table.md, advanced-hunting-*-function.md);",
        "# each record's `page` line gives the page's ms.date and the commit it was read at.",
        f"# {len(tables)} tables ({n_cols} columns), {len(functions)} functions.",
        "# Regenerate: python3 tools/knowledge/defender_xdr.py (see its docstring).",
        "#",
        *(["# Pages not read at a commit of " + REPO + " (their `page` line's commit, if any, is the other source's):"]
          + origins + ["#"] if origins else []),
        *ov_lines,
        "#",
        "# Extraction notes:",
        *[f"#   {w}" for n in notes for w in textwrap.wrap(n, 150, subsequent_indent="    ", break_on_hyphens=False)],
        "",
    ]
    for name in sorted(tables):
        rel, date, commit, cols, preview = tables[name]
        out.append(f"table {name}")
        out.append(page_line(rel, date, commit))
        if preview:
            out.append("preview")
        out += [f"column {c} {t}" for c, t in cols]
        out.append("")
    for name in sorted(functions):
        rel, date, commit, form, params, cols = functions[name]
        out.append(f"function {name}")
        out.append(page_line(rel, date, commit))
        out.append(f"form {form}")
        for p, ty, default, optional in params:
            attr = f" default={default}" if default is not None else (" optional" if optional else "")
            out.append(f"param {p} {ty}{attr}")
        out += [f"column {c} {t}" for c, t in cols]
        out.append("")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")

    print(f"{a.out}: {len(tables)} tables, {n_cols} columns, {len(functions)} functions")
    for line in ov_lines:
        print(line.lstrip("# "))
    for n in notes:
        print("note:", n)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
