//! YAML events → [`YamlNode`] tree, with limits, duplicate keys and errors.
//!
//! The tree is built from saphyr-parser's events with an explicit stack (no
//! recursion, whatever the nesting). Aliases are expanded by copying the
//! anchored node, and every copy counts against the node limits before it
//! is made, so a "billion laughs" document stops after a bounded amount of
//! work.

use super::error::syntax_error;
use super::tree::{ScalarStyle, YamlKind, YamlNode};
use crate::limits::Limits;
use crate::positions::CharToByte;
use crate::rules::{DUPLICATE_KEY, MULTIPLE_DOCUMENTS, YAML_TOO_DEEP, YAML_TOO_MANY_NODES};
use kqlint_diagnostics::{Diagnostic, Span};
use saphyr_parser::{Event, Parser, ScalarStyle as PStyle};
use std::collections::HashMap;

/// What loading a YAML text produced.
pub(crate) struct LoadedYaml {
    /// The first document's root. After a syntax error, the part read so
    /// far (collections closed where the error stopped them).
    pub root: Option<YamlNode>,
    /// The whole text parsed without a syntax error and within the limits.
    pub complete: bool,
    /// A limit was hit: `root` is `None` and nothing else should be read.
    pub limit_hit: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// The spans of anchored nodes that an alias repeats: editing the text
    /// of such a node changes every place that names it.
    pub aliased: Vec<Span>,
}

enum Open {
    Seq(Vec<YamlNode>),
    Map {
        entries: Vec<(YamlNode, YamlNode)>,
        key: Option<YamlNode>,
        /// First span of each scalar key, for duplicate detection.
        seen: HashMap<String, Span>,
    },
}

struct Frame {
    open: Open,
    start: u32,
    /// End of the opening token (`[`, `{`), or `start` for block collections.
    anchor: usize,
    /// Nodes in this subtree so far (itself included).
    size: usize,
    /// Collection levels below this one (0 for a collection of scalars).
    height: usize,
}

struct Anchored {
    node: YamlNode,
    size: usize,
    /// Collection levels of the node itself (0 for a scalar).
    height: usize,
}

struct Builder<'t> {
    limits: &'t Limits,
    max_depth: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    nodes: usize,
    alias_nodes: usize,
    documents: usize,
    root: Option<YamlNode>,
    diagnostics: Vec<Diagnostic>,
    aliased: Vec<Span>,
}

/// A limit was hit: the diagnostic saying which.
struct Stop(Box<Diagnostic>);

pub(crate) fn load(text: &str, limits: &Limits) -> LoadedYaml {
    let pos = CharToByte::new(text);
    let mut b = Builder {
        limits,
        max_depth: limits.depth(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        alias_nodes: 0,
        documents: 0,
        root: None,
        diagnostics: Vec::new(),
        aliased: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(x)) => x,
            Some(Err(e)) if e.info() == "recursion limit exceeded" => {
                // saphyr-parser's own limit: 255 levels of `[` / `{`.
                let at = pos.byte(e.marker().index());
                let d = Diagnostic::new(
                    &YAML_TOO_DEEP,
                    Span::new(at.saturating_sub(1), at),
                    "the YAML nests `[...]` / `{...}` more than 255 levels deep here; kqlint stopped \
                     reading it",
                )
                .with_help("rule files are nested a few levels deep; check that this is a rule file");
                b.diagnostics.push(d);
                return LoadedYaml {
                    root: None,
                    complete: false,
                    limit_hit: true,
                    diagnostics: b.diagnostics,
                    aliased: b.aliased,
                };
            }
            Some(Err(e)) => {
                let at = pos.byte(e.marker().index());
                b.diagnostics.push(syntax_error(text, at, e.info()));
                b.close_all();
                return LoadedYaml {
                    root: b.root,
                    complete: false,
                    limit_hit: false,
                    diagnostics: b.diagnostics,
                    aliased: b.aliased,
                };
            }
        };
        let span = Span::new(pos.byte(span.start.index()), pos.byte(span.end.index()));
        if let Err(Stop(d)) = b.event(event, span) {
            b.diagnostics.push(*d);
            return LoadedYaml {
                root: None,
                complete: false,
                limit_hit: true,
                diagnostics: b.diagnostics,
                aliased: b.aliased,
            };
        }
    }
    LoadedYaml {
        root: b.root,
        complete: true,
        limit_hit: false,
        diagnostics: b.diagnostics,
        aliased: b.aliased,
    }
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Stop> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 2 {
                    self.diagnostics.push(
                        Diagnostic::new(
                            &MULTIPLE_DOCUMENTS,
                            span,
                            "a second YAML document starts here; a rule file holds one rule, and \
                             kqlint checks only the first document",
                        )
                        .with_help("put each rule in a file of its own, or delete this `---` line"),
                    );
                }
            }
            Event::Scalar(value, style, anchor, _tag) => {
                self.count(1, span)?;
                let style = match style {
                    PStyle::Plain => ScalarStyle::Plain,
                    PStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    PStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    PStyle::Literal => ScalarStyle::Literal,
                    PStyle::Folded => ScalarStyle::Folded,
                };
                let kind = if value.is_empty() && style == ScalarStyle::Plain {
                    YamlKind::Null
                } else {
                    YamlKind::Scalar {
                        value: value.into_owned(),
                        style,
                    }
                };
                self.attach(YamlNode { kind, span }, 1, 0, anchor)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.count(1, span)?;
                if self.stack.len() + 1 > self.max_depth {
                    return Err(Stop(Box::new(too_deep(span, self.max_depth))));
                }
                let open = if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq(Vec::new())
                } else {
                    Open::Map {
                        entries: Vec::new(),
                        key: None,
                        seen: HashMap::new(),
                    }
                };
                self.stack.push(Frame {
                    open,
                    start: span.start,
                    anchor,
                    size: 1,
                    height: 0,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // A flow collection's end event covers its `]` / `}`; a block
                // collection's is empty and may sit after trailing comments.
                let end = (!span.is_empty()).then_some(span.end);
                self.close(end)?;
            }
            Event::Alias(id) => {
                let Some(a) = self.anchors.get(&id) else {
                    // The parser rejects unknown aliases itself.
                    return Ok(());
                };
                let (size, height) = (a.size, a.height);
                if self.stack.len() + height > self.max_depth {
                    return Err(Stop(Box::new(too_deep(span, self.max_depth))));
                }
                self.alias_nodes = self.alias_nodes.saturating_add(size);
                if self.alias_nodes > self.limits.max_yaml_alias_nodes {
                    return Err(Stop(Box::new(
                        Diagnostic::new(
                            &YAML_TOO_MANY_NODES,
                            span,
                            format!(
                                "aliases in this file expand to more than {} nodes; kqlint stopped \
                                 reading the YAML here",
                                self.limits.max_yaml_alias_nodes
                            ),
                        )
                        .with_help(
                            "nested anchors and aliases can grow exponentially (\"billion laughs\"); \
                             write the values out instead",
                        ),
                    )));
                }
                self.count(size, span)?;
                let node = self.anchors[&id].node.clone();
                // (at most `max_yaml_alias_nodes` aliases get this far)
                self.aliased.push(node.span);
                self.attach(node, size, height, 0)?;
            }
        }
        Ok(())
    }

    fn count(&mut self, n: usize, span: Span) -> Result<(), Stop> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > self.limits.max_yaml_nodes {
            return Err(Stop(Box::new(
                Diagnostic::new(
                    &YAML_TOO_MANY_NODES,
                    span,
                    format!(
                        "the YAML has more than {} nodes; kqlint stopped reading it here",
                        self.limits.max_yaml_nodes
                    ),
                )
                .with_help("rule files are small; check that this is a rule file"),
            )));
        }
        Ok(())
    }

    /// Pops the top frame into a node and attaches it to its parent.
    fn close(&mut self, end: Option<u32>) -> Result<(), Stop> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (node, last_end) = finish(frame.open, frame.start);
        let end = end.unwrap_or(last_end).max(frame.start);
        let node = YamlNode {
            kind: node,
            span: Span::new(frame.start, end),
        };
        self.attach(node, frame.size, frame.height + 1, frame.anchor)
    }

    /// Closes every open collection (after a syntax error), so that the part
    /// read so far can still be used to find the query.
    fn close_all(&mut self) {
        while !self.stack.is_empty() {
            // Storing anchors can only hit a limit that was checked already.
            let _ = self.close(None);
        }
    }

    fn attach(
        &mut self,
        node: YamlNode,
        size: usize,
        height: usize,
        anchor: usize,
    ) -> Result<(), Stop> {
        if anchor != 0 {
            // The stored copy costs as much memory as the node itself.
            self.count(size, node.span)?;
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    size,
                    height,
                },
            );
        }
        let Some(top) = self.stack.last_mut() else {
            if self.documents <= 1 && self.root.is_none() {
                self.root = Some(node);
            }
            return Ok(());
        };
        top.size = top.size.saturating_add(size);
        top.height = top.height.max(height);
        match &mut top.open {
            Open::Seq(items) => items.push(node),
            Open::Map { entries, key, seen } => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    if let YamlKind::Scalar { value, .. } = &node.kind {
                        if let Some(&first) = seen.get(value.as_str()) {
                            self.diagnostics.push(duplicate(value, node.span, first));
                        } else {
                            seen.insert(value.clone(), node.span);
                        }
                    }
                    *key = Some(node);
                }
            },
        }
        Ok(())
    }
}

/// The collection's kind and the end of its last child.
fn finish(open: Open, start: u32) -> (YamlKind, u32) {
    match open {
        Open::Seq(items) => {
            let end = items.last().map_or(start, |n| n.span.end);
            (YamlKind::Sequence(items), end)
        }
        Open::Map { entries, key, .. } => {
            let end = entries
                .last()
                .map(|(_, v)| v.span.end.max(v.span.start))
                .into_iter()
                .chain(key.as_ref().map(|k| k.span.end))
                .max()
                .unwrap_or(start);
            (YamlKind::Mapping(entries), end)
        }
    }
}

fn too_deep(span: Span, max: usize) -> Diagnostic {
    Diagnostic::new(
        &YAML_TOO_DEEP,
        span,
        format!("the YAML is nested more than {max} levels deep here; kqlint stopped reading it"),
    )
    .with_help("rule files are nested a few levels deep; check that this is a rule file")
}

fn duplicate(key: &str, second: Span, first: Span) -> Diagnostic {
    Diagnostic::new(
        &DUPLICATE_KEY,
        second,
        format!(
            "the key `{key}` appears twice in this mapping; Sentinel's loaders silently keep only the \
             last value"
        ),
    )
    .with_label(first, format!("`{key}` first defined here; this value is ignored"))
    .with_help("delete one of the two entries, keeping the value you mean")
}
