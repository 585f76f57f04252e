//! Open documents: immutable snapshots, replaced on every change.
//!
//! A change makes a new [`Document`] with the next generation number; work
//! started on an older snapshot can tell it is stale by comparing
//! generations. Each snapshot caches its check result and its editor
//! analysis, so a hover after the diagnostics were computed costs nothing.

use crate::position::{Encoding, Lines};
use kqlint_core::{LineIndex, SourceKind};
use lsp_types::{TextDocumentContentChangeEvent, Uri};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The result of checking one document snapshot (kept with it).
pub struct Checked {
    /// The engine's diagnostics, spans in the document's text.
    pub diagnostics: Vec<kqlint_core::Diagnostic>,
    /// The analysis of each query, which editor features answer from.
    pub analyses: Vec<Arc<kqlint_core::QueryAnalysis>>,
    /// The same, as LSP diagnostics.
    pub lsp: Vec<lsp_types::Diagnostic>,
    /// Time spent in the engine and the conversion.
    pub elapsed: std::time::Duration,
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// One version of an open document.
pub struct Document {
    pub uri: Uri,
    /// The file path (for messages and the config file lookup); the URI
    /// itself for other schemes.
    pub path: PathBuf,
    pub version: i32,
    /// Unique and increasing over all snapshots of all documents.
    pub generation: u64,
    /// `None`: not a kind kqlint checks (it gets no diagnostics).
    pub kind: Option<SourceKind>,
    pub text: String,
    pub index: LineIndex,
    /// Cached results, each tagged with the workspace generation (settings)
    /// it was computed with.
    pub(crate) checked: Mutex<Option<(u64, Arc<Checked>)>>,
    pub(crate) ide: Mutex<Option<(u64, Arc<kqlint_ide::Ide>)>>,
}

impl Document {
    pub fn new(uri: Uri, language_id: &str, version: i32, text: String) -> Document {
        let path = uri_to_path(&uri);
        let kind = SourceKind::from_path(&path).or(match language_id {
            "kql" | "kusto" => Some(SourceKind::Kql),
            "yaml" => Some(SourceKind::Yaml),
            "markdown" => Some(SourceKind::Markdown),
            "json" | "jsonc" => Some(SourceKind::Json),
            "bicep" => Some(SourceKind::Bicep),
            _ => None,
        });
        Document {
            index: LineIndex::new(&text),
            uri,
            path,
            version,
            generation: next_generation(),
            kind,
            text,
            checked: Mutex::new(None),
            ide: Mutex::new(None),
        }
    }

    pub fn lines(&self, encoding: Encoding) -> Lines<'_> {
        Lines {
            text: &self.text,
            index: &self.index,
            encoding,
        }
    }

    /// The next version: `changes` applied in order. A range change with
    /// out-of-range positions is clamped to the text (LSP asks for that).
    pub fn changed(
        &self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Document {
        let mut text = self.text.clone();
        let mut index: Option<LineIndex> = Some(self.index.clone());
        for change in changes {
            match change.range {
                None => {
                    text = change.text;
                    index = None;
                }
                Some(range) => {
                    let idx = index.take().unwrap_or_else(|| LineIndex::new(&text));
                    let span = Lines {
                        text: &text,
                        index: &idx,
                        encoding,
                    }
                    .span(range);
                    text.replace_range(span.range(), &change.text);
                }
            }
        }
        Document {
            index: index.unwrap_or_else(|| LineIndex::new(&text)),
            uri: self.uri.clone(),
            path: self.path.clone(),
            version,
            generation: next_generation(),
            kind: self.kind,
            text,
            checked: Mutex::new(None),
            ide: Mutex::new(None),
        }
    }
}

/// The file-system path of a `file:` URI (percent-decoded); for any other
/// scheme the URI text, which is only used for display.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    let s = uri.as_str();
    match s.strip_prefix("file://") {
        Some(rest) => {
            // Skip an authority (`file://host/path`); keep `/path`.
            let path = match rest.find('/') {
                Some(i) => &rest[i..],
                None => rest,
            };
            PathBuf::from(percent_decode(path))
        }
        None => PathBuf::from(s),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};
    use std::str::FromStr;

    fn change(r: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: r.map(|(a, b)| Range::new(Position::new(a.0, a.1), Position::new(b.0, b.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn kinds_come_from_the_extension_then_the_language() {
        let d =
            |u: &str, l: &str| Document::new(Uri::from_str(u).unwrap(), l, 1, String::new()).kind;
        assert_eq!(d("file:///a/b%20c.KQL", "plaintext"), Some(SourceKind::Kql));
        assert_eq!(d("file:///a/r.yml", "yaml"), Some(SourceKind::Yaml));
        assert_eq!(d("untitled:Untitled-1", "kql"), Some(SourceKind::Kql));
        assert_eq!(d("file:///a/x.txt", "plaintext"), None);
        let doc = Document::new(
            Uri::from_str("file:///a/b%20c.kql").unwrap(),
            "kql",
            1,
            String::new(),
        );
        assert_eq!(doc.path, PathBuf::from("/a/b c.kql"));
    }

    #[test]
    fn incremental_changes_apply_in_order_and_clamp() {
        let uri = Uri::from_str("file:///q.kql").unwrap();
        let d = Document::new(uri, "kql", 1, "T\n| where ä == 1\n".into());
        let d2 = d.changed(
            2,
            vec![
                // UTF-16: `ä` is one unit; replace `1` with `2`
                change(Some(((1, 13), (1, 14))), "2"),
                change(Some(((0, 1), (0, 1))), "able"),
                // out of range: appended at the end
                change(Some(((40, 3), (50, 0))), "| take 1"),
                // reversed range is put in order
                change(Some(((0, 5), (0, 0))), "X"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(d2.text, "X\n| where ä == 2\n| take 1");
        assert_eq!(d2.version, 2);
        assert!(d2.generation > d.generation);
        let d3 = d2.changed(3, vec![change(None, "print 1")], Encoding::Utf16);
        assert_eq!(d3.text, "print 1");
        assert_eq!(d3.index.line_count(), 1);
    }
}
