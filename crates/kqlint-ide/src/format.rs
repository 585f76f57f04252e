//! Document and range formatting: `kqlint fmt` on the editor's text. A
//! query file is formatted whole, a rule YAML's `|` block-scalar query in
//! place, a Markdown file's KQL fences and a JSON file's ARM query strings
//! as `fmt` does; text the formatter leaves alone (syntax errors, a
//! plain-scalar query) gets no edit, as `kqlint fmt` writes nothing for it.

use kqlint_core::formatting::{FormatOptions, Formatted, format_as, format_range_as};
use kqlint_core::{Edit, Engine, SourceKind, Span};
use std::path::Path;

/// The layout of a file: the `[format]` of the kqlint.toml that applies to
/// it (found as for its diagnostics), not the editor's tab size, so that a
/// file formatted on save passes `kqlint fmt --check` in CI.
fn options(engine: &Engine, path: &Path) -> FormatOptions {
    engine
        .config_for(path)
        .map(|c| c.format.clone())
        .unwrap_or_default()
}

/// The edits that format a file: one replacing the whole text when it
/// changes, none otherwise.
pub fn format_document(
    engine: &Engine,
    path: &Path,
    kind: Option<SourceKind>,
    text: &str,
) -> Vec<Edit> {
    match format_as(path, kind, text, &options(engine, path)) {
        Formatted::Changed(new) | Formatted::Partly(new, _) => vec![Edit {
            span: Span::new(0, text.len() as u32),
            replacement: new,
        }],
        _ => Vec::new(),
    }
}

/// The edits that format the top-level statements `span` touches (in a
/// rule's block or a Markdown fence, the statements of that query; a JSON
/// query string whole), and nothing else.
pub fn format_range(
    engine: &Engine,
    path: &Path,
    kind: Option<SourceKind>,
    text: &str,
    span: Span,
) -> Vec<Edit> {
    format_range_as(path, kind, text, &options(engine, path), span).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{format_document, format_range};
    use crate::testing::engine;
    use kqlint_core::{SourceKind, Span};
    use std::path::Path;

    #[test]
    fn a_query_file_whole_and_one_statement_of_it() {
        let (engine, path) = (engine(), Path::new("/w/q.kql"));
        let text = "let a = 1+2;\nT|where x==a|take 5\n";
        let edits = format_document(&engine, path, Some(SourceKind::Kql), text);
        assert_eq!(edits.len(), 1);
        assert_eq!(edits[0].span, Span::new(0, text.len() as u32));
        assert_eq!(
            edits[0].replacement,
            "let a = 1 + 2;\nT\n| where x == a\n| take 5\n"
        );
        // formatted text gets no edit
        assert!(
            format_document(&engine, path, Some(SourceKind::Kql), &edits[0].replacement).is_empty()
        );
        let first = format_range(&engine, path, Some(SourceKind::Kql), text, Span::new(0, 3));
        let applied = kqlint_core::apply_edits(text, &first).unwrap();
        assert_eq!(applied, "let a = 1 + 2;\nT|where x==a|take 5\n");
        assert!(format_document(&engine, path, None, text).is_empty());
    }
}
