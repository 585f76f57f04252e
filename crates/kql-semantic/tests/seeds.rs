//! The seed documents' requirements (`../shared/seeds`).

mod common;

use common::{check, line_col};

#[test]
fn seed_003_has_no_semantic_error() {
    let q = kqlint_testkit::seed_kql(3);
    let a = check(&q);
    assert!(a.diagnostics.is_empty(), "{}", common::dump(&q, &a));
    assert_eq!(a.tables, ["DeviceNetworkEvents"]);
    let cols = a.result.columns().expect("a table");
    assert!(!cols.is_empty());
}

#[test]
fn seed_000_with_a_misspelt_column_gets_the_case_mismatch_error() {
    let q = kqlint_testkit::seed_kql(0);
    assert!(
        check(&q)
            .diagnostics
            .iter()
            .all(|d| d.category.as_str() == "semantic" && d.severity.as_str() != "error"),
        "the seed itself has no semantic error"
    );
    // the first use in the query (an earlier one is in a comment)
    let at = q.find("RemoteIP ==").expect("seed 000 compares RemoteIP");
    let broken = format!("{}RemoteIp{}", &q[..at], &q[at + "RemoteIP".len()..]);
    let a = check(&broken);
    let errs: Vec<_> = a
        .diagnostics
        .iter()
        .filter(|d| d.name == "unknown-column")
        .collect();
    assert_eq!(errs.len(), 1, "{}", common::dump(&broken, &a));
    let d = errs[0];
    assert_eq!(d.span.text(&broken), "RemoteIp");
    assert_eq!(
        line_col(&broken, d.span.start),
        line_col(&q, at as u32),
        "on the right line"
    );
    assert_eq!(
        d.message,
        "`RemoteIp` is not a column; did you mean `RemoteIP`? KQL names are case-sensitive"
    );
    let fix = d.fix.as_ref().expect("a fix");
    assert_eq!(fix.applicability, kqlint_diagnostics::Applicability::Safe);
    assert_eq!(fix.edits[0].replacement, "RemoteIP");
}

#[test]
fn misspelt_action_type_gets_did_you_mean() {
    let a = check("DeviceNetworkEvents | where ActionType == \"ConnecitonFound\"");
    assert_eq!(a.diagnostics.len(), 1);
    assert_eq!(a.diagnostics[0].name, "unknown-action-type");
    assert!(
        a.diagnostics[0]
            .message
            .contains("did you mean `ConnectionFound`"),
        "{}",
        a.diagnostics[0].message
    );
}

#[test]
fn column_not_populated_for_the_action_type() {
    let a = check(
        "DeviceNetworkEvents | where ActionType == \"InboundConnectionAccepted\" | project RemoteUrl",
    );
    assert_eq!(a.diagnostics.len(), 1);
    assert_eq!(a.diagnostics[0].name, "action-type-column-not-populated");
    assert_eq!(
        a.diagnostics[0].message,
        "`RemoteUrl` is not populated for ActionType `InboundConnectionAccepted`"
    );
    let ok = check(
        "DeviceNetworkEvents | where ActionType == \"ConnectionSuccess\" | project RemoteUrl",
    );
    assert!(ok.diagnostics.is_empty());
}
