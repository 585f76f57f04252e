//! Shared helpers of the integration tests.

#![allow(dead_code)]

use kql_semantic::{Analysis, Options, QueryResult, analyze};
use std::fmt::Write;

/// Analyses `src` for Sentinel, the platform declared; a first line
/// `// platform: defender` (or `sentinel`, `adx`), with ` assumed` after
/// it, picks another platform or says it was only assumed.
pub fn check(src: &str) -> Analysis {
    let parse = kql_syntax::parse(src);
    let directive = src
        .lines()
        .next()
        .and_then(|l| l.trim().strip_prefix("// platform:"))
        .map(str::trim);
    let (platform, assumed) = match directive {
        Some(d) => {
            let (p, rest) = d.split_once(' ').unwrap_or((d, ""));
            (p.parse().expect("a platform"), rest.trim() == "assumed")
        }
        None => (kql_schema::Platform::Sentinel, false),
    };
    analyze(
        &parse,
        src,
        kql_schema::Catalog::builtin_for(platform),
        &Options {
            platform_assumed: assumed,
            ..Options::default()
        },
    )
}

/// 1-based line and column of a byte offset.
pub fn line_col(src: &str, offset: u32) -> (usize, usize) {
    let before = &src[..(offset as usize).min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

/// A readable dump of an analysis: diagnostics, result, tables read.
pub fn dump(src: &str, a: &Analysis) -> String {
    let mut out = String::new();
    for d in &a.diagnostics {
        let (l, c) = line_col(src, d.span.start);
        let _ = writeln!(
            out,
            "{} {} {:?} {}:{} `{}`: {}",
            d.code,
            d.name,
            d.severity,
            l,
            c,
            d.span.text(src),
            d.message
        );
        if let Some(h) = &d.help {
            let _ = writeln!(out, "    help: {h}");
        }
        if let Some(f) = &d.fix {
            let edits: Vec<String> = f
                .edits
                .iter()
                .map(|e| format!("{:?} -> {:?}", e.span.text(src), e.replacement))
                .collect();
            let _ = writeln!(
                out,
                "    fix ({:?}): {} [{}]",
                f.applicability,
                f.message,
                edits.join(", ")
            );
        }
    }
    match &a.result {
        QueryResult::Table(s) => {
            let cols: Vec<String> = s
                .visible()
                .map(|c| format!("{}:{}", c.name, c.ty))
                .collect();
            let _ = writeln!(
                out,
                "=> ({}){}",
                cols.join(", "),
                if s.is_open() { " open" } else { "" }
            );
        }
        QueryResult::Scalar(t) => {
            let _ = writeln!(out, "=> scalar {t}");
        }
        QueryResult::None => {
            let _ = writeln!(out, "=> no result");
        }
    }
    if !a.tables.is_empty() {
        let _ = writeln!(out, "tables: {}", a.tables.join(", "));
    }
    out
}
