//! The one registry of every diagnostic kqlint can emit.
//!
//! Each crate declares the [`RuleMeta`] of the diagnostics it emits next to
//! the code that emits them; this module collects them. `kqlint rules`,
//! `kqlint explain`, `docs/rules.md`, SARIF rule metadata and the language
//! server's code descriptions all read from here.

use kqlint_diagnostics::RuleMeta;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The registries of the crates that emit diagnostics, in code order.
fn sources() -> Vec<&'static [&'static RuleMeta]> {
    vec![
        crate::syntax_rules::RULES,
        crate::core_rules::RULES,
        kqlint_source::RULES,
        kql_semantic::RULES,
        kql_lint::RULES,
        crate::config::RULES,
    ]
}

/// Whether a rule only runs when selected by code or name.
pub fn is_opt_in(m: &RuleMeta) -> bool {
    kql_lint::is_opt_in(m)
}

/// Every registered rule, sorted by code.
pub fn all() -> &'static [&'static RuleMeta] {
    static ALL: OnceLock<Vec<&'static RuleMeta>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static RuleMeta> = sources().into_iter().flatten().copied().collect();
        v.sort_by_key(|m| m.code);
        v
    })
}

/// Looks a rule up by code (`KQL101`) or name (`unknown-column`), ignoring case.
pub fn lookup(code_or_name: &str) -> Option<&'static RuleMeta> {
    static INDEX: OnceLock<HashMap<String, &'static RuleMeta>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for meta in all() {
            m.insert(meta.code.to_ascii_lowercase(), *meta);
            m.insert(meta.name.to_ascii_lowercase(), *meta);
        }
        m
    });
    index.get(&code_or_name.to_ascii_lowercase()).copied()
}

/// The documentation of a rule, as `kqlint explain` prints it.
pub fn explain(m: &RuleMeta) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "{} {}: {}", m.code, m.name, m.summary);
    let _ = writeln!(
        s,
        "category: {}   default severity: {}   fixable: {}\n",
        m.category,
        m.severity,
        if m.fixable { "yes" } else { "no" }
    );
    let _ = writeln!(s, "What it does\n  {}\n", m.what.trim());
    let _ = writeln!(s, "Why it matters\n  {}\n", m.why.trim());
    if let Some(example) = m.fail.first() {
        let _ = writeln!(s, "Example (reported)");
        for line in example.lines() {
            let _ = writeln!(s, "    {line}");
        }
        s.push('\n');
    }
    if let Some(example) = m.pass.first() {
        let _ = writeln!(s, "Instead (not reported)");
        for line in example.lines() {
            let _ = writeln!(s, "    {line}");
        }
        s.push('\n');
    }
    let _ = writeln!(s, "How to fix\n  {}", m.fix.trim());
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for m in all() {
            assert!(codes.insert(m.code), "duplicate code {}", m.code);
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            assert!(
                m.code.len() == 6
                    && m.code.starts_with("KQL")
                    && m.code[3..].bytes().all(|b| b.is_ascii_digit()),
                "bad code {}",
                m.code
            );
            assert!(
                m.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "name {} is not kebab-case",
                m.name
            );
            for field in [m.summary, m.what, m.why, m.fix] {
                assert!(
                    !field.trim().is_empty(),
                    "{} has an empty doc field",
                    m.code
                );
            }
        }
    }
}
