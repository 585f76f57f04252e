//! What kqlint knows, end to end: `kqlint schema`, the platform a query is
//! checked for (declared in kqlint.toml, implied by the file, inferred from
//! its tables) and the issue's examples of knowledge that used to be
//! missing.

mod common;

use common::Dir;

/// `code line` of every finding of one file, concise format.
/// `kqlint check --isolated -f concise --platform defender FILE`: its output.
fn concise_defender(d: &Dir, file: &str) -> String {
    let (_, out, _) = d.kqlint(&[
        "check",
        "--isolated",
        "--platform",
        "defender",
        "-f",
        "concise",
        file,
    ]);
    out
}

fn findings(d: &Dir, args: &[&str]) -> Vec<String> {
    let mut a = vec!["check", "--isolated", "-f", "concise"];
    a.extend_from_slice(args);
    let (_, out, _) = d.kqlint(&a);
    out.lines()
        .filter_map(|l| {
            let (_, rest) = l.split_once(": ")?;
            Some(rest.split(' ').next()?.to_owned())
        })
        .collect()
}

#[test]
fn the_issue_examples_get_no_error() {
    let d = Dir::new("know", "examples");
    for (i, q) in [
        "IntuneDevices | take 10",
        "ExposureGraphNodes | take 10",
        "SigninLogs | project SessionId, IncomingTokenType",
        "DeviceProcessEvents | invoke FileProfile(SHA1, 100) | project GlobalPrevalence",
        "workspace(\"ws1\").SigninLogs | take 1",
        "_ASIM_GetWatchlistRaw(\"x\")",
    ]
    .iter()
    .enumerate()
    {
        d.write(&format!("q{i}.kql"), &format!("{q}\n"));
        let f = findings(&d, &[&format!("q{i}.kql")]);
        assert!(f.iter().all(|x| !x.starts_with("error")), "{q}: {f:?}");
    }
}

#[test]
fn identity_info_as_defender_and_as_sentinel() {
    let d = Dir::new("know", "identity");
    let q = "IdentityInfo | project Timestamp, AccountUpn, CloudSid\n";
    d.write("q.kql", q);
    // Declared Defender XDR: right.
    assert_eq!(
        findings(&d, &["--platform", "defender", "q.kql"]),
        Vec::<String>::new()
    );
    // Declared Sentinel: errors that name Defender XDR's columns.
    let (code, out, _) = d.kqlint(&[
        "check",
        "--isolated",
        "--platform",
        "sentinel",
        "-f",
        "concise",
        "q.kql",
    ]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(out.matches("error[KQL119]").count(), 3, "{out}");
    assert!(
        out.contains("Defender XDR advanced hunting's `IdentityInfo`"),
        "{out}"
    );
    assert!(out.contains("here it is `TimeGenerated`"), "{out}");
    assert!(out.contains("here it is `AccountUPN`"), "{out}");
    assert!(out.contains("here it is `AccountCloudSID`"), "{out}");
    // Assumed (a query file, nothing declared): the query's own columns say
    // Defender XDR, and it is checked there.
    let (code, out, _) = d.kqlint(&["check", "--isolated", "-f", "concise", "q.kql"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("KQL119"), "{out}");
    // One that fits neither platform better keeps the assumed one, with
    // warnings that name the other platform's columns.
    d.write("m.kql", "IdentityInfo | project Timestamp, AccountUPN\n");
    let (code, out, _) = d.kqlint(&["check", "--isolated", "-f", "concise", "m.kql"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.matches("warning[KQL119]").count(), 1, "{out}");
    // kqlint.toml declares it, per path.
    d.write(
        "kqlint.toml",
        "platform = \"sentinel\"\n\n[per-path-platform]\n\"hunting/**\" = \"defender\"\n",
    );
    d.write("hunting/q.kql", q);
    let (code, out, _) = d.kqlint(&["check", "-f", "concise", "q.kql", "hunting/q.kql"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.lines().all(|l| l.starts_with("q.kql")), "{out}");
    // A bad platform name is a configuration error with its position.
    d.write("kqlint.toml", "platform = \"splunk\"\n");
    let (code, _, err) = d.kqlint(&["check", "q.kql"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("kqlint.toml:1:12: `platform`: unknown platform `splunk`"),
        "{err}"
    );
}

#[test]
fn the_platform_is_inferred_from_defender_only_tables_and_paths() {
    let d = Dir::new("know", "infer");
    // AADSignInEventsBeta-only columns: a Defender XDR table; nothing says
    // Sentinel, so the query is checked for advanced hunting.
    d.write(
        "a.kql",
        "EntraIdSignInEvents | project Timestamp, AccountUpn\n",
    );
    assert_eq!(findings(&d, &["a.kql"]), Vec::<String>::new());
    // A folder naming Defender XDR: AdditionalFields is a string there.
    d.write(
        "Defender XDR/b.kql",
        "DeviceNetworkEvents | summarize count() by AdditionalFields\n",
    );
    assert_eq!(findings(&d, &["Defender XDR/b.kql"]), Vec::<String>::new());
    // The same as a Sentinel rule: Sentinel types it dynamic.
    d.write(
        "rule.yaml",
        "id: 0b7d6b49-3a7e-4d0c-9c43-7e0ad6e4a1b2\nname: x\ndescription: x\nseverity: Low\n\
         requiredDataConnectors: []\nqueryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\n\
         triggerThreshold: 0\ntactics: []\nrelevantTechniques: []\nkind: Scheduled\nversion: 1.0.0\n\
         query: |\n  DeviceNetworkEvents\n  | summarize count() by AdditionalFields\n",
    );
    assert!(findings(&d, &["rule.yaml"]).contains(&"error[KQL113]".to_owned()));
}

#[test]
fn listening_sockets_have_no_remote_end() {
    let d = Dir::new("know", "listen");
    d.write(
        "q.kql",
        "DeviceNetworkEvents\n| where ActionType == \"ListeningConnectionCreated\"\n| project RemotePort\n",
    );
    assert_eq!(findings(&d, &["q.kql"]), ["warning[KQL151]"]);
}

#[test]
fn schema_shows_what_kqlint_knows_and_where_it_comes_from() {
    let d = Dir::new("know", "schema");
    let (code, out, _) = d.kqlint(&["schema", "SigninLogs"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("SigninLogs — Sentinel (Log Analytics) table"),
        "{out}"
    );
    assert!(
        out.contains("source: documented: azure-monitor-docs"),
        "{out}"
    );
    assert!(out.contains("— complete"), "{out}");
    assert!(out.contains("SessionId"), "{out}");
    let (_, out, _) = d.kqlint(&["schema", "MimecastSIEM_CL"]);
    assert!(out.contains("ci-stub") && out.contains("partial"), "{out}");
    let (_, out, _) = d.kqlint(&["schema", "IdentityInfo", "--platform", "defender"]);
    assert!(
        out.contains("AccountUpn") && !out.contains("AccountUPN "),
        "{out}"
    );
    assert!(
        out.contains("Sentinel (Log Analytics) has a table of this name too"),
        "{out}"
    );
    let (_, out, _) = d.kqlint(&["schema", "FileProfile", "--platform", "defender"]);
    assert!(out.starts_with("T | invoke FileProfile("), "{out}");
    let (_, out, _) = d.kqlint(&["schema", "--list", "ci-stub"]);
    assert!(
        out.lines().any(|l| l.starts_with("MimecastSIEM_CL ")),
        "{out}"
    );
    assert!(out.lines().all(|l| l.contains(" ci-stub ")), "{out}");
    let (_, out, _) = d.kqlint(&["schema", "--list", "signinlogs", "-f", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "SigninLogs")
    );
    let (code, _, err) = d.kqlint(&["schema", "SigninLog"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `SigninLogs`?"), "{err}");
    // A user's schema (here a getschema export) shows as `user`.
    d.write(
        "schemas/Contoso_CL.csv",
        "ColumnName,ColumnType\nTimeGenerated,datetime\nMsg_s,string\n",
    );
    let (_, out, _) = d.kqlint(&["schema", "Contoso_CL", "--schema", "schemas"]);
    assert!(
        out.contains("source: user: schemas/Contoso_CL.csv — complete"),
        "{out}"
    );
}

#[test]
fn a_preview_tables_unknown_column_is_a_warning_that_says_why() {
    let d = Dir::new("know", "preview");
    // AgentsInfo is a preview table on Microsoft's page: a name the page
    // does not list may come from an earlier preview, not a mistake.
    d.write("q.kql", "AgentsInfo | project Timestamp, Name\n");
    let f = findings(&d, &["--platform", "defender", "q.kql"]);
    assert!(f.iter().all(|x| !x.starts_with("error")), "{f:?}");
    let out = concise_defender(&d, "q.kql");
    assert!(out.contains("warning[KQL116]"), "{out}");
    assert!(out.contains("preview"), "{out}");
    // A table that is not a preview keeps its error.
    d.write("r.kql", "DeviceInfo | project Timestamp, Name\n");
    let f = findings(&d, &["--platform", "defender", "r.kql"]);
    assert!(f.iter().any(|x| x.starts_with("error")), "{f:?}");
}

#[test]
fn columns_of_a_table_that_was_a_preview_until_recently_are_warnings() {
    let d = Dir::new("know", "formerly-preview");
    // MessageEvents' page said "(Preview)" in 2025-03 and no longer does;
    // queries of the preview (and Microsoft's own samples) use `ThreadType`,
    // which the page does not list.
    d.write(
        "q.kql",
        "MessageEvents | summarize count() by ThreadType, MessageFormatType\n",
    );
    let out = concise_defender(&d, "q.kql");
    assert!(out.contains("warning[KQL116]"), "{out}");
    assert!(out.contains("preview table until recently"), "{out}");
    assert!(!out.contains("error["), "{out}");
}

#[test]
fn identity_infos_source_provider_is_a_retired_column() {
    let d = Dir::new("know", "retired-identity");
    // The 2024-04 IdentityInfo page listed `SourceProvider` (string); the
    // unified identity schema has `SourceProviders` (dynamic).
    d.write(
        "q.kql",
        "IdentityInfo | where SourceProvider == \"Hybrid\"\n",
    );
    let out = concise_defender(&d, "q.kql");
    assert!(out.contains("warning[KQL120]"), "{out}");
    // A name no version listed stays an error.
    d.write("r.kql", "IdentityInfo | where IdentityId == \"x\"\n");
    let f = findings(&d, &["--platform", "defender", "r.kql"]);
    assert!(f.iter().any(|x| x.starts_with("error")), "{f:?}");
}

#[test]
fn seen_by_adds_its_column() {
    let d = Dir::new("know", "seenby");
    d.write(
        "q.kql",
        "DeviceInfo\n| where OnboardingStatus != \"Onboarded\"\n| invoke SeenBy()\n| project DeviceId, DeviceName, SeenBy\n",
    );
    let f = findings(&d, &["--platform", "defender", "q.kql"]);
    assert!(f.iter().all(|x| !x.starts_with("error")), "{f:?}");
}

#[test]
fn a_rule_format_template_is_noted_not_checked() {
    let d = Dir::new("know", "template");
    d.write(
        "ExplorationQueryTemplate.yaml",
        "Id: guid\nDisplayName: string\nDescription: string\nInputEntityType: string\n\
         QueryPeriodBefore: time\nquery: |\n\n  string\n",
    );
    let (code, out, _) = d.kqlint(&[
        "check",
        "--isolated",
        "-f",
        "concise",
        "ExplorationQueryTemplate.yaml",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("KQL430"), "{out}");
    assert!(!out.contains("error"), "{out}");
}
