#!/usr/bin/env python3
"""Extract a held-out corpus of real KQL hunting queries and detections.

kqlint's dev corpus comes from Azure/Azure-Sentinel.  This script builds a
second, held-out corpus from other public repositories (community hunting
query collections, blue-team KQL repositories, Microsoft's own Defender XDR
advanced hunting collection, Sentinel rule repositories of consultancies and
individuals), to measure kqlint's precision on queries it was not tuned on.

What it takes
-------------
* ``repos.tsv`` (next to this script): one repository a line,
  ``owner/name<TAB>commit<TAB>license<TAB>kinds`` (``#`` lines are comments).
  ``commit`` pins the exact tree that is read; ``kinds`` says which of
  ``kql``, ``md``, ``yaml`` the repository holds (informational).
* a mirrors directory (default ``/work/.mirror``) laid out as
  ``<mirrors>/<owner>+<name>/repo``, each a git repository (bare or with a
  work tree) that contains the pinned commit.  Files are read from the commit
  with ``git`` itself, never from a work tree.
* an output directory (default ``/work/hunting-corpus``), emptied and
  rewritten on every run.

Getting the repositories without our tools::

    while IFS=$'\\t' read -r repo commit _; do
      case "$repo" in ''|'#'*) continue;; esac
      d="MIRRORS/${repo%%/*}+${repo#*/}/repo"
      git clone --quiet "https://github.com/$repo.git" "$d"
      git -C "$d" checkout --quiet "$commit"
    done < tools/hunting-corpus/repos.tsv

(a shallow ``git fetch --depth 1 origin <commit>`` works too).  Then::

    python3 tools/hunting-corpus/extract.py --mirrors MIRRORS --out OUT

Nothing extracted is ever committed: the queries are third-party text under
their authors' licences.  Only this script and repos.tsv live in kqlint's
repository; the corpus is regenerated on demand.

What it writes
--------------
``OUT/<owner>+<name>/<path with "/" replaced by "__">[#<n>].kql``, one file a
query, and ``OUT/manifest.tsv`` with the columns

    query_file  repo  source_path  line  kind  platform

``line`` is the 1-based line of the source file where the query text starts;
``kind`` is ``kql`` (a whole query file), ``md`` (a Markdown fence) or
``yaml`` (a rule's query string); ``platform`` is a hint, see
``platform_hint``.  ``#<n>`` numbers the queries of one Markdown file (always)
and of one YAML file (only when it holds more than one), in source order.
Output is deterministic: same repos.tsv and mirrors, same bytes.  Line ends
are normalised to ``\\n`` (also CRLF inside decoded YAML strings), every
query file ends with a newline, a UTF-8 (or UTF-16) byte-order mark is
dropped; files that are not UTF-8 are read as cp1252.

What counts as a query
----------------------
* ``.kql``, ``.csl``, ``.kusto`` files: the whole file (unless empty).
* ``.txt`` files and files without an extension: the whole file, when it
  ``looks_like_kql`` (many collections keep queries in .txt files; the
  heuristic keeps out notes, lists of indicators and licences).
* Markdown (``.md``, ``.markdown``): every fenced block (```` ``` ```` or
  ``~~~``, any indentation) whose info string's first word is ``kql``,
  ``kusto``, ``csl`` (or ``kql-query``/``kusto-query``), whatever it holds
  (except a placeholder without a two-character identifier, such as ``N/A``);
  every other fenced block (untagged, ``sql``, ``text``, ``c#``, typos such as
  ``kkql``...) when it ``looks_like_kql``, except blocks tagged with a
  language whose syntax the heuristic could mistake for KQL
  (``NOT_KQL_TAGS``: SPL, XQL, EQL...).  A fence whose opening line already
  holds the query's first line (```` ```//comment ````, ```` ```DeviceEvents
  ````, ```` ```kqlAADSignInEventsBeta ````) keeps that line.  The info
  string's case does not matter (``KQL``, ``Kusto``).  Unfenced queries are
  not taken.
* YAML (``.yaml``, ``.yml``): the value of every top-level ``query:`` /
  ``Query:`` key (Sentinel analytic rule / hunting query YAML), and of a
  nested ``query:`` key when its value ``looks_like_kql`` (other YAML
  dialects, e.g. Sigma-like rules with the KQL under ``detection``).  Block
  scalars (``|``, ``>``, with chomping/indentation indicators), plain
  multi-line, single- and double-quoted scalars are decoded by a small YAML
  scalar reader (standard library only).  A value wrapped in a Markdown fence
  (```` ```kusto ... ``` ````, as some converted rules have) is unwrapped.
* Everything else (JSON/ARM templates, notebooks, PowerShell...) is skipped,
  and so is ``.github/``.  ``EXCLUDE`` lists sub-folders that are copies of
  Azure-Sentinel content inside an otherwise original repository.

``looks_like_kql`` (the heuristic for untagged/mislabelled text)
-----------------------------------------------------------------
Ignoring blank lines and ``//`` comment lines, the text must

1. start like a KQL query: its first line begins with ``let``, ``union``,
   ``search``, ``find``, ``print``, ``range``, ``datatable``,
   ``externaldata``, ``evaluate``, ``set``, ``declare``, ``materialize``, a
   ``(``, or is a bare identifier (a table or function name: letters, digits,
   ``_``; optionally called with ``(...)``) followed by nothing, a ``|`` or a
   ``//`` comment; and
2. contain a tabular operator after a pipe: ``|`` then ``where``,
   ``project*``, ``extend``, ``summarize``, ``join``, ``union``, ``take``,
   ``limit``, ``top``, ``sort by``/``order by``, ``distinct``, ``count``,
   ``parse``, ``mv-expand``, ``mv-apply``, ``make-series``, ``render``,
   ``evaluate``, ``lookup``, ``invoke``, ``as``, ``serialize``,
   ``sample``, ``getschema``, ``search``, ``scan``, ``top-nested``,
   ``partition``, ``facet``, ``fork`` (at a line start or after an identifier
   or ``)``), followed by whitespace, ``(`` or the line end, and for
   ``where`` not by ``{`` (PowerShell's ``| where { $_ ... }``); or, failing
   that, the first line is a known table name (``DEFENDER_TABLES`` or
   ``SENTINEL_TABLES``) on its own.

So ``DeviceProcessEvents | where ...`` qualifies, while SPL
(``index=... | stats``), XQL (``dataset = ... | filter``), CrowdStrike
(``#event_simpleName=...``), PowerShell (``Get-X | where {...}``), prose and
fragments that begin with ``|`` do not (a fragment in a fence tagged kql is
still taken: its author labelled it KQL).

Platform hint (``platform_hint``)
---------------------------------
The first known table name in the query (comments and string literals
ignored) decides: a Defender XDR advanced hunting table (``Device*`` event and
info tables, ``DeviceTvm*``, ``Email*``, ``Identity*`` except ``IdentityInfo``
which both products have, ``CloudAppEvents``, ``AlertInfo``,
``AlertEvidence``, ``UrlClickEvents``, ``AAD*EventsBeta``, ``Exposure*``...)
gives ``defender``; a Log Analytics-only table (``SigninLogs``,
``AuditLogs``, ``SecurityEvent``, ``*_CL`` custom tables, ASIM ``_Im_``/
``im*``/``vim*`` parsers...) gives ``sentinel``.  One exception: a Defender
table under a Markdown heading that names Sentinel (and not Defender) gives
``sentinel`` (collections often show a query twice, under "## Defender XDR"
and "## Sentinel"; the Defender tables reach Sentinel through its connector).
Without a known table, the Markdown heading above the fence, then the source
path decide: ``Defender``, ``MDE``, ``MDATP``, ``M365D``, ``MTP``, ``XDR``,
``MDO``, ``MDI``, ``Advanced Hunting`` give ``defender`` (``Defender for
Cloud`` does not), ``Sentinel``, ``Log Analytics``, ``Azure Monitor`` give
``sentinel`` (when both are named, the later one, e.g. the file name, wins);
otherwise ``unknown``.  Azure Resource Graph queries (``resources``,
``arg("")``) stay ``unknown``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Sub-folders (path prefixes) left out of a repository: copies or "upgrades"
# of Azure/Azure-Sentinel content, which our dev corpus already has.
EXCLUDE: dict[str, tuple[str, ...]] = {
    "ep3p/Sentinel_KQL": ("Queries/Azure-Sentinel/",),
}

KQL_EXTS = {".kql", ".csl", ".kusto"}
TEXT_EXTS = {".txt", ""}
MD_EXTS = {".md", ".markdown"}
YAML_EXTS = {".yaml", ".yml"}

KQL_TAGS = {"kql", "kusto", "csl", "kql-query", "kusto-query"}
# Tags of languages whose syntax `looks_like_kql` could mistake for KQL.
NOT_KQL_TAGS = {
    "spl", "splunk", "xql", "eql", "esql", "lucene", "cql", "leql", "aql",
    "sigma", "yara", "yaml", "yml", "json", "xml", "html", "mermaid",
    "diff", "patch",
}

# ---------------------------------------------------------------- tables --

DEFENDER_TABLES = {
    # Devices
    "DeviceEvents", "DeviceProcessEvents", "DeviceNetworkEvents",
    "DeviceFileEvents", "DeviceRegistryEvents", "DeviceLogonEvents",
    "DeviceImageLoadEvents", "DeviceInfo", "DeviceNetworkInfo",
    "DeviceFileCertificateInfo", "DeviceBaselineComplianceAssessment",
    "DeviceBaselineComplianceAssessmentKB", "DeviceBaselineComplianceProfiles",
    # Email / collaboration
    "EmailEvents", "EmailAttachmentInfo", "EmailUrlInfo",
    "EmailPostDeliveryEvents", "UrlClickEvents", "MessageEvents",
    "MessagePostDeliveryEvents", "MessageUrlInfo", "CampaignInfo",
    "FileMaliciousContentInfo",
    # Identities
    "IdentityLogonEvents", "IdentityQueryEvents", "IdentityDirectoryEvents",
    "IdentityEvents", "IdentityAccountInfo",
    "AADSignInEventsBeta", "AADSpnSignInEventsBeta",
    "EntraIdSignInEvents", "EntraIdSpnSignInEvents",
    # Apps, alerts, cloud, exposure
    "CloudAppEvents", "AlertInfo", "AlertEvidence", "BehaviorInfo",
    "BehaviorEntities", "OAuthAppInfo", "CloudAuditEvents",
    "CloudProcessEvents", "CloudDnsEvents", "CloudStorageAggregatedEvents",
    "ExposureGraphNodes", "ExposureGraphEdges", "GraphApiAuditEvents",
    "DataSecurityEvents", "DataSecurityBehaviors", "AIAgentsInfo",
    "DisruptionAndResponseEvents",
}
DEFENDER_PREFIXES = ("DeviceTvm",)

SENTINEL_TABLES = {
    # Entra ID
    "SigninLogs", "AADNonInteractiveUserSignInLogs",
    "AADServicePrincipalSignInLogs", "AADManagedIdentitySignInLogs",
    "AADProvisioningLogs", "AADRiskyUsers", "AADUserRiskEvents",
    "AADRiskyServicePrincipals", "AADServicePrincipalRiskEvents",
    "ADFSSignInLogs", "AuditLogs", "MicrosoftGraphActivityLogs",
    "NetworkAccessTraffic", "ManagedIdentitySignInLogs",
    # Windows, Linux, network
    "SecurityEvent", "WindowsEvent", "Event", "Syslog", "CommonSecurityLog",
    "WindowsFirewall", "DnsEvents", "DnsInventory", "W3CIISLog",
    "VMConnection", "VMProcess", "VMComputer", "Heartbeat", "Perf",
    "ConfigurationChange", "ConfigurationData", "Update", "UpdateSummary",
    "SecurityBaseline", "SecurityBaselineSummary", "ProtectionStatus",
    "SysmonEvent", "Sysmon",
    # Azure / M365 activity
    "AzureActivity", "AzureDiagnostics", "AzureMetrics", "OfficeActivity",
    "EnrichedMicrosoft365AuditLogs", "PowerBIActivity", "Dynamics365Activity",
    "StorageBlobLogs", "StorageFileLogs", "StorageQueueLogs",
    "StorageTableLogs", "AppServiceHTTPLogs", "AppServiceConsoleLogs",
    "ContainerLog", "ContainerLogV2", "KubeEvents", "KubePodInventory",
    "AKSAudit", "AKSAuditAdmin", "AKSControlPlane", "AzureFirewall",
    "AZFWApplicationRule", "AZFWNetworkRule", "AZFWDnsQuery",
    "AZFWThreatIntel", "AZFWIdpsSignature", "AzureNetworkAnalytics_CL",
    "NTANetAnalytics", "KeyVaultData", "MicrosoftPurviewInformationProtection",
    "IntuneAuditLogs", "IntuneDevices", "IntuneOperationalLogs",
    "IntuneDeviceComplianceOrg", "McasShadowItReporting",
    "AWSCloudTrail", "AWSGuardDuty", "AWSVPCFlow", "AWSS3ServerAccess",
    "GCPAuditLogs", "GoogleCloudSCC",
    # Sentinel itself
    "SecurityAlert", "SecurityIncident", "SecurityRecommendation",
    "SecureScores", "SecureScoreControls", "SecurityNestedRecommendation",
    "ThreatIntelligenceIndicator", "ThreatIntelIndicators",
    "ThreatIntelObjects", "Watchlist", "_GetWatchlist",
    "_GetWatchlistAlias", "BehaviorAnalytics", "UserPeerAnalytics",
    "UserAccessAnalytics", "Anomalies", "SentinelHealth", "SentinelAudit",
    "LAQueryLogs", "Usage", "Operation", "HuntingBookmark",
    "ASimDnsActivityLogs", "ASimNetworkSessionLogs", "ASimAuditEventLogs",
    "ASimAuthenticationEventLogs", "ASimProcessEventLogs",
    "ASimWebSessionLogs", "ASimFileEventLogs", "ASimRegistryEventLogs",
}

IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def table_kind(name: str) -> str | None:
    if name in DEFENDER_TABLES or name.startswith(DEFENDER_PREFIXES):
        return "defender"
    if name in SENTINEL_TABLES:
        return "sentinel"
    if name.endswith("_CL") or name.startswith(("_Im_", "_ASim_", "ASim")):
        return "sentinel"
    if re.match(r"_?v?im[A-Z][A-Za-z]+$", name):  # ASIM parsers: imDns, vim...
        return "sentinel"
    return None


def strip_comments_and_strings(text: str) -> str:
    """Blank out // comments and string literals (enough for a table scan)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            verbatim = i > 0 and text[i - 1] in "@hH" and (
                i < 2 or not (text[i - 2].isalnum() or text[i - 2] == "_"))
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                if text[j] == "\\" and not verbatim:
                    j += 1
                j += 1
            out.append(" ")
            i = j + 1
            continue
        if c == "`" and text.startswith("```", i):  # multi-line string
            j = text.find("```", i + 3)
            i = n if j < 0 else j + 3
            out.append(" ")
            continue
        out.append(c)
        i += 1
    return "".join(out)


def first_table_kind(query: str) -> str | None:
    for m in IDENT_RE.finditer(strip_comments_and_strings(query)):
        k = table_kind(m.group(0))
        if k:
            return k
    return None


DEFENDER_HINT = re.compile(
    r"(?<![A-Za-z0-9])(defender|mde|mdatp|m365d|mtp|xdr|mdo|mdi|"
    r"advanced[ _-]?hunting|microsoft[ _-]?365[ _-]?defender)"
    r"(?![A-Za-z0-9])", re.I)
SENTINEL_HINT = re.compile(
    r"(?<![A-Za-z0-9])(sentinel|log[ _-]?analytics|azure[ _-]?monitor)"
    r"(?![A-Za-z0-9])", re.I)
NOT_DEFENDER = re.compile(r"defender[ _-]*(for[ _-]*)?cloud(?![ _-]*apps)|mdc",
                          re.I)


def context_hint(text: str) -> str | None:
    text = NOT_DEFENDER.sub(" ", text)
    d, s = DEFENDER_HINT.search(text), SENTINEL_HINT.search(text)
    if d and not s:
        return "defender"
    if s and not d:
        return "sentinel"
    if d and s:  # both named: the later one is the nearer (file name, heading)
        return "defender" if d.start() > s.start() else "sentinel"
    return None


def platform_hint(query: str, path: str, heading: str = "") -> str:
    k = first_table_kind(query)
    h = context_hint(heading)
    if k == "defender" and h == "sentinel":
        # Device*/Email*... tables reach Sentinel too (Defender XDR
        # connector); a "## Sentinel" heading above the fence says which.
        return "sentinel"
    if k:
        return k
    return h or context_hint(path) or "unknown"


# ------------------------------------------------------------- heuristic --

START_KEYWORDS = (
    "let", "union", "search", "find", "print", "range", "datatable",
    "externaldata", "evaluate", "set", "declare", "materialize",
)
START_RE = re.compile(
    r"^\s*(?:"
    r"(?:" + "|".join(START_KEYWORDS) + r")\b(?!\s*[=:])"
    r"|\("
    r"|[A-Za-z_][A-Za-z0-9_]*\s*(?:\([^()]*(?:\([^()]*\)[^()]*)*\))?\s*"
    r"(?:\|.*|//.*)?$"
    r")")
PIPE_OPS = (
    "project-away", "project-keep", "project-rename", "project-reorder",
    "project-smart", "mv-expand", "mv-apply", "make-series", "top-nested",
    "top-hitters", "parse-where", "parse-kv", "sample-distinct",
    "where", "project", "extend", "summarize", "join", "union", "take",
    "limit", "top", "distinct", "count", "parse", "render", "evaluate",
    "lookup", "invoke", "as", "serialize", "sample", "getschema", "search",
    "scan", "partition", "facet", "fork", "filter", "reduce",
)
PIPE_RE = re.compile(
    r"(?:^|[A-Za-z0-9_\)\]])\s*\|\s*(?:"
    r"(?:sort|order)\s+by\b"
    r"|(?:" + "|".join(re.escape(o) for o in PIPE_OPS) + r")"
    r"(?=\s|\(|$)(?!\s*\{)"
    r")", re.M)


INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\xa0"


def significant_lines(text: str) -> list[str]:
    """Lines that are neither blank nor // comments (invisible characters
    such as a zero-width space before a comment are ignored)."""
    out = []
    for ln in text.split("\n"):
        s = ln.strip().strip(INVISIBLE).strip()
        if s and not s.startswith("//"):
            out.append(s)
    return out


def looks_like_kql(text: str) -> bool:
    lines = significant_lines(text)
    if not lines:
        return False
    first = lines[0]
    if not START_RE.match(first):
        return False
    body = "\n".join(lines)
    if PIPE_RE.search(body):
        return True
    name = first.strip()
    return bool(IDENT_RE.fullmatch(name)) and table_kind(name) is not None


# ---------------------------------------------------------------- git io --

def git(repo_dir: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo_dir), *args], check=True,
                          stdout=subprocess.PIPE).stdout


def list_blobs(repo_dir: Path, commit: str) -> list[tuple[str, str]]:
    out = git(repo_dir, "ls-tree", "-r", "-z", "--full-tree", commit)
    blobs = []
    for rec in out.split(b"\0"):
        if not rec:
            continue
        meta, path = rec.split(b"\t", 1)
        _mode, typ, sha = meta.split()
        if typ == b"blob":
            blobs.append((path.decode("utf-8", "surrogateescape"), sha.decode()))
    blobs.sort(key=lambda b: b[0].encode("utf-8", "surrogateescape"))
    return blobs


class BlobReader:
    def __init__(self, repo_dir: Path):
        self.p = subprocess.Popen(
            ["git", "-C", str(repo_dir), "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, sha: str) -> bytes:
        assert self.p.stdin and self.p.stdout
        self.p.stdin.write(sha.encode() + b"\n")
        self.p.stdin.flush()
        header = self.p.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return b""
        size = int(header[2])
        data = self.p.stdout.read(size)
        self.p.stdout.read(1)
        return data

    def close(self) -> None:
        assert self.p.stdin
        self.p.stdin.close()
        self.p.wait()


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", "replace")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -------------------------------------------------------------- markdown --

FENCE_RE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def md_queries(text: str) -> list[tuple[int, str, str]]:
    """(start line, query, heading) for each KQL fence of a Markdown text."""
    lines = text.split("\n")
    found = []
    heading = ""
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            h = HEADING_RE.match(lines[i])
            if h:
                heading = h.group(1)
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3)
        if fence[0] == "`" and "`" in info:  # inline code, not a fence
            i += 1
            continue
        body = []
        j = i + 1
        close = re.compile(r"^\s*" + re.escape(fence[0]) + "{" +
                           str(len(fence)) + r",}\s*$")
        # Authors close blocks in ways CommonMark does not (rendered
        # previews are forgiving): with an info string (```kql), or with
        # the fence at the end of the last code line (`... desc```). Both
        # end the block here, as the author meant.
        tagged_close = re.compile(r"(?i)^\s*" + re.escape(fence[0]) + "{" +
                                  str(len(fence)) + r",}\s*(kql|kusto|csl)\s*$")
        glued_close = re.compile(r"^(.*\S)" + re.escape(fence[0]) + "{" +
                                 str(len(fence)) + r",}\s*$")
        while j < len(lines) and not close.match(lines[j]):
            ln = lines[j]
            if tagged_close.match(ln):
                break
            k = 0
            while k < len(indent) and k < len(ln) and ln[k] == " ":
                k += 1
            g = glued_close.match(ln)
            if g:
                body.append(g.group(1)[k:])
                break
            body.append(ln[k:])
            j += 1
        start = i + 2  # 1-based line of the first line inside the fence
        query = "\n".join(body)
        info = info.strip()
        words = info.split()
        first = words[0].rstrip("|;") if words else ""
        if info.startswith("//") or table_kind(first) or (
                first == "let" and len(words) > 1):
            # ```//comment or ```DeviceEvents: the opening line holds the
            # query's first line (a broken fence): keep it, untagged.
            query = info + "\n" + query
            start = i + 1
            tag = ""
        else:
            tag = first.lower().strip("{}.")
            glued = re.match(r"(?i:(kql|kusto))([A-Za-z_]\w*)$", first)
            if glued and table_kind(glued.group(2)):
                # ```kqlAADSignInEventsBeta: tag and first line glued
                query = glued.group(2) + "\n" + query
                start = i + 1
                tag = glued.group(1).lower()
        if re.search(r"[A-Za-z_][A-Za-z0-9_]", query):
            if tag in KQL_TAGS:
                found.append((start, query, heading))
            elif tag not in NOT_KQL_TAGS and looks_like_kql(query):
                found.append((start, query, heading))
        i = j + 1
    return found


# ------------------------------------------------------------------ yaml --

KEY_RE = re.compile(r"^(\s*(?:-\s+)?)(query|Query)\s*:(?:\s+(.*))?$")
DQ_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n",
    "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"',
    "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
    "P": "\u2029",
}


def fold_lines(parts: list[str]) -> str:
    """YAML flow folding: a line break becomes a space, n empty lines n-1 \\n."""
    out = parts[0]
    empties = 0
    for p in parts[1:]:
        if p == "":
            empties += 1
            continue
        out += ("\n" * empties) if empties else " "
        out += p
        empties = 0
    return out + ("\n" * empties if empties else "")


def yaml_quoted(lines: list[str], i: int, col: int, q: str) -> str | None:
    """Decode a quoted scalar starting at lines[i][col] (the quote)."""
    buf: list[str] = []
    parts: list[str] = []
    li, ci = i, col + 1
    while li < len(lines):
        line = lines[li]
        while ci < len(line):
            c = line[ci]
            if q == "'":
                if c == "'":
                    if line.startswith("''", ci):
                        buf.append("'")
                        ci += 2
                        continue
                    parts.append("".join(buf))
                    return fold_lines([p if k == 0 else p.lstrip()
                                       for k, p in enumerate(parts)])
                buf.append(c)
                ci += 1
                continue
            if c == '"':
                parts.append("".join(buf))
                return fold_lines([p if k == 0 else p.lstrip()
                                   for k, p in enumerate(parts)])
            if c == "\\":
                if ci + 1 >= len(line):  # escaped line break: join directly
                    ci += 1
                    li += 1
                    line = lines[li] if li < len(lines) else ""
                    ci = len(line) - len(line.lstrip())
                    continue
                e = line[ci + 1]
                if e in DQ_ESCAPES:
                    buf.append(DQ_ESCAPES[e])
                    ci += 2
                    continue
                width = {"x": 2, "u": 4, "U": 8}.get(e)
                if width:
                    hexd = line[ci + 2:ci + 2 + width]
                    try:
                        buf.append(chr(int(hexd, 16)))
                    except ValueError:
                        buf.append(hexd)
                    ci += 2 + width
                    continue
                buf.append(e)
                ci += 2
                continue
            buf.append(c)
            ci += 1
        # end of a physical line inside the scalar: trailing spaces go
        b = "".join(buf)
        parts.append(b.rstrip(" \t") if buf else b)
        buf = []
        li += 1
        ci = 0
    return None  # unterminated


def yaml_block(lines: list[str], i: int, key_indent: int,
               header: str) -> tuple[str, int]:
    """Decode a | or > block scalar whose header is on lines[i]."""
    style = header[0]
    chomp = "clip"
    indent = None
    for ch in header[1:]:
        if ch == "-":
            chomp = "strip"
        elif ch == "+":
            chomp = "keep"
        elif ch.isdigit():
            indent = key_indent + int(ch)
        else:
            break
    body: list[str] = []
    j = i + 1
    while j < len(lines):
        ln = lines[j]
        if ln.strip() == "":
            # spaces beyond the indentation are content; an empty line is not
            body.append(ln[indent:] if indent is not None else "")
            j += 1
            continue
        lead = len(ln) - len(ln.lstrip(" "))
        if indent is None:
            if lead <= key_indent:
                break
            indent = lead
        if lead < indent:
            break
        body.append(ln[indent:])
        j += 1
    trailing = 0
    while body and body[-1] == "":
        body.pop()
        trailing += 1
    if style == "|":
        text = "\n".join(body)
    else:  # folded: adjacent lines at the base indent join with a space
        text, prev, empties = "", None, 0
        for ln in body:
            if ln == "":
                empties += 1
                continue
            more = ln[0] in " \t"
            if prev is None:
                text += "\n" * empties + ln
            elif prev == "normal" and not more:
                text += ("\n" * empties if empties else " ") + ln
            else:
                text += "\n" * (empties + 1) + ln
            prev, empties = ("more" if more else "normal"), 0
    if body and chomp != "strip":
        text += "\n" * (1 + (trailing if chomp == "keep" else 0))
    return text, i + 2


def yaml_plain(lines: list[str], i: int, key_indent: int,
               first: str) -> str:
    parts = [re.sub(r"\s+#.*$", "", first).rstrip()]
    j = i + 1
    while j < len(lines):
        ln = lines[j]
        if ln.strip() == "":
            parts.append("")
            j += 1
            continue
        lead = len(ln) - len(ln.lstrip(" "))
        if lead <= key_indent or ln.lstrip().startswith("#"):
            break
        parts.append(re.sub(r"\s+#.*$", "", ln.strip()))
        j += 1
    while parts and parts[-1] == "":
        parts.pop()
    return fold_lines(parts)


UNFENCE_RE = re.compile(r"^\s*```[A-Za-z]*[ \t]*\n(.*?)\n?\s*```\s*$", re.S)


def yaml_queries(text: str) -> list[tuple[int, str]]:
    lines = text.split("\n")
    found = []
    for i, ln in enumerate(lines):
        m = KEY_RE.match(ln)
        if not m:
            continue
        key_indent = len(m.group(1))
        top_level = key_indent == 0
        rest = (m.group(3) or "").strip()
        start = i + 1
        if rest.startswith(("|", ">")):
            value, start = yaml_block(lines, i, key_indent, rest)
        elif rest.startswith(("'", '"')):
            value = yaml_quoted(lines, i, ln.index(rest[0], len(m.group(1))),
                                rest[0])
            if value is None:
                continue
        elif rest == "":
            # value on the following, more indented lines (plain scalar)
            if i + 1 < len(lines):
                nxt = lines[i + 1]
                lead = len(nxt) - len(nxt.lstrip(" "))
                if lead > key_indent and nxt.strip():
                    s = nxt.strip()
                    if s.startswith(("'", '"')):
                        value = yaml_quoted(lines, i + 1, nxt.index(s[0]), s[0])
                    else:
                        value = yaml_plain(lines, i + 1, key_indent, s)
                    start = i + 2
                    if value is None:
                        continue
                else:
                    continue
            else:
                continue
        else:
            value = yaml_plain(lines, i, key_indent, rest)
        u = UNFENCE_RE.match(value)
        if u:
            value = u.group(1) + "\n"
        if not value.strip():
            continue
        if top_level or looks_like_kql(value):
            found.append((start, value))
    return found


# ------------------------------------------------------------------ main --

def out_name(path: str, n: int | None) -> str:
    name = path.replace("/", "__") + (f"#{n}" if n is not None else "") + ".kql"
    if len(name.encode()) > 200:
        digest = hashlib.sha1(name.encode()).hexdigest()[:12]
        keep = name.encode()[:150].decode("utf-8", "ignore")
        name = f"{keep}~{digest}" + (f"#{n}" if n is not None else "") + ".kql"
    return name


def clean_tsv(s: str) -> str:
    return s.replace("\t", " ").replace("\n", " ")


def read_repos(tsv: Path) -> list[tuple[str, str, str, str]]:
    repos = []
    for ln in tsv.read_text(encoding="utf-8").splitlines():
        if not ln.strip() or ln.startswith("#"):
            continue
        cols = ln.split("\t")
        if len(cols) != 4 or not re.fullmatch(r"[0-9a-f]{40}", cols[1]):
            sys.exit(f"repos.tsv: bad line: {ln!r}")
        repos.append((cols[0], cols[1], cols[2], cols[3]))
    return repos


def extract_repo(repo: str, commit: str, mirrors: Path, out: Path,
                 manifest: list[tuple[str, ...]]) -> dict[str, int]:
    owner, name = repo.split("/", 1)
    slug = f"{owner}+{name}"
    repo_dir = mirrors / slug / "repo"
    if not repo_dir.is_dir():
        sys.exit(f"{repo}: no mirror at {repo_dir}")
    try:
        git(repo_dir, "cat-file", "-e", f"{commit}^{{commit}}")
    except subprocess.CalledProcessError:
        sys.exit(f"{repo}: commit {commit} not in {repo_dir}")
    dest = out / slug
    dest.mkdir(parents=True)
    counts = {"kql": 0, "md": 0, "yaml": 0}
    excluded = EXCLUDE.get(repo, ())
    reader = BlobReader(repo_dir)
    seen_names: set[str] = set()
    try:
        for path, sha in list_blobs(repo_dir, commit):
            if path.startswith(".github/") or path.startswith(excluded):
                continue
            base = path.rsplit("/", 1)[-1]
            ext = os.path.splitext(base)[1].lower() if "." in base[1:] else ""
            if ext in KQL_EXTS:
                kind = "kql"
            elif ext in TEXT_EXTS:
                kind = "txt"
            elif ext in MD_EXTS:
                kind = "md"
            elif ext in YAML_EXTS:
                kind = "yaml"
            else:
                continue
            text = decode(reader.read(sha))
            items: list[tuple[int, str, str]] = []
            if kind == "kql":
                if text.strip():
                    items = [(1, text, "")]
            elif kind == "txt":
                if looks_like_kql(text):
                    items = [(1, text, "")]
                kind = "kql"
            elif kind == "md":
                items = md_queries(text)
            else:
                items = [(s, q, "") for s, q in yaml_queries(text)]
            for idx, (start, query, heading) in enumerate(items, 1):
                numbered = kind == "md" or (kind == "yaml" and len(items) > 1)
                fname = out_name(path, idx if numbered else None)
                if fname in seen_names:
                    sys.exit(f"{repo}: output name collision {fname}")
                seen_names.add(fname)
                query = query.replace("\r\n", "\n")
                if not query.endswith("\n"):
                    query += "\n"
                (dest / fname).write_text(query, encoding="utf-8",
                                          newline="\n")
                manifest.append((f"{slug}/{fname}", repo, clean_tsv(path),
                                 str(start), kind,
                                 platform_hint(query, path, heading)))
                counts[kind] += 1
    finally:
        reader.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirrors", default="/work/.mirror", type=Path)
    ap.add_argument("--out", default="/work/hunting-corpus", type=Path)
    ap.add_argument("--repos", default=HERE / "repos.tsv", type=Path)
    args = ap.parse_args()
    repos = read_repos(args.repos)
    if args.out.exists():
        # only ever wipe a directory this script wrote (or an empty one)
        if any(args.out.iterdir()) and not (args.out / "manifest.tsv").exists():
            sys.exit(f"{args.out} exists and holds no manifest.tsv: not "
                     "overwriting it")
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    manifest: list[tuple[str, ...]] = []
    total = {"kql": 0, "md": 0, "yaml": 0}
    print(f"{'repository':55} {'kql':>5} {'md':>5} {'yaml':>5} {'all':>5}")
    for repo, commit, _lic, _kinds in repos:
        c = extract_repo(repo, commit, args.mirrors, args.out, manifest)
        for k in total:
            total[k] += c[k]
        print(f"{repo:55} {c['kql']:5} {c['md']:5} {c['yaml']:5} "
              f"{sum(c.values()):5}")
    print(f"{'total':55} {total['kql']:5} {total['md']:5} {total['yaml']:5} "
          f"{sum(total.values()):5}")
    plat: dict[str, int] = {}
    for row in manifest:
        plat[row[5]] = plat.get(row[5], 0) + 1
    print("platform hints: " + ", ".join(f"{k} {v}" for k, v in sorted(plat.items())))
    with open(args.out / "manifest.tsv", "w", encoding="utf-8",
              newline="\n") as f:
        f.write("query_file\trepo\tsource_path\tline\tkind\tplatform\n")
        for row in manifest:
            f.write("\t".join(row) + "\n")


if __name__ == "__main__":
    main()
