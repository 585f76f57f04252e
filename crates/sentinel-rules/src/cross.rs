//! Cross-checks between a rule's YAML and its query: the columns the YAML
//! names must be columns of the query's output, and the tables the query
//! reads should be declared in `requiredDataConnectors`.
//!
//! Facts about the query arrive as plain data ([`QueryFacts`]) from the
//! caller (kqlint-core fills them from the semantic checker); this crate
//! does not analyse KQL.

use crate::check::{Ctx, placeholders};
use crate::kind::RuleKind;
use crate::rules::*;
use crate::text::{quote, some_of};
use kql_schema::ScalarType;
use kqlint_diagnostics::{Category, Diagnostic, ExampleKind, RuleMeta, Severity, Span};
use kqlint_source::YamlNode;

/// What the semantic checker knows about a rule's query.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryFacts {
    /// The query's result columns when known; `None` when the result could
    /// not be worked out.
    pub result_columns: Option<Vec<ResultColumn>>,
    /// The result may have columns beyond `result_columns` (an unknown
    /// table or function, `evaluate` plug-ins, `bag_unpack`, ...): no column
    /// is reported missing then.
    pub open: bool,
    /// The output comes in part from a table or function kqlint knows only
    /// in part (a CI stub, a parser): why, for messages. A column missing
    /// from the output is then a warning, not an error.
    pub partial: Option<String>,
    /// The tables the query reads (resolved names, any order).
    pub tables: Vec<String>,
    /// Of `tables`, those the query reads only where it tolerates their
    /// absence (the legs of `union isfuzzy=true`): the rule runs without
    /// them, so they are not required data.
    pub optional_tables: Vec<String>,
    /// The furthest-back lower bound on time in the query (seconds, and
    /// where it is in the file), when it can be folded to a constant.
    pub lookback: Option<(u64, Span)>,
    /// The nearest-in lower bound on `Timestamp` (seconds back, and where):
    /// the filter that narrows a Defender XDR custom detection's window.
    pub timestamp_filter: Option<(u64, Span)>,
    /// The query's tabular operators by name (`where`, `join`, ...), each
    /// with its keyword's place, in the order written.
    pub operators: Vec<(String, Span)>,
    /// Where the query's first comment is, if it has one.
    pub first_comment: Option<Span>,
    /// Whether the output's row count is bounded by an aggregation or a
    /// `take` (`None`: not worked out).
    pub output_bounded: Option<bool>,
}

/// One column of a query's result, as the semantic analysis typed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultColumn {
    pub name: String,
    /// `None` when the analysis could not tell.
    pub ty: Option<ScalarType>,
}

impl ResultColumn {
    pub fn new(name: impl Into<String>, ty: Option<ScalarType>) -> ResultColumn {
        ResultColumn {
            name: name.into(),
            ty,
        }
    }
}

impl QueryFacts {
    /// The result columns when they are known and closed.
    fn closed_columns(&self) -> Option<Vec<&str>> {
        if self.open {
            return None;
        }
        self.result_columns
            .as_ref()
            .map(|c| c.iter().map(|c| c.name.as_str()).collect())
    }
}

fn is_column_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

struct Columns<'a> {
    names: Vec<&'a str>,
    partial: Option<&'a str>,
}

impl Columns<'_> {
    fn check(
        &self,
        ctx: &mut Ctx<'_>,
        meta: &'static RuleMeta,
        span: Span,
        what: &str,
        name: &str,
    ) {
        if !is_column_name(name) || self.names.contains(&name) {
            return;
        }
        let mut msg = format!(
            "{} ({what}) is not a column of the query's output",
            quote(name)
        );
        let best = kql_schema::best_match(name, self.names.iter().copied());
        // Only part of the output is known: unless only the case differs,
        // the column may be one kqlint cannot see.
        let unsure = self
            .partial
            .filter(|_| !best.is_some_and(|s| s.eq_ignore_ascii_case(name)));
        if let Some(why) = unsure {
            msg = format!(
                "{} ({what}) is not among the output columns kqlint knows; {why}",
                quote(name)
            );
        }
        if let Some(s) = best {
            if s.eq_ignore_ascii_case(name) {
                msg.push_str(&format!(
                    "; did you mean `{s}`? Column names are case-sensitive"
                ));
            } else {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
        }
        let shown: Vec<String> = self.names.iter().map(|n| format!("`{n}`")).collect();
        let help = if shown.is_empty() {
            "the query outputs no columns".to_owned()
        } else {
            format!("the query outputs {}", some_of(&shown, 12))
        };
        let d = Diagnostic::new(meta, span, msg).with_help(help);
        ctx.add(if unsure.is_some() {
            d.with_severity(kqlint_diagnostics::Severity::Warning)
        } else {
            d
        });
    }
}

/// The cross-checks; nothing is reported without facts.
pub fn check(ctx: &mut Ctx<'_>, root: &YamlNode, facts: Option<&QueryFacts>) {
    let Some(facts) = facts else { return };
    if !matches!(
        ctx.kind,
        RuleKind::Scheduled | RuleKind::Nrt | RuleKind::Hunting
    ) {
        return;
    }
    if let Some(names) = facts.closed_columns() {
        let cols = Columns {
            names,
            partial: facts.partial.as_deref(),
        };
        columns(ctx, root, &cols);
        override_types(ctx, root, facts);
    }
    connectors(ctx, root, facts);
    alert_per_result(ctx, root, facts);
}

/// An alert per result on a query whose row count nothing bounds: a run
/// makes at most 150 alerts (30 for an NRT rule), the last one summing up
/// the rest.
fn alert_per_result(ctx: &mut Ctx<'_>, root: &YamlNode, facts: &QueryFacts) {
    let cap = match ctx.kind {
        RuleKind::Scheduled => 150,
        RuleKind::Nrt => 30,
        _ => return,
    };
    if facts.output_bounded != Some(false) {
        return;
    }
    let Some(v) = root
        .get("eventGroupingSettings")
        .and_then(|e| e.get("aggregationKind"))
    else {
        return;
    };
    if v.as_str() != Some("AlertPerResult") {
        return;
    }
    let d = Diagnostic::new(
        &ALERT_PER_RESULT_UNBOUNDED,
        v.span,
        format!(
            "each result of this query becomes an alert, and nothing in the query bounds how many \
             results a run returns: a run makes at most {cap} alerts, the first {} one per result and \
             the last one for all the others together",
            cap - 1
        ),
    )
    .with_help(
        "aggregate the results (`summarize ... by` the entity the alert is about), or group all \
         events into a single alert (`aggregationKind: SingleAlert`)",
    );
    ctx.add(d);
}

/// The alert's severity and tactics taken from a column whose type can
/// hold no severity or tactic name: Sentinel falls back to the rule's own
/// values for a value that does not fit the alert property.
fn override_types(ctx: &mut Ctx<'_>, root: &YamlNode, facts: &QueryFacts) {
    let Some(ado) = root.get("alertDetailsOverride") else {
        return;
    };
    let Some(cols) = &facts.result_columns else {
        return;
    };
    for (key, property, values) in [
        (
            "alertSeverityColumnName",
            "severity",
            "a severity name (`Informational`, `Low`, `Medium`, `High`)",
        ),
        (
            "alertTacticsColumnName",
            "tactics",
            "tactic names (`InitialAccess`, `Execution`, ...)",
        ),
    ] {
        let Some(v) = ado.get(key) else { continue };
        let Some(name) = v.as_str() else { continue };
        // A dynamic value may hold a string; only a type that never does
        // is reported.
        let Some(ty) = cols
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.ty)
            .filter(|t| !matches!(t, ScalarType::String | ScalarType::Dynamic))
        else {
            continue;
        };
        let d = Diagnostic::new(
            &OVERRIDE_COLUMN_TYPE,
            v.span,
            format!(
                "the alert's {property} comes from `{name}`, a {ty} column: Sentinel expects {values} \
                 and, for any other value, keeps the rule's own {property}, so this override never applies"
            ),
        )
        .with_help(format!(
            "map the value to a name in the query, e.g. `extend {}Name = case({name} >= 8, \"High\", {name} >= 5, \"Medium\", \"Low\")`, and name that column",
            name
        ));
        ctx.add(d);
    }
}

fn columns(ctx: &mut Ctx<'_>, root: &YamlNode, cols: &Columns<'_>) {
    // Entity mappings.
    for mapping in root
        .get("entityMappings")
        .and_then(YamlNode::as_sequence)
        .unwrap_or_default()
    {
        let entity = mapping
            .get("entityType")
            .and_then(YamlNode::as_str)
            .unwrap_or("entity");
        for fm in mapping
            .get("fieldMappings")
            .and_then(YamlNode::as_sequence)
            .unwrap_or_default()
        {
            if let Some(node) = fm.get("columnName")
                && let Some(name) = node.as_str()
            {
                let id = fm
                    .get("identifier")
                    .and_then(YamlNode::as_str)
                    .unwrap_or("?");
                cols.check(
                    ctx,
                    &ENTITY_COLUMN_NOT_IN_OUTPUT,
                    node.span,
                    &format!("mapped to `{entity}.{id}`"),
                    name,
                );
            }
        }
    }
    // Custom details.
    if let Some(entries) = root.get("customDetails").and_then(YamlNode::as_mapping) {
        for (k, v) in entries {
            if let Some(name) = v.as_str() {
                let key = k.as_str().unwrap_or("?");
                cols.check(
                    ctx,
                    &CUSTOM_DETAIL_COLUMN_NOT_IN_OUTPUT,
                    v.span,
                    &format!("custom detail `{key}`"),
                    name,
                );
            }
        }
    }
    // Alert details override.
    let Some(ado) = root.get("alertDetailsOverride") else {
        return;
    };
    for key in ["alertDisplayNameFormat", "alertDescriptionFormat"] {
        let Some(v) = ado.get(key) else { continue };
        let Some(format) = v.as_str() else { continue };
        for (_, name) in placeholders(format) {
            let name = name.trim();
            let span = find_in(ctx.text, v.span, &format!("{{{{{name}}}}}")).unwrap_or(v.span);
            cols.check(
                ctx,
                &ALERT_OVERRIDE_COLUMN_NOT_IN_OUTPUT,
                span,
                &format!("a placeholder in `{key}`"),
                name,
            );
        }
    }
    for key in ["alertTacticsColumnName", "alertSeverityColumnName"] {
        if let Some(v) = ado.get(key)
            && let Some(name) = v.as_str()
        {
            cols.check(
                ctx,
                &ALERT_OVERRIDE_COLUMN_NOT_IN_OUTPUT,
                v.span,
                &format!("`{key}`"),
                name,
            );
        }
    }
    for prop in ado
        .get("alertDynamicProperties")
        .and_then(YamlNode::as_sequence)
        .unwrap_or_default()
    {
        if let Some(v) = prop.get("value")
            && let Some(name) = v.as_str()
        {
            let property = prop
                .get("alertProperty")
                .and_then(YamlNode::as_str)
                .unwrap_or("?");
            cols.check(
                ctx,
                &ALERT_OVERRIDE_COLUMN_NOT_IN_OUTPUT,
                v.span,
                &format!("alert property `{property}`"),
                name,
            );
        }
    }
}

/// Where `needle` is written inside `span` of the file, if literally.
fn find_in(text: &str, span: Span, needle: &str) -> Option<Span> {
    let (s, e) = (span.start as usize, span.end as usize);
    let hay = text.get(s..e)?;
    let at = hay.find(needle)?;
    Some(Span::new((s + at) as u32, (s + at + needle.len()) as u32))
}

/// The connectors to suggest for a table: one named like the table
/// (`Syslog` for Syslog) when there is one, else every known feeder.
fn likely_connectors<'a, S: AsRef<str>>(table: &str, feeders: &'a [S]) -> Vec<&'a str> {
    let exact: Vec<&str> = feeders
        .iter()
        .map(AsRef::as_ref)
        .filter(|f| f.eq_ignore_ascii_case(table))
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    feeders.iter().map(AsRef::as_ref).collect()
}

/// The table a `dataTypes` entry names: `SecurityAlert (ASC)` → `SecurityAlert`.
fn data_type_table(s: &str) -> &str {
    s.split(['(', ' ']).next().unwrap_or(s).trim()
}

/// Whether `table` is ingested data (what `dataTypes` lists) rather than a
/// parser: Azure-Sentinel's schema sets model parser functions such as
/// `Cisco_Umbrella` or `imProcess` as tables, and a rule that reads one
/// rightly lists the parser's source tables instead. Data tables are the
/// built-in ones, custom logs (`_CL`) and tables a known connector feeds.
fn is_data_table(catalog: &kql_schema::Catalog, table: &str) -> bool {
    // A table Microsoft documents (or the product's own schema defines) is
    // data; a CI stub may be a parser modelled as a table.
    let builtin = catalog
        .table(table)
        .is_some_and(|t| t.provenance.kind() == Some(kql_schema::SourceKind::Documented));
    builtin
        || table.as_bytes().ends_with(b"_CL")
        || table.as_bytes().ends_with(b"_cl")
        || !catalog.connectors_for_table(table).is_empty()
}

/// A `requiredDataConnectors` entry: its id and its `dataTypes` (the
/// table part of each: `SecurityAlert (ASC)` → `SecurityAlert`).
struct Listed<'a> {
    id: &'a str,
    types: Vec<&'a str>,
}

fn listed_connectors(root: &YamlNode) -> Vec<Listed<'_>> {
    let Some((_, v)) = root.entry("requiredDataConnectors") else {
        return Vec::new();
    };
    v.as_sequence()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let id = c
                .get("connectorId")
                .and_then(YamlNode::as_str)
                .unwrap_or_default();
            let types = match c.get("dataTypes") {
                Some(n) => match n.as_sequence() {
                    Some(items) => items
                        .iter()
                        .filter_map(|t| t.as_str().map(data_type_table))
                        .collect(),
                    None => n
                        .as_str()
                        .map(|t| vec![data_type_table(t)])
                        .unwrap_or_default(),
                },
                None => Vec::new(),
            };
            Listed { id, types }
        })
        .collect()
}

fn connectors(ctx: &mut Ctx<'_>, root: &YamlNode, facts: &QueryFacts) {
    let catalog = kql_schema::Catalog::builtin();
    let entry = root.entry("requiredDataConnectors");
    let listed = listed_connectors(root);
    let span = entry
        .map(|(k, _)| k.span)
        .or_else(|| root.entry("query").map(|(k, _)| k.span))
        .unwrap_or(Span::empty(root.span.start));
    let mut tables: Vec<&str> = facts.tables.iter().map(String::as_str).collect();
    tables.sort_unstable();
    tables.dedup();
    for table in tables {
        if !is_data_table(catalog, table) {
            continue;
        }
        // Read only inside `union isfuzzy=true`: the rule is written to run
        // without it.
        if facts.optional_tables.iter().any(|t| t == table) {
            continue;
        }
        // The connectors that feed the table, among those Sentinel's CI
        // accepts in `connectorId` (a feeder known only by another name,
        // such as `AzureMonitor` for `AzureDevOpsAuditing`, cannot be
        // written in a rule).
        let feeders: Vec<&str> = likely_connectors(table, catalog.connectors_for_table(table))
            .into_iter()
            .filter(|f| catalog.connector_ids().iter().any(|v| v == f))
            .collect();
        let covered = listed.iter().any(|c| {
            c.types.iter().any(|t| t.eq_ignore_ascii_case(table))
                // A feeding connector listed with a data type of its own
                // naming (`AzureKeyVault` with `KeyVaultData` for
                // `AzureDiagnostics`): what Sentinel checks is its name.
                || (feeders.contains(&c.id)
                    && c.types.iter().any(|t| catalog.table(t).is_none()))
        });
        if covered {
            continue;
        }
        // `requiredDataConnectors` can only name connectors: a table no
        // known connector feeds (a diagnostic-settings table such as
        // `AppServiceHTTPLogs`, `Usage`, a custom log of your own) has no
        // entry to add.
        if feeders.is_empty() {
            continue;
        }
        let msg = format!(
            "the query reads `{table}`, but no `requiredDataConnectors` entry lists it in `dataTypes`"
        );
        // A listed connector that feeds the table, if any (`BehaviorAnalytics`
        // feeds `IdentityInfo` too, though `IdentityInfo` is its likeliest).
        let all_feeders = catalog.connectors_for_table(table);
        let listed_feeder = listed.iter().find(|c| feeders.contains(&c.id)).or_else(|| {
            listed
                .iter()
                .find(|c| all_feeders.iter().any(|f| f == c.id))
        });
        let help = match listed_feeder {
            Some(c) => format!("add `{table}` to the `dataTypes` of connector `{}`", c.id),
            None => match feeders.as_slice() {
                [one] => format!(
                    "add `- connectorId: {one}` with `dataTypes: [{table}]` to `requiredDataConnectors`"
                ),
                many => {
                    let names: Vec<String> = many.iter().map(|f| format!("`{f}`")).collect();
                    format!(
                        "add the connector that feeds `{table}` here (one of {}) to `requiredDataConnectors`, with `{table}` in its `dataTypes`",
                        some_of(&names, 5)
                    )
                }
            },
        };
        ctx.add(Diagnostic::new(&MISSING_DATA_CONNECTOR, span, msg).with_help(help));
    }
}

// ----------------------------------------------------------- registry
// The rules only this module reports (KQL4xx, in `crate::RULES`).

pub static OVERRIDE_COLUMN_TYPE: RuleMeta = RuleMeta {
    code: "KQL435",
    name: "override-column-type",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "`alertSeverityColumnName` or `alertTacticsColumnName` names a column whose type holds no severity or tactic",
    what: "Reports an `alertDetailsOverride` whose `alertSeverityColumnName` or \
           `alertTacticsColumnName` names a query output column of a type that cannot hold a \
           severity or tactic name (a number, a date, a boolean, ...). Microsoft documents that an \
           override whose value does not fit the alert property falls back to the rule's default. \
           A `string` or `dynamic` column is not reported.",
    why: "The alert always gets the rule's fixed severity (or tactics): the override looks \
          configured and does nothing, so a high-severity match is raised as medium.",
    fix: "Compute the name in the query (`extend SeverityName = case(Score >= 8, \"High\", ...)`) \
          and name that column.",
    fixable: false,
    opt_in: false,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        "query: |\n  SigninLogs\n  | where ResultType == \"0\" and Location in (\"XX\", \"YY\")\n  | extend Risk = toint(RiskLevelDuringSignIn == \"high\") * 8\n  | project TimeGenerated, UserPrincipalName, IPAddress, Location, Risk\n",
        "alertDetailsOverride:\n  alertSeverityColumnName: Risk\n",
        entities!(),
        tail!()
    )],
    pass: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        "query: |\n  SigninLogs\n  | where ResultType == \"0\" and Location in (\"XX\", \"YY\")\n  | extend Risk = iff(RiskLevelDuringSignIn == \"high\", \"High\", \"Medium\")\n  | project TimeGenerated, UserPrincipalName, IPAddress, Location, Risk\n",
        "alertDetailsOverride:\n  alertSeverityColumnName: Risk\n",
        entities!(),
        tail!()
    )],
};

pub static ALERT_PER_RESULT_UNBOUNDED: RuleMeta = RuleMeta {
    code: "KQL436",
    name: "alert-per-result-unbounded",
    category: Category::Rule,
    severity: Severity::Warning,
    summary: "An alert per result (`AlertPerResult`) on a query whose row count nothing bounds (opt-in)",
    what: "Reports a scheduled or NRT rule with `eventGroupingSettings.aggregationKind: \
           AlertPerResult` whose query output is not aggregated or cut (no `summarize`, `count`, \
           `take` or `top` after the last `join`, `union` or `mv-expand`). Microsoft documents that \
           a run raises at most 150 alerts (an NRT rule 30): beyond that, the first 149 (29) results \
           get an alert each and the last alert sums up all the others. Opt-in: rules that forward \
           another product's alerts one by one do this on purpose.",
    why: "On a busy day the alerts past the cap are folded into one summary alert: their entities, \
          custom details and automation do not apply to each result, and an analyst sees one alert \
          where there were hundreds.",
    fix: "Aggregate by the entity the alert is about (`summarize ... by Account`), or use \
          `aggregationKind: SingleAlert`.",
    fixable: false,
    opt_in: true,
    example_kind: ExampleKind::Yaml,
    fail: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        query!(),
        "eventGroupingSettings:\n  aggregationKind: AlertPerResult\n",
        entities!(),
        tail!()
    )],
    pass: &[concat!(
        id_line!(),
        about!(),
        severity!(),
        connectors!(),
        schedule!(),
        mitre!(),
        "query: |\n  SigninLogs\n  | where ResultType == \"0\" and Location in (\"XX\", \"YY\")\n  | summarize TimeGenerated = max(TimeGenerated), IPAddress = any(IPAddress) by UserPrincipalName, Location\n",
        "eventGroupingSettings:\n  aggregationKind: AlertPerResult\n",
        entities!(),
        tail!()
    )],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_types_name_tables() {
        assert_eq!(data_type_table("SecurityAlert (ASC)"), "SecurityAlert");
        assert_eq!(data_type_table("Syslog"), "Syslog");
        assert_eq!(
            data_type_table("CommonSecurityLog(Cisco)"),
            "CommonSecurityLog"
        );
    }

    fn run(yaml: &str, tables: &[&str], optional: &[&str]) -> Vec<Diagnostic> {
        let source = kqlint_source::Source::from_text(
            "Detections/X/r.yaml",
            yaml,
            kqlint_source::SourceKind::Yaml,
            &kqlint_source::Limits::default(),
        );
        let facts = QueryFacts {
            result_columns: None,
            open: true,
            partial: None,
            tables: tables.iter().map(|t| t.to_string()).collect(),
            optional_tables: optional.iter().map(|t| t.to_string()).collect(),
            ..QueryFacts::default()
        };
        crate::check_source(&source, Some(&facts))
            .unwrap()
            .diagnostics
            .into_iter()
            .filter(|d| d.name == "missing-data-connector")
            .collect()
    }

    const HUNT: &str = "id: 6a1c2f0e-3b7d-4e59-9c1a-2d8e4f6b7a90\nname: n\ndescription: d\nrequiredDataConnectors:\n  - connectorId: SecurityEvents\n    dataTypes:\n      - SecurityEvents\nquery: |\n  SecurityEvent | take 1\n";

    #[test]
    fn a_feeding_connector_listed_with_its_own_data_type_name_covers_the_table() {
        // `KeyVaultData` is the Azure Key Vault connector's name for what
        // it writes to `AzureDiagnostics`; `SecurityEvents` is how 11 of
        // Microsoft's rules list the SecurityEvents connector's data.
        assert!(run(HUNT, &["SecurityEvent"], &[]).is_empty());
        let kv = HUNT
            .replace("connectorId: SecurityEvents", "connectorId: AzureKeyVault")
            .replace("- SecurityEvents", "- KeyVaultData");
        assert!(run(&kv, &["AzureDiagnostics"], &[]).is_empty());
        // A data type that is a table does not cover another table.
        let mtp = HUNT
            .replace(
                "connectorId: SecurityEvents",
                "connectorId: MicrosoftThreatProtection",
            )
            .replace("- SecurityEvents", "- SecurityAlert");
        let d = run(&mtp, &["SecurityAlert", "DeviceInfo"], &[]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("to the `dataTypes` of connector `MicrosoftThreatProtection`")
        );
    }

    #[test]
    fn optional_tables_and_tables_no_connector_feeds_are_not_required() {
        let yaml = HUNT.replace("SecurityEvents\nquery", "SecurityEvent\nquery");
        // Read only inside `union isfuzzy=true`.
        assert!(run(&yaml, &["SecurityEvent", "SigninLogs"], &["SigninLogs"]).is_empty());
        assert_eq!(run(&yaml, &["SecurityEvent", "SigninLogs"], &[]).len(), 1);
        // No connector feeds `AppServiceHTTPLogs`: nothing to add.
        assert!(
            kql_schema::Catalog::builtin()
                .connectors_for_table("AppServiceHTTPLogs")
                .is_empty()
        );
        assert!(run(&yaml, &["SecurityEvent", "AppServiceHTTPLogs"], &[]).is_empty());
        // Only `AzureMonitor`, which is not a connector id Sentinel accepts,
        // feeds `AzureDevOpsAuditing`.
        assert!(run(&yaml, &["SecurityEvent", "AzureDevOpsAuditing"], &[]).is_empty());
    }

    #[test]
    fn column_names() {
        assert!(is_column_name("_ResourceId"));
        assert!(is_column_name("Account1"));
        assert!(!is_column_name("1Account"));
        assert!(!is_column_name("Account Name"));
        assert!(!is_column_name(""));
    }
}
