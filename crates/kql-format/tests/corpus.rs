//! Every query of the dev corpus (../shared/corpus): formatting keeps the
//! tokens and comments, parses as cleanly as before, and is idempotent.
//! Prints how many queries changed, were already formatted, or were
//! refused (syntax errors, safety check), and what wrapping did.

use kql_format::{FormatError, FormatOptions, format};

fn significant(src: &str) -> Vec<(kql_syntax::TokenKind, &str)> {
    kql_syntax::lex(src)
        .into_iter()
        .filter(|t| !t.kind.is_trivia())
        .map(|t| (t.kind, &src[t.span.start as usize..t.span.end as usize]))
        .collect()
}

fn comments(src: &str) -> Vec<&str> {
    kql_syntax::lex(src)
        .into_iter()
        .filter(|t| t.kind == kql_syntax::TokenKind::Comment)
        .map(|t| src[t.span.start as usize..t.span.end as usize].trim_end())
        .collect()
}

/// What formatting the corpus with some options gave.
#[derive(Default)]
struct Figures {
    changed: usize,
    same: usize,
    syntax: usize,
    refused: Vec<String>,
    /// Queries that wrapping changed (against the same options with no
    /// line width).
    wrapped: usize,
    /// Lines longer than the width without wrapping, and with it.
    long_unwrapped: usize,
    long_wrapped: usize,
}

fn long_lines(text: &str, width: usize) -> usize {
    text.lines().filter(|l| l.chars().count() > width).count()
}

/// Formats every corpus query with `options` and checks each result.
fn run(options: &FormatOptions) -> Figures {
    let unwrapped = FormatOptions {
        line_width: usize::MAX,
        ..options.clone()
    };
    let mut f = Figures::default();
    let files = kqlint_testkit::corpus_files();
    assert!(!files.is_empty(), "no corpus");
    for path in &files {
        let Some(q) = kqlint_testkit::corpus_query(path) else {
            continue;
        };
        let out = match format(&q, options) {
            Ok(out) => out,
            Err(FormatError::SyntaxErrors { .. }) => {
                f.syntax += 1;
                continue;
            }
            Err(e) => {
                f.refused.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        let name = path.display();
        assert_eq!(significant(&q), significant(&out), "{name}");
        assert_eq!(comments(&q), comments(&out), "{name}");
        assert_eq!(
            kql_syntax::parse(&out).errors.len(),
            kql_syntax::parse(&q).errors.len(),
            "{name}"
        );
        let again = format(&out, options).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, out, "{name}: not idempotent");
        if out == q {
            f.same += 1;
        } else {
            f.changed += 1;
        }
        let plain = format(&q, &unwrapped).unwrap_or_else(|e| panic!("{name}: {e}"));
        if plain != out {
            f.wrapped += 1;
        }
        f.long_unwrapped += long_lines(&plain, options.line_width);
        f.long_wrapped += long_lines(&out, options.line_width);
    }
    eprintln!(
        "corpus ({options:?}): {} changed, {} already formatted, {} left (syntax errors), {} refused (safety); \
         wrapping changed {} queries; lines over {} characters: {} without wrapping, {} with",
        f.changed,
        f.same,
        f.syntax,
        f.refused.len(),
        f.wrapped,
        options.line_width,
        f.long_unwrapped,
        f.long_wrapped,
    );
    assert!(
        f.refused.is_empty(),
        "safety refusals:\n{}",
        f.refused.join("\n")
    );
    f
}

#[test]
fn corpus_formats_safely_and_idempotently() {
    let f = run(&FormatOptions::default());
    // Wrapping shortens lines (a line stays long only when it has no place
    // to break: a long string, comment or condition).
    assert!(f.wrapped > 0 && f.long_wrapped < f.long_unwrapped / 2);
}

/// The other layout options, and a narrow width that makes most lines
/// wrap (deep nesting, lines that cannot be shortened), keep every
/// guarantee too.
#[test]
fn corpus_formats_safely_with_trailing_pipes_and_a_narrow_width() {
    let f = run(&FormatOptions {
        indent_width: 2,
        line_width: 40,
        pipe: kql_format::PipeStyle::Trailing,
        ..FormatOptions::default()
    });
    assert!(f.wrapped > f.changed / 2);
}
