//! A file or editor buffer made ready for analysis.

use crate::decode::{Decoded, Encoding, decode, too_large};
use crate::limits::Limits;
use crate::query::{QuerySource, from_yaml};
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
}

impl SourceKind {
    /// The kind a file name's extension says (case-insensitive), if any.
    pub fn from_path(path: &Path) -> Option<SourceKind> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "kql" | "csl" => Some(SourceKind::Kql),
            "yaml" | "yml" => Some(SourceKind::Yaml),
            _ => None,
        }
    }
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
    /// The first YAML document's root, when the YAML parsed without error
    /// and within the limits.
    pub yaml: Option<YamlNode>,
    /// The query to analyse. For YAML with a syntax error, the query is
    /// still given when its value was read completely before the error.
    pub query: Option<QuerySource>,
    /// `io` and `yaml` diagnostics, spans into `text`.
    pub diagnostics: Vec<Diagnostic>,
}

impl Source {
    /// Reads a file; its kind comes from its extension (a file with another
    /// extension is taken as KQL).
    pub fn load(path: impl Into<PathBuf>, limits: &Limits) -> Source {
        let path = path.into();
        let kind = SourceKind::from_path(&path).unwrap_or(SourceKind::Kql);
        Source::load_as(path, kind, limits)
    }

    /// Reads a file as the given kind.
    pub fn load_as(path: impl Into<PathBuf>, kind: SourceKind, limits: &Limits) -> Source {
        let path = path.into();
        match read_limited(&path, limits.file_bytes()) {
            Ok(bytes) => Source::from_bytes(path, &bytes, kind, limits),
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
        let path = path.into();
        let Decoded {
            text,
            encoding,
            lossy,
            diagnostics,
        } = decode(bytes, limits.file_bytes());
        match text {
            Some(text) => {
                let mut s = Source::analyse(path, text, kind, encoding, lossy, limits);
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
        let path = path.into();
        let text = text.into();
        if let Some(d) = too_large(text.len() as u64, limits.file_bytes()) {
            return Source::without_text(path, kind, Encoding::Utf8, vec![d]);
        }
        // A NUL character makes it binary, exactly as for a file.
        if text.contains('\0') {
            return Source::from_bytes(path, text.as_bytes(), kind, limits);
        }
        Source::analyse(path, text, kind, Encoding::Utf8, false, limits)
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
            query: None,
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
    ) -> Source {
        let mut diagnostics = Vec::new();
        let (yaml, query) = match kind {
            SourceKind::Kql => (None, Some(QuerySource::whole_file(&text, lossy))),
            SourceKind::Yaml => {
                let loaded = load(&text, limits);
                diagnostics.extend(loaded.diagnostics);
                if loaded.limit_hit {
                    (None, None)
                } else {
                    match from_yaml(&text, loaded.root.as_ref(), &loaded.aliased, lossy) {
                        Ok(q) => (
                            loaded.complete.then_some(loaded.root).flatten(),
                            Some(q.with_yaml_diagnostics(diagnostics.len())),
                        ),
                        Err(d) => {
                            // After a syntax error the missing query or odd
                            // shape is a consequence, not news.
                            if loaded.complete {
                                diagnostics.push(*d);
                            }
                            (loaded.complete.then_some(loaded.root).flatten(), None)
                        }
                    }
                }
            }
        };
        Source {
            path,
            kind,
            text: Some(text),
            encoding,
            lossy,
            yaml,
            query,
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
