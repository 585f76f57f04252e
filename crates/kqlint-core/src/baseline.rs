//! Baselines: adopt kqlint on a large repository at once. `--write-baseline
//! FILE` records today's findings; `--baseline FILE` reports only findings
//! that are not in it.
//!
//! A finding is recorded as its file (relative to the baseline's
//! directory), its code, and a fingerprint of the text it points at and of
//! the line it is on (both with white space collapsed): not its line
//! number, so edits elsewhere in the file do not bring it back. Equal
//! fingerprints are counted, so a second identical finding on another line
//! is new.
//!
//! ```json
//! {
//!   "kqlint_baseline": 1,
//!   "findings": [
//!     { "path": "Hunting Queries/x.yaml", "code": "KQL301", "fingerprint": "5f1c0e2a9b7d3c41",
//!       "count": 1, "line": 12, "message": "`join` without `kind=` ..." }
//!   ]
//! }
//! ```
//! (`line` and `message` are for people reading the file; matching ignores
//! them.)

use crate::fingerprint::fingerprint;
use crate::report::{FileReport, SourceText};
use kqlint_diagnostics::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct File {
    kqlint_baseline: u32,
    findings: Vec<Finding>,
}

#[derive(Serialize, Deserialize)]
struct Finding {
    path: String,
    code: String,
    fingerprint: String,
    #[serde(default = "one")]
    count: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

fn one() -> usize {
    1
}

type Key = (String, String, String);

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    /// Paths in the file are relative to this directory.
    root: PathBuf,
    counts: HashMap<Key, usize>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        let file: File = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a kqlint baseline: {e}", path.display()))?;
        if file.kqlint_baseline != VERSION {
            return Err(format!(
                "{}: baseline format {} is not supported (this kqlint writes format {VERSION})",
                path.display(),
                file.kqlint_baseline
            ));
        }
        let mut counts = HashMap::new();
        for f in file.findings {
            *counts.entry((f.path, f.code, f.fingerprint)).or_insert(0) += f.count;
        }
        Ok(Baseline {
            root: root_of(path),
            counts,
        })
    }

    /// Removes the findings the baseline holds from one file's report and
    /// says how many that was. `path` is the file as checked (for its path
    /// relative to the baseline).
    pub(crate) fn filter(
        &self,
        path: &Path,
        diags: &mut Vec<Diagnostic>,
        text: Option<&SourceText>,
    ) -> usize {
        if self.counts.is_empty() {
            return 0;
        }
        let before = diags.len();
        let rel = key_path(path, &self.root);
        let mut left: HashMap<&Key, usize> = HashMap::new();
        diags.retain(|d| {
            let key = (rel.clone(), d.code.to_owned(), fingerprint(d, text));
            let Some((k, n)) = self.counts.get_key_value(&key) else {
                return true;
            };
            let remaining = left.entry(k).or_insert(*n);
            if *remaining > 0 {
                *remaining -= 1;
                false
            } else {
                true
            }
        });
        before - diags.len()
    }

    /// Writes the findings of a run as a baseline file.
    pub fn write(path: &Path, reports: &[FileReport]) -> Result<usize, String> {
        let root = root_of(path);
        let mut findings: Vec<Finding> = Vec::new();
        let mut index: HashMap<Key, usize> = HashMap::new();
        for r in reports {
            let rel = key_path(Path::new(&r.path), &root);
            for d in &r.diagnostics {
                let key = (
                    rel.clone(),
                    d.code.to_owned(),
                    fingerprint(d, r.source.as_deref()),
                );
                match index.get(&key) {
                    Some(&i) => findings[i].count += 1,
                    None => {
                        index.insert(key.clone(), findings.len());
                        findings.push(Finding {
                            path: key.0,
                            code: key.1,
                            fingerprint: key.2,
                            count: 1,
                            line: r.source.as_ref().map(|_| r.position(d.span.start).line),
                            message: Some(d.message.clone()),
                        });
                    }
                }
            }
        }
        let n = findings.iter().map(|f| f.count).sum();
        let file = File {
            kqlint_baseline: VERSION,
            findings,
        };
        let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
        text.push('\n');
        crate::atomic::write_atomic(path, text.as_bytes())
            .map_err(|e| format!("cannot write the baseline {}: {}", path.display(), e.error))?;
        Ok(n)
    }
}

fn root_of(baseline: &Path) -> PathBuf {
    match baseline.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn key_path(path: &Path, root: &Path) -> String {
    if path.as_os_str() == "-" {
        return "-".to_owned();
    }
    crate::config::relative_to(path, root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_diagnostics::Span;

    fn diag(text: &str, needle: &str) -> Diagnostic {
        let s = text.find(needle).unwrap() as u32;
        Diagnostic::new(
            kql_lint::RULES[0].meta,
            Span::new(s, s + needle.len() as u32),
            "m",
        )
    }

    #[test]
    fn fingerprints_survive_line_shifts() {
        let a = SourceText::new("let x = \"TODO\";\nprint x".into());
        let b = SourceText::new("// a new comment\n\n   let x =   \"TODO\";\nprint x".into());
        assert_eq!(
            fingerprint(&diag(&a.text, "\"TODO\""), Some(&a)),
            fingerprint(&diag(&b.text, "\"TODO\""), Some(&b))
        );
        let c = SourceText::new("let y = \"TODO\";\nprint y".into());
        assert_ne!(
            fingerprint(&diag(&a.text, "\"TODO\""), Some(&a)),
            fingerprint(&diag(&c.text, "\"TODO\""), Some(&c))
        );
    }

    #[test]
    fn write_then_filter() {
        let dir = std::env::temp_dir().join(format!("kqlint-baseline-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("baseline.json");
        let src = SourceText::new("print \"TODO\", \"TODO\"".into());
        let mut r = FileReport::new(dir.join("q.kql").to_string_lossy(), Some(src.clone()));
        let first = diag(&src.text, "\"TODO\"");
        r.diagnostics.push(first.clone());
        assert_eq!(Baseline::write(&file, &[r]).unwrap(), 1);
        let b = Baseline::load(&file).unwrap();
        // The same finding is filtered; a second identical one is new.
        let mut diags = vec![first.clone(), first.clone()];
        b.filter(&dir.join("q.kql"), &mut diags, Some(&src));
        assert_eq!(diags.len(), 1);
        // Another file is not affected.
        let mut diags = vec![first];
        b.filter(&dir.join("other.kql"), &mut diags, Some(&src));
        assert_eq!(diags.len(), 1);
        std::fs::write(&file, "{\"kqlint_baseline\": 7, \"findings\": []}").unwrap();
        assert!(Baseline::load(&file).unwrap_err().contains("format 7"));
        std::fs::write(&file, "nope").unwrap();
        assert!(Baseline::load(&file).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
