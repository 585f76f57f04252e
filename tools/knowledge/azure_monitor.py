#!/usr/bin/env python3
"""Log Analytics (Azure Monitor) table facts for kqlint.

Writes two fact files (format: schemas/facts/README.md):

  schemas/facts/azure-monitor-2024-11.facts
      Every table of Microsoft's Azure Monitor table reference as it stood in
      MicrosoftDocs/azure-reference-other at commit
      bea53845fef94ad4f1887d306e6618a34efefc01 (2024-11-20, the parent of
      e9a3e06, which removed azure-monitor-ref/ on 2024-11-21). Columns and
      types from azure-monitor-ref/tables/includes/<table>-include.md; the
      table's name from the include's `ms.custom` front matter, else from the
      `# Heading` of azure-monitor-ref/tables/<table>.md. AzureDiagnostics has
      no include: its columns are listed on azurediagnostics.md itself.

  schemas/facts/azure-monitor-current.facts
      The same reference as collected by the public data set
      oshezaf/sentinelninja at commit 4167c9caa798d8ead1fa1e5944f431ed0b999ea1:
      "Tools/Solutions Analyzer/la_table_schemas.csv" (columns and types) with
      "Tools/Solutions Analyzer/tables_reference.csv" (only the tables whose
      source_azure_monitor is Yes; `page` is their azure_monitor_doc_link).
      The data set gives no per-page ms.date: `date` is the date of the last
      commit that changed la_table_schemas.csv (up to the pinned commit).

Facts only: table names, column names and KQL types, in the source's column
order; no description text is copied. Standard library only, deterministic
(tables sorted by name), so re-running gives byte-identical files.

Regenerate (from the repository root):

    python3 tools/knowledge/azure_monitor.py \
        --docs-repo /work/.mirror/MicrosoftDocs+azure-reference-other/repo \
        --ninja-repo /work/.mirror/oshezaf+sentinelninja/repo

Without our mirrors, clone the public repositories (the pinned commits must be
in the clone, so no --depth 1) and pass their paths:

    git clone https://github.com/MicrosoftDocs/azure-reference-other
    git clone https://github.com/oshezaf/sentinelninja
    python3 tools/knowledge/azure_monitor.py \
        --docs-repo azure-reference-other --ninja-repo sentinelninja

Files are only read through `git show <commit>:<path>` / `git ls-tree`, so a
bare mirror and a normal checkout work alike, whatever is checked out.
The script prints a report (counts, comparison of the two files, everything
odd: unmapped types, duplicate columns, dropped rows, case-only differences);
the comparison is also written into the header of the current file.

Result when written: 2024-11 698 tables (19,263 columns), current 898 tables
(25,675 columns); 660 in both, 238 only in the current file, 38 only in the
2024-11 one (no name differs only by case). For the 660 tables in both: 299
columns added (in 53 tables), 32 removed (in 32; 25 of them are `Name`, which
the data set has in no table at all: dropped by its scraper, not by Microsoft),
3 changed type (CDBControlPlaneRequests.BackupIntervalInMinutes and
.BackupRetentionIntervalInHours real -> int, MDCDetectionFimEvents.Inode
string -> int).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

DOCS_REPO_NAME = "MicrosoftDocs/azure-reference-other"
DOCS_COMMIT = "bea53845fef94ad4f1887d306e6618a34efefc01"
DOCS_DIR = "azure-monitor-ref/tables"
NINJA_REPO_NAME = "oshezaf/sentinelninja"
NINJA_COMMIT = "4167c9caa798d8ead1fa1e5944f431ed0b999ea1"
NINJA_SCHEMAS = "Tools/Solutions Analyzer/la_table_schemas.csv"
NINJA_TABLES = "Tools/Solutions Analyzer/tables_reference.csv"
EXTRACTOR = "tools/knowledge/azure_monitor.py"

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DOCS = "/work/.mirror/MicrosoftDocs+azure-reference-other/repo"
DEFAULT_NINJA = "/work/.mirror/oshezaf+sentinelninja/repo"

# Source spellings (compared case-insensitively) -> KQL's ten types.
TYPE_MAP = {
    "bool": "bool", "boolean": "bool",
    "int": "int", "int32": "int", "integer": "int",
    "long": "long", "int64": "long", "bigint": "long",
    "real": "real", "double": "real", "float": "real",
    "decimal": "decimal",
    "string": "string", "text": "string",
    "datetime": "datetime", "date": "datetime",
    "timespan": "timespan", "time": "timespan",
    "guid": "guid", "uuid": "guid", "uniqueid": "guid",
    "dynamic": "dynamic", "object": "dynamic",
}

# Columns whose source type is empty but whose type the same page states in its
# text. AzureDiagnostics.md: "the excess data is added to a dynamic property bag
# column called AdditionalFields" (its column row has an empty Type cell).
EMPTY_TYPE_OVERRIDES = {("AzureDiagnostics", "AdditionalFields"): "dynamic"}

# Tables whose page says they get columns beyond the ones listed (written as
# `open`): AzureDiagnostics "includes the most common columns used by Azure
# services. If a resource log includes a column that doesn't already exist in
# the AzureDiagnostics table, that column is added".
OPEN_TABLES = {"AzureDiagnostics"}

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, msg: str) -> None:
        self.lines.append(msg)


def git(repo: str, *args: str) -> bytes:
    return subprocess.run(
        ["git", "-C", repo, *args], check=True, stdout=subprocess.PIPE
    ).stdout


def git_text(repo: str, commit: str, path: str) -> str:
    text = git(repo, "show", f"{commit}:{path}").decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def quote(name: str) -> str:
    return name if re.fullmatch(r'[^\s"]+', name) else '"' + name.replace('"', '\\"') + '"'


def kql_type(src: str) -> str | None:
    return TYPE_MAP.get(src.strip().lower())


def front_matter(text: str) -> dict[str, str]:
    m = re.match(r"\s*---\n(.*?)\n---", text, re.S)
    out: dict[str, str] = {}
    if m:
        for line in m.group(1).splitlines():
            k, sep, v = line.partition(":")
            if sep and not line.startswith((" ", "#")):
                out[k.strip()] = v.strip()
    return out


def iso_date(msdate: str) -> str | None:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", msdate.strip())
    if not m:
        return None
    return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"


def column_rows(text: str) -> list[tuple[str, str]] | None:
    """(name, type) cells of the first `| Column | Type | ... |` markdown table."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if re.match(r"\s*\|\s*Column\s*\|\s*Type\s*\|", line):
            rows = []
            for row in lines[i + 2:]:
                if not row.strip().startswith("|"):
                    break
                cells = [c.strip() for c in row.strip().strip("|").split("|")]
                rows.append((cells[0].replace("\\_", "_"), cells[1] if len(cells) > 1 else ""))
            return rows
    return None


def build_columns(table: str, rows, where: str, rep: Report) -> list[tuple[str, str]]:
    """Normalise types, drop exact duplicates and rows that are not columns."""
    out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for name, src in rows:
        if not IDENT.fullmatch(name):
            rep(f"{where}: {table}: row {name!r} (type {src!r}) is not a column name, dropped")
            continue
        t = kql_type(src)
        if t is None and not src.strip() and (table, name) in EMPTY_TYPE_OVERRIDES:
            t = EMPTY_TYPE_OVERRIDES[(table, name)]
            rep(f"{where}: {table}.{name}: empty type cell, typed {t} from the page's text")
        if t is None:
            rep(f"{where}: {table}.{name}: type {src!r} unmapped, row dropped")
            continue
        if name in seen:
            same = "same type" if seen[name] == t else f"types {seen[name]} / {t}"
            rep(f"{where}: {table}.{name}: listed twice ({same}), first kept")
            continue
        seen[name] = t
        out.append((name, t))
    lower = Counter(n.lower() for n, _ in out)
    for low in sorted({n.lower() for n, _ in out if lower[n.lower()] > 1}):
        names = " / ".join(n for n, _ in out if n.lower() == low)
        rep(f"{where}: {table}: columns {names} differ only by case (all kept)")
    return out


# --------------------------------------------------------------------------- 2024-11


def read_docs(repo: str, commit: str, rep: Report):
    files = git(repo, "ls-tree", "-r", "--name-only", commit, "--", DOCS_DIR).decode().splitlines()
    inc_dir = f"{DOCS_DIR}/includes/"
    pages = {f[len(DOCS_DIR) + 1:-3]: f for f in files if f.endswith(".md") and "/" not in f[len(DOCS_DIR) + 1:]}
    includes = sorted(f for f in files if f.startswith(inc_dir) and f.endswith("-include.md"))

    def heading(base: str) -> str | None:
        if base not in pages:
            return None
        m = re.search(r"^# (.+?)\s*$", git_text(repo, commit, pages[base]), re.M)
        return m.group(1) if m else None

    found: dict[str, list[tuple[str, str, str, list]]] = {}  # name -> [(base, page, date, rows)]
    included: set[str] = set()
    for path in includes:
        text = git_text(repo, commit, path)
        rows = column_rows(text)
        if rows is None:
            continue  # resource-type lists, the basic-tables list: no columns
        base = path[len(inc_dir):-len("-include.md")]
        fm = front_matter(text)
        custom = fm.get("ms.custom", "")
        head = heading(base)
        if IDENT.fullmatch(custom):
            name = custom
            if head is not None and head != custom:
                rep(f"2024-11: {path}: ms.custom {custom!r} but page heading {head!r}")
        elif head and IDENT.fullmatch(head):
            name = head
            rep(f"2024-11: {path}: no usable ms.custom ({custom!r}), name {head!r} from the page heading")
        else:
            rep(f"2024-11: {path}: table name not determined (ms.custom {custom!r}, heading {head!r}), skipped")
            continue
        date = iso_date(fm.get("ms.date", ""))
        if date is None:
            rep(f"2024-11: {path}: ms.date {fm.get('ms.date')!r} not a date")
        found.setdefault(name, []).append((base, path, date, rows))
        included.add(base)

    # A table page with its column list inline instead of an include (AzureDiagnostics).
    for base, path in sorted(pages.items()):
        text = git_text(repo, commit, path)
        if re.search(r"\(\./includes/" + re.escape(base) + r"-include\.md\)", text):
            continue
        cols = text.split("\n## Columns", 1)
        rows = column_rows(cols[1]) if len(cols) == 2 else None
        if rows is None:
            continue
        name = heading(base)
        if not name or not IDENT.fullmatch(name):
            rep(f"2024-11: {path}: inline columns but no table name in the heading, skipped")
            continue
        date = iso_date(front_matter(text).get("ms.date", ""))
        if date is None:
            rep(f"2024-11: {path}: no usable ms.date")
        found.setdefault(name, []).append((base, path, date, rows))

    tables = {}
    for name in sorted(found):
        cands = found[name]
        if len(cands) > 1:
            keep = [c for c in cands if c[0] == name.lower()] or cands[:1]
            for c in cands:
                if c is not keep[0]:
                    other = keep[0][1]
                    same = "identical columns" if c[3] == keep[0][3] else "different columns"
                    rep(f"2024-11: {c[1]} also says table {name} ({same} to {other}); "
                        f"file name does not match, ignored")
            cands = keep[:1]
        base, path, date, rows = cands[0]
        tables[name] = {"page": path, "date": date, "columns": build_columns(name, rows, "2024-11", rep)}
    # Table pages that got no table (their include lacks columns, or the page is a list).
    for base in sorted(pages):
        if base not in included and not any(t["page"] == pages[base] for t in tables.values()):
            if base.startswith("microsoft-") or base.startswith("tables-") or "_" in base:
                continue  # resource-type and index pages
            rep(f"2024-11: page {pages[base]} gave no table")
    return tables


# --------------------------------------------------------------------------- current


def read_ninja(repo: str, commit: str, rep: Report):
    schemas = list(csv.DictReader(io.StringIO(git_text(repo, commit, NINJA_SCHEMAS), newline="")))
    refs = list(csv.DictReader(io.StringIO(git_text(repo, commit, NINJA_TABLES), newline="")))
    date = git(repo, "log", "-1", "--format=%cs", commit, "--", NINJA_SCHEMAS).decode().strip()
    ref = {}
    for r in refs:
        if r["table_name"] in ref:
            rep(f"current: tables_reference.csv lists {r['table_name']} twice, first kept")
            continue
        ref[r["table_name"]] = r
    rows: dict[str, list[tuple[str, str]]] = {}
    for r in schemas:
        rows.setdefault(r["table_name"], []).append((r["column_name"].strip(), r["column_type"]))
    tables = {}
    skipped = Counter()
    for name in sorted(rows):
        r = ref.get(name)
        if r is None:
            rep(f"current: {name} has columns but no row in tables_reference.csv, skipped")
            continue
        if r["source_azure_monitor"].strip().lower() != "yes":
            skipped[r["source_azure_monitor"]] += 1
            continue
        url = r["azure_monitor_doc_link"].strip()
        if not url:
            rep(f"current: {name}: no azure_monitor_doc_link")
        if not IDENT.fullmatch(name):
            rep(f"current: table name {name!r} is not an identifier")
        tables[name] = {"page": url, "date": date, "columns": build_columns(name, rows[name], "current", rep)}
    for k, v in sorted(skipped.items()):
        rep(f"current: {v} tables with columns skipped (source_azure_monitor={k!r})")
    am_no_cols = sorted(n for n, r in ref.items() if r["source_azure_monitor"].strip().lower() == "yes" and n not in rows)
    if am_no_cols:
        rep(f"current: {len(am_no_cols)} Azure Monitor tables in tables_reference.csv without columns: {', '.join(am_no_cols)}")
    return tables, date


# --------------------------------------------------------------------------- output


def compare(old: dict, new: dict) -> list[str]:
    out = []
    only_new = sorted(set(new) - set(old))
    only_old = sorted(set(old) - set(new))
    both = sorted(set(old) & set(new))
    out.append(f"tables: 2024-11 {len(old)}, current {len(new)}; in both {len(both)}; "
               f"only in current {len(only_new)}; only in 2024-11 {len(only_old)}")
    lo = {}
    for n in only_new:
        lo.setdefault(n.lower(), []).append(n)
    case = [(o, lo[o.lower()][0]) for o in only_old if o.lower() in lo]
    for o, n in case:
        out.append(f"  name differs only by case: 2024-11 {o} / current {n}")
    out.append("  only in 2024-11:" + ("" if only_old else " -"))
    for i in range(0, len(only_old), 6):
        out.append("    " + ", ".join(only_old[i:i + 6]))
    added = removed = changed = 0
    t_added = t_removed = t_changed = 0
    details = []
    for t in both:
        oc, nc = dict(old[t]["columns"]), dict(new[t]["columns"])
        a = [c for c in nc if c not in oc]
        r = [c for c in oc if c not in nc]
        ch = [c for c in oc if c in nc and oc[c] != nc[c]]
        added += len(a); removed += len(r); changed += len(ch)
        t_added += bool(a); t_removed += bool(r); t_changed += bool(ch)
        if r:
            details.append(f"  {t}: removed {', '.join(r)}")
        for c in ch:
            details.append(f"  {t}.{c}: {oc[c]} -> {nc[c]}")
    out.append(f"columns of the {len(both)} tables in both: {added} added (in {t_added} tables), "
               f"{removed} removed (in {t_removed}), {changed} changed type (in {t_changed})")
    out.extend(details)
    # A column name the current file has in no table at all, though 2024-11 had it in tables
    # both files share: more likely lost by the data set's scraper than by Microsoft.
    new_names = {c for t in new.values() for c, _ in t["columns"]}
    gone = Counter(c for t in both for c, _ in old[t]["columns"] if c not in new_names)
    for c, k in sorted(gone.items(), key=lambda x: (-x[1], x[0])):
        if k > 1:
            out.append(f"  column name {c} is in no table of the current file (2024-11: in {k} of the "
                       f"tables in both): likely dropped by the data set, not by Microsoft")
    return out


def write_facts(path: Path, sources: list[str], tables: dict, comments: list[str]) -> None:
    lines = [*sources,
             f"@extractor {EXTRACTOR}",
             "@platform sentinel",
             "@provenance documented"]
    lines += ["#"] + [("# " + c).rstrip() for c in comments] + ["#"]
    for name in sorted(tables):
        t = tables[name]
        lines.append("")
        lines.append(f"table {quote(name)}")
        page = f"page {quote(t['page'])}"
        if t["date"]:
            page += f" date={t['date']}"
        lines.append(page)
        lines += [f"column {quote(c)} {ty}" for c, ty in t["columns"]]
        if name in OPEN_TABLES:
            lines.append("open")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs-repo", default=DEFAULT_DOCS, help="git dir or clone of " + DOCS_REPO_NAME)
    ap.add_argument("--docs-commit", default=DOCS_COMMIT)
    ap.add_argument("--ninja-repo", default=DEFAULT_NINJA, help="git dir or clone of " + NINJA_REPO_NAME)
    ap.add_argument("--ninja-commit", default=NINJA_COMMIT)
    ap.add_argument("--out-dir", default=str(ROOT / "schemas" / "facts"))
    a = ap.parse_args()

    rep = Report()
    old = read_docs(a.docs_repo, a.docs_commit, rep)
    new, ninja_date = read_ninja(a.ninja_repo, a.ninja_commit, rep)
    cmp_lines = compare(old, new)
    out = Path(a.out_dir)

    open_note = ["`open`: AzureDiagnostics gets columns beyond the listed ones (its page says so).",
                 "Its listed columns are the page's fixed list, which (since 2022) stops at session_id_d:",
                 "the rest of the alphabet, TimeGenerated, Type and the other standard columns among them,",
                 "is missing from the page and so from this file."]
    notes = {"2024-11": [], "current": []}
    for line in rep.lines:
        key, _, msg = line.partition(": ")
        notes[key].append("  " + msg)
    write_facts(
        out / "azure-monitor-2024-11.facts",
        [f"@source repo={DOCS_REPO_NAME} commit={a.docs_commit} path={DOCS_DIR}"],
        old,
        ["Azure Monitor table reference (Log Analytics tables) in MicrosoftDocs/azure-reference-other",
         "as of 2024-11-20 (the folder was removed the next day). Columns from",
         "includes/<table>-include.md, name from its ms.custom; `date` is the include's ms.date.",
         "AzureDiagnostics: the column list of tables/azurediagnostics.md (no include).",
         *open_note,
         f"Regenerate: python3 {EXTRACTOR} (see its docstring).",
         "",
         "Extraction notes:",
         *notes["2024-11"]],
    )
    write_facts(
        out / "azure-monitor-current.facts",
        [f"@source repo={NINJA_REPO_NAME} commit={a.ninja_commit} path={quote(NINJA_SCHEMAS)}",
         f"@source repo={NINJA_REPO_NAME} commit={a.ninja_commit} path={quote(NINJA_TABLES)}"],
        new,
        ["Azure Monitor table reference as collected by oshezaf/sentinelninja: columns and types",
         "from la_table_schemas.csv, for the tables tables_reference.csv marks",
         "source_azure_monitor=Yes; `page` is the table's Learn URL there. The data set has no",
         f"ms.date: `date` ({ninja_date}) is the last commit that changed la_table_schemas.csv.",
         *open_note,
         f"Regenerate: python3 {EXTRACTOR} (see its docstring).",
         "",
         "Extraction notes:",
         *notes["current"],
         "",
         "Compared with azure-monitor-2024-11.facts (exact names):",
         *cmp_lines],
    )
    print(f"azure-monitor-2024-11.facts: {len(old)} tables, "
          f"{sum(len(t['columns']) for t in old.values())} columns")
    print(f"azure-monitor-current.facts: {len(new)} tables, "
          f"{sum(len(t['columns']) for t in new.values())} columns")
    print("\n".join(cmp_lines))
    print("\nNotes:")
    print("\n".join("  " + l for l in rep.lines) or "  (none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
