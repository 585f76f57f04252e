//! The placeholder rules on the dev corpus: they fire on exactly the real
//! unfilled values, and on no Exploration Query parameter (`'<Name>'`, ...).
//! A value the query cannot match without is an error (KQL201); one it
//! works without as written, such as an exclusion, a warning (KQL203).
//! Guidance in a description ("TODO - set file hash to ...") is neither.

use kqlint_core::{ConfigOptions, Engine, EngineOptions, Target};
use kqlint_testkit::{corpus_dir, corpus_files};

/// (file under `sentinel/`, code, the placeholder text in the message).
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "Hunting Queries/Microsoft 365 Defender/Exfiltration/Map external devices.yaml",
        "KQL201",
        "<replace this with full computer name>",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/File footprint (1).yaml",
        "KQL201",
        "FILENAME GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (1).yaml",
        "KQL201",
        "IP ADDRESS GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (1).yaml",
        "KQL201",
        "DNS ENTRY GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (1).yaml",
        "KQL201",
        "FILENAME GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (2).yaml",
        "KQL201",
        "IP ADDRESS GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (2).yaml",
        "KQL201",
        "URL GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (3).yaml",
        "KQL201",
        "IP ADDRESS GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (3).yaml",
        "KQL201",
        "URL GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint (3).yaml",
        "KQL201",
        "URL GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint.yaml",
        "KQL201",
        "IP ADDRESS GOES HERE",
    ),
    (
        "Hunting Queries/Microsoft 365 Defender/General queries/Network footprint.yaml",
        "KQL201",
        "DNS ENTRY GOES HERE",
    ),
    // "// change datetime value and <processname> value below"
    (
        "Hunting Queries/SecurityAlert/AlertsWithProcess.yaml",
        "KQL201",
        "<processname>",
    ),
    // "//put the latest version of OS here before running the query", then
    // `where AccessDvcOsVersion != os_latest`: only an exclusion.
    (
        "Solutions/CiscoDuoSecurity/Hunting Queries/CiscoDuoUnpachedAccessDevices.yaml",
        "KQL203",
        "x.x.xxx",
    ),
    // "//add all corporate domains to this list", then both
    // `s_domain in~ (corp_domain)` (a match: an error) and `!in`.
    (
        "Solutions/DigitalGuardianDLP/Analytic Rules/DigitalGuardianFileSentToExternalDomain.yaml",
        "KQL201",
        "example.com",
    ),
];

#[test]
fn placeholders_in_the_dev_corpus() {
    let engine = Engine::new(EngineOptions {
        config: ConfigOptions {
            select: Some(vec!["placeholder".to_owned()]),
            ..ConfigOptions::isolated()
        },
        ..EngineOptions::default()
    })
    .unwrap();
    let root = corpus_dir().join("sentinel");
    let targets: Vec<Target> = corpus_files()
        .into_iter()
        .map(|p| {
            let display = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            Target::file(p, display, true)
        })
        .collect();
    let reports = engine.check_targets(&targets);
    let mut found: Vec<(String, &str, String)> = Vec::new();
    for r in &reports {
        for d in &r.diagnostics {
            assert!(
                matches!(d.code, "KQL201" | "KQL202" | "KQL203"),
                "{}: only placeholder rules are selected, got {} {}",
                r.path,
                d.code,
                d.message
            );
            let text = d.message.split('"').nth(1).unwrap_or("").to_owned();
            found.push((r.path.clone(), d.code, text));
        }
    }
    let expected: Vec<(String, &str, String)> = EXPECTED
        .iter()
        .map(|(f, c, t)| ((*f).to_owned(), *c, (*t).to_owned()))
        .collect();
    assert_eq!(found, expected);
    // 11 `GOES HERE` values in 5 files (sentinel-rule-checks.md §e).
    let goes_here: Vec<_> = found.iter().filter(|f| f.2.contains("GOES HERE")).collect();
    assert_eq!(goes_here.len(), 11);
    let mut files: Vec<_> = goes_here.iter().map(|f| &f.0).collect();
    files.dedup();
    assert_eq!(files.len(), 5);
    // No Exploration Query parameter: the 37 exploration queries have none.
    assert!(
        found
            .iter()
            .all(|f| !f.0.starts_with("Exploration Queries/"))
    );
}
