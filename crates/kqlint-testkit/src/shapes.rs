//! The worst query shapes we can think of for the semantic analysis: not
//! random text, but small queries whose row schemas or work grow fast.
//! The hostile suite (`tests/hostile`) runs each one scaled to 100 KB
//! against the release binary; a property test in kql-semantic and the
//! `shapes` fuzz target compose them from arbitrary bytes.
//!
//! - self-join chains: `let t2 = t1 | join t1 on K` doubles the row at each
//!   level;
//! - unions of unions, each leg a self-join;
//! - deep `let` chains, each `extend`ing the previous one (the rows grow by
//!   one column per level, the work quadratically);
//! - a wide `extend`, then operators over it;
//! - unknown names in a wide row (every one is compared with every column
//!   for a did-you-mean);
//! - nested calls of a function that joins its argument with itself;
//! - `project-away` / `project-keep` wildcards and `summarize by` every
//!   column of a wide row;
//! - a `union` of thousands of legs; `lookup` chains; `mv-apply`,
//!   `partition` and `fork` bodies that join.

/// One generated query.
#[derive(Clone, Debug)]
pub struct Shape {
    pub name: &'static str,
    pub query: String,
}

/// The table the shapes start from (about 230 columns, each with a type).
const TABLE: &str = "SecurityEvent";
const KEY: &str = "EventID";

/// A builder that stops adding before the text would pass `max` bytes.
struct Text {
    s: String,
    max: usize,
}

impl Text {
    fn new(max: usize) -> Text {
        Text {
            s: String::new(),
            max,
        }
    }
    /// Appends `piece` when it fits (keeping `reserve` bytes for the end).
    fn push(&mut self, piece: &str, reserve: usize) -> bool {
        if self.s.len() + piece.len() + reserve > self.max {
            return false;
        }
        self.s.push_str(piece);
        true
    }
}

/// `levels` lets, each joining the previous one with itself.
pub fn self_join_chain(levels: usize) -> String {
    let mut q = format!("let t0 = {TABLE} | take 1;\n");
    for i in 1..=levels {
        q.push_str(&format!(
            "let t{i} = t{p} | join kind=inner t{p} on {KEY};\n",
            p = i - 1
        ));
    }
    q.push_str(&format!("t{levels}\n"));
    q
}

fn self_joins(max: usize) -> String {
    // Chains side by side, each as deep as the width limit lets them grow,
    // then joined again: the work limit is what stops this one.
    let mut t = Text::new(max);
    t.push(&format!("let t0 = {TABLE} | take 1;\n"), 16);
    let mut i = 1;
    while t.push(
        &format!(
            "let t{i} = t{p} | join kind=inner t{p} on {KEY};\n",
            p = (i - 1) % 16
        ),
        16,
    ) {
        i += 1;
    }
    t.s.push_str(&format!("t{}\n", i - 1));
    t.s
}

fn unions_of_unions(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&format!("let u0 = {TABLE} | take 1;\n"), 16);
    let mut i = 1;
    while t.push(
        &format!(
            "let u{i} = union withsource=S{i} u{p}, (u{p} | join kind=inner u{p} on {KEY}), (u{p} | extend c{i} = {i});\n",
            p = i - 1
        ),
        16,
    ) {
        i += 1;
    }
    t.s.push_str(&format!("u{}\n", i - 1));
    t.s
}

fn deep_let_chain(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&format!("let t0 = {TABLE};\n"), 16);
    let mut i = 1;
    while t.push(
        &format!("let t{i} = t{p} | extend x{i} = {i};\n", p = i - 1),
        16,
    ) {
        i += 1;
    }
    t.s.push_str(&format!("t{}\n", i - 1));
    t.s
}

fn wide_extend(max: usize) -> String {
    // Half the text is one `extend` of thousands of columns, the other half
    // operators over the wide row.
    let mut t = Text::new(max);
    t.push("print x = 1\n| extend ", 0);
    let mut i = 0;
    while t.s.len() < max / 2 {
        t.push(&format!("c{i} = {i}, "), 0);
        i += 1;
    }
    t.push("final = 0\n", 0);
    let mut j = 0;
    while t.push(
        &format!("| where c{} > 0\n| extend d{j} = c{j}\n", j % i),
        0,
    ) {
        j += 1;
    }
    t.s
}

/// A row about 7,000 columns wide (under the width limit) in a few hundred
/// bytes.
fn wide_row_prefix() -> String {
    let mut q = format!("let t0 = {TABLE};\n");
    for i in 1..=5 {
        q.push_str(&format!(
            "let t{i} = t{p} | join kind=inner t{p} on {KEY};\n",
            p = i - 1
        ));
    }
    q.push_str("t5\n");
    q
}

fn unknown_names_in_a_wide_row(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&wide_row_prefix(), 0);
    let mut i = 0;
    // Names close to real ones, so the did-you-mean search works hard.
    while t.push(&format!("| where Acount{i} == 1\n"), 0) {
        i += 1;
    }
    t.s
}

fn unknown_functions_and_tables(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&format!("{TABLE}\n"), 0);
    let mut i = 0;
    while t.push(
        &format!("| where tolowr{i}(Account) == strcatt(\"a\") or isnotempti(Computer)\n| join kind=inner (SecurityEvnt{i}) on {KEY}\n"),
        0,
    ) {
        i += 1;
    }
    t.s
}

fn nested_function_calls(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(
        &format!(
            "let f = (T: (*)) {{ T | join kind=inner T on {KEY} }};\nlet g = (T: (*)) {{ union T, (T | extend g = 1) }};\n"
        ),
        0,
    );
    let mut depth = 1;
    loop {
        let mut call = String::from(TABLE);
        for d in 0..depth {
            call = format!("{}({call})", if d % 3 == 2 { "g" } else { "f" });
        }
        let piece = format!("let r{depth} = {call};\n");
        if !t.push(&piece, 16) {
            break;
        }
        depth += 1;
    }
    t.s.push_str(&format!("r{}\n", depth - 1));
    t.s
}

fn wildcards_on_a_wide_row(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&wide_row_prefix(), 0);
    let mut i = 0;
    while t.push(
        &format!(
            "| extend a{i} = 1\n| project-away a*\n| project-keep *\n| project-rename R{i} = {KEY}\n| project-rename {KEY} = R{i}\n"
        ),
        0,
    ) {
        i += 1;
    }
    t.s
}

fn summarize_by_everything(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&wide_row_prefix(), 0);
    t.push("| summarize count() by *\n", 0);
    while t.push(&format!("| union ({TABLE} | summarize count() by *)\n"), 0) {}
    t.s
}

fn thousands_of_union_legs(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(
        &format!("let a = {TABLE} | join kind=inner {TABLE} on {KEY};\nunion a"),
        2,
    );
    let mut i = 0;
    while t.push(&format!(", (a | extend u{i} = 1)"), 2) {
        i += 1;
    }
    t.s.push('\n');
    t.s
}

fn lookup_chain(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&format!("let l0 = {TABLE} | take 1;\n"), 16);
    let mut i = 1;
    while t.push(
        &format!(
            "let l{i} = l{p} | lookup (l{p} | project-rename K{i} = {KEY}) on $left.{KEY} == $right.K{i};\n",
            p = i - 1
        ),
        16,
    ) {
        i += 1;
    }
    t.s.push_str(&format!("l{}\n", i - 1));
    t.s
}

fn subqueries_that_join(max: usize) -> String {
    let mut t = Text::new(max);
    t.push(&format!("{TABLE}\n"), 0);
    let mut i = 0;
    while t.push(
        &match i % 3 {
            0 => format!("| partition hint.strategy=native by {KEY} (join kind=inner ({TABLE} | take 1) on {KEY})\n"),
            1 => format!("| mv-apply e = pack_array(1, 2) to typeof(long) on (join kind=inner ({TABLE} | take 1) on {KEY})\n"),
            _ => format!("| as T{i} | join kind=inner T{i} on {KEY}\n"),
        },
        0,
    ) {
        i += 1;
    }
    t.s
}

/// Every shape, each grown to just under `max` bytes (the self-join chain
/// is as deep as fits).
pub fn worst_shapes(max: usize) -> Vec<Shape> {
    vec![
        Shape {
            name: "self-join chains",
            query: self_joins(max),
        },
        Shape {
            name: "unions of unions of self-joins",
            query: unions_of_unions(max),
        },
        Shape {
            name: "deep let chain of extends",
            query: deep_let_chain(max),
        },
        Shape {
            name: "wide extend, then operators over it",
            query: wide_extend(max),
        },
        Shape {
            name: "unknown names in a 7,000-column row",
            query: unknown_names_in_a_wide_row(max),
        },
        Shape {
            name: "unknown functions and tables",
            query: unknown_functions_and_tables(max),
        },
        Shape {
            name: "nested calls of a self-joining function",
            query: nested_function_calls(max),
        },
        Shape {
            name: "project-away / project-keep wildcards on a wide row",
            query: wildcards_on_a_wide_row(max),
        },
        Shape {
            name: "summarize by every column of a wide row",
            query: summarize_by_everything(max),
        },
        Shape {
            name: "a union of thousands of wide legs",
            query: thousands_of_union_legs(max),
        },
        Shape {
            name: "lookup chain",
            query: lookup_chain(max),
        },
        Shape {
            name: "partition / mv-apply / as bodies that join",
            query: subqueries_that_join(max),
        },
    ]
}

/// A query composed from `data`: a mix of the shapes' building blocks,
/// with the sizes the bytes choose, at most `max` bytes. Any bytes give a
/// valid query.
pub fn composed(data: &[u8], max: usize) -> String {
    let mut bytes = data.iter().copied();
    let mut next = move || bytes.next().unwrap_or(0) as usize;
    let mut t = Text::new(max);
    let mut names: Vec<String> = vec![TABLE.to_owned()];
    let mut n = 0;
    loop {
        let op = next();
        if op == 0 && n > 0 {
            break;
        }
        let a = names[next() % names.len()].clone();
        let b = names[next() % names.len()].clone();
        let k = next();
        let body = match op % 12 {
            0 => format!("{a} | take 1"),
            1 => format!("{a} | join kind=inner {b} on {KEY}"),
            2 => format!("union {a}, {b}"),
            3 => format!("union withsource=W{n} {a}, ({b} | extend w{n} = 1)"),
            4 => {
                let cols: Vec<String> = (0..k * 8).map(|i| format!("e{n}_{i} = {i}")).collect();
                format!(
                    "{a} | extend {}",
                    if cols.is_empty() {
                        "z = 1".to_owned()
                    } else {
                        cols.join(", ")
                    }
                )
            }
            5 => format!("{a} | project-away *{}", k % 10),
            6 => format!("{a} | summarize count() by *"),
            7 => format!(
                "{a} | lookup ({b} | project-rename L{n} = {KEY}) on $left.{KEY} == $right.L{n}"
            ),
            8 => format!("{a} | as A{n} | join kind=inner A{n} on {KEY}"),
            9 => format!("{a} | where Acount{k} == 1 | where {KEY} > {k}"),
            10 => format!(
                "{a} | mv-apply e = pack_array(1) to typeof(long) on (join kind=inner ({b} | take 1) on {KEY})"
            ),
            _ => format!("{a} | project {KEY}, Account, x{n} = {k}"),
        };
        let piece = format!("let s{n} = {body};\n");
        if !t.push(&piece, 16) {
            break;
        }
        names.push(format!("s{n}"));
        n += 1;
    }
    t.s.push_str(names.last().map(String::as_str).unwrap_or(TABLE));
    t.s.push('\n');
    t.s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_fit_their_size() {
        for s in worst_shapes(100_000) {
            assert!(
                s.query.len() <= 100_000 && s.query.len() > 50_000,
                "{}: {} bytes",
                s.name,
                s.query.len()
            );
        }
        assert!(composed(&[1, 2, 3, 4, 5, 6, 7, 0], 1000).len() <= 1000);
        assert!(composed(&[], 100).starts_with("let s0"));
        assert_eq!(self_join_chain(2).lines().count(), 4);
    }
}

/// Writes every shape to `$KQLINT_SHAPES_DIR` (to look at them or time
/// them by hand): `KQLINT_SHAPES_DIR=/tmp/s cargo test -p kqlint-testkit
/// write_shapes -- --ignored`.
#[test]
#[ignore]
fn write_shapes() {
    let dir = std::path::PathBuf::from(std::env::var("KQLINT_SHAPES_DIR").unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    for (i, s) in worst_shapes(100_000).into_iter().enumerate() {
        std::fs::write(dir.join(format!("shape{i:02}.kql")), &s.query).unwrap();
        println!("shape{i:02}.kql {} bytes: {}", s.query.len(), s.name);
    }
}
