//! Resource limits applied while reading a source.
//!
//! Every limit has a default that real Sentinel rule files never come near
//! (the largest dev-corpus file is 12 KB, its deepest YAML nesting is
//! 6 levels, and no rule uses an alias) while hostile input stays cheap:
//! bounded time, bounded memory, no deep recursion.
//!
//! New limits are added as new fields with a default in [`Limits::default`];
//! callers build a `Limits` with `Limits { max_file_bytes: 1 << 20,
//! ..Limits::default() }`, so adding a field never breaks them.

/// Limits on one source. See the module docs for the defaults' rationale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file (or buffer) read, in bytes. Larger ones get
    /// `file-too-large` (KQL904) and are not analysed. Spans are `u32`, so
    /// this is also capped at 4 GiB internally.
    pub max_file_bytes: u64,
    /// Deepest YAML nesting (mappings and sequences inside each other),
    /// counting alias expansion. Deeper documents get `yaml-too-deep`
    /// (KQL905). The tree is built without recursion, but the tree's own
    /// traversals (`to_json`, drop) recurse, so values above
    /// [`Limits::DEPTH_CEILING`] are treated as the ceiling.
    pub max_yaml_depth: usize,
    /// Most YAML nodes (scalars, mappings, sequences) in one file, counting
    /// the copies that aliases create and the stored anchor values. More
    /// get `yaml-too-many-nodes` (KQL906).
    pub max_yaml_nodes: usize,
    /// Most nodes that alias expansion may create in one file. This is what
    /// stops a "billion laughs" document early: plain nodes are bounded by
    /// the file size, copies made by aliases are not.
    pub max_yaml_alias_nodes: usize,
}

impl Limits {
    /// The highest `max_yaml_depth` honoured (see the field docs).
    pub const DEPTH_CEILING: usize = 1000;

    pub(crate) fn depth(&self) -> usize {
        self.max_yaml_depth.min(Self::DEPTH_CEILING)
    }

    pub(crate) fn file_bytes(&self) -> u64 {
        self.max_file_bytes.min(u32::MAX as u64 - 1)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 10 * 1024 * 1024,
            max_yaml_depth: 128,
            max_yaml_nodes: 1_000_000,
            max_yaml_alias_nodes: 10_000,
        }
    }
}
