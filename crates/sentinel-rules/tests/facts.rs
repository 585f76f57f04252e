//! The rule checker's knowledge re-derived from the committed facts
//! (`schemas/facts/`), independently of the code that embeds it: the entity
//! identifiers and their alternative required sets as Azure-Sentinel's CI
//! models state them, and the valid connector ids (the CI's list and the
//! ids the solutions' data connectors declare).

use kql_schema::Catalog;
use sentinel_rules::Model;
use serde_json::Value;
use std::collections::BTreeSet;

fn facts_dir() -> std::path::PathBuf {
    kqlint_testkit::repo_root().join("schemas/facts")
}

#[test]
fn entity_identifiers_are_the_ci_models() {
    let text = std::fs::read_to_string(facts_dir().join("sentinel-ci-models.json")).unwrap();
    let facts: Value = serde_json::from_str(&text).unwrap();
    let ids = facts["entityIdentifiers"].as_object().unwrap();
    let model = Model::get();
    assert_eq!(model.entity_types.len(), ids.len());
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    for e in &model.entity_types {
        let f = &ids[e.name.as_str()];
        assert_eq!(e.identifiers, strings(&f["identifiers"]), "{}", e.name);
        let want: Vec<Vec<String>> = f["requiredIdentifiersAnyOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(strings)
            .collect();
        assert_eq!(e.required_any_of, want, "{}", e.name);
        // Every entity type can be identified somehow (the old data lost the
        // last alternative of each list, leaving some empty).
        assert!(!e.required_any_of.is_empty(), "{}", e.name);
    }
    let any_of = |name: &str| {
        model
            .entity_types
            .iter()
            .find(|e| e.name == name)
            .unwrap()
            .required_any_of
            .clone()
    };
    assert!(any_of("Process").contains(&vec!["ProcessId".to_owned()]));
    assert!(any_of("Account").contains(&vec!["ObjectGuid".to_owned()]));
    assert!(any_of("CloudApplication").contains(&vec!["Name".to_owned()]));
    assert!(any_of("Host").contains(&vec!["OMSAgentID".to_owned()]));
    assert!(any_of("MailMessage").contains(&vec!["Recipient".to_owned()]));
    assert_eq!(
        any_of("FileHash"),
        [vec!["Algorithm".to_owned(), "Value".to_owned()]]
    );
}

#[test]
fn connector_ids_are_the_ci_list_and_the_solutions_connectors() {
    let text = std::fs::read_to_string(facts_dir().join("sentinel-ci-models.json")).unwrap();
    let facts: Value = serde_json::from_str(&text).unwrap();
    let mut want: BTreeSet<String> = facts["validConnectorIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let connectors =
        std::fs::read_to_string(facts_dir().join("sentinel-connectors.facts")).unwrap();
    for line in connectors.lines() {
        if let Some(id) = line.strip_prefix("connector ") {
            want.insert(id.trim().trim_matches('"').to_owned());
        }
    }
    let have: BTreeSet<String> = Catalog::builtin()
        .connector_ids()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(have, want);
}
