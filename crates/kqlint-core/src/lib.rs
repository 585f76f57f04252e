//! The one entry point of kqlint: the CLI and the language server call this
//! crate to check files and buffers, and only translate what it returns.

pub mod registry;
pub mod report;

pub use kqlint_diagnostics::{
    Applicability, Category, Diagnostic, Edit, ExampleKind, Fix, Label, LineIndex, RuleMeta,
    Severity, Span,
};
pub use report::{FileReport, Position, ResultColumn, SourceText, Summary};
