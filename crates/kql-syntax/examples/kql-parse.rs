//! Developer tool: parses queries and prints their diagnostics (or tree).
//!
//! `cargo run -p kql-syntax --example kql-parse -- [--tree] FILE...` parses
//! each file as one query; `--jsonl FILE` reads `{"id":..,"query":..}` lines
//! and prints one `id<TAB>ok|err<TAB>first error` line each.

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let tree = args.iter().any(|a| a == "--tree");
    args.retain(|a| a != "--tree");
    if args.first().map(String::as_str) == Some("--jsonl") {
        let text = std::fs::read_to_string(&args[1]).expect("read jsonl");
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (id, query) = split_jsonl(line);
            let p = kql_syntax::parse(&query);
            match p.errors.first() {
                None => println!("{id}\tok\t"),
                Some(e) => println!("{id}\terr\t{} {:?} {}", e.kind.code(), e.span, e.message),
            }
        }
        return;
    }
    for f in &args {
        let src = std::fs::read_to_string(f).expect("read file");
        let p = kql_syntax::parse(&src);
        println!("== {f}");
        if tree {
            print!("{}", kql_syntax::dump_tree(&p.query));
        }
        print!("{}", kql_syntax::dump_errors(&src, &p.errors));
    }
}

/// A minimal reader for `{"id":N,"query":"..."}` lines (no serde needed).
fn split_jsonl(line: &str) -> (String, String) {
    let id_start = line.find("\"id\":").map_or(0, |i| i + 5);
    let id: String = line[id_start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let q_start = line.find("\"query\":\"").map_or(line.len(), |i| i + 9);
    let mut out = String::new();
    let mut chars = line[q_start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        out.push(ch);
                    }
                }
                Some(other) => out.push(other),
                None => {}
            },
            c => out.push(c),
        }
    }
    (id, out)
}
