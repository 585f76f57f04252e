//! The one entry point of kqlint: the CLI and the language server call this
//! crate to check files and buffers, and only translate what it returns.

pub mod analysis;
pub mod atomic;
pub mod baseline;
pub mod config;
pub mod config_schema;
pub mod core_rules;
mod engine;
pub mod fingerprint;
pub mod fix;
pub mod formatting;
pub mod knowledge;
pub mod registry;
pub mod report;
pub mod statistics;
pub mod suppress;
mod target;

pub use analysis::QueryAnalysis;
pub use baseline::Baseline;
pub use config::{Config, ConfigError, ConfigOptions};
pub use engine::{CatalogRef, Engine, EngineError, EngineOptions, MAX_DIAGNOSTICS_PER_FILE};
pub use fix::FixOutcome;
pub use kql_schema::Platform;
pub use kql_semantic::{Interrupt, Limit, analyses_run};
pub use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, Edit, ExampleKind, Fix, Label, LineCol, LineIndex,
    RuleMeta, Severity, Span, apply_edits,
};
pub use kqlint_source::{Limits, Source, SourceKind};
pub use report::{FileReport, Position, QueryReport, ResultColumn, SourceText, Summary};
pub use target::Target;
