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
//! let q = src.query().unwrap();
//! assert_eq!(q.text, "SecurityEvent\n| take 10\n");
//! assert!(q.is_exact());
//! // `take` is at query offset 16; in the file it is at byte 35.
//! assert_eq!(q.map_offset(16), 35);
//! assert_eq!(&yaml[35..39], "take");
//! ```

//! # Design notes
//!
//! - **YAML crate: saphyr-parser 0.3 (event API).** It reports a start and an
//!   end for every event and the exact position of every error, its parser
//!   is a state machine with an explicit stack (no recursion on nesting),
//!   and it is already in the workspace (saphyr, which the testkit uses,
//!   is built on it). saphyr's `MarkedYaml` DOM was not used because it
//!   resolves an alias by cloning the anchored subtree inside the loader
//!   (bounded only by its own alias budget), and because its mappings are
//!   hash maps: a duplicate key either fails the whole load or silently
//!   replaces the first value, so we could not warn and go on. serde-saphyr
//!   maps YAML onto Rust types, while we
//!   need an untyped tree with spans for every node. Building our own
//!   [`YamlNode`] from events lets us count alias copies before making them,
//!   keep duplicate keys in file order, and keep the YAML crate out of every
//!   other crate's API. Positions arrive as character indices and are
//!   converted to byte offsets once.
//! - **Mapping by re-scanning.** A scalar's value does not say where each of
//!   its characters came from, so the raw text is read again following
//!   YAML 1.2's rules for its style, recording the source of every piece.
//!   The result is kept only when it rebuilds the parser's value exactly,
//!   so a shortcoming there makes a mapping coarser ([`Precision::Start`]),
//!   never wrong. `|` blocks are [`Precision::Exact`] (fixes can be written
//!   back, re-indented, and are verified by re-reading the edited file);
//!   `>`, plain and quoted scalars are [`Precision::Position`].
//! - **Invalid UTF-8** is reported once, at the first bad byte, and the file
//!   is then checked on its lossy decoding: one stray Windows-1252 byte in a
//!   comment should not hide every other finding. Spans stay right because
//!   the text before the first bad byte is unchanged. Fixes are never
//!   applied to such a file (writing it back would replace the bad bytes).
//! - **Several YAML documents**: the first is checked, the second `---` gets
//!   a warning (a rule file holds one rule).
//! - **Duplicate keys**: warned about; lookups and the JSON view use the
//!   last value, as Sentinel's loaders (YamlDotNet, PyYAML) do.
//! - **After a YAML syntax error** the query is still given when its value
//!   was read completely before the error (useful while typing in an
//!   editor), but [`Source::yaml`] is `None`, so rule-level checks do not
//!   run on a partial document.
//! - **saphyr-parser quirk**: a `|` / `>` block that runs into the end of
//!   the file on a line without a line break gets an extra `\n` (also when
//!   that last line holds only indentation). The query text follows the
//!   parser; that `\n` maps to the end of the file.

pub mod arm;
pub mod bicep;
mod decode;
mod json;
mod limits;
mod map;
pub mod markdown;
mod positions;
mod query;
mod rules;
mod scalar;
mod source;
pub mod yaml;

pub use decode::Encoding;
pub use limits::Limits;
pub use query::{
    PASCAL_RULE_KEYS, PlatformHint, Precision, QUERY_KEYS, QueryOrigin, QuerySource, QueryStyle,
    is_pascal_rule,
};
pub use rules::*;
pub use scalar::{BlockHeader, Chomping};
pub use source::{LinkedQuery, Source, SourceKind, SourceOptions};
pub use yaml::{PointerTarget, ScalarStyle, ScalarTyping, Walk, YamlKind, YamlNode};
