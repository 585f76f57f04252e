//! Tests of the bundled data against its sources: the Sentinel schema sets,
//! the oracle's recorded result columns, seed 002, Kusto.Language's symbols.

use kql_schema::{
    ActionTypeFields, ArgumentKind, Catalog, ColumnOrigin, FunctionKind, Layout, ParamType,
    Platform, PluginOutputKind, Populated, ReturnKind, ScalarType, TypeRef,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[path = "common/facts.rs"]
mod facts;

/// The type Microsoft's Azure Monitor reference gives a column, where it
/// gives one (the newer page wins): it overrides a schema file's type.
fn documented_types() -> &'static BTreeMap<(String, String), ScalarType> {
    static TYPES: std::sync::OnceLock<BTreeMap<(String, String), ScalarType>> =
        std::sync::OnceLock::new();
    TYPES.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/facts");
        let mut m = BTreeMap::new();
        for f in ["azure-monitor-2024-11.facts", "azure-monitor-current.facts"] {
            for t in facts::parse(&dir.join(f)).tables {
                for (c, ty) in t.columns {
                    m.insert((t.name.clone(), c), ty);
                }
            }
        }
        m
    })
}

fn cat() -> &'static Catalog {
    Catalog::builtin()
}

fn sentinel_dir() -> PathBuf {
    kqlint_testkit::shared_dir().join("schemas-sentinel")
}

/// Case-insensitive key lookup, written independently of the crate's loader.
fn key<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(k))
        .map(|(_, v)| v)
}

/// A table's columns as written: (name, raw type).
type RawColumns = Vec<(String, Option<String>)>;

/// Every table definition of one set, in file order.
fn read_set(sub: &str) -> Vec<(String, RawColumns)> {
    let dir = sentinel_dir().join(sub);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let v: Value = serde_json::from_str(text)
            .or_else(|_| serde_json::from_str(&kql_schema::relax_json(text)))
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let items = match v {
            Value::Array(a) => a,
            other => vec![other],
        };
        for item in items {
            let name = key(&item, "Name")
                .unwrap()
                .as_str()
                .unwrap()
                .trim()
                .to_owned();
            let cols = key(&item, "Properties")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        key(p, "Name").unwrap().as_str().unwrap().trim().to_owned(),
                        key(p, "Type").and_then(Value::as_str).map(str::to_owned),
                    )
                })
                .collect();
            out.push((name, cols));
        }
    }
    out
}

/// Newest-wins definitions over the four sets, oldest first.
fn newest_definitions() -> BTreeMap<String, RawColumns> {
    let mut defs = BTreeMap::new();
    for sub in [
        "2020-12-c92257f/CustomTables",
        "builtin-kustoservices-5.0.1/tables",
        "2022-08-b819f67/CustomTables",
        "2023-11-copy/CustomTables",
    ] {
        for (name, cols) in read_set(sub) {
            defs.insert(name, cols);
        }
    }
    defs
}

#[test]
fn every_sentinel_table_is_present_with_its_newest_definition() {
    let defs = newest_definitions();
    assert!(defs.len() >= 622, "{}", defs.len());
    for (name, cols) in &defs {
        let t = cat()
            .table(name)
            .unwrap_or_else(|| panic!("table {name} is missing"));
        // The schema columns are the file's, in its order (a repeated column
        // keeps its first definition), with normalised types.
        let mut want: Vec<(&str, ScalarType)> = Vec::new();
        for (c, ty) in cols {
            if want.iter().any(|(n, _)| n == c) {
                continue;
            }
            let t = documented_types()
                .get(&(name.clone(), c.clone()))
                .copied()
                .unwrap_or_else(|| ScalarType::normalize(ty.as_deref()).0);
            want.push((c, t));
        }
        let have: Vec<(&str, ScalarType)> = t
            .columns
            .iter()
            .take_while(|c| c.origin == ColumnOrigin::Schema)
            .map(|c| (c.name.as_str(), c.ty))
            .collect();
        assert_eq!(have, want, "{name}");
        assert!(
            t.columns
                .iter()
                .skip(want.len())
                .all(|c| c.origin != ColumnOrigin::Schema),
            "{name}: schema columns come first"
        );
    }
    // Newest wins: the 2020-12 DeviceNetworkEvents (38 columns) is replaced
    // by the built-in 5.0.1 one (35).
    let dne = cat().table("DeviceNetworkEvents").unwrap();
    assert_eq!(
        dne.columns
            .iter()
            .filter(|c| c.origin == ColumnOrigin::Schema)
            .count(),
        35
    );
}

#[test]
fn every_type_spelling_in_the_schema_files_is_normalised() {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for sub in [
        "2020-12-c92257f/CustomTables",
        "builtin-kustoservices-5.0.1/tables",
        "2022-08-b819f67/CustomTables",
        "2023-11-copy/CustomTables",
    ] {
        for (_, cols) in read_set(sub) {
            for (_, ty) in cols {
                *seen
                    .entry(ty.unwrap_or_else(|| "<none>".into()))
                    .or_default() += 1;
            }
        }
    }
    let unknown: Vec<&String> = seen
        .keys()
        .filter(|t| ScalarType::parse_lenient(t).is_none())
        .collect();
    // Only the one column with an empty type name is left to `dynamic`.
    assert_eq!(unknown, [""], "{seen:?}");
    assert!(seen.len() >= 40, "{seen:?}");
}

#[test]
fn device_network_events_as_documented_today() {
    let t = cat().table("DeviceNetworkEvents").unwrap();
    for (name, ty) in [
        ("InitiatingProcessFileSize", ScalarType::Long),
        (
            "InitiatingProcessVersionInfoCompanyName",
            ScalarType::String,
        ),
        (
            "InitiatingProcessVersionInfoProductName",
            ScalarType::String,
        ),
        (
            "InitiatingProcessVersionInfoProductVersion",
            ScalarType::String,
        ),
        (
            "InitiatingProcessVersionInfoInternalFileName",
            ScalarType::String,
        ),
        (
            "InitiatingProcessVersionInfoOriginalFileName",
            ScalarType::String,
        ),
        (
            "InitiatingProcessVersionInfoFileDescription",
            ScalarType::String,
        ),
        ("InitiatingProcessSessionId", ScalarType::Long),
        ("IsInitiatingProcessRemoteSession", ScalarType::Bool),
    ] {
        let c = t.column(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(c.ty, ty, "{name}");
        assert_eq!(c.origin, ColumnOrigin::Documented, "{name}");
    }
    // Sentinel's own columns.
    for name in [
        "TimeGenerated",
        "TenantId",
        "SourceSystem",
        "Type",
        "MachineGroup",
    ] {
        let c = t.column(name).unwrap_or_else(|| panic!("{name}"));
        assert!(!c.hidden, "{name}");
    }
    assert_eq!(t.column("TimeGenerated").unwrap().ty, ScalarType::DateTime);
    // The schema file's type wins over the advanced-hunting page's.
    assert_eq!(
        t.column("AdditionalFields").unwrap().ty,
        ScalarType::Dynamic
    );
    assert_eq!(t.column("RemotePort").unwrap().ty, ScalarType::Int);
    assert_eq!(t.column("ReportId").unwrap().ty, ScalarType::Long);
    // Standard columns; the billing and item ones are hidden.
    assert!(t.column("_ResourceId").is_some());
    assert!(t.column("_ItemId").unwrap().hidden);
    assert!(!t.visible_columns().any(|c| c.name == "_BilledSize"));
    // Descriptions for hover.
    assert!(t.description.as_deref().unwrap().contains("Network"));
    assert!(t.column("RemoteUrl").unwrap().description.is_some());
    assert_eq!(t.connectors, ["MicrosoftThreatProtection"]);
    // Case-sensitive names, with a case-insensitive fallback for did-you-mean.
    assert!(t.column("RemoteIp").is_none());
    assert_eq!(t.column_ignore_case("RemoteIp").unwrap().name, "RemoteIP");
}

#[test]
fn standard_columns_on_every_table() {
    for t in cat().tables() {
        for (name, _, hidden) in kql_schema::STANDARD_COLUMNS {
            let c = t
                .column(name)
                .unwrap_or_else(|| panic!("{}.{name}", t.name));
            if c.origin == ColumnOrigin::Standard {
                assert_eq!(c.hidden, hidden, "{}.{name}", t.name);
            }
        }
    }
}

#[test]
fn other_defender_tables_are_brought_up_to_date() {
    for (table, column) in [
        ("DeviceProcessEvents", "InitiatingProcessSignerType"),
        ("DeviceProcessEvents", "ProcessVersionInfoOriginalFileName"),
        ("DeviceFileEvents", "SensitivityLabel"),
        ("DeviceEvents", "CreatedProcessSessionId"),
        ("DeviceRegistryEvents", "PreviousRegistryValueData"),
        ("DeviceLogonEvents", "IsInitiatingProcessRemoteSession"),
        ("DeviceImageLoadEvents", "InitiatingProcessFileSize"),
        ("DeviceInfo", "ExposureLevel"),
        ("DeviceNetworkInfo", "IPAddresses"),
        ("DeviceFileCertificateInfo", "IsRootSignerMicrosoft"),
        ("EmailEvents", "LatestDeliveryAction"),
        ("EmailAttachmentInfo", "FileType"),
        ("EmailUrlInfo", "UrlLocation"),
        ("EmailPostDeliveryEvents", "ActionTrigger"),
        ("UrlClickEvents", "IsClickedThrough"),
        ("IdentityLogonEvents", "DestinationPort"),
        ("IdentityQueryEvents", "QueryTarget"),
        ("IdentityDirectoryEvents", "TargetAccountUpn"),
        ("AlertInfo", "AttackTechniques"),
        ("AlertEvidence", "CloudResource"),
        ("CloudAppEvents", "UncommonForUser"),
    ] {
        let t = cat().table(table).unwrap_or_else(|| panic!("{table}"));
        assert!(t.column(column).is_some(), "{table}.{column}");
        assert!(t.description.is_some(), "{table}");
    }
    assert_eq!(
        cat()
            .table("DeviceInfo")
            .unwrap()
            .column("LoggedOnUsers")
            .unwrap()
            .ty,
        ScalarType::Dynamic
    );
}

/// Columns real rules use that the 2022–2023 Sentinel schema files lack
/// (KQL102 false alarms), added from Microsoft Learn's Azure Monitor and
/// advanced-hunting table references (`schemas/curated/`), with their
/// documented types.
#[test]
fn log_analytics_tables_as_documented_today() {
    use ScalarType::{Bool, DateTime, Dynamic, Int, Long, String};
    for (table, column, ty) in [
        ("SigninLogs", "HomeTenantId", String),
        ("SigninLogs", "ResourceTenantId", String),
        ("SigninLogs", "UniqueTokenIdentifier", String),
        ("SigninLogs", "AutonomousSystemNumber", String),
        ("SigninLogs", "CrossTenantAccessType", String),
        ("SigninLogs", "AppliedEventListeners", Dynamic),
        ("SigninLogs", "FlaggedForReview", Bool),
        (
            "AADNonInteractiveUserSignInLogs",
            "UniqueTokenIdentifier",
            String,
        ),
        ("AADNonInteractiveUserSignInLogs", "HomeTenantId", String),
        (
            "AADNonInteractiveUserSignInLogs",
            "ResourceTenantId",
            String,
        ),
        (
            "AADNonInteractiveUserSignInLogs",
            "AutonomousSystemNumber",
            String,
        ),
        (
            "AADServicePrincipalSignInLogs",
            "ResourceServicePrincipalId",
            String,
        ),
        ("AADManagedIdentitySignInLogs", "ServicePrincipalId", String),
        (
            "AADManagedIdentitySignInLogs",
            "UniqueTokenIdentifier",
            String,
        ),
        ("AADManagedIdentitySignInLogs", "DurationMs", Long),
        ("StorageBlobLogs", "ObjectKey", String),
        ("StorageBlobLogs", "SasExpiryStatus", String),
        ("AzureActivity", "ResourceProvider", String),
        ("AzureActivity", "OperationName", String),
        ("AzureActivity", "ActivityStatus", String),
        ("AzureActivity", "Category", String),
        ("OfficeActivity", "OperationProperties", Dynamic),
        ("OfficeActivity", "IsManagedDevice", Bool),
        ("SecurityAlert", "Techniques", String),
        ("SecurityIncident", "ClosedTime", DateTime),
        ("SecurityIncident", "Tasks", Dynamic),
        ("IdentityInfo", "IsServiceAccount", Bool),
        ("IdentityInfo", "UserAccountControl", Dynamic),
        ("BehaviorAnalytics", "NativeTableName", String),
        ("AzureDiagnostics", "requestResourceType_s", String),
        ("EmailEvents", "ThreatClassification", String),
        ("EmailEvents", "EmailSize", Int),
        ("EmailEvents", "IsFirstContact", Bool),
        ("EmailUrlInfo", "UrlChainPosition", Int),
        ("EmailPostDeliveryEvents", "SourceLocation", String),
        ("UrlClickEvents", "AppName", String),
    ] {
        let t = cat().table(table).unwrap_or_else(|| panic!("{table}"));
        let c = t
            .column(column)
            .unwrap_or_else(|| panic!("{table}.{column}"));
        assert_eq!(c.ty, ty, "{table}.{column}");
        // Documented, or already in the Sentinel file (ResourceTenantId of
        // AADNonInteractiveUserSignInLogs): never only a standard column.
        assert_ne!(c.origin, ColumnOrigin::Standard, "{table}.{column}");
        assert!(!c.hidden, "{table}.{column}");
    }
    // Columns the Sentinel file has keep their place and origin; where the
    // page types one differently, the page wins (it describes the service).
    let signin = cat().table("SigninLogs").unwrap();
    let id = signin.column("OriginalRequestId").unwrap();
    assert_eq!(
        (id.ty, id.origin),
        (ScalarType::String, ColumnOrigin::Schema)
    );
    // Documented columns come after the file's, before the standard ones.
    let origins: Vec<ColumnOrigin> = signin.columns.iter().map(|c| c.origin).collect();
    let first_doc = origins
        .iter()
        .position(|o| *o == ColumnOrigin::Documented)
        .unwrap();
    assert!(
        origins[..first_doc]
            .iter()
            .all(|o| *o == ColumnOrigin::Schema)
    );
    assert!(
        origins[first_doc..]
            .iter()
            .all(|o| *o != ColumnOrigin::Schema)
    );
    // A table no Sentinel set defines comes from the documentation alone.
    let mi = cat().table("AADManagedIdentitySignInLogs").unwrap();
    assert!(mi.description.is_some());
    assert!(mi.column("TimeGenerated").is_some());
    // Descriptions from sentinel.json are not replaced.
    assert!(
        signin
            .description
            .as_deref()
            .unwrap()
            .contains("Interactive")
    );
}

// ------------------------------------------------------------------ oracle

/// Splits a query at top-level `|`, dropping `//` comments; `None` when it
/// has a top-level `;` (a `let`) or cannot be read.
fn pipeline(query: &str) -> Option<Vec<String>> {
    let mut segs = vec![String::new()];
    let mut depth = 0i32;
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                let q = c;
                // `@'...'` is verbatim: no escapes.
                let verbatim = segs.last().unwrap().ends_with('@');
                segs.last_mut().unwrap().push(c);
                while let Some(d) = chars.next() {
                    segs.last_mut().unwrap().push(d);
                    if d == '\\' && !verbatim {
                        if let Some(e) = chars.next() {
                            segs.last_mut().unwrap().push(e);
                        }
                    } else if d == q {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
                segs.last_mut().unwrap().push('\n');
            }
            '(' | '[' | '{' => {
                depth += 1;
                segs.last_mut().unwrap().push(c);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                segs.last_mut().unwrap().push(c);
            }
            '|' if depth == 0 => segs.push(String::new()),
            ';' if depth == 0 => return None,
            _ => segs.last_mut().unwrap().push(c),
        }
    }
    Some(segs.into_iter().map(|s| s.trim().to_owned()).collect())
}

/// For queries that are a bare table followed only by `where` filters,
/// Kusto.Language's result columns (recorded with the Sentinel schema sets
/// loaded) must be the table's schema columns, in order, with the same types.
#[test]
fn schema_columns_match_the_oracles_result_columns() {
    let corpus = kqlint_testkit::corpus_dir();
    let mut checked = 0;
    let mut tables = std::collections::BTreeSet::new();
    for r in kqlint_testkit::oracle_full() {
        let (true, Some(columns)) = (r.ok, &r.columns) else {
            continue;
        };
        let Some(query) = kqlint_testkit::corpus_query(&corpus.join(&r.file)) else {
            continue;
        };
        let Some(segs) = pipeline(&query) else {
            continue;
        };
        let is_ident = |s: &str| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit())
        };
        if !is_ident(&segs[0])
            || !segs[1..]
                .iter()
                .all(|s| s.starts_with("where ") || s.starts_with("where\n"))
        {
            continue;
        }
        let Some(t) = cat().table(&segs[0]) else {
            continue;
        };
        // Kusto.Language had the schema files; where Microsoft's reference
        // types a column otherwise, kqlint follows the reference.
        let want: Vec<(String, String)> = columns
            .iter()
            .map(|c| {
                let ty = documented_types()
                    .get(&(t.name.to_string(), c.name.clone()))
                    .map_or_else(|| c.ty.clone(), |d| d.as_str().to_owned());
                (c.name.clone(), ty)
            })
            .collect();
        let have: Vec<(String, String)> = t
            .columns
            .iter()
            .filter(|c| c.origin == ColumnOrigin::Schema)
            .map(|c| (c.name.to_string(), c.ty.as_str().to_owned()))
            .collect();
        assert_eq!(have, want, "{} ({})", r.file, t.name);
        checked += 1;
        tables.insert(t.name.to_string());
    }
    eprintln!(
        "checked {checked} queries over {} tables: {tables:?}",
        tables.len()
    );
    assert!(checked >= 80, "only {checked} queries checked");
    assert!(tables.len() >= 10, "{tables:?}");
}

// ------------------------------------------------------------------ ActionTypes

#[test]
fn device_network_events_action_type_catalogue() {
    let at = cat().action_types("DeviceNetworkEvents").unwrap();
    // Seed 002: ten ActionTypes and the pseudo-entry `any`.
    let seed = kqlint_testkit::seed_text(2);
    let mut seed_names: Vec<&str> = seed
        .lines()
        .skip_while(|l| !l.starts_with("| ActionType | Title |"))
        .skip(2)
        .take_while(|l| l.starts_with("| "))
        .map(|l| l.split('|').nth(1).unwrap().trim())
        .collect();
    assert_eq!(seed_names.len(), 11, "{seed_names:?}");
    assert_eq!(seed_names.remove(0), "any");
    assert_eq!(at.any.as_ref().unwrap().title, "Network activity (any)");
    assert!(at.get("any").is_none(), "`any` is not an ActionType value");
    let documented: Vec<&str> = at
        .action_types
        .iter()
        .filter(|a| a.is_documented())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(documented, seed_names);
    // Titles and fields as the seed gives them.
    for name in &seed_names {
        let a = at.get(name).unwrap();
        let header = format!("\n{name}: {}\n", a.title);
        let start = seed.find(&header).unwrap_or_else(|| panic!("{header}"));
        let section = &seed[start + header.len()..];
        let fields: Vec<&str> = section
            .split("Fields #")
            .nth(1)
            .unwrap()
            .lines()
            .skip(3)
            .take_while(|l| {
                !l.starts_with("Detection")
                    && !l.starts_with("Common")
                    && !l.starts_with("References")
            })
            .map(|l| l.split('|').next().unwrap().trim())
            .filter(|s| !s.is_empty())
            .collect();
        let ActionTypeFields::Documented { populated, .. } = &a.fields else {
            panic!("{name}")
        };
        assert_eq!(populated, &fields, "{name}");
        assert!(!a.description.is_empty());
    }
    // The answers the semantic checker relies on.
    assert_eq!(
        at.is_populated("InboundConnectionAccepted", "RemoteUrl"),
        Populated::No
    );
    assert!(
        at.not_populated_reason("InboundConnectionAccepted", "RemoteUrl")
            .unwrap()
            .contains("client")
    );
    assert_eq!(
        at.is_populated("ConnectionSuccess", "RemoteUrl"),
        Populated::Yes
    );
    assert_eq!(
        at.is_populated("ListeningConnectionCreated", "RemoteUrl"),
        Populated::No
    );
    // Not in a field list is not "not populated".
    assert_eq!(
        at.is_populated("ConnectionSuccess", "LocalIP"),
        Populated::Unknown
    );
    // A listening socket has no remote end: none of the remote columns.
    for col in ["RemoteIP", "RemotePort", "RemoteIPType", "RemoteUrl"] {
        assert_eq!(
            at.is_populated("ListeningConnectionCreated", col),
            Populated::No,
            "{col}"
        );
    }
    assert_eq!(
        at.is_populated("ConnectionRequest", "AdditionalFields"),
        Populated::Unknown
    );
    assert_eq!(
        at.is_populated("NetworkSignatureInspected", "AdditionalFields"),
        Populated::Yes
    );
    // Derived columns follow their base.
    assert_eq!(
        at.is_populated("ConnectionSuccess", "RemoteIPType"),
        Populated::Yes
    );
    assert_eq!(
        at.is_populated("InboundConnectionAccepted", "LocalIPType"),
        Populated::Yes
    );
    // Common columns: always yes.
    let table = cat().table("DeviceNetworkEvents").unwrap();
    for a in at.names().chain(["NoSuchActionType"]) {
        for c in &table.columns {
            if !at.is_dependent(&c.name) {
                assert_eq!(
                    at.is_populated(a, &c.name),
                    Populated::Yes,
                    "{a} {}",
                    c.name
                );
            }
        }
        for c in [
            "Timestamp",
            "DeviceId",
            "ActionType",
            "ReportId",
            "InitiatingProcessCommandLine",
            "TimeGenerated",
            "MachineGroup",
        ] {
            assert_eq!(at.is_populated(a, c), Populated::Yes, "{a} {c}");
        }
    }
    // Undocumented and unknown ActionTypes: unknown.
    for a in [
        "HttpConnectionInspected",
        "SshConnectionInspected",
        "IcmpConnectionInspected",
        "NoSuchActionType",
    ] {
        assert_eq!(at.is_populated(a, "RemoteUrl"), Populated::Unknown, "{a}");
    }
    assert!(!at.get("HttpConnectionInspected").unwrap().is_documented());
    // Several ActionTypes: "no" only when none fills the column.
    assert_eq!(
        at.is_populated_for_any(
            ["InboundConnectionAccepted", "ListeningConnectionCreated"],
            "RemoteUrl"
        ),
        Populated::No
    );
    assert_eq!(
        at.is_populated_for_any(
            ["InboundConnectionAccepted", "ConnectionSuccess"],
            "RemoteUrl"
        ),
        Populated::Yes
    );
    assert_eq!(
        at.is_populated_for_any(
            ["InboundConnectionAccepted", "ConnectionRequest"],
            "RemoteUrl"
        ),
        Populated::Unknown
    );
    // Near-misses.
    assert_eq!(at.suggest("ConnecitonFound"), Some("ConnectionFound"));
    assert_eq!(at.suggest("connectionsuccess"), Some("ConnectionSuccess"));
    assert_eq!(
        at.get_ignore_case("connectionsuccess").unwrap().name,
        "ConnectionSuccess"
    );
    assert_eq!(at.suggest("ProcessCreated"), None);
    // Every ActionType literal of the dev corpus is known or a near-miss.
    let literals = std::fs::read_to_string(
        kqlint_testkit::corpus_dir().join("devicenetworkevents/actiontypes-dev.txt"),
    )
    .unwrap();
    for l in literals.lines().filter(|l| !l.starts_with('#')) {
        let Some(v) = l.split('\'').nth(1) else {
            continue;
        };
        assert!(at.suggest(v).is_some(), "{v}");
        if v != "ConnecitonFound" {
            assert!(at.get(v).is_some(), "{v}");
        }
    }
}

// ------------------------------------------------------------------ functions

#[test]
fn function_catalogue_counts() {
    let info = cat().info().unwrap();
    assert!((400..=460).contains(&info.scalar_functions), "{info:?}");
    assert!((55..=70).contains(&info.aggregates), "{info:?}");
    assert!((40..=55).contains(&info.plugins), "{info:?}");
    let n = |k| cat().functions().filter(|f| f.kind == k).count();
    assert_eq!(n(FunctionKind::Scalar), info.scalar_functions);
    assert_eq!(n(FunctionKind::Aggregate), info.aggregates);
    assert_eq!(n(FunctionKind::Plugin), info.plugins);
}

#[test]
fn function_signatures_spot_checks() {
    // strlen: one argument, long.
    let f = cat().function("strlen").unwrap();
    assert_eq!(f.kind, FunctionKind::Scalar);
    assert_eq!(f.signatures.len(), 1);
    let s = &f.signatures[0];
    assert_eq!((s.min_args, s.max_args), (1, 1));
    assert_eq!(s.fixed_result_type(), Some(ScalarType::Long));
    assert_eq!(s.parameters[0].ty, ParamType::StringOrDynamic);
    assert!(f.doc.is_some());

    // iff: three arguments; the result is the common type of `then` and `else`.
    let f = cat().function("iff").unwrap();
    let s = &f.signatures[0];
    assert_eq!((s.min_args, s.max_args), (3, 3));
    assert_eq!(s.returns, ReturnKind::CommonNonDynamic);
    assert_eq!(s.fixed_result_type(), None);
    assert_eq!(
        s.parameters[0].declared,
        [TypeRef::Scalar(ScalarType::Bool)]
    );
    let common: Vec<usize> = s.common_type_parameters().map(|(i, _)| i).collect();
    assert_eq!(common, [1, 2]);

    // make_set: aggregate, 1-2 arguments, dynamic.
    let f = cat().aggregate("make_set").unwrap();
    assert_eq!(f.kind, FunctionKind::Aggregate);
    let s = &f.signatures[0];
    assert_eq!((s.min_args, s.max_args), (1, 2));
    assert_eq!(s.returns, ReturnKind::Parameter0Array);
    assert_eq!(s.fixed_result_type(), Some(ScalarType::Dynamic));
    assert!(s.parameters[1].is_optional());
    assert_eq!(f.result_name_prefix.as_deref(), Some("set"));
    assert!(cat().scalar_function("make_set").is_none());

    // bag_unpack: plug-in with an open output that keeps the input columns.
    let f = cat().plugin("bag_unpack").unwrap();
    assert_eq!(f.kind, FunctionKind::Plugin);
    let out = f.output.as_ref().unwrap();
    assert_eq!(out.kind, PluginOutputKind::InputPlusOpen);
    assert!(out.is_open());
    assert_eq!(f.signatures[0].parameters[0].argument, ArgumentKind::Column);

    // narrow: declared output columns.
    let f = cat().plugin("narrow").unwrap();
    assert_eq!(f.output.as_ref().unwrap().kind, PluginOutputKind::Declared);
    let Some(TypeRef::Table { columns, open }) = &f.signatures[0].declared else {
        panic!("narrow declares its table")
    };
    assert!(!open);
    assert_eq!(columns[0].0, "Row");

    // parsejson: obsolete, replaced by parse_json.
    let f = cat().function("parsejson").unwrap();
    assert!(f.obsolete && f.hidden);
    assert_eq!(f.alternative.as_deref(), Some("parse_json"));
    assert!(cat().function("parse_json").is_some());

    // Window functions need serialized input.
    for name in [
        "row_number",
        "prev",
        "next",
        "row_cumsum",
        "row_window_session",
    ] {
        assert!(cat().function(name).unwrap().needs_serialized, "{name}");
    }
    assert!(!cat().function("strlen").unwrap().needs_serialized);

    // Repeating layouts, tuples, typed custom results.
    assert_eq!(
        cat().function("case").unwrap().signatures[0].layout,
        Layout::BlockRepeating
    );
    let f = cat().function("series_stats").unwrap();
    assert_eq!(f.signatures[0].tuple.len(), 7);
    assert_eq!(
        cat().function("bag_pack").unwrap().signatures[0].fixed_result_type(),
        Some(ScalarType::Dynamic)
    );
    // bin: several signatures; datetime + timespan → datetime.
    let f = cat().function("bin").unwrap();
    assert!(f.signatures.len() >= 3);
    assert!(
        f.signatures
            .iter()
            .any(|s| s.fixed_result_type() == Some(ScalarType::DateTime))
    );

    // Names in more than one kind.
    let any = cat().functions_named("hll_merge");
    assert_eq!(any.len(), 2);
    assert_eq!(
        cat().function("hll_merge").unwrap().kind,
        FunctionKind::Scalar
    );
    assert!(cat().aggregate("any").unwrap().obsolete);

    // Did-you-mean, hidden functions excluded.
    assert_eq!(cat().suggest_function("strlenn", None), Some("strlen"));
    assert_eq!(
        cat().suggest_function("make_sett", Some(FunctionKind::Aggregate)),
        Some("make_set")
    );
}

// ------------------------------------------------------------------ stored functions

#[test]
fn sentinel_and_asim_functions() {
    let w = cat().stored_function("_GetWatchlist").unwrap();
    assert!(w.open_result);
    assert_eq!(w.parameters.len(), 1);
    assert!(w.result_column("SearchKey").is_some());
    assert!(w.description.is_some());

    let d = cat().stored_function("_Im_Dns").unwrap();
    let ty = |name: &str| d.parameter(name).unwrap().ty.to_string();
    assert_eq!(ty("starttime"), "datetime");
    assert_eq!(ty("domain_has_any"), "dynamic");
    assert_eq!(ty("srcipaddr"), "string");
    assert!(d.result_column("DnsQuery").is_some());
    assert_eq!(d.min_args(), 0);

    // The ASIM names used in the corpus all resolve (as a function or, as
    // Azure-Sentinel defines some of them, a table).
    for name in [
        "imProcessCreate",
        "imFileEvent",
        "imProcess",
        "imRegistry",
        "imAuthentication",
        "imNetworkSession",
        "imDns",
        "imWebSession",
        "_Im_Dns",
        "_Im_WebSession",
        "_Im_NetworkSession",
        "ASimDns",
        "ASimWebSession",
        "ASimAuthentication",
        "ASimProcessEvent",
        "ASimFileEvent",
        "ASimNetworkSession",
    ] {
        assert!(
            cat().stored_function(name).is_some() || cat().table(name).is_some(),
            "{name}"
        );
    }
    assert!(cat().stored_function("imProcessCreate").is_some());
    let c = cat().stored_function("Corelight").unwrap();
    assert!(c.result_columns.len() > 700);
    assert!(cat().stored_function_names().len() > 120);
    assert_eq!(
        cat().suggest_stored_function("_GetWatchList"),
        Some("_GetWatchlist")
    );
}

// ------------------------------------------------------------------ connectors

#[test]
fn connectors() {
    assert!(cat().is_valid_connector_id("MicrosoftThreatProtection"));
    assert!(!cat().is_valid_connector_id("microsoftthreatprotection"));
    assert!(cat().connector_ids().len() >= 200);
    assert_eq!(
        cat().suggest_connector_id("MicrosoftThreatProtecton"),
        Some("MicrosoftThreatProtection")
    );
    let c = cat().connectors_for_table("DeviceNetworkEvents");
    assert!(c.iter().any(|c| c == "MicrosoftThreatProtection"), "{c:?}");
    let s = cat().connectors_for_table("SecurityEvent");
    assert!(s.iter().any(|c| c == "SecurityEvents"), "{s:?}");
    assert!(s.iter().any(|c| c == "WindowsSecurityEvents"), "{s:?}");
    let t = cat().tables_for_connector("AzureActiveDirectory");
    assert!(t.iter().any(|t| t == "SigninLogs"), "{t:?}");
    // `SecurityAlert (ASC)` feeds SecurityAlert; the raw string is kept.
    assert!(
        cat()
            .tables_for_connector("AzureSecurityCenter")
            .iter()
            .any(|t| t == "SecurityAlert")
    );
    let raw = &cat().connector_data().unwrap().data_types["AzureSecurityCenter"];
    assert!(raw.iter().any(|d| d == "SecurityAlert (ASC)"));
    assert!(cat().connectors_for_table("NoSuchTable").is_empty());
}

// ------------------------------------------------------------------ whole catalogue

#[test]
fn every_record_parses_and_names_resolve() {
    let c = cat();
    let names = c.table_names();
    assert_eq!(names.len(), c.info().unwrap().tables);
    for n in &names {
        assert_eq!(c.table(n).unwrap().name, *n);
    }
    assert!(c.functions().count() > 500);
    for n in c.stored_function_names() {
        assert_eq!(c.stored_function(n).unwrap().name, n);
    }
    assert_eq!(c.action_type_tables(), ["DeviceNetworkEvents"]);
    assert_eq!(c.suggest_table("SecurityEvents"), Some("SecurityEvent"));
    assert_eq!(
        c.suggest_table("devicenetworkevents"),
        Some("DeviceNetworkEvents")
    );
    assert_eq!(
        c.table_ignore_case("securityevent").unwrap().name,
        "SecurityEvent"
    );
    assert!(c.table("securityevent").is_none());
}

// ------------------------------------------------------------------ platforms and provenance

/// Every Defender XDR advanced hunting table and function of the facts (the
/// reference's schema overview, one page each) is in the catalogue for
/// Defender XDR, with the page's columns and types.
#[test]
fn defender_xdr_tables_and_functions_as_documented() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/facts");
    let f = facts::parse(&dir.join("defender-xdr.facts"));
    assert!(f.tables.len() >= 60, "{}", f.tables.len());
    // Tables an earlier page version marked a preview.
    let formerly: Vec<String> = facts::parse(&dir.join("defender-xdr-earlier.facts"))
        .tables
        .iter()
        .filter(|t| t.preview)
        .map(|t| t.name.to_string())
        .collect();
    assert!(
        formerly.iter().any(|t| t == "MessageEvents"),
        "{formerly:?}"
    );
    let d = Catalog::builtin_for(Platform::Defender);
    for ft in &f.tables {
        let t = d
            .bundled_table_on(Platform::Defender, &ft.name)
            .unwrap_or_else(|| panic!("{} missing for Defender XDR", ft.name));
        for (c, ty) in &ft.columns {
            let col = t
                .column(c)
                .unwrap_or_else(|| panic!("{}.{c} missing", ft.name));
            assert_eq!(col.ty, *ty, "{}.{c}", ft.name);
        }
        let expected = if ft.preview {
            kql_schema::Completeness::Partial(kql_schema::PartialReason::Preview)
        } else if formerly.iter().any(|t| *t == ft.name.as_str()) {
            kql_schema::Completeness::Partial(kql_schema::PartialReason::FormerlyPreview)
        } else {
            kql_schema::Completeness::Complete
        };
        assert_eq!(t.completeness(), expected, "{}", ft.name);
    }
    for ff in &f.functions {
        assert!(
            d.stored_function(&ff.name).is_some(),
            "{} missing for Defender XDR",
            ff.name
        );
        assert!(
            Catalog::builtin().stored_function(&ff.name).is_none(),
            "{}",
            ff.name
        );
    }
    // The names the issue lists, on the platform that has them.
    // The names the issue lists: Defender XDR's, and Sentinel's only where the
    // Azure Monitor reference has the table too.
    let sentinel = Catalog::builtin();
    for t in [
        "ExposureGraphNodes",
        "ExposureGraphEdges",
        "OAuthAppInfo",
        "EntraIdSignInEvents",
        "DeviceTvmBrowserExtensions",
        "MessageEvents",
        "AADSignInEventsBeta",
    ] {
        assert!(d.table(t).is_some(), "{t}");
        // Sentinel has it documented only where Azure Monitor documents it;
        // otherwise not at all, or as a CI stub (Azure-Sentinel's CI knew
        // some advanced hunting tables).
        let documented_for_sentinel = documented_types().keys().any(|(tt, _)| tt == t);
        let kind = sentinel.table(t).and_then(|x| x.provenance.kind());
        if documented_for_sentinel {
            assert_eq!(kind, Some(kql_schema::SourceKind::Documented), "{t}");
        } else {
            assert!(
                kind.is_none() || kind == Some(kql_schema::SourceKind::CiStub),
                "{t}"
            );
        }
    }
    let fp = d.stored_function("FileProfile").unwrap();
    assert_eq!(fp.form, kql_schema::FunctionForm::Invoke);
    assert!(fp.result_column("GlobalPrevalence").is_some());
    assert_eq!((fp.min_args(), fp.max_args()), (0, 2));
}

/// One table name, two tables: IdentityInfo, and the types Defender XDR
/// gives differently (AdditionalFields is a string there).
#[test]
fn the_two_platforms_differ_where_microsoft_documents_it() {
    let s = Catalog::builtin_for(Platform::Sentinel);
    let d = Catalog::builtin_for(Platform::Defender);
    let si = s.table("IdentityInfo").unwrap();
    let di = d.table("IdentityInfo").unwrap();
    for c in ["Timestamp", "AccountUpn", "CloudSid", "OnPremSid"] {
        assert!(di.column(c).is_some(), "Defender IdentityInfo.{c}");
        assert!(si.column(c).is_none(), "Sentinel IdentityInfo.{c}");
    }
    for c in ["TimeGenerated", "AccountUPN", "AccountCloudSID"] {
        assert!(si.column(c).is_some(), "Sentinel IdentityInfo.{c}");
        assert!(di.column(c).is_none(), "Defender IdentityInfo.{c}");
    }
    let ty = |c: &Catalog, t: &str, col: &str| c.table(t).unwrap().column(col).unwrap().ty;
    assert_eq!(
        ty(s, "DeviceNetworkEvents", "AdditionalFields"),
        ScalarType::Dynamic
    );
    assert_eq!(
        ty(d, "DeviceNetworkEvents", "AdditionalFields"),
        ScalarType::String
    );
    assert_eq!(
        ty(d, "DeviceNetworkInfo", "IPAddresses"),
        ScalarType::String
    );
    assert_eq!(
        ty(d, "DeviceNetworkInfo", "ConnectedNetworks"),
        ScalarType::String
    );
    // Columns the advanced hunting page lags behind on come from the same
    // table as Sentinel receives it.
    assert!(
        d.table("DeviceProcessEvents")
            .unwrap()
            .column("InitiatingProcessUniqueId")
            .is_some()
    );
    // Sentinel's tables are queryable in advanced hunting (unified portal).
    assert!(d.table("SigninLogs").is_some());
    // Azure Data Explorer has no bundled tables or workspace functions.
    let a = Catalog::builtin_for(Platform::Adx);
    assert!(a.table("SigninLogs").is_none() && a.stored_function("_GetWatchlist").is_none());
    assert!(a.function("strlen").is_some());
}

/// Provenance and completeness: documented tables are complete, CI stubs
/// and parsers partial, AzureDiagnostics extensible; newer documented
/// tables and columns are in; the types Microsoft documents win.
#[test]
fn provenance_and_completeness() {
    use kql_schema::{Completeness, PartialReason, SourceKind};
    let s = Catalog::builtin();
    let kind = |t: &str| s.table(t).unwrap().provenance.kind();
    assert_eq!(kind("SigninLogs"), Some(SourceKind::Documented));
    assert_eq!(
        s.table("SigninLogs").unwrap().completeness(),
        Completeness::Complete
    );
    assert_eq!(
        s.table("MimecastSIEM_CL").unwrap().completeness(),
        Completeness::Partial(PartialReason::CiStub)
    );
    assert_eq!(
        s.table("AzureDiagnostics").unwrap().completeness(),
        Completeness::Partial(PartialReason::Extensible)
    );
    // Preview tables on Microsoft's Defender XDR pages: columns still change.
    let d = Catalog::builtin_for(kql_schema::Platform::Defender);
    assert_eq!(
        d.table("AgentsInfo").unwrap().completeness(),
        Completeness::Partial(PartialReason::Preview)
    );
    assert_eq!(
        d.table("DeviceInfo").unwrap().completeness(),
        Completeness::Complete
    );
    for t in [
        "IntuneDevices",
        "IntuneAuditLogs",
        "MicrosoftGraphActivityLogs",
        "SentinelHealth",
        "ThreatIntelIndicators",
        "AKSAuditAdmin",
    ] {
        assert_eq!(kind(t), Some(SourceKind::Documented), "{t}");
    }
    let signin = s.table("SigninLogs").unwrap();
    for c in [
        "SessionId",
        "IncomingTokenType",
        "TokenProtectionStatusDetails",
    ] {
        assert!(signin.column(c).is_some(), "SigninLogs.{c}");
    }
    let aws = s.table("AWSCloudTrail").unwrap();
    assert_eq!(aws.column("ErrorCode").unwrap().ty, ScalarType::String);
    assert_eq!(
        aws.column("RecipientAccountId").unwrap().ty,
        ScalarType::String
    );
    // Every table says where its columns come from.
    let p = signin.provenance.describe();
    assert!(p.starts_with("documented: azure-monitor-docs"), "{p}");
    assert!(
        p.contains("learn.microsoft.com/azure/azure-monitor/reference/tables/signinlogs"),
        "{p}"
    );
    // Sentinel functions: ASIM helpers and solution parsers.
    let w = s.stored_function("_ASIM_GetWatchlistRaw").unwrap();
    assert_eq!(w.provenance.kind(), Some(SourceKind::Parser));
    assert!(w.result_column("WatchlistItem").is_some());
    assert!(s.stored_function("ZNAccessOrchestratorAudit").is_some());
    let asim = s
        .stored_function_names()
        .into_iter()
        .filter(|n| n.starts_with("_ASIM_"))
        .count();
    assert!(asim >= 20, "{asim} _ASIM_ helpers");
}
