//! Reading kqlint's inputs: files on disk and editor buffers become
//! [`Source`]s, ready for analysis.
//!
//! This crate owns everything between bytes and "a query text plus a way to
//! map its offsets back to the file":
//!
//! - **bytes → text** ([`Encoding`]): UTF-8 with or without a byte-order
//!   mark, UTF-16 with a byte-order mark, invalid UTF-8 (reported at the
//!   first bad byte, then read lossily), binary content, the size limit;
//! - **YAML with positions** ([`YamlNode`]): kqlint's own light tree built
//!   from saphyr-parser's events, with byte spans, duplicate-key warnings,
//!   syntax errors in plain words at their exact position, and limits on
//!   depth and node count (aliases included);
//! - **the JSON view** of a YAML document for schema validation
//!   ([`YamlNode::to_json`]) and JSON pointer → file span lookups
//!   ([`YamlNode::pointer`]);
//! - **query extraction** ([`QuerySource`]): the `query` / `ParserQuery` /
//!   `FunctionQuery` value and the mapping of its offsets to the file, exact
//!   for `|` blocks and position-exact for every other style.
//!
//! Nothing inside the analysis pipeline knows about YAML: the core analyses
//! `query.text` and maps the resulting diagnostics once, at the edge, with
//! [`QuerySource::map_diagnostic`].
//!
//! ```
//! use kqlint_source::{Limits, Source, SourceKind};
//! let yaml = "id: 1\nquery: |\n  SecurityEvent\n  | take 10\n";
//! let src = Source::from_text("rule.yaml", yaml, SourceKind::Yaml, &Limits::default());
//! let q = src.query.as_ref().unwrap();
//! assert_eq!(q.text, "SecurityEvent\n| take 10\n");
//! assert!(q.is_exact());
//! // `take` is at query offset 16; in the file it is at byte 35.
//! assert_eq!(q.map_offset(16), 35);
//! assert_eq!(&yaml[35..39], "take");
//! ```

mod decode;
mod limits;
mod map;
mod positions;
mod query;
mod rules;
mod scalar;
mod source;
pub mod yaml;

pub use decode::Encoding;
pub use limits::Limits;
pub use query::{Precision, QUERY_KEYS, QuerySource, QueryStyle};
pub use rules::*;
pub use scalar::{BlockHeader, Chomping};
pub use source::{Source, SourceKind};
pub use yaml::{PointerTarget, ScalarStyle, ScalarTyping, YamlKind, YamlNode};
