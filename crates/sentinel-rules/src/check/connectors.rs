//! `requiredDataConnectors`: connector ids and their data types.

use super::Ctx;
use crate::rules::*;
use crate::text::{describe, quote};
use kqlint_diagnostics::{Category, ExampleKind, RuleMeta, Severity};
use kqlint_source::YamlNode;

pub fn connector_ids(ctx: &mut Ctx<'_>, root: &YamlNode) {
    let catalog = kql_schema::Catalog::builtin();
    let Some(list) = root
        .get("requiredDataConnectors")
        .and_then(YamlNode::as_sequence)
    else {
        return;
    };
    for entry in list {
        let Some(node) = entry.get("connectorId") else {
            continue;
        };
        let Some(id) = node.as_str() else {
            if !node.is_null() {
                ctx.push(
                    &WRONG_VALUE_TYPE,
                    node.span,
                    format!("`connectorId` must be text; found {}", describe(node)),
                );
            }
            continue;
        };
        if catalog.is_valid_connector_id(id) {
            continue;
        }
        let mut msg = format!("{} is not a data connector id Sentinel knows", quote(id));
        if let Some(s) = catalog.suggest_connector_id(id) {
            if s.eq_ignore_ascii_case(id) {
                msg.push_str(&format!(
                    "; did you mean `{s}`? Connector ids are case-sensitive"
                ));
            } else {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
        }
        ctx.push(&UNKNOWN_CONNECTOR_ID, node.span, msg);
    }
}

// ----------------------------------------------------------- registry
// The rules only this module reports (KQL4xx, in `crate::RULES`).

pub static UNKNOWN_CONNECTOR_ID: RuleMeta = RuleMeta {
    code: "KQL416",
    name: "unknown-connector-id",
    category: Category::Rule,
    severity: Severity::Error,
    summary: "A `connectorId` is not a data connector id Sentinel knows",
    what: "Reports a `requiredDataConnectors[].connectorId` that is not in Azure-Sentinel's list of \
           valid connector ids, with the closest valid id. Connector ids are case-sensitive. A \
           warning in hunting queries.",
    why: "Azure-Sentinel's CI refuses the rule, and the portal cannot tell whether the data the rule \
          needs is connected.",
    fix: "Use the connector id the message suggests, or the id shown on the connector's page.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        "requiredDataConnectors:\n  - connectorId: AzureActiveDirectorry\n    dataTypes:\n      - SigninLogs\n",
        schedule!(),
        mitre!(),
        query!(),
        entities!(),
        tail!()
    )],
    pass: &[rule!()],
};
