//! Configuration: `kqlint.toml`, found by walking up from each checked
//! file (or named with `--config`), plus command-line overrides.
//!
//! ```toml
//! [rules]
//! select = ["all"]                       # default: every rule that is not opt-in
//! extend-select = ["take-without-sort"]  # add to the selection (opt-in rules are named)
//! ignore = ["KQL306", "lint"]            # codes, names or categories
//!
//! [rules.severity]
//! join-without-kind = "error"            # a rule (code or name) or a category
//! lint = "info"
//!
//! [per-path-ignores]
//! "Hunting Queries/**" = ["missing-time-filter"]
//!
//! platform = "sentinel"                # sentinel | defender | adx: whose tables, columns and types
//!
//! [per-path-platform]
//! "Defender/**" = "defender"
//!
//! [schema]
//! dirs = ["schemas/CustomTables", "schemas/CustomFunctions"]
//!
//! [formats]                            # what is read besides .kql/.csl and rule YAML
//! markdown = true                      # fenced KQL in Markdown
//! markdown-untagged = true             # untagged / mislabelled fences that look like KQL
//! json = true                          # ARM templates, solution packages, Defender XDR rules
//! bicep = true                         # analytic rules in Bicep
//!
//! [format]                             # the layout `kqlint fmt` gives queries
//! line-width = 100                     # longer lines are wrapped where they can be
//! indent-width = 4                     # spaces per level
//! pipe = "leading"                     # leading | trailing: where a pipeline's `|` goes
//!
//! [placeholders]
//! disable = ["example-domain"]
//! extra = ['\bPUT_\w+_HERE\b', { pattern = "(?i)<tenant>", help = "your tenant id", metadata = true }]
//! ```
//!
//! Selection follows ruff: the most specific selector wins (a rule over a
//! category over `all`), and `ignore` wins a tie. Opt-in rules only run
//! when named by code or name. Paths (schema directories, per-path globs)
//! are relative to the directory of the file that names them.

use crate::registry;
use kql_format::{FormatOptions, PipeStyle};
use kql_lint::{LintOptions, PlaceholderPatterns};
use kql_schema::Platform;
use kqlint_diagnostics::{Category, RuleMeta, Severity};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toml::Spanned;

/// The name of a configuration file.
pub const CONFIG_FILE: &str = "kqlint.toml";

/// A configuration problem: the file, the position and the key it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// The key the problem is in (`rules.select`), when known.
    pub key: Option<String>,
    pub message: String,
    /// Further problems in the same file (a run reports them all).
    pub more: Vec<ConfigError>,
}

impl ConfigError {
    /// This problem and the further ones in the same file.
    pub fn all(&self) -> impl Iterator<Item = &ConfigError> {
        std::iter::once(self).chain(self.more.iter())
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((l, c)) = self.position {
            write!(f, ":{l}:{c}")?;
        }
        f.write_str(": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// What selects or ignores rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selector {
    All,
    Category(Category),
    Rule(&'static str),
}

impl Selector {
    /// Parses `all`, a category, a rule code or a rule name.
    pub fn parse(s: &str) -> Option<Selector> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("all") {
            return Some(Selector::All);
        }
        if let Some(c) = Category::parse(t) {
            return Some(Selector::Category(c));
        }
        registry::lookup(t).map(|m| Selector::Rule(m.code))
    }

    fn specificity(self) -> u8 {
        match self {
            Selector::All => 0,
            Selector::Category(_) => 1,
            Selector::Rule(_) => 2,
        }
    }

    fn matches(self, m: &RuleMeta) -> bool {
        match self {
            Selector::All => true,
            Selector::Category(c) => m.category == c,
            Selector::Rule(code) => m.code == code,
        }
    }
}

/// Command-line settings layered over the configuration files.
#[derive(Clone, Debug, Default)]
pub struct ConfigOptions {
    /// `--config FILE`: used for every file instead of discovery.
    pub config_file: Option<PathBuf>,
    /// Do not look for `kqlint.toml` files (tests, `--isolated`).
    pub no_discovery: bool,
    /// `--select`: replaces the files' `select`.
    pub select: Option<Vec<String>>,
    /// `--extend-select`: added to the selection.
    pub extend_select: Vec<String>,
    /// `--ignore`: added to the files' `ignore`.
    pub ignore: Vec<String>,
    /// `--platform`: the platform of every file, over the files' settings.
    pub platform: Option<Platform>,
}

impl ConfigOptions {
    /// The defaults, with no `kqlint.toml` looked for (`--isolated`; tests
    /// and fuzzing, which must not pick up a configuration around them).
    pub fn isolated() -> ConfigOptions {
        ConfigOptions {
            no_discovery: true,
            ..ConfigOptions::default()
        }
    }
}

#[derive(Clone, Debug)]
struct PathIgnore {
    glob: globset::GlobMatcher,
    selectors: Vec<Selector>,
}

/// One resolved configuration: a file's settings with the command line's
/// on top.
#[derive(Clone, Debug)]
pub struct Config {
    /// The `kqlint.toml` it was read from (`None`: the defaults).
    pub file: Option<PathBuf>,
    /// The directory its relative paths and globs start from.
    pub root: PathBuf,
    select: Vec<Selector>,
    ignore: Vec<Selector>,
    severity: Vec<(Selector, Severity)>,
    per_path: Vec<PathIgnore>,
    /// `platform`: the platform of the files this configuration covers.
    platform: Option<Platform>,
    /// `[per-path-platform]`: globs (relative to `root`) and their platform;
    /// the longest matching glob wins over `platform`.
    per_path_platform: Vec<(globset::GlobMatcher, Platform)>,
    /// Extra schema directories, absolute or relative to the working
    /// directory.
    pub schema_dirs: Vec<PathBuf>,
    pub lint: LintOptions,
    /// `[formats]`: which kinds of files are read when found by walking.
    pub formats: Formats,
    /// `[format]`: the layout `kqlint fmt` and the editor's formatting give
    /// queries (`script` is decided per query, not here).
    pub format: FormatOptions,
}

/// The values `[format]` accepts: wider or narrower settings are mistakes
/// (a width of 5 wraps every line; an indentation of 40 is no layout).
pub const LINE_WIDTHS: std::ops::RangeInclusive<usize> = 20..=1000;
pub const INDENT_WIDTHS: std::ops::RangeInclusive<usize> = 1..=16;

/// `[formats]`: the kinds of files besides `.kql`, `.csl` and rule YAML
/// that kqlint reads when it finds them (all by default), and how it finds
/// KQL in Markdown.
///
/// ```toml
/// [formats]
/// markdown = true           # fenced KQL in .md files
/// markdown-untagged = true  # untagged or mislabelled fences that look like KQL
/// json = true               # ARM templates, solution packages, Defender XDR detection rules
/// bicep = true              # analytic rule resources in .bicep files
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    pub markdown: bool,
    pub markdown_untagged: bool,
    pub json: bool,
    pub bicep: bool,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats {
            markdown: true,
            markdown_untagged: true,
            json: true,
            bicep: true,
        }
    }
}

impl Formats {
    /// Whether files of this kind are read when found by walking.
    pub fn reads(&self, kind: kqlint_source::SourceKind) -> bool {
        use kqlint_source::SourceKind as K;
        match kind {
            K::Kql | K::Yaml => true,
            K::Markdown => self.markdown,
            K::Json => self.json,
            K::Bicep => self.bicep,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            file: None,
            root: PathBuf::from("."),
            select: vec![Selector::All],
            ignore: Vec::new(),
            severity: Vec::new(),
            per_path: Vec::new(),
            platform: None,
            per_path_platform: Vec::new(),
            schema_dirs: Vec::new(),
            lint: LintOptions::default(),
            formats: Formats::default(),
            format: FormatOptions::default(),
        }
    }
}

impl Config {
    /// Whether a rule runs for a file (`path` as checked; per-path globs
    /// match it relative to the configuration's directory).
    pub fn enabled(&self, m: &RuleMeta, path: Option<&Path>) -> bool {
        let best = |sels: &[Selector]| {
            sels.iter()
                .filter(|s| s.matches(m))
                .map(|s| s.specificity())
                .max()
        };
        let Some(sel) = best(&self.select) else {
            return false;
        };
        if best(&self.ignore).is_some_and(|ign| ign >= sel) {
            return false;
        }
        if sel < 2 && m.opt_in {
            return false;
        }
        if let Some(p) = path
            && !self.per_path.is_empty()
        {
            let rel = relative_to(p, &self.root);
            if self
                .per_path
                .iter()
                .any(|pi| pi.glob.is_match(&rel) && pi.selectors.iter().any(|s| s.matches(m)))
            {
                return false;
            }
        }
        true
    }

    /// The platform declared for a file (`--platform`, a matching
    /// `[per-path-platform]` glob, then `platform`); `None` when nothing
    /// declares one and the engine has to infer it.
    pub fn platform_for(&self, path: Option<&Path>) -> Option<Platform> {
        if let Some(p) = path
            && !self.per_path_platform.is_empty()
        {
            let rel = relative_to(p, &self.root);
            if let Some((_, platform)) = self
                .per_path_platform
                .iter()
                .filter(|(g, _)| g.is_match(&rel))
                .max_by_key(|(g, _)| g.glob().glob().len())
            {
                return Some(*platform);
            }
        }
        self.platform
    }

    /// The severity of a rule's findings: the most specific setting, or
    /// the rule's default.
    pub fn severity(&self, m: &RuleMeta) -> Severity {
        self.severity
            .iter()
            .filter(|(s, _)| s.matches(m))
            .max_by_key(|(s, _)| s.specificity())
            .map_or(m.severity, |(_, sev)| *sev)
    }

    /// The defaults with the command line applied.
    pub fn from_options(options: &ConfigOptions) -> Result<Config, ConfigError> {
        let mut c = Config::default();
        c.apply_options(options, Path::new("<command line>"))?;
        Ok(c)
    }

    fn apply_options(&mut self, o: &ConfigOptions, origin: &Path) -> Result<(), ConfigError> {
        let parse = |flag: &str, items: &[String]| -> Result<Vec<Selector>, ConfigError> {
            items
                .iter()
                .flat_map(|s| s.split(','))
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    Selector::parse(s).ok_or_else(|| ConfigError {
                        file: origin.to_path_buf(),
                        position: None,
                        key: Some(flag.to_owned()),
                        message: unknown_rule_message(s),
                        more: Vec::new(),
                    })
                })
                .collect()
        };
        if let Some(sel) = &o.select {
            self.select = parse("--select", sel)?;
        }
        self.select
            .extend(parse("--extend-select", &o.extend_select)?);
        self.ignore.extend(parse("--ignore", &o.ignore)?);
        if let Some(p) = o.platform {
            self.platform = Some(p);
            self.per_path_platform.clear();
        }
        Ok(())
    }

    /// Reads a `kqlint.toml` (its text already loaded). The error is the
    /// first problem; [`ConfigError::more`] holds the others, so a run can
    /// report them all at once.
    pub fn parse(file: &Path, text: &str) -> Result<Config, ConfigError> {
        Config::parse_all(file, text).map_err(|mut errors| {
            let mut first = errors.remove(0);
            first.more = errors;
            first
        })
    }

    /// Reads a `kqlint.toml`, collecting every problem (never an empty
    /// list). A syntax error or an unknown key stops the reading; bad values
    /// (unknown rules, severities, globs, directories, patterns) are all
    /// reported.
    pub fn parse_all(file: &Path, text: &str) -> Result<Config, Vec<ConfigError>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let position = e.span().map(|s| line_col(text, s.start));
            let key = e.span().and_then(|s| key_at(text, s.start));
            vec![ConfigError {
                file: file.to_path_buf(),
                position,
                key,
                message: first_line(e.message()),
                more: Vec::new(),
            }]
        })?;
        let root = file
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let err = |span: std::ops::Range<usize>, key: &str, message: String| ConfigError {
            file: file.to_path_buf(),
            position: Some(line_col(text, span.start)),
            key: Some(key.to_owned()),
            message,
            more: Vec::new(),
        };
        let mut errors: Vec<ConfigError> = Vec::new();
        let selectors = |items: &[Spanned<String>], key: &str, errors: &mut Vec<ConfigError>| {
            items
                .iter()
                .filter_map(|s| match Selector::parse(s.get_ref()) {
                    Some(sel) => Some(sel),
                    None => {
                        errors.push(err(s.span(), key, unknown_rule_message(s.get_ref())));
                        None
                    }
                })
                .collect::<Vec<Selector>>()
        };
        let mut c = Config {
            file: Some(file.to_path_buf()),
            root: root.clone(),
            ..Config::default()
        };
        if let Some(rules) = &raw.rules {
            if let Some(sel) = &rules.select {
                c.select = selectors(sel, "rules.select", &mut errors);
            }
            let extend = selectors(
                rules.extend_select.as_deref().unwrap_or(&[]),
                "rules.extend-select",
                &mut errors,
            );
            c.select.extend(extend);
            c.ignore = selectors(
                rules.ignore.as_deref().unwrap_or(&[]),
                "rules.ignore",
                &mut errors,
            );
            for (k, v) in rules.severity.iter().flatten() {
                let key = format!("rules.severity.{}", k.get_ref());
                let s = Selector::parse(k.get_ref());
                if s.is_none() {
                    errors.push(err(k.span(), &key, unknown_rule_message(k.get_ref())));
                }
                let sev = Severity::parse(v.get_ref());
                if sev.is_none() {
                    errors.push(err(
                        v.span(),
                        &key,
                        format!(
                            "`{}` is not a severity: use \"error\", \"warning\" or \"info\"",
                            v.get_ref()
                        ),
                    ));
                }
                if let (Some(s), Some(sev)) = (s, sev) {
                    c.severity.push((s, sev));
                }
            }
        }
        let glob = |pattern: &Spanned<String>, key: &str| {
            globset::GlobBuilder::new(pattern.get_ref())
                .literal_separator(true)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| err(pattern.span(), key, format!("bad glob: {}", e.kind())))
        };
        for (pattern, sels) in raw.per_path_ignores.iter().flatten() {
            let key = format!("per-path-ignores.\"{}\"", pattern.get_ref());
            let selectors = selectors(sels, &key, &mut errors);
            match glob(pattern, &key) {
                Ok(glob) => c.per_path.push(PathIgnore { glob, selectors }),
                Err(e) => errors.push(e),
            }
        }
        let platform = |v: &Spanned<String>, key: &str| {
            v.get_ref()
                .parse::<Platform>()
                .map_err(|m| err(v.span(), key, m))
        };
        if let Some(p) = &raw.platform {
            match platform(p, "platform") {
                Ok(p) => c.platform = Some(p),
                Err(e) => errors.push(e),
            }
        }
        for (pattern, p) in raw.per_path_platform.iter().flatten() {
            let key = format!("per-path-platform.\"{}\"", pattern.get_ref());
            match (glob(pattern, &key), platform(p, &key)) {
                (Ok(g), Ok(p)) => c.per_path_platform.push((g, p)),
                (g, p) => errors.extend(g.err().into_iter().chain(p.err())),
            }
        }
        if let Some(schema) = &raw.schema {
            for d in schema.dirs.iter().flatten() {
                let p = root.join(d.get_ref());
                if p.is_dir() {
                    c.schema_dirs.push(p);
                } else {
                    errors.push(err(
                        d.span(),
                        "schema.dirs",
                        format!(
                            "`{}` is not a directory (paths are relative to this file)",
                            d.get_ref()
                        ),
                    ));
                }
            }
        }
        if let Some(f) = &raw.formats {
            let d = Formats::default();
            c.formats = Formats {
                markdown: f.markdown.unwrap_or(d.markdown),
                markdown_untagged: f.markdown_untagged.unwrap_or(d.markdown_untagged),
                json: f.json.unwrap_or(d.json),
                bicep: f.bicep.unwrap_or(d.bicep),
            };
        }
        if let Some(f) = &raw.format {
            let width = |v: &Spanned<i64>, key: &str, range: &std::ops::RangeInclusive<usize>| {
                usize::try_from(*v.get_ref())
                    .ok()
                    .filter(|w| range.contains(w))
                    .ok_or_else(|| {
                        err(
                            v.span(),
                            key,
                            format!(
                                "{} is out of range: use a number from {} to {}",
                                v.get_ref(),
                                range.start(),
                                range.end()
                            ),
                        )
                    })
            };
            if let Some(v) = &f.line_width {
                match width(v, "format.line-width", &LINE_WIDTHS) {
                    Ok(w) => c.format.line_width = w,
                    Err(e) => errors.push(e),
                }
            }
            if let Some(v) = &f.indent_width {
                match width(v, "format.indent-width", &INDENT_WIDTHS) {
                    Ok(w) => c.format.indent_width = w,
                    Err(e) => errors.push(e),
                }
            }
            if let Some(p) = &f.pipe {
                match PipeStyle::parse(p.get_ref()) {
                    Some(style) => c.format.pipe = style,
                    None => errors.push(err(
                        p.span(),
                        "format.pipe",
                        format!(
                            "`{}` is not a pipe style: use \"leading\" (`|` starts the operator's line) or \"trailing\" (`|` ends the line before)",
                            p.get_ref()
                        ),
                    )),
                }
            }
        }
        if let Some(ph) = &raw.placeholders {
            let mut patterns = PlaceholderPatterns::default();
            for name in ph.disable.iter().flatten() {
                if let Err(e) = patterns.disable(name.get_ref()) {
                    errors.push(err(name.span(), "placeholders.disable", e.0));
                }
            }
            for p in ph.extra.iter().flatten() {
                match pattern_entry(p.get_ref()) {
                    Ok((pattern, help, metadata)) => {
                        if let Err(e) = patterns.add(&pattern, help, metadata) {
                            errors.push(err(p.span(), "placeholders.extra", e.0));
                        }
                    }
                    Err(m) => errors.push(err(p.span(), "placeholders.extra", m)),
                }
            }
            c.lint.placeholders = patterns;
        }
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(errors)
        }
    }
}

/// An entry of `placeholders.extra`: a regex, or a table with `pattern`
/// and the optional `help` and `metadata`.
fn pattern_entry(v: &toml::Value) -> Result<(String, Option<String>, bool), String> {
    match v {
        toml::Value::String(s) => Ok((s.clone(), None, false)),
        toml::Value::Table(t) => {
            if let Some(k) = t
                .keys()
                .find(|k| !matches!(k.as_str(), "pattern" | "help" | "metadata"))
            {
                return Err(format!("unknown key `{k}` (expected `pattern`, `help`, `metadata`)"));
            }
            let pattern = match t.get("pattern") {
                Some(toml::Value::String(s)) => s.clone(),
                _ => return Err("`pattern` must be given, as a string (a regular expression)".to_owned()),
            };
            let help = match t.get("help") {
                None => None,
                Some(toml::Value::String(s)) => Some(s.clone()),
                Some(_) => return Err("`help` must be a string".to_owned()),
            };
            let metadata = match t.get("metadata") {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(_) => return Err("`metadata` must be true or false".to_owned()),
            };
            Ok((pattern, help, metadata))
        }
        _ => Err("each entry is a regular expression string or a table `{ pattern = \"...\", help = \"...\" }`".to_owned()),
    }
}

fn unknown_rule_message(s: &str) -> String {
    let near = registry::suggest(s)
        .map(|m| format!("did you mean `{}` ({})? ", m.name, m.code))
        .unwrap_or_default();
    format!(
        "`{}` is not a rule code, rule name, category or `all` ({near}`kqlint rules` lists them; categories: {})",
        s.trim(),
        Category::ALL.map(|c| c.as_str()).join(", ")
    )
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_owned()
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let ls = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[ls..at].chars().count() + 1)
}

/// The dotted key of the table and entry an offset is in, from the text:
/// the last `[table]` header before it and the key on its line.
fn key_at(text: &str, at: usize) -> Option<String> {
    let at = at.min(text.len());
    let before = &text[..at];
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    let ls = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[ls..].lines().next().unwrap_or("");
    if let Some(header) = line.trim().strip_prefix('[') {
        // The problem is the table header itself.
        return Some(
            header
                .trim_matches(|c| c == '[' || c == ']')
                .trim()
                .to_owned(),
        );
    }
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_owned())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (Some(t), None) => Some(t),
        (None, k) => k,
    }
}

/// `path` relative to `root` with `/` separators (as given when it is not
/// under `root`).
pub(crate) fn relative_to(path: &Path, root: &Path) -> String {
    let abs = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (p, r) = (abs(path), abs(root));
    let rel = p.strip_prefix(&r).map(Path::to_path_buf).unwrap_or(p);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    rules: Option<RawRules>,
    per_path_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    schema: Option<RawSchema>,
    placeholders: Option<RawPlaceholders>,
    platform: Option<Spanned<String>>,
    per_path_platform: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    formats: Option<RawFormats>,
    format: Option<RawFormat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFormat {
    line_width: Option<Spanned<i64>>,
    indent_width: Option<Spanned<i64>>,
    pipe: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFormats {
    markdown: Option<bool>,
    markdown_untagged: Option<bool>,
    json: Option<bool>,
    bicep: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRules {
    select: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    dirs: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlaceholders {
    disable: Option<Vec<Spanned<String>>>,
    /// Each a regex string, or `{ pattern = "...", help = "...", metadata = true }`.
    extra: Option<Vec<Spanned<toml::Value>>>,
}

/// Finds and caches the configuration of each directory.
pub(crate) struct ConfigResolver {
    options: ConfigOptions,
    /// The `--config` file or the defaults (with no discovery).
    fixed: Option<Result<Arc<Config>, ConfigError>>,
    /// Directory → the configuration that applies there.
    cache: Mutex<HashMap<PathBuf, Result<Arc<Config>, ConfigError>>>,
    /// Every configuration file looked at, read or found absent, with what
    /// it was then (see [`ConfigResolver::changed`]).
    stamps: Mutex<HashMap<PathBuf, Option<Stamp>>>,
}

/// What a configuration file was when it was read: its modification time
/// and length (`None`: there was no such file).
type Stamp = (Option<std::time::SystemTime>, u64);

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    Some((m.modified().ok(), m.len()))
}

impl ConfigResolver {
    pub(crate) fn new(options: ConfigOptions) -> ConfigResolver {
        let mut stamps = HashMap::new();
        let fixed = if let Some(file) = &options.config_file {
            stamps.insert(file.clone(), stamp(file));
            Some(load_file(file, &options))
        } else if options.no_discovery {
            Some(Config::from_options(&options).map(Arc::new))
        } else {
            None
        };
        ConfigResolver {
            options,
            fixed,
            cache: Mutex::new(HashMap::new()),
            stamps: Mutex::new(stamps),
        }
    }

    /// Whether a configuration file read since this resolver was made has
    /// changed on disk (or gone), or one has appeared in a directory that
    /// had none: what was cached is stale.
    pub(crate) fn changed(&self) -> bool {
        let stamps = self.stamps.lock().unwrap_or_else(|e| e.into_inner());
        stamps.iter().any(|(path, was)| stamp(path) != *was)
    }

    /// The configuration for a file: the nearest `kqlint.toml` in its
    /// directory or above (the working directory for standard input).
    pub(crate) fn for_path(&self, path: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return fixed.clone();
        }
        let dir = if path.as_os_str() == "-" || path.as_os_str().is_empty() {
            std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
        } else {
            let abs = if path.is_absolute() {
                path.to_path_buf()
            } else {
                std::env::current_dir()
                    .map(|d| d.join(path))
                    .unwrap_or_else(|_| path.to_path_buf())
            };
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        };
        self.for_dir(&dir)
    }

    fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(dir).cloned()) {
            return hit;
        }
        let candidate = dir.join(CONFIG_FILE);
        let found = stamp(&candidate);
        if let Ok(mut s) = self.stamps.lock() {
            s.insert(candidate.clone(), found);
        }
        let result = if found.is_some() {
            load_file(&candidate, &self.options)
        } else {
            match dir.parent() {
                Some(parent) if parent != dir => self.for_dir(parent),
                _ => Config::from_options(&self.options).map(Arc::new),
            }
        };
        if let Ok(mut c) = self.cache.lock() {
            c.insert(dir.to_path_buf(), result.clone());
        }
        result
    }
}

fn load_file(file: &Path, options: &ConfigOptions) -> Result<Arc<Config>, ConfigError> {
    load_file_as(file, options).map_err(|mut e| {
        e.file = shown(&e.file);
        for m in &mut e.more {
            m.file = shown(&m.file);
        }
        e
    })
}

/// A path as users should see it: relative to the working directory when
/// it is under it (`./kqlint.toml`, `rules/kqlint.toml`).
fn shown(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => match path.strip_prefix(&cwd) {
            Ok(rel) if rel.parent().is_some_and(|p| p.as_os_str().is_empty()) => {
                Path::new(".").join(rel)
            }
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path.to_path_buf(),
        },
        _ => path.to_path_buf(),
    }
}

fn load_file_as(file: &Path, options: &ConfigOptions) -> Result<Arc<Config>, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|e| ConfigError {
        file: file.to_path_buf(),
        position: None,
        key: None,
        message: format!("cannot read the configuration: {e}"),
        more: Vec::new(),
    })?;
    let mut c = Config::parse(file, &text)?;
    c.apply_options(options, Path::new("<command line>"))?;
    Ok(Arc::new(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("dir/kqlint.toml"), text)
    }

    fn meta(name: &str) -> &'static RuleMeta {
        registry::lookup(name).unwrap()
    }

    #[test]
    fn selection_by_specificity() {
        let c = parse("[rules]\nignore = [\"lint\"]\nextend-select = [\"unused-let\"]\n").unwrap();
        assert!(c.enabled(meta("unused-let"), None));
        assert!(!c.enabled(meta("join-without-kind"), None));
        assert!(c.enabled(meta("unfilled-placeholder"), None));
        let c = parse("[rules]\nselect = [\"placeholder\"]\n").unwrap();
        assert!(c.enabled(meta("KQL201"), None));
        assert!(!c.enabled(meta("KQL301"), None));
        // a tie goes to ignore
        let c =
            parse("[rules]\nselect = [\"KQL301\"]\nignore = [\"join-without-kind\"]\n").unwrap();
        assert!(!c.enabled(meta("KQL301"), None));
    }

    #[test]
    fn opt_in_rules_must_be_named() {
        let c = Config::default();
        assert!(!c.enabled(meta("take-without-sort"), None));
        let c = parse("[rules]\nselect = [\"all\", \"lint\"]\n").unwrap();
        assert!(!c.enabled(meta("take-without-sort"), None));
        let c = parse("[rules]\nextend-select = [\"take-without-sort\"]\n").unwrap();
        assert!(c.enabled(meta("take-without-sort"), None));
        assert!(c.enabled(meta("unused-let"), None));
        // Opt-in since the noise budget (docs/noise-budget.md).
        assert!(!c.enabled(meta("join-without-kind"), None));
        assert!(!c.enabled(meta("obsolete-function"), None));
    }

    #[test]
    fn severities() {
        let c =
            parse("[rules.severity]\nlint = \"info\"\njoin-without-kind = \"error\"\n").unwrap();
        assert_eq!(c.severity(meta("KQL301")), Severity::Error);
        assert_eq!(c.severity(meta("KQL306")), Severity::Info);
        assert_eq!(c.severity(meta("KQL201")), Severity::Error);
    }

    #[test]
    fn per_path_ignores() {
        let dir = std::env::temp_dir().join(format!("kqlint-config-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("legacy/sub")).unwrap();
        let file = dir.join("kqlint.toml");
        let c = Config::parse(&file, "[per-path-ignores]\n\"legacy/**\" = [\"lint\"]\n").unwrap();
        let m = meta("KQL306");
        assert!(!c.enabled(m, Some(&dir.join("legacy/sub/a.kql"))));
        assert!(c.enabled(m, Some(&dir.join("other/a.kql"))));
        assert!(c.enabled(meta("KQL201"), Some(&dir.join("legacy/a.kql"))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        let e = parse("[rules]\nselect = [\"KQL201\",\n  \"KQL9999\"]\n").unwrap_err();
        assert_eq!(e.position, Some((3, 3)));
        assert_eq!(e.key.as_deref(), Some("rules.select"));
        assert!(
            e.to_string()
                .starts_with("dir/kqlint.toml:3:3: `rules.select`: `KQL9999` is not a rule"),
            "{e}"
        );
        let e = parse("[rules]\nselct = [\"all\"]\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2));
        assert!(e.message.contains("selct"), "{e}");
        let e = parse("[rules.severity]\nKQL301 = \"fatal\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("rules.severity.KQL301"));
        assert_eq!(e.position.map(|p| p.0), Some(2));
        let e = parse("[placeholders]\nextra = [\"(\"]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("placeholders.extra"));
        let e = parse("[placeholders]\nextra = [{ patern = \"x\" }]\n").unwrap_err();
        assert!(e.message.contains("`patern`"), "{e}");
        let e = parse("[placeholders]\ndisable = [\"nope\"]\n").unwrap_err();
        assert!(e.message.contains("goes-here"), "{e}");
        let e = parse("[per-path-ignores]\n\"a/[\" = [\"all\"]\n").unwrap_err();
        assert!(e.message.contains("glob"), "{e}");
        let e = parse("[schema]\ndirs = [\"no/such/dir\"]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("schema.dirs"));
        let e = parse("[rules\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(1));
    }

    #[test]
    fn format_section() {
        let c =
            parse("[format]\nline-width = 120\nindent-width = 2\npipe = \"trailing\"\n").unwrap();
        assert_eq!(
            c.format,
            FormatOptions {
                line_width: 120,
                indent_width: 2,
                pipe: PipeStyle::Trailing,
                ..FormatOptions::default()
            }
        );
        assert_eq!(parse("").unwrap().format, FormatOptions::default());
        let e = parse("[format]\nline-widht = 120\n").unwrap_err();
        assert_eq!(e.position.map(|p| p.0), Some(2));
        assert!(
            e.message.contains("line-widht") && e.message.contains("`line-width`"),
            "{e}"
        );
        let e = parse("[format]\nindent-width = 0\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("format.indent-width"));
        assert_eq!(e.position, Some((2, 16)));
        let e = parse("[format]\nline-width = \"wide\"\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("format.line-width"));
        let e = parse("[format]\npipe = \"Leading\"\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("`format.pipe`: `Leading` is not a pipe style"),
            "{e}"
        );
    }

    #[test]
    fn placeholder_patterns() {
        let c = parse(
            "[placeholders]\ndisable = [\"example-domain\"]\nextra = ['\\bPUT_\\w+_HERE\\b', { pattern = \"<tenant>\", help = \"your tenant id\", metadata = true }]\n",
        )
        .unwrap();
        let p = &c.lint.placeholders;
        let q = kql_lint::placeholder::Place::Query { exploration: false };
        assert!(p.find("example.com", q).is_none());
        assert!(p.find("PUT_X_HERE", q).is_some());
        assert_eq!(
            p.find("<tenant>", kql_lint::placeholder::Place::Metadata)
                .unwrap()
                .wants,
            "your tenant id"
        );
    }

    #[test]
    fn command_line_overrides() {
        let o = ConfigOptions {
            select: Some(vec!["KQL301,placeholder".into()]),
            ignore: vec!["KQL202".into()],
            ..ConfigOptions::default()
        };
        let c = Config::from_options(&o).unwrap();
        assert!(c.enabled(meta("KQL301"), None));
        assert!(c.enabled(meta("KQL201"), None));
        assert!(!c.enabled(meta("KQL202"), None));
        assert!(!c.enabled(meta("KQL306"), None));
        let bad = ConfigOptions {
            ignore: vec!["nope".into()],
            ..ConfigOptions::default()
        };
        assert_eq!(
            Config::from_options(&bad).unwrap_err().key.as_deref(),
            Some("--ignore")
        );
    }
}
