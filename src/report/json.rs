//! The JSON format: a stable contract other tools read (documented in the
//! README). Fields are only ever added, never renamed or removed.

use super::span_positions;
use kqlint_core::{FileReport, QueryReport, ResultColumn, Summary};
use serde::Serialize;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: Vec<File<'a>>,
    summary: SummaryOut,
}

#[derive(Serialize)]
struct SummaryOut {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings `kqlint check --fix` would repair.
    fixable: usize,
    /// Findings the baseline (`--baseline`) left out.
    baselined: usize,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    diagnostics: Vec<Diag<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tables: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result_columns: Option<&'a [ResultColumn]>,
    /// Each query of a file that holds several (Markdown, ARM templates,
    /// Defender XDR rules, Bicep): where it starts, its label, platform,
    /// tables and result columns.
    #[serde(skip_serializing_if = "<[QueryReport]>::is_empty")]
    queries: &'a [QueryReport],
}

#[derive(Serialize)]
struct Diag<'a> {
    code: &'a str,
    name: &'a str,
    category: &'a str,
    severity: &'a str,
    message: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    /// Whether `kqlint check --fix` can repair it.
    fixable: bool,
}

pub fn render(reports: &[FileReport]) -> String {
    let s = Summary::of(reports);
    let out = Output {
        version: 1,
        files: reports
            .iter()
            .map(|r| File {
                path: &r.path,
                diagnostics: r
                    .diagnostics
                    .iter()
                    .map(|d| {
                        let (start, end) = span_positions(r, d);
                        Diag {
                            code: d.code,
                            name: d.name,
                            category: d.category.as_str(),
                            severity: d.severity.as_str(),
                            message: &d.message,
                            line: start.line,
                            column: start.column,
                            end_line: end.line,
                            end_column: end.column,
                            help: d.help.as_deref(),
                            fixable: kqlint_core::report::is_fixable(d),
                        }
                    })
                    .collect(),
                tables: r.tables.as_deref(),
                result_columns: r.result_columns.as_deref(),
                queries: &r.queries,
            })
            .collect(),
        summary: SummaryOut {
            files: s.files,
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
            fixable: s.fixable,
            baselined: s.baselined,
        },
    };
    let mut text = serde_json::to_string_pretty(&out).expect("JSON of plain data");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&super::super::test_support::reports()));
    }
}
