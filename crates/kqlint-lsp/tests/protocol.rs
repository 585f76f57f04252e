//! The server through the protocol, in process: lifecycle, synchronisation,
//! diagnostics (push and pull), positions and encodings, features, and
//! robustness against bad input.

mod common;

use common::*;
use serde_json::{Value, json};
use std::time::Duration;

const BROKEN_KQL: &str =
    "DeviceNetworkEvents\n| where (RemoteIP == \"1.2.3.4\"\n| project Timestamp\n";
/// A complete hunting query (no rule-metadata findings) whose query has one
/// syntax error, at line 5, column 30.
const RULE: &str = concat!(
    "id: 2b5e4b56-8f0f-4c8a-9d2a-5a1f7c3e9b10\nname: x\nquery: |\n  DeviceNetworkEvents\n",
    "  | where RemoteIP == \"ä\" and\n  | take 10\n",
    "description: Connections to one address.\n",
    "requiredDataConnectors:\n  - connectorId: MicrosoftThreatProtection\n    dataTypes:\n      - DeviceNetworkEvents\n",
    "tactics:\n  - Discovery\nrelevantTechniques:\n  - T1046\n"
);

#[test]
fn initialize_announces_capabilities_and_shutdown_exits_cleanly() {
    let (c, init) = TestClient::start(push_caps(), Value::Null);
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for cap in [
        "hoverProvider",
        "completionProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "codeActionProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} missing: {caps}");
    }
    assert!(
        caps["diagnosticProvider"].is_null(),
        "no pull for a push-only client"
    );
    assert_eq!(init["serverInfo"]["name"], "kqlint");
    assert_eq!(c.stop(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let (c, _) = TestClient::start(push_caps(), Value::Null);
    assert_eq!(c.exit_without_shutdown(), 1);
}

#[test]
fn pushes_the_cli_diagnostics_for_kql_and_rule_yaml_at_file_positions() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    c.open("file:///w/broken.kql", "kql", BROKEN_KQL);
    let d = c.diagnostics("file:///w/broken.kql", 1);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "KQL002");
    assert_eq!(d[0]["source"], "kqlint");
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[0]["range"], range(1, 30, 1, 30));
    assert_eq!(
        d[0]["message"],
        "expected `)` to close the `(` opened at 2:9 before the `|`\nhelp: add the missing `)` after the condition"
    );

    c.open("file:///w/rule.yaml", "yaml", RULE);
    let d = c.diagnostics("file:///w/rule.yaml", 1);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "KQL007");
    // line 5, column 30 in the CLI's 1-based characters
    assert_eq!(d[0]["range"], range(4, 29, 4, 29));

    // a YAML file that is not a rule gets nothing
    c.open(
        "file:///w/.github/workflow.yaml",
        "yaml",
        "on: push\njobs: {}\n",
    );
    let d = c.diagnostics("file:///w/.github/workflow.yaml", 1);
    assert!(d.is_empty(), "{d:?}");
    // nor does a language kqlint does not check
    c.open("file:///w/notes.txt", "plaintext", "T | where (");
    let d = c.diagnostics("file:///w/notes.txt", 1);
    assert!(d.is_empty());
    assert_eq!(c.stop(), 0);
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let mut caps = push_caps();
    caps["general"] = json!({"positionEncodings": ["utf-8", "utf-16"]});
    let (mut c, init) = TestClient::start(caps, Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    c.open("file:///w/rule.yaml", "yaml", RULE);
    let d = c.diagnostics("file:///w/rule.yaml", 1);
    // `ä` is two bytes: one column more than in characters or UTF-16
    assert_eq!(d[0]["range"], range(4, 30, 4, 30));
    // edits are read in bytes too: replace `ä` (bytes 23..25 of line 4)
    c.change(
        "file:///w/rule.yaml",
        2,
        json!([{"range": range(4, 23, 4, 25), "text": "b"}]),
    );
    let d = c.diagnostics("file:///w/rule.yaml", 2);
    assert_eq!(d[0]["range"], range(4, 29, 4, 29));
    assert_eq!(c.stop(), 0);
}

#[test]
fn incremental_edits_fix_and_break_the_query() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/q.kql";
    c.open(uri, "kql", BROKEN_KQL);
    assert_eq!(c.diagnostics(uri, 1).len(), 1);
    // close the parenthesis
    c.change(uri, 2, json!([{"range": range(1, 30, 1, 30), "text": ")"}]));
    assert!(c.diagnostics(uri, 2).is_empty());
    // out-of-range positions are clamped, not an error: appended at the end
    c.change(
        uri,
        3,
        json!([{"range": range(99, 0, 120, 4), "text": "| where"}]),
    );
    let d = c.diagnostics(uri, 3);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "KQL007");
    // full replacement
    c.change(uri, 4, json!([{"text": "print 1"}]));
    assert!(c.diagnostics(uri, 4).is_empty());
    // closing clears the diagnostics
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let p = c.wait_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["version"].is_null()
    });
    assert_eq!(p["diagnostics"], json!([]));
    assert_eq!(c.stop(), 0);
}

#[test]
fn debounced_edits_publish_only_the_newest_version() {
    let (mut c, _) = TestClient::start_with(push_caps(), Value::Null, Duration::from_millis(200));
    let uri = "file:///w/typing.kql";
    c.open(uri, "kql", "print x = 1");
    for v in 2..=31u32 {
        // type ` + 1 + 1 ...` at the end of the line; every other text is broken
        let end = 11 + 2 * (v - 2);
        c.change(
            uri,
            v.into(),
            json!([{"range": range(0, end, 0, end), "text": if v % 2 == 0 { " +" } else { " 1" }}]),
        );
    }
    let d = c.diagnostics(uri, 31);
    assert!(d.is_empty(), "{d:?}");
    // nothing was published for any version before 31 (version 1 was
    // superseded within the debounce delay as well)
    let stale: Vec<_> = c
        .notifications
        .iter()
        .filter(|n| n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri)
        .map(|n| n.params["version"].clone())
        .collect();
    assert!(stale.is_empty(), "stale publications: {stale:?}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn pull_diagnostics_for_clients_that_pull() {
    let mut caps = push_caps();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    let (mut c, init) = TestClient::start(caps, Value::Null);
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "kqlint"
    );
    let uri = "file:///w/broken.kql";
    c.open(uri, "kql", BROKEN_KQL);
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(r["kind"], "full");
    assert_eq!(r["items"][0]["code"], "KQL002");
    let id = r["resultId"].clone();
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": id}),
        )
        .unwrap();
    assert_eq!(r["kind"], "unchanged");
    // and no push
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(0, 3)}),
    )
    .unwrap();
    assert!(
        !c.notifications
            .iter()
            .any(|n| n.method == "textDocument/publishDiagnostics"),
        "pushed although the client pulls"
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn hover_on_table_column_function_and_action_type() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/h.kql";
    let text = "DeviceNetworkEvents\n| where ActionType == \"ConnectionSuccess\" and RemoteUrl has \"x\"\n| extend n = strlen(RemoteUrl)\n";
    c.open(uri, "kql", text);
    let hover = |c: &mut TestClient, line: u32, ch: u32| -> String {
        let r = c
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": pos(line, ch)}),
            )
            .unwrap();
        r["contents"]["value"].as_str().unwrap_or("").to_owned()
    };
    let table = hover(&mut c, 0, 5);
    assert!(table.contains("(table) **DeviceNetworkEvents**"), "{table}");
    assert!(table.contains("MicrosoftThreatProtection"), "{table}");
    let col = hover(&mut c, 1, 48);
    assert!(col.contains("(column) **RemoteUrl**: `string`"), "{col}");
    assert!(
        col.contains("Filled by ActionTypes:") && col.contains("`ConnectionSuccess`"),
        "{col}"
    );
    let at = hover(&mut c, 1, 28);
    assert!(at.contains("**ConnectionSuccess**"), "{at}");
    assert!(at.contains("Fills:") && at.contains("`RemoteIP`"), "{at}");
    let f = hover(&mut c, 2, 14);
    assert!(f.contains("strlen("), "{f}");
    assert!(f.contains("): long"), "{f}");
    // nothing under white space
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(3, 0)}),
        )
        .unwrap();
    assert!(r.is_null(), "{r}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn hover_shows_the_rule_docs_of_a_diagnostic() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/broken.kql";
    c.open(uri, "kql", BROKEN_KQL);
    let d = c.diagnostics(uri, 1);
    // a client that does not show `kqlint-docs:` documents links the web page
    let href = d[0]["codeDescription"]["href"].as_str().unwrap();
    assert!(href.ends_with("/rules/KQL002.html"), "{d:?}");
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(1, 30)}),
        )
        .unwrap();
    let v = r["contents"]["value"].as_str().unwrap();
    assert!(v.contains("**KQL002** `unclosed-delimiter`"), "{v}");
    assert!(v.contains("kqlint explain KQL002"), "{v}");
    let e = c
        .request("kqlint/explain", json!({"code": "unclosed-delimiter"}))
        .unwrap();
    assert!(
        e["text"]
            .as_str()
            .unwrap()
            .starts_with("KQL002 unclosed-delimiter")
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn rule_docs_are_linked_from_diagnostic_codes_for_clients_that_show_them() {
    let mut caps = push_caps();
    caps["experimental"] = json!({"kqlintDocs": true});
    let (mut c, _) = TestClient::start(caps, Value::Null);
    let uri = "file:///w/r.yaml";
    let text = "id: 1\nquery: |\n  let IP = \"IP ADDRESS GOES HERE\";\n  DeviceNetworkEvents | where RemoteIP == IP\n";
    c.open(uri, "yaml", text);
    let d = c.diagnostics(uri, 1);
    let placeholder = d.iter().find(|d| d["code"] == "KQL201").expect("KQL201");
    assert_eq!(
        placeholder["codeDescription"]["href"],
        "kqlint-docs:/rules/KQL201.md"
    );
    assert!(d.iter().all(|d| {
        d["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&format!("/{}.md", d["code"].as_str().unwrap())))
    }));
    // the hover leaves the rule's summary to that link
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(2, 14)}),
        )
        .unwrap();
    let v = h["contents"]["value"].as_str().unwrap_or("");
    assert!(!v.contains("KQL201"), "{v}");
    // what the link opens: the rule's Markdown documentation
    let e = c
        .request("kqlint/explain", json!({"code": "KQL201"}))
        .unwrap();
    let md = e["markdown"].as_str().unwrap();
    assert!(md.starts_with("# KQL201 `unfilled-placeholder`\n"), "{md}");
    assert!(
        md.contains("**What it does.**") && md.contains("**How to fix.**"),
        "{md}"
    );
    assert!(!md.contains("### KQL202"), "one rule only: {md}");
    // every rule has its section
    for code in ["KQL001", "KQL102", "KQL306", "KQL390"] {
        let e = c.request("kqlint/explain", json!({"code": code})).unwrap();
        let md = e["markdown"].as_str().unwrap();
        assert!(md.starts_with(&format!("# {code} `")), "{md}");
        assert!(!md.contains("```text"), "{code} fell back to plain text");
    }
    let e = c
        .request("kqlint/explain", json!({"code": "KQL000"}))
        .unwrap_err();
    assert_eq!(e.0, -32602);
    assert_eq!(c.stop(), 0);
}

#[test]
fn completion_of_operators_columns_tables_and_action_types() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/c.kql";
    c.open(uri, "kql", "DeviceNetworkEvents\n| where \n");
    let complete = |c: &mut TestClient, line: u32, ch: u32| {
        c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(line, ch)}),
        )
        .unwrap()
    };
    let r = complete(&mut c, 1, 8);
    let l = labels(&r);
    for col in [
        "RemoteIP",
        "RemoteUrl",
        "ActionType",
        "Timestamp",
        "InitiatingProcessFileName",
    ] {
        assert!(l.contains(&col.to_string()), "{col} missing from {l:?}");
    }
    assert!(l.contains(&"strlen".to_string()));
    assert!(
        !l.contains(&"count".to_string()),
        "aggregates only in summarize"
    );
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "RemoteIP")
        .unwrap();
    assert_eq!(item["detail"], "string");
    assert_eq!(item["kind"], 5, "field");

    // after `|`: operators
    c.change(uri, 2, json!([{"text": "DeviceNetworkEvents\n| "}]));
    let l = labels(&complete(&mut c, 1, 2));
    assert!(
        l.contains(&"where".to_string()) && l.contains(&"summarize".to_string()),
        "{l:?}"
    );
    // at the start: tables
    c.change(uri, 3, json!([{"text": "let x = 1;\nDevice"}]));
    let r = complete(&mut c, 1, 6);
    let l = labels(&r);
    assert!(
        l.contains(&"DeviceNetworkEvents".to_string()),
        "{}",
        l.len()
    );
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "DeviceNetworkEvents")
        .unwrap();
    assert_eq!(item["textEdit"]["range"], range(1, 0, 1, 6));
    // inside `ActionType == "`
    c.change(
        uri,
        4,
        json!([{"text": "DeviceNetworkEvents\n| where ActionType == \"Conn\""}]),
    );
    let r = complete(&mut c, 1, 26);
    let l = labels(&r);
    assert!(
        l.contains(&"ConnectionSuccess".to_string())
            && l.contains(&"InboundConnectionAccepted".to_string()),
        "{l:?}"
    );
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "ConnectionSuccess")
        .unwrap();
    assert_eq!(
        item["textEdit"]["range"],
        range(1, 23, 1, 27),
        "the text between the quotes"
    );
    assert_eq!(item["textEdit"]["newText"], "ConnectionSuccess");
    // `ActionType in ("a", ` and no quote yet
    c.change(
        uri,
        5,
        json!([{"text": "DeviceNetworkEvents\n| where ActionType in (\"ConnectionSuccess\", "}]),
    );
    let r = complete(&mut c, 1, 44);
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "ConnectionFailed")
        .unwrap();
    assert_eq!(item["textEdit"]["newText"], "\"ConnectionFailed\"");
    assert_eq!(c.stop(), 0);
}

#[test]
fn completion_and_hover_inside_rule_yaml() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/r.yaml";
    c.open(
        uri,
        "yaml",
        "id: 1\nquery: |\n  DeviceNetworkEvents\n  | where Rem\nname: x\n",
    );
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(3, 13)}),
        )
        .unwrap();
    let item = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "RemoteUrl")
        .unwrap();
    assert_eq!(item["textEdit"]["range"], range(3, 10, 3, 13));
    // outside the query: nothing
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(4, 2)}),
        )
        .unwrap();
    assert!(r.is_null(), "{r}");
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(2, 4)}),
        )
        .unwrap();
    assert_eq!(h["range"], range(2, 2, 2, 21));
    assert_eq!(c.stop(), 0);
}

#[test]
fn definition_references_and_symbols_of_lets() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/r.yaml";
    let text = "id: 1\nquery: |\n  let IP = \"1.2.3.4\";\n  DeviceNetworkEvents\n  | where RemoteIP == IP or LocalIP == IP\n";
    c.open(uri, "yaml", text);
    let at = |line, ch| json!({"textDocument": {"uri": uri}, "position": pos(line, ch)});
    let d = c.request("textDocument/definition", at(4, 22)).unwrap();
    assert_eq!(d["range"], range(2, 6, 2, 8));
    let mut p = at(2, 7);
    p["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", p).unwrap();
    let ranges: Vec<_> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"].clone())
        .collect();
    assert_eq!(
        ranges,
        [range(2, 6, 2, 8), range(4, 22, 4, 24), range(4, 39, 4, 41)]
    );
    let s = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(s[0]["name"], "IP");
    assert_eq!(s[0]["selectionRange"], range(2, 6, 2, 8));
    assert_eq!(s[1]["name"], "DeviceNetworkEvents");
    assert_eq!(s[1]["children"][0]["name"], "where");
    assert_eq!(c.stop(), 0);
}

/// The (line, character) of the `nth` occurrence of `needle` in an ASCII
/// text, plus `after` characters.
fn find(text: &str, needle: &str, nth: usize, after: usize) -> (u32, u32) {
    let i = text.match_indices(needle).nth(nth).expect(needle).0 + after;
    let line = text[..i].matches('\n').count() as u32;
    let col = (i - text[..i].rfind('\n').map_or(0, |n| n + 1)) as u32;
    (line, col)
}

/// The range of the `nth` occurrence of the word `word`.
fn word(text: &str, w: &str, nth: usize) -> Value {
    let (l, c) = find(text, w, nth, 0);
    range(l, c, l, c + w.len() as u32)
}

#[test]
fn definition_references_and_highlights_of_parameters_and_shadowing_lets() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/scopes.kql";
    let text = "let threshold = 5;\n\
        let Busy = (port: int) {\n\
        \x20   let threshold = port * 2;\n\
        \x20   DeviceNetworkEvents | where RemotePort > threshold and LocalPort == port\n\
        };\n\
        Busy(445)\n\
        | where RemotePort > threshold\n";
    c.open(uri, "kql", text);
    let at = |(l, ch): (u32, u32)| json!({"textDocument": {"uri": uri}, "position": pos(l, ch)});
    let def = |c: &mut TestClient, p: (u32, u32)| {
        c.request("textDocument/definition", at(p)).unwrap()["range"].clone()
    };
    // a function parameter, from its use in the body
    assert_eq!(def(&mut c, find(text, "port", 2, 2)), word(text, "port", 0));
    // the `let` in the body shadows the outer one there, and only there
    assert_eq!(
        def(&mut c, find(text, "threshold", 2, 1)),
        word(text, "threshold", 1)
    );
    assert_eq!(
        def(&mut c, find(text, "threshold", 3, 9)),
        word(text, "threshold", 0)
    );
    // a function, from its call
    assert_eq!(
        def(&mut c, find(text, "Busy(", 0, 1)),
        word(text, "Busy", 0)
    );
    // a table is not a `let`
    assert!(def(&mut c, find(text, "DeviceNetworkEvents", 0, 3)).is_null());

    let ranges = |v: &Value| -> Vec<Value> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| l["range"].clone())
            .collect()
    };
    let mut p = at(find(text, "port", 0, 0));
    p["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", p).unwrap();
    assert_eq!(
        ranges(&refs),
        [
            word(text, "port", 0),
            word(text, "port", 1),
            word(text, "port", 2)
        ]
    );
    // the outer `threshold`: the one use after the function
    let mut p = at(find(text, "threshold", 3, 0));
    p["context"] = json!({"includeDeclaration": false});
    let refs = c.request("textDocument/references", p).unwrap();
    assert_eq!(ranges(&refs), [word(text, "threshold", 3)]);

    let h = c
        .request(
            "textDocument/documentHighlight",
            at(find(text, "threshold", 1, 0)),
        )
        .unwrap();
    let h: Vec<_> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["range"].clone(), h["kind"].clone()))
        .collect();
    assert_eq!(
        h,
        [
            (word(text, "threshold", 1), json!(3)),
            (word(text, "threshold", 2), json!(2))
        ],
        "the inner `let`: written once, read once"
    );

    // hover on a parameter: its kind and type
    let hv = c
        .request("textDocument/hover", at(find(text, "port", 1, 1)))
        .unwrap();
    let v = hv["contents"]["value"].as_str().unwrap();
    assert!(v.starts_with("(parameter) `port`: `int`"), "{v}");
    assert!(v.contains("2 references"), "{v}");
    assert_eq!(c.stop(), 0);
}

#[test]
fn query_parameters_resolve_and_a_column_wins_over_a_let() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/params.kql";
    let text = "declare query_parameters(minPort: long = 1000);\n\
        let RemoteIP = \"10.0.0.1\";\n\
        DeviceNetworkEvents\n\
        | where RemotePort > minPort and RemoteIP == \"x\"\n";
    c.open(uri, "kql", text);
    let at = |(l, ch): (u32, u32)| json!({"textDocument": {"uri": uri}, "position": pos(l, ch)});
    let d = c
        .request("textDocument/definition", at(find(text, "minPort", 1, 3)))
        .unwrap();
    assert_eq!(d["range"], word(text, "minPort", 0));
    // `RemoteIP` in the `where` is DeviceNetworkEvents' column: KQL looks a
    // name up in the row first, so it is no reference of the `let`
    let d = c
        .request("textDocument/definition", at(find(text, "RemoteIP", 1, 3)))
        .unwrap();
    assert!(d.is_null(), "{d}");
    let mut p = at(find(text, "RemoteIP", 0, 0));
    p["context"] = json!({"includeDeclaration": false});
    let refs = c.request("textDocument/references", p).unwrap();
    assert_eq!(refs, json!([]));
    assert_eq!(c.stop(), 0);
}

#[test]
fn bad_requests_get_errors_and_the_server_keeps_serving() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/q.kql";
    c.open(uri, "kql", "print 1");
    let e = c
        .request("textDocument/signatureHelp", json!({}))
        .unwrap_err();
    assert_eq!(e.0, -32601, "method not found");
    let e = c
        .request("textDocument/hover", json!({"textDocument": 3}))
        .unwrap_err();
    assert_eq!(e.0, -32602, "invalid params");
    let e = c
        .request("initialize", json!({"capabilities": {}}))
        .unwrap_err();
    assert_eq!(e.0, -32600);
    // notifications with bad parameters and unknown ones are ignored
    c.notify("textDocument/didChange", json!({"textDocument": "x"}));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nope.kql", "version": 2}, "contentChanges": []}),
    );
    c.notify("$/unknown", json!(null));
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": 7}}));
    // positions past the end of the document
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(4_000_000, 4_000_000)}),
        )
        .unwrap();
    assert!(r.is_null());
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 99)}),
        )
        .unwrap();
    assert!(!labels(&r).is_empty());
    // a document that is not open
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///x.kql"}, "position": pos(0, 0)}),
        )
        .unwrap();
    assert!(r.is_null());
    // still serving
    c.change(uri, 2, json!([{"range": range(0, 7, 0, 7), "text": " +"}]));
    assert_eq!(c.diagnostics(uri, 2).len(), 1);
    // after shutdown, requests are refused
    c.request("shutdown", Value::Null).unwrap();
    let e = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos(0, 0)}),
        )
        .unwrap_err();
    assert_eq!(e.0, -32600);
    c.notify("exit", Value::Null);
}

#[test]
fn a_10_mb_document_is_checked_and_the_server_keeps_serving() {
    // A debug build needs more than the analysis's time budget for 10 MB.
    let (mut c, _) = TestClient::start_options(
        push_caps(),
        Value::Null,
        kqlint_lsp::Options {
            debounce: Duration::ZERO,
            analysis_budget: Duration::from_secs(600),
            ..Default::default()
        },
    );
    let line = "| where RemoteUrl has \"contoso\" and RemotePort == 443\n";
    let mut text = String::from("DeviceNetworkEvents\n");
    while text.len() < 10_000_000 {
        text.push_str(line);
    }
    text.push_str("| where (");
    let big = "file:///w/big.kql";
    c.open(big, "kql", &text);
    let small = "file:///w/small.kql";
    c.open(small, "kql", "print (");
    // generous: every check stage runs over 10 MB, in a debug build
    let slow = Duration::from_secs(300);
    let p = c.wait_notification_for(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == big && p["version"] == 1,
        slow,
    );
    let d = p["diagnostics"].as_array().cloned().unwrap_or_default();
    let last = text.lines().count() as u32 - 1;
    assert_eq!(d.len(), 1, "{:?}", &d[..d.len().min(3)]);
    assert_eq!(d[0]["code"], "KQL007");
    assert_eq!(d[0]["range"]["start"]["line"], last);
    assert_eq!(c.diagnostics(small, 1).len(), 1);
    // an edit at the very end of the big document: `| where (true)`
    c.change(
        big,
        2,
        json!([{"range": range(last, 9, last, 9), "text": "true)"}]),
    );
    // checked again in full: the same generous wait
    let p = c.wait_notification_for(
        "textDocument/publishDiagnostics",
        |p| p["uri"] == big && p["version"] == 2,
        slow,
    );
    assert_eq!(p["diagnostics"], json!([]));
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": big}, "position": pos(0, 3)}),
        )
        .unwrap();
    assert!(
        r["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("DeviceNetworkEvents")
    );
    assert_eq!(c.stop(), 0);
}

#[test]
fn settings_changes_recheck_open_documents() {
    let dir = std::env::temp_dir().join(format!("kqlint-lsp-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("MyTable_CL.json"),
        r#"{"Name": "MyTable_CL", "Properties": [{"Name": "Field_s", "Type": "String"}]}"#,
    )
    .unwrap();
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/custom.kql";
    c.open(uri, "kql", "MyTable_CL\n| where ");
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(1, 8)}),
        )
        .unwrap();
    assert!(!labels(&r).contains(&"Field_s".to_string()));
    c.diagnostics(uri, 1);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kqlint": {"configPath": null, "schemaDirs": [dir.to_string_lossy()]}}}),
    );
    // checked again with the new settings
    c.diagnostics(uri, 1);
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(1, 8)}),
        )
        .unwrap();
    assert!(
        labels(&r).contains(&"Field_s".to_string()),
        "{:?}",
        labels(&r)
    );
    // a change of kqlint.toml checks again too
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": "file:///w/kqlint.toml", "type": 2}]}),
    );
    c.diagnostics(uri, 1);
    assert_eq!(c.stop(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Decoded semantic tokens: (line, start, length, type, modifiers), with the
/// names of the legend the server announced.
fn semantic_tokens(
    c: &mut TestClient,
    init: &Value,
    uri: &str,
    range: Option<Value>,
) -> Vec<(u32, u32, u32, String, Vec<String>)> {
    let legend = &init["capabilities"]["semanticTokensProvider"]["legend"];
    let name = |list: &str, i: u64| legend[list][i as usize].as_str().unwrap().to_owned();
    let r = match range {
        None => c.request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        ),
        Some(range) => c.request(
            "textDocument/semanticTokens/range",
            json!({"textDocument": {"uri": uri}, "range": range}),
        ),
    }
    .unwrap();
    let data: Vec<u64> = r["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    let (mut line, mut col) = (0u32, 0u32);
    let mut out = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0] as u32;
            col = 0;
        }
        col += t[1] as u32;
        let mods = (0..3)
            .filter(|b| t[4] & (1 << b) != 0)
            .map(|b| name("tokenModifiers", b))
            .collect();
        out.push((line, col, t[2] as u32, name("tokenTypes", t[3]), mods));
    }
    out
}

/// The text of each token (positions in UTF-16 code units).
fn token_texts(
    text: &str,
    toks: &[(u32, u32, u32, String, Vec<String>)],
) -> Vec<(String, String, Vec<String>)> {
    let lines: Vec<Vec<u16>> = text.lines().map(|l| l.encode_utf16().collect()).collect();
    toks.iter()
        .map(|(l, c, n, ty, m)| {
            let units = &lines[*l as usize][*c as usize..(*c + *n) as usize];
            (String::from_utf16(units).unwrap(), ty.clone(), m.clone())
        })
        .collect()
}

#[test]
fn semantic_tokens_classify_names_with_the_semantic_analysis() {
    let (mut c, init) = TestClient::start(push_caps(), Value::Null);
    let legend = &init["capabilities"]["semanticTokensProvider"];
    assert_eq!(legend["full"], true);
    assert_eq!(legend["range"], true);
    let uri = "file:///w/tokens.kql";
    let text = "// brute force\n\
        let Threshold = 5;\n\
        let f = (n: long) { n + 1 };\n\
        DeviceNetworkEvents\n\
        | where RemotePort > Threshold and RemoteUrl has \"contoso\"\n\
        | extend Len = strlen(RemoteUrl), N = f(RemotePort)\n\
        | project-away RemoteIP\n";
    c.open(uri, "kql", text);
    let toks = semantic_tokens(&mut c, &init, uri, None);
    let got = token_texts(text, &toks);
    let t = |s: &str, ty: &str, m: &[&str]| {
        (
            s.to_owned(),
            ty.to_owned(),
            m.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        )
    };
    let want = vec![
        t("// brute force", "comment", &[]),
        t("let", "keyword", &[]),
        t("Threshold", "variable", &["declaration", "readonly"]),
        t("5", "number", &[]),
        t("let", "keyword", &[]),
        t("f", "function", &["declaration", "readonly"]),
        t("n", "parameter", &["declaration"]),
        t("long", "type", &[]),
        t("n", "parameter", &[]),
        t("+", "operator", &[]),
        t("1", "number", &[]),
        t("DeviceNetworkEvents", "class", &[]),
        t("|", "operator", &[]),
        t("where", "keyword", &[]),
        t("RemotePort", "property", &[]),
        t(">", "operator", &[]),
        t("Threshold", "variable", &["readonly"]),
        t("and", "operator", &[]),
        t("RemoteUrl", "property", &[]),
        t("has", "operator", &[]),
        t("\"contoso\"", "string", &[]),
        t("|", "operator", &[]),
        t("extend", "keyword", &[]),
        t("Len", "property", &["declaration"]),
        t("strlen", "function", &["defaultLibrary"]),
        t("RemoteUrl", "property", &[]),
        t("N", "property", &["declaration"]),
        t("f", "function", &[]),
        t("RemotePort", "property", &[]),
        t("|", "operator", &[]),
        t("project-away", "keyword", &[]),
        t("RemoteIP", "property", &[]),
    ];
    assert_eq!(got, want);
    assert_eq!(c.stop(), 0);
}

#[test]
fn semantic_tokens_in_rule_yaml_cover_only_the_query_in_either_encoding() {
    let text = "id: 1\nname: ä rule # a comment\nquery: |\n  // ä\n  DeviceNetworkEvents\n  | where RemoteUrl has \"ä\" and RemotePort == 443\ndescription: x\n";
    for utf8 in [false, true] {
        let mut caps = push_caps();
        if utf8 {
            caps["general"] = json!({"positionEncodings": ["utf-8"]});
        }
        let (mut c, init) = TestClient::start(caps, Value::Null);
        let uri = "file:///w/rule.yaml";
        c.open(uri, "yaml", text);
        let toks = semantic_tokens(&mut c, &init, uri, None);
        let lines: Vec<u32> = toks.iter().map(|t| t.0).collect();
        assert!(
            lines.iter().all(|l| (3..=5).contains(l)),
            "tokens outside the query: {toks:?}"
        );
        let find = |ty: &str, line: u32| {
            toks.iter()
                .filter(|t| t.3 == ty && t.0 == line)
                .map(|t| (t.1, t.2))
                .collect::<Vec<_>>()
        };
        // `// ä`: 4 characters, 5 bytes
        assert_eq!(find("comment", 3), [(2, if utf8 { 5 } else { 4 })]);
        assert_eq!(find("class", 4), [(2, 19)]);
        // after `"ä"` the columns differ by one between UTF-16 and UTF-8
        let shift = u32::from(utf8);
        assert_eq!(find("property", 5), [(10, 9), (32 + shift, 10)]);
        assert_eq!(find("string", 5), [(24, 3 + shift)]);
        if !utf8 {
            assert_eq!(token_texts(text, &toks).len(), toks.len());
        }
        // a range: only the tokens of the `| where` line
        let r = semantic_tokens(&mut c, &init, uri, Some(range(5, 0, 6, 0)));
        assert!(!r.is_empty() && r.iter().all(|t| t.0 == 5), "{r:?}");
        assert_eq!(r.len(), toks.iter().filter(|t| t.0 == 5).count());
        assert_eq!(c.stop(), 0);
    }
}

#[test]
fn formatting_a_query_file_and_a_rule_yaml() {
    let (mut c, init) = TestClient::start(push_caps(), Value::Null);
    assert_eq!(init["capabilities"]["documentFormattingProvider"], true);
    let format = |c: &mut TestClient, uri: &str| -> Value {
        c.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .unwrap()
    };
    // a query file: one edit with `kqlint fmt`'s layout (not the tab size)
    let kql = "file:///w/messy.kql";
    c.open(
        kql,
        "kql",
        "SigninLogs|where  ResultType==\"0\"|project a,b\n",
    );
    let edits = format(&mut c, kql);
    assert_eq!(edits.as_array().unwrap().len(), 1, "{edits}");
    assert_eq!(
        edits[0]["newText"],
        "SigninLogs\n| where ResultType == \"0\"\n| project a, b\n"
    );
    // formatted text gets no edit
    c.change(
        kql,
        2,
        json!([{"text": "SigninLogs\n| where ResultType == \"0\"\n"}]),
    );
    assert_eq!(format(&mut c, kql), json!([]));
    // a rule: the query is formatted inside its block, the YAML kept
    let rule = "file:///w/rules/r.yaml";
    c.open(
        rule,
        "yaml",
        "name: R\nquery: |\n  SigninLogs|where ResultType==\"0\"\nseverity: Low\n",
    );
    let edits = format(&mut c, rule);
    assert_eq!(
        edits[0]["newText"],
        "name: R\nquery: |\n  SigninLogs\n  | where ResultType == \"0\"\nseverity: Low\n"
    );
    // a query with a syntax error is left alone
    c.change(kql, 3, json!([{"text": "SigninLogs | where (\n"}]));
    assert_eq!(format(&mut c, kql), json!([]));
    assert_eq!(c.stop(), 0);
}

#[test]
fn range_formatting_formats_the_statements_the_range_touches() {
    let (mut c, init) = TestClient::start(push_caps(), Value::Null);
    assert_eq!(
        init["capabilities"]["documentRangeFormattingProvider"],
        true
    );
    let format = |c: &mut TestClient, uri: &str, r: Value| -> Value {
        c.request(
            "textDocument/rangeFormatting",
            json!({"textDocument": {"uri": uri}, "range": r,
                   "options": {"tabSize": 2, "insertSpaces": true}}),
        )
        .unwrap()
    };
    // a query file of three statements; the range is inside the second
    let kql = "file:///w/three.kql";
    c.open(
        kql,
        "kql",
        "let a = 1+2;\nlet b = 3+4;\nT|where x==a // keep\n",
    );
    let edits = format(&mut c, kql, range(1, 9, 1, 10));
    assert_eq!(
        edits,
        json!([{"range": range(1, 0, 1, 12), "newText": "let b = 3 + 4;"}])
    );
    // the range spans the last two: both, whole lines (its comment too)
    let edits = format(&mut c, kql, range(1, 3, 2, 2));
    assert_eq!(
        edits,
        json!([{"range": range(1, 0, 2, 20), "newText": "let b = 3 + 4;\nT\n| where x == a // keep"}])
    );
    // in a rule: the query's statement, re-indented in its block
    let rule = "file:///w/rules/r.yaml";
    c.open(
        rule,
        "yaml",
        "name: R\nquery: |\n  let a = 1+2;\n  T|where x==a\nseverity: Low\n",
    );
    let edits = format(&mut c, rule, range(3, 4, 3, 4));
    assert_eq!(
        edits,
        json!([{"range": range(3, 2, 3, 14), "newText": "T\n  | where x == a"}])
    );
    // formatted text, and a document with a syntax error, get no edit
    c.change(kql, 2, json!([{"text": "let a = 1 + 2;\nT\n| take 1\n"}]));
    assert_eq!(format(&mut c, kql, range(0, 0, 2, 0)), json!([]));
    c.change(kql, 3, json!([{"text": "let a = 1+2;\nT | where (\n"}]));
    assert_eq!(format(&mut c, kql, range(0, 0, 0, 1)), json!([]));
    assert_eq!(c.stop(), 0);
}

#[test]
fn formatting_follows_the_format_section_of_kqlint_toml() {
    let dir = std::env::temp_dir().join(format!("kqlint-lsp-fmt-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kqlint.toml"), "[format]\npipe = \"trailing\"\n").unwrap();
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = format!("file://{}/q.kql", dir.display());
    c.open(&uri, "kql", "T | take 1\n");
    let edits = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
        .unwrap();
    assert_eq!(edits[0]["newText"], "T |\ntake 1\n", "{edits}");
    assert_eq!(c.stop(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
