//! Checking one source: the pipeline from a loaded file to sorted
//! diagnostics in file coordinates.

use crate::report::{FileReport, SourceText};
use crate::target::Target;
use crate::{core_rules, syntax_rules};
use kqlint_diagnostics::{Diagnostic, Label, Severity, Span, sort_diagnostics};
use kqlint_source::{Limits, QuerySource, Source, SourceKind};
use std::path::PathBuf;
use std::sync::Arc;

/// Analysis recurses over the syntax tree; the parser bounds its depth, and
/// worker threads get a stack that comfortably holds that bound.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Per-file cap, so one pathological file cannot flood a report.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 1000;

#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Extra schema directories (Azure-Sentinel CustomTables / CustomFunctions JSON).
    pub schema_dirs: Vec<PathBuf>,
    pub limits: Limits,
}

/// Why an engine could not be built (bad options); exit status 2.
#[derive(Debug)]
pub struct EngineError(pub String);

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EngineError {}

/// Checks files and buffers. Cheap to share between threads.
pub struct Engine {
    options: EngineOptions,
    pool: rayon::ThreadPool,
}

impl Engine {
    pub fn new(options: EngineOptions) -> Result<Engine, EngineError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK)
            .thread_name(|i| format!("kqlint-worker-{i}"))
            .build()
            .map_err(|e| EngineError(format!("cannot start worker threads: {e}")))?;
        Ok(Engine { options, pool })
    }

    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// Checks every target in parallel; reports come back in target order.
    /// Skipped files (YAML without a query, found by walking) are left out.
    pub fn check_targets(&self, targets: &[Target]) -> Vec<FileReport> {
        use rayon::prelude::*;
        self.pool.install(|| {
            targets
                .par_iter()
                .filter_map(|t| self.check_target(t))
                .collect()
        })
    }

    /// Checks one target; `None` when it is not something to report on.
    pub fn check_target(&self, target: &Target) -> Option<FileReport> {
        if let Some(message) = &target.error {
            let mut report = FileReport::new(&target.display, None);
            report.diagnostics.push(Diagnostic::new(
                &kqlint_source::UNREADABLE_FILE,
                Span::empty(0),
                message.clone(),
            ));
            return Some(report);
        }
        let source = if target.path.as_os_str() == "-" {
            read_stdin(&self.options.limits)
        } else {
            Source::load(&target.path, &self.options.limits)
        };
        if !target.explicit && is_not_a_rule(&source) {
            return None;
        }
        Some(self.check_source(&target.display, source))
    }

    /// Checks a loaded source (a file, or an editor buffer made with
    /// [`Source::from_text`]).
    pub fn check_source(&self, display: &str, source: Source) -> FileReport {
        let text = source.text.clone().map(SourceText::new);
        let mut report = FileReport::new(display, text.clone());
        report.diagnostics = source.diagnostics;
        if let (Some(text), Some(query)) = (&text, &source.query) {
            let query_diags = self.check_query(query, text, &mut report);
            report.diagnostics.extend(
                query_diags
                    .into_iter()
                    .map(|d| query.map_diagnostic(d, &text.text)),
            );
        }
        // Stage: rule-YAML validation (sentinel-rules), YAML sources only;
        // its diagnostics are already in file coordinates.
        // Stage: configuration (select/ignore/severity), suppressions, baseline.
        finish(&mut report.diagnostics);
        report
    }

    /// The query stages. Returns diagnostics in query coordinates; the
    /// caller maps them to the file once.
    fn check_query(
        &self,
        query: &QuerySource,
        file: &Arc<SourceText>,
        _report: &mut FileReport,
    ) -> Vec<Diagnostic> {
        // Stage 1: syntax.
        let parse = kql_syntax::parse(&query.text);
        let mut diags = syntax_diagnostics(&parse, query, file);
        // Stage 2: semantic analysis (kql-semantic): names, row schemas,
        // result columns and tables into `_report`.
        // Stage 3: lint rules and placeholders (kql-lint).
        diags.shrink_to_fit();
        diags
    }
}

fn syntax_diagnostics(
    parse: &kql_syntax::Parse,
    query: &QuerySource,
    file: &SourceText,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if parse.query.statements.is_empty() && parse.errors.is_empty() {
        let what = if query.key.is_some() {
            "the query is empty"
        } else {
            "the file holds no query"
        };
        diags.push(Diagnostic::new(
            &core_rules::EMPTY_QUERY,
            Span::empty(0),
            what,
        ));
    }
    for e in &parse.errors {
        let meta = syntax_rules::meta(e.kind);
        let mut d = Diagnostic::new(meta, e.span, e.message.clone());
        d.labels = e
            .labels
            .iter()
            .map(|(span, message)| Label {
                span: *span,
                message: message.clone(),
            })
            .collect();
        d.help = e.help.clone();
        if let Some(open) = e.open_delimiter {
            // The opener's position is only known in file coordinates.
            let at = file.position(query.map_span(open).start);
            d.message = with_opener_position(&d.message, open.text(&query.text), at);
        }
        diags.push(d);
    }
    diags
}

/// "expected `)` to close this `(`, found ..." becomes "... the `(` opened
/// at 3:12, found ...": the parser cannot know file positions.
fn with_opener_position(message: &str, opener: &str, at: crate::Position) -> String {
    let this = format!("this `{opener}`");
    if message.contains(&this) {
        message.replacen(
            &this,
            &format!("the `{opener}` opened at {}:{}", at.line, at.column),
            1,
        )
    } else {
        format!(
            "{message} (the `{opener}` opened at {}:{})",
            at.line, at.column
        )
    }
}

/// A YAML file found by walking that holds no query is not a rule file
/// (a workflow, a config): it is skipped, not reported.
fn is_not_a_rule(source: &Source) -> bool {
    source.kind == SourceKind::Yaml
        && source.query.is_none()
        && source.diagnostics.iter().any(|d| {
            d.code == kqlint_source::MISSING_QUERY.code
                || d.code == kqlint_source::NOT_A_MAPPING.code
        })
}

fn read_stdin(limits: &Limits) -> Source {
    use std::io::Read;
    let mut bytes = Vec::new();
    let limit = limits.max_file_bytes.min(u64::from(u32::MAX) - 1);
    match std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
    {
        Ok(_) => Source::from_bytes("-", &bytes, SourceKind::Kql, limits),
        Err(e) => {
            let mut s = Source::from_text("-", "", SourceKind::Kql, limits);
            s.query = None;
            s.diagnostics.push(Diagnostic::new(
                &kqlint_source::UNREADABLE_FILE,
                Span::empty(0),
                format!("cannot read standard input: {e}"),
            ));
            s
        }
    }
}

/// Sorts, de-duplicates and caps a file's diagnostics.
fn finish(diags: &mut Vec<Diagnostic>) {
    sort_diagnostics(diags);
    diags.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    if diags.len() > MAX_DIAGNOSTICS_PER_FILE {
        let hidden = diags.len() - MAX_DIAGNOSTICS_PER_FILE;
        let worst = diags[MAX_DIAGNOSTICS_PER_FILE..]
            .iter()
            .map(|d| d.severity)
            .max()
            .unwrap_or(Severity::Info);
        let at = diags[MAX_DIAGNOSTICS_PER_FILE].span;
        diags.truncate(MAX_DIAGNOSTICS_PER_FILE);
        diags.push(
            Diagnostic::new(
                &core_rules::TOO_MANY_DIAGNOSTICS,
                Span::empty(at.start),
                format!(
                    "{hidden} more diagnostics in this file are not shown (the worst is a {worst})"
                ),
            )
            .with_severity(if worst == Severity::Error {
                Severity::Error
            } else {
                Severity::Warning
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;

    #[test]
    fn opener_position_reads_naturally() {
        let at = Position {
            line: 3,
            column: 12,
        };
        assert_eq!(
            with_opener_position(
                "expected `)` to close this `(`, found the end of the query",
                "(",
                at
            ),
            "expected `)` to close the `(` opened at 3:12, found the end of the query"
        );
        assert_eq!(
            with_opener_position("unclosed", "[", at),
            "unclosed (the `[` opened at 3:12)"
        );
    }
}
