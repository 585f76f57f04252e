//! Applying fixes: `kqlint check --fix` applies every safe fix of the
//! findings that are reported (enabled, not suppressed, not in the
//! baseline), checks the file again, and repeats until nothing changes.
//! The edited text must not have more syntax errors than before, or the
//! file is left alone.

use crate::Target;
use kqlint_diagnostics::{Applicability, Category, Diagnostic, Edit};
use kqlint_source::{Encoding, Source, SourceKind};

/// How many rounds of fixing a file gets: each round's fixes may enable
/// others (deleting an unused `let` can leave another one unused).
pub const MAX_ROUNDS: usize = 10;

/// The text with the safe fixes of `diags` applied (spans are offsets into
/// `text`), and how many fixes that was; `None` when there is nothing to
/// apply. A fix that overlaps one already taken waits for the next round.
pub fn apply_safe_fixes(text: &str, diags: &[Diagnostic]) -> Option<(String, usize)> {
    apply_safe_fixes_of(text, diags).map(|(t, applied)| (t, applied.len()))
}

/// [`apply_safe_fixes`], saying which findings' fixes were applied
/// (indices into `diags`).
pub fn apply_safe_fixes_of(text: &str, diags: &[Diagnostic]) -> Option<(String, Vec<usize>)> {
    let mut fixes: Vec<(usize, Vec<Edit>)> = diags
        .iter()
        .enumerate()
        .filter_map(|(i, d)| d.fix.as_ref().map(|f| (i, f)))
        .filter(|(_, f)| f.applicability == Applicability::Safe && !f.edits.is_empty())
        .map(|(i, f)| {
            let mut e = f.edits.clone();
            e.sort_by_key(|e| (e.span.start, e.span.end));
            (i, e)
        })
        .collect();
    fixes.sort_by_key(|(_, f)| (f[0].span.start, f[0].span.end));
    let mut taken: Vec<Edit> = Vec::new();
    let mut applied = Vec::new();
    for (i, f) in fixes {
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
            applied.push(i);
        }
    }
    if taken.is_empty() {
        return None;
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let out = kqlint_diagnostics::apply_edits(text, &taken)?;
    applied.sort_unstable();
    (out != text).then_some((out, applied))
}

/// A fix `--fix` applied (or, for `--show-fixes` and `--diff`, would apply).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub code: &'static str,
    pub name: &'static str,
    /// 1-based line and column of the finding in the text the fix was made
    /// in (the text of its round).
    pub line: u32,
    pub column: u32,
    /// The fix's own description (`Replace with ...`).
    pub message: String,
}

/// A text with every safe fix applied, round after round, as `--fix` would
/// write it.
#[derive(Debug, Default)]
pub struct FixedText {
    /// The fixed text (the original when nothing applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// Why some or all fixes were not applied.
    pub error: Option<String>,
    /// The report of the fixed text: what is left.
    pub report: Option<crate::FileReport>,
}

/// Fixes a text the way `kqlint check --fix` fixes a file: applies the
/// safe fixes of the reported findings, checks again, and repeats until
/// nothing changes (at most [`MAX_ROUNDS`] rounds). A round whose edits would
/// add syntax errors is not kept. `path` is where the text belongs (its
/// configuration, its kind); nothing is read or written.
pub fn fix_text(
    engine: &crate::Engine,
    display: &str,
    path: &std::path::Path,
    kind: kqlint_source::SourceKind,
    text: String,
) -> FixedText {
    let limits = &engine.options().limits;
    let options = engine.source_options(path);
    let mut report = engine.check_source(
        display,
        kqlint_source::Source::from_text_with(path, text.clone(), kind, limits, &options),
    );
    let mut out = FixedText {
        text,
        ..FixedText::default()
    };
    let before = syntax_errors(&report.diagnostics);
    for _ in 0..MAX_ROUNDS {
        let Some((next, applied)) = apply_safe_fixes_of(&out.text, &report.diagnostics) else {
            break;
        };
        let again = engine.check_source(
            display,
            kqlint_source::Source::from_text_with(path, next.clone(), kind, limits, &options),
        );
        if syntax_errors(&again.diagnostics) > before {
            out.error = Some(
                "some fixes were not applied: they would have introduced a syntax error".to_owned(),
            );
            break;
        }
        for i in applied {
            let d = &report.diagnostics[i];
            let at = report.position(d.span.start);
            out.applied.push(AppliedFix {
                code: d.code,
                name: d.name,
                line: at.line,
                column: at.column,
                message: d
                    .fix
                    .as_ref()
                    .map(|f| f.message.clone())
                    .unwrap_or_default(),
            });
        }
        out.text = next;
        report = again;
    }
    if out.applied.is_empty()
        && let Some(why) = report.fix_refused
    {
        out.error.get_or_insert_with(|| why.to_owned());
    }
    out.report = Some(report);
    out
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
    /// The fixes applied, for `--show-fixes` (empty when the file was not
    /// written).
    pub fixes: Vec<AppliedFix>,
}

/// What `--fix` would do to one target, without writing it (`--diff`,
/// `--show-fixes` without `--fix`): the text as read and as fixed. `None`
/// when the target is not something to check or cannot be read.
pub fn preview_target(
    engine: &crate::Engine,
    target: &crate::Target,
) -> Option<(String, FixedText)> {
    if target.error.is_some() || target.stdin {
        return None;
    }
    let source = kqlint_source::Source::load(&target.path, &engine.options().limits);
    if !target.explicit && crate::engine::is_not_a_rule(&source) {
        return None;
    }
    let text = source.text.clone()?;
    let fixed = fix_text(
        engine,
        &target.display,
        &target.path,
        source.kind,
        text.clone(),
    );
    let editable = !source.lossy
        && matches!(
            source.encoding,
            kqlint_source::Encoding::Utf8 | kqlint_source::Encoding::Utf8Bom
        );
    if !editable && !fixed.applied.is_empty() {
        return Some((
            text.clone(),
            FixedText {
                text,
                applied: Vec::new(),
                error: Some(
                    "not fixed: only UTF-8 files that decode without loss are edited".to_owned(),
                ),
                report: fixed.report,
            },
        ));
    }
    Some((text, fixed))
}

impl crate::Engine {
    /// `--fix`: applies the safe fixes of every target's reported
    /// findings, in parallel, and writes the files that changed.
    pub fn fix_targets(&self, targets: &[Target]) -> Vec<FixOutcome> {
        use rayon::prelude::*;
        self.pool.install(|| {
            targets
                .par_iter()
                .filter_map(|t| self.fix_target(t))
                .collect()
        })
    }

    /// Fixes one file: applies the safe fixes, checks again, and repeats
    /// until nothing changes (at most [`MAX_ROUNDS`] rounds). A round
    /// whose edits would add syntax errors is not kept. `None` when there
    /// was nothing to do.
    pub fn fix_target(&self, target: &Target) -> Option<FixOutcome> {
        if target.error.is_some() || target.stdin {
            return None;
        }
        // Locked from this read until the fixed file is renamed into place,
        // so two runs on one file do not both edit the old content
        // (crate::atomic).
        let editing =
            crate::atomic::Editing::open(&target.path, self.options().limits.max_file_bytes)
                .ok()?; // an unreadable file: the check reports it
        let kind = SourceKind::from_path(&target.path).unwrap_or(SourceKind::Kql);
        if !target.explicit && !self.reads(&target.path, kind) {
            return None;
        }
        let options = self.source_options(&target.path);
        let source = Source::from_bytes_with(
            &target.path,
            editing.original(),
            kind,
            &self.options().limits,
            &options,
        );
        if !target.explicit && crate::engine::is_not_a_rule(&source) {
            return None;
        }
        let (kind, encoding, lossy) = (source.kind, source.encoding, source.lossy);
        let fixed = fix_text(self, &target.display, &target.path, kind, source.text?);
        let mut outcome = FixOutcome {
            path: target.display.clone(),
            applied: fixed.applied.len(),
            error: fixed.error,
            fixes: fixed.applied,
            ..FixOutcome::default()
        };
        if outcome.applied > 0 && (lossy || !matches!(encoding, Encoding::Utf8 | Encoding::Utf8Bom))
        {
            outcome.error =
                Some("not fixed: only UTF-8 files that decode without loss are edited".to_owned());
            outcome.applied = 0;
            outcome.fixes.clear();
            return Some(outcome);
        }
        if outcome.applied == 0 {
            return outcome.error.is_some().then_some(outcome);
        }
        let text = fixed.text;
        let mut bytes = Vec::with_capacity(text.len() + 3);
        if encoding == Encoding::Utf8Bom {
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
        }
        bytes.extend_from_slice(text.as_bytes());
        if let Err(e) = editing.replace(&bytes) {
            outcome.error = Some(format!(
                "cannot write the fixed file: {} (the file was left as it was)",
                e.error
            ));
            outcome.failed = true;
            outcome.applied = 0;
            outcome.fixes.clear();
        }
        Some(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kqlint_diagnostics::{Fix, Span};

    fn d(span: Span, replacement: &str, applicability: Applicability) -> Diagnostic {
        Diagnostic::new(kql_lint::RULES[2].meta, span, "m").with_fix(Fix::replace(
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
