//! Property tests for the styles whose text is not verbatim (`>`, plain,
//! single- and double-quoted): every value the parser reads is re-scanned
//! into a mapping where each character points at the character, escape or
//! line break that produced it.

mod common;

use common::check_mapping;
use kqlint_source::{Limits, Precision, Source, SourceKind};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug)]
enum Style {
    Folded,
    Plain,
    Single,
    Double,
}

fn word() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just('7'),
            Just('|'),
            Just('('),
            Just('='),
            Just('ä'),
            Just('😀'),
            Just('\''),
            Just('"'),
            Just('\\'),
        ],
        1..6,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// Lines of words separated by one or more spaces; empty lines allowed.
fn lines() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::collection::vec((word(), 1usize..3), 1..5).prop_map(|ws| {
                ws.into_iter()
                    .map(|(w, n)| format!("{w}{}", " ".repeat(n)))
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            }),
            1 => Just(String::new()),
        ],
        1..6,
    )
}

fn render(style: Style, lines: &[String], extra: &[usize], trailing_ws: bool) -> String {
    let pad = |i: usize| " ".repeat(2 + extra.get(i).copied().unwrap_or(0) % 3);
    let ws = if trailing_ws { "  " } else { "" };
    let mut y = String::from("id: 1\nquery: ");
    match style {
        Style::Folded => {
            y.push_str(">\n");
            for (i, l) in lines.iter().enumerate() {
                if !l.is_empty() {
                    // The first line sets the indentation; later lines may be
                    // more indented (kept verbatim) but never less.
                    let p = if i == 0 { "  ".to_owned() } else { pad(i) };
                    y.push_str(&format!("{p}{l}{ws}"));
                }
                y.push('\n');
            }
        }
        Style::Plain | Style::Single | Style::Double => {
            let (open, close) = match style {
                Style::Plain => ("", ""),
                Style::Single => ("'", "'"),
                _ => ("\"", "\""),
            };
            y.push_str(open);
            for (i, l) in lines.iter().enumerate() {
                let l = match style {
                    // A plain scalar cannot hold these; write safe stand-ins.
                    Style::Plain => l.replace(['\'', '"', '\\', '|'], "x"),
                    Style::Single => l.replace('\'', "''"),
                    _ => l
                        .replace('\\', "\\\\")
                        .replace('"', "\\\"")
                        .replace('ä', "\\u00e4")
                        .replace('Z', "\\x5A"),
                };
                if i > 0 {
                    y.push_str(&pad(i));
                }
                y.push_str(&l);
                if i + 1 < lines.len() {
                    y.push_str(ws);
                    if matches!(style, Style::Double) && extra.get(i).is_some_and(|e| e % 4 == 3) {
                        // An escaped line break.
                        y.push('\\');
                    }
                    y.push('\n');
                }
            }
            y.push_str(close);
            y.push('\n');
        }
    }
    y.push_str("next: 1\n");
    y
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1500,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn non_verbatim_styles_map_every_character_to_its_source(
        style in prop_oneof![
            Just(Style::Folded),
            Just(Style::Plain),
            Just(Style::Single),
            Just(Style::Double)
        ],
        lines in lines(),
        extra in prop::collection::vec(0usize..8, 6),
        trailing_ws in any::<bool>(),
    ) {
        // A plain scalar cannot start with an empty line or be empty.
        let mut lines = lines;
        if matches!(style, Style::Plain | Style::Folded) {
            while lines.first().is_some_and(|l| l.is_empty()) {
                lines.remove(0);
            }
            if lines.is_empty() {
                lines.push("a".into());
            }
        }
        let yaml = render(style, &lines, &extra, trailing_ws);
        let src = Source::from_text("p.yaml", yaml.clone(), SourceKind::Yaml, &Limits::default());
        // A plain `7` or `true` is a number or a boolean, not a query.
        prop_assume!(!src.diagnostics.iter().any(|d| d.name == "query-not-a-string"));
        prop_assert!(src.diagnostics.is_empty(), "{:?}\n{yaml}", src.diagnostics);
        let q = src.query().unwrap();
        prop_assert_eq!(q.precision(), Precision::Position, "{}", yaml);
        check_mapping(&src, &yaml);
        let text = src.text.as_deref().unwrap();
        for (i, c) in q.text.char_indices() {
            let f = q.map_offset(i as u32) as usize;
            let fc = text[f..].chars().next();
            let ok = fc == Some(c)
                || (c == ' ' || c == '\n') && matches!(fc, Some(' ' | '\t' | '\n' | '\r'))
                || fc == Some('\\')
                || (c == '\'' && fc == Some('\''));
            prop_assert!(ok, "query byte {} ({:?}) maps to {:?}\n{}", i, c, fc, yaml);
        }
    }
}
