//! The one pipeline: discover → load → analyse → link → rules → suppress / baseline / diff →
//! report. Every command (`scan` in every format, `map`, `policy`, `inventory`), the language
//! server, `--diff` and the rules' fixture harness get their applications, graphs and
//! findings from [`Pipeline::run`]; nothing else chains the stages.
//!
//! A pipeline is made for one scanned folder from that folder's configuration (the nearest
//! `perimeter.toml`): several folders scanned at once are several pipelines, each judged by
//! its own configuration, gathered into one report by [`Collected`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use perimeter_diagnostics::{Finding, ScanError, Severity, SourceFile};
use perimeter_graph::map::DataMap;
use perimeter_graph::policy::FunctionPolicy;
use perimeter_report::{Configuration, Report, RuleInfo, Summary};
use perimeter_rules::Selection;

use crate::baseline::Baseline;
use crate::config::Resolved;
use crate::engine::{self, Options, Scan};

/// What a command wants from the stages after loading. The model (applications and code
/// summaries) is always there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Products {
    /// The rules' findings (configuration, code, graph and secrets rules).
    pub findings: bool,
    /// The dependency check's findings (DEP001), against [`Settings::db`].
    pub dependencies: bool,
    /// Each application's data map.
    pub map: bool,
    /// Each application's least-privilege policies.
    pub policies: bool,
}

impl Products {
    /// Everything `perimeter scan` reports: the rules' findings and the dependency check's.
    pub const FINDINGS: Self = Self {
        findings: true,
        dependencies: true,
        map: false,
        policies: false,
    };
}

/// What one folder's scan is asked: its configuration and the command line's choices.
#[derive(Debug, Default)]
pub struct Settings {
    /// The folder's configuration (its nearest `perimeter.toml`, or the `--config` file).
    pub config: Resolved,
    /// How to discover, load and analyse.
    pub options: Options,
    /// Rules selected on the command line, on top of the configuration's.
    pub select: Vec<String>,
    /// Rules left out on the command line, on top of the configuration's.
    pub ignore: Vec<String>,
    /// The advisory database folder for the dependency check (`None`: none, said in a
    /// warning when there are lockfiles).
    pub db: Option<PathBuf>,
    /// The lowest severity that fails the run, from the command line (else the
    /// configuration's, else high).
    pub fail_on: Option<Severity>,
    /// Report advisories that cannot affect the deployed application as findings
    /// (`--report-not-affected`; the configuration's `report-not-affected` too).
    pub report_not_affected: bool,
}

/// The stages, set up for one scanned folder.
#[derive(Debug)]
pub struct Pipeline {
    settings: Settings,
    selection: Selection,
    products: Products,
}

/// What one run of the pipeline over a folder produced.
pub struct Outcome {
    /// The applications, their code summaries and the tree.
    pub scan: Scan,
    /// Findings with the configuration's per-path overrides applied, sorted by the rules
    /// then the dependency check; paths relative to the folder.
    pub findings: Vec<Finding>,
    /// Every error: loading, code analysis, linking, files the secrets rule could not read,
    /// lockfiles the dependency check could not read.
    pub errors: Vec<ScanError>,
    /// The dependency check's warnings (the scan's own are in [`Scan::warnings`]).
    pub dependency_warnings: Vec<String>,
    /// Advisories that match a package but cannot affect the deployed application (VEX
    /// `not_affected`), unless they are reported as findings.
    pub not_affected: Vec<perimeter_diagnostics::NotAffected>,
    /// The data map of each application, when asked for.
    pub maps: Vec<DataMap>,
    /// The policies of each application's functions by application id, when asked for.
    pub policies: Vec<(String, Vec<FunctionPolicy>)>,
    /// Findings dropped by an `[[overrides]]` `ignore`.
    pub suppressed_by_overrides: usize,
    /// Findings whose severity the configuration lowered.
    pub severities_lowered: usize,
    /// How many application graphs were built (one per application, at most).
    pub graphs_built: usize,
}

impl Pipeline {
    /// The pipeline of one folder: its selection of rules is the configuration's with the
    /// command line's added.
    pub fn new(settings: Settings, products: Products) -> Self {
        let config = &settings.config.config;
        let mut select = config.select.clone();
        select.extend(settings.select.iter().cloned());
        let mut ignore = config.ignore.clone();
        ignore.extend(settings.ignore.iter().cloned());
        let selection = Selection {
            select,
            ignore,
            severity: config.severity.clone(),
        };
        Self {
            settings,
            selection,
            products,
        }
    }

    /// The rules this folder runs, at their severities.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The folder's configuration.
    pub fn config(&self) -> &Resolved {
        &self.settings.config
    }

    /// The loading options.
    pub fn options(&self) -> &Options {
        &self.settings.options
    }

    /// The lowest severity that fails the run.
    pub fn fail_on(&self) -> Severity {
        self.settings
            .fail_on
            .or(self.settings.config.config.fail_on)
            .unwrap_or(Severity::High)
    }

    /// Runs discover → load → analyse → link → rules over a folder: each application's
    /// graph is built once and serves the rules, the map and the policies.
    pub fn run(&self, root: &Path) -> Outcome {
        self.run_for(root, self.products)
    }

    /// [`Pipeline::run`] for other products than the pipeline's own.
    fn run_for(&self, root: &Path, products: Products) -> Outcome {
        let scan = engine::load(root, &self.settings.options);
        let mut errors = scan.errors.clone();
        let mut findings = Vec::new();
        let mut maps = Vec::new();
        let mut policies = Vec::new();
        let mut graphs_built = 0;
        if products.findings || products.map || products.policies {
            let (graphs, link_errors) = engine::link(&scan);
            graphs_built = graphs.len();
            if products.findings {
                crate::progress::phase("running rules", 0);
                let (found, rule_errors) = engine::rules(&scan, &graphs, &self.selection);
                findings = found;
                errors.extend(link_errors);
                errors.extend(rule_errors);
            }
            if products.map {
                maps = graphs.iter().map(perimeter_graph::map::build).collect();
            }
            if products.policies {
                policies = graphs
                    .iter()
                    .map(|g| (g.app.id.clone(), perimeter_graph::policy::policies(g)))
                    .collect();
            }
        }
        let mut dependency_warnings = Vec::new();
        let mut not_affected = Vec::new();
        if products.dependencies {
            let mut deps =
                engine::dependency_findings(&scan, self.settings.db.as_deref(), &self.selection);
            findings.extend(deps.findings);
            if self.settings.report_not_affected || self.settings.config.config.report_not_affected
            {
                findings.extend(deps.not_affected.drain(..).map(|n| n.finding));
            }
            not_affected = deps.not_affected;
            errors.extend(deps.errors);
            dependency_warnings = deps.warnings;
        }
        // The configuration's per-path overrides, on paths relative to this folder (where
        // its globs are written).
        let before = findings.len();
        let mut lowered = 0;
        let config = &self.settings.config;
        let findings: Vec<Finding> = findings
            .into_iter()
            .filter_map(|f| {
                let old = f.severity;
                let f = config.apply_overrides(f)?;
                lowered += usize::from(f.severity < old);
                Some(f)
            })
            .collect();
        let suppressed_by_overrides = before - findings.len();
        lowered += findings
            .iter()
            .filter(|f| {
                perimeter_rules::by_code_or_name(&f.rule)
                    .map(perimeter_rules::Rule::meta)
                    .filter(|m| m.code == f.rule)
                    .is_some_and(|m| {
                        self.selection
                            .severity_for(m)
                            .is_some_and(|s| s < m.severity)
                    })
            })
            .count();
        Outcome {
            scan,
            findings,
            errors,
            dependency_warnings,
            not_affected,
            maps,
            policies,
            suppressed_by_overrides,
            severities_lowered: lowered,
            graphs_built,
        }
    }
}

/// The files of one or more scanned folders, by report path: for suppressions, code frames
/// and snippets.
pub struct Sources<'a>(pub &'a [Target]);

impl Sources<'_> {
    fn lookup(&self, path: &str) -> Option<Arc<SourceFile>> {
        for t in self.0 {
            let rel = if t.prefix.is_empty() {
                Some(path)
            } else {
                path.strip_prefix(t.prefix.as_str())
                    .and_then(|p| p.strip_prefix('/'))
            };
            if let Some(f) = rel.and_then(|rel| t.outcome.scan.source(rel)) {
                return Some(f);
            }
        }
        None
    }
}

impl perimeter_report::SourceLookup for Sources<'_> {
    fn source(&self, path: &str) -> Option<Arc<SourceFile>> {
        self.lookup(path)
    }
}

impl crate::suppress::Lines for Sources<'_> {
    fn file(&self, path: &str) -> Option<Arc<SourceFile>> {
        self.lookup(path)
    }
}

/// One scanned folder: its pipeline, what it produced, and the prefix of its report paths
/// (empty when it is the only one).
pub struct Target {
    /// The folder as given.
    pub path: PathBuf,
    /// Its report paths' prefix.
    pub prefix: String,
    /// Its pipeline.
    pub pipeline: Pipeline,
    /// What the pipeline produced.
    pub outcome: Outcome,
}

/// The findings of one or more scanned folders, after the suppression, baseline and diff
/// stages: what the report shows.
pub struct Collected {
    /// Each folder's pipeline and outcome.
    pub targets: Vec<Target>,
    /// The findings left, sorted, with report paths.
    pub findings: Vec<Finding>,
    /// Errors, sorted, without duplicates.
    pub errors: Vec<ScanError>,
    /// Warnings, in the order the stages gave them.
    pub warnings: Vec<String>,
    /// Advisories that cannot affect the deployed application, with report paths.
    pub not_affected: Vec<perimeter_diagnostics::NotAffected>,
    /// What the configuration turned off.
    pub configuration: Configuration,
}

/// The prefix of a folder's report paths when several are scanned.
fn display_prefix(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.trim_end_matches('/').trim_start_matches("./").to_owned()
}

/// Runs each folder's pipeline and gathers the findings: report paths (prefixed by their
/// folder when there are several), then the repository's inline suppressions unless
/// `repo_config` is false.
pub fn collect(pipelines: Vec<(PathBuf, Pipeline)>, repo_config: bool) -> Collected {
    let multi = pipelines.len() > 1;
    let mut targets = Vec::new();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut not_affected = Vec::new();
    for (path, pipeline) in pipelines {
        let mut outcome = pipeline.run(&path);
        let prefix = if multi {
            display_prefix(&path)
        } else {
            String::new()
        };
        let mut fs = std::mem::take(&mut outcome.findings);
        let mut errs = outcome.errors.clone();
        if multi {
            for f in &mut fs {
                f.path = format!("{prefix}/{}", f.path);
                for t in &mut f.trace {
                    t.path = format!("{prefix}/{}", t.path);
                }
            }
            for e in &mut errs {
                e.path = format!("{prefix}/{}", e.path);
            }
        }
        let mut na = std::mem::take(&mut outcome.not_affected);
        if multi {
            for n in &mut na {
                n.prefix(&prefix);
            }
        }
        not_affected.extend(na);
        findings.extend(fs);
        errors.extend(errs);
        targets.push(Target {
            path,
            prefix,
            pipeline,
            outcome,
        });
    }
    let mut configuration = configuration_of(&targets, !repo_config);
    // The repository's inline suppressions are its configuration too.
    let (mut warnings, suppressed_inline) = if repo_config {
        crate::suppress::apply(&mut findings, &Sources(&targets))
    } else {
        (Vec::new(), 0)
    };
    configuration.suppressed_inline = suppressed_inline;
    warnings.extend(
        targets
            .iter()
            .flat_map(|t| t.outcome.scan.warnings.iter().cloned()),
    );
    warnings.extend(
        targets
            .iter()
            .flat_map(|t| t.outcome.dependency_warnings.iter().cloned()),
    );
    perimeter_report::sort_findings(&mut findings);
    errors.sort();
    errors.dedup();
    Collected {
        targets,
        findings,
        errors,
        warnings,
        not_affected,
        configuration,
    }
}

impl Collected {
    /// The diff stage: leaves out the findings the tree of git revision `rev` already had,
    /// found by the same pipeline (dependency findings included).
    pub fn diff(&mut self, rev: &str) -> Result<()> {
        let [target] = self.targets.as_slice() else {
            anyhow::bail!("--diff takes one path to scan");
        };
        let base = crate::diff::checkout(&target.path, rev)?;
        let mut before: Vec<Finding> = if base.path.exists() {
            // Only the findings: the base's map and policies are not reported.
            let products = Products {
                map: false,
                policies: false,
                ..target.pipeline.products
            };
            target.pipeline.run_for(&base.path, products).findings
        } else {
            Vec::new()
        };
        // Numbered as the current findings are, so a new copy of an old line is new.
        perimeter_report::sort_findings(&mut before);
        let n = Baseline::of(&before).filter(&mut self.findings);
        self.configuration.suppressed_diff = n;
        if n > 0 {
            self.warnings.push(format!(
                "{n} findings already present at `{rev}` are not shown (--diff)"
            ));
        }
        Ok(())
    }

    /// The baseline stage: leaves out the findings a baseline file accepts.
    pub fn baseline(&mut self, path: &Path) -> Result<()> {
        for t in &self.targets {
            crate::config::check_inside(&t.path, path)
                .with_context(|| format!("cannot read baseline {}", path.display()))?;
        }
        let n = Baseline::read(path)?.filter(&mut self.findings);
        self.configuration.suppressed_baseline = n;
        if n > 0 {
            self.warnings.push(format!(
                "{n} findings accepted by the baseline {} are not shown",
                path.display()
            ));
        }
        Ok(())
    }

    /// Whether a finding reaches the lowest failing severity of the folder it was found in.
    pub fn fails(&self, finding: &Finding) -> bool {
        let target = self
            .targets
            .iter()
            .find(|t| {
                t.prefix.is_empty()
                    || finding
                        .path
                        .strip_prefix(t.prefix.as_str())
                        .is_some_and(|p| p.starts_with('/'))
            })
            .or(self.targets.first());
        target.is_some_and(|t| finding.severity >= t.pipeline.fail_on())
    }

    /// The report stage: the findings within the limit per rule and file, the counts, the
    /// rules that produced findings, and the data map when `with_map` (the HTML report,
    /// passed as a value).
    pub fn report(&mut self, with_map: bool) -> Report {
        let mut findings = std::mem::take(&mut self.findings);
        let mut warnings = std::mem::take(&mut self.warnings);
        // What the baseline and --diff left, within the limit per rule and file.
        warnings.extend(engine::cap_findings(&mut findings));
        let data_map = with_map.then(|| {
            let maps: Vec<DataMap> = self
                .targets
                .iter_mut()
                .flat_map(|t| std::mem::take(&mut t.outcome.maps))
                .collect();
            perimeter_graph::map::json_value(&maps)
        });
        let outcomes = || self.targets.iter().map(|t| &t.outcome);
        let apps: usize = outcomes().map(|o| o.scan.apps.len()).sum();
        if apps == 0 {
            warnings.push(
                "no serverless application found (no serverless.yml, SAM or CloudFormation template)"
                    .to_owned(),
            );
        }
        let codes: BTreeSet<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        let rules = rule_infos()
            .into_iter()
            .filter(|r| codes.contains(r.code.as_str()))
            .collect();
        Report {
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            summary: Summary {
                apps,
                functions: outcomes().map(|o| o.scan.function_count()).sum(),
                files: outcomes().map(|o| o.scan.file_count()).sum(),
                findings: findings.len(),
                errors: self.errors.len(),
                not_affected: self.not_affected.len(),
            },
            findings,
            not_affected: std::mem::take(&mut self.not_affected),
            errors: std::mem::take(&mut self.errors),
            warnings,
            rules,
            data_map,
            configuration: self.configuration.clone(),
        }
    }
}

/// What the configuration turned off, as far as it is known before the suppression stages:
/// files applied, rules deselected, paths excluded or ignored, severity overrides.
fn configuration_of(targets: &[Target], repo_config_ignored: bool) -> Configuration {
    let mut files = Vec::new();
    for t in targets {
        if let Some(p) = &t.pipeline.config().path {
            // Relative to the scanned folder when inside it (with the folder's prefix).
            let inside = std::fs::canonicalize(&t.path)
                .ok()
                .and_then(|r| p.strip_prefix(&r).ok().map(|p| p.display().to_string()));
            let shown = match inside {
                Some(rel) if !t.prefix.is_empty() => format!("{}/{rel}", t.prefix),
                Some(rel) => rel,
                None => p.display().to_string(),
            };
            if !files.contains(&shown) {
                files.push(shown);
            }
        }
    }
    if !repo_config_ignored {
        for t in targets {
            for f in &t.outcome.scan.ignore_files {
                files.push(if t.prefix.is_empty() {
                    f.clone()
                } else {
                    format!("{}/{f}", t.prefix)
                });
            }
        }
    }
    // A default rule that some folder's selection leaves out.
    let rules_deselected = perimeter_rules::all()
        .iter()
        .map(|r| r.meta())
        .filter(|m| {
            m.status.is_default() && targets.iter().any(|t| !t.pipeline.selection().enabled(m))
        })
        .map(|m| m.code.to_owned())
        .collect();
    let mut severity_overrides: BTreeMap<String, Severity> = BTreeMap::new();
    for t in targets {
        let config = &t.pipeline.config().config;
        severity_overrides.extend(config.severity.iter().map(|(k, v)| (k.clone(), *v)));
        for o in &config.overrides {
            for (k, v) in &o.severity {
                severity_overrides.insert(format!("{}:{k}", o.files.join(",")), *v);
            }
        }
    }
    let outcomes = || targets.iter().map(|t| &t.outcome);
    Configuration {
        files,
        repo_config_ignored,
        rules_deselected,
        paths_excluded: outcomes().map(|o| o.scan.excluded).sum(),
        severity_overrides,
        severities_lowered: outcomes().map(|o| o.severities_lowered).sum(),
        suppressed_by_overrides: outcomes().map(|o| o.suppressed_by_overrides).sum(),
        ignored_by_vcs_rules: outcomes().map(|o| o.scan.vcs_ignored).sum(),
        ..Configuration::default()
    }
}

/// The catalogue's entry of every rule, as reports and `perimeter rules` show it.
pub fn rule_infos() -> Vec<RuleInfo> {
    perimeter_rules::all()
        .iter()
        .map(|r| {
            let m = r.meta();
            let docs = m.markdown();
            let mut cwe: Vec<String> = docs
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .filter(|w| w.starts_with("CWE-") && w.len() > 4)
                .map(str::to_owned)
                .collect();
            cwe.sort();
            cwe.dedup();
            RuleInfo {
                code: m.code.to_owned(),
                name: m.name.to_owned(),
                kind: m.kind,
                severity: m.severity,
                summary: m.summary(),
                help_uri: format!(
                    "https://github.com/perimeter-sec/perimeter/blob/main/docs/rules.md#{}",
                    m.code.to_ascii_lowercase()
                ),
                docs,
                cwe,
            }
        })
        .collect()
}
