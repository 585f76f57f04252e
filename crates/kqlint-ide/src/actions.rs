//! Code actions: each finding's fix, "disable CODE for this line", and
//! "fix all safe fixes in this file" (as a quick fix where a finding under
//! the cursor has a safe fix, and as the fix-all source action that
//! editors run on save).

use kqlint_core::{Applicability, Diagnostic, Edit, Engine, SourceKind, Span};
use std::path::Path;

/// What kind of action it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    /// Every safe fix of the file at once (`source.fixAll.kqlint` in LSP).
    FixAll,
}

/// One code action: edits of the file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    /// The index (in [`ActionRequest::diagnostics`]) of the finding it acts on.
    pub diagnostic: Option<usize>,
    /// File spans of the text as checked.
    pub edits: Vec<Edit>,
    /// For a finding's own fix: whether it is the one to prefer (a safe fix).
    pub preferred: Option<bool>,
}

/// A file as checked, its findings, and which actions are wanted where.
pub struct ActionRequest<'a> {
    pub engine: &'a Engine,
    pub path: &'a Path,
    pub text: &'a str,
    /// `None` for a file kqlint does not read (no actions).
    pub kind: Option<SourceKind>,
    /// The findings of `text`, as the engine reported them.
    pub diagnostics: &'a [Diagnostic],
    /// The file span the editor asks about.
    pub range: Span,
    pub quick_fixes: bool,
    pub fix_all: bool,
}

/// The code actions for `request.range`: the fixes of the findings it
/// overlaps, then the fix-all actions, then the "disable" actions.
pub fn code_actions(request: &ActionRequest<'_>) -> Vec<Action> {
    let want = request.range;
    let mut out = Vec::new();
    let mut disables = Vec::new();
    let mut safe_here = false;
    for (i, d) in request.diagnostics.iter().enumerate() {
        let overlaps = d.span.start <= want.end && want.start <= d.span.end;
        if !overlaps || !request.quick_fixes {
            continue;
        }
        if let Some(fix) = &d.fix {
            let safe = fix.applicability == Applicability::Safe;
            safe_here |= safe;
            out.push(Action {
                title: fix.message.clone(),
                kind: ActionKind::QuickFix,
                diagnostic: Some(i),
                edits: fix.edits.clone(),
                preferred: Some(safe),
            });
        }
        if let Some(kind) = request.kind
            && let Some(e) = kqlint_core::suppress::disable_line_edit(
                request.path,
                request.text,
                kind,
                d.code,
                d.span.start,
            )
        {
            disables.push(Action {
                title: format!("Disable {} ({}) for this line", d.code, d.name),
                kind: ActionKind::QuickFix,
                diagnostic: Some(i),
                edits: vec![e],
                preferred: None,
            });
        }
    }
    // The fix-all action, when the file has a safe fix at all.
    let any_safe = request
        .diagnostics
        .iter()
        .any(kqlint_core::report::is_fixable);
    if let Some(kind) = request
        .kind
        .filter(|_| any_safe && (request.fix_all || safe_here))
    {
        let display = request.path.to_string_lossy();
        let fixed = kqlint_core::fix::fix_text(
            request.engine,
            &display,
            request.path,
            kind,
            request.text.to_owned(),
        );
        if !fixed.applied.is_empty() && fixed.text != request.text {
            let edit = Edit {
                span: Span::new(0, request.text.len() as u32),
                replacement: fixed.text,
            };
            let title = format!(
                "Fix all safe fixes in this file ({} fix{})",
                fixed.applied.len(),
                if fixed.applied.len() == 1 { "" } else { "es" }
            );
            if safe_here {
                out.push(Action {
                    title: title.clone(),
                    kind: ActionKind::QuickFix,
                    diagnostic: None,
                    edits: vec![edit.clone()],
                    preferred: None,
                });
            }
            if request.fix_all {
                out.push(Action {
                    title: format!("kqlint: {}", title.to_lowercase()),
                    kind: ActionKind::FixAll,
                    diagnostic: None,
                    edits: vec![edit],
                    preferred: None,
                });
            }
        }
    }
    out.extend(disables);
    out
}

#[cfg(test)]
mod tests {
    use super::{ActionKind, ActionRequest, code_actions};
    use crate::testing::{engine, report};
    use kqlint_core::{SourceKind, Span};
    use std::path::Path;

    #[test]
    fn a_fix_a_disable_and_fix_all() {
        let text = "Syslog\n| where SyslogMessage matches regex \"Accepted password\"\n";
        let (_, diagnostics) = report("q.kql", text);
        let i = diagnostics.iter().position(|d| d.code == "KQL312").unwrap();
        let at = text.find("regex").unwrap() as u32;
        let engine = engine();
        let request = |fix_all| ActionRequest {
            engine: &engine,
            path: Path::new("/w/q.kql"),
            text,
            kind: Some(SourceKind::Kql),
            diagnostics: &diagnostics,
            range: Span::empty(at),
            quick_fixes: true,
            fix_all,
        };
        let actions = code_actions(&request(true));
        let summary: Vec<(ActionKind, Option<usize>, Option<bool>)> = actions
            .iter()
            .map(|a| (a.kind, a.diagnostic, a.preferred))
            .collect();
        assert_eq!(
            summary,
            [
                (ActionKind::QuickFix, Some(i), Some(true)),
                (ActionKind::QuickFix, None, None),
                (ActionKind::FixAll, None, None),
                (ActionKind::QuickFix, Some(i), None),
            ]
        );
        assert!(
            actions[3].title.starts_with("Disable KQL312"),
            "{}",
            actions[3].title
        );
        let fixed = kqlint_core::apply_edits(text, &actions[0].edits).unwrap();
        assert!(
            fixed.contains("contains_cs \"Accepted password\""),
            "{fixed}"
        );
        // no fix-all source action unless asked for; nothing away from findings
        assert_eq!(code_actions(&request(false)).len(), 3);
        let mut away = request(true);
        away.range = Span::empty(0);
        let kinds: Vec<ActionKind> = code_actions(&away).iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [ActionKind::FixAll]);
    }
}
