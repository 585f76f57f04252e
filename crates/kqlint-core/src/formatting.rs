//! `kqlint fmt`: formatting a file's KQL with `kql_format`, and writing the
//! result back into the file it came from.
//!
//! - A query file (`.kql`, `.csl`, `.kusto`) is formatted whole.
//! - In a rule YAML file only the query is formatted, and only when it is
//!   a `|` block scalar: the formatted query goes back through the mapping
//!   `--fix` uses (`QuerySource::map_fix`), which re-indents it for the
//!   block and re-reads the edited file to check that it reads back as the
//!   formatted query with the YAML around it untouched.
//! - In Markdown, the body of each fence tagged as KQL (`kql`, `kusto`,
//!   `csl`) is formatted, through the same mapping (the fence's
//!   indentation; the edited file is read again). Untagged fences, which
//!   `check` takes by a guess, are left alone.
//! - In JSON (ARM templates, Defender XDR detection rules), each query
//!   string is written again as a JSON string: every token and comment with
//!   the very escapes it had in the file, the new white space with the
//!   string's own escapes for line breaks. The edited file is read again
//!   and must give the formatted queries; bytes outside the strings are
//!   not touched.

pub use kql_format::{FormatError, FormatOptions, PipeStyle};
use kql_syntax::TokenKind;
use kqlint_diagnostics::{Edit, Fix, Span};
use kqlint_source::{Limits, QueryOrigin, QuerySource, QueryStyle, Source, SourceKind};
use std::path::Path;

/// What formatting a file's text gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Formatted {
    /// The new text of the whole file.
    Changed(String),
    /// The new text of the whole file, in which some queries (of several)
    /// were left as they were: where each is and why.
    Partly(String, Vec<String>),
    /// Already formatted.
    Unchanged,
    /// Left as it is, and why (syntax errors, not a block scalar...).
    Refused(String),
    /// Not a file `fmt` formats (by its extension, or a file without a
    /// query it formats): skipped silently when found in a directory.
    NotKql(String),
}

/// Whether `fmt` takes a file by its name: query files, YAML, Markdown and
/// JSON files.
pub fn formats(path: &Path) -> bool {
    kind_of(path).is_some()
}

/// The kind of file `fmt` reads a path as, if any.
pub fn kind_of(path: &Path) -> Option<SourceKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "kql" | "csl" | "kusto" => Some(SourceKind::Kql),
        "yaml" | "yml" => Some(SourceKind::Yaml),
        "md" | "markdown" => Some(SourceKind::Markdown),
        "json" => Some(SourceKind::Json),
        _ => None,
    }
}

/// Standard input (`-`) is a query file.
fn kind_for(path: &Path) -> Option<SourceKind> {
    if path.as_os_str() == "-" {
        Some(SourceKind::Kql)
    } else {
        kind_of(path)
    }
}

/// Formats the text of the file at `path` (standard input is a query file
/// named `-`); nothing is read or written here.
pub fn format_file_text(path: &Path, text: &str, options: &FormatOptions) -> Formatted {
    format_as(path, kind_for(path), text, options)
}

/// [`format_file_text`] for a text whose kind is known otherwise (an
/// editor buffer's language).
pub fn format_as(
    path: &Path,
    kind: Option<SourceKind>,
    text: &str,
    options: &FormatOptions,
) -> Formatted {
    let Some(kind) = kind else {
        return Formatted::NotKql(
            "not a query file (.kql, .csl, .kusto), rule YAML, Markdown or JSON file".into(),
        );
    };
    let plan = match plan(path, kind, text, options, None) {
        Ok(p) => p,
        Err(outcome) => return outcome,
    };
    let Some(after) = kqlint_diagnostics::apply_edits(text, &plan.edits) else {
        return Formatted::Refused("not formatted: the edits overlap".into());
    };
    match (after == text, plan.refused.is_empty()) {
        (true, true) => Formatted::Unchanged,
        (true, false) => Formatted::Refused(plan.refused.join("; ")),
        (false, true) => Formatted::Changed(after),
        (false, false) => Formatted::Partly(after, plan.refused),
    }
}

/// The edits (in file coordinates, sorted) that format the top-level
/// statements of a file's queries that `range` touches (a JSON query
/// string is formatted whole); `Err` says why nothing is formatted.
pub fn format_range_as(
    path: &Path,
    kind: Option<SourceKind>,
    text: &str,
    options: &FormatOptions,
    range: Span,
) -> Result<Vec<Edit>, String> {
    let kind = kind.ok_or("not a file kqlint formats")?;
    match plan(path, kind, text, options, Some(range)) {
        Ok(p) if p.edits.is_empty() && !p.refused.is_empty() => Err(p.refused.join("; ")),
        Ok(p) => Ok(p.edits),
        Err(Formatted::Refused(why) | Formatted::NotKql(why)) => Err(why),
        Err(_) => Ok(Vec::new()),
    }
}

/// What formatting a file's queries comes to.
struct Plan {
    /// File edits, sorted and apart.
    edits: Vec<Edit>,
    /// Queries left as they were, with where (when there may be several)
    /// and why.
    refused: Vec<String>,
}

/// The edits that format a file's queries (those `range` touches, when
/// given). `Err` is the outcome when there is nothing to edit at all.
fn plan(
    path: &Path,
    kind: SourceKind,
    text: &str,
    options: &FormatOptions,
    range: Option<Span>,
) -> Result<Plan, Formatted> {
    let mut plan = Plan {
        edits: Vec::new(),
        refused: Vec::new(),
    };
    match kind {
        SourceKind::Kql => {
            let options = FormatOptions {
                script: true,
                ..options.clone()
            };
            let edit = match range {
                None => kql_format::format(text, &options).map(|out| {
                    (out != text).then(|| Edit {
                        span: Span::new(0, text.len() as u32),
                        replacement: out,
                    })
                }),
                Some(r) => kql_format::format_range(text, &options, r.range()).map(|e| {
                    e.map(|(span, new)| Edit {
                        span: Span::new(span.start as u32, span.end as u32),
                        replacement: new,
                    })
                }),
            };
            match edit {
                Ok(e) => plan.edits.extend(e),
                Err(e) => return Err(Formatted::Refused(e.to_string())),
            }
        }
        SourceKind::Yaml => {
            let source = Source::from_text(path, text, SourceKind::Yaml, &Limits::default());
            let Some(q) = source.query() else {
                return Err(Formatted::NotKql("no query in this YAML file".into()));
            };
            if q.style != QueryStyle::Literal {
                return Err(Formatted::Refused(format!(
                    "not formatted: the query is not a `|` block scalar ({:?}); only block scalars are formatted",
                    q.style
                )));
            }
            match mapped_edits(q, text, options, range) {
                Ok(edits) => plan.edits = edits,
                Err(why) => return Err(Formatted::Refused(why)),
            }
        }
        SourceKind::Markdown => {
            let source = Source::from_text(path, text, SourceKind::Markdown, &Limits::default());
            let fences: Vec<&QuerySource> =
                source.queries.iter().filter(|q| kql_fence(q)).collect();
            if fences.is_empty() {
                return Err(Formatted::NotKql("no ```kql or ```kusto block".into()));
            }
            for q in fences.into_iter().filter(|q| touches(q, range)) {
                match mapped_edits(q, text, options, range) {
                    Ok(edits) => plan.edits.extend(edits),
                    Err(why) => plan
                        .refused
                        .push(format!("the block at line {}: {why}", line_of(text, q))),
                }
            }
        }
        SourceKind::Json => {
            let source = Source::from_text(path, text, SourceKind::Json, &Limits::default());
            let strings: Vec<&QuerySource> = source
                .queries
                .iter()
                .filter(|q| q.style == QueryStyle::JsonString)
                .collect();
            if strings.is_empty() {
                return Err(Formatted::NotKql(
                    "no query of an ARM template or Defender XDR rule".into(),
                ));
            }
            // The formatted text of each query string that changes, by span
            // (two rules may share a variable's string).
            let mut expected: Vec<(Span, String)> = Vec::new();
            for q in strings.into_iter().filter(|q| touches(q, range)) {
                if expected.iter().any(|(span, _)| *span == q.value_span) {
                    continue;
                }
                match json_edit(q, text, options) {
                    Ok(Some((e, formatted))) => {
                        expected.push((e.span, formatted));
                        plan.edits.push(e);
                    }
                    Ok(None) => {}
                    Err(why) => plan
                        .refused
                        .push(format!("the query at line {}: {why}", line_of(text, q))),
                }
            }
            plan.edits.sort_by_key(|e| e.span.start);
            if !plan.edits.is_empty()
                && !json_reads_back(path, text, &source, &plan.edits, &expected)
            {
                return Err(Formatted::Refused(
                    "not formatted: the formatted queries could not be written back into the JSON exactly"
                        .into(),
                ));
            }
        }
        SourceKind::Bicep => {
            return Err(Formatted::NotKql("Bicep files are not formatted".into()));
        }
    }
    Ok(plan)
}

/// A Markdown fence tagged as KQL (not one taken by the guess for untagged
/// or mislabelled fences).
fn kql_fence(q: &QuerySource) -> bool {
    q.style == QueryStyle::Fence
        && matches!(&q.origin, QueryOrigin::Markdown { tag: Some(t) }
            if kqlint_source::markdown::KQL_TAGS.contains(&t.as_str()))
}

/// Whether a query's value overlaps the range (every query without one).
fn touches(q: &QuerySource, range: Option<Span>) -> bool {
    range.is_none_or(|r| q.value_span.start <= r.end && r.start <= q.value_span.end)
}

/// The 1-based line a query's value starts on.
fn line_of(text: &str, q: &QuerySource) -> usize {
    let at = (q.value_span.start as usize).min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The file edits that format a query whose mapping is exact (a `|` block,
/// a Markdown fence): whole, or the statements `range` touches.
fn mapped_edits(
    q: &QuerySource,
    text: &str,
    options: &FormatOptions,
    range: Option<Span>,
) -> Result<Vec<Edit>, String> {
    let options = FormatOptions {
        script: q.script,
        ..options.clone()
    };
    let edit = match range {
        None => {
            let formatted = kql_format::format(&q.text, &options).map_err(|e| e.to_string())?;
            if formatted == q.text {
                return Ok(Vec::new());
            }
            // From the query's first to its last character that is not
            // white space: a block's leading blank lines and final line
            // breaks (its chomping) stay as they are.
            let start = q.text.len() - q.text.trim_start().len();
            let end = q.text.trim_end().len().max(start);
            Edit {
                span: Span::new(start as u32, end as u32),
                replacement: formatted.trim().to_owned(),
            }
        }
        Some(r) => {
            let r = to_query(q, r.start)..to_query(q, r.end);
            match kql_format::format_range(&q.text, &options, r).map_err(|e| e.to_string())? {
                None => return Ok(Vec::new()),
                Some((span, new)) => Edit {
                    span: Span::new(span.start as u32, span.end as u32),
                    replacement: new,
                },
            }
        }
    };
    let fix = Fix::safe("format the query", vec![edit]);
    match q.map_fix(&fix, text) {
        Some(f) => Ok(f.edits),
        None => Err(
            "not formatted: the formatted query could not be written back into the file exactly"
                .into(),
        ),
    }
}

/// The query offset of a file offset: the first query character at or
/// after it (the query's end when none is).
fn to_query(q: &QuerySource, at: u32) -> usize {
    q.text
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| q.map_offset(i as u32) >= at)
        .unwrap_or(q.text.len())
}

/// The edit that puts the formatted query into its JSON string, with the
/// formatted query, if it changes.
fn json_edit(
    q: &QuerySource,
    text: &str,
    options: &FormatOptions,
) -> Result<Option<(Edit, String)>, String> {
    let options = FormatOptions {
        script: false,
        ..options.clone()
    };
    let formatted = kql_format::format(&q.text, &options).map_err(|e| e.to_string())?;
    if formatted == q.text {
        return Ok(None);
    }
    let replacement = json_string(text, q, &formatted).ok_or(
        "not formatted: the formatted query could not be written as the JSON string it was",
    )?;
    Ok(Some((
        Edit {
            span: q.value_span,
            replacement,
        },
        formatted,
    )))
}

/// The JSON string, quotes included, that holds `formatted` in place of
/// the query `q` of the file `text`. Formatting keeps every token, so each
/// token and comment is copied from the file with the escapes it had there
/// (`\"`, `\u0027`, `\/`...); only the white space between them is new, its
/// line breaks escaped as the string's own were (`\n`, `\r\n`). `None`
/// when the tokens do not line up or the value is not a plain JSON string.
fn json_string(text: &str, q: &QuerySource, formatted: &str) -> Option<String> {
    let value = text.get(q.value_span.range())?;
    if value.len() < 2 || !value.starts_with('"') || !value.ends_with('"') || q.text.is_empty() {
        return None;
    }
    let raw = |s: usize, e: usize| text.get(q.map_span(Span::new(s as u32, e as u32)).range());
    // How the string wrote its line breaks (the first of each kind).
    let escape_of = |c: char, default: &'static str| -> String {
        q.text
            .char_indices()
            .find(|&(_, ch)| ch == c)
            .and_then(|(i, ch)| raw(i, i + ch.len_utf8()))
            .filter(|r| r.starts_with('\\') || *r == c.to_string())
            .unwrap_or(default)
            .to_owned()
    };
    let (lf, cr) = (escape_of('\n', "\\n"), escape_of('\r', "\\r"));
    // The tokens of the query that are not white space, with their spans
    // (a comment's without the trailing white space the layout drops).
    let solid = |src: &str| -> Vec<(TokenKind, usize, usize)> {
        kql_syntax::lex(src)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Whitespace)
            .map(|t| {
                let (s, e) = (t.span.start as usize, t.span.end as usize);
                let e = if t.kind == TokenKind::Comment {
                    s + src[s..e].trim_end().len()
                } else {
                    e
                };
                (t.kind, s, e)
            })
            .collect()
    };
    let before = solid(&q.text);
    let mut out = String::with_capacity(value.len() + formatted.len() / 4);
    // The opening quote (and what the query leaves out, ARM's `[[` escape).
    out.push_str(text.get(q.value_span.start as usize..q.map_offset(0) as usize)?);
    let mut next = before.iter();
    let mut at = 0;
    for (kind, s, e) in solid(formatted) {
        escape_space(&formatted[at..s], &lf, &cr, &mut out)?;
        let &(k, bs, be) = next.next()?;
        if k != kind || q.text[bs..be] != formatted[s..e] {
            return None;
        }
        out.push_str(raw(bs, be)?);
        at = e;
    }
    escape_space(&formatted[at..], &lf, &cr, &mut out)?;
    if next.next().is_some() {
        return None;
    }
    out.push('"');
    Some(out)
}

/// White space the layout wrote, as JSON string content.
fn escape_space(ws: &str, lf: &str, cr: &str, out: &mut String) -> Option<()> {
    for c in ws.chars() {
        match c {
            '\n' => out.push_str(lf),
            '\r' => out.push_str(cr),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if c.is_whitespace() || c == '\u{feff}' => out.push(c),
            _ => return None,
        }
    }
    Some(())
}

/// Whether the JSON file with `edits` applied reads back as the same
/// queries, each edited one as its formatted text (`expected`, by the
/// span of its string) and every other as it was.
fn json_reads_back(
    path: &Path,
    text: &str,
    source: &Source,
    edits: &[Edit],
    expected: &[(Span, String)],
) -> bool {
    let Some(edited) = kqlint_diagnostics::apply_edits(text, edits) else {
        return false;
    };
    let again = Source::from_text(path, edited.as_str(), SourceKind::Json, &Limits::default());
    again.queries.len() == source.queries.len()
        && again.diagnostics.len() == source.diagnostics.len()
        && source.queries.iter().zip(&again.queries).all(|(b, a)| {
            match expected.iter().find(|(span, _)| *span == b.value_span) {
                Some((_, formatted)) => a.text == *formatted,
                None => a.text == b.text,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(path: &str, text: &str) -> Formatted {
        format_file_text(Path::new(path), text, &FormatOptions::default())
    }

    #[test]
    fn a_rule_query_is_reindented_in_its_block() {
        let yaml = "id: x\nquery: |\n  T | where a==1\n  | take 1\nseverity: High\n";
        assert_eq!(
            fmt("r.yaml", yaml),
            Formatted::Changed(
                "id: x\nquery: |\n  T\n  | where a == 1\n  | take 1\nseverity: High\n".into()
            )
        );
    }

    #[test]
    fn a_kept_block_keeps_its_final_line_breaks() {
        let yaml = "query: |+\n    T | take 1\n\n\nid: x\n";
        assert_eq!(
            fmt("r.yaml", yaml),
            Formatted::Changed("query: |+\n    T\n    | take 1\n\n\nid: x\n".into())
        );
    }

    #[test]
    fn a_block_starting_with_a_blank_line_keeps_it() {
        let yaml = "query: |\n\n  T | take 1\nid: x\n";
        assert_eq!(
            fmt("r.yaml", yaml),
            Formatted::Changed("query: |\n\n  T\n  | take 1\nid: x\n".into())
        );
    }

    #[test]
    fn a_plain_scalar_is_left_alone() {
        let got = fmt("r.yaml", "query: T | take 1\n");
        assert!(
            matches!(got, Formatted::Refused(ref m) if m.contains("block scalar")),
            "{got:?}"
        );
    }

    #[test]
    fn a_query_file_is_formatted_whole() {
        assert_eq!(
            fmt("q.kusto", "T | take 1\n"),
            Formatted::Changed("T\n| take 1\n".into())
        );
        assert_eq!(fmt("q.kql", "T\n| take 1\n"), Formatted::Unchanged);
    }

    const MD: &str = "# Hunting\n\nRun `T|take 1` first.\n\n```kql\nT | where a==1 | take 1\n```\n\n- item\n\n  ```Kusto\n  U|take 2\n  ```\n\n```\nV | where b==2\n```\n";

    #[test]
    fn markdown_kql_fences_are_formatted_and_nothing_else() {
        assert_eq!(
            fmt("README.md", MD),
            Formatted::Changed(
                "# Hunting\n\nRun `T|take 1` first.\n\n```kql\nT\n| where a == 1\n| take 1\n```\n\n- item\n\n  ```Kusto\n  U\n  | take 2\n  ```\n\n```\nV | where b==2\n```\n"
                    .into()
            )
        );
        assert_eq!(
            fmt("a.md", "no fences\n"),
            Formatted::NotKql("no ```kql or ```kusto block".into())
        );
    }

    #[test]
    fn a_markdown_fence_with_syntax_errors_is_named_the_others_formatted() {
        let md = "```kql\nT | where (\n```\n\n```kql\nU|take 2\n```\n";
        match fmt("a.md", md) {
            Formatted::Partly(text, refused) => {
                assert_eq!(
                    text,
                    "```kql\nT | where (\n```\n\n```kql\nU\n| take 2\n```\n"
                );
                assert_eq!(refused.len(), 1);
                assert!(
                    refused[0].starts_with(
                        "the block at line 2: not formatted: the query has 1 syntax error"
                    ),
                    "{refused:?}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    const ARM: &str = r#"{
  "resources": [
    {
      "type": "Microsoft.OperationalInsights/workspaces/providers/alertRules",
      "kind": "Scheduled",
      "properties": {
        "displayName": "A",
        "query": "SigninLogs\r\n| where ResultType==\"0\" and UserPrincipalName has \u0027admin\u0027 // see \u003chttps:\/\/x\u003e\r\n| summarize count() by UserPrincipalName",
        "severity": "Low"
      }
    },
    {
      "type": "Microsoft.SecurityInsights/alertRules",
      "properties": {"query": "[['T'] | where y==1"}
    }
  ]
}
"#;

    #[test]
    fn arm_query_strings_keep_their_escapes() {
        let Formatted::Changed(after) = fmt("t.json", ARM) else {
            panic!("{:?}", fmt("t.json", ARM));
        };
        let want = ARM
            .replace(r#"ResultType==\"0\""#, r#"ResultType == \"0\""#)
            .replace(r#""[['T'] | where y==1""#, r#""[['T']\n| where y == 1""#);
        assert_eq!(after, want);
        assert_eq!(fmt("t.json", &after), Formatted::Unchanged);
    }

    #[test]
    fn an_arm_query_with_syntax_errors_is_named() {
        let json = r#"{"resources": [{"type": "Microsoft.SecurityInsights/alertRules",
  "properties": {"query": "T | where ("}}]}"#;
        let got = fmt("t.json", json);
        assert!(
            matches!(&got, Formatted::Refused(m) if m.starts_with("the query at line 2: not formatted")),
            "{got:?}"
        );
        assert!(matches!(
            fmt("package.json", "{\"name\": \"x\"}"),
            Formatted::NotKql(_)
        ));
    }

    #[test]
    fn long_lines_wrap_in_json_strings_with_the_string_s_line_breaks() {
        let json = "{\"kind\": \"Scheduled\", \"properties\": {\"query\": \"T | project aaaa, bbbb, cccc\"}}";
        let options = FormatOptions {
            line_width: 20,
            ..FormatOptions::default()
        };
        assert_eq!(
            format_file_text(Path::new("r.json"), json, &options),
            Formatted::Changed(
                "{\"kind\": \"Scheduled\", \"properties\": {\"query\": \"T\\n| project aaaa,\\n    bbbb,\\n    cccc\"}}".into()
            )
        );
    }

    #[test]
    fn a_range_formats_the_statements_it_touches() {
        let yaml = "query: |\n  let a = 1+2;\n  let b = 3+4;\n  T | take 1\nid: x\n";
        let at = yaml.find("let b").unwrap() as u32;
        let edits = format_range_as(
            Path::new("r.yaml"),
            Some(SourceKind::Yaml),
            yaml,
            &FormatOptions::default(),
            Span::new(at, at),
        )
        .unwrap();
        assert_eq!(
            kqlint_diagnostics::apply_edits(yaml, &edits).unwrap(),
            "query: |\n  let a = 1+2;\n  let b = 3 + 4;\n  T | take 1\nid: x\n"
        );
        // in a query file, and a range over nothing to format
        let kql = "T|take 1\n\nU\n| take 2\n";
        let edits = format_range_as(
            Path::new("q.kql"),
            Some(SourceKind::Kql),
            kql,
            &FormatOptions::default(),
            Span::new(0, 1),
        )
        .unwrap();
        assert_eq!(
            kqlint_diagnostics::apply_edits(kql, &edits).unwrap(),
            "T\n| take 1\n\nU\n| take 2\n"
        );
        let edits = format_range_as(
            Path::new("q.kql"),
            Some(SourceKind::Kql),
            kql,
            &FormatOptions::default(),
            Span::new(12, 14),
        )
        .unwrap();
        assert!(edits.is_empty());
    }
}
