//! Property tests (proptest) of the engine's reports and of `--fix`, on
//! generated queries, as `.kql` files and inside rule YAML (`|` blocks,
//! `>` blocks and quoted scalars; LF or CRLF; with a BOM or without):
//!
//! - diagnostics are sorted, their spans (primary, labels, fix edits) lie
//!   inside the file text on character boundaries, and every position is a
//!   real line and column of the file;
//! - `--fix` produces text with no more syntax errors than before (none
//!   when there were none), and is idempotent: fixing the result again
//!   changes nothing.

use kqlint_core::{
    Category, Engine, EngineOptions, FileReport, Limits, Severity, Source, SourceKind, Target,
};
use proptest::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(EngineOptions::isolated()).unwrap())
}

/// Operators with findings (many with safe fixes), good ones, and broken
/// ones, to be put together into pipelines.
const OPERATORS: &[&str] = &[
    "| where tolower(FileName) == \"cmd.exe\"",
    "| where tolower(ProcessCommandLine) has \"-enc\"",
    "| where RemoteIp == \"10.0.0.1\"",
    "| where remoteport == 445",
    "| where ActionType == \"connectionsuccess\"",
    "| where ActionType == \"ConnectionSucess\"",
    "| where RemoteUrl matches regex \"evil.com\"",
    "| where RemoteUrl contains \"ä😀\"",
    "| summarize Devices = makeset(DeviceName) by RemoteIP",
    "| extend P = parsejson(AdditionalFields)",
    "| extend L = tolower(RemoteUrl)",
    "| project Timestamp, DeviceName, RemoteIP",
    "| take 10",
    "| join (DeviceProcessEvents) on DeviceId",
    "| where (RemotePort == 1",
    "| where",
    "| extend x = \"unterminated",
    "| mv-expand AdditionalFields",
    "| where Timestamp > ago(lookback)",
];

const TABLES: &[&str] = &[
    "DeviceNetworkEvents",
    "DeviceProcessEvents",
    "SecurityEvent",
    "Unknowntable",
];

const LETS: &[&str] = &[
    "let lookback = 1d;",
    "let threshold = 5;",
    "let a = 1;\nlet b = a;",
    "let ips = dynamic([\"1.2.3.4\"]);",
    "let f = (x: string) { tolower(x) };",
];

/// A query: some `let`s, a table, a pipeline; sometimes a random tail.
fn query() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(LETS), 0..3),
        prop::sample::select(TABLES),
        prop::collection::vec(prop::sample::select(OPERATORS), 0..6),
        prop_oneof![3 => Just(String::new()), 1 => "[ -~äé😀\t]{0,12}"],
    )
        .prop_map(|(lets, table, ops, tail)| {
            let mut q = String::new();
            for l in lets {
                q.push_str(l);
                q.push('\n');
            }
            q.push_str(table);
            for op in ops {
                q.push('\n');
                q.push_str(op);
            }
            q.push_str(&tail);
            q.push('\n');
            q
        })
}

#[derive(Clone, Copy, Debug)]
enum Wrap {
    Kql,
    Literal,
    LiteralStrip,
    Folded,
    DoubleQuoted,
}

/// The file text holding `q`, and its extension.
fn wrap(q: &str, how: Wrap, crlf: bool, bom: bool) -> (String, &'static str) {
    let indent = |q: &str| kqlint_testkit::indent(q, "  ");
    let head = "id: 0f7c6a5e-1b2d-4c3e-9f80-123456789abc\nname: Generated\nseverity: Medium\n";
    let (mut text, ext) = match how {
        Wrap::Kql => (q.to_owned(), "kql"),
        Wrap::Literal => (format!("{head}query: |\n{}\n", indent(q)), "yaml"),
        Wrap::LiteralStrip => (
            format!("{head}query: |-\n{}\nversion: 1.0.0\n", indent(q)),
            "yaml",
        ),
        Wrap::Folded => (format!("{head}query: >\n{}\n", indent(q)), "yaml"),
        Wrap::DoubleQuoted => {
            let esc = q
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            (format!("{head}query: \"{esc}\"\n"), "yaml")
        }
    };
    if crlf {
        text = text.replace('\n', "\r\n");
    }
    if bom {
        text.insert(0, '\u{feff}');
    }
    (text, ext)
}

fn wrapped() -> impl Strategy<Value = (String, &'static str)> {
    (
        query(),
        prop_oneof![
            Just(Wrap::Kql),
            Just(Wrap::Literal),
            Just(Wrap::LiteralStrip),
            Just(Wrap::Folded),
            Just(Wrap::DoubleQuoted),
        ],
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(q, how, crlf, bom)| wrap(&q, how, crlf, bom))
}

fn in_bounds(text: &str, s: kqlint_core::Span, what: &dyn std::fmt::Debug) {
    assert!(
        s.start <= s.end && s.end as usize <= text.len(),
        "{s:?} out of bounds ({}) in {text:?}: {what:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(s.start as usize) && text.is_char_boundary(s.end as usize),
        "{s:?} not on char boundaries in {text:?}: {what:?}"
    );
}

fn check_report(text: &str, r: &FileReport) {
    let src = r.source.as_ref().expect("the text was read");
    assert_eq!(src.text, text);
    let lines = lines(text);
    for d in &r.diagnostics {
        in_bounds(text, d.span, d);
        for l in &d.labels {
            in_bounds(text, l.span, d);
        }
        for e in d.fix.iter().flat_map(|f| &f.edits) {
            in_bounds(text, e.span, d);
        }
        for off in [d.span.start, d.span.end] {
            let p = r.position(off);
            let line = lines.get(p.line as usize - 1).unwrap_or_else(|| {
                panic!("{p:?} is past the last line of {text:?}: {d:?}");
            });
            let chars = line.chars().count() as u32;
            assert!(
                p.column >= 1 && p.column <= chars + 1,
                "{p:?} is not in line {line:?}: {d:?}"
            );
        }
    }
    for w in r.diagnostics.windows(2) {
        assert!(
            (w[0].span.start, w[0].span.end) <= (w[1].span.start, w[1].span.end),
            "not sorted: {:?} before {:?}",
            w[0],
            w[1]
        );
    }
}

/// `\n`, `\r\n` and a lone `\r` end a line (as in the reported positions).
fn lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            out.push(&text[start..i]);
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push(&text[start..]);
    out
}

fn syntax_errors(r: &FileReport) -> usize {
    r.diagnostics
        .iter()
        .filter(|d| matches!(d.category, Category::Syntax | Category::Yaml))
        .filter(|d| d.severity == Severity::Error)
        .count()
}

fn temp_file(ext: &str, text: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("kqlint-report-props-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("f{}.{ext}", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&p, text).unwrap();
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn diagnostics_are_sorted_in_bounds_and_at_real_positions((text, ext) in wrapped()) {
        let kind = if ext == "kql" { SourceKind::Kql } else { SourceKind::Yaml };
        let path = format!("Detections/rule.{ext}");
        let source = Source::from_text(&path, text.clone(), kind, &Limits::default());
        let report = engine().check_source(&path, source);
        check_report(&text, &report);
    }

    #[test]
    fn fix_is_safe_and_idempotent((text, ext) in wrapped()) {
        let e = engine();
        let path = temp_file(ext, &text);
        let target = Target::file(path.clone(), path.display().to_string(), true);
        let before = e.check_target(&target).unwrap();
        // A file's BOM is decoded away (and written back by --fix): the
        // report's spans are in the text after it.
        let unbom = |t: &str| t.strip_prefix('\u{feff}').unwrap_or(t).to_owned();
        check_report(&unbom(&text), &before);
        let first = e.fix_target(&target);
        let fixed = std::fs::read_to_string(&path).unwrap();
        let after = e.check_target(&target).unwrap();
        check_report(&unbom(&fixed), &after);
        // No new syntax errors (the engine refuses such a round), and a
        // text that parsed still parses.
        prop_assert!(syntax_errors(&after) <= syntax_errors(&before), "{text:?}\n=> {fixed:?}");
        if syntax_errors(&before) == 0 {
            prop_assert_eq!(syntax_errors(&after), 0, "{:?}\n=> {:?}", text, fixed);
        }
        if first.as_ref().is_some_and(|o| o.applied > 0) {
            prop_assert_ne!(&fixed, &text);
        } else {
            prop_assert_eq!(&fixed, &text);
        }
        // Idempotent: a second --fix applies nothing and leaves the file.
        let second = e.fix_target(&target);
        prop_assert!(second.is_none_or(|o| o.applied == 0), "{:?}\n=> {:?}", text, fixed);
        prop_assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed);
        let _ = std::fs::remove_file(&path);
    }
}
