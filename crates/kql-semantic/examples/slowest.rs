//! Developer tool: the corpus queries that take longest to analyse.
fn main() {
    let cat = kql_schema::Catalog::builtin();
    let opts = kql_semantic::Options::default();
    let mut times = Vec::new();
    let files = kqlint_testkit::corpus_files();
    for p in &files {
        let Some(q) = kqlint_testkit::corpus_query(p) else {
            continue;
        };
        let parse = kql_syntax::parse(&q);
        let _ = kql_semantic::analyze(&parse, &q, cat, &opts);
        let t = std::time::Instant::now();
        for _ in 0..5 {
            let _ = kql_semantic::analyze(&parse, &q, cat, &opts);
        }
        times.push((
            t.elapsed() / 5,
            p.file_name().unwrap().to_string_lossy().to_string(),
            q.len(),
        ));
    }
    let total: std::time::Duration = times.iter().map(|t| t.0).sum();
    println!("total analysis {:?}", total);
    times.sort();
    times.reverse();
    for t in times.iter().take(15) {
        println!("{:?}\t{}\t{} bytes", t.0, t.1, t.2);
    }
}
