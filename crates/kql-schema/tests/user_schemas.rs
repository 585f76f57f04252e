//! Loading user schema directories in Azure-Sentinel's CustomTables /
//! CustomFunctions formats, with each lenient quirk of that repository's
//! loader, and layering them over the bundled data.

use kql_schema::{Catalog, CatalogBuilder, ColumnOrigin, ScalarType, StoredParamType, WarningKind};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/user-schemas")
}

fn load() -> (Catalog, Vec<kql_schema::SchemaLoadWarning>) {
    Catalog::with_schema_dirs(&[fixtures()])
}

fn types(cat: &Catalog, table: &str) -> Vec<(String, ScalarType)> {
    cat.table(table)
        .unwrap_or_else(|| panic!("{table} not loaded"))
        .columns
        .iter()
        .filter(|c| c.origin == ColumnOrigin::User)
        .map(|c| (c.name.to_string(), c.ty))
        .collect()
}

#[test]
fn bom_lowercase_keys_and_type_spellings() {
    let (cat, _) = load();
    use ScalarType::*;
    assert_eq!(
        types(&cat, "MyApp_CL"),
        [
            ("TimeGenerated", DateTime),
            ("UserName_s", String),
            ("Count_d", Real),
            ("IsAdmin_b", Bool),
            ("Id_g", Guid),
            ("When", DateTime),
            ("Big", Long),
            ("Odd", String),
            ("Duration", TimeSpan),
        ]
        .map(|(n, t)| (n.to_owned(), t))
    );
}

#[test]
fn comments_and_trailing_commas_are_accepted() {
    let (cat, warnings) = load();
    assert_eq!(
        types(&cat, "Trailing_CL"),
        [
            ("TimeGenerated".to_owned(), ScalarType::DateTime),
            ("Url//s".to_owned(), ScalarType::String),
            ("Port_d".to_owned(), ScalarType::Int),
        ]
    );
    assert!(
        !warnings
            .iter()
            .any(|w| w.path.ends_with("trailing_commas_and_comments.json")),
        "{warnings:#?}"
    );
}

#[test]
fn array_of_tables_names_trimmed_bad_entries_warned() {
    let (cat, warnings) = load();
    assert!(cat.table("First_CL").is_some());
    // Name trimmed; the repeated column keeps its first definition.
    assert_eq!(
        types(&cat, "Second_CL"),
        [("B".to_owned(), ScalarType::Long)]
    );
    let file: Vec<_> = warnings
        .iter()
        .filter(|w| w.path.ends_with("array_of_tables.json"))
        .collect();
    assert!(
        file.iter()
            .any(|w| w.kind == WarningKind::Redefined && w.message.contains("`B`"))
    );
    assert!(
        file.iter()
            .any(|w| w.kind == WarningKind::Invalid && w.message.contains("NoProperties_CL"))
    );
    assert!(
        file.iter()
            .any(|w| w.kind == WarningKind::Invalid && w.message.contains("neither"))
    );
    assert!(cat.table("NoProperties_CL").is_none());
    // The repeated column's warning points at the file position of `"B"`.
    let dup = file
        .iter()
        .find(|w| w.kind == WarningKind::Redefined)
        .unwrap();
    assert_eq!(dup.line, Some(3));
}

#[test]
fn missing_and_unknown_types_become_dynamic_with_a_warning() {
    let (cat, warnings) = load();
    use ScalarType::*;
    assert_eq!(
        types(&cat, "BadTypes_CL"),
        [
            ("NoType", Dynamic),
            ("EmptyType", Dynamic),
            ("Weird", Dynamic),
            ("Fine", Bool)
        ]
        .map(|(n, t)| (n.to_owned(), t))
    );
    let type_warnings: Vec<_> = warnings
        .iter()
        .filter(|w| w.path.ends_with("bad_types.json") && w.kind == WarningKind::Type)
        .collect();
    assert_eq!(type_warnings.len(), 3, "{type_warnings:#?}");
    let weird = type_warnings
        .iter()
        .find(|w| w.message.contains("varchar"))
        .unwrap();
    assert_eq!((weird.line, weird.column), (Some(6), Some(15)));
}

#[test]
fn a_broken_file_is_skipped_with_its_position_and_the_rest_loads() {
    let (cat, warnings) = load();
    let w = warnings
        .iter()
        .find(|w| w.path.ends_with("broken.json"))
        .expect("a warning for broken.json");
    assert_eq!(w.kind, WarningKind::Syntax);
    assert_eq!(w.line, Some(5));
    assert!(w.column.is_some());
    assert!(w.to_string().contains("broken.json:5:"), "{w}");
    assert!(cat.table("Broken_CL").is_none());
    assert!(cat.table("MyApp_CL").is_some());
}

#[test]
fn directory_layout_top_level_and_custom_subdirectories_only() {
    let (cat, warnings) = load();
    assert!(cat.table("TopLevel_CL").is_some());
    assert!(
        cat.table("NotRead_CL").is_none(),
        "other subdirectories are not read"
    );
    // notes.txt is not a .json file: not read, no warning.
    assert!(!warnings.iter().any(|w| w.path.ends_with("notes.txt")));
}

#[test]
fn functions_with_defaults_required_flags_and_table_parameters() {
    let (cat, _) = load();
    let f = cat.stored_function("MyParser").expect("MyParser");
    assert!(f.provenance.is_user());
    let names: Vec<&str> = f.parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["starttime", "users", "src", "any", "limit"]);
    assert_eq!(
        f.parameters[0].ty,
        StoredParamType::Scalar(ScalarType::DateTime)
    );
    assert_eq!(f.parameters[0].default.as_deref(), Some("datetime(null)"));
    assert!(!f.parameters[0].required);
    assert_eq!(f.parameters[1].default.as_deref(), Some("dynamic([])"));
    let StoredParamType::Table { columns, open } = &f.parameters[2].ty else {
        panic!("src is tabular")
    };
    assert!(!open);
    assert_eq!(
        columns
            .iter()
            .map(|c| (c.name.as_str(), c.ty))
            .collect::<Vec<_>>(),
        [
            ("TimeGenerated", ScalarType::DateTime),
            ("Computer", ScalarType::String)
        ]
    );
    assert!(f.parameters[2].required);
    assert_eq!(
        f.parameters[3].ty,
        StoredParamType::Table {
            columns: vec![],
            open: true
        }
    );
    assert_eq!(
        f.parameters[4].ty,
        StoredParamType::Scalar(ScalarType::Long)
    );
    assert!(f.parameters[4].required, "\"IsRequired\": \"true\" counts");
    assert_eq!((f.min_args(), f.max_args()), (2, 5));
    assert_eq!(f.result_columns.len(), 2);
    assert!(!f.open_result);
    let g = cat.stored_function("NoResultColumns").unwrap();
    assert!(
        g.open_result,
        "no declared result columns: anything may come out"
    );
}

#[test]
fn user_definitions_override_bundled_ones() {
    let (cat, _) = load();
    let t = cat.table("SecurityEvent").unwrap();
    assert!(t.provenance.is_user());
    assert!(t.column("MyOwnColumn").is_some());
    assert!(
        t.column("Account").is_none(),
        "the bundled definition is replaced"
    );
    // Bundled facts about the name are kept.
    assert!(t.description.is_some());
    assert!(t.connectors.iter().any(|c| c == "SecurityEvents"));
    // Standard columns are added to user tables too.
    assert_eq!(
        t.column("_ResourceId").unwrap().origin,
        ColumnOrigin::Standard
    );
    // The bundled catalogue is unchanged.
    assert!(
        Catalog::builtin()
            .table("SecurityEvent")
            .unwrap()
            .column("Account")
            .is_some()
    );
    // Other bundled data is still there.
    assert!(cat.table("DeviceNetworkEvents").is_some());
    assert!(cat.function("strlen").is_some());
}

#[test]
fn builder_options() {
    let mut b = CatalogBuilder::without_builtin();
    b.standard_columns(false).load_dir(&fixtures());
    let (cat, _) = b.build();
    assert!(cat.table("DeviceNetworkEvents").is_none());
    assert!(cat.function("strlen").is_none());
    let t = cat.table("MyApp_CL").unwrap();
    assert!(t.column("_ResourceId").is_none());
    assert_eq!(cat.table_names().len(), 7);
}

#[test]
fn a_missing_directory_is_a_warning() {
    let (cat, warnings) = Catalog::with_schema_dirs(&[fixtures().join("no-such-dir")]);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind, WarningKind::Io);
    assert!(cat.table("SecurityEvent").is_some());
}

#[test]
fn a_later_definition_wins_with_a_note() {
    let mut b = CatalogBuilder::new();
    b.load_str(
        Path::new("a.json"),
        r#"{"Name":"Twice_CL","Properties":[{"Name":"A","Type":"string"}]}"#,
    );
    b.load_str(
        Path::new("b.json"),
        r#"{"Name":"Twice_CL","Properties":[{"Name":"B","Type":"long"}]}"#,
    );
    let (cat, warnings) = b.build();
    let t = cat.table("Twice_CL").unwrap();
    assert!(t.column("B").is_some() && t.column("A").is_none());
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind, WarningKind::Redefined);
    assert!(warnings[0].message.contains("a.json"));
}

/// Azure-Sentinel's own schema folders load as user schema directories:
/// every file (trailing commas, lower-case keys and all) is read.
#[test]
fn azure_sentinels_own_schema_folders_load() {
    let dir = kqlint_testkit::shared_dir().join("schemas-sentinel/2023-11-copy");
    let started = std::time::Instant::now();
    let mut b = CatalogBuilder::without_builtin();
    b.load_dir(&dir);
    let (cat, warnings) = b.build();
    let elapsed = started.elapsed();
    assert!(
        !warnings.iter().any(|w| matches!(
            w.kind,
            WarningKind::Syntax | WarningKind::Io | WarningKind::Invalid
        )),
        "{:#?}",
        warnings
            .iter()
            .filter(|w| w.kind != WarningKind::Redefined)
            .collect::<Vec<_>>()
    );
    // 562 files; a few define the same table twice.
    assert!(
        cat.table_names().len() >= 555,
        "{}",
        cat.table_names().len()
    );
    assert_eq!(cat.stored_function_names().len(), 118);
    assert!(cat.table("GitHubAuditData").is_some(), "trailing commas");
    assert!(elapsed.as_secs() < 20, "{elapsed:?}");
}

/// A team imports its workspace's own tables in one step: `T | getschema`
/// saved as CSV or JSON (one table, named after the file), and
/// `az monitor log-analytics workspace table list` JSON (plain and REST form).
#[test]
fn workspace_exports() {
    let dir = fixtures().parent().unwrap().join("workspace-exports");
    let (cat, warnings) = Catalog::with_schema_dirs(&[dir]);
    assert!(warnings.is_empty(), "{warnings:?}");
    use ScalarType::*;
    let has = |t: &str, cols: &[(&str, ScalarType)]| {
        let table = cat.table(t).unwrap_or_else(|| panic!("{t} not loaded"));
        assert!(table.provenance.is_user(), "{t}");
        for (c, ty) in cols {
            let col = table
                .column(c)
                .unwrap_or_else(|| panic!("{t}.{c} not loaded"));
            assert_eq!(col.ty, *ty, "{t}.{c}");
        }
        assert_eq!(table.completeness(), kql_schema::Completeness::Complete);
    };
    has(
        "ContosoFirewall_CL",
        &[
            ("SrcIp_s", String),
            ("DstPort_d", Real),
            ("Rule, Name_s", String),
            ("TimeGenerated", DateTime),
        ],
    );
    has("ContosoVpn_CL", &[("User_s", String), ("Bytes_d", Real)]);
    has(
        "ContosoApp_CL",
        &[
            ("Message", String),
            ("Severity", Int),
            ("Details", Dynamic),
            ("TenantId", Guid),
        ],
    );
    has("ContosoAudit_CL", &[("Actor", String), ("When", DateTime)]);
}

#[test]
fn a_csv_without_the_getschema_header_is_reported() {
    let dir = std::env::temp_dir().join(format!("kqlint-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Bad_CL.csv"), "Name,Value\nx,1\n").unwrap();
    let (cat, warnings) = Catalog::with_schema_dirs(&[&dir]);
    std::fs::remove_dir_all(&dir).ok();
    assert!(cat.table("Bad_CL").is_none());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].kind, WarningKind::Invalid);
    assert!(warnings[0].message.contains("getschema"), "{}", warnings[0]);
}
