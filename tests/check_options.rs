//! `kqlint check`'s configuration, fix and baseline options, end to end.

mod common;

use common::Dir;

const Q: &str = "let ip = \"IP ADDRESS GOES HERE\";\nlet unused = 1;\nDeviceNetworkEvents\n| where Timestamp > ago(1d) and RemoteIP == ip\n";

#[test]
fn a_bad_configuration_stops_the_run_with_its_file_line_and_key() {
    let d = Dir::new("opts", "bad-config");
    d.write(
        "kqlint.toml",
        "[rules]\nselect = [\"all\"]\n\n[rules.severity]\nunused-let = \"loud\"\n",
    );
    d.write("q.kql", Q);
    let (code, out, err) = d.kqlint(&["check", "-f", "concise", "."]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty());
    assert_eq!(
        err,
        "kqlint: error: ./kqlint.toml:5:14: `rules.severity.unused-let`: `loud` is not a severity: use \"error\", \"warning\" or \"info\"\n"
    );
    d.write("kqlint.toml", "[rule]\nselect = [\"all\"]\n");
    let (code, _, err) = d.kqlint(&["check", "q.kql"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("kqlint.toml:1:2: `rule`: unknown field `rule`, expected one of `rules`"),
        "{err}"
    );
    // --isolated does not read it; --config names another file.
    assert_eq!(d.kqlint(&["check", "--isolated", "q.kql"]).0, 1);
    d.write("other.toml", "[rules]\nignore = [\"placeholder\"]\n");
    let (code, out, _) = d.kqlint(&["check", "--config", "other.toml", "-f", "concise", "q.kql"]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "q.kql:2:5: warning[KQL306] `unused` is defined but never used\n"
        )
    );
    let (code, _, err) = d.kqlint(&["check", "--config", "missing.toml", "q.kql"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing.toml: cannot read the configuration"),
        "{err}"
    );
}

#[test]
fn select_and_ignore_on_the_command_line() {
    let d = Dir::new("opts", "select");
    d.write("q.kql", Q);
    let lines = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["check", "--isolated", "-f", "concise"];
        a.extend_from_slice(args);
        a.push("q.kql");
        d.kqlint(&a)
            .1
            .lines()
            .map(|l| l.split(' ').nth(1).unwrap().to_owned())
            .collect()
    };
    assert_eq!(lines(&[]), ["error[KQL201]", "warning[KQL306]"]);
    assert_eq!(lines(&["--select", "lint"]), ["warning[KQL306]"]);
    assert_eq!(
        lines(&["--ignore", "unused-let,KQL201"]),
        Vec::<String>::new()
    );
    // Opt-in rules are named to run.
    d.write("t.kql", "SecurityEvent\n| take 10\n");
    let (_, out, _) = d.kqlint(&[
        "check",
        "--isolated",
        "-f",
        "concise",
        "--select",
        "all",
        "t.kql",
    ]);
    assert_eq!(out, "");
    let (_, out, _) = d.kqlint(&[
        "check",
        "--isolated",
        "-f",
        "concise",
        "--extend-select",
        "take-without-sort",
        "t.kql",
    ]);
    assert!(out.contains("info[KQL309]"), "{out}");
    let (code, _, err) = d.kqlint(&["check", "--isolated", "--ignore", "KQL3999", "q.kql"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`--ignore`: `KQL3999` is not a rule code"),
        "{err}"
    );
    let (code, _, err) = d.kqlint(&["check", "--schema", "no-such-dir", "q.kql"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--schema no-such-dir: not a directory"),
        "{err}"
    );
}

#[test]
fn fix_applies_safe_fixes_once() {
    let d = Dir::new("opts", "fix");
    d.write(
        "rules/r.yaml",
        "id: 1\nquery: |\n  let threshold = 5;\n  SecurityEvent\n  | where TimeGenerated > ago(1d)\n  | where tolower(Account) == \"contoso\\\\admin\" and Activity matches regex \"logged on\"\n  | summarize makeset(Computer)\n",
    );
    // (Only the query rules: the fixture is not a complete rule.)
    let only = ["--select", "lint,placeholder"];
    let (code, out, err) = d.kqlint(
        &[
            &["check", "--isolated", "--fix", "-f", "concise"][..],
            &only,
            &["."],
        ]
        .concat(),
    );
    assert_eq!(err, "kqlint: applied 4 fixes in 1 file\n");
    assert_eq!((code, out.as_str()), (0, ""));
    let fixed = d.read("rules/r.yaml");
    assert_eq!(
        fixed,
        "id: 1\nquery: |\n  SecurityEvent\n  | where TimeGenerated > ago(1d)\n  | where Account =~ \"contoso\\\\admin\" and Activity contains_cs \"logged on\"\n  | summarize make_set(Computer)\n"
    );
    let (code, _, err) = d.kqlint(&[&["check", "--isolated", "--fix"][..], &only, &["."]].concat());
    assert_eq!(
        (code, err.as_str()),
        (0, "kqlint: applied 0 fixes in 0 files\n")
    );
    assert_eq!(d.read("rules/r.yaml"), fixed);
}

#[test]
fn a_baseline_reports_only_new_findings() {
    let d = Dir::new("opts", "baseline");
    d.write("rules/q.kql", Q);
    let (code, out, err) = d.kqlint(&[
        "check",
        "--isolated",
        "--write-baseline",
        "kqlint-baseline.json",
        "rules",
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(
        err,
        "kqlint: recorded 2 findings in the baseline kqlint-baseline.json\n"
    );
    let (code, out, _) = d.kqlint(&[
        "check",
        "--isolated",
        "--baseline",
        "kqlint-baseline.json",
        "-f",
        "concise",
        ".",
    ]);
    assert_eq!((code, out.as_str()), (0, ""));
    // From another directory, after lines moved: still known.
    d.write("rules/q.kql", &format!("// moved down\n{Q}"));
    let (code, out, _) = common::run(
        &d.0.join("rules"),
        &[
            "check",
            "--isolated",
            "--baseline",
            "../kqlint-baseline.json",
            "-f",
            "concise",
            "q.kql",
        ],
        None,
    );
    assert_eq!((code, out.as_str()), (0, ""));
    d.write("rules/q.kql", &format!("let url = \"URL GOES HERE\";\n{Q}"));
    let (code, out, _) = d.kqlint(&[
        "check",
        "--isolated",
        "--baseline",
        "kqlint-baseline.json",
        "-f",
        "concise",
        ".",
    ]);
    // The new `let` is unused: KQL306, and its template value is KQL203
    // (a warning: the query runs without it), so the run passes.
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.starts_with("rules/q.kql:1:5: warning[KQL306] `url`"),
        "{out}"
    );
    assert!(out.contains("warning[KQL203]"), "{out}");
    let (code, _, err) = d.kqlint(&["check", "--baseline", "nope.json", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read the baseline nope.json"), "{err}");
}

#[test]
fn rules_and_explain_show_opt_in_rules() {
    let d = Dir::new("opts", "rules");
    let (_, out, _) = d.kqlint(&["rules"]);
    let line = out.lines().find(|l| l.starts_with("KQL309")).unwrap();
    assert!(line.ends_with("[opt-in]"), "{line}");
    let (_, out, _) = d.kqlint(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entry = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "KQL309")
        .unwrap();
    assert_eq!(entry["opt_in"], true);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|e| e["opt_in"].is_boolean())
    );
    let (code, out, _) = d.kqlint(&["explain", "unfilled-placeholder"]);
    assert_eq!(code, 0);
    for needed in [
        "KQL201 unfilled-placeholder",
        "What it does",
        "Example (reported)",
        "How to fix",
        "kqlint-disable-next-line KQL201",
    ] {
        assert!(out.contains(needed), "{needed}:\n{out}");
    }
}
