//! Developer tool: `cargo run -p kql-semantic --example kql-check -- FILE...`
//! (or `-` for stdin; queries separated by lines `----`) prints each query's
//! semantic diagnostics, result columns and tables read.

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `--oracle-schema`: exactly the schema files the oracle's corpus verdicts used
    let oracle = if args.first().map(String::as_str) == Some("--oracle-schema") {
        args.remove(0);
        let s = std::path::Path::new("/work/shared/schemas-sentinel");
        let mut b = kql_schema::CatalogBuilder::new();
        b.bundled_tables(false)
            .bundled_stored_functions(false)
            .standard_columns(false);
        for d in [
            "2022-08-b819f67/CustomTables",
            "2023-11-copy/CustomTables",
            "2023-11-copy/CustomFunctions",
            "builtin-kustoservices-5.0.1/tables",
            "builtin-kustoservices-5.0.1/functions",
        ] {
            b.load_dir(&s.join(d));
        }
        Some(b.build().0)
    } else {
        None
    };
    let catalog = oracle.as_ref().unwrap_or(kql_schema::Catalog::builtin());
    for f in args {
        let text = if f.ends_with(".yaml") || f.ends_with(".yml") {
            kqlint_testkit::corpus_query(std::path::Path::new(&f))
                .expect("no query in the YAML file")
        } else if f == "-" {
            std::io::read_to_string(std::io::stdin()).unwrap_or_default()
        } else {
            std::fs::read_to_string(&f).unwrap_or_default()
        };
        for q in text.split("\n----\n") {
            let parse = kql_syntax::parse(q);
            let a = kql_semantic::analyze(&parse, q, catalog, &kql_semantic::Options::default());
            println!("Q: {}", q.trim());
            for e in &parse.errors {
                println!("    syntax {} {:?} {}", e.kind.code(), e.span, e.message);
            }
            for d in &a.diagnostics {
                println!("    {} {} {:?} {}", d.code, d.name, d.span, d.message);
                if let Some(h) = &d.help {
                    println!("        help: {h}");
                }
            }
            match &a.result {
                kql_semantic::QueryResult::Table(s) => println!(
                    "   => {}{}",
                    s.visible()
                        .map(|c| format!("{}:{}", c.name, c.ty))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if s.is_open() { " (open)" } else { "" }
                ),
                r => println!("   => {r:?}"),
            }
            println!("   tables: {:?}", a.tables);
        }
    }
}
