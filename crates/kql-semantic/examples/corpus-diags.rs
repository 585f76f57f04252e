//! Developer tool: every semantic diagnostic kqlint reports on the dev
//! corpus, with whether the oracle reports something on the same line.
//! `cargo run -p kql-semantic --example corpus-diags [CODE...]`.

use std::collections::HashMap;

fn line_of(src: &str, offset: u32) -> u32 {
    1 + src[..(offset as usize).min(src.len())]
        .matches('\n')
        .count() as u32
}

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    let verdicts: HashMap<String, kqlint_testkit::OracleRecord> = kqlint_testkit::oracle_full()
        .into_iter()
        .map(|r| (r.file.clone(), r))
        .collect();
    let corpus = kqlint_testkit::corpus_dir();
    let cat = kql_schema::Catalog::builtin();
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for p in kqlint_testkit::corpus_files() {
        let rel = p
            .strip_prefix(&corpus)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some(q) = kqlint_testkit::corpus_query(&p) else {
            continue;
        };
        let parse = kql_syntax::parse(&q);
        let a = kql_semantic::analyze(&parse, &q, cat, &kql_semantic::Options::default());
        let v = &verdicts[&rel];
        for d in &a.diagnostics {
            let line = line_of(&q, d.span.start);
            let hit = v
                .diagnostics
                .iter()
                .any(|o| o.line == line && o.kind == "semantic");
            let e = counts.entry(d.code).or_default();
            e.0 += 1;
            if hit {
                e.1 += 1;
            }
            if only.is_empty() || only.iter().any(|c| c == d.code || c == d.name) {
                let theirs: Vec<String> = v
                    .diagnostics
                    .iter()
                    .filter(|o| o.line == line)
                    .map(|o| format!("{} {}", o.code, o.message))
                    .collect();
                println!(
                    "{}\t{}:{}\t{} {}\t| oracle: {}",
                    rel,
                    line,
                    d.span.text(&q),
                    d.code,
                    d.message,
                    theirs.join(" / ")
                );
            }
        }
    }
    let mut c: Vec<_> = counts.into_iter().collect();
    c.sort();
    for (code, (n, hit)) in c {
        eprintln!("{code}: {n} reported, {hit} with an oracle diagnostic on the same line");
    }
}
