//! Every query of the dev corpus (../shared/corpus): formatting keeps the
//! tokens and comments, parses as cleanly as before, and is idempotent.
//! Prints how many queries changed, were already formatted, or were
//! refused (syntax errors, safety check).

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

#[test]
fn corpus_formats_safely_and_idempotently() {
    let options = FormatOptions::default();
    let (mut changed, mut same, mut syntax, mut refused) = (0, 0, 0, Vec::new());
    let files = kqlint_testkit::corpus_files();
    assert!(!files.is_empty(), "no corpus");
    for path in &files {
        let Some(q) = kqlint_testkit::corpus_query(path) else {
            continue;
        };
        let out = match format(&q, &options) {
            Ok(out) => out,
            Err(FormatError::SyntaxErrors { .. }) => {
                syntax += 1;
                continue;
            }
            Err(e) => {
                refused.push(format!("{}: {e}", path.display()));
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
        let again = format(&out, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, out, "{name}: not idempotent");
        if out == q {
            same += 1;
        } else {
            changed += 1;
        }
    }
    eprintln!(
        "corpus: {changed} changed, {same} already formatted, {syntax} left (syntax errors), {} refused (safety)",
        refused.len()
    );
    assert!(
        refused.is_empty(),
        "safety refusals:\n{}",
        refused.join("\n")
    );
}
