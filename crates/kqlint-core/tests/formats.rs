//! Our fixtures of each form that holds KQL besides query files and rule
//! YAML (`fixtures/formats/`): Markdown, ARM templates and a solution
//! package, Defender XDR custom detection rules, the PascalCase rule YAML,
//! Bicep with a linked `.kql`, and one rule in two forms. Each file's
//! findings are snapshotted with their exact line and column in the file,
//! and the queries of multi-query files with where they start, their label
//! and their platform.

use kqlint_core::{Engine, EngineOptions, FileReport, Target};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/formats")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixtures/formats")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn render(out: &mut String, r: &FileReport) {
    let _ = writeln!(out, "{}", r.path);
    for q in &r.queries {
        let _ = writeln!(
            out,
            "  query at {}:{}{}{}",
            q.line,
            q.column,
            q.label
                .as_deref()
                .map_or(String::new(), |l| format!(" \"{l}\"")),
            q.platform
                .as_deref()
                .map_or(String::new(), |p| format!(" ({p})")),
        );
    }
    if r.diagnostics.is_empty() {
        let _ = writeln!(out, "  (no findings)");
    }
    for d in &r.diagnostics {
        let at = r.position(d.span.start);
        let end = r.position(d.span.end);
        let _ = writeln!(
            out,
            "  {}:{}-{}:{} {} {} {}: {}",
            at.line, at.column, end.line, end.column, d.code, d.name, d.severity, d.message
        );
    }
}

fn check_dir(sub: &str) -> String {
    let root = fixtures();
    let mut paths = Vec::new();
    files(&root.join(sub), &mut paths);
    // Found by walking, as `kqlint check DIR` finds them.
    let targets: Vec<Target> = paths
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            Target::file(p.clone(), rel, false)
        })
        .collect();
    let engine = Engine::new(EngineOptions::isolated()).unwrap();
    let mut reports = engine.check_targets(&targets);
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = String::new();
    for r in &reports {
        render(&mut out, r);
    }
    out
}

#[test]
fn markdown() {
    insta::assert_snapshot!(check_dir("markdown"));
}

#[test]
fn arm_templates_and_solution_packages() {
    insta::assert_snapshot!(check_dir("arm"));
}

#[test]
fn defender_xdr_detection_rules() {
    insta::assert_snapshot!(check_dir("defender"));
}

#[test]
fn pascal_case_rule_yaml() {
    insta::assert_snapshot!(check_dir("pascal"));
}

#[test]
fn bicep_and_the_kql_it_loads() {
    insta::assert_snapshot!(check_dir("bicep"));
}

#[test]
fn one_rule_in_two_forms_is_reported_once() {
    insta::assert_snapshot!(check_dir("copies"));
}
