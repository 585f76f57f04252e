//! One analysis per document version: diagnostics, hover, completion,
//! definition, symbols and semantic tokens of a snapshot all read the
//! analysis its check made. Its own test binary, so that no other test
//! analyses queries in this process while the count is read.

mod common;

use common::{TestClient, pos, push_caps};
use serde_json::{Value, json};

#[test]
fn every_feature_of_a_snapshot_reads_its_one_analysis() {
    let (mut c, _) = TestClient::start(push_caps(), Value::Null);
    let uri = "file:///w/one.kql";
    let text =
        "let lookback = 1d;\nDeviceNetworkEvents\n| where Timestamp > ago(lookback)\n| where \n";
    let before = kqlint_core::analyses_run();
    c.open(uri, "kql", text);
    c.diagnostics(uri, 1);
    let doc = json!({"uri": uri});
    for (method, params) in [
        (
            "textDocument/hover",
            json!({"textDocument": doc, "position": pos(1, 5)}),
        ),
        (
            "textDocument/hover",
            json!({"textDocument": doc, "position": pos(2, 10)}),
        ),
        (
            "textDocument/completion",
            json!({"textDocument": doc, "position": pos(3, 8)}),
        ),
        (
            "textDocument/definition",
            json!({"textDocument": doc, "position": pos(2, 28)}),
        ),
        (
            "textDocument/references",
            json!({"textDocument": doc, "position": pos(0, 6), "context": {"includeDeclaration": true}}),
        ),
        ("textDocument/documentSymbol", json!({"textDocument": doc})),
        (
            "textDocument/semanticTokens/full",
            json!({"textDocument": doc}),
        ),
    ] {
        c.request(method, params)
            .unwrap_or_else(|e| panic!("{method}: {e:?}"));
    }
    assert_eq!(kqlint_core::analyses_run() - before, 1);
    // A new version is analysed once more, however many requests follow.
    c.change(uri, 2, json!([{"text": text.replace("1d", "2d")}]));
    c.diagnostics(uri, 2);
    c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": pos(2, 10)}),
    )
    .unwrap();
    c.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": pos(3, 8)}),
    )
    .unwrap();
    assert_eq!(kqlint_core::analyses_run() - before, 2);
    assert_eq!(c.stop(), 0);
}
