//! Inline suppressions: `// kqlint-disable-next-line RULE[, RULE] -- reason`,
//! `// kqlint-disable-line RULE` (at the end of the line it silences) and
//! `// kqlint-disable-file RULE` in KQL, and the same with `#` as YAML
//! comments in rule files. The grammar is `kql_lint::suppression`'s; this
//! module finds the comments, applies them to a file's diagnostics and
//! reports the ones that suppress nothing or cannot be read.

use crate::registry;
use crate::report::SourceText;
use kql_lint::suppression::{self, INVALID_SUPPRESSION, Scope, UNUSED_SUPPRESSION};
use kqlint_diagnostics::{Diagnostic, Span};
use kqlint_source::{QuerySource, YamlKind, YamlNode};

struct Named {
    code: &'static str,
    written: String,
    /// The name's span in the file.
    span: Span,
    used: bool,
}

struct Entry {
    scope: Scope,
    /// For `disable-file` in one of several queries of a file (a Markdown
    /// block, an ARM rule): the query's span in the file, which the
    /// directive is limited to.
    within: Option<Span>,
    /// For `disable-next-line`: the 1-based file line it applies to
    /// (`None`: the comment is on the last line); for `disable-line`, the
    /// comment's own line.
    line: Option<u32>,
    rules: Vec<Named>,
}

/// The suppression comments of one file.
#[derive(Default)]
pub(crate) struct Suppressions {
    entries: Vec<Entry>,
    problems: Vec<Diagnostic>,
}

impl Suppressions {
    /// Reads the directives in a query's comments (`comments` are spans
    /// into `query.text`). With `scoped`, a `disable-file` directive applies
    /// to this query only (a file with several queries).
    pub(crate) fn add_query(
        &mut self,
        file: &SourceText,
        query: &QuerySource,
        comments: &[Span],
        scoped: bool,
    ) {
        let within = scoped.then_some(query.value_span);
        for c in comments {
            let text = c.text(&query.text);
            let Some(parsed) = suppression::parse(text) else {
                continue;
            };
            let to_file = |r: std::ops::Range<usize>| {
                query.map_span(Span::new(c.start + r.start as u32, c.start + r.end as u32))
            };
            let line = match &parsed {
                Ok(d) if d.scope == Scope::Line => {
                    Some(file.position(query.map_offset(c.start)).line)
                }
                _ => query.text[c.end as usize..]
                    .find('\n')
                    .map(|i| c.end as usize + i + 1)
                    .filter(|&n| n < query.text.len())
                    .map(|n| file.position(query.map_offset(n as u32)).line),
            };
            self.add(parsed, line, within, to_file);
        }
    }

    /// Reads the directives in a Markdown file's HTML comments
    /// (`<!-- kqlint-disable-next-line RULE -->` on the line before a
    /// finding, `<!-- kqlint-disable-file RULE -->` for the whole file).
    pub(crate) fn add_markdown(&mut self, file: &SourceText) {
        let text = &file.text;
        let mut at = 0usize;
        for (i, line) in text.split('\n').enumerate() {
            let start = at;
            at += line.len() + 1;
            let trimmed = line.trim();
            let Some(inner) = trimmed
                .strip_prefix("<!--")
                .and_then(|t| t.strip_suffix("-->"))
            else {
                continue;
            };
            let body = inner.trim();
            if !body.starts_with("kqlint-") {
                continue;
            }
            // The grammar is a comment's: read the body as a `#` comment.
            let Some(parsed) = suppression::parse(&format!("#{body}")) else {
                continue;
            };
            let offset = (start + line.find(body).unwrap_or(0)).saturating_sub(1);
            let line_no = i as u32 + 1;
            let line = match &parsed {
                Ok(d) if d.scope == Scope::Line => Some(line_no),
                _ => (at < text.len()).then_some(line_no + 1),
            };
            self.add(parsed, line, None, |r| {
                Span::new((offset + r.start) as u32, (offset + r.end) as u32)
            });
        }
    }

    /// Reads the directives in a rule file's YAML comments (whole-line `#`
    /// comments outside any value).
    pub(crate) fn add_yaml(&mut self, file: &SourceText, root: &YamlNode) {
        let values: Vec<Span> = root
            .walk()
            .filter(|(_, n)| matches!(n.kind, YamlKind::Scalar { .. }))
            .map(|(_, n)| n.span)
            .collect();
        let text = &file.text;
        let in_value = |at: usize| {
            values
                .iter()
                .any(|v| v.start as usize <= at && at < v.end as usize)
        };
        let mut at = 0usize;
        for (i, line) in text.split('\n').enumerate() {
            let start = at;
            at += line.len() + 1;
            // The line's comment: a `#` at its start or after white space,
            // outside every value (a `#` inside a quoted or block scalar is
            // text).
            let Some(hash) = line.char_indices().find_map(|(j, ch)| {
                let before = line[..j].chars().next_back();
                (ch == '#' && before.is_none_or(|b| b == ' ' || b == '\t') && !in_value(start + j))
                    .then_some(start + j)
            }) else {
                continue;
            };
            let comment = text[hash..start + line.len()].trim_end_matches('\r');
            let Some(parsed) = suppression::parse(comment) else {
                continue;
            };
            let line_no = i as u32 + 1;
            let line = match &parsed {
                Ok(d) if d.scope == Scope::Line => Some(line_no),
                _ => (at < text.len()).then_some(line_no + 1),
            };
            self.add(parsed, line, None, |r| {
                Span::new((hash + r.start) as u32, (hash + r.end) as u32)
            });
        }
    }

    fn add(
        &mut self,
        parsed: Result<suppression::Directive, suppression::Malformed>,
        next_line: Option<u32>,
        within: Option<Span>,
        to_file: impl Fn(std::ops::Range<usize>) -> Span,
    ) {
        let directive = match parsed {
            Ok(d) => d,
            Err(m) => {
                self.problems.push(
                    Diagnostic::new(&INVALID_SUPPRESSION, to_file(m.range), m.message)
                        .with_help("write `kqlint-disable-next-line RULE[, RULE] -- reason`, `kqlint-disable-line RULE` or `kqlint-disable-file RULE`"),
                );
                return;
            }
        };
        let mut rules = Vec::new();
        for r in directive.rules {
            let span = to_file(r.range.clone());
            match registry::lookup(&r.name) {
                Some(m) => rules.push(Named {
                    code: m.code,
                    written: r.name,
                    span,
                    used: false,
                }),
                None => self.problems.push(
                    Diagnostic::new(
                        &INVALID_SUPPRESSION,
                        span,
                        format!("`{}` is not a kqlint rule, so this suppresses nothing", r.name),
                    )
                    .with_help("name rules by code (`KQL201`) or name (`unfilled-placeholder`); `kqlint rules` lists them"),
                ),
            }
        }
        self.entries.push(Entry {
            scope: directive.scope,
            within,
            line: next_line,
            rules,
        });
    }

    /// Removes the diagnostics the directives silence.
    pub(crate) fn apply(&mut self, diags: &mut Vec<Diagnostic>, file: Option<&SourceText>) {
        if self.entries.is_empty() {
            return;
        }
        diags.retain(|d| {
            let mut line = None;
            for e in &mut self.entries {
                let applies = match e.scope {
                    Scope::File => e
                        .within
                        .is_none_or(|w| w.start <= d.span.start && d.span.start <= w.end),
                    Scope::NextLine | Scope::Line => {
                        let l = *line.get_or_insert_with(|| {
                            file.map_or(0, |f| f.position(d.span.start).line)
                        });
                        e.line == Some(l)
                    }
                };
                if !applies {
                    continue;
                }
                if let Some(n) = e.rules.iter_mut().find(|n| n.code == d.code) {
                    n.used = true;
                    return false;
                }
            }
            true
        });
    }

    /// The directives' own findings: rules that suppressed nothing, and
    /// comments that could not be read.
    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        let mut out = self.problems;
        for e in self.entries {
            for n in e.rules.into_iter().filter(|n| !n.used) {
                let where_ = match (e.scope, e.line) {
                    (Scope::File, _) if e.within.is_some() => "in this query".to_owned(),
                    (Scope::File, _) => "in this file".to_owned(),
                    (Scope::NextLine | Scope::Line, Some(l)) => format!("on line {l}"),
                    (Scope::NextLine | Scope::Line, None) => "(there is no next line)".to_owned(),
                };
                out.push(
                    Diagnostic::new(
                        &UNUSED_SUPPRESSION,
                        n.span,
                        format!("`{}` suppresses nothing: {} reports no `{}` {where_}", n.written, "kqlint", n.code),
                    )
                    .with_help(match e.scope {
                        Scope::Line => "remove it from the comment, or move the comment to the end of the finding's line",
                        _ => "remove it from the comment, or move the comment to the line before the finding",
                    }),
                );
            }
        }
        out
    }
}

/// The edit that silences `code` on the line of the file offset `at` (the
/// language server's "disable for this line"): ` // kqlint-disable-line CODE`
/// at the end of a query line (`  # kqlint-disable-line CODE` on a line of
/// rule YAML outside the query), the code added to such a comment already
/// there, or, when the line ends in another comment, a
/// `kqlint-disable-next-line` comment on a new line above it. `None` where
/// no comment can go without changing a value (a folded or quoted query, a
/// multi-line string, a line inside a description), or when the line
/// already silences the rule.
pub fn disable_line_edit(
    path: &std::path::Path,
    text: &str,
    kind: kqlint_source::SourceKind,
    code: &str,
    at: u32,
) -> Option<kqlint_diagnostics::Edit> {
    use kqlint_source::{Limits, QueryStyle, Source, SourceKind};
    let code = registry::lookup(code)?.code;
    let at = (at as usize).min(text.len());
    let ls = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let le = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let le = if text[..le].ends_with('\r') {
        le - 1
    } else {
        le
    };
    let line = &text[ls..le];
    let first = ls + (line.len() - line.trim_start().len());
    if line.trim().is_empty() {
        return None;
    }
    let indent = &line[..first - ls];
    let source = Source::from_text(path, text.to_owned(), kind, &Limits::default());
    // The query holding the line (a file may hold several: Markdown blocks,
    // ARM rules); a whole KQL file is one.
    let holding = source
        .queries
        .iter()
        .find(|q| (q.value_span.start as usize) <= first && le <= q.value_span.end as usize);
    let in_query = kind == SourceKind::Kql || holding.is_some();
    let (comment, prefix) = if in_query {
        let q = holding.or(source.query())?;
        if !matches!(q.style, QueryStyle::File | QueryStyle::Literal) {
            return None; // lines are folded: a comment would swallow the rest
        }
        // Inside a multi-line ``` string, a comment would be text.
        if text[..ls].matches("```").count() % 2 == 1 {
            return None;
        }
        (kql_line_comment(line)?.map(|i| ls + i), "//")
    } else {
        let root = source.yaml.as_ref()?;
        let values: Vec<Span> = root
            .walk()
            .filter(|(_, n)| matches!(n.kind, kqlint_source::YamlKind::Scalar { .. }))
            .map(|(_, n)| n.span)
            .collect();
        let in_value = |o: usize| {
            values
                .iter()
                .any(|v| v.start as usize <= o && o < v.end as usize)
        };
        let spans_lines = values.iter().any(|v| {
            let (vs, ve) = (v.start as usize, v.end as usize);
            (vs <= le && le < ve) || (vs < ls && ls < ve)
        });
        if spans_lines {
            return None; // the line is inside a value (a description's block)
        }
        let hash = line.char_indices().find_map(|(j, ch)| {
            let before = line[..j].chars().next_back();
            (ch == '#' && before.is_none_or(|b| b == ' ' || b == '\t') && !in_value(ls + j))
                .then_some(ls + j)
        });
        (hash, "#")
    };
    let edit = |start: usize, end: usize, replacement: String| kqlint_diagnostics::Edit {
        span: Span::new(start as u32, end as u32),
        replacement,
    };
    match comment {
        None => {
            let gap = if prefix == "#" { "  " } else { " " };
            Some(edit(
                le,
                le,
                format!("{gap}{prefix} kqlint-disable-line {code}"),
            ))
        }
        Some(c) => match suppression::parse(&text[c..le]) {
            Some(Ok(d)) if d.scope == Scope::Line => {
                if d.rules
                    .iter()
                    .any(|r| registry::lookup(&r.name).is_some_and(|m| m.code == code))
                {
                    return None;
                }
                let end = c + d.rules.last()?.range.end;
                Some(edit(end, end, format!(", {code}")))
            }
            _ => Some(edit(
                ls,
                ls,
                format!("{indent}{prefix} kqlint-disable-next-line {code}\n"),
            )),
        },
    }
}

/// Where a KQL line's `//` comment starts (`Some(None)`: it has none);
/// `None` when the line cannot be read alone (a string that does not end on
/// it).
fn kql_line_comment(line: &str) -> Option<Option<usize>> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => return Some(Some(i)),
            q @ (b'"' | b'\'') => {
                let verbatim = i > 0 && matches!(b[i - 1], b'@' | b'h' | b'H');
                i += 1;
                loop {
                    match b.get(i) {
                        None => return None,
                        Some(b'\\') if !verbatim => i += 2,
                        Some(&c) if c == q => {
                            if verbatim && b.get(i + 1) == Some(&q) {
                                i += 2;
                            } else {
                                break;
                            }
                        }
                        Some(_) => i += 1,
                    }
                }
                i += 1;
            }
            b'`' if line[i..].starts_with("```") => return None,
            _ => i += 1,
        }
    }
    Some(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_source::SourceKind;
    use std::path::Path;

    fn apply(text: &str, needle: &str, code: &str, kind: SourceKind) -> Option<String> {
        let at = text.find(needle).unwrap() as u32;
        let path = Path::new(if kind == SourceKind::Kql {
            "q.kql"
        } else {
            "r.yaml"
        });
        let e = disable_line_edit(path, text, kind, code, at)?;
        let mut out = text.to_owned();
        out.replace_range(e.span.start as usize..e.span.end as usize, &e.replacement);
        Some(out)
    }

    #[test]
    fn disable_line_edits() {
        let k = SourceKind::Kql;
        assert_eq!(
            apply("T\n| where x == \"a // b\"\n", "where", "KQL303", k).unwrap(),
            "T\n| where x == \"a // b\" // kqlint-disable-line KQL303\n"
        );
        assert_eq!(
            apply(
                "T | take 1 // kqlint-disable-line KQL201 -- why\n",
                "take",
                "unused-let",
                k
            )
            .unwrap(),
            "T | take 1 // kqlint-disable-line KQL201, KQL306 -- why\n"
        );
        assert_eq!(
            apply(
                "T | take 1 // kqlint-disable-line KQL306\n",
                "take",
                "KQL306",
                k
            ),
            None
        );
        assert_eq!(
            apply("  T | take 1 // note\n", "take", "KQL306", k).unwrap(),
            "  // kqlint-disable-next-line KQL306\n  T | take 1 // note\n"
        );
        assert_eq!(
            apply("print 1\r\n", "print", "KQL306", k).unwrap(),
            "print 1 // kqlint-disable-line KQL306\r\n"
        );
        assert_eq!(apply("print ```a\nb```\n", "b```", "KQL306", k), None);
        let y = SourceKind::Yaml;
        let rule = "id: x\nseverity: Hgh\ndescription: |\n  text\nquery: |\n  T\n  | take 1\n";
        assert_eq!(
            apply(rule, "take", "KQL306", y).unwrap(),
            rule.replace("| take 1", "| take 1 // kqlint-disable-line KQL306")
        );
        assert_eq!(
            apply(rule, "Hgh", "KQL401", y).unwrap(),
            rule.replace("Hgh", "Hgh  # kqlint-disable-line KQL401")
        );
        assert_eq!(apply(rule, "text", "KQL401", y), None);
        let folded = "id: x\nquery: >\n  T\n  | take 1\n";
        assert_eq!(apply(folded, "take", "KQL306", y), None);
    }
}
