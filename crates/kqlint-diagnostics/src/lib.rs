//! The one diagnostic type every kqlint check produces, the metadata each
//! check declares for the rule registry, byte spans and offset ↔
//! line/column mapping.
//!
//! A leaf crate (serde only), as ruff's `ruff_text_size`: the parser and
//! every check above it speak these types, so each crate owns the metadata
//! of the diagnostics it produces.
//!
//! Producers build diagnostics from their [`RuleMeta`] with
//! [`Diagnostic::new`], so a diagnostic cannot exist without a registered
//! code, name, category and default severity.

mod line_index;
mod span;

pub use line_index::{LineCol, LineIndex};
pub use span::Span;

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "information" | "note" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of check produced a diagnostic. Part of the JSON contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Syntax,
    Semantic,
    Placeholder,
    Lint,
    Rule,
    Yaml,
    Io,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Syntax,
        Category::Semantic,
        Category::Placeholder,
        Category::Lint,
        Category::Rule,
        Category::Yaml,
        Category::Io,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Semantic => "semantic",
            Category::Placeholder => "placeholder",
            Category::Lint => "lint",
            Category::Rule => "rule",
            Category::Yaml => "yaml",
            Category::Io => "io",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of text a rule's doc examples are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    /// A KQL query (a `.kql` file).
    Kql,
    /// A Sentinel rule / hunting-query YAML file.
    Yaml,
    /// A Markdown file with fenced KQL.
    Markdown,
    /// A JSON file (an ARM template, a Defender XDR detection rule).
    Json,
    /// A Bicep file.
    Bicep,
    /// Raw bytes that cannot be shown as a doc example (I/O conditions).
    None,
}

/// Everything the registry knows about one diagnostic kind.
///
/// Declared once, as a `static`, next to the code that emits it; the
/// registry, `kqlint rules`, `kqlint explain`, `docs/rules.md`, SARIF rule
/// metadata and the language server's code descriptions all read it.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable code, e.g. `KQL101`. Never reused for another meaning.
    pub code: &'static str,
    /// Stable kebab-case name, e.g. `unknown-column`.
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// What it does (a short paragraph).
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix a finding.
    pub fix: &'static str,
    /// Whether `kqlint check --fix` (or an editor quick fix) can repair it.
    pub fixable: bool,
    /// Whether it runs only when selected by code or name: sound, but it
    /// reports what many queries and rules do on purpose.
    pub opt_in: bool,
    pub example_kind: ExampleKind,
    /// Inputs that must produce this diagnostic. Run as tests.
    pub fail: &'static [&'static str],
    /// Inputs that must not produce it. Run as tests.
    pub pass: &'static [&'static str],
}

/// A secondary location with a short message ("`(` opened here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A text replacement in the same text the diagnostic's spans refer to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    #[serde(skip)]
    pub span: Span,
    pub replacement: String,
}

/// `text` with `edits` applied (sorted by start, not overlapping); `None`
/// when they are out of order, overlap, or cut a character in two.
pub fn apply_edits(text: &str, edits: &[Edit]) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in edits {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < at || t < s {
            return None;
        }
        out.push_str(text.get(at..s)?);
        out.push_str(&e.replacement);
        at = t;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Preserves meaning; `--fix` applies it.
    Safe,
    /// Likely right but may change meaning; offered in the editor only.
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Imperative description: "Replace `contains` with `has`".
    pub message: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            message: message.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            message: message.into(),
            edits,
            applicability: Applicability::Unsafe,
        }
    }

    /// A fix that replaces one span.
    pub fn replace(
        message: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
        applicability: Applicability,
    ) -> Fix {
        Fix {
            message: message.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
            applicability,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    /// Primary location, in the text the producer analysed (a query text for
    /// KQL checks; the whole file for YAML and rule checks).
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Boxed: most diagnostics have none, and a query can have a finding
    /// on every line, each held more than once on its way to the report.
    pub fix: Option<Box<Fix>>,
}

impl Diagnostic {
    pub fn new(meta: &'static RuleMeta, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code: meta.code,
            name: meta.name,
            category: meta.category,
            severity: meta.severity,
            message: exact(message.into()),
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(exact(help.into()));
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(Box::new(fix));
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Moves every span (primary, labels, fix edits) by `delta` bytes, for a
    /// text that sits at `delta` inside a larger one.
    pub fn shifted(mut self, delta: u32) -> Self {
        let shift = |s: Span| Span::new(s.start + delta, s.end + delta);
        self.span = shift(self.span);
        for l in &mut self.labels {
            l.span = shift(l.span);
        }
        if let Some(fix) = &mut self.fix {
            for e in &mut fix.edits {
                e.span = shift(e.span);
            }
        }
        self
    }
}

/// `s` without spare capacity: `format!` reserves about twice its literal
/// text, and a query can have a finding on each of a million lines.
fn exact(mut s: String) -> String {
    s.shrink_to_fit();
    s
}

/// Orders diagnostics by position, then code, for stable output.
pub fn sort_diagnostics(diags: &mut [Diagnostic]) {
    let order = |a: &Diagnostic, b: &Diagnostic| {
        (a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    };
    // Producers mostly emit in order already; a stable sort would still
    // allocate scratch space for half of the slice.
    if !diags.is_sorted_by(|a, b| order(a, b).is_le()) {
        diags.sort_by(order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_bad_ones_are_refused() {
        let edit = |s: u32, e: u32, r: &str| Edit {
            span: Span::new(s, e),
            replacement: r.to_owned(),
        };
        let t = "T | where a==1";
        assert_eq!(
            apply_edits(t, &[edit(1, 2, "\n"), edit(11, 13, " == ")]).as_deref(),
            Some("T\n| where a == 1")
        );
        // overlapping, out of order, reversed, inside a character
        assert_eq!(apply_edits(t, &[edit(0, 3, ""), edit(2, 4, "")]), None);
        assert_eq!(apply_edits(t, &[edit(5, 6, ""), edit(1, 2, "")]), None);
        assert_eq!(apply_edits(t, &[edit(3, 2, "")]), None);
        assert_eq!(apply_edits("é", &[edit(1, 2, "")]), None);
    }

    /// A query can have a finding on each of a million lines, and each
    /// diagnostic is held more than once on its way to the report: keep
    /// the struct small (rarely used parts boxed) and messages exact.
    #[test]
    fn diagnostics_stay_small() {
        assert!(
            std::mem::size_of::<Diagnostic>() <= 128,
            "Diagnostic: {}",
            std::mem::size_of::<Diagnostic>()
        );
        static META: RuleMeta = RuleMeta {
            code: "KQL000",
            name: "test",
            category: Category::Lint,
            severity: Severity::Warning,
            summary: "",
            what: "",
            why: "",
            fix: "",
            fixable: false,
            opt_in: false,
            example_kind: ExampleKind::Kql,
            fail: &[],
            pass: &[],
        };
        let n = 7;
        let d = Diagnostic::new(
            &META,
            Span::new(0, 1),
            format!("`{n}` is not a column here"),
        )
        .with_help(format!("the columns here are: {n}"));
        assert_eq!(d.message.capacity(), d.message.len());
        assert_eq!(
            d.help.as_ref().map(String::capacity),
            d.help.as_ref().map(String::len)
        );
    }
}
