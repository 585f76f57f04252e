//! The command-line conveniences of issue 16, end to end: --statistics,
//! --diff, --show-fixes, --fix and --stdin-filename on standard input,
//! --exit-zero, --fail-on, --quiet, the summary's fixable and baselined
//! counts, --version, completions and the man page, every configuration
//! error at once, explain's suggestion, same-line suppressions and the
//! documentation links of SARIF reports.

use std::process::Command;

mod common;

use common::Dir;

/// A query with two safe fixes (an unused let, an obsolete function: opt-in,
/// selected with --extend-select) and nothing else.
const FIXABLE: &str = "let unused = 1;\nSecurityEvent\n| summarize makeset(Account) by Computer\n";
const FIXED: &str = "SecurityEvent\n| summarize make_set(Account) by Computer\n";
const OBSOLETE: [&str; 2] = ["--extend-select", "obsolete-function"];

/// A Sentinel rule with a YAML-only problem (no `description`, KQL401) and
/// an unfilled placeholder (KQL201, an error).
const RULE: &str = "id: 3e1f6b8c-1234-4abc-9def-0123456789ab\nname: Connections to a bad IP\nquery: |\n  let ip = \"IP ADDRESS GOES HERE\";\n  DeviceNetworkEvents\n  | where Timestamp > ago(1d) and RemoteIP == ip\n";

#[test]
fn statistics_count_findings_per_rule_with_the_fixable_ones() {
    let d = Dir::new("conv", "stats");
    d.write("a.kql", FIXABLE);
    d.write("b.kql", "let unused = 1;\nprint 1\n");
    let (code, out, _) = d.kqlint(&["check", "--statistics", OBSOLETE[0], OBSOLETE[1], "."]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "2  KQL306  unused-let         warning  [*] fixable\n1  KQL305  obsolete-function  info     [*] fixable\n3 findings in all; [*] 3 fixable with `kqlint check --fix`\n"
    );
    let (_, out, _) = d.kqlint(&["check", "--statistics", "-f", "json", "."]);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["code"], "KQL306");
    assert_eq!(rows[0]["count"], 2);
    assert_eq!(rows[0]["fixable"], 2);
    let (code, _, err) = d.kqlint(&["check", "--statistics", "-f", "sarif", "."]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn diff_shows_what_fix_would_change_and_writes_nothing() {
    let d = Dir::new("conv", "diff");
    d.write("q.kql", FIXABLE);
    d.write("clean.kql", FIXED);
    let (code, out, err) = d.kqlint(&["check", "--diff", OBSOLETE[0], OBSOLETE[1], "."]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "--- a/q.kql\n+++ b/q.kql\n@@ -1,3 +1,2 @@\n-let unused = 1;\n SecurityEvent\n-| summarize makeset(Account) by Computer\n+| summarize make_set(Account) by Computer\n"
    );
    assert!(err.contains("2 fixes in 1 file would be applied"), "{err}");
    assert_eq!(d.read("q.kql"), FIXABLE);
    // Nothing to change: status 0, no output; --exit-zero keeps 0 anyway.
    let (code, out, _) = d.kqlint(&["check", "--diff", "clean.kql"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(
        d.kqlint(&[
            "check",
            "--diff",
            "--exit-zero",
            OBSOLETE[0],
            OBSOLETE[1],
            "q.kql"
        ])
        .0,
        0
    );
    // --diff cannot be combined with --fix.
    assert_eq!(d.kqlint(&["check", "--diff", "--fix", "q.kql"]).0, 2);
}

#[test]
fn show_fixes_previews_and_lists_applied_fixes() {
    let d = Dir::new("conv", "show-fixes");
    d.write("q.kql", FIXABLE);
    let (code, out, _) = d.kqlint(&[
        "check",
        "--show-fixes",
        "-f",
        "concise",
        OBSOLETE[0],
        OBSOLETE[1],
        "q.kql",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("fixes `kqlint check --fix` would apply:\nq.kql: 2 fixes\n  1:5  KQL306 unused-let: Delete the unused `let unused`\n  3:13  KQL305 obsolete-function: Rename `makeset` to `make_set`\n"),
        "{out}"
    );
    assert_eq!(d.read("q.kql"), FIXABLE);
    let (code, out, _) = d.kqlint(&[
        "check",
        "--fix",
        "--show-fixes",
        "-f",
        "concise",
        OBSOLETE[0],
        OBSOLETE[1],
        "q.kql",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("fixes applied:\nq.kql: 2 fixes\n"), "{out}");
    assert_eq!(d.read("q.kql"), FIXED);
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    let d = Dir::new("conv", "fix-stdin");
    let (code, out, err) = d.kqlint_stdin(
        &["check", "--fix", OBSOLETE[0], OBSOLETE[1], "-"],
        Some(FIXABLE),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, FIXED);
    assert!(err.contains("no problems found"), "{err}");
    // What is left is reported on standard error and sets the status.
    let (code, out, err) = d.kqlint_stdin(
        &["check", "--fix", "-f", "concise", "-"],
        Some("let unused = 1;\nT | where x == \"URL GOES HERE\"\n"),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "T | where x == \"URL GOES HERE\"\n");
    assert!(err.contains("-:1:16: error[KQL201]"), "{err}");
    // --diff on standard input.
    let (code, out, _) = d.kqlint_stdin(
        &["check", "--diff", "-"],
        Some("let unused = 1;\nprint 1\n"),
    );
    assert_eq!(code, 1);
    assert!(out.contains("-let unused = 1;\n"), "{out}");
    // With other inputs it is refused rather than half done.
    d.write("q.kql", FIXABLE);
    assert_eq!(
        d.kqlint_stdin(&["check", "--fix", "-", "q.kql"], Some("print 1"))
            .0,
        2
    );
}

/// Before --stdin-filename, a rule on standard input was parsed as KQL
/// (`id:` a syntax error) and no configuration of its path applied.
#[test]
fn stdin_filename_reads_a_rule_as_yaml_with_its_configuration() {
    let d = Dir::new("conv", "stdin-filename");
    d.write("rules/kqlint.toml", "[rules]\nignore = [\"KQL401\"]\n");
    let (code, out, err) = d.kqlint_stdin(
        &["check", "-f", "concise", "--stdin-filename", "rules/r.yaml"],
        Some(RULE),
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("rules/r.yaml:4:12: error[KQL201]"), "{out}");
    assert!(!out.contains("KQL001"), "parsed as KQL: {out}");
    // The nearest kqlint.toml of that path applies (KQL401 ignored there).
    assert!(!out.contains("KQL401"), "{out}");
    let (_, out, _) = d.kqlint_stdin(
        &["check", "-f", "concise", "--stdin-filename", "r.yaml", "-"],
        Some(RULE),
    );
    assert!(out.contains("r.yaml:1:1: warning[KQL401]"), "{out}");
    // Per-path ignores match the name given.
    d.write(
        "kqlint.toml",
        "[per-path-ignores]\n\"legacy/**\" = [\"placeholder\"]\n",
    );
    let (code, out, _) = d.kqlint_stdin(
        &[
            "check",
            "-f",
            "concise",
            "--stdin-filename",
            "legacy/r.yaml",
        ],
        Some(RULE),
    );
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("KQL201"), "{out}");
}

#[test]
fn exit_zero_fail_on_and_quiet() {
    let d = Dir::new("conv", "exit");
    d.write("warn.kql", "let unused = 1;\nprint 1\n");
    d.write("err.kql", "print x = \"URL GOES HERE\"\n");
    assert_eq!(d.kqlint(&["check", "warn.kql"]).0, 0);
    assert_eq!(
        d.kqlint(&["check", "--fail-on", "warning", "warn.kql"]).0,
        1
    );
    assert_eq!(d.kqlint(&["check", "--fail-on", "info", "warn.kql"]).0, 1);
    assert_eq!(d.kqlint(&["check", "--fail-on", "error", "warn.kql"]).0, 0);
    assert_eq!(d.kqlint(&["check", "err.kql"]).0, 1);
    assert_eq!(d.kqlint(&["check", "--exit-zero", "err.kql"]).0, 0);
    // A report that cannot be written still fails.
    assert_eq!(
        d.kqlint(&["check", "--exit-zero", "-o", "no/such/dir/r.txt", "err.kql"])
            .0,
        2
    );
    let (_, out, _) = d.kqlint(&["check", "--color", "never", "err.kql"]);
    assert!(
        out.contains("kqlint: 1 error, 0 warnings in 1 of 1 file."),
        "{out}"
    );
    let (_, out, err) = d.kqlint(&["check", "--quiet", "--color", "never", "err.kql"]);
    assert!(
        out.contains("KQL201") && !out.contains("kqlint: 1 error"),
        "{out}"
    );
    assert_eq!(err, "");
    let (_, out, err) = d.kqlint(&["check", "-q", "--fix", "warn.kql"]);
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    assert_eq!(d.read("warn.kql"), "print 1\n");
}

#[test]
fn the_summary_counts_fixable_and_baselined_findings() {
    let d = Dir::new("conv", "summary");
    d.write("q.kql", FIXABLE);
    let (_, out, _) = d.kqlint(&[
        "check",
        "--color",
        "never",
        OBSOLETE[0],
        OBSOLETE[1],
        "q.kql",
    ]);
    assert!(
        out.ends_with("kqlint: 0 errors, 1 warning, 1 info in 1 of 1 file; 2 fixable with `kqlint check --fix`.\n"),
        "{out}"
    );
    assert_eq!(
        d.kqlint(&["check", "--write-baseline", "b.json", "q.kql"])
            .0,
        0
    );
    d.write("q.kql", &format!("{FIXABLE}| where Computer == \"TODO\"\n"));
    let (code, out, _) = d.kqlint(&["check", "--color", "never", "--baseline", "b.json", "q.kql"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.ends_with("kqlint: 1 error, 0 warnings in 1 of 1 file; 1 hidden by the baseline.\n"),
        "{out}"
    );
    let (_, out, _) = d.kqlint(&["check", "-f", "json", "--baseline", "b.json", "q.kql"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["baselined"], 1);
    assert_eq!(v["summary"]["fixable"], 0);
}

#[test]
fn version_names_the_commit_and_completions_and_man_page_are_generated() {
    let d = Dir::new("conv", "version");
    let (code, out, _) = d.kqlint(&["--version"]);
    assert_eq!(code, 0);
    let head = Command::new("git")
        .args(["log", "-1", "--format=%h", "--abbrev=9"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    assert!(
        out.starts_with(&format!("kqlint {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    if let Some(head) = head.filter(|_| std::env::var_os("KQLINT_COMMIT").is_none()) {
        // Built from this checkout: the commit is HEAD's (or, with
        // uncommitted changes being tested, HEAD's all the same).
        assert!(out.contains(&format!("({head} ")), "{out} vs {head}");
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = d.kqlint(&["completions", shell]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("stdin-filename"), "{shell}: {out}");
    }
    let (code, out, _) = d.kqlint(&["man"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(".ie") || out.contains(".TH kqlint 1"),
        "{out}"
    );
    assert!(
        out.contains(".SH NAME") && out.contains("completions"),
        "{out}"
    );
}

#[test]
fn every_configuration_error_is_reported() {
    let d = Dir::new("conv", "config-errors");
    d.write(
        "a/kqlint.toml",
        "platform = \"splunk\"\n[rules]\nselect = [\"unknown-colum\"]\n",
    );
    d.write("b/kqlint.toml", "[rules.severity]\nlint = \"loud\"\n");
    d.write("a/q.kql", "print 1\n");
    d.write("b/q.kql", "print 1\n");
    let (code, out, err) = d.kqlint(&["check", "."]);
    assert_eq!(code, 2, "{out}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].contains("a/kqlint.toml:3:11: `rules.select`: `unknown-colum` is not a rule code, rule name, category or `all` (did you mean `unknown-column` (KQL102)?"), "{err}");
    assert!(
        lines[1].contains("a/kqlint.toml:1:12: `platform`: unknown platform `splunk`"),
        "{err}"
    );
    assert!(
        lines[2].contains("b/kqlint.toml:2:8: `rules.severity.lint`: `loud` is not a severity"),
        "{err}"
    );
}

#[test]
fn explain_suggests_the_nearest_rule_and_links_its_page() {
    let d = Dir::new("conv", "explain");
    let (code, _, err) = d.kqlint(&["explain", "unfilled-placehodler"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean `KQL201` (unfilled-placeholder)?"),
        "{err}"
    );
    let (code, out, _) = d.kqlint(&["explain", "KQL201"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Documentation: https://kqlint.github.io/kqlint/rules/KQL201.html"),
        "{out}"
    );
}

#[test]
fn a_same_line_comment_silences_that_line_only() {
    let d = Dir::new("conv", "same-line");
    d.write(
        "q.kql",
        "let a = 1; // kqlint-disable-line unused-let\nlet b = 2;\nprint 1 // kqlint-disable-line KQL201\n",
    );
    let (_, out, _) = d.kqlint(&["check", "-f", "concise", "q.kql"]);
    assert_eq!(
        out,
        "q.kql:2:5: warning[KQL306] `b` is defined but never used\nq.kql:3:32: warning[KQL390] `KQL201` suppresses nothing: kqlint reports no `KQL201` on line 3\n"
    );
    // In rule YAML, a `#` comment after a value.
    let rule = RULE.replacen("\n", "  # kqlint-disable-line KQL401\n", 1);
    d.write("r.yaml", &rule);
    let (_, out, _) = d.kqlint(&["check", "-f", "concise", "r.yaml"]);
    assert!(out.contains("KQL201") && !out.contains("KQL401"), "{out}");
    d.write("r.yaml", RULE);
    let (_, out, _) = d.kqlint(&["check", "-f", "concise", "r.yaml"]);
    assert!(out.contains("r.yaml:1:1: warning[KQL401]"), "{out}");
}

#[test]
fn sarif_links_each_rule_and_fingerprints_each_result() {
    let d = Dir::new("conv", "sarif");
    d.write("q.kql", "print a = \"TODO\",\n  b = \"TODO\"\n");
    let (_, out, _) = d.kqlint(&["check", "-f", "sarif", "q.kql"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let run = &v["runs"][0];
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        assert_eq!(
            rule["helpUri"],
            format!("https://kqlint.github.io/kqlint/rules/{id}.html")
        );
    }
    let fps: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(fps.len(), 2);
    assert_ne!(fps[0], fps[1]);
    // A line added above does not change them.
    d.write("q.kql", "// new\nprint a = \"TODO\",\n  b = \"TODO\"\n");
    let (_, out2, _) = d.kqlint(&["check", "-f", "sarif", "q.kql"]);
    let v2: serde_json::Value = serde_json::from_str(&out2).unwrap();
    let fps2: Vec<String> = v2["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(fps, fps2);
}
