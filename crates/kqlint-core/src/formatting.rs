//! `kqlint fmt`: formatting a file's KQL with `kql_format`, and writing the
//! result back into the file it came from.
//!
//! A query file (`.kql`, `.csl`, `.kusto`) is formatted whole. In a rule
//! YAML file only the query is formatted, and only when it is a `|` block
//! scalar: the formatted query goes back through the same mapping `--fix`
//! uses (`QuerySource::map_fix`), which re-indents it for the block and
//! re-reads the edited file to check that it reads back as the formatted
//! query with the YAML around it untouched.

pub use kql_format::{FormatError, FormatOptions};
use kqlint_diagnostics::{Edit, Fix, Span};
use kqlint_source::{Limits, QueryStyle, Source, SourceKind};
use std::path::Path;

/// What formatting a file's text gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Formatted {
    /// The new text of the whole file.
    Changed(String),
    /// Already formatted.
    Unchanged,
    /// Left as it is, and why (syntax errors, not a block scalar...).
    Refused(String),
    /// Not a file `fmt` formats (by its extension, or a YAML file without a
    /// query): skipped silently when found in a directory.
    NotKql(String),
}

/// Whether `fmt` takes a file by its name: query files and YAML files.
pub fn formats(path: &Path) -> bool {
    kind_of(path).is_some()
}

/// A query file (formatted whole) or a YAML file (its query).
fn kind_of(path: &Path) -> Option<SourceKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "kql" | "csl" | "kusto" => Some(SourceKind::Kql),
        "yaml" | "yml" => Some(SourceKind::Yaml),
        _ => None,
    }
}

/// Formats the text of the file at `path` (standard input is a query file
/// named `-`); nothing is read or written here.
pub fn format_file_text(path: &Path, text: &str, options: &FormatOptions) -> Formatted {
    let kind = if path.as_os_str() == "-" {
        Some(SourceKind::Kql)
    } else {
        kind_of(path)
    };
    match kind {
        Some(SourceKind::Kql) => {
            let script = FormatOptions {
                script: true,
                ..options.clone()
            };
            outcome(text, kql_format::format(text, &script))
        }
        Some(_) => format_yaml(path, text, options),
        None => Formatted::NotKql("not a query file (.kql, .csl, .kusto) or rule YAML".into()),
    }
}

fn outcome(before: &str, r: Result<String, kql_format::FormatError>) -> Formatted {
    match r {
        Ok(after) if after == before => Formatted::Unchanged,
        Ok(after) => Formatted::Changed(after),
        Err(e) => Formatted::Refused(e.to_string()),
    }
}

/// The query of a rule YAML file, formatted and written back into its block
/// scalar; every byte outside the query's lines is kept.
fn format_yaml(path: &Path, text: &str, options: &FormatOptions) -> Formatted {
    let source = Source::from_text(path, text, SourceKind::Yaml, &Limits::default());
    let Some(q) = source.query() else {
        return Formatted::NotKql("no query in this YAML file".into());
    };
    if q.style != QueryStyle::Literal {
        return Formatted::Refused(format!(
            "not formatted: the query is not a `|` block scalar ({:?}); only block scalars are formatted",
            q.style
        ));
    }
    let options = FormatOptions {
        script: q.script,
        ..options.clone()
    };
    let formatted = match kql_format::format(&q.text, &options) {
        Ok(f) if f == q.text => return Formatted::Unchanged,
        Ok(f) => f,
        Err(e) => return Formatted::Refused(e.to_string()),
    };
    // Replace the query from its first to its last character that is not
    // white space: the block's leading blank lines and final line breaks
    // (its chomping) stay as they are.
    let start = q.text.len() - q.text.trim_start().len();
    let end = q.text.trim_end().len().max(start);
    let fix = Fix::safe(
        "format the query",
        vec![Edit {
            span: Span::new(start as u32, end as u32),
            replacement: formatted.trim().to_owned(),
        }],
    );
    match q.map_fix(&fix, text).and_then(|f| apply(text, &f.edits)) {
        Some(after) if after == text => Formatted::Unchanged,
        Some(after) => Formatted::Changed(after),
        None => Formatted::Refused(
            "not formatted: the formatted query could not be written back into the YAML block exactly"
                .into(),
        ),
    }
}

/// Applies edits in file coordinates (sorted, not overlapping).
fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        out.push_str(text.get(at..s)?);
        out.push_str(&e.replacement);
        at = t;
    }
    out.push_str(text.get(at..)?);
    Some(out)
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
}
