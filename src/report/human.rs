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

pub fn render(reports: &[FileReport], colors: Colors) -> String {
    let theme = match colors {
        Colors::Always => GraphicalTheme::unicode(),
        Colors::Never => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
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
    let s = Summary::of(reports);
    let with_findings = reports.iter().filter(|r| !r.diagnostics.is_empty()).count();
    if s.errors + s.warnings + s.infos == 0 {
        let _ = writeln!(
            out,
            "kqlint: no problems found in {}.",
            plural(s.files, "file")
        );
    } else {
        let mut parts = vec![plural(s.errors, "error"), plural(s.warnings, "warning")];
        if s.infos > 0 {
            parts.push(plural(s.infos, "info"));
        }
        let _ = writeln!(
            out,
            "kqlint: {} in {} of {}.",
            parts.join(", "),
            with_findings,
            plural(s.files, "file")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_without_colors() {
        insta::assert_snapshot!(render(
            &super::super::test_support::reports(),
            Colors::Never
        ));
    }

    #[test]
    fn clean_run_says_so() {
        let r = vec![FileReport::new("a.kql", None)];
        assert_eq!(
            render(&r, Colors::Never),
            "kqlint: no problems found in 1 file.\n"
        );
    }
}
