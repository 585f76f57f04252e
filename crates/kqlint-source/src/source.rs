//! A file or editor buffer made ready for analysis.

use crate::decode::{Decoded, Encoding, decode, too_large};
use crate::limits::Limits;
use crate::query::{QueryOrigin, QuerySource, from_yaml};
use crate::rules::UNREADABLE_FILE;
use crate::yaml::YamlNode;
use crate::yaml::load::load;
use kqlint_diagnostics::{Diagnostic, Span};
use std::io::Read;
use std::path::{Path, PathBuf};

/// What kind of text a source holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// A KQL query: the whole text is the query (`.kql`, `.csl`).
    Kql,
    /// A Sentinel / Defender XDR rule in YAML (`.yaml`, `.yml`).
    Yaml,
    /// Markdown (`.md`, `.markdown`): every fenced block of KQL is a query.
    Markdown,
    /// JSON (`.json`): the queries of ARM templates (analytic rules, hunting
    /// queries, Sentinel solution packages) and Defender XDR custom
    /// detection rules.
    Json,
    /// Bicep (`.bicep`): the queries of analytic rule resources, inline or
    /// loaded from a `.kql` file with `loadTextContent(...)`.
    Bicep,
}

impl SourceKind {
    /// The kind a file name's extension says (case-insensitive), if any.
    pub fn from_path(path: &Path) -> Option<SourceKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "kql" | "csl" => Some(SourceKind::Kql),
            "yaml" | "yml" => Some(SourceKind::Yaml),
            "md" | "markdown" => Some(SourceKind::Markdown),
            "json" => Some(SourceKind::Json),
            "bicep" => Some(SourceKind::Bicep),
            _ => None,
        }
    }

    /// Whether a source of this kind may hold no KQL at all (a README, a
    /// `package.json`): found by walking, it is then skipped silently.
    pub fn kql_optional(self) -> bool {
        matches!(
            self,
            SourceKind::Markdown | SourceKind::Json | SourceKind::Bicep
        )
    }
}

/// How queries are found in a source, besides the limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceOptions {
    /// Markdown: take untagged fences, and fences tagged with a language
    /// that is plainly not KQL's, when they look like KQL (a `<!-- kqlint:
    /// untagged off -->` comment in the file turns it off there).
    pub markdown_untagged: bool,
}

impl Default for SourceOptions {
    fn default() -> SourceOptions {
        SourceOptions {
            markdown_untagged: true,
        }
    }
}

/// A query a Bicep rule loads from another file
/// (`query: loadTextContent('rule.kql')`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedQuery {
    /// The file, resolved against the Bicep file's directory.
    pub path: PathBuf,
    /// The path as written.
    pub written: String,
    /// The `loadTextContent(...)` call in the Bicep file.
    pub span: Span,
    /// The JSON pointer of the rule resource's body in [`Source::yaml`].
    pub resource: String,
}

/// One file or editor buffer, read and split into what the analysis needs.
///
/// All spans (of `diagnostics`, `yaml`, `query.key_span` / `value_span`,
/// and what [`QuerySource::map_span`] returns) are byte offsets into
/// `text`: the decoded file, without its byte-order mark.
#[derive(Debug)]
pub struct Source {
    pub path: PathBuf,
    pub kind: SourceKind,
    /// The decoded text; `None` when the file could not be read as text
    /// (unreadable, binary, too large).
    pub text: Option<String>,
    pub encoding: Encoding,
    /// The file was not valid UTF-8 (or UTF-16): `text` has U+FFFD in place
    /// of the bad bytes, a diagnostic says where, and no fix may be applied.
    pub lossy: bool,
    /// The document tree, when it parsed without error and within the
    /// limits: the first YAML document's root, a JSON file's value, or a
    /// Bicep file's rule resources (see [`crate::bicep`]).
    pub yaml: Option<YamlNode>,
    /// The queries to analyse, in file order: one for a query file or a
    /// rule YAML file, any number for Markdown, JSON and Bicep. For YAML
    /// with a syntax error, the query is still given when its value was
    /// read completely before the error.
    pub queries: Vec<QuerySource>,
    /// Queries that Bicep rules load from other files.
    pub linked: Vec<LinkedQuery>,
    /// `io` and `yaml` diagnostics, spans into `text`.
    pub diagnostics: Vec<Diagnostic>,
}

impl Source {
    /// The query of a source that has one (a query file, a rule YAML file),
    /// or the first of several.
    pub fn query(&self) -> Option<&QuerySource> {
        self.queries.first()
    }

    /// Reads a file; its kind comes from its extension (a file with another
    /// extension is taken as KQL).
    pub fn load(path: impl Into<PathBuf>, limits: &Limits) -> Source {
        Source::load_with(path, limits, &SourceOptions::default())
    }

    /// [`Source::load`] with options.
    pub fn load_with(path: impl Into<PathBuf>, limits: &Limits, options: &SourceOptions) -> Source {
        let path = path.into();
        let kind = SourceKind::from_path(&path).unwrap_or(SourceKind::Kql);
        Source::load_as_with(path, kind, limits, options)
    }

    /// Reads a file as the given kind.
    pub fn load_as(path: impl Into<PathBuf>, kind: SourceKind, limits: &Limits) -> Source {
        Source::load_as_with(path, kind, limits, &SourceOptions::default())
    }

    /// [`Source::load_as`] with options.
    pub fn load_as_with(
        path: impl Into<PathBuf>,
        kind: SourceKind,
        limits: &Limits,
        options: &SourceOptions,
    ) -> Source {
        let path = path.into();
        match read_limited(&path, limits.file_bytes()) {
            Ok(bytes) => Source::from_bytes_with(path, &bytes, kind, limits, options),
            Err(d) => Source::without_text(path, kind, Encoding::Utf8, vec![*d]),
        }
    }

    /// A file's bytes: byte-order marks, UTF-16, invalid UTF-8 and binary
    /// content are handled here.
    pub fn from_bytes(
        path: impl Into<PathBuf>,
        bytes: &[u8],
        kind: SourceKind,
        limits: &Limits,
    ) -> Source {
        Source::from_bytes_with(path, bytes, kind, limits, &SourceOptions::default())
    }

    /// [`Source::from_bytes`] with options.
    pub fn from_bytes_with(
        path: impl Into<PathBuf>,
        bytes: &[u8],
        kind: SourceKind,
        limits: &Limits,
        options: &SourceOptions,
    ) -> Source {
        let path = path.into();
        let Decoded {
            text,
            encoding,
            lossy,
            diagnostics,
        } = decode(bytes, limits.file_bytes());
        match text {
            Some(text) => {
                let mut s = Source::analyse(path, text, kind, encoding, lossy, limits, options);
                let mut all = diagnostics;
                all.append(&mut s.diagnostics);
                s.diagnostics = all;
                s
            }
            None => Source::without_text(path, kind, encoding, diagnostics),
        }
    }

    /// An editor buffer (or any text already in memory): the same checks as
    /// a file's decoded text.
    pub fn from_text(
        path: impl Into<PathBuf>,
        text: impl Into<String>,
        kind: SourceKind,
        limits: &Limits,
    ) -> Source {
        Source::from_text_with(path, text, kind, limits, &SourceOptions::default())
    }

    /// [`Source::from_text`] with options.
    pub fn from_text_with(
        path: impl Into<PathBuf>,
        text: impl Into<String>,
        kind: SourceKind,
        limits: &Limits,
        options: &SourceOptions,
    ) -> Source {
        let path = path.into();
        let text = text.into();
        if let Some(d) = too_large(text.len() as u64, limits.file_bytes()) {
            return Source::without_text(path, kind, Encoding::Utf8, vec![d]);
        }
        // A NUL character makes it binary, exactly as for a file.
        if text.contains('\0') {
            return Source::from_bytes_with(path, text.as_bytes(), kind, limits, options);
        }
        Source::analyse(path, text, kind, Encoding::Utf8, false, limits, options)
    }

    fn without_text(
        path: PathBuf,
        kind: SourceKind,
        encoding: Encoding,
        diagnostics: Vec<Diagnostic>,
    ) -> Source {
        Source {
            path,
            kind,
            text: None,
            encoding,
            lossy: false,
            yaml: None,
            queries: Vec::new(),
            linked: Vec::new(),
            diagnostics,
        }
    }

    fn analyse(
        path: PathBuf,
        text: String,
        kind: SourceKind,
        encoding: Encoding,
        lossy: bool,
        limits: &Limits,
        options: &SourceOptions,
    ) -> Source {
        let mut diagnostics = Vec::new();
        let mut linked = Vec::new();
        let (yaml, queries) = match kind {
            SourceKind::Kql => (None, vec![QuerySource::whole_file(&text, lossy)]),
            SourceKind::Yaml => {
                let loaded = load(&text, limits);
                diagnostics.extend(loaded.diagnostics);
                if loaded.limit_hit {
                    (None, Vec::new())
                } else if let Some(root) = loaded
                    .root
                    .as_ref()
                    .filter(|r| loaded.complete && crate::arm::defender_rules(r).is_some())
                {
                    // A Defender XDR custom detection rule in YAML.
                    let queries = crate::arm::queries(
                        &text,
                        root,
                        crate::arm::Notation::Yaml,
                        lossy,
                        &mut diagnostics,
                    );
                    (loaded.root, queries)
                } else {
                    match from_yaml(&text, loaded.root.as_ref(), &loaded.aliased, lossy) {
                        Ok(q) => (
                            loaded.complete.then_some(loaded.root).flatten(),
                            vec![q.with_yaml_diagnostics(diagnostics.len())],
                        ),
                        Err(d) => {
                            // After a syntax error the missing query or odd
                            // shape is a consequence, not news.
                            if loaded.complete {
                                diagnostics.push(*d);
                            }
                            (loaded.complete.then_some(loaded.root).flatten(), Vec::new())
                        }
                    }
                }
            }
            SourceKind::Markdown => {
                let found = crate::markdown::extract(&text, lossy, options);
                diagnostics.extend(found.diagnostics);
                (None, found.queries)
            }
            SourceKind::Json => {
                let found = crate::arm::extract_json(&text, lossy, limits);
                diagnostics.extend(found.diagnostics);
                (found.root, found.queries)
            }
            SourceKind::Bicep => {
                let (found, links) = crate::bicep::extract(&path, &text, lossy, limits);
                diagnostics.extend(found.diagnostics);
                linked = links;
                (found.root, found.queries)
            }
        };
        debug_assert!(
            queries
                .iter()
                .all(|q| kind == SourceKind::Kql || !matches!(q.origin, QueryOrigin::File))
        );
        Source {
            path,
            kind,
            text: Some(text),
            encoding,
            lossy,
            yaml,
            queries,
            linked,
            diagnostics,
        }
    }
}

/// Reads at most `limit` bytes (plus one, to tell that there is more).
fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, Box<Diagnostic>> {
    let unreadable = |e: std::io::Error| {
        Box::new(Diagnostic::new(
            &UNREADABLE_FILE,
            Span::empty(0),
            format!("cannot read {}: {e}", path.display()),
        ))
    };
    // Opening a named pipe would wait for a writer, and a device may never
    // end: only regular files are read (discovery reports the others).
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
        && !m.is_dir()
    {
        return Err(Box::new(Diagnostic::new(
            &UNREADABLE_FILE,
            Span::empty(0),
            format!("cannot read {}: it is not a regular file", path.display()),
        )));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Box::new(Diagnostic::new(
            &UNREADABLE_FILE,
            Span::empty(0),
            format!("cannot read {}: it is a directory", path.display()),
        )));
    }
    if let Some(d) = too_large(meta.len(), limit) {
        return Err(Box::new(d));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if let Some(d) = too_large(bytes.len() as u64, limit) {
        return Err(Box::new(d));
    }
    Ok(bytes)
}
