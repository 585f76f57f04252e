//! The one registry of every diagnostic kqlint can emit.
//!
//! Each crate declares the [`RuleMeta`] of the diagnostics it emits next to
//! the code that emits them; this module collects them. `kqlint rules`,
//! `kqlint explain`, `docs/rules.md`, SARIF rule metadata and the language
//! server's code descriptions all read from here.

use kqlint_diagnostics::{ExampleKind, RuleMeta};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The registries of the crates that emit diagnostics, in code order.
fn sources() -> Vec<&'static [&'static RuleMeta]> {
    vec![
        kql_syntax::rules::RULES,
        crate::core_rules::RULES,
        kqlint_source::RULES,
        kql_semantic::RULES,
        kql_lint::metas(),
        sentinel_rules::RULES,
    ]
}

/// Where the rule pages are published when nothing else is said: the
/// pages generated from the registry into `docs/rules/` (one per code), as
/// GitHub Pages serves that folder. A build can name another base with the
/// `KQLINT_DOCS_URL` environment variable at compile time, and a run with the
/// same variable at run time (an organisation hosting the pages itself).
pub const DEFAULT_DOCS_URL: &str = "https://kqlint.github.io/kqlint/rules/";

/// The base URL of the rule pages (ends with `/`).
pub fn docs_base() -> String {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let chosen = std::env::var("KQLINT_DOCS_URL")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| option_env!("KQLINT_DOCS_URL").map(str::to_owned))
            .unwrap_or_else(|| DEFAULT_DOCS_URL.to_owned());
        let mut base = chosen.trim().to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        base
    })
    .clone()
}

/// The stable documentation URL of a rule: `<base><CODE>.html`, the page
/// generated from the registry into `docs/rules/<CODE>.md` (see
/// [`rule_page`]). Used by SARIF `helpUri`, `kqlint explain`, the human
/// report's hyperlinks and the language server's `codeDescription`.
pub fn docs_url(m: &RuleMeta) -> String {
    format!("{}{}.html", docs_base(), m.code)
}

/// The rule whose code or name is nearest to a mistyped one (`KQL2O1`,
/// `unknown-colum`), for "did you mean" messages.
pub fn suggest(code_or_name: &str) -> Option<&'static RuleMeta> {
    let wanted = code_or_name.trim();
    if wanted.is_empty() {
        return None;
    }
    let names = all().iter().flat_map(|m| [m.code, m.name]);
    let best = kql_schema::best_match(wanted, names)?;
    lookup(best)
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
        "category: {}   default severity: {}   fixable: {}{}\n",
        m.category,
        m.severity,
        if m.fixable { "yes" } else { "no" },
        if m.opt_in {
            "   opt-in (runs only when selected by code or name)"
        } else {
            ""
        }
    );
    for (title, text) in [("What it does", m.what), ("Why it matters", m.why)] {
        let _ = writeln!(s, "{title}");
        s.push_str(&wrap(text, "  ", 88));
        s.push('\n');
    }
    let examples = |s: &mut String, title: &str, list: &[&str]| {
        if list.is_empty() || m.example_kind == ExampleKind::None {
            return;
        }
        let _ = writeln!(s, "{title}");
        for (i, example) in list.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            if example.trim().is_empty() {
                let _ = writeln!(s, "    (an empty file)");
            }
            for line in example.lines() {
                let _ = writeln!(s, "    {line}");
            }
        }
        s.push('\n');
    };
    examples(&mut s, "Example (reported)", m.fail);
    examples(&mut s, "Instead (not reported)", m.pass);
    let _ = writeln!(s, "How to fix");
    s.push_str(&wrap(m.fix, "  ", 88));
    let _ = writeln!(
        s,
        "\nTo silence it: `kqlint-disable-line {0}` in a comment at the end of the line,\n`kqlint-disable-next-line {0} -- reason` on the line before, or\n`ignore = [\"{1}\"]` under [rules] in kqlint.toml.",
        m.code, m.name
    );
    let _ = writeln!(s, "\nDocumentation: {}", docs_url(m));
    s
}

/// `text` wrapped at `width` columns, each line indented.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.chars().count() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `docs/rules.md`: every rule's documentation, generated from the
/// registry (a test fails when the committed file is stale).
pub fn markdown() -> String {
    use std::fmt::Write;
    let mut s = String::new();
    s.push_str(
        "<!-- Generated from kqlint's rule registry; do not edit. To regenerate:\n     \
         KQLINT_UPDATE_DOCS=1 cargo test -p kqlint-core --test docs -->\n\n",
    );
    s.push_str("# kqlint rules\n\n");
    s.push_str(
        "Every diagnostic kqlint reports, with its stable code and name. `kqlint rules` lists them and \
         `kqlint explain CODE` prints one; select, ignore and re-grade them in `kqlint.toml` or on the \
         command line, and silence one line with `// kqlint-disable-next-line CODE -- reason` on the line \
         before it or `// kqlint-disable-line CODE` at its end ([configuration](configuration.md)). Each rule \
         also has a page of its own, `rules/CODE.md` ([rules/](rules/)), which `kqlint explain`, SARIF reports \
         and editors link to. *Fix* marks the rules that come with a fix: `kqlint check \
         --fix` applies the safe ones, editors offer all of them. *Opt-in* rules run only when selected by \
         code or name.\n\n",
    );
    s.push_str("| Code | Name | Category | Default severity | Fix | Summary |\n|---|---|---|---|---|---|\n");
    for m in all() {
        let _ = writeln!(
            s,
            "| [{}](#{}) | `{}` | {} | {}{} | {} | {} |",
            m.code,
            anchor(m),
            m.name,
            m.category,
            m.severity,
            if m.opt_in { " (opt-in)" } else { "" },
            if m.fixable { "yes" } else { "" },
            m.summary.replace('|', "\\|")
        );
    }
    let mut category = None;
    for m in all() {
        if category != Some(m.category) {
            category = Some(m.category);
            let _ = write!(s, "\n## Category `{}`\n", m.category);
        }
        let _ = write!(s, "\n### {} `{}`\n\n", m.code, m.name);
        s.push_str(&rule_body(m));
    }
    s
}

/// The page of one rule, `docs/rules/<CODE>.md`, generated from the registry
/// like `docs/rules.md` (the same text); [`docs_url`] points at it once
/// published (`<base><CODE>.html`).
pub fn rule_page(m: &RuleMeta) -> String {
    let mut s = String::new();
    s.push_str(
        "<!-- Generated from kqlint's rule registry; do not edit. To regenerate:\n     \
         KQLINT_UPDATE_DOCS=1 cargo test -p kqlint-core --test docs -->\n\n",
    );
    s.push_str(&format!("# {} `{}`\n\n", m.code, m.name));
    s.push_str(&rule_body(m));
    s.push_str(&format!(
        "\nSilence one line with `// kqlint-disable-line {0}` at its end (`#` in rule YAML), the next one with \
         `// kqlint-disable-next-line {0} -- reason`, or every file with `ignore = [\"{1}\"]` under `[rules]` in \
         `kqlint.toml` ([configuration](../configuration.md)).\n\n[All rules](../rules.md)\n",
        m.code, m.name
    ));
    s
}

/// A rule's documentation after its heading: summary, facts, what, why,
/// examples, how to fix.
fn rule_body(m: &RuleMeta) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = write!(s, "{}\n\n", m.summary);
    let _ = writeln!(
        s,
        "Category `{}`, default severity **{}**{}{}.\n",
        m.category,
        m.severity,
        if m.fixable { ", fixable" } else { "" },
        if m.opt_in {
            ", opt-in (runs only when selected by code or name)"
        } else {
            ""
        }
    );
    let _ = writeln!(s, "**What it does.** {}\n", m.what.trim());
    let _ = writeln!(s, "**Why it matters.** {}\n", m.why.trim());
    let lang = match m.example_kind {
        ExampleKind::Kql => "kql",
        ExampleKind::Yaml => "yaml",
        ExampleKind::Markdown => "markdown",
        ExampleKind::Json => "json",
        ExampleKind::Bicep => "bicep",
        ExampleKind::None => "",
    };
    for (title, list) in [("Reported", m.fail), ("Not reported", m.pass)] {
        if list.is_empty() || m.example_kind == ExampleKind::None {
            continue;
        }
        let _ = writeln!(s, "{title}:\n");
        for example in list {
            if example.trim().is_empty() {
                s.push_str("*(an empty file)*\n\n");
                continue;
            }
            let fence = fence_for(example);
            let _ = writeln!(s, "{fence}{lang}\n{}\n{fence}\n", example.trim_end());
        }
    }
    let _ = writeln!(s, "**How to fix.** {}", m.fix.trim());
    s
}

/// The GitHub heading anchor of a rule's section.
fn anchor(m: &RuleMeta) -> String {
    format!("{}-{}", m.code.to_ascii_lowercase(), m.name)
}

/// A code fence longer than any run of backticks in the text.
fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
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
