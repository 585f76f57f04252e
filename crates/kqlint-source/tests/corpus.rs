//! The query mapping against every dev-corpus file and the oracle's
//! positions (Kusto.Language run through the `yaml` npm package).

use kqlint_diagnostics::{LineIndex, Span};
use kqlint_source::{Limits, Precision, QueryStyle, Source, SourceKind};
use kqlint_testkit::{corpus_dir, corpus_files, corpus_query, oracle_syntax};

fn load(path: &std::path::Path) -> Source {
    Source::load(path, &Limits::default())
}

/// 1-based (line, column in characters) of a file offset.
fn line_col(text: &str, idx: &LineIndex, offset: u32) -> (u32, u32) {
    let lc = idx.line_col_chars(text, offset);
    (lc.line + 1, lc.col + 1)
}

#[test]
fn every_corpus_file_loads_with_its_query() {
    let files = corpus_files();
    let mut problems = Vec::new();
    for path in &files {
        let src = load(path);
        let rel = path
            .strip_prefix(corpus_dir())
            .unwrap()
            .display()
            .to_string();
        if !src.diagnostics.is_empty() {
            let names: Vec<_> = src.diagnostics.iter().map(|d| d.name).collect();
            // Real files with duplicate keys are reported, not failed.
            if names.iter().any(|n| *n != "duplicate-key") {
                problems.push(format!("{rel}: {:?}", src.diagnostics));
            }
        }
        let Some(q) = src.query() else {
            problems.push(format!("{rel}: no query"));
            continue;
        };
        assert!(src.yaml.is_some(), "{rel}");
        // The query is what an independent YAML loader reads.
        let plain = corpus_query(path).expect("testkit reads every corpus query");
        if q.text != plain {
            problems.push(format!("{rel}: query text differs from saphyr's loader"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn query_start_line_and_indent_agree_with_the_oracle() {
    let mut checked = 0;
    let mut styles = std::collections::BTreeMap::<String, usize>::new();
    for rec in oracle_syntax() {
        let path = corpus_dir().join(&rec.file);
        let src = load(&path);
        let text = src.text.as_deref().unwrap();
        let idx = LineIndex::new(text);
        let q = src
            .query()
            .unwrap_or_else(|| panic!("{}: no query", rec.file));
        *styles
            .entry(format!("{:?}/{:?}", q.style, q.precision()))
            .or_default() += 1;
        match rec.query_style.as_deref() {
            Some("BLOCK_LITERAL") => {
                assert_eq!(q.style, QueryStyle::Literal, "{}", rec.file);
                assert!(q.is_exact(), "{}: literal block not exact", rec.file);
                assert_eq!(
                    Some(q.block.unwrap().indent),
                    rec.query_indent_in_file,
                    "{}: indent",
                    rec.file
                );
            }
            Some("PLAIN") => {
                assert_eq!(q.style, QueryStyle::Plain, "{}", rec.file);
                assert_eq!(q.precision(), Precision::Position, "{}", rec.file);
            }
            other => panic!("{}: unexpected style {other:?}", rec.file),
        }
        let (line, col) = line_col(text, &idx, q.map_offset(0));
        assert_eq!(
            Some(line),
            rec.query_line_in_file,
            "{}: first line",
            rec.file
        );
        if let Some(indent) = rec.query_indent_in_file {
            // Query line 1 starts at the block's indentation (the query does
            // not start with an empty line anywhere in the corpus).
            if !q.text.starts_with('\n') {
                assert_eq!(col, indent + 1, "{}: first column", rec.file);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, corpus_files().len());
    eprintln!("styles: {styles:?}");
}

#[test]
fn oracle_diagnostics_land_on_the_same_file_line_and_column() {
    let mut checked = 0;
    for rec in oracle_syntax() {
        if rec.diagnostics.is_empty() {
            continue;
        }
        let path = corpus_dir().join(&rec.file);
        let src = load(&path);
        let text = src.text.as_deref().unwrap();
        let idx = LineIndex::new(text);
        let q = src.query().unwrap();
        for d in &rec.diagnostics {
            let (start, end) = d.byte_range();
            let mapped = q.map_span(Span::new(start, end));
            let (line, col) = line_col(text, &idx, mapped.start);
            if let Some(fl) = d.file_line {
                assert_eq!(line, fl, "{}: {} at {start}", rec.file, d.message);
            }
            if let Some(fc) = d.file_column {
                assert_eq!(col, fc, "{}: {} at {start}", rec.file, d.message);
                checked += 1;
            }
            // The mapped span holds the same text as the query span.
            assert_eq!(
                mapped.text(text),
                &q.text[start as usize..end as usize],
                "{}: {}",
                rec.file,
                d.message
            );
        }
    }
    assert!(checked >= 29, "only {checked} oracle positions checked");
}

/// For literal blocks, every query character maps to the identical
/// character in the file (`\n` to a line break: `\n` or `\r\n`), and every
/// query span maps to a file span with the same text (line breaks aside).
#[test]
fn literal_blocks_map_every_character_to_itself() {
    let mut chars = 0usize;
    for path in corpus_files() {
        let src = load(&path);
        let text = src.text.as_deref().unwrap();
        let q = src.query().unwrap();
        if !q.is_exact() {
            continue;
        }
        let mut prev_end = 0;
        for (i, c) in q.text.char_indices() {
            let f = q.map_offset(i as u32) as usize;
            let fc = text[f..].chars().next();
            if c == '\n' {
                // saphyr-parser adds a final `\n` when a block runs into the
                // end of the file; it has no source and maps to the end.
                assert!(
                    matches!(fc, Some('\n' | '\r')) || (fc.is_none() && i + 1 == q.text.len()),
                    "{}: query byte {i} (`\\n`) maps to {fc:?}",
                    path.display()
                );
            } else {
                assert_eq!(fc, Some(c), "{}: query byte {i}", path.display());
            }
            assert!(f >= prev_end, "{}: mapping goes backwards", path.display());
            prev_end = f;
            chars += 1;
        }
        // Whole lines map to whole lines.
        for (i, line) in q.text.split('\n').enumerate() {
            let start = q
                .text
                .split('\n')
                .take(i)
                .map(|l| l.len() + 1)
                .sum::<usize>();
            let span = Span::new(start as u32, (start + line.len()) as u32);
            assert_eq!(q.map_span(span).text(text), line, "{}", path.display());
        }
    }
    assert!(chars > 1_000_000, "only {chars} characters checked");
}

#[test]
fn crlf_and_bom_files_are_in_the_corpus_and_exact() {
    let (mut crlf, mut bom) = (0, 0);
    for path in corpus_files() {
        let bytes = std::fs::read(&path).unwrap();
        let src = Source::from_bytes(&path, &bytes, SourceKind::Yaml, &Limits::default());
        let q = src.query().unwrap();
        if bytes.windows(2).any(|w| w == b"\r\n") && q.style == QueryStyle::Literal {
            crlf += 1;
            assert!(q.is_exact());
            assert!(!q.text.contains('\r'));
        }
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bom += 1;
            assert_eq!(src.encoding, kqlint_source::Encoding::Utf8Bom);
        }
    }
    assert!(crlf > 300, "{crlf}");
    assert!(bom >= 4, "{bom}");
}
