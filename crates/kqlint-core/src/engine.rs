//! Checking one source: the pipeline from a loaded file to sorted
//! diagnostics in file coordinates.

use crate::baseline::Baseline;
use crate::config::{Config, ConfigError, ConfigOptions, ConfigResolver};
use crate::core_rules;
use crate::report::{FileReport, QueryReport, ResultColumn, SourceText};
use crate::suppress::Suppressions;
use crate::target::Target;
use kql_lint::QueryKind;
use kql_schema::{Catalog, Platform};
use kql_semantic::Interrupt;
use kqlint_diagnostics::{Diagnostic, Label, Severity, Span, sort_diagnostics};
use kqlint_source::{
    Limits, LinkedQuery, PlatformHint, QueryOrigin, QuerySource, Source, SourceKind, SourceOptions,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Analysis recurses over the syntax tree; the parser bounds its depth, and
/// worker threads get a stack that comfortably holds that bound.
const WORKER_STACK: usize = 64 * 1024 * 1024;

/// Per-file cap, so one pathological file cannot flood a report.
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 1000;

#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Extra schema directories (Azure-Sentinel CustomTables / CustomFunctions JSON),
    /// for every file (a `kqlint.toml` can add more).
    pub schema_dirs: Vec<PathBuf>,
    pub limits: Limits,
    /// How configuration files are found, and command-line overrides.
    pub config: ConfigOptions,
    /// Findings to leave out of reports (`--baseline`).
    pub baseline: Option<Arc<Baseline>>,
    /// Keep each query's parse and semantic analysis in its report
    /// ([`FileReport::analyses`]), so that an editor answers hover and
    /// completion from the analysis its diagnostics came from.
    pub keep_analyses: bool,
}

impl EngineOptions {
    /// Default options without configuration discovery ([`ConfigOptions::isolated`]).
    pub fn isolated() -> EngineOptions {
        EngineOptions {
            config: ConfigOptions::isolated(),
            ..EngineOptions::default()
        }
    }
}

/// Why an engine could not be built (bad options); exit status 2.
#[derive(Debug)]
pub struct EngineError(pub String);

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EngineError {}

/// Checks files and buffers. Cheap to share between threads.
pub struct Engine {
    options: EngineOptions,
    pub(crate) pool: rayon::ThreadPool,
    configs: ConfigResolver,
    /// Catalogues with user schema directories, by directory list and platform.
    catalogs: Mutex<HashMap<CatalogKey, Arc<Catalog>>>,
    /// Problems loading user schemas, for the caller to show once.
    warnings: Mutex<Vec<String>>,
    /// The `.kql` files Bicep rules load, by the folder of the Bicep files.
    bicep_links: Mutex<HashMap<PathBuf, BicepLinks>>,
}

/// The `.kql` files the Bicep files of one folder load (canonical paths),
/// each with the Bicep file that loads it.
type BicepLinks = Arc<Vec<(PathBuf, PathBuf)>>;

/// User schema directories and the platform they are seen from.
type CatalogKey = (Vec<PathBuf>, Platform);

/// The schema catalogue a file is checked against.
/// The schema catalogue a query was checked against: the bundled one of
/// its platform, or one extended with the user's schema directories.
#[derive(Clone)]
pub enum CatalogRef {
    Builtin(&'static Catalog),
    User(Arc<Catalog>),
}

impl std::ops::Deref for CatalogRef {
    type Target = Catalog;
    fn deref(&self) -> &Catalog {
        match self {
            CatalogRef::Builtin(c) => c,
            CatalogRef::User(c) => c,
        }
    }
}

/// What the query stages need besides the query: the file's
/// configuration, its schema catalogue and what kind of query it is.
struct QueryStage<'a> {
    config: &'a Config,
    /// The catalogue of the platform the file declares or implies; the
    /// query stage may infer another when nothing declared one.
    catalog: CatalogRef,
    kind: QueryKind,
    /// The platform was not declared (config, `--platform`) nor implied by
    /// the file's kind: the query's own tables may decide it.
    platform_assumed: bool,
    /// Several queries may follow each other, separated by blank lines.
    script: bool,
    interrupt: &'a Interrupt,
}

/// What the analysis of one query learnt, besides its diagnostics.
#[derive(Default)]
struct QueryOutcome {
    platform: Option<Platform>,
    tables: Option<Vec<String>>,
    optional_tables: Vec<String>,
    /// Typed, as the rule checks compare them; the report shows their names.
    result_columns: Option<Vec<sentinel_rules::ResultColumn>>,
    result_partial: Option<String>,
    uncounted: (usize, Option<Severity>),
    syntax_errors: bool,
    /// With [`EngineOptions::keep_analyses`].
    analysis: Option<Arc<crate::QueryAnalysis>>,
    /// How far back the query's time filters reach, in file coordinates.
    lookback: Option<(u64, Span)>,
    /// The nearest-in lower bound on `Timestamp`, in file coordinates.
    timestamp_filter: Option<(u64, Span)>,
    /// The tabular operators, in file coordinates.
    operators: Vec<(String, Span)>,
    first_comment: Option<Span>,
    output_bounded: Option<bool>,
}

impl QueryOutcome {
    /// What the semantic stage learnt about a rule's query, for the rule
    /// cross-checks: `None` without an analysis, or when the query has
    /// syntax errors (its tree, and so its result columns, are a guess).
    fn facts(&self) -> Option<sentinel_rules::QueryFacts> {
        let tables = self.tables.clone()?;
        if self.syntax_errors {
            return None;
        }
        Some(sentinel_rules::QueryFacts {
            // The engine keeps result columns only when the output is fully known.
            open: self.result_columns.is_none(),
            partial: self.result_partial.clone(),
            result_columns: self.result_columns.clone(),
            tables,
            optional_tables: self.optional_tables.clone(),
            lookback: self.lookback,
            timestamp_filter: self.timestamp_filter,
            operators: self.operators.clone(),
            first_comment: self.first_comment,
            output_bounded: self.output_bounded,
        })
    }
}

impl Engine {
    pub fn new(options: EngineOptions) -> Result<Engine, EngineError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK)
            .thread_name(|i| format!("kqlint-worker-{i}"))
            .build()
            .map_err(|e| EngineError(format!("cannot start worker threads: {e}")))?;
        let configs = ConfigResolver::new(options.config.clone());
        Ok(Engine {
            options,
            pool,
            configs,
            catalogs: Mutex::new(HashMap::new()),
            warnings: Mutex::new(Vec::new()),
            bicep_links: Mutex::new(HashMap::new()),
        })
    }

    /// The configuration that applies to a file: the nearest `kqlint.toml`
    /// (or `--config`), with the command-line overrides.
    pub fn config_for(&self, path: &Path) -> Result<Arc<Config>, ConfigError> {
        self.configs.for_path(path)
    }

    /// Loads the configuration of every target up front, so a bad
    /// `kqlint.toml` stops a run before anything is checked. Every problem
    /// of every configuration file is returned, each file once.
    pub fn check_configs(&self, targets: &[Target]) -> Result<(), Vec<ConfigError>> {
        let mut errors: Vec<ConfigError> = Vec::new();
        for t in targets.iter().filter(|t| t.error.is_none()) {
            match self.config_for(&t.path) {
                Ok(config) => drop(self.catalog(&config, Platform::Sentinel)),
                Err(e) => {
                    if !errors.iter().any(|seen| seen.file == e.file) {
                        errors.extend(e.all().map(|e| ConfigError {
                            more: Vec::new(),
                            ..e.clone()
                        }));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Whether a configuration file this engine read has changed on disk,
    /// or one has appeared where it found none (the language server then
    /// builds a new engine).
    pub fn configs_changed(&self) -> bool {
        self.configs.changed()
    }

    /// Problems met loading user schema directories (each once).
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    /// The catalogue a file is checked against: the bundled data of the
    /// platform with the configuration's schema directories on top.
    fn catalog(&self, config: &Config, platform: Platform) -> CatalogRef {
        let dirs: Vec<PathBuf> = self
            .options
            .schema_dirs
            .iter()
            .chain(config.schema_dirs.iter())
            .cloned()
            .collect();
        if dirs.is_empty() {
            return CatalogRef::Builtin(Catalog::builtin_for(platform));
        }
        let Ok(mut cache) = self.catalogs.lock() else {
            return CatalogRef::Builtin(Catalog::builtin_for(platform));
        };
        let key = (dirs, platform);
        if let Some(c) = cache.get(&key) {
            return CatalogRef::User(c.clone());
        }
        // The schema files are read once; the other platforms' views share them.
        let loaded = Platform::ALL
            .iter()
            .find_map(|p| cache.get(&(key.0.clone(), *p)).cloned());
        let catalog = match loaded {
            Some(c) => Arc::new(c.with_platform(platform)),
            None => {
                let (catalog, warnings) = Catalog::with_schema_dirs(&key.0);
                if let Ok(mut w) = self.warnings.lock() {
                    w.extend(warnings.iter().map(|x| x.to_string()));
                }
                Arc::new(catalog.with_platform(platform))
            }
        };
        cache.insert(key, catalog.clone());
        CatalogRef::User(catalog)
    }

    /// The catalogue that applies to files in `dir` (their `kqlint.toml`'s
    /// schema directories and the command line's) for a platform; the
    /// defaults when the configuration cannot be read.
    pub fn catalog_at(&self, dir: &Path, platform: Platform) -> Catalog {
        let config = self.config_for(&dir.join("query.kql")).unwrap_or_else(|_| {
            Arc::new(Config::from_options(&self.options.config).unwrap_or_default())
        });
        let c = self.catalog(&config, platform);
        (*c).clone()
    }

    /// The platform a query is for, and whether it was only assumed.
    /// Declared: `--platform`, `[per-path-platform]`, `platform`. Implied:
    /// by the query's place (a Markdown heading or front matter naming
    /// Defender XDR or Sentinel, a Defender XDR detection rule, an ARM
    /// analytic rule), and a Sentinel rule (rule YAML) runs in Sentinel; a
    /// path naming Defender XDR suggests advanced hunting. Otherwise the
    /// query's own tables decide (in [`Self::check_query`]), else Sentinel.
    fn platform(
        &self,
        config: &Config,
        path: &Path,
        kind: QueryKind,
        hint: Option<PlatformHint>,
    ) -> (Platform, bool) {
        let p = (path.as_os_str() != "-").then_some(path);
        if let Some(declared) = config.platform_for(p) {
            return (declared, false);
        }
        match hint {
            Some(PlatformHint::Defender) => return (Platform::Defender, false),
            Some(PlatformHint::Sentinel) => return (Platform::Sentinel, false),
            None => {}
        }
        if kind != QueryKind::File {
            return (Platform::Sentinel, false);
        }
        if p.is_some_and(path_names_defender) {
            return (Platform::Defender, true);
        }
        (Platform::Sentinel, true)
    }

    /// Whether the configuration lets kqlint read files of this kind when
    /// it finds them (`[formats]` in `kqlint.toml`).
    pub(crate) fn reads(&self, path: &Path, kind: SourceKind) -> bool {
        match self.config_for(path) {
            Ok(c) => c.formats.reads(kind),
            Err(_) => true,
        }
    }

    /// How queries are found in a file: its configuration's `[formats]`.
    pub fn source_options(&self, path: &Path) -> SourceOptions {
        match self.config_for(path) {
            Ok(c) => SourceOptions {
                markdown_untagged: c.formats.markdown_untagged,
            },
            Err(_) => SourceOptions::default(),
        }
    }

    /// The Bicep analytic rule that loads a `.kql` file with
    /// `loadTextContent(...)`, if a `.bicep` file in its folder or the
    /// folder above does: the query is then checked as that rule's.
    fn bicep_link_for(&self, kql: &Path) -> Option<PathBuf> {
        if kql.as_os_str() == "-" {
            return None;
        }
        let file = std::fs::canonicalize(kql).ok()?;
        let dir = file.parent()?;
        let dirs = [Some(dir), dir.parent()];
        for d in dirs.into_iter().flatten() {
            let links = self.bicep_links_in(d);
            if let Some((_, bicep)) = links.iter().find(|(k, _)| *k == file) {
                return Some(bicep.clone());
            }
        }
        None
    }

    /// The `.kql` files the Bicep files of a folder load, with the Bicep
    /// file loading each (read once per folder and run).
    fn bicep_links_in(&self, dir: &Path) -> BicepLinks {
        if let Ok(cache) = self.bicep_links.lock()
            && let Some(found) = cache.get(dir)
        {
            return found.clone();
        }
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut bicep: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("bicep"))
                        && p.is_file()
                })
                .collect();
            bicep.sort();
            for b in bicep.into_iter().take(200) {
                let src = Source::load_as(&b, SourceKind::Bicep, &self.options.limits);
                for l in src.linked {
                    if let Ok(k) = std::fs::canonicalize(&l.path) {
                        found.push((k, b.clone()));
                    }
                }
            }
        }
        let found = Arc::new(found);
        if let Ok(mut cache) = self.bicep_links.lock() {
            cache.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    /// What the analysis of a query a Bicep rule loads from a file learnt,
    /// for the rule's cross-checks (the file's own findings are reported
    /// when that file is checked).
    fn linked_facts(
        &self,
        config: &Config,
        link: &LinkedQuery,
    ) -> Option<sentinel_rules::QueryFacts> {
        let source = Source::load_as(&link.path, SourceKind::Kql, &self.options.limits);
        let text = SourceText::new(source.text.clone()?);
        let query = source.query()?;
        let (platform, platform_assumed) = self.platform(
            config,
            &link.path,
            QueryKind::AnalyticRule,
            Some(PlatformHint::Sentinel),
        );
        let stage = QueryStage {
            config,
            catalog: self.catalog(config, platform),
            kind: QueryKind::AnalyticRule,
            platform_assumed,
            script: false,
            interrupt: &Interrupt::default(),
        };
        let mut outcome = QueryOutcome::default();
        let diags = self.check_query(query, &text, &mut outcome, &stage, &mut Vec::new());
        outcome.syntax_errors = diags.iter().any(|d| {
            d.category == kqlint_diagnostics::Category::Syntax && d.severity == Severity::Error
        });
        outcome.facts()
    }

    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// Checks every target in parallel; reports come back in target order.
    /// Skipped files (YAML without a query, found by walking) are left out.
    ///
    /// Every file is checked up to the configuration stage, then the
    /// cross-file pass runs (rule ids shared by two files), then each file's
    /// configuration, suppressions and baseline apply to all its findings.
    pub fn check_targets(&self, targets: &[Target]) -> Vec<FileReport> {
        use rayon::prelude::*;
        self.pool.install(|| {
            let mut checked: Vec<Checked> = targets
                .par_iter()
                .filter_map(|t| self.analyse_target(t))
                .collect();
            duplicate_rule_ids(&mut checked);
            checked.into_par_iter().map(|c| self.conclude(c)).collect()
        })
    }

    /// Checks one target; `None` when it is not something to report on.
    pub fn check_target(&self, target: &Target) -> Option<FileReport> {
        self.analyse_target(target).map(|c| self.conclude(c))
    }

    /// Checks one target up to the configuration stage.
    fn analyse_target(&self, target: &Target) -> Option<Checked> {
        if let Some(message) = &target.error {
            let mut report = FileReport::new(&target.display, None);
            report.diagnostics.push(Diagnostic::new(
                &kqlint_source::UNREADABLE_FILE,
                Span::empty(0),
                message.clone(),
            ));
            return Some(Checked {
                report,
                pending: None,
            });
        }
        let source = if target.stdin {
            read_stdin(&self.options.limits, &target.path)
        } else {
            let kind = SourceKind::from_path(&target.path).unwrap_or(SourceKind::Kql);
            if !target.explicit && !self.reads(&target.path, kind) {
                return None;
            }
            Source::load_as_with(
                &target.path,
                kind,
                &self.options.limits,
                &self.source_options(&target.path),
            )
        };
        if !target.explicit && is_not_a_rule(&source) {
            return None;
        }
        Some(self.analyse_source(&target.display, source, &Interrupt::default()))
    }

    /// Checks a loaded source (a file, or an editor buffer made with
    /// [`Source::from_text`]).
    pub fn check_source(&self, display: &str, source: Source) -> FileReport {
        self.check_source_with(display, source, &Interrupt::default())
    }

    /// [`Engine::check_source`] that `interrupt` can stop (the language
    /// server's time budget and cancellation): the semantic analysis then
    /// ends early with an `analysis-limit` diagnostic where it stopped.
    pub fn check_source_with(
        &self,
        display: &str,
        source: Source,
        interrupt: &Interrupt,
    ) -> FileReport {
        let checked = self.analyse_source(display, source, interrupt);
        self.conclude(checked)
    }

    /// Checks an editor buffer as `kqlint check` checks the file `path`
    /// holding `text` (the same decoding, source options and limits).
    /// `None` for a buffer `kqlint check` would walk past: a YAML file that
    /// is not a rule, a Markdown or JSON file with no query.
    pub fn check_buffer(
        &self,
        path: &Path,
        text: String,
        kind: SourceKind,
        interrupt: &Interrupt,
    ) -> Option<FileReport> {
        let source = Source::from_text_with(
            path,
            text,
            kind,
            &self.options.limits,
            &self.source_options(path),
        );
        if is_not_a_rule(&source) {
            return None;
        }
        Some(self.check_source_with(&path.to_string_lossy(), source, interrupt))
    }

    /// Every stage but the configuration: the findings of one source before
    /// the cross-file pass.
    fn analyse_source(&self, display: &str, source: Source, interrupt: &Interrupt) -> Checked {
        let (config, config_error) = match self.config_for(&source.path) {
            Ok(c) => (c, None),
            Err(e) => (
                Arc::new(Config::from_options(&self.options.config).unwrap_or_default()),
                Some(e),
            ),
        };
        let text = source.text.clone().map(SourceText::new);
        let mut report = FileReport::new(display, text.clone());
        let mut source = source;
        report.diagnostics = std::mem::take(&mut source.diagnostics);
        let mut suppressions = Suppressions::default();
        // A PascalCase rule is checked as the camelCase rule it stands for.
        let pascal = match (&source.kind, &source.yaml) {
            (SourceKind::Yaml, Some(root)) if kqlint_source::is_pascal_rule(root) => {
                Some(sentinel_rules::pascal_view(root))
            }
            _ => None,
        };
        let bicep_rule = match source.kind {
            SourceKind::Kql => self.bicep_link_for(&source.path),
            _ => None,
        };
        let several = source.queries.len() > 1 || source.kind.kql_optional();
        // Stage: each query (syntax, semantics, lint rules), on the
        // platform its place declares, implies or its tables suggest.
        let mut outcomes: Vec<(usize, QueryOutcome)> = Vec::new();
        // A rule format described with type names (`query: string`) has no
        // query; sentinel-rules says so once (schema-template).
        let template = matches!(source.kind, SourceKind::Yaml)
            && source
                .yaml
                .as_ref()
                .is_some_and(sentinel_rules::is_schema_template);
        // A rule YAML's kind, decided once: the query stages and the rule
        // checks read the same one.
        let rule_kind = match (&source.kind, &source.yaml) {
            (SourceKind::Yaml, Some(root)) => Some(sentinel_rules::detect_kind(
                &source.path,
                pascal.as_ref().unwrap_or(root),
            )),
            _ => None,
        };
        if let (Some(text), false) = (&text, template) {
            for (i, query) in source.queries.iter().enumerate() {
                let kind = match &query.origin {
                    QueryOrigin::Yaml => rule_kind.map_or(QueryKind::Hunting, query_kind),
                    QueryOrigin::File if bicep_rule.is_some() => QueryKind::AnalyticRule,
                    QueryOrigin::File | QueryOrigin::Markdown { .. } => QueryKind::File,
                    QueryOrigin::Arm { resource } => source
                        .yaml
                        .as_ref()
                        .and_then(|r| r.pointer(resource))
                        .and_then(|t| kqlint_source::arm::arm_rule_kind(t.node))
                        .map_or(QueryKind::AnalyticRule, |k| match k {
                            kqlint_source::arm::ArmRuleKind::HuntingQuery => QueryKind::Hunting,
                            _ => QueryKind::AnalyticRule,
                        }),
                    QueryOrigin::Defender { .. } | QueryOrigin::Bicep { .. } => {
                        QueryKind::AnalyticRule
                    }
                };
                let hint = match &bicep_rule {
                    Some(_) => Some(PlatformHint::Sentinel),
                    None => query.platform,
                };
                let (platform, platform_assumed) = self.platform(&config, &source.path, kind, hint);
                let stage = QueryStage {
                    config: &config,
                    catalog: self.catalog(&config, platform),
                    kind,
                    platform_assumed,
                    // A rule's query is one query, whatever its file.
                    script: query.script && bicep_rule.is_none(),
                    interrupt,
                };
                let mut comments = Vec::new();
                let mut outcome = QueryOutcome::default();
                let query_diags =
                    self.check_query(query, text, &mut outcome, &stage, &mut comments);
                if let Some(why) = query.edit_refusal()
                    && query_diags.iter().any(|d| {
                        d.fix.as_ref().is_some_and(|f| {
                            f.applicability == kqlint_diagnostics::Applicability::Safe
                        })
                    })
                {
                    report.fix_refused = Some(why);
                }
                outcome.syntax_errors = query_diags.iter().any(|d| {
                    d.category == kqlint_diagnostics::Category::Syntax
                        && d.severity == Severity::Error
                });
                report.diagnostics.extend(
                    query_diags
                        .into_iter()
                        .map(|d| query.map_diagnostic(d, &text.text)),
                );
                suppressions.add_query(text, query, &comments, several);
                report.analyses.extend(outcome.analysis.take());
                outcomes.push((i, outcome));
            }
        }
        let facts_of = |i: usize| -> Option<sentinel_rules::QueryFacts> {
            outcomes
                .iter()
                .find(|(k, _)| *k == i)
                .and_then(|(_, o)| o.facts())
        };
        // Stage: rule validation (sentinel-rules); its diagnostics are already
        // in file coordinates.
        let mut rule_ids: Vec<sentinel_rules::RuleId> = Vec::new();
        if let (Some(text), Some(root)) = (&text, &source.yaml) {
            let query_at = |origin: &dyn Fn(&QueryOrigin) -> bool| {
                source.queries.iter().position(|q| origin(&q.origin))
            };
            let mut add = |check: Option<sentinel_rules::RuleCheck>, report: &mut FileReport| {
                if let Some(rule) = check {
                    report.diagnostics.extend(rule.diagnostics);
                    rule_ids.extend(rule.id);
                }
            };
            match source.kind {
                SourceKind::Yaml if kqlint_source::arm::defender_rules(root).is_some() => {
                    for rule in kqlint_source::arm::defender_rules(root).unwrap_or_default() {
                        let i = query_at(
                            &|o| matches!(o, QueryOrigin::Defender { rule: r } if *r == rule),
                        );
                        let facts = i.and_then(&facts_of);
                        let check = sentinel_rules::check_detection_rule(
                            &source.path,
                            &text.text,
                            root,
                            &rule,
                            facts.as_ref(),
                        );
                        add(check, &mut report);
                    }
                }
                SourceKind::Yaml => {
                    if !source.queries.is_empty() || sentinel_rules::is_rule(root) {
                        let facts = facts_of(0);
                        let check = match &pascal {
                            Some(view) => sentinel_rules::check_pascal_rule_as(
                                &source.path,
                                &text.text,
                                root,
                                view,
                                rule_kind,
                                facts.as_ref(),
                            ),
                            None => sentinel_rules::check_rule_as(
                                &source.path,
                                &text.text,
                                root,
                                rule_kind.unwrap_or_else(|| {
                                    sentinel_rules::detect_kind(&source.path, root)
                                }),
                                facts.as_ref(),
                            ),
                        };
                        add(check, &mut report);
                    }
                }
                SourceKind::Json | SourceKind::Bicep => {
                    if let Some(rules) = kqlint_source::arm::defender_rules(root) {
                        for rule in rules {
                            let i = query_at(
                                &|o| matches!(o, QueryOrigin::Defender { rule: r } if *r == rule),
                            );
                            let facts = i.and_then(&facts_of);
                            let check = sentinel_rules::check_detection_rule(
                                &source.path,
                                &text.text,
                                root,
                                &rule,
                                facts.as_ref(),
                            );
                            add(check, &mut report);
                        }
                    } else {
                        for resource in kqlint_source::arm::arm_rules(root) {
                            let i = query_at(&|o| match o {
                                QueryOrigin::Arm { resource: r }
                                | QueryOrigin::Bicep { resource: r } => *r == resource,
                                _ => false,
                            });
                            let facts = match i {
                                Some(i) => facts_of(i),
                                None => source
                                    .linked
                                    .iter()
                                    .find(|l| l.resource == resource)
                                    .and_then(|l| self.linked_facts(&config, l)),
                            };
                            let check = sentinel_rules::check_arm_rule(
                                &source.path,
                                &text.text,
                                root,
                                &resource,
                                facts.as_ref(),
                            );
                            add(check, &mut report);
                        }
                    }
                }
                SourceKind::Kql | SourceKind::Markdown => {}
            }
        }
        // Stage: placeholders in rule metadata (kql-lint), YAML sources only.
        if let (Some(text), Some(root), SourceKind::Yaml, false) =
            (&text, &source.yaml, source.kind, template)
        {
            report.diagnostics.extend(kql_lint::lint_metadata(
                &text.text,
                root,
                source.query().map(|q| q.value_span),
                &config.lint,
            ));
            suppressions.add_yaml(text, root);
        }
        if let (Some(text), SourceKind::Markdown) = (&text, source.kind) {
            suppressions.add_markdown(text);
        }
        // The facts of the file's query, or of each of its queries.
        for (i, o) in &outcomes {
            report.uncounted.0 += o.uncounted.0;
            report.uncounted.1 = report.uncounted.1.max(o.uncounted.1);
            if several && let Some(q) = source.queries.get(*i) {
                let at = report.position(q.map_offset(0));
                report.queries.push(QueryReport {
                    line: at.line,
                    column: at.column,
                    label: q.label.clone(),
                    platform: o.platform.map(|p| p.as_str().to_owned()),
                    tables: o.tables.clone(),
                    result_columns: o.result_columns.as_deref().map(report_columns),
                });
            }
        }
        if !several && let Some((_, o)) = outcomes.into_iter().next() {
            report.platform = o.platform;
            report.tables = o.tables;
            report.optional_tables = o.optional_tables;
            report.result_columns = o.result_columns.as_deref().map(report_columns);
            report.result_partial = o.result_partial;
        }
        let mut ids = rule_ids.into_iter();
        report.rule_id = ids.next();
        report.more_rule_ids = ids.collect();
        Checked {
            report,
            pending: Some(Pending {
                path: source.path,
                config,
                config_error,
                suppressions,
            }),
        }
    }

    /// The configuration stage of a checked source, after the cross-file
    /// pass.
    fn conclude(&self, checked: Checked) -> FileReport {
        let Checked {
            mut report,
            pending,
        } = checked;
        let Some(Pending {
            path,
            config,
            config_error,
            suppressions,
        }) = pending
        else {
            return report;
        };
        // Stage: configuration (select/ignore/severity), suppressions, baseline.
        self.configure(&mut report, &path, &config, suppressions);
        if let Some(e) = config_error {
            report.diagnostics.push(Diagnostic::new(
                &core_rules::INVALID_CONFIG,
                Span::empty(0),
                format!("{e} (this file was checked with the default settings)"),
            ));
        }
        finish(&mut report.diagnostics, report.uncounted);
        report
    }

    /// Applies the configuration (which rules run, at which severity), the
    /// file's suppression comments and the baseline.
    fn configure(
        &self,
        report: &mut FileReport,
        path: &Path,
        config: &Config,
        mut suppressions: Suppressions,
    ) {
        let path = (path.as_os_str() != "-").then_some(path);
        let configured = |diags: &mut Vec<Diagnostic>| {
            diags.retain_mut(|d| match crate::registry::lookup(d.code) {
                Some(m) if !config.enabled(m, path) => false,
                Some(m) => {
                    let sev = config.severity(m);
                    if sev != m.severity {
                        d.severity = sev;
                    }
                    true
                }
                None => true,
            });
        };
        configured(&mut report.diagnostics);
        suppressions.apply(&mut report.diagnostics, report.source.as_deref());
        let mut own = suppressions.finish();
        configured(&mut own);
        report.diagnostics.extend(own);
        if let Some(b) = &self.options.baseline {
            report.baselined = b.filter(
                path.unwrap_or(Path::new("-")),
                &mut report.diagnostics,
                report.source.as_deref(),
            );
        }
    }

    /// The query stages. Returns diagnostics in query coordinates; the
    /// caller maps them to the file once.
    fn check_query(
        &self,
        query: &QuerySource,
        file: &Arc<SourceText>,
        report: &mut QueryOutcome,
        stage: &QueryStage<'_>,
        comments: &mut Vec<Span>,
    ) -> Vec<Diagnostic> {
        // Stage 1: syntax. A query file (or a Markdown block) may hold
        // several queries separated by blank lines, as Kusto's editors take
        // them; a rule's query is one.
        let parse = if stage.script {
            kql_syntax::parse_script(&query.text)
        } else {
            kql_syntax::parse(&query.text)
        };
        let mut diags = syntax_diagnostics(&parse, query, file);
        // Stage 2: semantic analysis (kql-semantic): names, row schemas,
        // result columns and the tables read, on the platform the file
        // declares or, failing that, the one its tables belong to.
        let mut catalog_ref = None;
        // The platform whose own names the query uses, looked up at most
        // once (a lexer pass over the query), and only when needed.
        let named = std::cell::OnceCell::new();
        let named = || *named.get_or_init(|| only_names(&query.text, &stage.catalog));
        if stage.platform_assumed
            && stage.catalog.platform() == Platform::Sentinel
            && named() == Some(Platform::Defender)
        {
            let config = stage.config;
            catalog_ref = Some(self.catalog(config, Platform::Defender));
        }
        let analyze_on = |catalog: &Catalog| {
            kql_semantic::analyze(
                &parse,
                &query.text,
                catalog,
                &kql_semantic::Options {
                    platform_assumed: stage.platform_assumed,
                    interrupt: stage.interrupt.clone(),
                    ..kql_semantic::Options::default()
                },
            )
        };
        let mut analysis = analyze_on(catalog_ref.as_deref().unwrap_or(&stage.catalog));
        // An assumed platform that the query's own names contradict (a
        // Defender XDR column of a table both platforms have, such as
        // `IdentityInfo | where Timestamp > ago(1d)`): the query is checked
        // on the other platform too, and the one it fits better is kept.
        if stage.platform_assumed
            && analysis
                .diagnostics
                .iter()
                .any(|d| d.code == kql_semantic::rules::OTHER_PLATFORM.code)
        {
            let here = catalog_ref.as_deref().unwrap_or(&stage.catalog).platform();
            // A name only one platform has settles it (as for the first guess).
            let other = match (here, named()) {
                (Platform::Sentinel, None) => Some(Platform::Defender),
                (Platform::Defender, None) => Some(Platform::Sentinel),
                _ => None,
            };
            if let Some(other) = other {
                let alt_catalog = self.catalog(stage.config, other);
                let alt = analyze_on(&alt_catalog);
                if misfit(&alt) < misfit(&analysis) {
                    analysis = alt;
                    catalog_ref = Some(alt_catalog);
                }
            }
        }
        let catalog: &Catalog = catalog_ref.as_deref().unwrap_or(&stage.catalog);
        report.platform = Some(catalog.platform());
        let semantic = without_syntax_cascades(
            &parse,
            &query.text,
            std::mem::take(&mut analysis.diagnostics),
        );
        if diags.is_empty() {
            diags = semantic;
        } else {
            diags.extend(semantic);
        }
        report.uncounted = (analysis.dropped, analysis.dropped_worst);
        report.tables = Some(analysis.tables.iter().map(|t| t.to_string()).collect());
        report.optional_tables = kql_lint::shape::optional_tables(&parse, &analysis.tables);
        // Columns are only reported when the whole output is known: an open
        // schema's list is partial, and rule cross-checks rely on it.
        report.result_columns = match &analysis.result {
            kql_semantic::QueryResult::Table(schema) if !schema.is_open() => Some(
                schema
                    .visible()
                    .map(|c| sentinel_rules::ResultColumn::new(c.name.to_string(), c.ty.scalar()))
                    .collect(),
            ),
            _ => None,
        };
        if let kql_semantic::QueryResult::Table(schema) = &analysis.result
            && let Some(p) = schema.partial()
        {
            report.result_partial = Some(format!(
                "the query reads `{}`, whose columns kqlint knows only in part ({})",
                p.source,
                p.reason.describe()
            ));
        }
        // How far back the time filters reach: only an analytic rule's
        // schedule is compared with it.
        // How far back the time filters reach, and the query's shape: an
        // analytic rule's schedule and kind are compared with them.
        if stage.kind == QueryKind::AnalyticRule {
            let bounds = kql_lint::lookback::time_bounds(&parse);
            let in_file = |l: kql_lint::lookback::Lookback| (l.seconds, query.map_span(l.span));
            report.lookback = kql_lint::lookback::lookback(&parse).map(in_file);
            report.timestamp_filter = bounds
                .iter()
                .filter(|b| b.column.as_deref() == Some("Timestamp"))
                .map(|b| b.lookback)
                .fold(None, |best: Option<kql_lint::lookback::Lookback>, l| {
                    Some(best.filter(|b| b.seconds <= l.seconds).unwrap_or(l))
                })
                .map(in_file);
            report.operators = kql_lint::shape::operators(&parse)
                .into_iter()
                .map(|(name, span)| (name, query.map_span(span)))
                .collect();
            report.first_comment = parse.comments.first().map(|c| query.map_span(*c));
            report.output_bounded = Some(kql_lint::shape::output_bounded(&parse));
        }
        // Stage 3: lint rules and placeholders (kql-lint).
        let lint = kql_lint::LintContext::new(
            &query.text,
            &parse,
            catalog,
            stage.kind,
            &stage.config.lint,
        )
        .with_analysis(&analysis);
        diags.extend(kql_lint::lint_query(&lint));
        drop_fixes_after_syntax_errors(&parse, &mut diags);
        // Suppression comments, for the configuration stage.
        comments.extend_from_slice(&parse.comments);
        if self.options.keep_analyses {
            let catalog = catalog_ref.unwrap_or_else(|| stage.catalog.clone());
            report.analysis = Some(Arc::new(crate::QueryAnalysis {
                query: query.clone(),
                parse,
                semantic: analysis,
                catalog,
            }));
        }
        diags.shrink_to_fit();
        diags
    }
}

/// Whether a path names Defender XDR (a folder such as `Defender XDR/`,
/// `MDE`, `M365D`, `Advanced Hunting`): queries kept there are written for
/// advanced hunting.
fn path_names_defender(path: &Path) -> bool {
    path.components().any(|c| {
        let s = c.as_os_str().to_string_lossy().to_ascii_lowercase();
        let words: Vec<&str> = s
            .split(|ch: char| !ch.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let has = |w: &str| words.contains(&w);
        has("mde")
            || has("m365d")
            || has("mdatp")
            || (has("defender") && (has("xdr") || has("endpoint") || has("365")))
            || s.contains("advanced-hunting")
            || s.contains("advanced hunting")
            || s.contains("advancedhunting")
    })
}

/// What the query stages check a rule's query as, for the rule's kind.
fn query_kind(kind: sentinel_rules::RuleKind) -> QueryKind {
    use sentinel_rules::RuleKind;
    match kind {
        RuleKind::Scheduled | RuleKind::Nrt | RuleKind::Detection => QueryKind::AnalyticRule,
        RuleKind::Hunting => QueryKind::Hunting,
        RuleKind::Exploration => QueryKind::Exploration,
        RuleKind::Parser => QueryKind::Parser,
    }
}

/// How badly a query fits the platform it was analysed on: its errors and
/// its names of the other platform.
fn misfit(a: &kql_semantic::Analysis) -> usize {
    a.diagnostics
        .iter()
        .filter(|d| {
            d.severity == Severity::Error || d.code == kql_semantic::rules::OTHER_PLATFORM.code
        })
        .count()
}

/// The platform whose own names the query uses: Sentinel when it names a
/// table or function only Sentinel has, else Defender XDR when it names one
/// only Defender XDR has (`AADSignInEventsBeta`, `ExposureGraphNodes`,
/// `FileProfile`, ...: an advanced hunting query), else neither.
fn only_names(text: &str, catalog: &Catalog) -> Option<Platform> {
    let mut defender = false;
    // Each name is looked up once: a long query repeats the same few names
    // (a million-line query took a quarter of its time here).
    let mut seen = std::collections::HashSet::new();
    for t in kql_syntax::lex(text) {
        if t.kind != kql_syntax::TokenKind::Ident {
            continue;
        }
        let name = t.span.text(text);
        if !seen.insert(name) {
            continue;
        }
        let on = |p| {
            catalog.bundled_table_on(p, name).is_some()
                || catalog.bundled_function_on(p, name).is_some()
        };
        let (in_sentinel, in_defender) = (on(Platform::Sentinel), on(Platform::Defender));
        if in_sentinel && !in_defender {
            return Some(Platform::Sentinel);
        }
        defender |= in_defender && !in_sentinel;
    }
    defender.then_some(Platform::Defender)
}

/// A fix stands on the analysis of the text up to its edits; after a
/// syntax error that analysis is a guess. With syntax errors, a fix is kept
/// only when the finding and every edit lie before the first error (rules
/// whose evidence is the whole query, such as `unused-let`, offer none
/// themselves).
fn drop_fixes_after_syntax_errors(parse: &kql_syntax::Parse, diags: &mut [Diagnostic]) {
    let Some(first) = parse.errors.iter().map(|e| e.span.start).min() else {
        return;
    };
    for d in diags {
        if let Some(f) = &d.fix
            && (d.span.end > first || f.edits.iter().any(|e| e.span.end > first))
        {
            d.fix = None;
        }
    }
}

/// Semantic findings outside the statements that have syntax errors. A
/// broken statement's tree is the parser's best guess, and names checked
/// against a guess give findings that vanish once the syntax is fixed.
/// An error just after a statement (only blanks and comments between, as in
/// `*** Simple queries ***`, where the parser stops before `queries`) is
/// that statement's: the parser ended it there because it could not go on.
fn without_syntax_cascades(
    parse: &kql_syntax::Parse,
    text: &str,
    mut semantic: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    if parse.errors.is_empty() {
        return semantic;
    }
    let broken: Vec<Span> = parse
        .query
        .statements
        .iter()
        .map(|s| s.span())
        .filter(|s| {
            parse.errors.iter().any(|e| {
                s.touches(e.span.start)
                    || (e.span.start > s.end
                        && text
                            .get(s.end as usize..e.span.start as usize)
                            .is_some_and(only_trivia))
            })
        })
        .collect();
    semantic.retain(|d| !broken.iter().any(|s| s.touches(d.span.start)));
    semantic
}

/// Whether `text` holds only whitespace and `//` comments.
fn only_trivia(text: &str) -> bool {
    text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with("//")
    })
}

/// A source checked up to the configuration stage.
struct Checked {
    report: FileReport,
    /// What the configuration stage needs; `None` for a target that could
    /// not even be listed (its report is final).
    pending: Option<Pending>,
}

struct Pending {
    path: PathBuf,
    config: Arc<Config>,
    config_error: Option<ConfigError>,
    suppressions: Suppressions,
}

/// The cross-file pass: a rule id used by two files of the run.
fn duplicate_rule_ids(checked: &mut [Checked]) {
    let found: Vec<(usize, Diagnostic)> = {
        let entries: Vec<(usize, sentinel_rules::IdEntry<'_>)> = checked
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                c.report
                    .rule_id
                    .iter()
                    .chain(&c.report.more_rule_ids)
                    .map(move |id| {
                        let line = c.report.position(id.span.start).line;
                        (
                            i,
                            sentinel_rules::IdEntry {
                                file: &c.report.path,
                                id,
                                line,
                            },
                        )
                    })
            })
            .collect();
        let ids: Vec<sentinel_rules::IdEntry<'_>> = entries.iter().map(|(_, e)| *e).collect();
        sentinel_rules::duplicate_ids(&ids)
            .into_iter()
            .map(|(k, d)| (entries[k].0, d))
            .collect()
    };
    for (i, d) in found {
        checked[i].report.diagnostics.push(d);
    }
}

fn syntax_diagnostics(
    parse: &kql_syntax::Parse,
    query: &QuerySource,
    file: &SourceText,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    if parse.query.statements.is_empty() && parse.errors.is_empty() {
        // Kusto refuses an empty query: in a rule that is an error.
        diags.push(match &query.key {
            Some(key) => Diagnostic::new(
                &core_rules::EMPTY_QUERY,
                Span::empty(0),
                format!("the `{key}` is empty: Kusto refuses a query without a statement"),
            )
            .with_severity(Severity::Error),
            None => Diagnostic::new(
                &core_rules::EMPTY_QUERY,
                Span::empty(0),
                "the file holds no query",
            ),
        });
    }
    for e in &parse.errors {
        let meta = kql_syntax::rules::meta(e.kind);
        let mut d = Diagnostic::new(meta, e.span, e.message.clone());
        d.labels = e
            .labels
            .iter()
            .map(|(span, message)| Label {
                span: *span,
                message: message.clone(),
            })
            .collect();
        d.help = e.help.clone();
        if let Some(open) = e.open_delimiter {
            // The opener's position is only known in file coordinates.
            let at = file.position(query.map_span(open).start);
            d.message = with_opener_position(&d.message, open.text(&query.text), at);
        }
        diags.push(d);
    }
    diags
}

/// "expected `)` to close this `(`, found ..." becomes "... the `(` opened
/// at 3:12, found ...": the parser cannot know file positions.
fn with_opener_position(message: &str, opener: &str, at: crate::Position) -> String {
    let this = format!("this `{opener}`");
    if message.contains(&this) {
        message.replacen(
            &this,
            &format!("the `{opener}` opened at {}:{}", at.line, at.column),
            1,
        )
    } else {
        format!(
            "{message} (the `{opener}` opened at {}:{})",
            at.line, at.column
        )
    }
}

/// Result columns as the report shows them (`unknown` for a type the
/// analysis could not tell).
fn report_columns(cols: &[sentinel_rules::ResultColumn]) -> Vec<ResultColumn> {
    cols.iter()
        .map(|c| ResultColumn {
            name: c.name.clone(),
            ty: c.ty.map_or("unknown", |t| t.as_str()).to_owned(),
        })
        .collect()
}

/// A file found by walking that holds no query is skipped, not reported:
/// a YAML file without a query (a workflow, a config), a Markdown, JSON or
/// Bicep file without KQL (a README, a `package.json`).
pub(crate) fn is_not_a_rule(source: &Source) -> bool {
    if source.kind.kql_optional() {
        return source.queries.is_empty()
            && source.linked.is_empty()
            && source.diagnostics.is_empty()
            && source.yaml.as_ref().is_none_or(|root| {
                kqlint_source::arm::arm_rules(root).is_empty()
                    && kqlint_source::arm::defender_rules(root).is_none()
            });
    }
    source.kind == SourceKind::Yaml
        && source.queries.is_empty()
        && source.diagnostics.iter().any(|d| {
            d.code == kqlint_source::MISSING_QUERY.code
                || d.code == kqlint_source::NOT_A_MAPPING.code
        })
}

/// Standard input, as the file `path` (`-`: a query).
pub(crate) fn read_stdin(limits: &Limits, path: &Path) -> Source {
    let kind = SourceKind::from_path(path).unwrap_or(SourceKind::Kql);
    use std::io::Read;
    let mut bytes = Vec::new();
    let limit = limits.max_file_bytes.min(u64::from(u32::MAX) - 1);
    match std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
    {
        Ok(_) => Source::from_bytes(path, &bytes, kind, limits),
        Err(e) => {
            let mut s = Source::from_text(path, "", kind, limits);
            s.queries.clear();
            s.diagnostics.push(Diagnostic::new(
                &kqlint_source::UNREADABLE_FILE,
                Span::empty(0),
                format!("cannot read standard input: {e}"),
            ));
            s
        }
    }
}

/// Sorts, de-duplicates and caps a file's diagnostics; `uncounted` are
/// findings the analysis counted without keeping them (its own cap).
fn finish(diags: &mut Vec<Diagnostic>, uncounted: (usize, Option<Severity>)) {
    sort_diagnostics(diags);
    diags.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    // Where the analysis stopped is shown even past the cap: it says why
    // the findings after it are missing.
    let limit = diags
        .iter()
        .position(|d| d.code == kql_semantic::ANALYSIS_LIMIT.code)
        .filter(|&i| i >= MAX_DIAGNOSTICS_PER_FILE)
        .map(|i| diags.remove(i));
    if diags.len() > MAX_DIAGNOSTICS_PER_FILE || uncounted.0 > 0 {
        let keep = diags.len().min(MAX_DIAGNOSTICS_PER_FILE);
        let hidden = diags.len() - keep + uncounted.0;
        let worst = diags[keep..]
            .iter()
            .map(|d| d.severity)
            .chain(uncounted.1)
            .max()
            .unwrap_or(Severity::Info);
        let at = diags
            .get(keep)
            .or(diags.last())
            .map_or(Span::empty(0), |d| d.span);
        diags.truncate(keep);
        diags.push(
            Diagnostic::new(
                &core_rules::TOO_MANY_DIAGNOSTICS,
                Span::empty(at.start),
                format!(
                    "{hidden} more diagnostics in this file are not shown (the worst is a {worst})"
                ),
            )
            .with_severity(if worst == Severity::Error {
                Severity::Error
            } else {
                Severity::Warning
            }),
        );
    }
    diags.extend(limit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;

    fn check_kql(text: &str) -> Vec<(&'static str, String)> {
        let engine = Engine::new(EngineOptions::default()).unwrap();
        let source = Source::from_text("q.kql", text, SourceKind::Kql, &Limits::default());
        engine
            .check_source("q.kql", source)
            .diagnostics
            .into_iter()
            .map(|d| (d.code, d.message))
            .collect()
    }

    #[test]
    fn a_rules_kind_is_decided_once_for_query_and_rule_checks() {
        let codes = |path: &str, text: &str| -> Vec<&'static str> {
            let engine = Engine::new(EngineOptions::isolated()).unwrap();
            let source = Source::from_text(path, text, SourceKind::Yaml, &Limits::default());
            engine
                .check_source(path, source)
                .diagnostics
                .into_iter()
                .map(|d| d.code)
                .collect()
        };
        // An exploration query (`Id` and `DisplayName`, an output entity
        // type): the portal fills `'<Name>'` in at run time. The rule check
        // always took it so; the query check took it for a hunting query
        // and reported the parameter as an unfilled placeholder.
        let found = codes(
            "Exploration Queries/Account/LogonsOfAccount.yaml",
            "Id: 0b6c1f0e-4b43-4b1a-9d8e-1d4c8e0e2a11\nDisplayName: Logons of the account\n\
             OutputEntityTypes:\n  - Account\nquery: |\n  SecurityEvent\n  \
             | where TargetUserName == '<username>'\n",
        );
        assert!(!found.contains(&"KQL201"), "{found:?}");
    }

    #[test]
    fn an_assumed_platform_the_query_contradicts_gives_way() {
        // IdentityInfo is on both platforms; `Timestamp`, `OnPremSid` and
        // `SourceProviders` are Defender XDR's columns of it.
        let q = "IdentityInfo\n| where Timestamp > ago(30d)\n| where SourceProviders has \"ActiveDirectory\"\n| summarize arg_max(Timestamp, *) by OnPremSid\n";
        let diags = check_kql(q);
        assert!(diags.is_empty(), "{diags:?}");
        // A query that fits neither better keeps the assumed platform and
        // its findings.
        let diags = check_kql("SigninLogs\n| where Timestamp > ago(1d)\n");
        assert!(
            diags.iter().any(|d| d.0 == "KQL102" || d.0 == "KQL119"),
            "{diags:?}"
        );
    }

    #[test]
    fn no_semantic_cascade_from_a_syntax_error() {
        // The unclosed `(` swallows the next operator; the names inside the
        // guessed tree must not be reported as unknown or mistyped.
        let diags = check_kql(
            "DeviceNetworkEvents\n| where (RemotePort == 445\n| summarise n = count() by DeviceName\n",
        );
        let codes: Vec<_> = diags.iter().map(|d| d.0).collect();
        assert!(codes.contains(&"KQL002"), "{diags:?}");
        assert!(codes.iter().all(|c| !c.starts_with("KQL1")), "{diags:?}");
        // A statement without syntax errors is still checked.
        let diags = check_kql("let x = DeviceNetworkEvents | where RemoteIp == 1;\nprint (1\n");
        assert!(diags.iter().any(|d| d.0 == "KQL102"), "{diags:?}");
        // A prose banner: the parser ends the statement at `Simple` and
        // reports the next word; `Simple` is not also an unknown column.
        let diags = check_kql("SecurityEvent\n| project Account\n\n*** Simple queries ***\n");
        let codes: Vec<_> = diags.iter().map(|d| d.0).collect();
        assert!(codes.contains(&"KQL001"), "{diags:?}");
        assert!(codes.iter().all(|c| !c.starts_with("KQL1")), "{diags:?}");
    }

    #[test]
    fn no_fix_after_a_syntax_error() {
        let fixes = |text: &str| -> Vec<(&'static str, bool)> {
            // obsolete-function (opt-in) gives the fixes to look at
            let engine = Engine::new(EngineOptions {
                config: ConfigOptions {
                    extend_select: vec!["obsolete-function".to_owned()],
                    ..ConfigOptions::isolated()
                },
                ..EngineOptions::default()
            })
            .unwrap();
            let source = Source::from_text("q.kql", text, SourceKind::Kql, &Limits::default());
            engine
                .check_source("q.kql", source)
                .diagnostics
                .into_iter()
                .filter(|d| d.category != kqlint_diagnostics::Category::Syntax)
                .map(|d| (d.code, d.fix.is_some()))
                .collect()
        };
        // The case: `a` is used where the parser gave up.
        assert_eq!(fixes("let a = 1;\nprint x = 1 y = a\n"), []);
        // A fix before the first error stays; one after it goes.
        let q = "SecurityEvent\n| summarize makeset(Account) by Computer\n| where (\n";
        assert_eq!(fixes(q), [("KQL305", true)]);
        let q = "print (\n;\nSecurityEvent\n| summarize makeset(Account) by Computer\n";
        assert_eq!(fixes(q), [("KQL305", false)]);
    }

    #[test]
    fn opener_position_reads_naturally() {
        let at = Position {
            line: 3,
            column: 12,
        };
        assert_eq!(
            with_opener_position(
                "expected `)` to close this `(`, found the end of the query",
                "(",
                at
            ),
            "expected `)` to close the `(` opened at 3:12, found the end of the query"
        );
        assert_eq!(
            with_opener_position("unclosed", "[", at),
            "unclosed (the `[` opened at 3:12)"
        );
    }
}
