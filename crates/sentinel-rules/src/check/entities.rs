//! Entity mappings and the alert details override: entity types,
//! identifiers, and `{{column}}` placeholders.

use super::Ctx;
use crate::model::Model;
use crate::rules::*;
use crate::text::{describe, one_of, quote, some_of};
use kqlint_diagnostics::{Diagnostic, Span};
use kqlint_source::YamlNode;

/// Identifiers valid for the entity type, used once, with a complete
/// required set.
pub fn entity_mappings(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let model = Model::get();
    let Some(list) = root.get("entityMappings").and_then(YamlNode::as_sequence) else {
        return;
    };
    for mapping in list {
        let Some(type_node) = mapping.get("entityType") else {
            continue;
        };
        let Some(type_name) = type_node.as_str() else {
            continue;
        };
        // Unknown types are the schema's; a case variant still names one.
        let Some(entity) = model.entity_type(type_name).or_else(|| {
            model
                .entity_types
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(type_name))
        }) else {
            continue;
        };
        let Some(fields) = mapping.get("fieldMappings").and_then(YamlNode::as_sequence) else {
            continue;
        };
        let mut used: Vec<(&str, Span)> = Vec::new();
        let mut all_valid = true;
        for fm in fields {
            let Some(id_node) = fm.get("identifier") else {
                continue;
            };
            let Some(id) = id_node.as_str() else {
                ctx.push(
                    &INVALID_ENTITY_MAPPING,
                    id_node.span,
                    format!("`identifier` must be text; found {}", describe(id_node)),
                );
                all_valid = false;
                continue;
            };
            if !entity.identifiers.iter().any(|i| i == id) {
                all_valid = false;
                let mut msg = format!(
                    "{} is not an identifier of a{} `{}` entity",
                    quote(id),
                    if starts_with_vowel(&entity.name) {
                        "n"
                    } else {
                        ""
                    },
                    entity.name
                );
                if let Some(s) =
                    kql_schema::best_match(id, entity.identifiers.iter().map(String::as_str))
                {
                    msg.push_str(&format!("; did you mean `{s}`?"));
                }
                let d =
                    Diagnostic::new(&INVALID_ENTITY_MAPPING, id_node.span, msg).with_help(format!(
                        "identifiers of `{}`: {}",
                        entity.name,
                        one_of(&entity.identifiers)
                    ));
                ctx.add(d);
                continue;
            }
            if let Some((_, first)) = used.iter().find(|(u, _)| *u == id) {
                let d = Diagnostic::new(
                    &INVALID_ENTITY_MAPPING,
                    id_node.span,
                    format!(
                        "identifier `{id}` is mapped twice in this `{}` entity; Sentinel allows each once",
                        entity.name
                    ),
                )
                .with_label(*first, "first mapped here");
                ctx.add(d);
                continue;
            }
            used.push((id, id_node.span));
        }
        if all_valid
            && !entity.required_any_of.is_empty()
            && !entity
                .required_any_of
                .iter()
                .any(|set| set.iter().all(|r| used.iter().any(|(u, _)| u == r)))
        {
            let sets: Vec<String> = entity
                .required_any_of
                .iter()
                .map(|s| s.join(" + "))
                .collect();
            ctx.push(
                &INVALID_ENTITY_MAPPING,
                type_node.span,
                format!(
                    "a{} `{}` entity needs {} mapped; this one maps only {}",
                    if starts_with_vowel(&entity.name) {
                        "n"
                    } else {
                        ""
                    },
                    entity.name,
                    one_of(&sets),
                    if used.is_empty() {
                        "nothing".to_owned()
                    } else {
                        some_of(
                            &used
                                .iter()
                                .map(|(u, _)| format!("`{u}`"))
                                .collect::<Vec<_>>(),
                            5,
                        )
                    }
                ),
            );
        }
    }
}

fn starts_with_vowel(s: &str) -> bool {
    // "an IP", "an IoTDevice", "an Account", "a URL", "a Host".
    matches!(s.chars().next(), Some('A' | 'E' | 'I' | 'O'))
}

// ------------------------------------------------ alert details override

/// `{{Column}}` placeholders of a format string, Sentinel's way:
/// `{{` then no braces then `}}`.
pub fn placeholders(format: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(open) = format[i..].find("{{") {
        let start = i + open;
        let body_start = start + 2;
        let rest = &format[body_start..];
        match rest.find(['{', '}']) {
            Some(j) if rest[j..].starts_with("}}") => {
                out.push((start, &rest[..j]));
                i = body_start + j + 2;
            }
            // Like the regex, try again one character further on.
            Some(_) => i = start + 1,
            None => break,
        }
    }
    out
}

pub fn alert_details_override(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let Some(ado) = root.get("alertDetailsOverride") else {
        return;
    };
    for key in ["alertDisplayNameFormat", "alertDescriptionFormat"] {
        let Some((k, v)) = ado.entry(key) else {
            continue;
        };
        let Some(format) = v.as_str() else { continue };
        let n = placeholders(format).len();
        if n > 3 {
            ctx.push(
                &INVALID_ALERT_DETAILS_OVERRIDE,
                k.span,
                format!("`{key}` has {n} `{{{{Column}}}}` placeholders; Sentinel allows at most 3"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_sentinel_regex() {
        let p = placeholders("{{A}} and {{B}} {{ {{C}} }} {{}} {{D");
        let names: Vec<&str> = p.iter().map(|(_, n)| *n).collect();
        assert_eq!(names, ["A", "B", "C", ""]);
        assert!(placeholders("no placeholders").is_empty());
        assert_eq!(placeholders("{{{A}}}")[0].1, "A");
    }
}
