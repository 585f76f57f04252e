//! Markdown: the fenced code blocks that hold KQL.
//!
//! - **Which blocks.** A fence (three or more backticks or tildes) whose
//!   info string's first word is `kql`, `kusto` or `csl` (any case; also
//!   `kql-query`, `kusto-query`, `{.kql}`) is a query, whatever it holds. An
//!   untagged fence, or one tagged with a language other than KQL's, is a
//!   query when its text looks like KQL ([`looks_like_kql`]), unless the tag
//!   names a language whose syntax could pass for KQL (SPL, XQL, EQL, YAML,
//!   JSON, ...). Indented code blocks and block quotes are not read.
//! - **Switches.** `<!-- kqlint: skip -->` before a fence skips it;
//!   `<!-- kqlint: skip-file -->` skips the whole file;
//!   `<!-- kqlint: untagged off -->` (or `on`) turns the heuristic for
//!   untagged and mislabelled fences off (on) from there on, over the
//!   configuration's `[markdown] untagged`; `<!-- kqlint: platform defender
//!   -->` (`sentinel`) names the platform of the blocks that follow.
//! - **Platform.** A heading that names Defender XDR (Defender, MDE, M365D,
//!   XDR, Advanced Hunting, ...) or Sentinel (Sentinel, Log Analytics, Azure
//!   Monitor) sets the platform of the blocks under it, down to the next
//!   heading of the same or a higher level; front matter naming one sets it
//!   for the whole file. "Defender for Cloud" names neither.
//! - **Positions.** A query is the block's lines without the fence's
//!   indentation: every query character is the file's, so positions are
//!   exact and fixes can be written back.
//! - **Several queries in one block**, separated by blank lines as people
//!   paste them, are one script: the engine parses it as Kusto's editors do.
//! - **A fence that is not closed** before another fence with an info
//!   string opens (CommonMark would read the second as code) ends there,
//!   with a warning, instead of taking the prose that follows as KQL.

use crate::map::MapBuilder;
use crate::query::{PlatformHint, Precision, QueryOrigin, QuerySource, QueryStyle};
use crate::rules::{INVALID_MARKDOWN_DIRECTIVE, UNCLOSED_FENCE};
use crate::source::SourceOptions;
use kqlint_diagnostics::{Diagnostic, Span};

/// What reading a Markdown text found.
pub(crate) struct Found {
    pub queries: Vec<QuerySource>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Info-string words that tag a block as KQL.
pub const KQL_TAGS: [&str; 5] = ["kql", "kusto", "csl", "kql-query", "kusto-query"];

/// Tags of languages whose syntax the heuristic could take for KQL (pipes
/// and bare names): such blocks are never taken.
const NOT_KQL_TAGS: [&str; 19] = [
    "spl", "splunk", "xql", "eql", "esql", "lucene", "cql", "leql", "aql", "sigma", "yara", "yaml",
    "yml", "json", "xml", "html", "mermaid", "diff", "patch",
];

/// One line of the text: its start, the end of its content (before the
/// line break) and the length of its line break (0 on the last line).
#[derive(Clone, Copy, Debug)]
struct Line {
    start: usize,
    end: usize,
    brk: usize,
}

fn lines(text: &str) -> Vec<Line> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push(Line {
                    start,
                    end: i,
                    brk: 1,
                });
                i += 1;
                start = i;
            }
            b'\r' => {
                let brk = if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                out.push(Line { start, end: i, brk });
                i += brk;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < b.len() {
        out.push(Line {
            start,
            end: b.len(),
            brk: 0,
        });
    }
    out
}

/// An opening (or closing) fence line.
#[derive(Clone, Debug)]
struct Fence {
    indent: usize,
    ch: u8,
    len: usize,
    /// The info string, trimmed.
    info: String,
}

fn fence(line: &str) -> Option<Fence> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&c| c == ch).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if ch == b'`' && info.contains('`') {
        return None; // inline code (```x```), not a fence
    }
    Some(Fence {
        indent,
        ch,
        len,
        info: info.to_owned(),
    })
}

/// Whether `line` closes a block opened by `open`.
fn closes(line: &str, open: &Fence) -> bool {
    fence(line).is_some_and(|f| f.ch == open.ch && f.len >= open.len && f.info.is_empty())
}

/// How a block's info string tags it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tag {
    Kql(String),
    Untagged,
    Other(String),
    NotKql(String),
}

fn tag(info: &str) -> Tag {
    let Some(first) = info.split_whitespace().next() else {
        return Tag::Untagged;
    };
    let word = first
        .trim_start_matches(['{', '.'])
        .trim_end_matches(['}', ',', ';'])
        .to_ascii_lowercase();
    if word.is_empty() {
        Tag::Untagged
    } else if KQL_TAGS.contains(&word.as_str()) {
        Tag::Kql(word)
    } else if NOT_KQL_TAGS.contains(&word.as_str()) {
        Tag::NotKql(word)
    } else {
        Tag::Other(word)
    }
}

/// An ATX heading (`## Title`): its level and text.
fn atx_heading(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let level = rest.bytes().take_while(|&c| c == b'#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let after = &rest[level..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    let text = after.trim().trim_end_matches('#').trim_end();
    Some((level, text))
}

/// A setext underline (`===` or `---`): the level it gives the line above.
fn setext_underline(line: &str) -> Option<usize> {
    let t = line.trim_end();
    let indent = t.len() - t.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let t = &t[indent..];
    if t.is_empty() {
        return None;
    }
    if t.bytes().all(|c| c == b'=') {
        Some(1)
    } else if t.bytes().all(|c| c == b'-') {
        Some(2)
    } else {
        None
    }
}

/// The platform a piece of prose names: Defender XDR, Sentinel, or neither.
/// When both are named, the later one wins (a file name after its folder,
/// "Sentinel version of a Defender query"). "Defender for Cloud" and "MDC"
/// are not Defender XDR.
pub(crate) fn platform_named(text: &str) -> Option<PlatformHint> {
    let lower = text.to_ascii_lowercase();
    // Words, with where each starts.
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in lower.char_indices() {
        if c.is_ascii_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            words.push((s, &lower[s..i]));
        }
    }
    if let Some(s) = start {
        words.push((s, &lower[s..]));
    }
    let mut last: Option<(usize, PlatformHint)> = None;
    let mut note = |at: usize, p: PlatformHint| {
        if last.is_none_or(|(a, _)| at >= a) {
            last = Some((at, p));
        }
    };
    let w = |i: usize| words.get(i).map(|(_, w)| *w);
    for (i, &(at, word)) in words.iter().enumerate() {
        match word {
            "defender" => {
                // Defender for Cloud (not Cloud Apps) is not Defender XDR.
                let (a, b, c) = (w(i + 1), w(i + 2), w(i + 3));
                let cloud = (a == Some("cloud") && b != Some("apps"))
                    || (a == Some("for") && b == Some("cloud") && c != Some("apps"));
                if !cloud {
                    note(at, PlatformHint::Defender);
                }
            }
            "mde" | "mdatp" | "m365d" | "mtp" | "xdr" | "mdo" | "mdi" | "advancedhunting" => {
                note(at, PlatformHint::Defender)
            }
            "advanced" if w(i + 1) == Some("hunting") => note(at, PlatformHint::Defender),
            "sentinel" => note(at, PlatformHint::Sentinel),
            "log" if w(i + 1) == Some("analytics") => note(at, PlatformHint::Sentinel),
            "loganalytics" | "azuremonitor" => note(at, PlatformHint::Sentinel),
            "azure" if w(i + 1) == Some("monitor") => note(at, PlatformHint::Sentinel),
            _ => {}
        }
    }
    last.map(|(_, p)| p)
}

/// A `<!-- kqlint: ... -->` comment line: its words, and where they start.
fn directive(line: &str) -> Option<(&str, usize)> {
    let t = line.trim();
    let inner = t.strip_prefix("<!--")?.strip_suffix("-->")?;
    let body = inner.trim();
    let rest = body.strip_prefix("kqlint:")?;
    let at = line.find("kqlint:")? + "kqlint:".len();
    let lead = rest.len() - rest.trim_start().len();
    Some((rest.trim(), at + lead))
}

/// Reads the fenced blocks of a Markdown text.
pub(crate) fn extract(text: &str, lossy: bool, options: &SourceOptions) -> Found {
    let mut found = Found {
        queries: Vec::new(),
        diagnostics: Vec::new(),
    };
    let ls = lines(text);
    let line = |l: &Line| &text[l.start..l.end];
    let mut untagged = options.markdown_untagged;
    let mut file_platform: Option<PlatformHint> = None;
    // Headings above the current line: (level, the platform it names).
    let mut headings: Vec<(usize, Option<PlatformHint>, String)> = Vec::new();
    let mut skip_next = false;
    let mut i = 0;
    // Front matter: a `---` first line, up to the next `---` or `...`.
    if ls.first().is_some_and(|l| line(l).trim_end() == "---")
        && let Some(end) = ls
            .iter()
            .skip(1)
            .position(|l| matches!(line(l).trim_end(), "---" | "..."))
    {
        let body = &text[ls[1].start.min(text.len())..ls[end + 1].start];
        file_platform = platform_named(body);
        i = end + 2;
    }
    let mut prev_paragraph: Option<usize> = None;
    while i < ls.len() {
        let l = ls[i];
        let s = line(&l);
        if let Some((words, at)) = directive(s) {
            let mut it = words.split_whitespace();
            let ok = match (it.next(), it.next(), it.next()) {
                (Some("skip"), None, _) => {
                    skip_next = true;
                    true
                }
                (Some("skip-file"), None, _) => {
                    return Found {
                        queries: Vec::new(),
                        diagnostics: found.diagnostics,
                    };
                }
                (Some("untagged"), Some("off"), None) => {
                    untagged = false;
                    true
                }
                (Some("untagged"), Some("on"), None) => {
                    untagged = true;
                    true
                }
                (Some("platform"), Some(p), None) => match p.to_ascii_lowercase().as_str() {
                    "defender" | "defender-xdr" | "m365d" | "mde" => {
                        file_platform = Some(PlatformHint::Defender);
                        true
                    }
                    "sentinel" | "log-analytics" | "loganalytics" => {
                        file_platform = Some(PlatformHint::Sentinel);
                        true
                    }
                    "none" | "auto" => {
                        file_platform = None;
                        true
                    }
                    _ => false,
                },
                _ => false,
            };
            if !ok {
                let start = (l.start + at) as u32;
                let end = (l.start + s.trim_end().len()) as u32;
                let end = text[start as usize..end as usize]
                    .rfind("-->")
                    .map_or(end, |k| start + k as u32);
                let shown = text[start as usize..end as usize].trim();
                found.diagnostics.push(
                    Diagnostic::new(
                        &INVALID_MARKDOWN_DIRECTIVE,
                        Span::new(start, start + shown.len() as u32),
                        format!("`{shown}` is not a kqlint directive, so this comment does nothing"),
                    )
                    .with_help(
                        "write `<!-- kqlint: skip -->` (the next block), `<!-- kqlint: skip-file -->`, \
                         `<!-- kqlint: untagged off -->` / `on`, or `<!-- kqlint: platform defender -->` / `sentinel`",
                    ),
                );
            }
            prev_paragraph = None;
            i += 1;
            continue;
        }
        if let Some((level, title)) = atx_heading(s) {
            headings.retain(|(lv, _, _)| *lv < level);
            headings.push((level, platform_named(title), title.to_owned()));
            prev_paragraph = None;
            i += 1;
            continue;
        }
        if let (Some(p), Some(level)) = (prev_paragraph, setext_underline(s)) {
            let title = line(&ls[p]).trim().to_owned();
            headings.retain(|(lv, _, _)| *lv < level);
            headings.push((level, platform_named(&title), title));
            prev_paragraph = None;
            i += 1;
            continue;
        }
        let Some(open) = fence(s) else {
            prev_paragraph = (!s.trim().is_empty()).then_some(i);
            i += 1;
            continue;
        };
        prev_paragraph = None;
        // The block's content lines, up to the closing fence.
        let first = i + 1;
        let mut j = first;
        let mut reopened = false;
        while j < ls.len() {
            let t = line(&ls[j]);
            if closes(t, &open) {
                break;
            }
            if let Some(f) = fence(t)
                && f.ch == open.ch
                && f.len >= open.len
                && !f.info.is_empty()
                && matches!(tag(&f.info), Tag::Kql(_))
            {
                reopened = true;
                break;
            }
            j += 1;
        }
        let skip = std::mem::take(&mut skip_next);
        let t = tag(&open.info);
        let body: Vec<Line> = ls[first..j].to_vec();
        let body_text: String = body
            .iter()
            .map(|l| strip_indent(line(l), open.indent))
            .collect::<Vec<_>>()
            .join("\n");
        let take = !skip
            && has_identifier(&body_text)
            && match &t {
                Tag::Kql(_) => true,
                Tag::NotKql(_) => false,
                Tag::Untagged | Tag::Other(_) => untagged && looks_like_kql(&body_text),
            };
        if reopened && take {
            let at = (l.start + open.indent) as u32;
            found.diagnostics.push(
                Diagnostic::new(
                    &UNCLOSED_FENCE,
                    Span::new(at, at + open.len as u32),
                    format!(
                        "this code block is not closed before the fence at line {} opens another; \
                         Markdown reads everything up to the next bare fence as code",
                        j + 1
                    ),
                )
                .with_help(format!(
                    "close the block with a line of {} before the next block",
                    String::from_utf8(vec![open.ch; open.len]).unwrap_or_default()
                )),
            );
        }
        if take {
            let mut b = MapBuilder::default();
            let mut crlf = false;
            for l in &body {
                let s = line(l);
                let strip = s.len() - strip_indent(s, open.indent).len();
                b.verbatim(text, l.start + strip, l.end);
                if l.brk > 0 {
                    crlf |= l.brk == 2;
                    b.line_break(text, l.end, l.brk);
                } else {
                    // The last line of a file that ends inside the block.
                    b.produced("\n", l.end, 0);
                }
            }
            let start = body.first().map_or(l.end + l.brk, |f| f.start);
            let end = body.last().map_or(start, |f| f.end);
            let origin = QueryOrigin::Markdown {
                tag: match &t {
                    Tag::Kql(w) | Tag::Other(w) | Tag::NotKql(w) => Some(w.clone()),
                    Tag::Untagged => None,
                },
            };
            let mut q = QuerySource::mapped(
                b,
                Span::new(start as u32, end.max(start) as u32),
                QueryStyle::Fence,
                origin,
                Precision::Exact,
                lossy,
            )
            .with_fence_indent(open.indent as u32, crlf);
            q.script = true;
            q.platform = headings
                .iter()
                .rev()
                .find_map(|(_, p, _)| *p)
                .or(file_platform);
            q.label = headings
                .last()
                .map(|(_, _, t)| t.clone())
                .filter(|t| !t.is_empty());
            found.queries.push(q);
        }
        i = if reopened { j } else { j + 1 };
    }
    found
}

/// A line without up to `indent` leading spaces (a fence's indentation).
fn strip_indent(s: &str, indent: usize) -> &str {
    let n = s.bytes().take(indent).take_while(|&c| c == b' ').count();
    &s[n..]
}

/// Whether the text holds at least one two-character name (an empty block,
/// `N/A` or `...` is not a query).
fn has_identifier(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(2).any(|w| {
        (w[0].is_ascii_alphabetic() || w[0] == b'_')
            && (w[1].is_ascii_alphanumeric() || w[1] == b'_')
    })
}

/// Keywords that start a KQL query (besides a bare table or function name).
const START_KEYWORDS: [&str; 12] = [
    "let",
    "union",
    "search",
    "find",
    "print",
    "range",
    "datatable",
    "externaldata",
    "evaluate",
    "set",
    "declare",
    "materialize",
];

/// Tabular operators that follow a pipe.
const PIPE_OPS: [&str; 45] = [
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "project-smart",
    "mv-expand",
    "mv-apply",
    "make-series",
    "top-nested",
    "top-hitters",
    "parse-where",
    "parse-kv",
    "sample-distinct",
    "where",
    "project",
    "extend",
    "summarize",
    "join",
    "union",
    "take",
    "limit",
    "top",
    "distinct",
    "count",
    "parse",
    "render",
    "evaluate",
    "lookup",
    "invoke",
    "as",
    "serialize",
    "sample",
    "getschema",
    "search",
    "scan",
    "partition",
    "facet",
    "fork",
    "filter",
    "reduce",
    "summarise",
    "order",
    "sort",
    "extend-series",
    "make-graph",
];

/// Characters that hide in pasted text (zero-width spaces, a byte-order
/// mark, a no-break space) and are ignored around a line.
const INVISIBLE: [char; 6] = [
    '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '\u{a0}',
];

/// The heuristic for untagged and mislabelled blocks: ignoring blank lines
/// and `//` comment lines, the text starts like a KQL query (a start
/// keyword such as `let`, `union`, `print`, `datatable`; a `(`; or a bare
/// name, optionally called, or a member of a call's result such as
/// `arg("").Resources`, followed by nothing, a `|` or a comment) and
/// has a tabular operator after a pipe (`| where`, `| project`, `| sort by`,
/// ...; `| where {` is PowerShell's, not KQL's). So `DeviceEvents | where
/// ...` is taken, while SPL (`index=x | stats`), PowerShell (`Get-X |
/// where {...}`), shell pipelines and prose are not.
pub fn looks_like_kql(text: &str) -> bool {
    let significant: Vec<&str> = text
        .lines()
        .map(|l| l.trim().trim_matches(INVISIBLE).trim())
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .collect();
    let Some(first) = significant.first() else {
        return false;
    };
    if !starts_like_kql(first) {
        return false;
    }
    has_pipe_operator(&significant.join("\n"))
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn starts_like_kql(line: &str) -> bool {
    let b = line.as_bytes();
    if b.first() == Some(&b'(') {
        return true;
    }
    let word_len = b.iter().take_while(|&&c| is_ident(c)).count();
    if word_len == 0 || !is_ident_start(b[0]) {
        return false;
    }
    let word = &line[..word_len];
    if START_KEYWORDS.contains(&word) {
        // `let` followed by `=` or `:` is an assignment in another language.
        let rest = line[word_len..].trim_start();
        if !rest.starts_with(['=', ':']) {
            return true;
        }
    }
    // A bare name, optionally called, optionally a member of a call's
    // result: `T`, `T | ...`, `F(1, (2))`, `T // c`, `arg("").Resources`,
    // `cluster('c').database('d').T`.
    let mut rest = line;
    loop {
        let b = rest.as_bytes();
        let word_len = b.iter().take_while(|&&c| is_ident(c)).count();
        if word_len == 0 || !is_ident_start(b[0]) {
            return false;
        }
        rest = rest[word_len..].trim_start();
        let called = rest.starts_with('(');
        if called {
            let mut depth = 0usize;
            let mut end = None;
            for (k, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(k + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(end) = end else { return false };
            rest = rest[end..].trim_start();
        }
        // Only a call's result has members (`arg("").T`, not `os.path`).
        match rest.strip_prefix('.').filter(|_| called) {
            Some(member) => rest = member,
            None => break,
        }
    }
    rest.is_empty() || rest.starts_with('|') || rest.starts_with("//")
}

fn has_pipe_operator(body: &str) -> bool {
    let b = body.as_bytes();
    for (i, _) in body.match_indices('|') {
        // Before: a name, `)` or `]` (skipping white space), or the line start.
        let before = body[..i].trim_end_matches([' ', '\t', '\n', '\r']);
        let ok_before = match before.as_bytes().last() {
            None => true,
            Some(&c) => {
                is_ident(c)
                    || c == b')'
                    || c == b']'
                    || body[..i]
                        .rfind('\n')
                        .is_some_and(|nl| body[nl + 1..i].trim().is_empty())
            }
        };
        if !ok_before || b.get(i + 1) == Some(&b'|') || (i > 0 && b[i - 1] == b'|') {
            continue;
        }
        let after = body[i + 1..].trim_start();
        let len = after
            .bytes()
            .take_while(|&c| c.is_ascii_alphabetic() || c == b'-')
            .count();
        let word = after[..len].to_ascii_lowercase();
        let rest = &after[len..];
        let op = if matches!(word.as_str(), "sort" | "order") {
            let r = rest.trim_start();
            rest.len() > r.len()
                && r.get(..2).is_some_and(|by| by.eq_ignore_ascii_case("by"))
                && r.as_bytes().get(2).is_none_or(|&c| !is_ident(c))
        } else {
            PIPE_OPS.contains(&word.as_str())
                && (rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r', '(']))
                && !rest.trim_start().starts_with('{')
        };
        if op {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queries(md: &str) -> Vec<(String, Option<PlatformHint>)> {
        extract(md, false, &SourceOptions::default())
            .queries
            .into_iter()
            .map(|q| (q.text, q.platform))
            .collect()
    }

    #[test]
    fn the_heuristic() {
        assert!(looks_like_kql("DeviceEvents\n| where ActionType == 'x'\n"));
        assert!(looks_like_kql("// c\nlet x = 1;\nT | project a"));
        assert!(looks_like_kql("SigninLogs | sort by TimeGenerated"));
        assert!(looks_like_kql("union A, B\n| summarize count() by X"));
        assert!(!looks_like_kql("index=main | stats count by host"));
        assert!(!looks_like_kql("Get-Process | where { $_.CPU -gt 1 }"));
        assert!(!looks_like_kql("ps aux | grep x"));
        assert!(!looks_like_kql("let x = 5\nprint(x)"));
        assert!(!looks_like_kql("SELECT * FROM T WHERE a = 1"));
        assert!(!looks_like_kql("| where x"));
        assert!(!looks_like_kql("DeviceEvents"));
        // a member of a call: cross-service and cross-cluster queries
        assert!(looks_like_kql("arg(\"\").Resources\n| distinct type\n"));
        assert!(looks_like_kql("cluster('c').database('d').T | take 1"));
        assert!(!looks_like_kql("os.path.join(a) | where x"));
        assert!(!looks_like_kql("a. | where x"));
    }

    #[test]
    fn tags_untagged_and_mislabelled_blocks() {
        let md = "# T\n\n```KQL\nSecurityEvent\n```\n\n```\nDeviceEvents | where A == 1\n```\n\n\
                  ```C#\nDeviceEvents\n| take 1\n```\n\n```spl\nindex=x | where a=1\n```\n\n\
                  ```powershell\nGet-Item x | where { $_ }\n```\n\n```kusto\nN/A\n```\n";
        let q: Vec<String> = queries(md).into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            q,
            [
                "SecurityEvent\n",
                "DeviceEvents | where A == 1\n",
                "DeviceEvents\n| take 1\n"
            ]
        );
        let off = extract(
            "<!-- kqlint: untagged off -->\n```\nTb | where a\n```\n```kql\nTb\n```\n",
            false,
            &SourceOptions::default(),
        );
        assert_eq!(off.queries.len(), 1);
        let skipped = queries("<!-- kqlint: skip -->\n\n```kql\nTa\n```\n```kql\nUb\n```\n");
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, "Ub\n");
        assert!(queries("<!-- kqlint: skip-file -->\n```kql\nTa\n```\n").is_empty());
    }

    #[test]
    fn headings_and_front_matter_name_the_platform() {
        let md = "---\ntitle: x\ntags: [Sentinel]\n---\n# Detect\n```kql\nTA\n```\n\
                  ## Defender XDR\n```kql\nTB\n```\n### Variant\n```kql\nTC\n```\n\
                  ## Microsoft Sentinel\n```kql\nTD\n```\n## Defender for Cloud alerts\n```kql\nTE\n```\n";
        let q = queries(md);
        let p: Vec<_> = q.iter().map(|(_, p)| *p).collect();
        use PlatformHint::*;
        assert_eq!(
            p,
            [
                Some(Sentinel),
                Some(Defender),
                Some(Defender),
                Some(Sentinel),
                Some(Sentinel)
            ]
        );
        assert_eq!(platform_named("MDE: Sentinel version"), Some(Sentinel));
        assert_eq!(
            platform_named("Microsoft Defender for Cloud Apps"),
            Some(Defender)
        );
        assert_eq!(platform_named("Advanced Hunting"), Some(Defender));
        assert_eq!(platform_named("Log Analytics"), Some(Sentinel));
        assert_eq!(platform_named("Defender for Cloud"), None);
        assert_eq!(platform_named("Setext\n"), None);
        let setext = queries("Defender XDR\n---\n```kql\nTx\n```\n");
        assert_eq!(setext[0].1, Some(Defender));
    }

    #[test]
    fn positions_are_exact_in_indented_and_crlf_fences() {
        let md = "- item\n\n   ```kql\r\n   T\r\n   | where A\r\n   ```\r\n";
        let f = extract(md, false, &SourceOptions::default());
        let q = &f.queries[0];
        assert_eq!(q.text, "T\n| where A\n");
        assert!(q.is_exact());
        let a = md.find("A\r").unwrap() as u32;
        assert_eq!(q.map_offset(10), a);
        assert_eq!(
            &md[q.map_offset(2) as usize..q.map_offset(2) as usize + 1],
            "|"
        );
    }

    #[test]
    fn an_unclosed_block_ends_where_the_next_one_opens() {
        let md = "```kql\nT | take 1\n\nSome prose.\n```kql\nUb\n```\n";
        let f = extract(md, false, &SourceOptions::default());
        assert_eq!(f.queries.len(), 2);
        assert_eq!(f.queries[0].text, "T | take 1\n\nSome prose.\n");
        assert_eq!(f.queries[1].text, "Ub\n");
        assert_eq!(f.diagnostics.len(), 1);
        assert_eq!(f.diagnostics[0].code, "KQL508");
    }

    #[test]
    fn a_bad_directive_is_reported() {
        let f = extract(
            "<!-- kqlint: ignore -->\n",
            false,
            &SourceOptions::default(),
        );
        assert_eq!(f.diagnostics[0].code, "KQL509");
        assert_eq!(f.diagnostics[0].span, Span::new(13, 19));
    }
}
