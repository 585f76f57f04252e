//! The language server's conveniences of issue 16: the configuration is
//! read again when `kqlint.toml` is saved or a document is opened (not only
//! on file-watch notifications, which Neovim 0.11 on Linux never sends),
//! "disable for this line" and "fix all" code actions, and diagnostics
//! linking their rule's web page.

mod common;

use common::{TestClient, push_caps, range};
use kqlint_testkit::TempDir;
use serde_json::{Value, json};
use std::path::Path;

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

const QUERY: &str = "let unused = 1;\nSecurityEvent\n| summarize makeset(Account) by Computer\n";

/// A client that never watches files (like Neovim 0.11 on Linux).
fn no_watch_caps() -> Value {
    let mut caps = push_caps();
    caps["workspace"]["didChangeWatchedFiles"] = json!({"dynamicRegistration": false});
    caps
}

#[test]
fn saving_the_config_file_checks_open_documents_again() {
    let dir = TempDir::new("lsp-conv-save");
    let config = dir.write("kqlint.toml", "[rules]\nignore = [\"unused-let\"]\n");
    let q = dir.write("q.kql", QUERY);
    let (mut c, _) = TestClient::start(no_watch_caps(), Value::Null);
    c.open(&uri(&q), "kql", QUERY);
    assert!(!codes(&c.diagnostics(&uri(&q), 1)).contains(&"KQL306".to_owned()));
    std::fs::write(&config, "[rules]\nignore = []\n").unwrap();
    // The editor saves kqlint.toml: no file-watch notification follows.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    let again = c.diagnostics(&uri(&q), 1);
    assert!(codes(&again).contains(&"KQL306".to_owned()), "{again:?}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn opening_a_document_reads_a_changed_config_again() {
    let dir = TempDir::new("lsp-conv-open");
    let config = dir.write("kqlint.toml", "[rules]\nignore = [\"unused-let\"]\n");
    let q = dir.write("q.kql", QUERY);
    let r = dir.write("r.kql", "let other = 1;\nprint 1\n");
    let (mut c, _) = TestClient::start(no_watch_caps(), Value::Null);
    c.open(&uri(&q), "kql", QUERY);
    assert!(!codes(&c.diagnostics(&uri(&q), 1)).contains(&"KQL306".to_owned()));
    // Edited outside the editor (or in a buffer the server does not see).
    std::fs::write(&config, "[rules]\nselect = [\"all\"]\n").unwrap();
    c.open(&uri(&r), "kql", "let other = 1;\nprint 1\n");
    let r_diags = c.diagnostics(&uri(&r), 1);
    assert!(
        codes(&r_diags).contains(&"KQL306".to_owned()),
        "{r_diags:?}"
    );
    let q_diags = c.diagnostics(&uri(&q), 1);
    assert!(
        codes(&q_diags).contains(&"KQL306".to_owned()),
        "{q_diags:?}"
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn editing_a_document_reads_a_changed_config_again() {
    // Neovim sends no didSave for kqlint.toml (the server is attached to
    // kql and yaml buffers only) and no file-watch notification on Linux.
    let dir = TempDir::new("lsp-conv-change");
    let config = dir.write("kqlint.toml", "[rules]\nignore = [\"unused-let\"]\n");
    let q = dir.write("q.kql", QUERY);
    let (mut c, _) = TestClient::start(no_watch_caps(), Value::Null);
    c.open(&uri(&q), "kql", QUERY);
    assert!(!codes(&c.diagnostics(&uri(&q), 1)).contains(&"KQL306".to_owned()));
    std::fs::write(&config, "[rules]\nignore = []\n").unwrap();
    let edited = format!("{QUERY}| take 10\n");
    c.change(&uri(&q), 2, json!([{"text": edited}]));
    let again = c.diagnostics(&uri(&q), 2);
    assert!(codes(&again).contains(&"KQL306".to_owned()), "{again:?}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn diagnostics_link_the_rule_page() {
    let dir = TempDir::new("lsp-conv-href");
    let q = dir.write("q.kql", QUERY);
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    c.open(&uri(&q), "kql", QUERY);
    let diags = c.diagnostics(&uri(&q), 1);
    let d = diags.iter().find(|d| d["code"] == "KQL306").unwrap();
    let href = d["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.starts_with("https://") && href.ends_with("/rules/KQL306.html"),
        "{href}"
    );
    assert_eq!(c.stop(), 0);
}

fn actions(c: &mut TestClient, u: &str, r: Value, only: Option<Value>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(only) = only {
        context["only"] = only;
    }
    c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": r, "context": context}),
    )
    .unwrap()
    .as_array()
    .cloned()
    .unwrap_or_default()
}

fn edits(action: &Value, u: &str) -> Vec<Value> {
    action["edit"]["changes"][u].as_array().cloned().unwrap()
}

#[test]
fn disable_for_this_line_and_fix_all_code_actions() {
    let dir = TempDir::new("lsp-conv-actions");
    dir.write(
        "kqlint.toml",
        "[rules]\nextend-select = [\"obsolete-function\"]\n",
    );
    let q = dir.write("q.kql", QUERY);
    let u = uri(&q);
    let (mut c, init) = TestClient::start(push_caps(), Value::Null);
    let kinds = &init["capabilities"]["codeActionProvider"]["codeActionKinds"];
    assert!(
        kinds
            .as_array()
            .unwrap()
            .contains(&json!("source.fixAll.kqlint")),
        "{kinds}"
    );
    assert_eq!(
        init["capabilities"]["textDocumentSync"]["save"],
        json!(true)
    );
    c.open(&u, "kql", QUERY);
    c.diagnostics(&u, 1);
    // On `makeset` (line 3): its fix, fix-all, and disable-for-this-line.
    let list = actions(&mut c, &u, range(2, 13, 2, 13), None);
    let titles: Vec<&str> = list.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(
        titles.contains(&"Rename `makeset` to `make_set`"),
        "{titles:?}"
    );
    let fix_all = list
        .iter()
        .find(|a| a["title"] == "Fix all safe fixes in this file (2 fixes)")
        .unwrap_or_else(|| panic!("{titles:?}"));
    assert_eq!(fix_all["kind"], "quickfix");
    assert_eq!(
        edits(fix_all, &u)[0]["newText"],
        "SecurityEvent\n| summarize make_set(Account) by Computer\n"
    );
    let disable = list
        .iter()
        .find(|a| a["title"] == "Disable KQL305 (obsolete-function) for this line")
        .unwrap_or_else(|| panic!("{titles:?}"));
    let e = &edits(disable, &u)[0];
    assert_eq!(e["newText"], " // kqlint-disable-line KQL305");
    assert_eq!(e["range"], range(2, 40, 2, 40));
    // The source action alone, as editors ask for it on save.
    let list = actions(
        &mut c,
        &u,
        range(0, 0, 0, 0),
        Some(json!(["source.fixAll"])),
    );
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["kind"], "source.fixAll.kqlint");
    // Applying the disable edit silences the finding.
    let silenced = QUERY.replace(
        "by Computer\n",
        "by Computer // kqlint-disable-line KQL305\n",
    );
    c.change(&u, 2, json!([{"text": silenced}]));
    let diags = c.diagnostics(&u, 2);
    assert!(!codes(&diags).contains(&"KQL305".to_owned()), "{diags:?}");
    assert!(!codes(&diags).contains(&"KQL390".to_owned()), "{diags:?}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn hover_and_completion_see_the_tables_of_kqlint_toml_schema_dirs() {
    // One analysis: the check's catalogue (kqlint.toml's `[schema] dirs`)
    // is what hover and completion read, not a second one of the editor's
    // settings only.
    let dir = TempDir::new("lsp-conv-schemadirs");
    std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
    dir.write(
        "schemas/Zebra_CL.json",
        r#"{"Name":"Zebra_CL","Properties":[{"Name":"TimeGenerated","Type":"datetime"},{"Name":"ZebraStripe_s","Type":"string"}]}"#,
    );
    dir.write("kqlint.toml", "[schema]\ndirs = [\"schemas\"]\n");
    let text = "Zebra_CL\n| where ZebraStripe_s == \"x\"\n| where \n";
    let q = dir.write("q.kql", text);
    let (mut c, _) = TestClient::start(no_watch_caps(), Value::Null);
    c.open(&uri(&q), "kql", text);
    // the unfinished `| where` is the only finding: the table and its
    // column are known to the check
    assert_eq!(codes(&c.diagnostics(&uri(&q), 1)), ["KQL007"]);
    let hover = |c: &mut TestClient, line: u32, ch: u32| -> String {
        let r = c
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri(&q)}, "position": {"line": line, "character": ch}}),
            )
            .unwrap();
        r["contents"]["value"].as_str().unwrap_or("").to_owned()
    };
    let table = hover(&mut c, 0, 3);
    assert!(table.contains("Zebra_CL"), "{table:?}");
    let column = hover(&mut c, 1, 12);
    assert!(
        column.contains("ZebraStripe_s") && column.contains("string"),
        "{column:?}"
    );
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(&q)}, "position": {"line": 2, "character": 8}}),
        )
        .unwrap();
    let labels: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"ZebraStripe_s"), "{labels:?}");
    assert_eq!(c.stop(), 0);
}
