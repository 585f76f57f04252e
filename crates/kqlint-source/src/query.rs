//! The query of a source and the mapping of its offsets to the file.

use crate::limits::Limits;
use crate::map::{MapBuilder, OffsetMap};
use crate::rules::{MISSING_QUERY, NOT_A_MAPPING, QUERY_NOT_A_STRING};
use crate::scalar::{BlockHeader, rescan};
use crate::yaml::load::load;
use crate::yaml::{ScalarStyle, YamlKind, YamlNode, core_scalar};
use kqlint_diagnostics::{Diagnostic, Edit, Fix, Span};

/// The top-level keys whose value is KQL, in the order they are looked for:
/// `query` (analytic rules, hunting and exploration queries), `ParserQuery`
/// (ASIM parsers), `FunctionQuery` (solution parsers).
pub const QUERY_KEYS: [&str; 3] = ["query", "ParserQuery", "FunctionQuery"];

/// Top-level keys of the PascalCase rule dialect that some deployment
/// tools write (`DisplayName`, `QueryFrequency: PT5H`, ...), besides `Query`.
pub const PASCAL_RULE_KEYS: [&str; 15] = [
    "DisplayName",
    "Description",
    "Severity",
    "Enabled",
    "Kind",
    "QueryFrequency",
    "QueryPeriod",
    "TriggerOperator",
    "TriggerThreshold",
    "SuppressionDuration",
    "SuppressionEnabled",
    "Tactics",
    "Techniques",
    "EntityMappings",
    "AlertRuleTemplateName",
];

/// Whether a YAML mapping is a rule in the PascalCase dialect: a `Query`
/// key, at least two other PascalCase rule keys, and no camelCase `query`,
/// `id` or `name` (a camelCase rule with a mistyped `Query` is not one).
pub fn is_pascal_rule(root: &YamlNode) -> bool {
    root.get("Query").is_some()
        && ["query", "id", "name"]
            .iter()
            .all(|k| root.get(k).is_none())
        && PASCAL_RULE_KEYS
            .iter()
            .filter(|k| root.get(k).is_some())
            .count()
            >= 2
}

/// How the query was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueryStyle {
    /// The whole file is the query (`.kql`, `.csl`).
    File,
    /// `|` block (see [`QuerySource::block`] for its header).
    Literal,
    /// `>` block.
    Folded,
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// The key has no value (`query:`): the query is empty.
    Empty,
    /// A fenced code block of a Markdown file (the block's lines, without
    /// the indentation of its fence).
    Fence,
    /// A JSON string (an ARM template, a Defender XDR detection rule):
    /// escapes are decoded.
    JsonString,
    /// A Bicep string (`'...'` with escapes, or a `'''` multi-line string).
    BicepString,
}

/// What a query belongs to in its file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum QueryOrigin {
    /// The whole file is the query (`.kql`, `.csl`).
    File,
    /// The query key of a rule YAML file (`query`, `ParserQuery`,
    /// `FunctionQuery`, or `Query` in the PascalCase dialect).
    Yaml,
    /// A fenced code block of a Markdown file; `tag` is the first word of
    /// its info string (lower case), if any.
    Markdown { tag: Option<String> },
    /// An analytic rule (`Microsoft.SecurityInsights/alertRules`,
    /// `AlertRuleTemplates`) or a hunting query (`savedSearches`) of an ARM
    /// template; `resource` is the JSON pointer of its resource object in
    /// [`crate::Source::yaml`].
    Arm { resource: String },
    /// A Defender XDR custom detection rule (Microsoft Graph
    /// `detectionRule`, in JSON or YAML); `rule` is the JSON pointer of the
    /// rule object.
    Defender { rule: String },
    /// The query of an analytic rule resource in a Bicep file; `resource`
    /// is the JSON pointer of the resource's body.
    Bicep { resource: String },
}

/// The platform the place of a query names (a Markdown heading or front
/// matter, the kind of rule): the engine uses it unless the configuration
/// declares one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlatformHint {
    /// Microsoft Sentinel (Log Analytics).
    Sentinel,
    /// Defender XDR advanced hunting.
    Defender,
}

/// How precisely query offsets map to the file, from coarsest to finest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// Every offset maps to where the value starts.
    Start,
    /// Every query character maps to the file position that produced it,
    /// but the text is not verbatim (folded line breaks, escapes, `''`).
    Position,
    /// Every query character is the identical character in the file (a
    /// `\n` may be a `\r\n` there): text edits can be mapped.
    Exact,
}

/// A query text and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuerySource {
    /// The query, as Sentinel reads it (line breaks are `\n`).
    pub text: String,
    /// The key holding the query (`query`, `ParserQuery`, `FunctionQuery`);
    /// `None` for a `.kql` file.
    pub key: Option<String>,
    /// The key's span in the file.
    pub key_span: Option<Span>,
    /// The value's span in the file: from its properties or header (`|-`,
    /// the opening quote) to its last content character (the closing quote).
    /// The whole file for a `.kql` file.
    pub value_span: Span,
    pub style: QueryStyle,
    /// The header of a `|` / `>` block.
    pub block: Option<BlockHeader>,
    /// What the query belongs to.
    pub origin: QueryOrigin,
    /// The platform the query's place names, if any.
    pub platform: Option<PlatformHint>,
    /// Several queries may follow each other, separated by blank lines (a
    /// query file, a Markdown block): Kusto's editors read such a text as a
    /// script (`CodeScript`), a blank line between two statements ending the
    /// first. A rule's query is one query.
    pub script: bool,
    /// What to call the query in messages: the Markdown heading above it,
    /// the rule's display name.
    pub label: Option<String>,
    precision: Precision,
    /// The file text was decoded lossily: edits would corrupt it.
    lossy: bool,
    map: OffsetMap,
    /// For re-checking mapped edits: where the key ends in the file and the
    /// column of the collection holding it.
    key_end: u32,
    parent_indent: i64,
    /// `\r\n` when the value's lines end that way in the file.
    crlf: bool,
    /// The indentation removed from the lines of a Markdown fence.
    fence_indent: u32,
    /// How many diagnostics the YAML loader gave the file (duplicate keys,
    /// a second document): an edit must not add any.
    yaml_diagnostics: usize,
    /// The value is a YAML anchor that an alias repeats elsewhere (`query:
    /// &q |` and `*q` under another key), or an alias of such an anchor:
    /// its text is also another key's, so it is never edited.
    aliased: bool,
}

impl QuerySource {
    /// A whole file (`.kql`, `.csl`) as a query: offsets map to themselves.
    ///
    /// A byte-order mark left in an editor buffer is not part of the query;
    /// the query then starts 3 bytes into the text.
    pub(crate) fn whole_file(text: &str, lossy: bool) -> QuerySource {
        if let Some(rest) = text.strip_prefix('\u{feff}') {
            let mut b = MapBuilder::default();
            b.verbatim(text, 3, text.len());
            let (query, map) = b.finish(3, false);
            return QuerySource {
                text: query,
                map,
                value_span: Span::new(3, text.len() as u32),
                ..QuerySource::whole_file(rest, lossy)
            };
        }
        QuerySource {
            text: text.to_owned(),
            key: None,
            key_span: None,
            value_span: Span::new(0, text.len() as u32),
            style: QueryStyle::File,
            block: None,
            origin: QueryOrigin::File,
            platform: None,
            script: true,
            label: None,
            precision: Precision::Exact,
            lossy,
            map: OffsetMap::identity(text.len() as u32),
            key_end: 0,
            parent_indent: -1,
            crlf: false,
            fence_indent: 0,
            yaml_diagnostics: 0,
            aliased: false,
        }
    }

    /// A query taken from `map`: the text the builder accumulated and where
    /// each piece came from (Markdown fences, JSON and Bicep strings).
    pub(crate) fn mapped(
        builder: MapBuilder,
        value_span: Span,
        style: QueryStyle,
        origin: QueryOrigin,
        precision: Precision,
        lossy: bool,
    ) -> QuerySource {
        let clamp = style == QueryStyle::Fence;
        let (text, map) = builder.finish(value_span.start, clamp);
        QuerySource {
            text,
            key: None,
            key_span: None,
            value_span,
            style,
            block: None,
            origin,
            platform: None,
            script: false,
            label: None,
            precision,
            lossy,
            map,
            key_end: 0,
            parent_indent: -1,
            crlf: false,
            fence_indent: 0,
            yaml_diagnostics: 0,
            aliased: false,
        }
    }

    pub(crate) fn with_fence_indent(mut self, indent: u32, crlf: bool) -> QuerySource {
        self.fence_indent = indent;
        self.crlf = crlf;
        self
    }

    /// True when query spans map to file spans character for character, so
    /// a fix's edits may be applied through [`QuerySource::map_fix`]: a `.kql`
    /// file or a `|` block, from a file that decoded without loss.
    pub fn is_exact(&self) -> bool {
        self.precision == Precision::Exact && !self.lossy && !self.aliased
    }

    /// Why fixes are not applied to this query although its mapping is
    /// exact: its text is a YAML anchor that an alias repeats (or an alias),
    /// so an edit would change another key's value too.
    pub fn edit_refusal(&self) -> Option<&'static str> {
        let editable = matches!(
            self.style,
            QueryStyle::Literal | QueryStyle::File | QueryStyle::Fence
        );
        (self.aliased && editable && !self.lossy).then_some(
            "not fixed: the query is a YAML anchor that an alias (`*name`) repeats under another \
             key (or is itself an alias), so editing it would change that key too; write the \
             query out under `query` alone to let kqlint fix it",
        )
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The file offset of the query character at `offset`. The end of the
    /// query maps to the end of its last line (not past the final line
    /// break onto the next YAML key).
    pub fn map_offset(&self, offset: u32) -> u32 {
        self.map.start_of(offset)
    }

    /// The file span of a query span: from the file position of its first
    /// character to just after the file position of its last one. Empty
    /// spans stay empty.
    pub fn map_span(&self, span: Span) -> Span {
        self.map.span(span)
    }

    /// A diagnostic on the query, moved to file offsets: its span, labels and,
    /// when the mapping is exact and the edits can be written back into the
    /// value, its fix (otherwise the fix is dropped).
    pub fn map_diagnostic(&self, mut d: Diagnostic, file_text: &str) -> Diagnostic {
        d.span = self.map_span(d.span);
        for l in &mut d.labels {
            l.span = self.map_span(l.span);
        }
        d.fix = d
            .fix
            .and_then(|f| self.map_fix(&f, file_text))
            .map(Box::new);
        d
    }

    /// A fix on the query as a fix on the file. Line breaks in replacements
    /// get the block's indentation (and `\r\n` in CRLF files). `None` when
    /// the mapping is not exact or the edited file would no longer read back
    /// as the edited query (checked by re-reading the block).
    pub fn map_fix(&self, fix: &Fix, file_text: &str) -> Option<Fix> {
        if !self.is_exact() {
            return None;
        }
        if self.style == QueryStyle::File {
            let edits = fix
                .edits
                .iter()
                .map(|e| Edit {
                    span: self.map_span(e.span),
                    replacement: e.replacement.clone(),
                })
                .collect();
            return Some(Fix {
                edits,
                ..fix.clone()
            });
        }
        if self.style == QueryStyle::Fence {
            return self.map_fence_fix(fix, file_text);
        }
        let block = self.block?;
        let (q_edits, f_edits) = self.reindented_edits(fix, block.indent)?;
        // Check: the edited file must read back as the edited query.
        let expected = kqlint_diagnostics::apply_edits(&self.text, &q_edits)?;
        let edited = kqlint_diagnostics::apply_edits(file_text, &f_edits)?;
        let style = match self.style {
            QueryStyle::Literal => ScalarStyle::Literal,
            _ => return None,
        };
        let again = rescan(
            &edited,
            self.key_end as usize,
            edited.len(),
            style,
            self.parent_indent,
            &expected,
            true,
        )?;
        if again.header.map(|h| h.indent) != Some(block.indent) {
            return None;
        }
        // And the YAML parser itself must read the edited file as the edited
        // query, with nothing else broken.
        let reread = load(&edited, &Limits::default());
        if !reread.complete || reread.diagnostics.len() != self.yaml_diagnostics {
            return None;
        }
        let q = from_yaml(&edited, reread.root.as_ref(), &reread.aliased, false).ok()?;
        if q.text != expected || q.key != self.key || !q.is_exact() {
            return None;
        }
        Some(Fix {
            message: fix.message.clone(),
            edits: f_edits,
            applicability: fix.applicability,
        })
    }
}

impl QuerySource {
    /// A fix's edits sorted, in query coordinates, and mapped into the file
    /// with line breaks in replacements indented by `indent` spaces (the
    /// block scalar's or the fence's); `None` when edits overlap or leave
    /// the query.
    fn reindented_edits(&self, fix: &Fix, indent: u32) -> Option<(Vec<Edit>, Vec<Edit>)> {
        let mut q_edits = fix.edits.clone();
        q_edits.sort_by_key(|e| (e.span.start, e.span.end));
        if q_edits.windows(2).any(|w| w[0].span.end > w[1].span.start)
            || q_edits
                .iter()
                .any(|e| e.span.end as usize > self.text.len())
        {
            return None;
        }
        let indent = " ".repeat(indent as usize);
        let brk = if self.crlf { "\r\n" } else { "\n" };
        let f_edits = q_edits
            .iter()
            .map(|e| Edit {
                span: self.map_span(e.span),
                replacement: reindent(&e.replacement, brk, &indent),
            })
            .collect();
        Some((q_edits, f_edits))
    }

    /// A fix inside a Markdown fence: line breaks in replacements get the
    /// fence's indentation, and the edited file must read back, block for
    /// block, as the edited query.
    fn map_fence_fix(&self, fix: &Fix, file_text: &str) -> Option<Fix> {
        let (q_edits, f_edits) = self.reindented_edits(fix, self.fence_indent)?;
        let expected = kqlint_diagnostics::apply_edits(&self.text, &q_edits)?;
        let edited = kqlint_diagnostics::apply_edits(file_text, &f_edits)?;
        let again = crate::markdown::extract(&edited, false, &crate::SourceOptions::default());
        let same = again
            .queries
            .iter()
            .find(|q| q.value_span.start == self.value_span.start)?;
        if same.text != expected || !same.is_exact() {
            return None;
        }
        Some(Fix {
            message: fix.message.clone(),
            edits: f_edits,
            applicability: fix.applicability,
        })
    }
}

fn reindent(s: &str, brk: &str, indent: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                out.push_str(brk);
                if !matches!(chars.peek(), Some('\n' | '\r')) {
                    out.push_str(indent);
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Finds and maps the query of a YAML document's root.
pub(crate) fn from_yaml(
    text: &str,
    root: Option<&YamlNode>,
    aliased: &[Span],
    lossy: bool,
) -> Result<QuerySource, Box<Diagnostic>> {
    let root = match root {
        Some(r) if !r.is_null() => r,
        _ => {
            return Err(Box::new(
                Diagnostic::new(
                    &MISSING_QUERY,
                    Span::empty(0),
                    "the YAML file is empty: there is no `query` to check",
                )
                .with_help("a rule file has a top-level `query: |` key followed by the query"),
            ));
        }
    };
    let Some(entries) = root.as_mapping() else {
        let what = match root.kind {
            YamlKind::Sequence(_) => "a list",
            _ => "a single value",
        };
        let first_line_end = text[root.span.start as usize..]
            .find(['\r', '\n'])
            .map_or(root.span.end, |i| root.span.start + i as u32)
            .min(root.span.end.max(root.span.start));
        return Err(Box::new(
            Diagnostic::new(
                &NOT_A_MAPPING,
                Span::new(root.span.start, first_line_end),
                format!(
                    "the top-level value is {what}, not `key: value` pairs: this is not a Sentinel rule \
                     file, so kqlint has nothing to check in it"
                ),
            )
            .with_help("write the rule as `key: value` lines at the left margin, or exclude this file"),
        ));
    };
    let found = QUERY_KEYS
        .iter()
        .find_map(|k| root.entry(k).map(|e| (*k, e)))
        .or_else(|| {
            is_pascal_rule(root)
                .then(|| root.entry("Query").map(|e| ("Query", e)))
                .flatten()
        });
    let Some((name, (key, value))) = found else {
        let near = entries.iter().find_map(|(k, _)| {
            let s = k.as_str()?;
            QUERY_KEYS
                .iter()
                .find(|q| q.eq_ignore_ascii_case(s))
                .map(|q| (k, s, *q))
        });
        let d = match near {
            Some((k, s, q)) => Diagnostic::new(
                &MISSING_QUERY,
                k.span,
                format!("there is no `{q}` key; `{s}` is not it: YAML keys are case-sensitive"),
            )
            .with_help(format!("rename `{s}` to `{q}`")),
            None => Diagnostic::new(
                &MISSING_QUERY,
                Span::empty(root.span.start),
                "this YAML mapping has no `query`, `ParserQuery` or `FunctionQuery` key, so there is no \
                 query to check",
            )
            .with_help("add the query under a top-level `query: |` key"),
        };
        return Err(Box::new(d));
    };
    let parent_indent = column(text, root.span.start) as i64;
    yaml_scalar_query(text, name, key, value, parent_indent, aliased, lossy)
}

/// The query that is the YAML scalar `value` of `key` (named `name`), in a
/// block mapping at column `parent_indent`: its text, mapped to the file.
pub(crate) fn yaml_scalar_query(
    text: &str,
    name: &str,
    key: &YamlNode,
    value: &YamlNode,
    parent_indent: i64,
    aliased: &[Span],
    lossy: bool,
) -> Result<QuerySource, Box<Diagnostic>> {
    let (value_text, style) = match &value.kind {
        YamlKind::Scalar { value, style } => (value.as_str(), *style),
        YamlKind::Null => {
            return Err(Box::new(
                Diagnostic::new(
                    &QUERY_NOT_A_STRING,
                    key.span,
                    format!("`{name}` has no value: the query is empty"),
                )
                .with_help(format!(
                    "write the query as a literal block: `{name}: |` followed by the query lines, indented"
                )),
            ));
        }
        YamlKind::Mapping(_) | YamlKind::Sequence(_) => {
            let what = if value.as_mapping().is_some() {
                "a mapping"
            } else {
                "a list"
            };
            return Err(Box::new(
                Diagnostic::new(
                    &QUERY_NOT_A_STRING,
                    key.span,
                    format!("the value of `{name}` is {what}, not the text of a query"),
                )
                .with_label(value.span, format!("this is read as {what}"))
                .with_help(format!(
                    "write the query as a literal block: `{name}: |` followed by the query lines, indented"
                )),
            ));
        }
    };
    // YAML reads a plain `12345`, `true` or `~` as a number, a boolean or
    // null, not as text; Sentinel and Kusto refuse such a query.
    if style == ScalarStyle::Plain {
        let what = match core_scalar(value_text) {
            serde_json::Value::String(_) => None,
            serde_json::Value::Null => Some("null"),
            serde_json::Value::Bool(_) => Some("a boolean"),
            _ => Some("a number"),
        };
        if let Some(what) = what {
            return Err(Box::new(
                Diagnostic::new(
                    &QUERY_NOT_A_STRING,
                    value.span,
                    format!(
                        "the value of `{name}` is {what} (`{value_text}`), not the text of a query"
                    ),
                )
                .with_label(key.span, format!("YAML reads the value of `{name}` as {what}"))
                .with_help(format!(
                    "write the query as a literal block: `{name}: |` followed by the query lines, indented"
                )),
            ));
        }
    }
    let qstyle = match style {
        ScalarStyle::Plain => QueryStyle::Plain,
        ScalarStyle::SingleQuoted => QueryStyle::SingleQuoted,
        ScalarStyle::DoubleQuoted => QueryStyle::DoubleQuoted,
        ScalarStyle::Literal => QueryStyle::Literal,
        ScalarStyle::Folded => QueryStyle::Folded,
    };
    let scanned = rescan(
        text,
        key.span.end as usize,
        value.span.end as usize,
        style,
        parent_indent,
        value_text,
        false,
    );
    let (text_out, map, precision, block, start, end) = match scanned {
        Some(r) => {
            let precision = if style == ScalarStyle::Literal {
                Precision::Exact
            } else {
                Precision::Position
            };
            let end = r.end as u32;
            let start = (r.start as u32).min(value.span.start);
            let (t, m) = r.map.finish(start, true);
            (t, m, precision, r.header, start, end)
        }
        None => (
            value_text.to_owned(),
            OffsetMap::point(value_text.len() as u32, value.span.start),
            Precision::Start,
            None,
            value.span.start,
            value.span.end,
        ),
    };
    let crlf = text
        .get(start as usize..end as usize)
        .is_some_and(|s| s.contains("\r\n"));
    Ok(QuerySource {
        text: text_out,
        key: Some(name.to_owned()),
        key_span: Some(key.span),
        value_span: Span::new(start, end.max(start)),
        style: qstyle,
        block,
        origin: QueryOrigin::Yaml,
        platform: None,
        script: false,
        label: None,
        precision,
        lossy,
        map,
        key_end: key.span.end,
        parent_indent,
        crlf,
        fence_indent: 0,
        yaml_diagnostics: 0,
        aliased: aliased
            .iter()
            .any(|a| a.start <= value.span.start && value.span.end <= a.end),
    })
}

/// The column (in characters) of a byte offset.
pub(crate) fn column(text: &str, at: u32) -> usize {
    let at = (at as usize).min(text.len());
    let ls = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    text[ls..at].chars().count()
}

impl QuerySource {
    /// Records how many diagnostics the loader gave the file.
    pub(crate) fn with_yaml_diagnostics(mut self, n: usize) -> QuerySource {
        self.yaml_diagnostics = n;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Source, SourceKind};
    use std::collections::BTreeMap;

    /// Every scalar value of every mapping in the dev corpus (descriptions,
    /// names, entity mappings: all styles), not just the queries, is
    /// re-scanned to a mapping that rebuilds the parser's value.
    #[test]
    fn every_corpus_scalar_rescans() {
        let mut ok: BTreeMap<String, usize> = BTreeMap::new();
        let mut failed = Vec::new();
        for path in kqlint_testkit::corpus_files() {
            let src = Source::load_as(&path, SourceKind::Yaml, &Limits::default());
            let (Some(text), Some(root)) = (src.text.as_deref(), src.yaml.as_ref()) else {
                continue;
            };
            let mut stack = vec![root];
            while let Some(node) = stack.pop() {
                match &node.kind {
                    YamlKind::Mapping(entries) => {
                        let indent = column(text, node.span.start) as i64;
                        for (k, v) in entries {
                            stack.push(v);
                            if let YamlKind::Scalar { value, style } = &v.kind {
                                let r = rescan(
                                    text,
                                    k.span.end as usize,
                                    v.span.end as usize,
                                    *style,
                                    indent,
                                    value,
                                    false,
                                );
                                match r {
                                    Some(_) => *ok.entry(format!("{style:?}")).or_default() += 1,
                                    None => failed.push(format!(
                                        "{}: {:?} {style:?}",
                                        path.display(),
                                        k.as_str()
                                    )),
                                }
                            }
                        }
                    }
                    YamlKind::Sequence(items) => stack.extend(items),
                    _ => {}
                }
            }
        }
        eprintln!("re-scanned: {ok:?}");
        assert!(
            failed.is_empty(),
            "{} failed:\n{}",
            failed.len(),
            failed.join("\n")
        );
        assert!(ok.values().sum::<usize>() > 10_000);
    }
}
