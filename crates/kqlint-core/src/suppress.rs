//! Inline suppressions: `// kqlint-disable-next-line RULE[, RULE] -- reason`
//! and `// kqlint-disable-file RULE` in KQL, and the same with `#` as YAML
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
    /// (`None`: the comment is on the last line).
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
            let next = query.text[c.end as usize..]
                .find('\n')
                .map(|i| c.end as usize + i + 1)
                .filter(|&n| n < query.text.len())
                .map(|n| file.position(query.map_offset(n as u32)).line);
            self.add(parsed, next, within, to_file);
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
            let next = (at < text.len()).then_some(line_no + 1);
            self.add(parsed, next, None, |r| {
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
        let mut at = 0usize;
        for (i, line) in text.split('\n').enumerate() {
            let start = at;
            at += line.len() + 1;
            let trimmed = line.trim_start();
            if !trimmed.starts_with('#') {
                continue;
            }
            let hash = start + (line.len() - trimmed.len());
            if values
                .iter()
                .any(|v| v.start as usize <= hash && hash < v.end as usize)
            {
                continue;
            }
            let comment = trimmed.trim_end_matches('\r');
            let Some(parsed) = suppression::parse(comment) else {
                continue;
            };
            let line_no = i as u32 + 1;
            let next = (at < text.len()).then_some(line_no + 1);
            self.add(parsed, next, None, |r| {
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
                        .with_help("write `kqlint-disable-next-line RULE[, RULE] -- reason` or `kqlint-disable-file RULE`"),
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
                    Scope::NextLine => {
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
                    (Scope::NextLine, Some(l)) => format!("on line {l}"),
                    (Scope::NextLine, None) => "(there is no next line)".to_owned(),
                };
                out.push(
                    Diagnostic::new(
                        &UNUSED_SUPPRESSION,
                        n.span,
                        format!("`{}` suppresses nothing: {} reports no `{}` {where_}", n.written, "kqlint", n.code),
                    )
                    .with_help("remove it from the comment, or move the comment to the line before the finding"),
                );
            }
        }
        out
    }
}
