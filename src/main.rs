//! The `kqlint` command line: a thin shell over `kqlint-core`. It parses
//! arguments, finds files, runs the checks in parallel and prints reports;
//! it holds no analysis logic of its own.

mod discover;
mod report;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use kqlint_core::{Baseline, ConfigOptions, EngineOptions, FileReport, Summary, Target};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

const AFTER_HELP: &str = "\
Examples:
  kqlint check                      check the .kql/.csl/.yaml/.yml files here
  kqlint check rules/ q/x.kql       check some directories and files
  kqlint check -f sarif -o kqlint.sarif .
  kqlint fmt --check .              list the files `kqlint fmt .` would format
  kqlint rules                      list every diagnostic: code, name, severity
  kqlint explain unknown-column     one rule's documentation
  kqlint check --help               every option of `check`

Exit status: 0 no errors, 1 errors found, 2 usage or internal failure.
As a pre-commit hook and in CI: docs/ci.md in the kqlint repository.";

/// `kqlint --version`: the version and, when known, the commit it was built
/// from (build.rs).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("KQLINT_COMMIT_INFO"));

/// A fast, exact linter for KQL and validator for Microsoft Sentinel /
/// Defender XDR detection rules.
#[derive(Parser, Debug)]
#[command(name = "kqlint", version = VERSION, about, after_help = AFTER_HELP, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check KQL query files (.kql, .csl) and Sentinel rule YAML files.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Format KQL: .kql/.csl/.kusto files, the query of rule YAML files,
    /// KQL fences in Markdown and queries in ARM templates (layout only;
    /// the tokens are checked to be unchanged).
    #[command(after_help = FMT_HELP)]
    Fmt(FmtArgs),
    /// List every diagnostic kqlint can report.
    #[command(
        after_help = "Examples:\n  kqlint rules\n  kqlint rules --format json\n  kqlint rules | grep placeholder"
    )]
    Rules(RulesArgs),
    /// Show the documentation of one rule, by code or name.
    #[command(after_help = "Examples:\n  kqlint explain KQL102\n  kqlint explain unknown-column")]
    Explain {
        /// A code (`KQL102`) or a name (`unknown-column`).
        rule: String,
    },
    /// Show what kqlint knows of a table or function (columns, types, where
    /// the knowledge comes from), or list what it knows.
    #[command(after_help = SCHEMA_HELP)]
    Schema(SchemaArgs),
    /// Run the language server (LSP over standard input and output), for
    /// editors: the same checks as `kqlint check`, with hover, completion
    /// and quick fixes.
    #[command(after_help = "Editors start it themselves; see editors/vscode for VS Code.")]
    Lsp,
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Examples:\n  kqlint completions bash > ~/.local/share/bash-completion/completions/kqlint\n  kqlint completions zsh > ~/.zfunc/_kqlint\n  kqlint completions fish > ~/.config/fish/completions/kqlint.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print kqlint's manual page (roff), generated from this help.
    #[command(after_help = "Example:\n  kqlint man > kqlint.1 && man ./kqlint.1")]
    Man,
}

const CHECK_HELP: &str = "\
Directories are searched recursively for .kql, .csl, .yaml and .yml files,
honouring .gitignore; hidden files and directories are skipped. A YAML file
without a top-level `query` (or `ParserQuery` / `FunctionQuery`) key is not
a rule: it is skipped when found in a directory, and reported when named
(unless --skip-non-rules). `-` reads a query from standard input.

Examples:
  kqlint check                                 the current directory
  kqlint check 'Hunting Queries/' Detections/  some directories
  kqlint check -f concise rules/a.yaml x.kql   one line per finding
  kqlint check -f json rules/ > report.json    the stable JSON report
  kqlint check -f sarif -o kqlint.sarif .      for GitHub code scanning
  kqlint check -f github .                     GitHub Actions annotations
  kqlint check -f junit -o kqlint.xml .        test results (Azure DevOps)
  kqlint check - < query.kql                   a query on standard input
  kqlint check --fix .                         apply the safe fixes
  kqlint check --select placeholder rules/     only the placeholder rules
  kqlint check --ignore KQL301,unused-let .    all but these
  kqlint check --diff .                        what --fix would change
  kqlint check --statistics .                  findings per rule
  kqlint check --fail-on warning .             warnings fail the run too
  kqlint check --stdin-filename rules/r.yaml - < r.yaml
                                               a rule on standard input
  kqlint check --write-baseline kqlint-baseline.json .
  kqlint check --baseline kqlint-baseline.json .   only new findings

Configuration: the nearest kqlint.toml above each file (or --config FILE)
selects and ignores rules, sets severities, per-path ignores, schema
directories and placeholder patterns; `// kqlint-disable-next-line RULE --
reason` silences the next line, `// kqlint-disable-line RULE` its own line
(docs/configuration.md).

Exit status: 0 no error-severity finding (warnings do not count; see
--fail-on, --exit-zero), 1 errors found (with --diff: a file would change),
2 usage or internal failure.";

const FMT_HELP: &str = "\
Directories are searched recursively (honouring .gitignore). A query file is
formatted whole; in a rule YAML file only the query is, when it is a `|`
block scalar, and the YAML around it is kept byte for byte; in Markdown the
```kql / ```kusto fences; in JSON the query strings of ARM templates and
Defender XDR rules, with their escapes. A text with syntax errors is left as
it is (and named on standard error). `-` formats standard input to standard
output.

The layout comes from the `[format]` section of the nearest kqlint.toml
(line-width, indent-width, pipe = \"leading\" | \"trailing\"), as `check`
finds it; --line-width and --indent-width override it.

Examples:
  kqlint fmt .                  format in place
  kqlint fmt --check rules/     list the files that would change
  kqlint fmt --diff q.kql       show the changes as a unified diff
  kqlint fmt - < q.kql          standard input to standard output
  kqlint fmt --line-width 120 . wrap lines longer than 120 characters

Exit status: 0 done (or, with --check/--diff, nothing would change), 1 a
file would change (--check, --diff), 2 usage or I/O failure.";

#[derive(Args, Debug)]
struct FmtArgs {
    /// Files and directories to format [default: .]
    paths: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if any.
    #[arg(long, conflicts_with = "diff")]
    check: bool,
    /// Write nothing; print the changes as a unified diff and exit 1 if any.
    #[arg(long)]
    diff: bool,
    /// Spaces per indentation level, 1 to 16 [default: 4, or the
    /// kqlint.toml's `[format] indent-width`].
    #[arg(long, value_name = "N", value_parser = indent_width)]
    indent_width: Option<usize>,
    /// Wrap lines longer than this many characters, 20 to 1000 [default:
    /// 100, or the kqlint.toml's `[format] line-width`].
    #[arg(long, value_name = "N", value_parser = line_width)]
    line_width: Option<usize>,
    /// Use this configuration file for every file instead of the nearest
    /// kqlint.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore kqlint.toml files (the default layout and the options given).
    #[arg(long)]
    isolated: bool,
}

fn indent_width(s: &str) -> Result<usize, String> {
    in_range(s, &kqlint_core::config::INDENT_WIDTHS)
}

fn line_width(s: &str) -> Result<usize, String> {
    in_range(s, &kqlint_core::config::LINE_WIDTHS)
}

fn in_range(s: &str, range: &std::ops::RangeInclusive<usize>) -> Result<usize, String> {
    s.parse::<usize>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            format!(
                "`{s}` is not a number from {} to {}",
                range.start(),
                range.end()
            )
        })
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// Files and directories to check [default: .]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// When to use colours in the human format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Skip YAML files that are not rules even when they are named.
    ///
    /// A YAML file without a top-level `query` (or `ParserQuery` /
    /// `FunctionQuery`) key is skipped when found in a directory, but
    /// reported (`missing-query`) when named. With this flag named files are
    /// treated like found ones, so a pre-commit hook or a script can pass every
    /// changed YAML file, workflows and configs included.
    #[arg(long)]
    skip_non_rules: bool,
    /// Apply the safe fixes, re-check, and repeat until nothing changes;
    /// then report what is left. With standard input, print the fixed text
    /// on standard output (the findings left go to standard error).
    #[arg(long)]
    fix: bool,
    /// Show what --fix would change as a unified diff, and write nothing.
    /// Exit status 1 when a file would change.
    #[arg(long, conflicts_with_all = ["fix", "write_baseline", "statistics"])]
    diff: bool,
    /// List the fixes applied (with --fix) or that --fix would apply, per
    /// file and line, before the report.
    #[arg(long)]
    show_fixes: bool,
    /// Print the number of findings of each rule (and how many --fix would
    /// repair) instead of the findings: a table, or JSON with --format json.
    #[arg(long)]
    statistics: bool,
    /// Read standard input as this file: its kind (`.yaml` is a rule, not a
    /// query) and its configuration (the nearest kqlint.toml, per-path
    /// settings) apply, and reports name it. Reads standard input when no
    /// path is given.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Exit with status 0 even when findings would fail the run (a report
    /// that could not be written still exits 2).
    #[arg(long, conflicts_with = "fail_on")]
    exit_zero: bool,
    /// The least severity that fails the run (exit status 1).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Print the findings and nothing else: no summary line, no notes on
    /// standard error (errors are still printed).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Use this configuration file for every file instead of the nearest
    /// kqlint.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore kqlint.toml files (defaults and command-line options only).
    #[arg(long)]
    isolated: bool,
    /// Only these rules: codes, names, categories or `all`, comma-separated
    /// (replaces the configuration's `select`).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Also these rules (how opt-in rules are turned on).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Not these rules: codes, names or categories, comma-separated.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    ignore: Vec<String>,
    /// A schema directory (Azure-Sentinel CustomTables / CustomFunctions
    /// JSON, `T | getschema` as CSV or JSON, `az monitor log-analytics
    /// workspace table list` JSON) to check against besides the bundled
    /// schema; repeatable.
    #[arg(long, value_name = "DIR")]
    schema: Vec<PathBuf>,
    /// The platform the queries are written for: its tables, columns and
    /// types (over `platform` in kqlint.toml). Without it, a Sentinel rule
    /// is checked for Sentinel and a query file for the platform its path
    /// or tables point to, else Sentinel.
    #[arg(long, value_enum)]
    platform: Option<PlatformArg>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record every current finding in this baseline file (and report
    /// nothing); later runs with --baseline FILE report only new findings.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

const SCHEMA_HELP: &str = "\
The bundled knowledge plus the schema directories of the kqlint.toml that
applies in the current directory (and --schema). Every table and function
says where it comes from: `documented` (a Microsoft reference page lists its
columns: complete), `ci-stub` (a test stub of Azure-Sentinel's CI: partial),
`parser` (a parser's source: partial) or `user` (your schema file).

Examples:
  kqlint schema SigninLogs
  kqlint schema IdentityInfo --platform defender
  kqlint schema FileProfile --platform defender
  kqlint schema --list ci-stub
  kqlint schema --list Device --format json";

#[derive(Args, Debug)]
struct SchemaArgs {
    /// A table or function name (with --list: a filter, a part of the name
    /// or a source kind).
    name: Option<String>,
    /// List the tables and functions (matching NAME, if given).
    #[arg(long)]
    list: bool,
    /// The platform whose knowledge to show.
    #[arg(long, value_enum, default_value_t = PlatformArg::Sentinel)]
    platform: PlatformArg,
    /// A schema directory to add, as for `check`; repeatable.
    #[arg(long, value_name = "DIR")]
    schema: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(Args, Debug)]
struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Human)]
    format: ListFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Source snippets with the problem underlined, then a summary.
    Human,
    /// One `path:line:col: severity[CODE] message` line per finding.
    Concise,
    /// The stable JSON contract (see the README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML, for CI test reports.
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    /// One line per diagnostic: code, name, category, severity, summary.
    Human,
    /// Every field of every diagnostic's registry entry.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum PlatformArg {
    /// Microsoft Sentinel / Log Analytics.
    Sentinel,
    /// Defender XDR advanced hunting and custom detections.
    Defender,
    /// Azure Data Explorer (no bundled tables).
    Adx,
}

impl From<PlatformArg> for kqlint_core::Platform {
    fn from(p: PlatformArg) -> Self {
        match p {
            PlatformArg::Sentinel => kqlint_core::Platform::Sentinel,
            PlatformArg::Defender => kqlint_core::Platform::Defender,
            PlatformArg::Adx => kqlint_core::Platform::Adx,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Only errors fail the run (the default).
    Error,
    /// Errors and warnings.
    Warning,
    /// Any finding.
    Info,
}

impl From<FailOn> for kqlint_core::Severity {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => kqlint_core::Severity::Error,
            FailOn::Warning => kqlint_core::Severity::Warning,
            FailOn::Info => kqlint_core::Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Fmt(args) => fmt(args),
        Command::Rules(args) => rules(args),
        Command::Explain { rule } => explain(&rule),
        Command::Schema(args) => schema(args),
        Command::Lsp => Ok(match kqlint_lsp::run_stdio() {
            0 => ExitCode::SUCCESS,
            _ => ExitCode::from(1),
        }),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kqlint", &mut out);
            write_output(None, &String::from_utf8_lossy(&out)).map(|()| ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| e.to_string())
                .and_then(|()| write_output(None, &String::from_utf8_lossy(&out)))
                .map(|()| ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kqlint: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> Result<ExitCode, String> {
    for d in &args.schema {
        if !d.is_dir() {
            return Err(format!("--schema {}: not a directory", d.display()));
        }
    }
    if args.statistics && !matches!(args.format, Format::Human | Format::Concise | Format::Json) {
        return Err("--statistics prints a table (human, concise) or JSON (--format json)".into());
    }
    let baseline = match &args.baseline {
        Some(p) => Some(Arc::new(Baseline::load(p)?)),
        None => None,
    };
    let options = EngineOptions {
        schema_dirs: args.schema.clone(),
        config: ConfigOptions {
            config_file: args.config.clone(),
            no_discovery: args.isolated,
            select: args.select.clone(),
            extend_select: args.extend_select.clone(),
            ignore: args.ignore.clone(),
            platform: args.platform.map(Into::into),
        },
        baseline,
        ..EngineOptions::default()
    };
    let engine = kqlint_core::Engine::new(options).map_err(|e| e.to_string())?;
    let paths = if !args.paths.is_empty() {
        args.paths.clone()
    } else if args.stdin_filename.is_some() {
        vec![PathBuf::from("-")]
    } else {
        vec![PathBuf::from(".")]
    };
    let mut targets = discover::discover(&paths, args.skip_non_rules);
    if let Some(name) = &args.stdin_filename {
        for t in targets.iter_mut().filter(|t| t.stdin) {
            *t = Target::stdin_as(name.clone());
        }
    }
    // A bad kqlint.toml stops the run before anything is checked; every
    // problem of every configuration file is reported.
    if let Err(errors) = engine.check_configs(&targets) {
        for e in &errors {
            eprintln!("kqlint: error: {e}");
        }
        return Ok(ExitCode::from(2));
    }
    let note = |text: String| {
        if !args.quiet {
            eprintln!("kqlint: {text}");
        }
    };
    let stdin_count = targets.iter().filter(|t| t.stdin).count();
    if (args.fix || args.diff) && stdin_count > 0 {
        if targets.len() > 1 {
            return Err(format!(
                "--{} with standard input needs it to be the only input",
                if args.fix { "fix" } else { "diff" }
            ));
        }
        return fix_stdin(&engine, &args, &targets[0]);
    }
    if args.diff {
        return diff(&engine, &args, &targets, &note);
    }
    // A fixed file that could not be written ends the run with status 2,
    // after the report (the file itself is left as it was).
    let mut unwritten = 0;
    let mut fixes_shown = String::new();
    if args.fix {
        let outcomes = engine.fix_targets(&targets);
        let (mut fixes, mut files) = (0, 0);
        for o in &outcomes {
            if let Some(e) = &o.error {
                if o.failed {
                    eprintln!("kqlint: error: {}: {e}", o.path);
                    unwritten += 1;
                } else {
                    note(format!("{}: {e}", o.path));
                }
            }
            if o.applied > 0 {
                fixes += o.applied;
                files += 1;
            }
            if args.show_fixes {
                fixes_shown.push_str(&report::show_fixes(&o.path, &o.fixes));
            }
        }
        note(format!(
            "applied {fixes} fix{} in {files} file{}{}",
            if fixes == 1 { "" } else { "es" },
            if files == 1 { "" } else { "s" },
            match unwritten {
                0 => String::new(),
                1 => "; 1 file could not be written".to_owned(),
                n => format!("; {n} files could not be written"),
            }
        ));
    } else if args.show_fixes {
        for t in &targets {
            if let Some((_, fixed)) = kqlint_core::fix::preview_target(&engine, t) {
                fixes_shown.push_str(&report::show_fixes(&t.display, &fixed.applied));
            }
        }
    }
    let reports: Vec<FileReport> = engine.check_targets(&targets);
    for w in engine.take_warnings() {
        eprintln!("kqlint: warning: {w}");
    }
    if let Some(path) = &args.write_baseline {
        let n = Baseline::write(path, &reports)?;
        note(format!(
            "recorded {n} finding{} in the baseline {}",
            if n == 1 { "" } else { "s" },
            path.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    if args.show_fixes {
        let heading = if args.fix {
            "fixes applied"
        } else {
            "fixes `kqlint check --fix` would apply"
        };
        let text = if fixes_shown.is_empty() {
            format!("{heading}: none\n")
        } else {
            format!("{heading}:\n{fixes_shown}")
        };
        // Before the report: on standard output when that is a text report,
        // else on standard error so the JSON or XML stays well-formed.
        if args.output.is_none()
            && matches!(args.format, Format::Human | Format::Concise)
            && !args.statistics
        {
            write_output(None, &text)?;
        } else {
            eprint!("{text}");
        }
    }

    let colors = colors(&args);
    let text = if args.statistics {
        let rows = kqlint_core::statistics::statistics(&reports);
        match args.format {
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
                s.push('\n');
                s
            }
            _ => kqlint_core::statistics::render(&rows),
        }
    } else {
        match args.format {
            Format::Human => report::human(&reports, colors, !args.quiet),
            Format::Concise => report::concise(&reports),
            Format::Json => report::json(&reports),
            Format::Sarif => report::sarif(
                &reports,
                kqlint_core::registry::all(),
                env!("CARGO_PKG_VERSION"),
            ),
            Format::Github => report::github(&reports),
            Format::Junit => report::junit(&reports),
        }
    };
    write_output(args.output.as_deref(), &text)?;
    let summary = Summary::of(&reports);
    Ok(if unwritten > 0 {
        ExitCode::from(2)
    } else if !args.exit_zero && summary.fails_on(args.fail_on.into()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn colors(args: &CheckArgs) -> report::Colors {
    match args.color {
        ColorChoice::Always => report::Colors::Always,
        ColorChoice::Never => report::Colors::Never,
        ColorChoice::Auto => {
            let tty = args.output.is_none() && std::io::stdout().is_terminal();
            if tty && std::env::var_os("NO_COLOR").is_none() {
                report::Colors::Always
            } else {
                report::Colors::Never
            }
        }
    }
}

/// `--diff`: what `--fix` would change, as unified diffs; nothing is written.
fn diff(
    engine: &kqlint_core::Engine,
    args: &CheckArgs,
    targets: &[Target],
    note: &dyn Fn(String),
) -> Result<ExitCode, String> {
    let mut out = String::new();
    let (mut files, mut fixes) = (0, 0);
    for t in targets {
        let Some((before, fixed)) = kqlint_core::fix::preview_target(engine, t) else {
            continue;
        };
        if let Some(e) = &fixed.error {
            note(format!("{}: {e}", t.display));
        }
        if fixed.text != before {
            files += 1;
            fixes += fixed.applied.len();
            out.push_str(&report::unified_diff(&t.display, &before, &fixed.text));
        }
    }
    if args.show_fixes {
        for t in targets {
            if let Some((_, fixed)) = kqlint_core::fix::preview_target(engine, t) {
                eprint!("{}", report::show_fixes(&t.display, &fixed.applied));
            }
        }
    }
    write_output(args.output.as_deref(), &out)?;
    note(format!(
        "{fixes} fix{} in {files} file{} would be applied by `kqlint check --fix`",
        if fixes == 1 { "" } else { "es" },
        if files == 1 { "" } else { "s" }
    ));
    Ok(if files > 0 && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--fix` (or `--diff`) of standard input: the fixed text (or the diff)
/// goes to standard output, the findings left to standard error (or
/// `--output`).
fn fix_stdin(
    engine: &kqlint_core::Engine,
    args: &CheckArgs,
    target: &Target,
) -> Result<ExitCode, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let kind =
        kqlint_core::SourceKind::from_path(&target.path).unwrap_or(kqlint_core::SourceKind::Kql);
    let source =
        kqlint_core::Source::from_bytes(&target.path, &bytes, kind, &engine.options().limits);
    let Some(text) = source.text.clone() else {
        // Not text: nothing to fix; the check says why.
        write_output(None, &String::from_utf8_lossy(&bytes))?;
        let report = engine.check_source(&target.display, source);
        eprint!("{}", report::concise(std::slice::from_ref(&report)));
        return Ok(ExitCode::from(1));
    };
    let fixed =
        kqlint_core::fix::fix_text(engine, &target.display, &target.path, kind, text.clone());
    if let Some(e) = &fixed.error
        && !args.quiet
    {
        eprintln!("kqlint: {}: {e}", target.display);
    }
    if args.show_fixes {
        eprint!("{}", report::show_fixes(&target.display, &fixed.applied));
    }
    if args.diff {
        let changed = fixed.text != text;
        write_output(
            None,
            &report::unified_diff(&target.display, &text, &fixed.text),
        )?;
        return Ok(if changed && !args.exit_zero {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    write_output(None, &fixed.text)?;
    let reports: Vec<FileReport> = fixed.report.into_iter().collect();
    let rendered = match args.format {
        Format::Human => report::human(&reports, report::Colors::Never, !args.quiet),
        Format::Concise => report::concise(&reports),
        Format::Json => report::json(&reports),
        Format::Sarif => report::sarif(
            &reports,
            kqlint_core::registry::all(),
            env!("CARGO_PKG_VERSION"),
        ),
        Format::Github => report::github(&reports),
        Format::Junit => report::junit(&reports),
    };
    match &args.output {
        Some(p) => write_output(Some(p), &rendered)?,
        None => eprint!("{rendered}"),
    }
    let summary = Summary::of(&reports);
    Ok(
        if !args.exit_zero && summary.fails_on(args.fail_on.into()) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

/// `kqlint fmt`.
fn fmt(args: FmtArgs) -> Result<ExitCode, String> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let targets = discover::discover(&paths, false);
    // The configuration is found as `check` finds it; a bad kqlint.toml
    // stops the run before anything is written.
    let engine = kqlint_core::Engine::new(EngineOptions {
        config: ConfigOptions {
            config_file: args.config.clone(),
            no_discovery: args.isolated,
            ..ConfigOptions::default()
        },
        ..EngineOptions::default()
    })
    .map_err(|e| e.to_string())?;
    let mut bad: Vec<kqlint_core::ConfigError> = Vec::new();
    for t in targets.iter().filter(|t| t.error.is_none()) {
        if let Err(e) = engine.config_for(&t.path)
            && !bad.iter().any(|seen| seen.file == e.file)
        {
            bad.extend(e.all().cloned());
        }
    }
    if !bad.is_empty() {
        for e in &bad {
            eprintln!("kqlint: error: {e}");
        }
        return Ok(ExitCode::from(2));
    }
    if targets.iter().any(|t| t.stdin) {
        if targets.len() > 1 {
            return Err("`fmt -` needs standard input to be the only input".into());
        }
        return fmt_stdin(&args, &fmt_options(&args, &engine, &targets[0].path));
    }
    let (mut would_change, mut failed) = (0, false);
    for t in &targets {
        if let Some(e) = &t.error {
            eprintln!("kqlint: {}: {e}", t.display);
            failed = true;
            continue;
        }
        match fmt_file(&args, &engine, t) {
            Ok(true) => would_change += 1,
            Ok(false) => {}
            Err(e) => {
                eprintln!("kqlint: {}: {e}", t.display);
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else if would_change > 0 && (args.check || args.diff) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The layout for a file: its kqlint.toml's `[format]` with the command
/// line's widths on top.
fn fmt_options(
    args: &FmtArgs,
    engine: &kqlint_core::Engine,
    path: &std::path::Path,
) -> kqlint_core::formatting::FormatOptions {
    let mut options = engine
        .config_for(path)
        .map(|c| c.format.clone())
        .unwrap_or_default();
    if let Some(w) = args.indent_width {
        options.indent_width = w;
    }
    if let Some(w) = args.line_width {
        options.line_width = w;
    }
    options
}

/// Formats one file: in place, or (`--check`, `--diff`) only reported.
/// `Ok(true)` when it changes (or would); notes go to standard error.
fn fmt_file(args: &FmtArgs, engine: &kqlint_core::Engine, t: &Target) -> Result<bool, String> {
    use kqlint_core::formatting::{Formatted, format_file_text, kind_of};
    let Some(kind) = kind_of(&t.path) else {
        if t.explicit {
            eprintln!(
                "kqlint: {}: skipped: not a .kql, .csl, .kusto, rule YAML, Markdown or JSON file",
                t.display
            );
        }
        return Ok(false);
    };
    // `[formats]` leaves whole kinds out of a walk, as for `check`.
    if !t.explicit
        && engine
            .config_for(&t.path)
            .is_ok_and(|c| !c.formats.reads(kind))
    {
        return Ok(false);
    }
    let limit = kqlint_core::Limits::default().max_file_bytes;
    let editing = kqlint_core::atomic::Editing::open(&t.path, limit).map_err(|e| e.to_string())?;
    if editing.original().len() as u64 > limit {
        return Err(format!("skipped: larger than {limit} bytes"));
    }
    let Ok(text) = std::str::from_utf8(editing.original()) else {
        return Err("skipped: not UTF-8".into());
    };
    let after = match format_file_text(&t.path, text, &fmt_options(args, engine, &t.path)) {
        Formatted::Changed(after) => after,
        Formatted::Partly(after, refused) => {
            for why in refused {
                eprintln!("kqlint: {}: {why}", t.display);
            }
            after
        }
        Formatted::Unchanged => return Ok(false),
        Formatted::NotKql(why) => {
            if t.explicit {
                eprintln!("kqlint: {}: skipped: {why}", t.display);
            }
            return Ok(false);
        }
        Formatted::Refused(why) => {
            eprintln!("kqlint: {}: {why}", t.display);
            return Ok(false);
        }
    };
    if args.diff {
        write_output(None, &report::unified_diff(&t.display, text, &after))?;
    } else if args.check {
        write_output(None, &format!("would reformat {}\n", t.display))?;
    } else {
        editing
            .replace(after.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    Ok(true)
}

/// `kqlint fmt -`: a query on standard input, formatted to standard output
/// (with `--check`, nothing printed; with `--diff`, the diff).
fn fmt_stdin(
    args: &FmtArgs,
    options: &kqlint_core::formatting::FormatOptions,
) -> Result<ExitCode, String> {
    use kqlint_core::formatting::{Formatted, format_file_text};
    use std::io::Read;
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let after = match format_file_text(std::path::Path::new("-"), &text, options) {
        Formatted::Changed(after) => Some(after),
        Formatted::Partly(after, refused) => {
            for why in refused {
                eprintln!("kqlint: -: {why}");
            }
            Some(after)
        }
        Formatted::Refused(why) => {
            eprintln!("kqlint: -: {why}");
            None
        }
        Formatted::Unchanged | Formatted::NotKql(_) => None,
    };
    let changed = after.is_some();
    let after = after.unwrap_or_else(|| text.clone());
    if args.diff {
        write_output(None, &report::unified_diff("-", &text, &after))?;
    } else if !args.check {
        write_output(None, &after)?;
    }
    Ok(if changed && (args.check || args.diff) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => kqlint_core::atomic::write_atomic(p, text.as_bytes()).map_err(|e| e.to_string()),
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`kqlint check | head`) is not a failure.
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write the report: {e}"))
                }
                _ => Ok(()),
            }
        }
    }
}

fn rules(args: RulesArgs) -> Result<ExitCode, String> {
    let all = kqlint_core::registry::all();
    let text = match args.format {
        ListFormat::Json => {
            let entries: Vec<serde_json::Value> = all
                .iter()
                .map(|m| {
                    let mut v = serde_json::to_value(m).unwrap_or_default();
                    if let Some(o) = v.as_object_mut() {
                        o.insert("opt_in".to_owned(), m.opt_in.into());
                    }
                    v
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&entries).map_err(|e| e.to_string())?;
            s.push('\n');
            s
        }
        ListFormat::Human => {
            let mut s = String::new();
            for m in all {
                let mut fix = if m.fixable { " [fix]" } else { "" }.to_owned();
                if m.opt_in {
                    fix.push_str(" [opt-in]");
                }
                s.push_str(&format!(
                    "{}  {:<34} {:<11} {:<7}  {}{fix}\n",
                    m.code,
                    m.name,
                    m.category.as_str(),
                    m.severity.as_str(),
                    m.summary
                ));
            }
            s
        }
    };
    write_output(None, &text)?;
    Ok(ExitCode::SUCCESS)
}

fn schema(args: SchemaArgs) -> Result<ExitCode, String> {
    for d in &args.schema {
        if !d.is_dir() {
            return Err(format!("--schema {}: not a directory", d.display()));
        }
    }
    let engine = kqlint_core::Engine::new(EngineOptions {
        schema_dirs: args.schema.clone(),
        ..EngineOptions::default()
    })
    .map_err(|e| e.to_string())?;
    for w in engine.take_warnings() {
        eprintln!("kqlint: warning: {w}");
    }
    let catalog = kqlint_core::knowledge::catalog_for(
        &engine,
        &std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        args.platform.into(),
    );
    let json = args.format == ListFormat::Json;
    if args.list {
        write_output(
            None,
            &kqlint_core::knowledge::list(&catalog, args.name.as_deref(), json),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(name) = args.name else {
        return Err("name a table or function, or use --list (`kqlint schema --help`)".into());
    };
    match kqlint_core::knowledge::describe(&catalog, &name, json) {
        Some(text) => {
            write_output(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        None => Err(match kqlint_core::knowledge::suggest(&catalog, &name) {
            Some(s) => format!("kqlint knows no table or function `{name}`; did you mean `{s}`?"),
            None => format!(
                "kqlint knows no table or function `{name}` (`kqlint schema --list` lists them)"
            ),
        }),
    }
}

fn explain(rule: &str) -> Result<ExitCode, String> {
    let Some(m) = kqlint_core::registry::lookup(rule) else {
        return Err(match kqlint_core::registry::suggest(rule) {
            Some(near) => format!(
                "no rule with code or name `{rule}`; did you mean `{}` ({})? (`kqlint rules` lists them)",
                near.code, near.name
            ),
            None => format!("no rule with code or name `{rule}` (`kqlint rules` lists them)"),
        });
    };
    write_output(None, &kqlint_core::registry::explain(m))?;
    Ok(ExitCode::SUCCESS)
}
