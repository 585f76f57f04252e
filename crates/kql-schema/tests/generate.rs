//! The generator of the bundled catalogue, `schemas/catalog.kqs`, and of the
//! provenance list in `schemas/README.md`.
//!
//! It runs as a test so that a stale catalogue fails CI:
//!
//! ```text
//! cargo test -p kql-schema --test generate                       # check
//! KQLINT_REGENERATE=1 cargo test -p kql-schema --test generate   # rewrite
//! ```
//!
//! Inputs: the Sentinel schema sets in `../shared/schemas-sentinel` (read
//! with the crate's own lenient loader, exactly as user schema files are),
//! the dev corpus's `requiredDataConnectors` (YAML), seed 004, and our own
//! files in `schemas/`: `functions.json` (from `tools/gen-functions`) and
//! `curated/`. The build never runs this.

#[path = "common/facts.rs"]
mod facts;

use facts::{FactFile, FactFunction, FactTable, Page};
use kql_schema::codec::CatalogWriter;
use kql_schema::{
    ActionTypeCatalog, ActionTypeFields, CatalogInfo, Column, ColumnOrigin, ConnectorData,
    Function, FunctionForm, FunctionKind, Platform, Provenance, ScalarType, SourceKind,
    StoredFunction, StoredParamType, StoredParameter, Table, add_standard_columns,
};
use serde_json::Value;
use smol_str::SmolStr;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const REGENERATE_ENV: &str = "KQLINT_REGENERATE";

/// The Sentinel table sets, oldest first: a later set's definition of a
/// table replaces an earlier one ("the newest wins").
const TABLE_SETS: &[(&str, &str, &str)] = &[
    (
        "sentinel/2020-12",
        "2020-12-c92257f/CustomTables",
        "Azure-Sentinel CustomTables at c92257f (2020-12-07)",
    ),
    (
        "sentinel/builtin-kustoservices-5.0.1",
        "builtin-kustoservices-5.0.1/tables",
        "built-in tables of Microsoft.Azure.Sentinel.KustoServices 5.0.1 (checked in at b819f67, 2022-08)",
    ),
    (
        "sentinel/2022-08",
        "2022-08-b819f67/CustomTables",
        "Azure-Sentinel CustomTables at b819f67 (2022-08-10)",
    ),
    (
        "sentinel/2023-11",
        "2023-11-copy/CustomTables",
        "Azure-Sentinel CustomTables, copy of master of about 2023-11-20",
    ),
];

/// The fact files of Log Analytics tables (`schemas/facts/`, extracted from
/// Microsoft's Azure Monitor table reference), oldest first: (set name, file).
/// A column either lists is documented (a page lists it today or did);
/// where both type it, the newer wins.
const AZURE_MONITOR_FACTS: &[(&str, &str)] = &[
    ("azure-monitor-docs/2024-11", "azure-monitor-2024-11.facts"),
    ("azure-monitor-docs/2026-08", "azure-monitor-current.facts"),
];

/// The fact file of Defender XDR advanced hunting tables and functions.
const DEFENDER_FACTS: &str = "defender-xdr.facts";
/// The same pages as read earlier (their retired columns).
const DEFENDER_EARLIER_FACTS: &str = "defender-xdr-earlier.facts";
/// Sentinel's functions: ASIM parsers and helpers, solution parsers.
const FUNCTION_FACTS: &str = "sentinel-functions.facts";
/// Data connectors and the tables they feed.
const CONNECTOR_FACTS: &str = "sentinel-connectors.facts";
/// Log Analytics' documented built-in workspace functions (`_LogOperation`, ...).
const LA_FUNCTION_FACTS: &str = "log-analytics-functions.facts";

/// Our files of documented tables (`schemas/curated/`), applied in this
/// order after the Sentinel sets: (set name for tables they create, file,
/// whether every table needs a `desc`). No table may be in two of them.
const CURATED_TABLE_FILES: &[(&str, &str, bool)] = &[
    ("defender-xdr-docs", "curated/defender-xdr-tables.txt", true),
    (
        "azure-monitor-docs",
        "curated/azure-monitor-tables.txt",
        false,
    ),
];

const FUNCTION_SETS: &[(&str, &str, &str)] = &[
    (
        "sentinel/builtin-kustoservices-5.0.1",
        "builtin-kustoservices-5.0.1/functions",
        "built-in functions of KustoServices 5.0.1",
    ),
    (
        "sentinel/2022-08",
        "2022-08-b819f67/CustomFunctions",
        "Azure-Sentinel CustomFunctions at b819f67",
    ),
    (
        "sentinel/2023-11",
        "2023-11-copy/CustomFunctions",
        "Azure-Sentinel CustomFunctions, 2023-11 copy",
    ),
];

fn repo_root() -> PathBuf {
    kqlint_testkit::repo_root()
}

fn schemas_dir() -> PathBuf {
    repo_root().join("schemas")
}

fn sentinel_dir() -> PathBuf {
    kqlint_testkit::shared_dir().join("schemas-sentinel")
}

fn facts_dir() -> PathBuf {
    schemas_dir().join("facts")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Where a table definition came from, for the provenance list.
#[derive(Clone, Debug)]
struct Origin {
    set: &'static str,
    file: String,
    /// Earlier sets that also defined the table (replaced).
    replaced: Vec<&'static str>,
    /// Columns added from documentation / standard columns.
    documented: usize,
    standard: usize,
}

struct Generated {
    catalog: String,
    /// The README's generated section: counts and sources.
    summary: String,
    /// `schemas/provenance.md`: where every table and function comes from.
    provenance: String,
    notes: Vec<String>,
}

fn generate() -> Generated {
    let shared = sentinel_dir();
    let mut notes: Vec<String> = Vec::new();

    // ------------------------------------------------------------ tables
    let mut tables: BTreeMap<SmolStr, Table> = BTreeMap::new();
    let mut origins: BTreeMap<SmolStr, Origin> = BTreeMap::new();
    for (set, sub, _) in TABLE_SETS {
        for file in json_files(&shared.join(sub)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut warnings = Vec::new();
            let (ts, fs) = kql_schema::load_schema_text(&file, &text, &mut warnings);
            assert!(
                fs.is_empty(),
                "{}: functions in a table set",
                file.display()
            );
            let fname = file.file_name().unwrap().to_string_lossy().into_owned();
            for w in warnings {
                notes.push(format!("{set}/{fname}: {}", w.message));
            }
            for mut t in ts {
                for c in &mut t.columns {
                    c.origin = ColumnOrigin::Schema;
                }
                // CustomTables are test stubs of Azure-Sentinel's CI; the
                // built-in set is the product's own schema of the table.
                t.provenance = Provenance::Bundled {
                    source: (*set).to_owned(),
                    kind: if set.starts_with("sentinel/builtin") {
                        SourceKind::Documented
                    } else {
                        SourceKind::CiStub
                    },
                    page: None,
                    date: None,
                };
                let mut replaced = Vec::new();
                if let Some(old) = origins.get(&t.name) {
                    replaced = old.replaced.clone();
                    if old.set != *set {
                        replaced.push(old.set);
                    } else {
                        notes.push(format!(
                            "{set}: table `{}` is defined in both {} and {fname}; {fname} wins",
                            t.name, old.file
                        ));
                    }
                }
                origins.insert(
                    t.name.clone(),
                    Origin {
                        set,
                        file: fname.clone(),
                        replaced,
                        documented: 0,
                        standard: 0,
                    },
                );
                tables.insert(t.name.clone(), t);
            }
        }
    }

    // Tables as Microsoft documents them today: Defender XDR (advanced
    // hunting and Azure Monitor references), then Log Analytics tables
    // (Azure Monitor reference).
    let mut curated_seen: BTreeMap<SmolStr, &str> = BTreeMap::new();
    for (set, file, desc_required) in CURATED_TABLE_FILES {
        let curated = parse_curated_tables(&schemas_dir().join(file), *desc_required);
        for ct in &curated {
            if let Some(other) = curated_seen.insert(ct.name.clone(), file) {
                panic!("{}: in both {other} and {file}", ct.name);
            }
            apply_curated_table(&mut tables, &mut origins, set, file, ct);
        }
    }

    // Microsoft's Azure Monitor table reference, as extracted to facts.
    let mut documented_sentinel: BTreeMap<String, Vec<(String, ScalarType)>> = BTreeMap::new();
    for (set, file) in AZURE_MONITOR_FACTS {
        let f = facts::parse(&facts_dir().join(file));
        assert_eq!(f.header.platform, Platform::Sentinel, "{file}");
        for ft in &f.tables {
            apply_documented_table(&mut tables, &mut origins, set, ft, &mut notes);
            let cols = documented_sentinel.entry(ft.name.clone()).or_default();
            for c in &ft.columns {
                if !cols.iter().any(|(n, _)| *n == c.0) {
                    cols.push(c.clone());
                }
            }
        }
    }

    // Curated descriptions of Sentinel tables.
    let sentinel: Value = serde_json::from_str(
        &std::fs::read_to_string(schemas_dir().join("curated/sentinel.json")).unwrap(),
    )
    .unwrap();
    for (name, desc) in sentinel["table_descriptions"].as_object().unwrap() {
        let t = tables
            .get_mut(name.as_str())
            .unwrap_or_else(|| panic!("curated description for unknown table {name}"));
        if t.description.is_none() {
            t.description = Some(desc.as_str().unwrap().to_owned());
        }
    }

    // Standard Log Analytics columns, last; those a page lists are hidden
    // as Log Analytics hides them (`_BilledSize`, ...).
    for t in tables.values_mut() {
        for c in &mut t.columns {
            c.hidden |= kql_schema::STANDARD_COLUMNS
                .iter()
                .any(|(n, _, hidden)| *hidden && c.name == *n);
        }
        let before = t.columns.len();
        add_standard_columns(t);
        origins.get_mut(&t.name).unwrap().standard = t.columns.len() - before;
    }

    // --------------------------------------------------- Defender XDR
    let defender = facts::parse(&facts_dir().join(DEFENDER_FACTS));
    assert_eq!(defender.header.platform, Platform::Defender);
    let mut defender_tables = build_defender_tables(&defender, &tables, &documented_sentinel);
    // Columns earlier versions of the pages listed and the current ones do
    // not: retired (renamed or removed), a warning rather than an error.
    let earlier = facts::parse(&facts_dir().join(DEFENDER_EARLIER_FACTS));
    for ft in &earlier.tables {
        let Some(t) = defender_tables.get_mut(ft.name.as_str()) else {
            continue;
        };
        t.formerly_preview |= ft.preview && !t.preview;
        for (cname, ty) in &ft.columns {
            if t.column(cname).is_none() && t.retired_column(cname).is_none() {
                t.retired
                    .push(Column::new(cname.as_str(), *ty).with_origin(ColumnOrigin::Documented));
            }
        }
    }
    // The same table streamed to Sentinel carries the same columns: one
    // whose Defender XDR page only recently left preview is as unsettled
    // there.
    for t in defender_tables.values().filter(|t| t.formerly_preview) {
        if let Some(s) = tables.get_mut(t.name.as_str()) {
            s.formerly_preview = !s.preview;
        }
    }
    let defender_functions: BTreeMap<SmolStr, StoredFunction> = defender
        .functions
        .iter()
        .map(|f| {
            let sf = stored_from_fact(f, "defender-xdr-docs", SourceKind::Documented, &mut notes);
            (sf.name.clone(), sf)
        })
        .collect();

    // -------------------------------------------------------- connectors
    let connectors = build_connectors(&tables, &mut notes);
    for (id, feeds) in &connectors.feeds {
        for t in feeds {
            if let Some(table) = tables.get_mut(t) {
                table.connectors.push(id.clone());
            }
        }
    }
    for t in tables.values_mut() {
        t.connectors.sort();
        t.connectors.dedup();
    }

    // -------------------------------------------------- stored functions
    let mut stored = build_stored_functions(&shared, &sentinel, &mut notes);
    let la = facts::parse(&facts_dir().join(LA_FUNCTION_FACTS));
    assert_eq!(la.header.provenance, SourceKind::Documented);
    for f in &la.functions {
        let sf = stored_from_fact(f, "log-analytics-docs", SourceKind::Documented, &mut notes);
        stored.insert(sf.name.clone(), sf);
    }
    let parsers = facts::parse(&facts_dir().join(FUNCTION_FACTS));
    for f in &parsers.functions {
        // A definition with result columns (a CI stub of the parser's
        // output) is kept; the parser's source adds the names it lacks.
        if stored.contains_key(f.name.as_str()) {
            continue;
        }
        let sf = stored_from_fact(f, "azure-sentinel-parsers", SourceKind::Parser, &mut notes);
        stored.insert(sf.name.clone(), sf);
    }

    // ----------------------------------------------- built-in functions
    let fjson: Value = serde_json::from_str(
        &std::fs::read_to_string(schemas_dir().join("functions.json")).unwrap(),
    )
    .unwrap();
    let functions: Vec<Function> = serde_json::from_value(fjson["functions"].clone()).unwrap();

    // ----------------------------------------------------- ActionTypes
    let mut catalogs = Vec::new();
    for file in json_files(&schemas_dir().join("curated/action-types")) {
        let c: ActionTypeCatalog =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let t = tables
            .get(&c.table)
            .unwrap_or_else(|| panic!("{}: unknown table", file.display()));
        let check = |col: &str, what: &str| {
            assert!(
                t.column(col).is_some(),
                "{}: {what} `{col}` is not a column of {}",
                file.display(),
                c.table
            );
        };
        for col in &c.dependent_columns {
            check(col, "dependent column");
        }
        for (d, b) in &c.derived {
            check(d, "derived column");
            check(b, "base column");
        }
        for a in c.action_types.iter().chain(c.any.iter()) {
            if let ActionTypeFields::Documented {
                populated,
                not_populated,
            } = &a.fields
            {
                for col in populated {
                    check(col, "populated column");
                }
                for n in not_populated {
                    check(&n.column, "not-populated column");
                    assert!(
                        c.dependent_columns.contains(&n.column),
                        "{}: `{}` is not dependent",
                        file.display(),
                        n.column
                    );
                }
            }
        }
        catalogs.push(c);
    }

    // ------------------------------------------------------------ write
    let count = |k: FunctionKind| functions.iter().filter(|f| f.kind == k).count();
    let info = CatalogInfo {
        tables: tables.len(),
        columns: tables.values().map(|t| t.columns.len()).sum(),
        defender_tables: defender_tables.len(),
        defender_columns: defender_tables.values().map(|t| t.columns.len()).sum(),
        defender_functions: defender_functions.len(),
        scalar_functions: count(FunctionKind::Scalar),
        aggregates: count(FunctionKind::Aggregate),
        plugins: count(FunctionKind::Plugin),
        stored_functions: stored.len(),
        action_types: catalogs.iter().map(|c| c.action_types.len()).sum(),
        connector_ids: connectors.valid_ids.len(),
        sources: TABLE_SETS
            .iter()
            .chain(FUNCTION_SETS)
            .map(|(set, _, what)| format!("{set}: {what}"))
            .chain([
                "defender-xdr-docs: schemas/curated/defender-xdr-tables.txt (Microsoft Learn table references)".to_owned(),
                "azure-monitor-docs: schemas/curated/azure-monitor-tables.txt (Microsoft Learn Azure Monitor table reference)".to_owned(),
                format!("functions: {}", fjson["source"].as_str().unwrap()),
                "action types: schemas/curated/action-types/ (seed 002 and Microsoft documentation)".to_owned(),
                "connectors: ValidConnectorIds.json (2023-11 copy), dev-corpus requiredDataConnectors, seed 004".to_owned(),
            ])
            .collect(),
    };
    let mut w = CatalogWriter::new();
    for t in tables.values() {
        w.table(t);
    }
    for t in defender_tables.values() {
        w.defender_table(t);
    }
    for f in defender_functions.values() {
        w.defender_function(f);
    }
    for f in &functions {
        w.function(f);
    }
    for f in stored.values() {
        w.stored_function(f);
    }
    for c in &catalogs {
        w.action_types(c);
    }
    w.connectors(&connectors);
    w.info(&info);

    let fact_files: Vec<FactFile> = std::fs::read_dir(facts_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "facts"))
        .map(|p| facts::parse(&p))
        .collect();
    Generated {
        catalog: w.finish(),
        summary: summary_markdown(&info, &tables, &defender_tables, &stored, fact_files),
        provenance: provenance_markdown(
            &tables,
            &origins,
            &defender_tables,
            &stored,
            &defender_functions,
        ),
        notes,
    }
}

// ------------------------------------------------------------------ curated tables

/// Adds a documented table's columns that the table lacks (origin
/// `Documented`, after the schema file's columns); a column the table has
/// keeps its type. A table no Sentinel set defines is created.
fn apply_curated_table(
    tables: &mut BTreeMap<SmolStr, Table>,
    origins: &mut BTreeMap<SmolStr, Origin>,
    set: &'static str,
    file: &str,
    ct: &CuratedTable,
) {
    let t = tables.entry(ct.name.clone()).or_insert_with(|| {
        origins.insert(
            ct.name.clone(),
            Origin {
                set,
                file: file.to_owned(),
                replaced: Vec::new(),
                documented: 0,
                standard: 0,
            },
        );
        Table {
            name: ct.name.clone(),
            description: None,
            columns: Vec::new(),
            connectors: Vec::new(),
            provenance: documented(set, None),
            extensible: false,
            retired: Vec::new(),
            preview: false,
            formerly_preview: false,
        }
    });
    if let Provenance::Bundled { kind, .. } = &mut t.provenance {
        *kind = SourceKind::Documented;
    }
    if !ct.description.is_empty() {
        t.description = Some(ct.description.clone());
    }
    let mut added = 0;
    for (name, ty, desc) in &ct.columns {
        match t.columns.iter_mut().find(|c| c.name == name.as_str()) {
            Some(existing) => {
                // Keep the schema file's type; take our description.
                if existing.description.is_none() {
                    existing.description = desc.clone().map(String::into_boxed_str);
                }
            }
            None => {
                let mut c = Column::new(name.as_str(), *ty).with_origin(ColumnOrigin::Documented);
                c.description = desc.clone().map(String::into_boxed_str);
                t.columns.push(c);
                added += 1;
            }
        }
    }
    origins.get_mut(&ct.name).unwrap().documented = added;
}

/// The Microsoft Learn address of a reference page, from the path of its
/// source in Microsoft's documentation repositories (users know the page,
/// not the repository).
fn learn_url(page: &Page) -> String {
    let p = page.path.as_str();
    if p.starts_with("http") {
        return p.replace("/en-us/", "/");
    }
    if let Some(rest) = p.strip_prefix("azure-monitor-ref/tables/includes/") {
        let t = rest.trim_end_matches(".md").trim_end_matches("-include");
        return format!("https://learn.microsoft.com/azure/azure-monitor/reference/tables/{t}");
    }
    if let Some(rest) = p.strip_prefix("azure-monitor-ref/tables/") {
        let t = rest.trim_end_matches(".md");
        return format!("https://learn.microsoft.com/azure/azure-monitor/reference/tables/{t}");
    }
    if let Some(rest) = p.strip_prefix("defender-xdr/") {
        let t = rest.trim_end_matches(".md");
        return format!("https://learn.microsoft.com/defender-xdr/{t}");
    }
    p.to_owned()
}

fn documented(set: &str, page: Option<&Page>) -> Provenance {
    Provenance::Bundled {
        source: set.to_owned(),
        kind: SourceKind::Documented,
        page: page.map(learn_url),
        date: page.and_then(|p| p.date.clone()),
    }
}

/// A table of Microsoft's reference: creates it, or completes the table a
/// Sentinel set defines. The set's columns keep their order (it is what
/// Kusto.Language, and so the conformance tests, expect); the documented
/// columns it lacks follow. Where the page types a column differently from
/// a CI stub or an older page, the page wins: it describes the service.
fn apply_documented_table(
    tables: &mut BTreeMap<SmolStr, Table>,
    origins: &mut BTreeMap<SmolStr, Origin>,
    set: &'static str,
    ft: &FactTable,
    notes: &mut Vec<String>,
) {
    let name = SmolStr::new(&ft.name);
    let t = tables.entry(name.clone()).or_insert_with(|| {
        origins.insert(
            name.clone(),
            Origin {
                set,
                file: String::new(),
                replaced: Vec::new(),
                documented: 0,
                standard: 0,
            },
        );
        Table {
            name: name.clone(),
            description: None,
            columns: Vec::new(),
            connectors: Vec::new(),
            provenance: documented(set, None),
            extensible: false,
            retired: Vec::new(),
            preview: false,
            formerly_preview: false,
        }
    });
    t.provenance = documented(set, ft.pages.first());
    t.extensible |= ft.open;
    t.preview |= ft.preview;
    let mut added = 0;
    for (cname, ty) in &ft.columns {
        match t.columns.iter_mut().find(|c| c.name == cname.as_str()) {
            Some(existing) => {
                if existing.ty != *ty {
                    notes.push(format!(
                        "{set}: {}.{cname} is `{ty}` on its page, `{}` before: the page wins",
                        ft.name, existing.ty
                    ));
                    existing.ty = *ty;
                }
            }
            // A standard column the table lacks comes last, with the others
            // (`add_standard_columns`), as Log Analytics lists them.
            None if kql_schema::STANDARD_COLUMNS
                .iter()
                .any(|(n, _, _)| n == cname) => {}
            None => {
                t.columns
                    .push(Column::new(cname.as_str(), *ty).with_origin(ColumnOrigin::Documented));
                added += 1;
            }
        }
    }
    let o = origins.get_mut(&name).unwrap();
    o.documented += added;
    if o.set != set {
        if !o.replaced.contains(&o.set) && !o.set.starts_with("azure-monitor-docs") {
            let old = o.set;
            o.replaced.push(old);
        }
        o.set = set;
        o.file = String::new();
    }
}

/// Tables that have one name but are different tables on the two
/// platforms (Sentinel's `IdentityInfo` is UEBA's, Defender XDR's is its
/// own): their Defender XDR columns come from the advanced hunting page only.
const DIFFERENT_TABLES: &[&str] = &["IdentityInfo"];

/// Log Analytics bookkeeping columns that the Sentinel copy of a Defender
/// XDR table has and advanced hunting does not.
const LOG_ANALYTICS_ONLY: &[&str] = &[
    "TimeGenerated",
    "TenantId",
    "SourceSystem",
    "Type",
    "MachineGroup",
];

/// The Defender XDR advanced hunting tables, from their reference pages: the
/// page's columns in its order, with its types (no Log Analytics standard
/// columns: advanced hunting has none). The same table as Sentinel receives
/// it (the Azure Monitor reference of a streamed Defender XDR table) adds
/// the columns the advanced hunting page lacks, leaving out Log Analytics'
/// bookkeeping and names that differ only in case: some advanced hunting
/// pages lag behind (`InitiatingProcessUniqueId`). Our descriptions of the
/// same tables and columns in Sentinel are reused.
fn build_defender_tables(
    f: &FactFile,
    sentinel: &BTreeMap<SmolStr, Table>,
    documented_sentinel: &BTreeMap<String, Vec<(String, ScalarType)>>,
) -> BTreeMap<SmolStr, Table> {
    let mut out = BTreeMap::new();
    for ft in &f.tables {
        // our descriptions of the Sentinel table of the same name, unless
        // it is a different table there
        let twin = sentinel
            .get(ft.name.as_str())
            .filter(|_| !DIFFERENT_TABLES.contains(&ft.name.as_str()));
        let mut columns = Vec::new();
        let streamed = documented_sentinel
            .get(&ft.name)
            .filter(|_| !DIFFERENT_TABLES.contains(&ft.name.as_str()))
            .into_iter()
            .flatten()
            .filter(|(n, _)| !n.starts_with('_') && !LOG_ANALYTICS_ONLY.contains(&n.as_str()));
        let page_columns = ft.columns.len();
        for (i, (cname, ty)) in ft.columns.iter().chain(streamed).enumerate() {
            // the page's own columns as it lists them (a page may list two
            // spellings: DeviceProcessEvents has LogonId and LogonID); the
            // streamed table's only where no spelling of them is there
            let seen = |c: &Column| {
                if i < page_columns {
                    c.name == cname.as_str()
                } else {
                    c.name.eq_ignore_ascii_case(cname)
                }
            };
            if columns.iter().any(seen) {
                continue;
            }
            let mut c = Column::new(cname.as_str(), *ty).with_origin(ColumnOrigin::Documented);
            c.description = twin
                .and_then(|t| t.column(cname))
                .and_then(|tc| tc.description.clone());
            columns.push(c);
        }
        let name = SmolStr::new(&ft.name);
        out.insert(
            name.clone(),
            Table {
                name,
                description: twin.and_then(|t| t.description.clone()),
                columns,
                connectors: twin.map(|t| t.connectors.clone()).unwrap_or_default(),
                provenance: documented("defender-xdr-docs", ft.pages.first()),
                extensible: ft.open,
                retired: Vec::new(),
                preview: ft.preview,
                formerly_preview: false,
            },
        );
    }
    out
}

/// A stored function from its facts (parameters, result columns, form).
fn stored_from_fact(
    f: &FactFunction,
    source: &str,
    kind: SourceKind,
    notes: &mut Vec<String>,
) -> StoredFunction {
    let parameters = f
        .params
        .iter()
        .map(|p| {
            let ty = match ScalarType::parse(&p.ty) {
                Some(t) => StoredParamType::Scalar(t),
                None => match kql_schema::parse_table_param_type(&p.ty) {
                    Some(Ok(t)) => t,
                    _ => {
                        notes.push(format!(
                            "{}: parameter `{}` has type `{}`; taken as dynamic",
                            f.name, p.name, p.ty
                        ));
                        StoredParamType::Scalar(ScalarType::Dynamic)
                    }
                },
            };
            StoredParameter {
                name: SmolStr::new(&p.name),
                ty,
                default: p.default.clone(),
                required: !p.optional,
            }
        })
        .collect();
    let result_columns: Vec<Column> = f
        .columns
        .iter()
        .map(|(n, t)| Column::new(n.as_str(), *t).with_origin(ColumnOrigin::Documented))
        .collect();
    let page = f.pages.first();
    StoredFunction {
        name: SmolStr::new(&f.name),
        description: None,
        parameters,
        open_result: f.open || (result_columns.is_empty() && f.form != FunctionForm::Invoke),
        result_columns,
        form: f.form,
        params_unknown: f.params_unknown,
        provenance: Provenance::Bundled {
            source: source.to_owned(),
            kind,
            page: page.map(learn_url),
            date: page.and_then(|p| p.date.clone()),
        },
    }
}

struct CuratedTable {
    name: SmolStr,
    description: String,
    columns: Vec<(SmolStr, ScalarType, Option<String>)>,
}

fn parse_curated_tables(path: &Path, desc_required: bool) -> Vec<CuratedTable> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut tables: Vec<CuratedTable> = Vec::new();
    let mut in_block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let loc = || format!("{}:{}", path.display(), i + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("block ") {
            in_block = Some(name.trim().to_owned());
            blocks.insert(name.trim().to_owned(), Vec::new());
            continue;
        }
        if line == "end" {
            in_block = None;
            continue;
        }
        if let Some(b) = &in_block {
            blocks.get_mut(b).unwrap().push(line.to_owned());
            continue;
        }
        if let Some(name) = line.strip_prefix("table ") {
            tables.push(CuratedTable {
                name: name.trim().into(),
                description: String::new(),
                columns: Vec::new(),
            });
            continue;
        }
        let t = tables
            .last_mut()
            .unwrap_or_else(|| panic!("{}: outside a table", loc()));
        if let Some(d) = line.strip_prefix("desc ") {
            t.description = d.trim().to_owned();
            continue;
        }
        if line.starts_with("docs ") {
            continue;
        }
        let lines: Vec<String> = match line.strip_prefix('@') {
            Some(b) => blocks
                .get(b)
                .unwrap_or_else(|| panic!("{}: unknown block {b}", loc()))
                .clone(),
            None => vec![line.to_owned()],
        };
        for l in lines {
            let (decl, desc) = match l.split_once('|') {
                Some((d, x)) => (d.trim().to_owned(), Some(x.trim().to_owned())),
                None => (l.trim().to_owned(), None),
            };
            let mut parts = decl.split_whitespace();
            let (Some(n), Some(ty), None) = (parts.next(), parts.next(), parts.next()) else {
                panic!("{}: expected `NAME TYPE [| description]`", loc());
            };
            let ty = ScalarType::parse(ty).unwrap_or_else(|| panic!("{}: bad type {ty}", loc()));
            assert!(
                !t.columns.iter().any(|(c, _, _)| c == n),
                "{}: {n} twice in {}",
                loc(),
                t.name
            );
            t.columns.push((n.into(), ty, desc));
        }
    }
    if desc_required {
        for t in &tables {
            assert!(!t.description.is_empty(), "{}: no desc", t.name);
        }
    }
    tables
}

// ------------------------------------------------------------------ stored functions

fn build_stored_functions(
    shared: &Path,
    curated: &Value,
    notes: &mut Vec<String>,
) -> BTreeMap<SmolStr, StoredFunction> {
    let mut stored: BTreeMap<SmolStr, StoredFunction> = BTreeMap::new();
    for (set, sub, _) in FUNCTION_SETS {
        for file in json_files(&shared.join(sub)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut warnings = Vec::new();
            let (ts, fs) = kql_schema::load_schema_text(&file, &text, &mut warnings);
            assert!(
                ts.is_empty(),
                "{}: tables in a function set",
                file.display()
            );
            let fname = file.file_name().unwrap().to_string_lossy().into_owned();
            for w in warnings {
                notes.push(format!("{set}/{fname}: {}", w.message));
            }
            for mut f in fs {
                for c in &mut f.result_columns {
                    c.origin = ColumnOrigin::Schema;
                }
                for p in &mut f.parameters {
                    if let StoredParamType::Table { columns, .. } = &mut p.ty {
                        for c in columns {
                            c.origin = ColumnOrigin::Schema;
                        }
                    }
                }
                // The built-in set's functions are ASIM parsers as the
                // product packaged them in 2022: their output has grown since.
                f.provenance = Provenance::Bundled {
                    source: (*set).to_owned(),
                    kind: if set.starts_with("sentinel/builtin") {
                        SourceKind::Parser
                    } else {
                        SourceKind::CiStub
                    },
                    page: None,
                    date: None,
                };
                stored.insert(f.name.clone(), f);
            }
        }
    }
    // Corrected parameter types.
    for (fname, params) in curated["parameter_types"].as_object().unwrap() {
        if fname.starts_with('_') && fname == "_comment" {
            continue;
        }
        let f = stored
            .get_mut(fname.as_str())
            .unwrap_or_else(|| panic!("parameter_types: unknown function {fname}"));
        for (pname, ty) in params.as_object().unwrap() {
            let p = f
                .parameters
                .iter_mut()
                .find(|p| p.name == pname.as_str())
                .unwrap_or_else(|| panic!("parameter_types: {fname} has no {pname}"));
            p.ty = StoredParamType::Scalar(ScalarType::parse(ty.as_str().unwrap()).unwrap());
        }
    }
    for (fname, why) in curated["open_result_functions"].as_object().unwrap() {
        let f = stored.get_mut(fname.as_str()).unwrap();
        f.open_result = true;
        notes.push(format!("{fname}: open result ({})", why.as_str().unwrap()));
    }
    for (fname, cols) in curated["extra_result_columns"].as_object().unwrap() {
        let f = stored.get_mut(fname.as_str()).unwrap();
        for c in cols.as_array().unwrap() {
            let n = c["Name"].as_str().unwrap();
            if f.result_column(n).is_none() {
                let ty = ScalarType::parse(c["Type"].as_str().unwrap()).unwrap();
                f.result_columns
                    .push(Column::new(n, ty).with_origin(ColumnOrigin::Documented));
            }
        }
    }
    for (fname, d) in curated["function_descriptions"].as_object().unwrap() {
        stored.get_mut(fname.as_str()).unwrap().description = Some(d.as_str().unwrap().to_owned());
    }
    // ASIM aliases.
    let what = curated["asim_descriptions"].as_object().unwrap();
    let describe = |name: &str| -> Option<String> {
        let (kind, schema) = if let Some(s) = name.strip_prefix("_Im_") {
            ("built-in unifying ASIM parser", s)
        } else if let Some(s) = name.strip_prefix("_ASim_") {
            ("built-in parameter-less ASIM parser", s)
        } else if let Some(s) = name.strip_prefix("ASim") {
            ("workspace-deployed parameter-less ASIM parser", s)
        } else if let Some(s) = name.strip_prefix("im") {
            ("workspace-deployed unifying ASIM parser", s)
        } else {
            return None;
        };
        let w = what.get(schema)?.as_str()?;
        Some(format!("{kind} for {w}."))
    };
    for (model, aliases) in curated["asim_aliases"].as_object().unwrap() {
        if model == "_comment" {
            continue;
        }
        let base = stored
            .get(model.as_str())
            .unwrap_or_else(|| panic!("asim_aliases: unknown model {model}"))
            .clone();
        for alias in aliases.as_array().unwrap() {
            let alias = alias.as_str().unwrap();
            if stored.contains_key(alias) {
                continue;
            }
            let mut f = base.clone();
            f.name = alias.into();
            f.provenance = Provenance::Bundled {
                source: format!("asim-alias-of:{model}"),
                kind: base.provenance.kind().unwrap_or(SourceKind::CiStub),
                page: None,
                date: None,
            };
            f.description = None;
            stored.insert(f.name.clone(), f);
        }
    }
    for f in stored.values_mut() {
        if f.description.is_none() {
            f.description = describe(&f.name);
        }
    }
    stored
}

// ------------------------------------------------------------------ connectors

fn build_connectors(tables: &BTreeMap<SmolStr, Table>, notes: &mut Vec<String>) -> ConnectorData {
    use saphyr::{LoadableYamlNode, Yaml};
    let valid: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(
            sentinel_dir().join("rule-validation/ValidConnectorIds.2023-11-copy.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut data = ConnectorData {
        valid_ids: valid.iter().map(SmolStr::new).collect(),
        ..Default::default()
    };
    let mut raw: BTreeMap<SmolStr, BTreeSet<SmolStr>> = BTreeMap::new();
    let mut feeds: BTreeMap<SmolStr, BTreeSet<SmolStr>> = BTreeMap::new();
    let mut unknown: BTreeSet<String> = BTreeSet::new();
    // The connectors Sentinel solutions define (their `Data Connectors/*.json`):
    // valid ids too, though Azure-Sentinel's CI list lags behind them.
    let cf = facts::parse(&facts_dir().join(CONNECTOR_FACTS));
    for c in &cf.connectors {
        data.valid_ids.push(SmolStr::new(&c.id));
        for t in &c.feeds {
            if tables.contains_key(t.as_str()) {
                feeds
                    .entry(SmolStr::new(&c.id))
                    .or_default()
                    .insert(SmolStr::new(t));
            }
        }
    }
    data.valid_ids.sort();
    data.valid_ids.dedup();
    for path in kqlint_testkit::corpus_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let Ok(docs) = Yaml::load_from_str(text) else {
            continue;
        };
        let Some(doc) = docs.first() else { continue };
        let Some(list) = doc
            .as_mapping_get("requiredDataConnectors")
            .and_then(|v| v.as_sequence())
        else {
            continue;
        };
        for entry in list {
            let Some(id) = entry.as_mapping_get("connectorId").and_then(|v| v.as_str()) else {
                continue;
            };
            let Some(types) = entry
                .as_mapping_get("dataTypes")
                .and_then(|v| v.as_sequence())
            else {
                continue;
            };
            for t in types {
                let Some(t) = t.as_str() else { continue };
                let t = t.trim();
                raw.entry(id.into()).or_default().insert(t.into());
                // `SecurityAlert (ASC)` names the table SecurityAlert.
                let table = t.split(" (").next().unwrap_or(t).trim();
                if tables.contains_key(table) {
                    feeds.entry(id.into()).or_default().insert(table.into());
                } else {
                    unknown.insert(format!("{id}: {t}"));
                }
            }
        }
    }
    // Seed 004: the DeviceNetworkEvents table card.
    let seed = kqlint_testkit::seed_text(4);
    let table = seed
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .expect("seed 004 title")
        .trim();
    let section = seed
        .split("## Connectors")
        .nth(1)
        .expect("seed 004 connectors section");
    for line in section.lines().take_while(|l| !l.starts_with("---")) {
        let Some(link) = line.split("../connectors/").nth(1) else {
            continue;
        };
        let slug = link.split(".md").next().unwrap();
        let id = data
            .valid_ids
            .iter()
            .find(|v| v.eq_ignore_ascii_case(slug))
            .unwrap_or_else(|| panic!("seed 004: connector {slug} is not a valid id"));
        feeds.entry(id.clone()).or_default().insert(table.into());
        raw.entry(id.clone()).or_default().insert(table.into());
    }
    for id in feeds.keys() {
        if !data.valid_ids.contains(id) {
            notes.push(format!(
                "connector id `{id}` is used by corpus rules but is not in ValidConnectorIds.json"
            ));
        }
    }
    for u in unknown {
        notes.push(format!("dataTypes entry that names no bundled table: {u}"));
    }
    data.feeds = feeds
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect();
    data.data_types = raw
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect();
    data
}

// ------------------------------------------------------------------ README

const BEGIN: &str = "<!-- BEGIN GENERATED: tests/generate.rs -->";
const END: &str = "<!-- END GENERATED -->";

fn kind_of(p: &Provenance) -> &'static str {
    p.kind().map_or("user", SourceKind::as_str)
}

fn summary_markdown(
    info: &CatalogInfo,
    tables: &BTreeMap<SmolStr, Table>,
    defender: &BTreeMap<SmolStr, Table>,
    stored: &BTreeMap<SmolStr, StoredFunction>,
    mut fact_files: Vec<FactFile>,
) -> String {
    let mut s = String::new();
    writeln!(s, "{BEGIN}\n").unwrap();
    let count = |it: &mut dyn Iterator<Item = &Provenance>| {
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        for p in it {
            *by.entry(kind_of(p)).or_default() += 1;
        }
        by.iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let asim = stored
        .keys()
        .filter(|n| {
            ["_Im_", "_ASim_", "_ASIM_", "im", "ASim"]
                .iter()
                .any(|p| n.starts_with(p))
        })
        .count();
    writeln!(
        s,
        "| what | count |\n|---|---|\n\
         | Sentinel (Log Analytics) tables | {} ({}) |\n\
         | their columns | {} |\n\
         | Defender XDR advanced hunting tables | {} |\n\
         | their columns | {} |\n\
         | Defender XDR functions | {} |\n\
         | Sentinel functions (ASIM, solution parsers, `_GetWatchlist`, ...) | {} ({}; ASIM: {asim}) |\n\
         | built-in scalar functions, aggregates, plug-ins | {}, {}, {} |\n\
         | ActionTypes (DeviceNetworkEvents) | {} |\n\
         | valid data connector ids | {} |\n",
        info.tables,
        count(&mut tables.values().map(|t| &t.provenance)),
        info.columns,
        info.defender_tables,
        info.defender_columns,
        info.defender_functions,
        info.stored_functions,
        count(&mut stored.values().map(|f| &f.provenance)),
        info.scalar_functions,
        info.aggregates,
        info.plugins,
        info.action_types,
        info.connector_ids,
    )
    .unwrap();
    let _ = defender;
    writeln!(s, "Fact files (`schemas/facts/`) and their sources:\n").unwrap();
    fact_files.sort_by(|a, b| a.name.cmp(&b.name));
    for f in &fact_files {
        writeln!(
            s,
            "- `{}` ({} {}, by `{}`): {}",
            f.name,
            f.header.platform,
            f.header.provenance.as_str(),
            f.header.extractor,
            f.header.sources.join("; ")
        )
        .unwrap();
    }
    writeln!(
        s,
        "\nEvery table and function with its source: [provenance.md](provenance.md).\n"
    )
    .unwrap();
    writeln!(s, "{END}").unwrap();
    s
}

fn provenance_markdown(
    tables: &BTreeMap<SmolStr, Table>,
    origins: &BTreeMap<SmolStr, Origin>,
    defender: &BTreeMap<SmolStr, Table>,
    stored: &BTreeMap<SmolStr, StoredFunction>,
    defender_functions: &BTreeMap<SmolStr, StoredFunction>,
) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "# Where every bundled table and function comes from\n\n\
         Generated with the catalogue by `crates/kql-schema/tests/generate.rs`; see README.md for how.\n\
         `kind`: `documented` (a Microsoft reference page, or the product's own schema, lists the \
         columns: complete), `ci-stub` (only a test stub of Azure-Sentinel's CI: partial), `parser` \
         (a parser's source: partial). `extensible`: resources add columns beyond the documented ones.\n"
    )
    .unwrap();
    writeln!(s, "## Sentinel (Log Analytics) tables\n").unwrap();
    writeln!(
        s,
        "`set` is the last source applied; `replaces` lists older sets that also define the table; \
         `+doc` counts columns added from Microsoft's reference, `+std` the Log Analytics standard \
         columns added.\n"
    )
    .unwrap();
    writeln!(
        s,
        "| table | kind | set (file) | replaces | columns | +doc | +std | page |"
    )
    .unwrap();
    writeln!(s, "|---|---|---|---|---|---|---|---|").unwrap();
    for (name, t) in tables {
        let o = &origins[name];
        let file = if o.file.is_empty() {
            String::new()
        } else {
            format!(" ({})", o.file)
        };
        let (page, date) = match &t.provenance {
            Provenance::Bundled { page, date, .. } => (page.clone(), date.clone()),
            Provenance::User { .. } => (None, None),
        };
        writeln!(
            s,
            "| {} | {}{} | {}{} | {} | {} | {} | {} | {} |",
            name.replace('|', "\\|"),
            kind_of(&t.provenance),
            if t.extensible { ", extensible" } else { "" },
            o.set,
            file,
            o.replaced.join(", "),
            t.columns.len(),
            o.documented,
            o.standard,
            page.map(|p| format!("{p}{}", date.map(|d| format!(" ({d})")).unwrap_or_default()))
                .unwrap_or_default()
        )
        .unwrap();
    }
    writeln!(s, "\n## Defender XDR advanced hunting tables\n").unwrap();
    writeln!(s, "| table | columns | page |").unwrap();
    writeln!(s, "|---|---|---|").unwrap();
    for (name, t) in defender {
        writeln!(
            s,
            "| {name} | {} | {} |",
            t.columns.len(),
            t.provenance.describe()
        )
        .unwrap();
    }
    for (title, fns) in [
        ("Sentinel functions", stored),
        ("Defender XDR functions", defender_functions),
    ] {
        writeln!(s, "\n## {title}\n").unwrap();
        writeln!(
            s,
            "| function | kind | source | parameters | result columns |"
        )
        .unwrap();
        writeln!(s, "|---|---|---|---|---|").unwrap();
        for (name, f) in fns {
            let Provenance::Bundled { source, .. } = &f.provenance else {
                unreachable!()
            };
            writeln!(
                s,
                "| {} | {} | {} | {} | {}{}{} |",
                name,
                kind_of(&f.provenance),
                source,
                f.parameters.len(),
                f.result_columns.len(),
                if f.open_result { " (open)" } else { "" },
                if f.form == FunctionForm::Invoke {
                    ", `invoke`"
                } else {
                    ""
                }
            )
            .unwrap();
        }
    }
    s
}

fn splice_readme(readme: &str, generated: &str) -> String {
    let (Some(b), Some(e)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("schemas/README.md has no generated section markers");
    };
    format!(
        "{}{}{}",
        &readme[..b],
        generated.trim_end(),
        &readme[e + END.len()..]
    )
}

#[test]
fn catalog_is_fresh() {
    let g = generate();
    let catalog_path = schemas_dir().join("catalog.kqs");
    let readme_path = schemas_dir().join("README.md");
    let notes_path = schemas_dir().join("generator-notes.txt");
    let readme = std::fs::read_to_string(&readme_path).unwrap_or_default();
    let new_readme = splice_readme(&readme, &g.summary);
    let provenance_path = schemas_dir().join("provenance.md");
    let notes = format!(
        "# Notes from the catalogue generator (crates/kql-schema/tests/generate.rs): problems found in the\n\
         # source schema files and how they were handled. Regenerated with the catalogue.\n{}\n",
        g.notes.join("\n")
    );
    if std::env::var_os(REGENERATE_ENV).is_some() {
        std::fs::write(&catalog_path, &g.catalog).unwrap();
        std::fs::write(&readme_path, &new_readme).unwrap();
        std::fs::write(&provenance_path, &g.provenance).unwrap();
        std::fs::write(&notes_path, &notes).unwrap();
        return;
    }
    let stale = |p: &Path, want: &str| std::fs::read_to_string(p).map_or(true, |have| have != want);
    let stale_files: Vec<String> = [
        (&catalog_path, g.catalog.as_str()),
        (&readme_path, new_readme.as_str()),
        (&provenance_path, g.provenance.as_str()),
        (&notes_path, notes.as_str()),
    ]
    .iter()
    .filter(|(p, w)| stale(p, w))
    .map(|(p, _)| p.display().to_string())
    .collect();
    assert!(
        stale_files.is_empty(),
        "generated schema files are stale: {stale_files:?}; run \
         `{REGENERATE_ENV}=1 cargo test -p kql-schema --test generate` and review the diff"
    );
}
