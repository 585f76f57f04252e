//! YAML with positions: kqlint's light tree, its loader and JSON view.

mod error;
pub(crate) mod load;
mod tree;

pub(crate) use tree::core_scalar;
pub use tree::{PointerTarget, ScalarStyle, ScalarTyping, Walk, YamlKind, YamlNode};
