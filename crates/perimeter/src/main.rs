//! perimeter: finds the security flaws of a serverless application before it is deployed.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use perimeter::baseline::Baseline;
use perimeter::config::Resolved;
use perimeter::engine::{self, Options};
use perimeter::inventory;
use perimeter::pipeline::{self, Outcome, Pipeline, Products, Settings, Sources};
use perimeter_diagnostics::Severity;
use perimeter_report::{Format, TextOptions};

#[derive(Parser)]
#[command(
    name = "perimeter",
    version,
    about = "Finds the security flaws of a serverless application before it is deployed"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args, Debug)]
struct LoadArgs {
    /// Value for `${opt:...}` variables, such as `--opt stage=prod` (repeatable).
    #[arg(long = "opt", value_name = "KEY=VALUE")]
    opts: Vec<String>,
    /// Let `${env:VAR}` read this machine's environment (off by default: the scanned
    /// repository is not trusted with it).
    #[arg(long)]
    env_vars: bool,
    /// Configuration file (default: the nearest perimeter.toml above the scanned folder).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ignore the scanned repository's own configuration: its perimeter.toml, its inline
    /// suppressions and its .gitignore/.ignore files (for CI; also `PERIMETER_NO_REPO_CONFIG=1`).
    /// A file given with --config still applies.
    #[arg(long)]
    no_repo_config: bool,
    /// Analyse the tree again instead of reusing the report, or the code summaries, of
    /// earlier scans of files that have not changed.
    #[arg(long)]
    no_cache: bool,
    /// Where those reports and summaries are kept (default: `$PERIMETER_CACHE_DIR`, else the
    /// user's cache folder, `~/.cache/perimeter`).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Memory limit in MiB: past it, the functions not yet analysed are reported as not
    /// analysed [default: 4096].
    #[arg(long, value_name = "MIB")]
    max_memory: Option<usize>,
}

#[derive(Subcommand)]
enum Command {
    /// Find every application under PATH, analyse it and report.
    Scan {
        /// Folders to scan (default: the current folder).
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, short, default_value = "text", value_parser = ["text", "json", "sarif", "junit", "gitlab", "html"])]
        format: String,
        /// Write the report to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Lowest severity that fails the run with exit code 1 [default: high].
        #[arg(long, value_name = "SEVERITY")]
        fail_on: Option<Severity>,
        /// Only these rules: codes, code prefixes, names or kinds (comma-separated or repeated).
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
        /// Not these rules.
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
        /// Report only findings not accepted in this baseline file.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// The advisory database folder (default: `$PERIMETER_DB`, else the user's data folder).
        #[arg(long, value_name = "DIR")]
        db: Option<PathBuf>,
        /// Report only findings introduced since this git revision (a branch, tag or commit):
        /// the revision's tree is scanned too, and findings it already had are not shown.
        #[arg(long, value_name = "REV")]
        diff: Option<String>,
        /// Write the fingerprints of the current findings to FILE and exit 0.
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Do not fail the run because some file could not be analysed.
        #[arg(long)]
        allow_errors: bool,
        /// Report advisories that cannot affect the deployed application (a development
        /// dependency, a request client whose destinations the code fixes) as low findings
        /// instead of listing them as not affected.
        #[arg(long)]
        report_not_affected: bool,
        /// Only the descriptors: skip code analysis.
        #[arg(long)]
        no_code: bool,
        /// Colour in text output.
        #[arg(long, value_enum, default_value = "auto")]
        color: ColorChoice,
        /// Print nothing but the report's findings and errors.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// The application model as JSON: functions, triggers, resources, permissions.
    Inventory {
        /// Folder to read (default: the current folder).
        path: Option<PathBuf>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// The application's data-flow graph: entry points, functions, services and what flows.
    Map {
        /// Folder to read (default: the current folder).
        path: Option<PathBuf>,
        /// Output format.
        #[arg(long, short, default_value = "mermaid", value_parser = ["mermaid", "dot", "json"])]
        format: String,
        /// Write to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// The least-privilege policy of each function, from what its code calls.
    Policy {
        /// Folder to read (default: the current folder).
        path: Option<PathBuf>,
        /// Output format.
        #[arg(long, short, default_value = "iam-json", value_parser = ["iam-json", "serverless", "sam"])]
        format: String,
        /// Write to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// A Language Server Protocol server on standard input/output: findings as diagnostics in
    /// the editor, refreshed when a file is opened or saved.
    Lsp {
        #[command(flatten)]
        load: LoadArgs,
    },
    /// The offline advisory database (OSV): import, status, update.
    Db {
        #[command(subcommand)]
        action: DbAction,
        /// The database folder (default: `$PERIMETER_DB`, else the user's data folder).
        #[arg(long, value_name = "DIR", global = true)]
        db: Option<PathBuf>,
    },
    /// The rule catalogue.
    Rules {
        /// `text` or `json`.
        #[arg(long, default_value = "text")]
        format: String,
    },
    /// One rule's documentation, by code or name.
    Rule {
        /// Code (`IAM001`) or name (`iam-wildcard-action`).
        code: String,
    },
}

#[derive(Subcommand)]
enum DbAction {
    /// Load OSV records: a JSON file, a folder of them, or an ecosystem's `all.zip`.
    Import {
        /// File or folder.
        path: PathBuf,
    },
    /// What the database holds and how old it is.
    Status,
    /// Download the current npm and PyPI archives from osv.dev over HTTPS (needs network
    /// access; the only command that reaches the network).
    Update,
}

fn main() -> ExitCode {
    // Every command runs on a thread with the workers' stack: descriptor loading, the
    // Python readers of Chalice and Azure apps, the rules, the language server and the
    // inventory, map and policy commands all recurse over what the repository wrote.
    let outcome = std::thread::Builder::new()
        .name("perimeter".to_owned())
        .stack_size(engine::STACK_SIZE)
        .spawn(run)
        .map_err(anyhow::Error::from)
        .and_then(|t| {
            t.join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: the scan panicked")))
        });
    match outcome {
        Ok(code) => code,
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "perimeter: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    engine::init_threads();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return Ok(ExitCode::from(code));
        }
    };
    match cli.command {
        Command::Scan {
            paths,
            format,
            output,
            fail_on,
            select,
            ignore,
            baseline,
            db,
            diff,
            write_baseline,
            allow_errors,
            report_not_affected,
            no_code,
            color,
            quiet,
            load,
        } => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let format: Format = format.parse().map_err(anyhow::Error::msg)?;
            let args = ScanArgs {
                fail_on,
                select,
                ignore,
                baseline,
                db,
                diff,
                write_baseline,
                allow_errors,
                report_not_affected,
                no_code,
                quiet,
            };
            scan(&paths, format, output.as_deref(), color, &args, &load)
        }
        Command::Lsp { load } => {
            let analyse = |root: &Path| -> Result<perimeter::lsp::Analysis> {
                let pipeline = pipeline_for(root, &load, None, Products::FINDINGS)?;
                let collected =
                    pipeline::collect(vec![(root.to_path_buf(), pipeline)], !no_repo_config(&load));
                Ok(perimeter::lsp::Analysis {
                    findings: collected.findings,
                    errors: collected.errors,
                })
            };
            let mut input = std::io::stdin().lock();
            let mut output = std::io::stdout().lock();
            let code = perimeter::lsp::serve(&mut input, &mut output, &analyse)?;
            Ok(ExitCode::from(u8::try_from(code).unwrap_or(1)))
        }
        Command::Inventory { path, load } => {
            let outcome = run_one(path, &load, Products::default())?;
            let mut value = inventory::inventory(&outcome.scan.apps);
            if let Some(obj) = value.as_object_mut() {
                obj.insert(
                    "errors".into(),
                    serde_json::to_value(&outcome.scan.errors).unwrap_or_default(),
                );
            }
            let mut text = serde_json::to_string_pretty(&value)?;
            text.push('\n');
            write_out(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Map {
            path,
            format,
            output,
            load,
        } => {
            let products = Products {
                map: true,
                ..Products::default()
            };
            let maps = run_one(path, &load, products)?.maps;
            let text = match format.as_str() {
                "dot" => perimeter_graph::map::dot(&maps),
                "json" => perimeter_graph::map::json(&maps),
                _ => perimeter_graph::map::mermaid(&maps),
            };
            write_out(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy {
            path,
            format,
            output,
            load,
        } => {
            let products = Products {
                policies: true,
                ..Products::default()
            };
            let policies = run_one(path, &load, products)?.policies;
            let text = match format.as_str() {
                "serverless" => perimeter_graph::policy::serverless_yaml(&policies),
                "sam" => perimeter_graph::policy::sam_yaml(&policies),
                _ => perimeter_graph::policy::iam_json(&policies),
            };
            write_out(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Db { action, db } => {
            let dir = db
                .or_else(perimeter_deps::db::default_dir)
                .context("no database folder: pass --db DIR or set PERIMETER_DB")?;
            let mut out = std::io::stdout().lock();
            match action {
                DbAction::Import { path } => {
                    let r = perimeter_deps::db::import(&dir, &path).map_err(anyhow::Error::msg)?;
                    writeln!(
                        out,
                        "imported {} records into {} ({} skipped)",
                        r.records,
                        dir.display(),
                        r.skipped
                    )?;
                    for p in &r.problems {
                        writeln!(out, "  {p}")?;
                    }
                }
                DbAction::Update => {
                    for (eco, r) in
                        perimeter_deps::db::download(&dir).map_err(anyhow::Error::msg)?
                    {
                        writeln!(
                            out,
                            "{eco}: {} records imported into {}",
                            r.records,
                            dir.display()
                        )?;
                    }
                }
                DbAction::Status => {
                    match perimeter_deps::db::Db::open(&dir).map_err(anyhow::Error::msg)? {
                        None => writeln!(
                            out,
                            "no advisory database in {} (run `perimeter db update` or `perimeter db import`)",
                            dir.display()
                        )?,
                        Some(db) => {
                            writeln!(out, "advisory database in {}", dir.display())?;
                            let now = std::time::SystemTime::now()
                                .duration_since(std::time::UNIX_EPOCH)
                                .map_or(0, |d| d.as_secs());
                            for (eco, m) in &db.meta.ecosystems {
                                writeln!(
                                    out,
                                    "  {eco}: {} advisories for {} packages, newest modified {}{}, imported {} ({} days ago) from {}",
                                    m.advisories,
                                    m.packages,
                                    if m.newest.is_empty() {
                                        "unknown"
                                    } else {
                                        m.newest.as_str()
                                    },
                                    perimeter_deps::db::day_secs(&m.newest).map_or_else(
                                        String::new,
                                        |d| format!(
                                            " ({} days old)",
                                            now.saturating_sub(d) / 86_400
                                        )
                                    ),
                                    perimeter_deps::db::date(m.imported_at),
                                    now.saturating_sub(m.imported_at) / 86_400,
                                    m.source
                                )?;
                            }
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { format } => {
            let infos = pipeline::rule_infos();
            let text = if format == "json" {
                let mut t = serde_json::to_string_pretty(&infos)?;
                t.push('\n');
                t
            } else {
                let mut t = String::new();
                for r in &infos {
                    t.push_str(&format!(
                        "{:<7} {:<36} {:<9} {:<26} {}\n",
                        r.code,
                        r.name,
                        r.severity.as_str(),
                        r.kind.as_str(),
                        r.summary
                    ));
                }
                t.push_str(&format!("{} rules\n", infos.len()));
                t
            };
            write_out(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rule { code } => {
            let Some(rule) = perimeter_rules::by_code_or_name(&code) else {
                bail!("no rule `{code}` (see `perimeter rules`)");
            };
            let m = rule.meta();
            let text = format!(
                "# {} ({})\n\nkind: {}  default severity: {}\n\n{}\n",
                m.name,
                m.code,
                m.kind.as_str(),
                m.severity.as_str(),
                m.markdown().trim()
            );
            write_out(None, &text)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Debug)]
struct ScanArgs {
    fail_on: Option<Severity>,
    select: Vec<String>,
    ignore: Vec<String>,
    baseline: Option<PathBuf>,
    db: Option<PathBuf>,
    diff: Option<String>,
    write_baseline: Option<PathBuf>,
    allow_errors: bool,
    report_not_affected: bool,
    no_code: bool,
    quiet: bool,
}

/// Runs the pipeline over a path (the current folder by default), with its code analysed,
/// for the products a command shows.
fn run_one(path: Option<PathBuf>, load: &LoadArgs, products: Products) -> Result<Outcome> {
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    Ok(pipeline_for(&path, load, None, products)?.run(&path))
}

/// The pipeline of one folder: its configuration, the loading options, and for `scan` the
/// command line's choices of rules, database and failing severity.
fn pipeline_for(
    path: &Path,
    load: &LoadArgs,
    scan: Option<&ScanArgs>,
    products: Products,
) -> Result<Pipeline> {
    let loaded = load_options(path, load, scan.is_some_and(|a| a.no_code))?;
    Ok(pipeline_of(loaded, scan, products))
}

/// [`pipeline_for`] from a folder's configuration and options, once read.
fn pipeline_of(
    (config, options): (Resolved, Options),
    scan: Option<&ScanArgs>,
    products: Products,
) -> Pipeline {
    let db = scan
        .and_then(|a| a.db.clone())
        .or_else(perimeter_deps::db::default_dir);
    Pipeline::new(
        Settings {
            config,
            options,
            select: scan.map(|a| a.select.clone()).unwrap_or_default(),
            ignore: scan.map(|a| a.ignore.clone()).unwrap_or_default(),
            db,
            fail_on: scan.and_then(|a| a.fail_on),
            report_not_affected: scan.is_some_and(|a| a.report_not_affected),
        },
        products,
    )
}

/// Whether the scanned repository's own configuration is ignored (`--no-repo-config`, or
/// `PERIMETER_NO_REPO_CONFIG` set to `1` or `true`).
fn no_repo_config(load: &LoadArgs) -> bool {
    load.no_repo_config
        || std::env::var("PERIMETER_NO_REPO_CONFIG")
            .is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

/// An error when a selector names no rule: where it was written, and what it is.
fn check_selectors<'a>(selectors: impl IntoIterator<Item = &'a String>, place: &str) -> Result<()> {
    for s in selectors {
        if !perimeter_rules::names_a_rule(s) {
            bail!(
                "{place}: unknown rule selector `{}` (not a rule code, code prefix, name, kind or category; see `perimeter rules`)",
                perimeter_report::escape_control(s)
            );
        }
    }
    Ok(())
}

/// Every selector of a configuration names a rule.
fn check_config_selectors(config: &Resolved) -> Result<()> {
    let Some(path) = &config.path else {
        return Ok(());
    };
    let c = &config.config;
    let place = path.display().to_string();
    check_selectors(&c.select, &format!("{place}: `select`"))?;
    check_selectors(&c.ignore, &format!("{place}: `ignore`"))?;
    check_selectors(c.severity.keys(), &format!("{place}: `severity`"))?;
    for o in &c.overrides {
        check_selectors(&o.ignore, &format!("{place}: `overrides.ignore`"))?;
        check_selectors(o.severity.keys(), &format!("{place}: `overrides.severity`"))?;
    }
    Ok(())
}

fn load_options(path: &Path, load: &LoadArgs, no_code: bool) -> Result<(Resolved, Options)> {
    if !path.exists() {
        bail!("{}: no such file or folder", path.display());
    }
    let config = if load.config.is_none() && no_repo_config(load) {
        Resolved::default()
    } else {
        Resolved::load(load.config.as_deref(), path)?
    };
    check_config_selectors(&config)?;
    let mut opts: BTreeMap<String, String> = config.config.opt.clone();
    for kv in &load.opts {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--opt takes KEY=VALUE, got `{kv}`");
        };
        opts.insert(k.trim().to_owned(), v.to_owned());
    }
    let options = Options {
        opts,
        env_vars: load.env_vars,
        skip_code: no_code,
        exclude: config.config.exclude.clone(),
        no_vcs_ignore: no_repo_config(load),
        cache_dir: if load.no_cache {
            None
        } else {
            load.cache_dir
                .clone()
                .or_else(perimeter::cache::default_dir)
        },
        max_memory_mib: load.max_memory,
    };
    Ok((config, options))
}

fn scan(
    paths: &[PathBuf],
    format: Format,
    output: Option<&Path>,
    color: ColorChoice,
    args: &ScanArgs,
    load: &LoadArgs,
) -> Result<ExitCode> {
    // Each folder's configuration and options, read once.
    let loaded = paths
        .iter()
        .map(|p| load_options(p, load, args.no_code))
        .collect::<Result<Vec<(Resolved, Options)>>>()?;
    check_selectors(&args.select, "--select")?;
    check_selectors(&args.ignore, "--ignore")?;
    let to_terminal = output.is_none() && std::io::stdout().is_terminal();
    let use_color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    // A report already made for the same question of an unchanged tree is reused (not for a
    // terminal, a comparison with another revision, or a scan given the environment;
    // `PERIMETER_NO_RESULT_CACHE` keeps only the code summaries' cache, for its tests).
    let results = if to_terminal
        || args.diff.is_some()
        || args.write_baseline.is_some()
        || load.env_vars
        || load.no_cache
        || std::env::var_os("PERIMETER_NO_RESULT_CACHE").is_some()
    {
        None
    } else {
        let dir = load
            .cache_dir
            .clone()
            .or_else(perimeter::cache::default_dir);
        // A folder refused here is reported by the code analysis's cache.
        dir.and_then(|dir| {
            let question = result_question(paths, &loaded, format, use_color, args, load);
            perimeter::results::Results::open(&dir, paths, &question).ok()
        })
    };
    if let Some((text, exit)) = results.as_ref().and_then(perimeter::results::Results::get) {
        if std::env::var_os("PERIMETER_CACHE_STATS").is_some() {
            let _ = writeln!(std::io::stderr().lock(), "perimeter: cache: report reused");
        }
        write_out(output, &text)?;
        return Ok(ExitCode::from(exit));
    }

    // One pipeline per folder, each with its own configuration.
    let products = Products {
        map: format == Format::Html,
        ..Products::FINDINGS
    };
    let pipelines: Vec<(PathBuf, Pipeline)> = paths
        .iter()
        .cloned()
        .zip(loaded)
        .map(|(p, loaded)| (p, pipeline_of(loaded, Some(args), products)))
        .collect();
    let bar = perimeter::progress::start(perimeter::progress::wanted(args.quiet));
    let mut collected = pipeline::collect(pipelines, !no_repo_config(load));
    drop(bar);
    // For the cache's tests and benchmarks: how much of the code analysis was reused.
    if std::env::var_os("PERIMETER_CACHE_STATS").is_some() {
        for stats in collected
            .targets
            .iter()
            .filter_map(|t| t.outcome.scan.cache)
        {
            let _ = writeln!(
                std::io::stderr().lock(),
                "perimeter: cache: {} function summaries reused, {} analysed",
                stats.hits,
                stats.misses
            );
        }
    }
    if let Some(path) = &args.write_baseline {
        Baseline::of(&collected.findings).write(path)?;
        if !args.quiet {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "perimeter: wrote {} findings to {}",
                collected.findings.len(),
                path.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(rev) = &args.diff {
        collected.diff(rev)?;
    }
    if let Some(path) = &args.baseline {
        collected.baseline(path)?;
    }
    let report = collected.report(format == Format::Html);
    let sources = Sources(&collected.targets);
    let text =
        perimeter_report::render(&report, format, &sources, &TextOptions { color: use_color });
    write_out(output, &text)?;

    let failed_findings = report.findings.iter().any(|f| collected.fails(f));
    let failed_errors = !args.allow_errors && !report.errors.is_empty();
    let exit = u8::from(failed_findings || failed_errors);
    if let Some(results) = &results {
        let looked: Vec<perimeter::results::LookedAt<'_>> = collected
            .targets
            .iter()
            .map(|t| perimeter::results::LookedAt {
                files: t.outcome.scan.repo.files().collect(),
                dirs: &t.outcome.scan.dirs,
                lookups: t.outcome.scan.repo.lookups(),
            })
            .collect();
        if let Err(e) = results.put(&looked, &text, exit)
            && !args.quiet
        {
            let _ = writeln!(std::io::stderr().lock(), "perimeter: warning: {e}");
        }
    }
    Ok(ExitCode::from(exit))
}

/// Everything besides the tree that shapes a scan's report: the options, each folder's
/// configuration, the baseline's and the advisory database's contents.
fn result_question(
    paths: &[PathBuf],
    loaded: &[(Resolved, Options)],
    format: Format,
    color: bool,
    args: &ScanArgs,
    load: &LoadArgs,
) -> String {
    let configs: Vec<String> = loaded
        .iter()
        .map(|(c, _)| format!("{:?}", c.config))
        .collect();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| format!("error: {e}"));
    // The baseline may be the repository's: never through a link, never a FIFO.
    let baseline = args.baseline.as_deref().map(|p| {
        perimeter_diagnostics::nofollow::read_regular(p, 256 << 20).map_or_else(
            |e| format!("error: {e}"),
            |b| String::from_utf8_lossy(&b).into_owned(),
        )
    });
    let db = args.db.clone().or_else(perimeter_deps::db::default_dir);
    let db_meta = db.as_deref().map(|d| read(&d.join("meta.json")));
    let no_repo = no_repo_config(load);
    format!(
        "{paths:?} {format:?} {color} {args:?} {load:?} {no_repo} {configs:?} {baseline:?} {db:?} {db_meta:?}"
    )
}

fn write_out(output: Option<&Path>, text: &str) -> Result<()> {
    if let Some(path) = output {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`perimeter scan | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
