//! Hostile and broken input: bounded work, no stack overflow, no panic.
//! (Speed targets live in `benches/`; these tests prove termination and
//! the right diagnostics.)

mod common;

use common::{check_mapping, fixtures_dir, yaml};
use kqlint_source::{Limits, Source, SourceKind};

fn names(src: &Source) -> Vec<&'static str> {
    src.diagnostics.iter().map(|d| d.name).collect()
}

/// "Billion laughs": 9 levels of 10 aliases would expand to 10^9 nodes.
fn alias_bomb() -> String {
    let mut s = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        s.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    s.push_str("query: |\n  Syslog\n");
    s
}

#[test]
fn alias_bomb_stops_at_the_alias_limit() {
    let src = yaml(&alias_bomb());
    assert_eq!(names(&src), ["yaml-too-many-nodes"]);
    assert!(src.yaml.is_none() && src.query().is_none());
    // The diagnostic points at the alias that crossed the limit: in `a3`,
    // whose ten `*a2` add 1,111 nodes each to the 1,220 made before.
    let text = src.text.as_deref().unwrap();
    let d = &src.diagnostics[0];
    assert_eq!(&text[d.span.start as usize..d.span.end as usize], "*a2");
    assert_eq!(common::pos(text, d.span.start), "4:45"); // the 8th `*a2`
}

#[test]
fn alias_bomb_with_a_huge_alias_limit_still_stops_at_the_node_limit() {
    let limits = Limits {
        max_yaml_alias_nodes: usize::MAX,
        ..Limits::default()
    };
    let src = Source::from_text("bomb.yaml", alias_bomb(), SourceKind::Yaml, &limits);
    assert_eq!(names(&src), ["yaml-too-many-nodes"]);
    assert!(src.diagnostics[0].message.contains("1000000"));
}

#[test]
fn a_few_aliases_are_fine() {
    let src = yaml("a: &a [x, y]\nb: [*a, *a, *a]\nquery: |\n  Syslog\n");
    assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
    assert_eq!(src.yaml.unwrap().to_json()["b"][2][1], "y");
}

#[test]
fn aliases_count_against_the_depth_limit() {
    // Each level nests the previous one: 200 levels through aliases.
    let mut s = String::from("l0: &l0 [x]\n");
    for i in 1..200 {
        s.push_str(&format!("l{i}: &l{i} [*l{}]\n", i - 1));
    }
    s.push_str("query: T\n");
    let src = yaml(&s);
    assert_eq!(names(&src), ["yaml-too-deep"]);
}

#[test]
fn flow_nesting_past_the_depth_limit() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let s = format!("x: {}1{}\nquery: T\n", open.repeat(200), close.repeat(200));
        let src = yaml(&s);
        assert_eq!(names(&src), ["yaml-too-deep"], "{open}");
        let d = &src.diagnostics[0];
        // At the first collection past the limit (the root mapping is level 1).
        assert_eq!(d.span.start as usize, 3 + 127 * open.len(), "{open}");
        assert!(src.yaml.is_none() && src.query().is_none());
    }
}

#[test]
fn ten_thousand_levels_of_flow_nesting() {
    // saphyr-parser stops at 255 levels of `[`/`{` before kqlint's limit
    // sees the events; that is reported as the same limit.
    let depth = 10_000;
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let s = format!(
            "x: {}1{}\nquery: T\n",
            open.repeat(depth),
            close.repeat(depth)
        );
        let src = yaml(&s);
        assert_eq!(names(&src), ["yaml-too-deep"], "{open}");
        assert!(src.yaml.is_none() && src.query().is_none());
    }
}

#[test]
fn ten_thousand_levels_of_block_nesting() {
    // `- - - ... x`: nested block sequences on one line.
    let s = format!("{}x\n", "- ".repeat(10_000));
    let src = yaml(&s);
    assert_eq!(names(&src), ["yaml-too-deep"]);
    // Nested block mappings, one level per line.
    let mut s = String::new();
    for i in 0..2_000 {
        s.push_str(&" ".repeat(i));
        s.push_str("k:\n");
    }
    let src = yaml(&s);
    assert_eq!(names(&src), ["yaml-too-deep"]);
}

#[test]
fn the_deepest_allowed_tree_is_built_converted_and_dropped() {
    let limits = Limits {
        max_yaml_depth: usize::MAX,
        ..Limits::default()
    };
    // Nested block sequences: the root mapping, `x`'s sequence and 997 more.
    let depth = Limits::DEPTH_CEILING - 1;
    let s = format!("query: T\nx:\n  {}1\n", "- ".repeat(depth));
    // Run on a small stack to show the tree's recursion stays modest.
    let inner = limits.clone();
    let handle = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let src = Source::from_text("deep.yaml", s, SourceKind::Yaml, &inner);
            assert!(src.diagnostics.is_empty(), "{:?}", src.diagnostics);
            let j = src.yaml.as_ref().unwrap().to_json();
            assert!(j["x"].is_array());
            drop(j);
            drop(src);
        })
        .unwrap();
    handle.join().unwrap();
    // One more level is refused.
    let s = format!("query: T\nx:\n  {}1\n", "- ".repeat(depth + 1));
    let src = Source::from_text("deep.yaml", s, SourceKind::Yaml, &limits);
    assert_eq!(names(&src), ["yaml-too-deep"]);
}

#[test]
fn a_hundred_thousand_keys() {
    let mut s = String::with_capacity(2_000_000);
    for i in 0..100_000 {
        s.push_str(&format!("key{i}: value {i}\n"));
    }
    s.push_str("query: |\n  Syslog\n");
    let src = yaml(&s);
    assert!(src.diagnostics.is_empty());
    let y = src.yaml.as_ref().unwrap();
    assert_eq!(y.as_mapping().unwrap().len(), 100_001);
    assert_eq!(
        y.pointer("/key99999").unwrap().node.as_str(),
        Some("value 99999")
    );
    assert_eq!(src.query().unwrap().text, "Syslog\n");
    assert!(src.query().unwrap().is_exact());
}

#[test]
fn a_hundred_thousand_duplicate_keys() {
    let mut s = String::with_capacity(1_000_000);
    for i in 0..100_000 {
        s.push_str(&format!("k: {i}\n"));
    }
    let src = yaml(&s);
    assert_eq!(src.diagnostics.len(), 100_000);
    assert!(
        src.diagnostics[..99_999]
            .iter()
            .all(|d| d.name == "duplicate-key" && d.labels[0].span.start == 0)
    );
    assert_eq!(src.diagnostics[99_999].name, "missing-query");
}

#[test]
fn the_size_limit_applies_to_files_and_buffers() {
    let limits = Limits {
        max_file_bytes: 16,
        ..Limits::default()
    };
    let src = Source::from_text("big.kql", "x".repeat(17), SourceKind::Kql, &limits);
    assert_eq!(names(&src), ["file-too-large"]);
    assert!(src.text.is_none() && src.query().is_none());
    let src = Source::load_as(
        fixtures_dir().join("literal-clip.yaml"),
        SourceKind::Yaml,
        &limits,
    );
    assert_eq!(names(&src), ["file-too-large"]);
}

#[test]
fn unreadable_files_say_why() {
    let src = Source::load(fixtures_dir().join("no-such-file.yaml"), &Limits::default());
    assert_eq!(names(&src), ["unreadable-file"]);
    assert!(src.diagnostics[0].message.contains("no-such-file.yaml"));
    assert!(src.text.is_none());
    let src = Source::load(fixtures_dir(), &Limits::default());
    assert_eq!(names(&src), ["unreadable-file"]);
    assert!(src.diagnostics[0].message.contains("directory"));
}

#[test]
fn a_nul_in_an_editor_buffer_is_binary() {
    let src = Source::from_text("x.kql", "T\0", SourceKind::Kql, &Limits::default());
    assert_eq!(names(&src), ["binary-file"]);
}

fn fixture_texts() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .filter(|(n, _)| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

/// Every prefix of every fixture (cut anywhere, even inside a character):
/// no panic, and whatever query comes out still maps correctly.
#[test]
fn every_prefix_of_every_fixture() {
    let limits = Limits::default();
    let mut loads = 0;
    for (name, bytes) in fixture_texts() {
        for cut in 0..=bytes.len() {
            let src = Source::from_bytes(&name, &bytes[..cut], SourceKind::Yaml, &limits);
            check_mapping(&src, &format!("{name}[..{cut}]"));
            loads += 1;
        }
    }
    assert!(loads > 5_000);
}

/// Small deterministic mutations of every fixture and some corpus files:
/// no panic, mappings stay correct.
#[test]
fn mutated_inputs_never_panic() {
    let mut inputs = fixture_texts();
    for p in kqlint_testkit::corpus_files().iter().step_by(50) {
        inputs.push((p.display().to_string(), std::fs::read(p).unwrap()));
    }
    let limits = Limits::default();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    const BYTES: &[u8] = b" \t\r\n:-|>'\"#&*!?[]{},\\%@`a0\xC3\xA4";
    for (name, bytes) in &inputs {
        if bytes.is_empty() {
            continue;
        }
        for round in 0..40 {
            let mut b = bytes.clone();
            for _ in 0..(1 + next() % 4) {
                let at = (next() as usize) % b.len();
                let byte = BYTES[(next() as usize) % BYTES.len()];
                match next() % 3 {
                    0 => b[at] = byte,
                    1 => b.insert(at, byte),
                    _ => {
                        b.remove(at);
                    }
                }
                if b.is_empty() {
                    break;
                }
            }
            let src = Source::from_bytes(name, &b, SourceKind::Yaml, &limits);
            check_mapping(&src, &format!("{name} round {round}"));
        }
    }
}
