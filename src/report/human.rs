//! The human format: miette's graphical reports with the source snippet,
//! then a one-line summary.

use kqlint_core::{Applicability, Diagnostic, FileReport, Severity, SourceText, Summary};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, NamedSource, SourceCode,
    SourceSpan, SpanContents,
};
use std::fmt::{self, Write};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colors {
    Always,
    Never,
}

/// A file's text as miette's source, without copying it per diagnostic.
struct Src(Arc<SourceText>);

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        self.0
            .text
            .as_str()
            .read_span(span, context_lines_before, context_lines_after)
    }
}

struct Adapter<'a> {
    d: &'a Diagnostic,
    source: Option<&'a NamedSource<Src>>,
    code: String,
    help: Option<String>,
    /// The rule's documentation, linked from the code on a terminal.
    url: Option<String>,
}

impl fmt::Debug for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Adapter<'_> {}

fn span(s: kqlint_core::Span) -> SourceSpan {
    SourceSpan::new((s.start as usize).into(), s.len() as usize)
}

impl miette::Diagnostic for Adapter<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source?;
        let primary = LabeledSpan::new_primary_with_span(None, span(self.d.span));
        let others = self
            .d
            .labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), span(l.span)));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The findings, then (with `summary`) the summary line. On a terminal
/// (`Colors::Always`) each finding's code is a hyperlink to its rule's page.
pub fn render(reports: &[FileReport], colors: Colors, summary: bool) -> String {
    let theme = match colors {
        Colors::Always => GraphicalTheme::unicode(),
        Colors::Never => GraphicalTheme::unicode_nocolor(),
    };
    let links = colors == Colors::Always;
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(links);
    let mut out = String::new();
    for r in reports {
        let named = r
            .source
            .as_ref()
            .map(|s| NamedSource::new(&r.path, Src(s.clone())).with_language("kql"));
        for d in &r.diagnostics {
            let mut help = d.help.clone();
            if d.fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Safe)
            {
                let note = "fixable with `kqlint check --fix`";
                help = Some(match help {
                    Some(h) => format!("{h} ({note})"),
                    None => note.to_owned(),
                });
            }
            let adapter = Adapter {
                d,
                source: named.as_ref(),
                code: format!("{} {}", d.code, d.name),
                help,
                url: links
                    .then(|| kqlint_core::registry::lookup(d.code))
                    .flatten()
                    .map(kqlint_core::registry::docs_url),
            };
            if named.is_none() {
                let _ = writeln!(out, "{}:", r.path);
            }
            if handler.render_report(&mut out, &adapter).is_err() {
                let _ = writeln!(out, "{}: {}[{}] {}", r.path, d.severity, d.code, d.message);
            }
            out.push('\n');
        }
    }
    if summary {
        out.push_str(&summary_line(reports));
    }
    out
}

/// `kqlint: 2 errors, 1 warning in 2 of 5 files; 1 fixable with `kqlint
/// check --fix`; 3 hidden by the baseline.`
pub fn summary_line(reports: &[FileReport]) -> String {
    let s = Summary::of(reports);
    let with_findings = reports.iter().filter(|r| !r.diagnostics.is_empty()).count();
    let mut line = if s.findings() == 0 {
        format!("kqlint: no problems found in {}", plural(s.files, "file"))
    } else {
        let mut parts = vec![plural(s.errors, "error"), plural(s.warnings, "warning")];
        if s.infos > 0 {
            parts.push(plural(s.infos, "info"));
        }
        format!(
            "kqlint: {} in {} of {}",
            parts.join(", "),
            with_findings,
            plural(s.files, "file")
        )
    };
    if s.fixable > 0 {
        let _ = write!(line, "; {} fixable with `kqlint check --fix`", s.fixable);
    }
    if s.baselined > 0 {
        let _ = write!(line, "; {} hidden by the baseline", s.baselined);
    }
    line.push_str(".\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_without_colors() {
        insta::assert_snapshot!(render(
            &super::super::test_support::reports(),
            Colors::Never,
            true
        ));
    }

    #[test]
    fn clean_run_says_so() {
        let r = vec![FileReport::new("a.kql", None)];
        assert_eq!(
            render(&r, Colors::Never, true),
            "kqlint: no problems found in 1 file.\n"
        );
        assert_eq!(render(&r, Colors::Never, false), "");
    }

    #[test]
    fn summary_counts_fixable_and_baselined() {
        let mut r = super::super::test_support::reports();
        r[0].baselined = 3;
        let line = summary_line(&r);
        assert_eq!(
            line,
            "kqlint: 1 error, 1 warning in 1 of 2 files; 3 hidden by the baseline.\n"
        );
        // On a terminal the code links to the rule's page (OSC 8).
        let coloured = render(&r, Colors::Always, false);
        assert!(
            coloured.contains("\u{1b}]8;;https://") && coloured.contains("/KQL102.html"),
            "{coloured:?}"
        );
    }
}
