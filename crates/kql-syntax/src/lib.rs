//! KQL syntax: a [logos] lexer, a [chumsky] parser with error recovery, and a
//! syntax tree in which every node carries its byte span.
//!
//! This crate knows nothing of schemas, files or YAML: it turns a query text
//! into a `Parse` (tree + syntax errors + kept comments) and never panics.

pub mod ast;
pub mod span;

pub use span::Span;
