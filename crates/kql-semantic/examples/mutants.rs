//! Generator of the mutation test's mutants (`tests/mutation.rs`): valid
//! dev-corpus queries with ONE column or table reference mistyped the way
//! people mistype names.
//!
//! `cargo run -p kql-semantic --example mutants -- SEED` prints JSON lines:
//! one `{"type":"original","file","query"}` per query used, then one
//! `{"type":"mutant","file","offset","line","kind","original","mutant","query"}`
//! per mutant. `tools/mutation/generate.py` runs it, asks the oracle about
//! every line and writes `tests/data/mutants.tsv`; the test itself needs
//! neither this program nor node.
//!
//! - Queries: the dev-corpus files the oracle (`full.jsonl`) parses cleanly
//!   and analyses without an unknown-name error.
//! - Names: the query's own references to columns and tables, from
//!   kql-semantic's recorded name occurrences (`Analysis::names`), written
//!   as plain identifiers (a `['quoted name']` is left alone). Per query, a
//!   table (when there is one) and up to three columns, distinct names,
//!   chosen at random.
//! - Mistakes ([`Kind`]): a case change of one letter or of the whole name,
//!   one letter dropped, two adjacent letters swapped, one letter doubled,
//!   one letter replaced by a neighbour on a QWERTY keyboard; the kind is
//!   drawn at random (another one is tried when it cannot change the name,
//!   e.g. swapping in `ll`).
//!
//! Deterministic: the same seed, corpus and binder give the same mutants.

use kql_semantic::{Options, Resolved, analyze};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The oracle's unknown-name codes (as in `tests/conformance.rs`).
const ORACLE_UNKNOWN: &[&str] = &["KS142", "KS204", "KS211", "KS122", "KS123", "KS124"];

/// splitmix64: small, seedable, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Case,
    Drop,
    Swap,
    Double,
    Neighbour,
}

const KINDS: [Kind; 5] = [
    Kind::Case,
    Kind::Drop,
    Kind::Swap,
    Kind::Double,
    Kind::Neighbour,
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Case => "case",
            Kind::Drop => "drop",
            Kind::Swap => "swap",
            Kind::Double => "double",
            Kind::Neighbour => "neighbour",
        }
    }
}

const KEYBOARD: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// The letters next to `c` on a QWERTY keyboard (same row), same case.
fn neighbours(c: char) -> Vec<char> {
    let lower = c.to_ascii_lowercase();
    for row in KEYBOARD {
        let r: Vec<char> = row.chars().collect();
        if let Some(i) = r.iter().position(|&x| x == lower) {
            let mut out = Vec::new();
            if i > 0 {
                out.push(r[i - 1]);
            }
            if i + 1 < r.len() {
                out.push(r[i + 1]);
            }
            if c.is_ascii_uppercase() {
                for x in &mut out {
                    *x = x.to_ascii_uppercase();
                }
            }
            return out;
        }
    }
    Vec::new()
}

/// A plain KQL identifier (what a mutant must still be, so that it parses
/// as a name).
fn is_identifier(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn mutate(name: &str, kind: Kind, rng: &mut Rng) -> Option<String> {
    let c: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (0..c.len())
        .filter(|&i| c[i].is_ascii_alphabetic())
        .collect();
    let out: String = match kind {
        Kind::Case => {
            if letters.is_empty() {
                return None;
            }
            match rng.below(20) {
                // the whole name in lower case (`computer`), or upper case
                0..=6 => name.to_ascii_lowercase(),
                7..=9 => name.to_ascii_uppercase(),
                _ => {
                    let i = letters[rng.below(letters.len())];
                    let mut c = c.clone();
                    c[i] = if c[i].is_ascii_uppercase() {
                        c[i].to_ascii_lowercase()
                    } else {
                        c[i].to_ascii_uppercase()
                    };
                    c.into_iter().collect()
                }
            }
        }
        Kind::Drop => {
            if c.len() < 2 {
                return None;
            }
            let i = rng.below(c.len());
            c.iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &x)| x)
                .collect()
        }
        Kind::Swap => {
            let pairs: Vec<usize> = (0..c.len().saturating_sub(1))
                .filter(|&i| c[i] != c[i + 1])
                .collect();
            if pairs.is_empty() {
                return None;
            }
            let i = pairs[rng.below(pairs.len())];
            let mut c = c.clone();
            c.swap(i, i + 1);
            c.into_iter().collect()
        }
        Kind::Double => {
            if letters.is_empty() {
                return None;
            }
            let i = letters[rng.below(letters.len())];
            let mut c = c.clone();
            c.insert(i, c[i]);
            c.into_iter().collect()
        }
        Kind::Neighbour => {
            let keyed: Vec<usize> = letters
                .iter()
                .copied()
                .filter(|&i| !neighbours(c[i]).is_empty())
                .collect();
            if keyed.is_empty() {
                return None;
            }
            let i = keyed[rng.below(keyed.len())];
            let n = neighbours(c[i]);
            let mut c = c.clone();
            c[i] = n[rng.below(n.len())];
            c.into_iter().collect()
        }
    };
    (out != name && is_identifier(&out)).then_some(out)
}

/// 1-based line of a byte offset (`\n`, `\r\n` and `\r` end a line, as
/// for the oracle).
fn line_of(src: &str, offset: u32) -> u32 {
    let b = src.as_bytes();
    let end = (offset as usize).min(b.len());
    let mut line = 1;
    for i in 0..end {
        match b[i] {
            b'\n' => line += 1,
            b'\r' if b.get(i + 1) != Some(&b'\n') => line += 1,
            _ => {}
        }
    }
    line
}

fn main() {
    let seed: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("SEED is a number"))
        .unwrap_or(1);
    let mut rng = Rng(seed);
    let corpus = kqlint_testkit::corpus_dir();
    let verdicts: BTreeMap<String, kqlint_testkit::OracleRecord> = kqlint_testkit::oracle_full()
        .into_iter()
        .map(|r| (r.file.clone(), r))
        .collect();
    let catalog = kql_schema::Catalog::builtin();
    let opts = Options::default();
    for path in kqlint_testkit::corpus_files() {
        let rel = path
            .strip_prefix(&corpus)
            .expect("under corpus")
            .to_string_lossy()
            .replace('\\', "/");
        let Some(v) = verdicts.get(&rel) else {
            continue;
        };
        let clean = v.error.is_none()
            && v.syntax_ok
            && !v
                .diagnostics
                .iter()
                .any(|d| ORACLE_UNKNOWN.contains(&d.code.as_str()));
        if !clean {
            continue;
        }
        let Some(query) = kqlint_testkit::corpus_query(&path) else {
            continue;
        };
        let parse = kql_syntax::parse(&query);
        let a = analyze(&parse, &query, catalog, &opts);
        // distinct names, each at one of its occurrences (the first seen
        // after a shuffle)
        let mut tables = Vec::new();
        let mut columns = Vec::new();
        let mut seen = BTreeSet::new();
        let mut occurrences: Vec<_> = a
            .names
            .iter()
            .filter(|n| {
                matches!(n.resolved, Resolved::Column { .. } | Resolved::Table)
                    && n.span.text(&query) == n.name.as_str()
                    && is_identifier(&n.name)
            })
            .collect();
        rng.shuffle(&mut occurrences);
        for n in occurrences {
            if !seen.insert(n.name.clone()) {
                continue;
            }
            if matches!(n.resolved, Resolved::Table) {
                tables.push(n);
            } else {
                columns.push(n);
            }
        }
        let chosen: Vec<_> = tables
            .into_iter()
            .take(1)
            .chain(columns.into_iter().take(3))
            .collect();
        if chosen.is_empty() {
            continue;
        }
        println!(
            "{}",
            json!({"type": "original", "file": rel, "query": query})
        );
        let mut mutants = Vec::new();
        for n in chosen {
            let first = rng.below(KINDS.len());
            let Some((kind, mutant)) = (0..KINDS.len()).find_map(|k| {
                let kind = KINDS[(first + k) % KINDS.len()];
                mutate(&n.name, kind, &mut rng).map(|m| (kind, m))
            }) else {
                continue;
            };
            let (s, e) = (n.span.start as usize, n.span.end as usize);
            let text = format!("{}{mutant}{}", &query[..s], &query[e..]);
            mutants.push((
                n.span.start,
                json!({
                    "type": "mutant",
                    "file": rel,
                    "offset": n.span.start,
                    "line": line_of(&query, n.span.start),
                    "kind": kind.label(),
                    "original": n.name.as_str(),
                    "mutant": mutant,
                    "query": text,
                }),
            ));
        }
        mutants.sort_by_key(|m| m.0);
        for (_, m) in mutants {
            println!("{m}");
        }
    }
}
