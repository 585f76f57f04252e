//! Applying fixes: `kqlint check --fix` applies every safe fix of the
//! findings that are reported (enabled, not suppressed, not in the
//! baseline), checks the file again, and repeats until nothing changes.
//! The edited text must not have more syntax errors than before, or the
//! file is left alone.

use kqlint_diagnostics::{Applicability, Category, Diagnostic, Edit};

/// How many rounds of fixing a file gets: each round's fixes may enable
/// others (deleting an unused `let` can leave another one unused).
pub const MAX_ROUNDS: usize = 10;

/// The text with the safe fixes of `diags` applied (spans are offsets into
/// `text`), and how many fixes that was; `None` when there is nothing to
/// apply. A fix that overlaps one already taken waits for the next round.
pub fn apply_safe_fixes(text: &str, diags: &[Diagnostic]) -> Option<(String, usize)> {
    let mut fixes: Vec<Vec<Edit>> = diags
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applicability == Applicability::Safe && !f.edits.is_empty())
        .map(|f| {
            let mut e = f.edits.clone();
            e.sort_by_key(|e| (e.span.start, e.span.end));
            e
        })
        .collect();
    fixes.sort_by_key(|f| (f[0].span.start, f[0].span.end));
    let mut taken: Vec<Edit> = Vec::new();
    let mut count = 0;
    for f in fixes {
        let fits = f.windows(2).all(|w| w[0].span.end <= w[1].span.start)
            && f.iter().all(|e| {
                (e.span.end as usize) <= text.len()
                    && text.is_char_boundary(e.span.start as usize)
                    && text.is_char_boundary(e.span.end as usize)
                    && taken.iter().all(|t| {
                        // Disjoint, and two insertions at one point would be
                        // ambiguous.
                        (e.span.end <= t.span.start || t.span.end <= e.span.start)
                            && !(e.span.is_empty() && t.span.is_empty() && e.span == t.span)
                    })
            });
        if fits {
            taken.extend(f);
            count += 1;
        }
    }
    if taken.is_empty() {
        return None;
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in &taken {
        out.push_str(&text[at..e.span.start as usize]);
        out.push_str(&e.replacement);
        at = e.span.end as usize;
    }
    out.push_str(&text[at..]);
    (out != text).then_some((out, count))
}

/// The number of syntax errors among a file's findings.
pub(crate) fn syntax_errors(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .filter(|d| {
            d.category == Category::Syntax && d.severity == kqlint_diagnostics::Severity::Error
        })
        .count()
}

/// What `--fix` did to one file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixOutcome {
    pub path: String,
    /// Fixes applied (over all rounds).
    pub applied: usize,
    /// Why the file was not fixed or written, when it was not.
    pub error: Option<String>,
    /// The fixed file could not be written (an I/O error: the disk is full,
    /// no permission...): `error` says why, the file is unchanged, and the
    /// run ends with exit status 2.
    pub failed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_diagnostics::{Fix, Span};

    fn d(span: Span, replacement: &str, applicability: Applicability) -> Diagnostic {
        Diagnostic::new(kql_lint::RULES[2], span, "m").with_fix(Fix::replace(
            "f",
            span,
            replacement,
            applicability,
        ))
    }

    #[test]
    fn applies_safe_non_overlapping_fixes() {
        let text = "abcdef";
        let diags = [
            d(Span::new(0, 1), "A", Applicability::Safe),
            d(Span::new(0, 2), "XY", Applicability::Safe), // overlaps: next round
            d(Span::new(3, 4), "D", Applicability::Unsafe), // never
            d(Span::new(5, 6), "", Applicability::Safe),
        ];
        assert_eq!(
            apply_safe_fixes(text, &diags),
            Some(("Abcde".to_owned(), 2))
        );
        assert_eq!(apply_safe_fixes(text, &diags[2..3]), None);
        // out of range or not on a character boundary: skipped
        assert_eq!(
            apply_safe_fixes("é", &[d(Span::new(1, 2), "x", Applicability::Safe)]),
            None
        );
        assert_eq!(
            apply_safe_fixes("a", &[d(Span::new(0, 9), "x", Applicability::Safe)]),
            None
        );
    }
}
