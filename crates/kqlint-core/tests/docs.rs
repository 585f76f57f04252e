//! `docs/rules.md` is generated from the registry; this test fails when
//! the committed file is stale. Regenerate with
//! `KQLINT_UPDATE_DOCS=1 cargo test -p kqlint-core --test docs`.

use std::path::Path;

#[test]
fn rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let expected = kqlint_core::registry::markdown();
    if std::env::var_os("KQLINT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/rules.md");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is stale (a rule's documentation changed): regenerate it with \
         `KQLINT_UPDATE_DOCS=1 cargo test -p kqlint-core --test docs` and commit it"
    );
}

#[test]
fn rules_md_lists_every_rule_with_an_anchor() {
    let md = kqlint_core::registry::markdown();
    for m in kqlint_core::registry::all() {
        let heading = format!("\n### {} `{}`\n", m.code, m.name);
        assert!(md.contains(&heading), "{heading}");
        let link = format!("[{}](#{}-{})", m.code, m.code.to_ascii_lowercase(), m.name);
        assert!(md.contains(&link), "{link}");
    }
}
