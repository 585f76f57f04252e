//! The API the language server and lint rules use: name resolution, the
//! columns in scope at each operator, `let`s and their references, the
//! ActionType narrowing, tables read, results.

mod common;

use common::check;
use kql_semantic::{LetKind, QueryResult, Resolved, Ty};

fn offset(src: &str, needle: &str) -> u32 {
    src.find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {src}")) as u32
}

#[test]
fn names_resolve_to_what_they_mean() {
    let src = "let Window = 1d;\nlet Recent = DeviceNetworkEvents | where Timestamp > ago(Window);\nlet f = (n: long) { n + 1 };\nRecent | extend p = f(RemotePort) | summarize count() by DeviceName";
    let a = check(src);
    assert!(a.diagnostics.is_empty(), "{}", common::dump(src, &a));
    let at = |needle: &str| a.name_at(offset(src, needle)).map(|n| n.resolved.clone());
    assert_eq!(at("DeviceNetworkEvents"), Some(Resolved::Table));
    assert_eq!(
        at("Timestamp"),
        Some(Resolved::Column {
            ty: Ty::DateTime,
            table: Some("DeviceNetworkEvents".into())
        })
    );
    assert!(matches!(at("ago"), Some(Resolved::BuiltinFunction { .. })));
    let window_def = kql_syntax::Span::new(4, 10);
    assert_eq!(
        at("Window)"),
        Some(Resolved::Let {
            definition: window_def,
            tabular: false,
            ty: Ty::TimeSpan
        })
    );
    assert!(matches!(
        at("Recent |"),
        Some(Resolved::Let { tabular: true, .. })
    ));
    assert!(matches!(at("f(Remote"), Some(Resolved::LetFunction { .. })));
    assert!(matches!(
        at("n + 1"),
        Some(Resolved::Parameter {
            ty: Some(Ty::Long),
            ..
        })
    ));
    assert!(matches!(
        at("count()"),
        Some(Resolved::BuiltinFunction {
            kind: kql_schema::FunctionKind::Aggregate
        })
    ));

    // lets and their references
    let names: Vec<(&str, LetKind, usize)> = a
        .lets
        .iter()
        .map(|l| (l.name.as_str(), l.kind, l.references.len()))
        .collect();
    assert_eq!(
        names,
        [
            ("Window", LetKind::Scalar, 1),
            ("Recent", LetKind::Tabular, 1),
            ("f", LetKind::Function, 1)
        ]
    );
    assert_eq!(a.let_at(window_def).unwrap().ty, Ty::TimeSpan);
    assert_eq!(a.unused_lets().count(), 0);
}

#[test]
fn unused_lets_are_found() {
    let a = check("let unused = 1;\nlet used = 2;\nprint used");
    let unused: Vec<_> = a.unused_lets().map(|l| l.name.as_str()).collect();
    assert_eq!(unused, ["unused"]);
}

#[test]
fn columns_in_scope_at_each_operator() {
    let src = "DeviceNetworkEvents | project DeviceName, RemoteIP | where RemoteIP startswith \"10.\" | summarize c = count() by DeviceName | extend x = c";
    let a = check(src);
    let names = |o: u32| -> Vec<String> {
        a.columns_at(o)
            .unwrap()
            .visible()
            .map(|c| c.name.to_string())
            .collect()
    };
    assert_eq!(names(offset(src, "startswith")), ["DeviceName", "RemoteIP"]);
    assert_eq!(names(offset(src, "x = c")), ["DeviceName", "c"]);
    let ops: Vec<&str> = a.operators.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(ops, ["project", "where", "summarize", "extend"]);
    assert!(a.operators[0].input.len() > 30);
    assert_eq!(a.operators[3].output.len(), 3);
}

#[test]
fn narrowing_is_exposed_per_operator() {
    let src = "DeviceNetworkEvents | where ActionType in (\"ConnectionSuccess\", \"ConnectionFailed\") | where ActionType == \"ConnectionSuccess\" or ActionType == \"ConnectionFailed\" | project RemoteUrl | summarize count() by RemoteUrl | project RemoteUrl";
    let a = check(src);
    let n: Vec<Option<Vec<String>>> = a
        .operators
        .iter()
        .map(|o| {
            o.narrowing
                .as_ref()
                .map(|n| n.action_types.iter().map(|s| s.to_string()).collect())
        })
        .collect();
    let both = Some(vec![
        "ConnectionFailed".to_string(),
        "ConnectionSuccess".to_string(),
    ]);
    assert_eq!(n, [None, both.clone(), both.clone(), both, None]);
    assert!(matches!(
        a.name_at(offset(src, "\"ConnectionSuccess\"") + 1)
            .map(|n| &n.resolved),
        Some(Resolved::ActionType { known: true })
    ));
}

#[test]
fn tables_read_through_lets_functions_and_wildcards() {
    let a = check(
        "let f = () { DeviceFileEvents | take 1 };\nlet unusedTable = SecurityEvent;\nunion DeviceNetwork*, (f()) | take 1",
    );
    assert_eq!(
        a.tables,
        [
            "DeviceFileEvents",
            "DeviceNetworkEvents",
            "DeviceNetworkInfo"
        ]
    );
    let b = check(
        "let T = materialize(SigninLogs | take 1);\nlet n = toscalar(AuditLogs | count);\nT | extend n",
    );
    assert_eq!(b.tables, ["AuditLogs", "SigninLogs"]);
}

#[test]
fn results() {
    assert_eq!(
        check("print 1 + 1").result.columns().unwrap(),
        [("print_0", "long")]
    );
    assert_eq!(check("let x = 1;").result, QueryResult::None);
    assert!(
        check("DeviceNetworkEvents | evaluate bag_unpack(AdditionalFields)")
            .result
            .is_open()
    );
    assert_eq!(
        check("SecurityEvent | take 1")
            .result
            .columns()
            .unwrap()
            .last(),
        Some(&("_SubscriptionId", "string")),
        "hidden standard columns stay out of the result"
    );
    let a = check("SecurityEvent | project _ItemId, _BilledSize");
    assert_eq!(
        a.result.columns().unwrap(),
        [("_ItemId", "string"), ("_BilledSize", "real")],
        "named hidden columns are shown"
    );
    assert!(a.diagnostics.is_empty());
    // `column_ifexists` has its default's type, existing column or not (as
    // Kusto.Language types it)
    let a = check(
        "datatable(Hashes: dynamic, N: long)[] | project X = column_ifexists(\"Hashes\", \"\"), Y = column_ifexists(\"N\", 0.5), Z = column_ifexists(\"Nope\", 1)",
    );
    assert_eq!(
        a.result.columns().unwrap(),
        [("X", "string"), ("Y", "real"), ("Z", "long")]
    );
}

#[test]
fn user_schema_directories() {
    let dir = std::env::temp_dir().join(format!("kqlsem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("MyTable_CL.json"),
        r#"{"Name": "MyTable_CL", "Properties": [{"Name": "Host_s", "Type": "String"}]}"#,
    )
    .unwrap();
    let (cat, _) = kql_schema::Catalog::with_schema_dirs(&[&dir]);
    let src = "MyTable_CL | where host_s == 'x' | project Host_s, TimeGenerated";
    let parse = kql_syntax::parse(src);
    let a = kql_semantic::analyze(&parse, src, &cat, &Default::default());
    assert_eq!(a.diagnostics.len(), 1);
    assert!(a.diagnostics[0].message.contains("did you mean `Host_s`"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diagnostics_past_the_cap_are_counted_not_kept() {
    let src = "DeviceNetworkEvents | where A | where B | where C | where D | where E";
    let parse = kql_syntax::parse(src);
    let options = kql_semantic::Options {
        max_diagnostics: 2,
        ..kql_semantic::Options::default()
    };
    let a = kql_semantic::analyze(&parse, src, kql_schema::Catalog::builtin(), &options);
    assert_eq!(a.diagnostics.len(), 2);
    assert_eq!(a.dropped, 3);
    assert_eq!(a.dropped_worst, Some(kqlint_diagnostics::Severity::Error));
    let all = check(src);
    assert_eq!((all.diagnostics.len(), all.dropped), (5, 0));
}
