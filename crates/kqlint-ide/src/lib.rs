//! What an editor asks of kqlint, answered without a protocol: hover,
//! completion, go to definition, references, highlights, the outline,
//! semantic tokens, code actions and formatting of one file.
//!
//! Every answer is read from the engine's own check of the file (the
//! [`QueryAnalysis`] values of a [`kqlint_core::FileReport`]), so what the
//! editor shows and what `kqlint check` reports come from one analysis.
//! Positions in and out are byte offsets and spans in the file's text; the
//! language server (`kqlint-lsp`) only turns them into protocol positions
//! and messages, as ruff's server does over `ruff_linter` and
//! rust-analyzer's over its `ide` crate.

mod actions;
mod completion;
mod format;
mod hover;
mod navigation;
mod outline;
mod query;
mod scope;
mod semantic_tokens;

pub use actions::{Action, ActionKind, ActionRequest, code_actions};
pub use completion::{Completion, CompletionKind};
pub use format::{format_document, format_range};
pub use hover::{Hover, rule_doc};
pub use navigation::Highlight;
pub use outline::{OutlineItem, OutlineKind};
pub use query::{ParamDecl, QueryIde, Symbol, SymbolKind};
pub use semantic_tokens::{Modifiers, SemanticToken, TokenClass};

use kqlint_core::QueryAnalysis;
use std::sync::Arc;

/// The editor's view of one file: a view of each query the engine
/// analysed, in file order (one for a query file or rule YAML, any number
/// for Markdown, JSON and Bicep). Immutable; built once per checked
/// snapshot and shared by every request on it.
pub struct Ide {
    pub queries: Vec<QueryIde>,
    /// What features see outside every query (no query text).
    empty: QueryIde,
}

impl Ide {
    /// The views of the queries the engine analysed
    /// ([`kqlint_core::FileReport::analyses`], which the engine keeps when
    /// [`kqlint_core::EngineOptions::keep_analyses`] is set).
    pub fn new(analyses: &[Arc<QueryAnalysis>]) -> Ide {
        Ide {
            queries: analyses
                .iter()
                .map(|a| QueryIde::of_analysis(Some(a.clone())))
                .collect(),
            empty: QueryIde::of_analysis(None),
        }
    }

    /// The query a file offset is in (a cursor at a query's end counts),
    /// or a view with no query.
    pub fn at(&self, file_offset: u32) -> &QueryIde {
        self.queries
            .iter()
            .find(|i| i.to_query(file_offset).is_some())
            .unwrap_or(&self.empty)
    }
}

/// Files checked as `kqlint check` checks them, for the tests of every
/// feature.
#[cfg(test)]
pub(crate) mod testing {
    use super::Ide;
    use kqlint_core::{Diagnostic, Engine, EngineOptions, Interrupt, SourceKind};
    use std::path::Path;

    pub fn engine() -> Engine {
        Engine::new(EngineOptions {
            keep_analyses: true,
            ..EngineOptions::default()
        })
        .unwrap()
    }

    /// The view of `text` as the file `name` (under `/w` when relative),
    /// and the findings of its check.
    pub fn report(name: &str, text: &str) -> (Ide, Vec<Diagnostic>) {
        let path = Path::new("/w").join(name);
        let kind = SourceKind::from_path(&path).unwrap_or(SourceKind::Kql);
        let report = engine()
            .check_buffer(&path, text.into(), kind, &Interrupt::default())
            .expect("a file kqlint checks");
        (Ide::new(&report.analyses), report.diagnostics)
    }

    /// The view of `text` as the file `name`.
    pub fn file(name: &str, text: &str) -> Ide {
        report(name, text).0
    }
}
