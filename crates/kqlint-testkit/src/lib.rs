//! Test support shared by the crates' tests: where `../shared` is, the dev
//! corpus, the oracle's recorded verdicts and the seed documents.
//!
//! Third-party text (corpus rules, seed pages) is read from `../shared` at
//! test time, never copied into the repository. When `../shared` cannot be
//! found the helpers panic with a message saying how to point at it: a test
//! that silently skips would prove nothing.

use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub mod shapes;

/// Environment variable that overrides where the shared material lives.
pub const SHARED_ENV: &str = "KQLINT_SHARED";

/// The repository root (this crate lives at `crates/kqlint-testkit`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// `$KQLINT_SHARED`, or `../shared` beside the checkout.
pub fn shared_dir() -> PathBuf {
    let candidate = match std::env::var_os(SHARED_ENV) {
        Some(p) => PathBuf::from(p),
        None => repo_root().join("../shared"),
    };
    if !candidate.join("corpus").is_dir() {
        panic!(
            "the shared test material was not found at {}: check out `shared/` beside this repository \
             or set {SHARED_ENV} to its path",
            candidate.display()
        );
    }
    candidate
}

pub fn corpus_dir() -> PathBuf {
    shared_dir().join("corpus")
}

/// Every rule file of the dev corpus, sorted, as paths under `corpus_dir()`.
pub fn corpus_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(&corpus_dir().join("sentinel"), &mut out);
    out.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")));
    out.sort();
    assert!(
        out.len() > 1000,
        "the dev corpus looks incomplete: {} files",
        out.len()
    );
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// One line of the oracle's JSONL output (see `shared/oracle/README.md`).
#[derive(Clone, Debug, Deserialize)]
pub struct OracleRecord {
    /// Relative to `corpus_dir()`, e.g. `sentinel/Detections/...yaml`.
    pub file: String,
    #[serde(default)]
    pub ok: bool,
    #[serde(default)]
    pub syntax_ok: bool,
    #[serde(default)]
    pub diagnostics: Vec<OracleDiagnostic>,
    pub columns: Option<Vec<OracleColumn>>,
    pub result_type: Option<String>,
    pub query_line_in_file: Option<u32>,
    pub query_indent_in_file: Option<u32>,
    pub query_style: Option<String>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct OracleDiagnostic {
    pub code: String,
    pub severity: String,
    pub kind: String,
    pub message: String,
    #[serde(default)]
    pub start: u32,
    #[serde(default)]
    pub end: u32,
    pub start_byte: Option<u32>,
    pub end_byte: Option<u32>,
    /// 1-based, in the query text.
    #[serde(default)]
    pub line: u32,
    #[serde(default)]
    pub column: u32,
    /// 1-based, in the YAML file.
    pub file_line: Option<u32>,
    pub file_column: Option<u32>,
}

impl OracleDiagnostic {
    /// Byte offsets into the query text.
    pub fn byte_range(&self) -> (u32, u32) {
        (
            self.start_byte.unwrap_or(self.start),
            self.end_byte.unwrap_or(self.end),
        )
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct OracleColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

fn read_jsonl(name: &str) -> Vec<OracleRecord> {
    let path = corpus_dir().join("oracle").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

/// Kusto.Language's parse-only verdicts on the dev corpus.
pub fn oracle_syntax() -> Vec<OracleRecord> {
    read_jsonl("syntax.jsonl")
}

/// Kusto.Language's full-analysis verdicts (with the Sentinel schemas).
pub fn oracle_full() -> Vec<OracleRecord> {
    read_jsonl("full.jsonl")
}

/// The oracle command (`shared/oracle/kql-oracle`, Kusto.Language in node)
/// and the `--schema` arguments the recorded full verdicts were made with
/// (see `shared/corpus/README.md`); `None`, with the reason, when it cannot
/// run here (no node, or no oracle). A test that needs it skips with that
/// reason, unless `KQLINT_REQUIRE_ORACLE` is set (CI sets it), where it
/// panics.
pub fn oracle() -> Result<(PathBuf, Vec<String>), String> {
    let script = shared_dir().join("oracle").join("kql-oracle");
    let missing = if !script.is_file() {
        Some(format!("the oracle {} is missing", script.display()))
    } else {
        match std::process::Command::new("node").arg("--version").output() {
            Ok(o) if o.status.success() => None,
            _ => Some("node is not installed (the oracle runs on node)".to_owned()),
        }
    };
    if let Some(why) = missing {
        if std::env::var_os("KQLINT_REQUIRE_ORACLE").is_some() {
            panic!("{why}, and KQLINT_REQUIRE_ORACLE is set");
        }
        return Err(why);
    }
    let schemas = shared_dir().join("schemas-sentinel");
    let mut args = Vec::new();
    for dir in [
        "2022-08-b819f67/CustomTables",
        "2023-11-copy/CustomTables",
        "2023-11-copy/CustomFunctions",
        "builtin-kustoservices-5.0.1/tables",
        "builtin-kustoservices-5.0.1/functions",
    ] {
        args.push("--schema".to_owned());
        args.push(schemas.join(dir).display().to_string());
    }
    Ok((script, args))
}

/// The oracle's verdict on each query, by id: the queries go to
/// [`oracle`]'s command as one `--jsonl` batch.
pub fn ask_oracle(
    oracle: &std::path::Path,
    schema_args: &[String],
    queries: &[(String, &str)],
) -> BTreeMap<String, Value> {
    let mut input = String::new();
    for (id, q) in queries {
        input.push_str(&json!({ "id": id, "query": q }).to_string());
        input.push('\n');
    }
    let mut child = Command::new(oracle)
        .args(schema_args)
        .args(["--jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the oracle");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let verdicts: BTreeMap<String, Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| Some((v["id"].as_str()?.to_owned(), v)))
        .collect();
    assert_eq!(
        verdicts.len(),
        queries.len(),
        "the oracle answered {} of {} queries: {}",
        verdicts.len(),
        queries.len(),
        String::from_utf8_lossy(&out.stderr)
    );
    verdicts
}

/// The oracle's errors in a verdict (code and message), sorted.
pub fn oracle_errors(v: &Value) -> Vec<String> {
    let mut e: Vec<String> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "Error")
        .map(|d| format!("{} {}", d["code"], d["message"]))
        .collect();
    e.sort();
    e
}

/// The `.kql` case files of a test folder, sorted by name; panics when
/// there are none (a moved folder must not pass as "no cases").
pub fn case_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kql"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .kql cases in {}", dir.display());
    files
}

/// `text` with every non-empty line indented by `prefix` (lines joined
/// with `\n`, no final line break), as a query stands in a YAML block or
/// under a Markdown list item.
pub fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The whole text of seed document `n` (`000` ... `004`).
pub fn seed_text(n: u32) -> String {
    let dir = shared_dir().join("seeds");
    let prefix = format!("{n:03}_");
    let entry = std::fs::read_dir(&dir)
        .expect("seeds dir")
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .unwrap_or_else(|| panic!("seed {n:03} not found in {}", dir.display()));
    std::fs::read_to_string(entry.path()).expect("seed text")
}

fn section<'a>(text: &'a str, start: &str, ends: &[&str]) -> &'a str {
    let i = text
        .find(start)
        .unwrap_or_else(|| panic!("seed has no `{start}` section"))
        + start.len();
    let rest = &text[i..];
    let j = ends
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    rest[..j].trim_matches('\n')
}

/// The "KQL Query" block of a seed, as a `.kql` text.
pub fn seed_kql(n: u32) -> String {
    let text = seed_text(n);
    format!(
        "{}\n",
        section(&text, "\nKQL Query\n", &["\nAnalytic Rule Definition\n"]).trim_end()
    )
}

/// The "Analytic Rule Definition" block of a seed, as a rule YAML text.
pub fn seed_yaml(n: u32) -> String {
    let text = seed_text(n);
    format!(
        "{}\n",
        section(
            &text,
            "\nAnalytic Rule Definition\n",
            &["\nRequired Data Sources\n", "\nMITRE ATT&CK Context\n"]
        )
        .trim_end()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_have_query_and_rule_blocks() {
        let kql = seed_kql(0);
        assert!(kql.starts_with("// Query 2"), "{kql}");
        assert!(kql.trim_end().ends_with("InitiatingProcessCommandLine"));
        let yaml = seed_yaml(3);
        assert!(yaml.starts_with("id: 7da76b41"), "{yaml}");
        assert!(yaml.contains("query: |"));
        assert!(yaml.trim_end().ends_with("RemoteUrl"));
    }

    #[test]
    fn corpus_and_oracle_line_up() {
        let files = corpus_files();
        let syntax = oracle_syntax();
        assert_eq!(files.len(), syntax.len());
        for r in &syntax {
            assert!(corpus_dir().join(&r.file).is_file(), "{}", r.file);
        }
    }
}

/// The query of every dev-corpus file that has one ([`corpus_query`]),
/// in file order: what the benches time.
pub fn corpus_queries() -> Vec<String> {
    corpus_files()
        .iter()
        .filter_map(|p| corpus_query(p))
        .collect()
}

/// The `query` (or `ParserQuery` / `FunctionQuery`) text of a corpus rule
/// file, read with a plain YAML loader. Tests of the parser use it so they do
/// not depend on kqlint's own position-mapping loader (which has tests of its
/// own); `None` when the file is not valid YAML or has no query.
pub fn corpus_query(path: &Path) -> Option<String> {
    use saphyr::{LoadableYamlNode, Yaml};
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let docs = Yaml::load_from_str(text).ok()?;
    let doc = docs.first()?;
    ["query", "ParserQuery", "FunctionQuery"]
        .iter()
        .find_map(|k| {
            doc.as_mapping_get(k)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
}

#[cfg(test)]
mod query_tests {
    use super::*;

    #[test]
    fn corpus_queries_load() {
        let files = corpus_files();
        let loaded = files.iter().filter(|p| corpus_query(p).is_some()).count();
        assert_eq!(
            loaded,
            files.len(),
            "every dev-corpus file has a loadable query"
        );
    }
}

/// A scratch directory under the system's temporary directory, removed when
/// dropped: `name` and the process id keep parallel test binaries apart.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kqlint-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Canonical, as the engine and editors see paths (macOS' /tmp is a link).
        TempDir(dir.canonicalize().unwrap())
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `rel` (its folders made as needed) and returns its path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
