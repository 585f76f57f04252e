//! `schemas/kqlint.toml.schema.json`, the JSON Schema editors use to
//! complete and check `kqlint.toml`: generated from the registry (a test
//! fails when the committed file is stale; regenerate with
//! `KQLINT_UPDATE_DOCS=1 cargo test -p kqlint-core --test config_schema`),
//! and agreeing with kqlint's own reading of the files.

use kqlint_core::Config;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&kqlint_core::config_schema::json_schema()).expect("a valid schema")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    let v: toml::Value = toml::from_str(toml_text).expect("TOML");
    serde_json::to_value(v).unwrap()
}

#[test]
fn committed_schema_is_up_to_date() {
    let path = root().join("schemas/kqlint.toml.schema.json");
    let expected = kqlint_core::config_schema::json_schema_text();
    if std::env::var_os("KQLINT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    assert!(
        std::fs::read_to_string(&path).ok().as_deref() == Some(expected.as_str()),
        "schemas/kqlint.toml.schema.json is stale: regenerate it with \
         `KQLINT_UPDATE_DOCS=1 cargo test -p kqlint-core --test config_schema` and commit it"
    );
}

/// The documented example (every key kqlint.toml has) is valid for both.
#[test]
fn the_documented_example_is_valid() {
    let doc = std::fs::read_to_string(root().join("docs/configuration.md")).unwrap();
    let start = doc.find("```toml\n").expect("a toml block") + 8;
    let end = start + doc[start..].find("```").unwrap();
    let example = &doc[start..end];
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(&as_json(example))
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for key in [
        "platform",
        "per-path-platform",
        "rules",
        "per-path-ignores",
        "schema",
        "placeholders",
        "formats",
        "format",
    ] {
        assert!(
            as_json(example).get(key).is_some(),
            "the example lacks {key}"
        );
    }
    // kqlint reads it too (its schema dirs aside, which must exist).
    let without_dirs = example.replace(
        "dirs = [\"schemas/CustomTables\", \"schemas/CustomFunctions\"]",
        "dirs = []",
    );
    Config::parse(Path::new("kqlint.toml"), &without_dirs).unwrap();
}

#[test]
fn schema_and_kqlint_agree_on_mistakes() {
    let v = validator();
    let cases = [
        ("[rules]\nselct = [\"all\"]\n", false),
        ("[rules]\nselect = [\"KQL9999\"]\n", false),
        (
            "[rules]\nselect = [\"unknown-column\", \"lint\", \"KQL301\", \"all\"]\n",
            true,
        ),
        ("[rules.severity]\nlint = \"fatal\"\n", false),
        ("[rules.severity]\njoin-without-kind = \"error\"\n", true),
        ("platform = \"defender\"\n", true),
        ("platform = \"splunk\"\n", false),
        ("[per-path-platform]\n\"x/**\" = \"adx\"\n", true),
        ("[per-path-platform]\n\"x/**\" = \"elastic\"\n", false),
        ("[placeholders]\ndisable = [\"goes-here\"]\n", true),
        ("[placeholders]\ndisable = [\"nope\"]\n", false),
        ("[placeholders]\nextra = [{ patern = \"x\" }]\n", false),
        (
            "[placeholders]\nextra = [\"x\", { pattern = \"y\", metadata = true }]\n",
            true,
        ),
        ("[per-path-ignores]\n\"a/**\" = [\"unused-let\"]\n", true),
        ("colour = true\n", false),
        (
            "[format]\nline-width = 120\nindent-width = 2\npipe = \"trailing\"\n",
            true,
        ),
        ("[format]\nline-widht = 120\n", false),
        ("[format]\nline-width = 5\n", false),
        ("[format]\nindent-width = 17\n", false),
        ("[format]\npipe = \"both\"\n", false),
    ];
    for (text, valid) in cases {
        assert_eq!(v.is_valid(&as_json(text)), valid, "schema: {text}");
        assert_eq!(
            Config::parse(Path::new("kqlint.toml"), text).is_ok(),
            valid,
            "kqlint: {text}"
        );
    }
}

/// Every problem of a file is reported, not only the first.
#[test]
fn every_problem_of_a_file_is_reported() {
    let text = "platform = \"splunk\"\n[rules]\nselect = [\"KQL9999\", \"unknown-colum\"]\n[rules.severity]\nlint = \"fatal\"\n";
    let errors = Config::parse_all(Path::new("kqlint.toml"), text).unwrap_err();
    let keys: Vec<_> = errors.iter().map(|e| e.key.clone().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "rules.select",
            "rules.select",
            "rules.severity.lint",
            "platform"
        ],
        "{errors:?}"
    );
    let first = Config::parse(Path::new("kqlint.toml"), text).unwrap_err();
    assert_eq!(first.all().count(), 4);
}
