//! Our own rule fixtures (`fixtures/rules/<check>/`): for every check a
//! failing and a passing file, each file's diagnostics snapshotted with
//! their line and column in the file.
//!
//! `fail*.yaml` must produce the check named by its folder, `pass*.yaml`
//! must produce nothing at all (Defender XDR custom detection rules may be
//! `.json`, the Graph API's form, as well). The duplicate-id folders are checked as one
//! run; `kinds/` shows how each kind of file is recognised.
//!
//! Facts about the query (for the cross-checks) come from
//! `common::facts_of`; kqlint-core's tests run the same files with the
//! semantic checker.

use kql_schema::ScalarType;
use kqlint_diagnostics::{Diagnostic, LineIndex};
use kqlint_source::{Limits, Source, SourceKind};
use sentinel_rules::{
    IdEntry, QueryFacts, RULES, ResultColumn, RuleCheck, check_detection_rule, check_source,
    duplicate_ids,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    kqlint_testkit::repo_root().join("fixtures/rules")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("fixture dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

mod common;
use common::facts_of;

struct Checked {
    rel: String,
    text: String,
    check: RuleCheck,
}

fn check_file(path: &Path) -> Checked {
    let rel = path
        .strip_prefix(fixtures_dir())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    // The path as a repository would hold it: folders decide kinds.
    let kind = SourceKind::from_path(path).unwrap_or(SourceKind::Yaml);
    let source = Source::load_as(path, kind, &Limits::default());
    assert!(
        source.diagnostics.is_empty(),
        "{rel}: not a clean file: {:?}",
        source.diagnostics
    );
    let facts = facts_of(&source);
    let root = source.yaml.as_ref().expect("a parsed file");
    // A Defender XDR custom detection rule (JSON or YAML), one per fixture.
    let check = match kqlint_source::arm::defender_rules(root) {
        Some(rules) => {
            assert_eq!(rules.len(), 1, "{rel}: one detection rule per fixture");
            check_detection_rule(
                &source.path,
                source.text.as_deref().unwrap_or_default(),
                root,
                &rules[0],
                facts.as_ref(),
            )
            .expect("a detection rule")
        }
        None => check_source(&source, facts.as_ref()).expect("a rule file"),
    };
    Checked {
        rel,
        text: source.text.clone().unwrap(),
        check,
    }
}

fn render(out: &mut String, rel: &str, text: &str, kind: &str, diags: &[Diagnostic]) {
    let index = LineIndex::new(text);
    let _ = writeln!(out, "{rel} ({kind})");
    if diags.is_empty() {
        let _ = writeln!(out, "  (no findings)");
    }
    for d in diags {
        let lc = index.line_col_chars(text, d.span.start);
        let _ = writeln!(
            out,
            "  {}:{} {} {} {}: {}",
            lc.line + 1,
            lc.col + 1,
            d.code,
            d.name,
            d.severity,
            d.message
        );
        for l in &d.labels {
            let lc = index.line_col_chars(text, l.span.start);
            let _ = writeln!(
                out,
                "      label {}:{}: {}",
                lc.line + 1,
                lc.col + 1,
                l.message
            );
        }
        if let Some(h) = &d.help {
            let _ = writeln!(out, "      help: {h}");
        }
    }
}

fn expect_outcome(rel: &str, check_name: &str, diags: &[Diagnostic]) {
    let file = rel.rsplit('/').next().unwrap();
    if file.starts_with("fail") {
        assert!(
            diags.iter().any(|d| d.name == check_name),
            "{rel}: expected {check_name}, got {diags:#?}"
        );
    } else if file.starts_with("pass") {
        assert!(
            diags.is_empty(),
            "{rel}: expected no findings, got {diags:#?}"
        );
    }
}

#[test]
fn every_check_has_fixtures_and_snapshots() {
    let dir = fixtures_dir();
    let mut folders: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/rules")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    // Every check has a folder with a failing and a passing file.
    for meta in RULES {
        assert!(
            folders.iter().any(|f| f == meta.name),
            "no fixtures for {} {}",
            meta.code,
            meta.name
        );
        let files = files_under(&dir.join(meta.name));
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("fail"))
                && names.iter().any(|n| n.starts_with("pass")),
            "{}: needs fail* and pass* files (.yaml, or .json for Defender XDR rules), has {names:?}",
            meta.name
        );
    }
    for folder in folders {
        let files = files_under(&dir.join(&folder));
        let checked: Vec<Checked> = files.iter().map(|p| check_file(p)).collect();
        let mut per_file: Vec<Vec<Diagnostic>> = checked
            .iter()
            .map(|c| c.check.diagnostics.clone())
            .collect();
        if folder.starts_with("duplicate-rule") {
            let entries: Vec<IdEntry<'_>> = checked
                .iter()
                .filter_map(|c| {
                    let id = c.check.id.as_ref()?;
                    let line = LineIndex::new(&c.text).line_of(id.span.start) + 1;
                    Some(IdEntry {
                        file: &c.rel,
                        id,
                        line,
                    })
                })
                .collect();
            let file_of: Vec<usize> = checked
                .iter()
                .enumerate()
                .filter(|(_, c)| c.check.id.is_some())
                .map(|(i, _)| i)
                .collect();
            for (i, d) in duplicate_ids(&entries) {
                per_file[file_of[i]].push(d);
            }
        }
        let mut out = String::new();
        for (c, diags) in checked.iter().zip(&per_file) {
            if folder != "kinds" {
                expect_outcome(&c.rel, &folder, diags);
            }
            render(&mut out, &c.rel, &c.text, c.check.kind.as_str(), diags);
        }
        insta::assert_snapshot!(folder.clone(), out);
    }
}

#[test]
fn seed_rules() {
    // Seed 003: a complete, valid hunting query whose tactic and technique
    // are single values. No rule error; T1219 fits CommandAndControl.
    let yaml = kqlint_testkit::seed_yaml(3);
    let source = Source::from_text(
        "Hunting Queries/Microsoft 365 Defender/RemoteManagementMonitoring/rmm_Action1_netconn.yaml",
        yaml,
        SourceKind::Yaml,
        &Limits::default(),
    );
    let facts = QueryFacts {
        partial: None,
        result_columns: Some(
            [
                "DeviceId",
                "DeviceName",
                "RemoteUrl",
                "FirstSeen",
                "LastSeen",
                "Report",
                "Count",
            ]
            .iter()
            .map(|c| ResultColumn::new(*c, Some(ScalarType::String)))
            .collect(),
        ),
        open: false,
        tables: vec!["DeviceNetworkEvents".into()],
        ..QueryFacts::default()
    };
    let check = check_source(&source, Some(&facts)).unwrap();
    assert_eq!(check.kind, sentinel_rules::RuleKind::Hunting);
    let names: Vec<&str> = check.diagnostics.iter().map(|d| d.name).collect();
    assert!(
        check
            .diagnostics
            .iter()
            .all(|d| d.severity != kqlint_diagnostics::Severity::Error),
        "{:#?}",
        check.diagnostics
    );
    // The single values are accepted with a warning each, nothing else.
    assert_eq!(names, ["single-value-for-list", "single-value-for-list"]);

    // Seeds 000 and 001 (hunting queries with placeholders, not ours to
    // report): whatever they hold, checking them never fails.
    for n in [0, 1] {
        let yaml = kqlint_testkit::seed_yaml(n);
        let source = Source::from_text("seed.yaml", yaml, SourceKind::Yaml, &Limits::default());
        let check = check_source(&source, None).unwrap();
        let mut out = String::new();
        render(
            &mut out,
            &format!("seed {n:03}"),
            source.text.as_deref().unwrap(),
            check.kind.as_str(),
            &check.diagnostics,
        );
        insta::assert_snapshot!(format!("seed-{n:03}"), out);
    }
}
