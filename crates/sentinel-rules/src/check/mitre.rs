//! Tactics and techniques: known names, technique ids, and techniques
//! that belong to the tactics the rule lists.

use super::{Ctx, SpanExt};
use crate::kind::RuleKind;
use crate::model::Model;
use crate::rules::*;
use crate::text::{describe, one_of, quote};
use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity, Span};
use kqlint_source::{YamlKind, YamlNode};

/// The items of a list-or-single-value field: `(node, raw string)`.
fn list_items<'a>(
    ctx: &mut Ctx<'_>,
    key_span: Span,
    key: &str,
    v: &'a YamlNode,
    example: &str,
) -> Vec<(&'a YamlNode, &'a str)> {
    match &v.kind {
        YamlKind::Sequence(items) => items
            .iter()
            .filter_map(|i| match &i.kind {
                YamlKind::Scalar { value, .. } => Some((i, value.as_str())),
                YamlKind::Null => None,
                _ => {
                    ctx.push(
                        &WRONG_VALUE_TYPE,
                        i.span,
                        format!("each entry of `{key}` must be text; found {}", describe(i)),
                    );
                    None
                }
            })
            .collect(),
        YamlKind::Scalar { value, .. } => {
            if value.trim().is_empty() {
                return Vec::new();
            }
            ctx.push(
                &SINGLE_VALUE_FOR_LIST,
                v.span,
                format!(
                    "`{key}` is a single value; Sentinel's rule model expects a list (`{key}:` then `  - {example}`)"
                ),
            );
            vec![(v, value.as_str())]
        }
        YamlKind::Null => Vec::new(),
        YamlKind::Mapping(_) => {
            ctx.push(
                &WRONG_VALUE_TYPE,
                v.span.min_start(key_span),
                format!("`{key}` must be a list; found {}", describe(v)),
            );
            Vec::new()
        }
    }
}

/// Whether `raw` is `tactic` misspelt, rather than the same words written
/// another way (`Initial access`, `command-and-control`: Defender XDR's
/// labels for the MITRE tactics).
fn is_misspelling(raw: &str, tactic: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    squash(raw) != squash(tactic)
}

/// `tactics` and `relevantTechniques`.
pub fn mitre(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let model = Model::get();
    let tactics_key = if ctx.kind == RuleKind::Exploration {
        "Tactics"
    } else {
        "tactics"
    };
    let mut listed: Vec<String> = Vec::new();
    let mut tactics_span = None;
    if let Some((k, v)) = root.entry(tactics_key) {
        tactics_span = Some(k.span);
        let example = v
            .as_str()
            .and_then(|s| model.tactic(s))
            .unwrap_or("InitialAccess")
            .to_owned();
        for (node, raw) in list_items(ctx, k.span, tactics_key, v, &example) {
            if let Some(t) = model.tactic(raw) {
                listed.push(t.to_owned());
                continue;
            }
            if let Some(t) = model.tactics.iter().find(|t| t.eq_ignore_ascii_case(raw)) {
                listed.push(t.clone());
                ctx.push(
                    &NON_CANONICAL_SPELLING,
                    node.span,
                    format!(
                        "tactic {} is accepted because Sentinel's CI ignores case, but the portal's MITRE views match exactly; write `{t}`",
                        quote(raw)
                    ),
                );
                continue;
            }
            let suggestion = model.suggest_tactic(raw);
            if let Some(s) = suggestion {
                listed.push(s.to_owned());
            }
            // Hunting and exploration queries: Sentinel's CI does not check
            // their tactics, and Microsoft's own Defender XDR hunting queries
            // use Defender's category labels there (`Initial access`,
            // `Ransomware`, `Vulnerability`). Only a misspelt tactic name is
            // worth a word.
            if !ctx.kind.is_analytic() && !suggestion.is_some_and(|s| is_misspelling(raw, s)) {
                continue;
            }
            let mut msg = format!("{} is not a MITRE ATT&CK tactic Sentinel knows", quote(raw));
            if let Some(s) = suggestion {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
            let d = ctx.push(&UNKNOWN_TACTIC, node.span, msg);
            if suggestion.is_none() {
                d.help = Some(format!("Sentinel's tactics: {}", one_of(&model.tactics)));
            }
        }
    }
    if ctx.kind == RuleKind::Exploration {
        return;
    }
    let Some((k, v)) = root.entry("relevantTechniques") else {
        return;
    };
    let example = v
        .as_str()
        .map(str::trim)
        .filter(|s| is_technique_id(s))
        .unwrap_or("T1078")
        .to_owned();
    for (node, raw) in list_items(ctx, k.span, "relevantTechniques", v, &example) {
        let t = raw.trim();
        if !is_technique_id(t) {
            let upper = t.to_ascii_uppercase().replace(['-', '/', '_'], ".");
            let hint = if is_technique_id(&upper) {
                format!("; did you mean `{upper}`?")
            } else {
                String::new()
            };
            ctx.push(
                &INVALID_TECHNIQUE,
                node.span,
                format!(
                    "{} is not a MITRE ATT&CK technique id such as T1078 or T1078.004{hint}",
                    quote(raw)
                ),
            );
            continue;
        }
        let Some(tactics) = model.technique_tactics(t) else {
            ctx.push(
                &INVALID_TECHNIQUE,
                node.span,
                format!("Sentinel's technique map does not know `{t}`"),
            );
            continue;
        };
        if tactics.is_empty() || tactics.iter().any(|x| listed.contains(x)) {
            continue;
        }
        let base = t.split('.').next().unwrap_or(t);
        let of = if base == t {
            format!("`{t}`")
        } else {
            format!("`{t}` (technique `{base}`)")
        };
        let names: Vec<String> = tactics.iter().map(|t| format!("`{t}`")).collect();
        let msg = if listed.is_empty() {
            format!(
                "{of} belongs to {}, but the rule lists no tactics",
                one_of(&names)
            )
        } else if names.len() == 1 {
            format!(
                "{of} belongs to {}, which is not in `{tactics_key}`",
                names[0]
            )
        } else {
            format!(
                "{of} belongs to {}, none of which is in `{tactics_key}`",
                one_of(&names)
            )
        };
        let d = ctx.push(&TECHNIQUE_TACTIC_MISMATCH, node.span, msg);
        if let Some(span) = tactics_span {
            d.labels.push(kqlint_diagnostics::Label {
                span,
                message: "the rule's tactics".into(),
            });
        }
        d.help = Some(format!("add `{}` to `{tactics_key}`", tactics[0]));
    }
}

/// `T1234`, `T123` (ICS-era ids in Sentinel's map) or `T1234.001`.
fn is_technique_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('T') else {
        return false;
    };
    let (main, sub) = match rest.split_once('.') {
        Some((m, s)) => (m, Some(s)),
        None => (rest, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    (3..=4).contains(&main.len()) && digits(main) && sub.is_none_or(|s| s.len() == 3 && digits(s))
}

// ----------------------------------------------------------- registry
// The rules only this module reports (KQL4xx, in `crate::RULES`).

pub static UNKNOWN_TACTIC: RuleMeta = RuleMeta {
    code: "KQL413",
    name: "unknown-tactic",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A tactic is not one of the MITRE ATT&CK tactics Sentinel knows",
    what: "Reports an entry of `tactics` that is not one of Sentinel's 17 tactic names \
           (InitialAccess, Execution, Persistence, PrivilegeEscalation, DefenseEvasion, \
           CredentialAccess, Discovery, LateralMovement, Collection, Exfiltration, CommandAndControl, \
           Impact, Reconnaissance, ResourceDevelopment, ImpairProcessControl, InhibitResponseFunction, \
           PreAttack), with the likely name for a near miss (`Initial access` → `InitialAccess`). In \
           analytic rules every such entry is an error. In hunting and exploration queries, which \
           Sentinel's CI does not check, only a misspelt tactic name is reported (`Persistance`), as a \
           warning: Defender XDR's labels for the same tactics (`Initial access`, `Command and control`) \
           and its other hunting categories (`Ransomware`, `Vulnerability`, `Exploit`) are what \
           Microsoft's own Defender hunting queries carry there (they made up 149 of the 151 findings on \
           the dev corpus), and nothing refuses them.",
    why: "Azure-Sentinel's CI and the Sentinel API refuse an analytic rule with an unknown tactic. In a \
          hunting query a misspelt tactic is most likely a mistake the author would want to know about.",
    fix: "Use the tactic's Sentinel name: one word, each part capitalised (`CommandAndControl`).",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[
        concat!(
            id_line!(),
            about!(),
            severity!(),
            connectors!(),
            schedule!(),
            "tactics:\n  - Initial access\nrelevantTechniques:\n  - T1078\n",
            query!(),
            entities!(),
            tail!()
        ),
        hunting!("tactics:\n  - Persistance\n"),
    ],
    pass: &[
        rule!(),
        hunting!("tactics:\n  - Discovery\n"),
        hunting!("tactics:\n  - Initial access\n  - Ransomware\n"),
    ],
};

pub static INVALID_TECHNIQUE: RuleMeta = RuleMeta {
    code: "KQL414",
    name: "invalid-technique",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A technique is not a MITRE ATT&CK technique id Sentinel knows",
    what: "Reports an entry of `relevantTechniques` that is not a technique id (`T1078`, or a \
           sub-technique `T1078.004`) or that Sentinel's technique map does not know. A warning in \
           hunting and exploration queries.",
    why: "Azure-Sentinel's CI looks each technique up in its map and refuses an analytic rule with \
          one it does not know.",
    fix: "Write the id as `T` and four digits, optionally `.` and three digits for a \
          sub-technique, and check it on attack.mitre.org.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        "tactics:\n  - InitialAccess\nrelevantTechniques:\n  - T1078-004\n",
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static TECHNIQUE_TACTIC_MISMATCH: RuleMeta = RuleMeta {
    code: "KQL415",
    name: "technique-tactic-mismatch",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A technique belongs to none of the rule's tactics",
    what: "Reports a technique of `relevantTechniques` none of whose MITRE ATT&CK tactics is listed in \
           `tactics` (a sub-technique counts as its technique: `T1078.004` is `T1078`). The message \
           names the tactics the technique belongs to. A warning in hunting and exploration queries.",
    why: "Azure-Sentinel's CI refuses a scheduled rule whose techniques do not match its tactics, and \
          the portal's MITRE ATT&CK view places the rule under the listed tactics only.",
    fix: "Add one of the technique's tactics to `tactics`, or correct the technique.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        "tactics:\n  - InitialAccess\nrelevantTechniques:\n  - T1110\n",
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};

pub static SINGLE_VALUE_FOR_LIST: RuleMeta = RuleMeta {
    code: "KQL417",
    name: "single-value-for-list",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "`tactics` or `relevantTechniques` is a single value instead of a list",
    what: "Reports `tactics: CommandAndControl` or `relevantTechniques: T1219` written as one value \
           rather than a list. kqlint reads it as a one-item list and checks the value.",
    why: "Sentinel's rule model declares these fields as lists; tools that read them as lists \
          (Azure-Sentinel's CI model, solution packaging) may refuse or misread a single value.",
    fix: "Write a list: `tactics:` followed by `  - CommandAndControl`.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[hunting!("tactics: Discovery\n")],
    pass: &[hunting!("tactics:\n  - Discovery\n")],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn technique_ids() {
        for ok in ["T1078", "T1078.004", "T0855", "T855"] {
            assert!(is_technique_id(ok), "{ok}");
        }
        for bad in [
            "t1078",
            "T1078.4",
            "T10780",
            "T1078-004",
            "None",
            "T",
            "TA0001",
        ] {
            assert!(!is_technique_id(bad), "{bad}");
        }
    }
}
