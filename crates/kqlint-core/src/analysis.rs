//! What the engine learnt about one query, kept for the editor: the syntax
//! tree and the semantic analysis the diagnostics came from, and the
//! catalogue they were made against (the file's configuration and schema
//! directories, its platform). The language server answers hover,
//! completion and navigation from this value instead of analysing again,
//! so what the editor shows and what `kqlint check` reports cannot differ.

use crate::engine::CatalogRef;
use kqlint_source::QuerySource;

/// One query's analysis, immutable and shared ([`crate::FileReport::analyses`]).
pub struct QueryAnalysis {
    /// The query and where its text lies in the file.
    pub query: QuerySource,
    /// Its syntax tree, as the engine parsed it (a query file as a script).
    pub parse: kql_syntax::Parse,
    /// Its semantic analysis, with names and operators recorded (the
    /// diagnostics are in the report, mapped to the file).
    pub semantic: kql_semantic::Analysis,
    /// The catalogue of the platform it was checked for.
    pub catalog: CatalogRef,
}

impl std::fmt::Debug for QueryAnalysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryAnalysis")
            .field("query", &self.query.text.len())
            .field("platform", &self.catalog.platform())
            .finish_non_exhaustive()
    }
}

impl QueryAnalysis {
    pub fn catalog(&self) -> &kql_schema::Catalog {
        &self.catalog
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<QueryAnalysis>();
    }
}
