//! Our own probe queries (keywords as names, every literal and operator
//! form, tricky Sentinel idioms) with the verdict Microsoft's parser gave
//! each (`tests/oracle-probes.tsv`). kqlint must agree, except where it is
//! deliberately stricter (listed below with the reason).

/// Queries on which kqlint is stricter than Kusto.Language's parser.
const STRICTER: &[(&str, &str)] = &[(
    "print long(abc)",
    "Kusto's parser does not check literal contents; the engine rejects `long(abc)`",
)];

/// Queries kqlint accepts although Kusto.Language's parser refuses them
/// (with the reason).
const LENIENT: &[(&str, &str)] = &[(
    "find where x == 1 project a, pack_all()",
    "Microsoft's documentation of `find` writes `pack_all()`; Kusto.Language knows only `pack(*)`",
)];

#[test]
fn verdicts_match_the_oracle() {
    let text = include_str!("oracle-probes.tsv");
    let mut disagreements = Vec::new();
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (verdict, query) = line.split_once('\t').expect("verdict<TAB>query");
        let query = unescape(&query.replace("\\N", "\n"));
        n += 1;
        let ours = if kql_syntax::parse(&query).errors.is_empty() {
            "ok"
        } else {
            "err"
        };
        let known = if ours == "err" { STRICTER } else { LENIENT };
        if ours != verdict && !known.iter().any(|(q, _)| *q == query) {
            disagreements.push(format!("oracle {verdict}, kqlint {ours}: {query}"));
        }
    }
    assert!(n > 900, "{n} probes");
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// `\U{200B}` in a probe stands for that character (invisible or control
/// characters stay readable in the file).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\\U{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        let end = after.find('}').expect("closing } of \\U{...}");
        let c = u32::from_str_radix(&after[..end], 16)
            .ok()
            .and_then(char::from_u32)
            .expect("a hexadecimal character code in \\U{...}");
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}
