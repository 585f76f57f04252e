//! `kqlint check --skip-non-rules`: named files are treated like files found
//! by walking a directory, so the pre-commit hook (which names every matching
//! file) says nothing about YAML files that are not rules.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `kqlint check -f concise ARGS` in the repository root; (exit code, stdout).
fn check(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kqlint"))
        .current_dir(root())
        .arg("check")
        .args(["--format", "concise", "--color", "never"])
        .args(args)
        .output()
        .expect("run kqlint");
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kqlint-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn named_non_rule_yaml_is_reported_by_default_and_skipped_with_the_flag() {
    let dir = temp_dir("skip-non-rules");
    let workflow = dir.join(".github/workflows/ci.yml");
    write(
        &workflow,
        "name: CI\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
    );
    let list = dir.join("list.yaml");
    write(&list, "- a\n- b\n");
    let empty = dir.join("empty.yaml");
    write(&empty, "");
    let named = [
        workflow.to_str().unwrap(),
        list.to_str().unwrap(),
        empty.to_str().unwrap(),
    ];

    let (code, out) = check(&named);
    assert_eq!(code, 0, "{out}");
    for path in named {
        assert!(out.contains(&format!("{path}:1:1: warning[")), "{out}");
    }

    let (code, out) = check(&[&["--skip-non-rules"][..], &named].concat());
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "", "nothing to report about files that are not rules");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_flag_still_checks_rules_and_query_files() {
    let dir = temp_dir("skip-non-rules-rules");
    let rule = dir.join("rule.yaml");
    write(
        &rule,
        "id: 1\nname: broken\nquery: |\n  DeviceNetworkEvents\n  | summarise count()\n",
    );
    let kql = dir.join("q.kql");
    write(&kql, "DeviceNetworkEvents\n| where (RemotePort == 1\n");
    let empty_query = dir.join("empty-query.yaml");
    write(&empty_query, "name: x\nquery: ''\n");
    let (code, out) = check(&[
        "--skip-non-rules",
        rule.to_str().unwrap(),
        kql.to_str().unwrap(),
        empty_query.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let rule_line = format!("{}:5:5: error[KQL006]", rule.display());
    assert!(out.contains(&rule_line), "{out}");
    assert!(out.contains(&format!("{}:", kql.display())), "{out}");
    // A rule whose query is empty is a rule: it is reported, not skipped.
    assert!(
        out.contains(&format!("{}:2:8: error[KQL090]", empty_query.display())),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_flag_does_not_hide_missing_paths() {
    let (code, out) = check(&["--skip-non-rules", "no/such/rule.yaml"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("no/such/rule.yaml:"), "{out}");
}
