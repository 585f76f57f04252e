//! Bad input never panics: broken trees full of `Error` nodes, the parser's
//! maximum depth, long chains, every prefix of real queries.

mod common;

#[test]
fn every_prefix_of_the_corpus_queries_is_safe() {
    // prefixes of a sample of real rule queries: trees cut anywhere
    let files = kqlint_testkit::corpus_files();
    for p in files.iter().step_by(25) {
        let Some(q) = kqlint_testkit::corpus_query(p) else {
            continue;
        };
        let mut cut = 0;
        while cut < q.len() {
            if q.is_char_boundary(cut) {
                let _ = common::check(&q[..cut]);
            }
            cut += 37;
        }
    }
}

#[test]
fn deep_and_long_trees_are_safe() {
    let depth = kql_syntax::MAX_DEPTH as usize;
    for n in [10, depth / 2, depth - 1, depth, depth + 5] {
        let q = format!("print {}1{}", "(".repeat(n), ")".repeat(n));
        let _ = common::check(&q);
        let q = format!("print {}1{}", "strlen(".repeat(n), ")".repeat(n));
        let _ = common::check(&q);
        let q = format!("{}DeviceNetworkEvents{}", "(".repeat(n), ")".repeat(n));
        let _ = common::check(&q);
        let q = format!(
            "DeviceNetworkEvents | where {}",
            vec!["RemotePort == 1"; n * 4].join(" or ")
        );
        let _ = common::check(&q);
    }
    let q = format!(
        "DeviceNetworkEvents{}",
        " | where RemotePort > 1 | extend x = 1".repeat(3000)
    );
    let a = common::check(&q);
    assert!(a.diagnostics.is_empty());
}

#[test]
fn garbage_is_safe() {
    let pieces = [
        "T",
        "|",
        "where",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "let",
        "=",
        "x",
        "1",
        "\"s\"",
        "join",
        "on",
        "$left",
        ".",
        "summarize",
        "by",
        "*",
        "union",
        "mv-apply",
        "evaluate",
        "bag_unpack(",
        "project",
        "-",
        "==",
        "and",
        "invoke",
        "f()",
        "datatable(a:string)",
        "range",
        "from",
        "to",
        "step",
        "materialize(",
        "toscalar(",
        "view",
        "(T:(*))",
        "declare",
        "query_parameters",
    ];
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..3000 {
        let mut q = String::new();
        let len = (seed % 40) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            q.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            q.push(' ');
        }
        let _ = common::check(&q);
    }
}

#[test]
fn recursive_and_mutually_recursive_functions_terminate() {
    let _ = common::check("let f = (x: long) { f(x) }; print f(1)");
    let a = common::check(
        "let g = (t: (*)) { t | take 1 };\nlet h = (t: (*)) { g(t) | invoke g() };\nDeviceNetworkEvents | invoke h() | invoke h() | project DeviceName",
    );
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    // a function called with many different argument types
    let mut q = String::from("let id = (x: dynamic) { x };\nprint ");
    for i in 0..200 {
        q.push_str(&format!("id({i}), "));
    }
    q.push('1');
    let _ = common::check(&q);
}
