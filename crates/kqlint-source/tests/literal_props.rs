//! Property tests: literal blocks written every way YAML allows read back as
//! the intended text, and every character maps to itself in the file.

mod common;

use common::{apply, check_mapping};
use kqlint_diagnostics::{Applicability, Edit, Fix, Span};
use kqlint_source::{Limits, QueryStyle, Source, SourceKind};
use proptest::prelude::*;

#[derive(Clone, Copy, Debug)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// One line of query text: anything but a line break; it may start with
/// spaces (the block then needs an indentation indicator).
fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just('0'),
            Just(' '),
            Just('\t'),
            Just('|'),
            Just(':'),
            Just('#'),
            Just('-'),
            Just('\''),
            Just('"'),
            Just('\\'),
            Just('ä'),
            Just('日'),
            Just('😀'),
        ],
        0..12,
    )
    .prop_map(|cs| cs.into_iter().collect::<String>())
    // A TAB right after the indentation of the first line is refused by
    // saphyr-parser (`a block scalar content cannot start with a tab`).
    .prop_map(|s| s.trim_start_matches('\t').to_owned())
}

#[derive(Debug, Clone)]
struct Case {
    lines: Vec<String>,
    chomp: Chomp,
    doc_indent: usize,
    extra_indent: usize,
    crlf: bool,
    /// Spaces written on empty lines (kept below the block's indentation).
    blank_spaces: usize,
    explicit_indicator: bool,
    at_eof: bool,
    /// With `at_eof`: the file does not end with a line break.
    no_final_break: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(line(), 1..8),
        prop_oneof![Just(Chomp::Strip), Just(Chomp::Clip), Just(Chomp::Keep)],
        0usize..4,
        1usize..5,
        any::<bool>(),
        0usize..3,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                lines,
                chomp,
                doc_indent,
                extra_indent,
                crlf,
                blank_spaces,
                explicit,
                at_eof,
                no_final_break,
            )| Case {
                lines,
                chomp,
                doc_indent,
                extra_indent,
                crlf,
                blank_spaces,
                explicit_indicator: explicit,
                at_eof,
                no_final_break,
            },
        )
}

impl Case {
    /// The YAML text and the value YAML gives the query.
    fn render(&self) -> (String, String) {
        let brk = if self.crlf { "\r\n" } else { "\n" };
        let doc = " ".repeat(self.doc_indent);
        let indent = self.doc_indent + self.extra_indent;
        let first_content = self.lines.iter().find(|l| !l.is_empty());
        let needs_indicator = first_content.is_some_and(|l| l.starts_with(' '));
        let indicator = if needs_indicator || self.explicit_indicator {
            self.extra_indent.to_string()
        } else {
            String::new()
        };
        let chomp = match self.chomp {
            Chomp::Strip => "-",
            Chomp::Clip => "",
            Chomp::Keep => "+",
        };
        let mut y = format!("{doc}id: 1{brk}{doc}query: |{indicator}{chomp}{brk}");
        for l in &self.lines {
            if l.is_empty() {
                y.push_str(&" ".repeat(self.blank_spaces.min(indent)));
            } else {
                y.push_str(&" ".repeat(indent));
                y.push_str(l);
            }
            y.push_str(brk);
        }
        if !self.at_eof {
            y.push_str(&format!("{doc}next: 1{brk}"));
        } else if self.no_final_break {
            y.truncate(y.len() - brk.len());
        }
        let last = self.lines.iter().rposition(|l| !l.is_empty());
        let value = match (last, self.chomp) {
            (None, Chomp::Keep) => "\n".repeat(self.lines.len()),
            (None, _) => String::new(),
            (Some(i), Chomp::Strip) => self.lines[..=i].join("\n"),
            (Some(i), Chomp::Clip) => self.lines[..=i].join("\n") + "\n",
            (Some(_), Chomp::Keep) => self.lines.join("\n") + "\n",
        };
        (y, value)
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn literal_blocks_round_trip_exactly(c in case()) {
        let (yaml, value) = c.render();
        let src = Source::from_text("p.yaml", yaml.clone(), SourceKind::Yaml, &Limits::default());
        prop_assert!(src.diagnostics.is_empty(), "{:?}\n{yaml:?}", src.diagnostics);
        let q = src.query().unwrap();
        prop_assert_eq!(q.style, QueryStyle::Literal);
        if c.at_eof && c.no_final_break {
            // The text there depends on saphyr-parser's handling of a block
            // that runs into the end of the file (see `scalar.rs`); only the
            // mapping is checked.
        } else {
            prop_assert_eq!(&q.text, &value, "{:?}", yaml);
        }
        prop_assert!(q.is_exact(), "{:?}", yaml);
        let has_content = c.lines.iter().any(|l| !l.is_empty());
        if has_content {
            prop_assert_eq!(
                q.block.unwrap().indent as usize,
                c.doc_indent + c.extra_indent
            );
        }
        check_mapping(&src, &yaml);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// A fix mapped into a literal block, when it is accepted, leaves a file
    /// that reads back as the edited query.
    #[test]
    fn mapped_fixes_read_back_as_the_edited_query(
        c in case(),
        a in any::<prop::sample::Index>(),
        b in any::<prop::sample::Index>(),
        replacement in prop_oneof![
            Just(String::new()),
            Just("x".to_owned()),
            Just("\n".to_owned()),
            Just("a\nb".to_owned()),
            Just("\n\n| take 1\n".to_owned()),
            Just("  ".to_owned()),
            Just("ä😀".to_owned()),
        ],
    ) {
        let (yaml, _) = c.render();
        let src = Source::from_text("p.yaml", yaml.clone(), SourceKind::Yaml, &Limits::default());
        let q = src.query().unwrap();
        let bounds: Vec<usize> = q.text.char_indices().map(|(i, _)| i).chain([q.text.len()]).collect();
        let (mut s, mut e) = (a.get(&bounds), b.get(&bounds));
        if s > e {
            std::mem::swap(&mut s, &mut e);
        }
        let fix = Fix {
            message: "t".into(),
            edits: vec![Edit { span: Span::new(*s as u32, *e as u32), replacement }],
            applicability: Applicability::Safe,
        };
        if let Some(mapped) = q.map_fix(&fix, &yaml) {
            let edited_file = apply(&yaml, &mapped.edits);
            let edited_query = apply(&q.text, &fix.edits);
            let again = Source::from_text("p.yaml", edited_file.clone(), SourceKind::Yaml, &Limits::default());
            prop_assert!(again.diagnostics.is_empty(), "{:?}\n{edited_file:?}", again.diagnostics);
            prop_assert_eq!(&again.query().unwrap().text, &edited_query, "{:?}", edited_file);
        }
    }
}
