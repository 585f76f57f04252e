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

/// `docs/rules/<CODE>.md`: one page per rule, generated from the registry,
/// the target of every rule's documentation URL.
#[test]
fn every_rule_has_an_up_to_date_page_and_a_url() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let update = std::env::var_os("KQLINT_UPDATE_DOCS").is_some();
    if update {
        std::fs::create_dir_all(&dir).expect("create docs/rules");
    }
    let mut expected_files = std::collections::BTreeSet::new();
    let mut stale = Vec::new();
    for m in kqlint_core::registry::all() {
        let name = format!("{}.md", m.code);
        let page = kqlint_core::registry::rule_page(m);
        assert!(page.contains(&format!("# {} `{}`", m.code, m.name)));
        assert!(page.contains(m.summary));
        let path = dir.join(&name);
        if update {
            std::fs::write(&path, &page).expect("write a rule page");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
            stale.push(name.clone());
        }
        let url = kqlint_core::registry::docs_url(m);
        assert!(
            url.starts_with("https://") && url.ends_with(&format!("/{}.html", m.code)),
            "{url}"
        );
        expected_files.insert(name);
    }
    let present: std::collections::BTreeSet<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if update {
        for extra in present.difference(&expected_files) {
            std::fs::remove_file(dir.join(extra)).expect("remove a stale page");
        }
        return;
    }
    let extra: Vec<_> = present.difference(&expected_files).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "docs/rules/ is stale (missing or changed: {stale:?}; not a rule: {extra:?}): regenerate it with \
         `KQLINT_UPDATE_DOCS=1 cargo test -p kqlint-core --test docs` and commit it"
    );
}

#[test]
fn explain_links_the_page_and_a_typo_finds_the_rule() {
    let m = kqlint_core::registry::lookup("KQL201").unwrap();
    let text = kqlint_core::registry::explain(m);
    assert!(text.contains(&kqlint_core::registry::docs_url(m)), "{text}");
    for typo in ["KQL2O1", "unfilled-placeholdr", "Unfilled-Placeholder"] {
        assert_eq!(
            kqlint_core::registry::suggest(typo).map(|m| m.code),
            Some("KQL201"),
            "{typo}"
        );
    }
    assert_eq!(
        kqlint_core::registry::suggest("unknown-colum").map(|m| m.name),
        Some("unknown-column")
    );
    assert!(kqlint_core::registry::suggest("completely-different-thing").is_none());
}
