//! `kqlint fmt` end to end: `--check`, `--diff`, writing in place (a query
//! file, a rule YAML file, Markdown fences, an ARM template), standard
//! input, a rule whose query is not a block scalar, and the layout taken
//! from kqlint.toml's `[format]` with the flags over it.

mod common;
use common::Dir;

const KQL: &str = "T | where a==1 | take 1\n";
const KQL_FORMATTED: &str = "T\n| where a == 1\n| take 1\n";
const RULE: &str = "id: x # keep me\nname: r\nquery: |\n  T | join kind=inner (U | where b>2) on a\nseverity:   High\n";
const RULE_FORMATTED: &str = "id: x # keep me\nname: r\nquery: |\n  T\n  | join kind=inner (\n      U\n      | where b > 2\n  ) on a\nseverity:   High\n";

fn dir(name: &str) -> Dir {
    let d = Dir::new("fmt", name);
    d.write("q.kql", KQL);
    d.write("rules/r.yaml", RULE);
    d
}

#[test]
fn check_lists_files_and_writes_nothing() {
    let d = dir("check");
    let (code, out, err) = d.kqlint(&["fmt", "--check", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("would reformat q.kql"), "{out}");
    assert!(out.contains("r.yaml"), "{out}");
    assert_eq!(d.read("q.kql"), KQL);
    assert_eq!(d.read("rules/r.yaml"), RULE);
}

#[test]
fn diff_shows_changes_and_writes_nothing() {
    let d = dir("diff");
    let (code, out, err) = d.kqlint(&["fmt", "--diff", "q.kql", "rules/r.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("--- a/q.kql\n+++ b/q.kql"), "{out}");
    assert!(out.contains("+| where a == 1"), "{out}");
    assert!(out.contains("+      | where b > 2"), "{out}");
    assert_eq!(d.read("q.kql"), KQL);
    assert_eq!(d.read("rules/r.yaml"), RULE);
}

#[test]
fn formats_in_place_keeping_the_yaml_around_the_query() {
    let d = dir("write");
    let (code, _, err) = d.kqlint(&["fmt", "."]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(d.read("q.kql"), KQL_FORMATTED);
    assert_eq!(d.read("rules/r.yaml"), RULE_FORMATTED);
    // and now nothing is left to do
    let (code, out, err) = d.kqlint(&["fmt", "--check", "."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

#[test]
fn stdin_goes_to_stdout() {
    let d = Dir::new("fmt", "stdin");
    let (code, out, _) = d.kqlint_stdin(&["fmt", "-"], Some(KQL));
    assert_eq!((code, out.as_str()), (0, KQL_FORMATTED));
}

#[test]
fn a_query_that_is_not_a_block_scalar_is_left_and_named() {
    let d = Dir::new("fmt", "plain");
    let rule = "query: T | where a==1\n";
    d.write("p.yaml", rule);
    let (code, _, err) = d.kqlint(&["fmt", "p.yaml"]);
    assert_eq!(code, 0);
    assert!(err.contains("not a `|` block scalar"), "{err}");
    assert_eq!(d.read("p.yaml"), rule);
}

#[test]
fn a_query_with_syntax_errors_is_left_and_named() {
    let d = Dir::new("fmt", "broken");
    d.write("b.kql", "T | where (a\n");
    let (code, _, err) = d.kqlint(&["fmt", "--check", "b.kql"]);
    assert_eq!(code, 0);
    assert!(err.contains("syntax error"), "{err}");
    assert_eq!(d.read("b.kql"), "T | where (a\n");
}

const WIDE: &str = "T | project TimeGenerated, Account, Computer, IpAddress\n";

#[test]
fn the_format_section_of_kqlint_toml_sets_the_layout_and_flags_override_it() {
    let d = Dir::new("fmt", "config");
    d.write(
        "kqlint.toml",
        "[format]\nline-width = 40\nindent-width = 2\npipe = \"trailing\"\n",
    );
    d.write("q.kql", WIDE);
    d.write("sub/q.kql", WIDE);
    let (code, _, err) = d.kqlint(&["fmt", "q.kql"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        d.read("q.kql"),
        "T |\nproject TimeGenerated,\n  Account,\n  Computer,\n  IpAddress\n"
    );
    // the flags win over the file
    let (code, _, err) = d.kqlint(&["fmt", "--line-width", "100", "--indent-width", "3", "sub"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        d.read("sub/q.kql"),
        "T |\nproject TimeGenerated, Account, Computer, IpAddress\n"
    );
    // standard input takes the working directory's file; --isolated none
    let (_, out, _) = d.kqlint_stdin(&["fmt", "-"], Some("T | take 1\n"));
    assert_eq!(out, "T |\ntake 1\n");
    let (_, out, _) = d.kqlint_stdin(&["fmt", "--isolated", "-"], Some("T | take 1\n"));
    assert_eq!(out, "T\n| take 1\n");
}

#[test]
fn a_bad_format_section_stops_the_run() {
    let d = Dir::new("fmt", "badconfig");
    d.write("kqlint.toml", "[format]\nline-widht = 80\n");
    d.write("q.kql", KQL);
    let (code, _, err) = d.kqlint(&["fmt", "."]);
    assert_eq!(code, 2);
    assert!(
        err.contains("kqlint.toml:2:1")
            && err.contains("line-widht")
            && err.contains("`line-width`"),
        "{err}"
    );
    assert_eq!(d.read("q.kql"), KQL);
    let (code, _, err) = d.kqlint(&["fmt", "--line-width", "5", "q.kql"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("from 20 to 1000"), "{err}");
}

const MD: &str = "# Hunting\n\nSome *prose* | not KQL.\n\n```kql\nT | where a==1 | take 1\n```\n\n```\nU | where b==2\n```\n";
const ARM: &str = "{\n  \"resources\": [{\n    \"type\": \"Microsoft.SecurityInsights/alertRules\",\n    \"properties\": {\"query\": \"T | where a==\\u00271\\u0027 | take 1\", \"severity\": \"Low\"}\n  }]\n}\n";

#[test]
fn markdown_fences_and_arm_queries_are_formatted_in_place() {
    let d = Dir::new("fmt", "formats");
    d.write("README.md", MD);
    d.write("rule.json", ARM);
    d.write("package.json", "{\"name\": \"x\"}\n");
    let (code, out, err) = d.kqlint(&["fmt", "--check", "."]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("would reformat README.md") && out.contains("would reformat rule.json"));
    assert!(
        !out.contains("package.json") && err.is_empty(),
        "{out}{err}"
    );
    let (code, _, err) = d.kqlint(&["fmt", "."]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        d.read("README.md"),
        MD.replace("T | where a==1 | take 1", "T\n| where a == 1\n| take 1")
    );
    assert_eq!(
        d.read("rule.json"),
        ARM.replace(
            "T | where a==\\u00271\\u0027 | take 1",
            "T\\n| where a == \\u00271\\u0027\\n| take 1"
        )
    );
    assert_eq!(d.read("package.json"), "{\"name\": \"x\"}\n");
}

#[test]
fn formats_in_kqlint_toml_leaves_markdown_out_of_a_walk() {
    let d = Dir::new("fmt", "noformats");
    d.write("kqlint.toml", "[formats]\nmarkdown = false\n");
    d.write("README.md", MD);
    let (code, out, err) = d.kqlint(&["fmt", "--check", "."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    // named, it is formatted
    let (code, out, _) = d.kqlint(&["fmt", "--check", "README.md"]);
    assert_eq!(code, 1, "{out}");
}
