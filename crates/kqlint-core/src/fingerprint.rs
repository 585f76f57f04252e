//! Fingerprints of findings: what identifies a finding within its file
//! without its line number, so it is recognised after edits elsewhere in the
//! file. Baselines store them; SARIF reports carry them as
//! `partialFingerprints`, so code scanning tracks a finding across commits.

use crate::report::{FileReport, SourceText};
use kqlint_diagnostics::Diagnostic;
use std::collections::HashMap;

/// The key of the fingerprint in SARIF `partialFingerprints`: the one
/// GitHub code scanning reads (`<hash>:<occurrence>`). kqlint's value is its
/// own, from the finding's text rather than the line's alone, and the upload
/// action keeps it rather than computing one.
pub const SARIF_KEY: &str = "primaryLocationLineHash";

/// A finding's code, the text it points at and the text of its line, white
/// space collapsed, hashed (FNV-1a, 64 bits, so the value is the same on
/// every platform and version): 16 hex digits.
pub fn fingerprint(d: &Diagnostic, text: Option<&SourceText>) -> String {
    let (span_text, line_text) = match text {
        Some(t) => {
            let s = d.span.text(&t.text);
            let start = (d.span.start as usize).min(t.text.len());
            let start = floor_char_boundary(&t.text, start);
            let ls = t.text[..start].rfind('\n').map_or(0, |i| i + 1);
            let le = t.text[start..]
                .find('\n')
                .map_or(t.text.len(), |i| start + i);
            (s, &t.text[ls..le])
        }
        None => ("", ""),
    };
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [d.code, &collapse(span_text), &collapse(line_text)] {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while at > 0 && !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The fingerprint of each of a report's findings, in order, with the
/// occurrence of equal fingerprints in the file appended (`<hash>:<n>`, n
/// from 1): two identical findings on two lines stay two findings, and the
/// first keeps its fingerprint when a second one is added after it.
pub fn partial_fingerprints(report: &FileReport) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let h = fingerprint(d, report.source.as_deref());
            let n = seen.entry(h.clone()).or_insert(0);
            *n += 1;
            format!("{h}:{n}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_diagnostics::Span;
    use std::sync::Arc;

    fn diag(text: &str, needle: &str, nth: usize) -> Diagnostic {
        let s = text.match_indices(needle).nth(nth).unwrap().0 as u32;
        Diagnostic::new(
            kql_lint::RULES[0].meta,
            Span::new(s, s + needle.len() as u32),
            "m",
        )
    }

    fn report(text: &str, needles: &[(&str, usize)]) -> FileReport {
        let src: Arc<SourceText> = SourceText::new(text.to_owned());
        let mut r = FileReport::new("q.kql", Some(src));
        for (n, i) in needles {
            r.diagnostics.push(diag(text, n, *i));
        }
        r
    }

    #[test]
    fn survive_line_shifts_and_count_repeats() {
        let a = report("print \"TODO\"\n", &[("\"TODO\"", 0)]);
        let b = report(
            "// new\n\nprint   \"TODO\"\nprint \"TODO\"\n",
            &[("\"TODO\"", 0), ("\"TODO\"", 1)],
        );
        let fa = partial_fingerprints(&a);
        let fb = partial_fingerprints(&b);
        assert_eq!(fa[0], fb[0]);
        assert!(fa[0].ends_with(":1"));
        assert_eq!(fb[1], fb[0].replace(":1", ":2"));
        let c = report("print \"TBD\"\n", &[("\"TBD\"", 0)]);
        assert_ne!(partial_fingerprints(&c)[0], fa[0]);
    }
}
