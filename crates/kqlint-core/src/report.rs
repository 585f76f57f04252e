//! What checking one file produces, in file coordinates.

use kqlint_diagnostics::{Diagnostic, LineIndex, Severity};
use serde::Serialize;
use std::sync::Arc;

/// A file's text with its line index, shared by reporters and the editor.
#[derive(Debug)]
pub struct SourceText {
    pub text: String,
    pub index: LineIndex,
}

impl SourceText {
    pub fn new(text: String) -> Arc<SourceText> {
        let index = LineIndex::new(&text);
        Arc::new(SourceText { text, index })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: u32) -> Position {
        let lc = self.index.line_col_chars(&self.text, offset);
        Position {
            line: lc.line + 1,
            column: lc.col + 1,
        }
    }
}

/// A 1-based line and column, the column counted in Unicode characters
/// (the JSON contract; SARIF's `unicodeCodePoints`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// A column of a query's result, as Kusto names and types it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResultColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// What is known of one query of a file with several (a Markdown file, an
/// ARM template): where it is and what it reads and returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueryReport {
    /// 1-based line and column in the file where the query starts.
    pub line: u32,
    pub column: u32,
    /// What the query is called in its file (the heading above a Markdown
    /// block, the rule's display name), if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The platform it was checked for (`sentinel`, `defender`, `adx`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_columns: Option<Vec<ResultColumn>>,
}

/// Everything kqlint found in one file.
#[derive(Debug)]
pub struct FileReport {
    /// The path as given on the command line (joined with the walked
    /// sub-path), or the editor's document path.
    pub path: String,
    /// The file's text; `None` when it could not be read as text.
    pub source: Option<Arc<SourceText>>,
    /// Sorted by position; spans are byte offsets into `source`.
    pub diagnostics: Vec<Diagnostic>,
    /// Tables the query reads, when known.
    pub tables: Option<Vec<String>>,
    /// Of `tables`, those read only inside `union isfuzzy=true` (for the
    /// rule cross-checks: the query runs without them).
    pub(crate) optional_tables: Vec<String>,
    /// The query's result columns, when known.
    pub result_columns: Option<Vec<ResultColumn>>,
    /// The result has columns beyond `result_columns` that kqlint cannot
    /// list (it reads a table known only in part): why, for messages.
    pub result_partial: Option<String>,
    /// The platform the query was checked for.
    pub platform: Option<kql_schema::Platform>,
    /// Each query of a file that holds several (Markdown, JSON, Bicep), in
    /// file order; empty for a file with one query (whose facts are the
    /// fields above).
    pub queries: Vec<QueryReport>,
    /// The rule's id (rule YAML files), for the cross-file duplicate-id pass.
    pub rule_id: Option<sentinel_rules::RuleId>,
    /// The ids of the other rules of the file (an ARM template holds many),
    /// for the same pass.
    pub(crate) more_rule_ids: Vec<sentinel_rules::RuleId>,
    /// Findings the analysis only counted (past its own cap on hostile
    /// input), with the worst severity: the report's cap notice counts them.
    pub(crate) uncounted: (usize, Option<Severity>),
    /// Why the query's fixes are not applied although it has some (its
    /// text is a YAML anchor that an alias repeats): `--fix` says so.
    pub fix_refused: Option<&'static str>,
    /// Findings the baseline (`--baseline`) left out of `diagnostics`.
    pub baselined: usize,
    /// Each query's parse and analysis, in file order, when the engine keeps
    /// them ([`crate::EngineOptions::keep_analyses`]).
    pub analyses: Vec<Arc<crate::QueryAnalysis>>,
}

impl FileReport {
    pub fn new(path: impl Into<String>, source: Option<Arc<SourceText>>) -> FileReport {
        FileReport {
            path: path.into(),
            source,
            diagnostics: Vec::new(),
            tables: None,
            optional_tables: Vec::new(),
            result_columns: None,
            result_partial: None,
            platform: None,
            queries: Vec::new(),
            rule_id: None,
            more_rule_ids: Vec::new(),
            uncounted: (0, None),
            fix_refused: None,
            baselined: 0,
            analyses: Vec::new(),
        }
    }

    /// 1-based position of a byte offset (line 1, column 1 without text).
    pub fn position(&self, offset: u32) -> Position {
        match &self.source {
            Some(s) => s.position(offset),
            None => Position { line: 1, column: 1 },
        }
    }

    /// Findings `kqlint check --fix` would repair (they carry a safe fix).
    pub fn fixable(&self) -> usize {
        self.diagnostics.iter().filter(|d| is_fixable(d)).count()
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Whether `kqlint check --fix` repairs a finding: it has a safe fix.
pub fn is_fixable(d: &Diagnostic) -> bool {
    d.fix.as_ref().is_some_and(|f| {
        f.applicability == kqlint_diagnostics::Applicability::Safe && !f.edits.is_empty()
    })
}

/// Totals over a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings `--fix` would repair.
    pub fixable: usize,
    /// Findings the baseline hid.
    pub baselined: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            s.errors += r.count(Severity::Error);
            s.warnings += r.count(Severity::Warning);
            s.infos += r.count(Severity::Info);
            s.fixable += r.fixable();
            s.baselined += r.baselined;
        }
        s
    }

    /// All findings reported.
    pub fn findings(&self) -> usize {
        self.errors + self.warnings + self.infos
    }

    /// Whether the run fails at this threshold: a finding of `fail_on`
    /// severity or worse.
    pub fn fails_on(&self, fail_on: Severity) -> bool {
        match fail_on {
            Severity::Error => self.errors > 0,
            Severity::Warning => self.errors + self.warnings > 0,
            Severity::Info => self.findings() > 0,
        }
    }
}
