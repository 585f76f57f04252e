//! Developer tool: how many queries kqlint finds in Markdown, JSON (ARM
//! templates, solution packages, Defender XDR rules) and Bicep files, and
//! how many parse without a syntax error. Prints one tab-separated line per
//! query with a syntax error (file, line, column, code, message, the file
//! line's text), then a summary line per kind of file.
//!
//! `cargo run -p kqlint-core --example formats-corpus -- DIR_OR_FILE...`
//!
//! A query with a syntax error is counted once, at its first error; the
//! queries of a Markdown block are parsed as one script (blank lines between
//! statements end them), exactly as `kqlint check` parses them.

use kqlint_diagnostics::LineIndex;
use kqlint_source::{Limits, Source, SourceKind, SourceOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Default)]
struct Tally {
    files: usize,
    files_with_queries: usize,
    queries: usize,
    clean: usize,
    /// Source diagnostics by code (JSON syntax errors, unclosed fences,
    /// expression queries left alone).
    notes: BTreeMap<&'static str, usize>,
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let Ok(entries) = std::fs::read_dir(p) else {
            return;
        };
        let mut v: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        v.sort();
        for e in v {
            walk(&e, out);
        }
    } else if SourceKind::from_path(p).is_some_and(SourceKind::kql_optional) {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut files = Vec::new();
    for a in std::env::args().skip(1) {
        walk(Path::new(&a), &mut files);
    }
    let limits = Limits::default();
    let options = SourceOptions::default();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for f in &files {
        let src = Source::load_with(f, &limits, &options);
        let t = tallies.entry(format!("{:?}", src.kind)).or_default();
        t.files += 1;
        for d in &src.diagnostics {
            *t.notes.entry(d.code).or_default() += 1;
        }
        let Some(text) = src.text.as_deref() else {
            continue;
        };
        if !src.queries.is_empty() {
            t.files_with_queries += 1;
        }
        let index = LineIndex::new(text);
        for q in &src.queries {
            t.queries += 1;
            let parse = if q.script {
                kql_syntax::parse_script(&q.text)
            } else {
                kql_syntax::parse(&q.text)
            };
            let Some(e) = parse.errors.first() else {
                t.clean += 1;
                continue;
            };
            let at = q.map_offset(e.span.start);
            let lc = index.line_col_chars(text, at);
            let line_text = text
                .lines()
                .nth(lc.line as usize)
                .unwrap_or("")
                .trim()
                .chars()
                .take(100)
                .collect::<String>();
            println!(
                "{}\t{}\t{}\t{:?}\t{}\t{}",
                f.display(),
                lc.line + 1,
                lc.col + 1,
                e.kind,
                e.message.replace(['\t', '\n'], " "),
                line_text
            );
        }
    }
    for (kind, t) in &tallies {
        let notes: Vec<String> = t.notes.iter().map(|(c, n)| format!("{c}={n}")).collect();
        println!(
            "# {kind}: {} files, {} with queries, {} queries, {} parse without error, {} with errors; source notes: {}",
            t.files,
            t.files_with_queries,
            t.queries,
            t.clean,
            t.queries - t.clean,
            notes.join(" ")
        );
    }
}
