//! perimeter's rules: the framework ([`Rule`], [`RuleMeta`], [`declare_rule!`]), the code
//! table ([`registry`]), the catalogue (`rules/<domain>/<rule>.rs`) and the runner ([`run`]).
//!
//! Configuration rules read the application model; code rules turn the function summaries of
//! `perimeter_code` into findings. Rules never print and never touch the file system.

pub mod data;
pub mod registry;
pub mod rule;
pub mod rules;
mod selection;
mod util;

use perimeter_diagnostics::{Finding, Kind, Severity};
use rayon::prelude::*;
use serde::Serialize;

pub use registry::{all, by_code_or_name, redirect};
pub use rule::{AppContext, Category, Findings, Report, Rule, RuleMeta, Status};
pub use selection::{Selection, names_a_rule};

/// What rule files import.
pub(crate) mod prelude {
    pub(crate) use crate::declare_rule;
    pub(crate) use crate::rule::{AppContext, Category, Findings, Rule, RuleMeta, Status};
    pub(crate) use crate::util::*;
    pub(crate) use perimeter_diagnostics::{Kind, Severity};
}

/// A rule to run, with the severity the user sets for it.
type Job = (&'static dyn Rule, Option<Severity>);

/// Runs the selected rules over applications, in parallel, and returns the findings sorted
/// by [`Finding::sort_key`], with exact duplicates removed and severity overrides applied.
pub fn run(apps: &[AppContext<'_>], selection: &Selection) -> Vec<Finding> {
    let rules: Vec<Job> = all()
        .iter()
        .copied()
        .filter(|r| selection.enabled(r.meta()))
        .map(|r| (r, selection.severity_for(r.meta())))
        .collect();
    let jobs: Vec<(&AppContext<'_>, &Job)> = apps
        .iter()
        .flat_map(|cx| {
            rules
                .iter()
                .filter(|(r, _)| applies(r.meta(), cx.app.framework))
                .map(move |r| (cx, r))
        })
        .collect();
    let mut findings: Vec<Finding> = jobs
        .par_iter()
        .flat_map_iter(|(cx, (rule, sev))| {
            let mut out = Findings::new(rule.meta(), &cx.app.id);
            rule.check(cx, &mut out);
            let mut v = out.into_vec();
            if lambda_setting(rule.meta()) {
                one_per_deployment(cx.app, &mut v);
            }
            off_by_default(cx.app, &mut v);
            if let Some(sev) = sev {
                for f in &mut v {
                    f.severity = *sev;
                }
            }
            v
        })
        .collect();
    sort_findings(&mut findings);
    findings
}

/// Whether a rule judges applications of a framework. An Azure function app keeps its
/// scaling limits, logging, tracing, runtime version and key management in the Azure
/// resource (ARM, Bicep, the portal), not in the files perimeter reads: the rules that judge
/// those Lambda settings would only report their absence, so they do not run on it. Its
/// routes, identity, settings and code are judged like any other.
/// A function found by convention, without a descriptor, has settings nobody here can see
/// (they are in the console or elsewhere): the same rules do not run on it either.
fn applies(meta: &RuleMeta, framework: perimeter_model::Framework) -> bool {
    if !matches!(
        framework,
        perimeter_model::Framework::Azure | perimeter_model::Framework::Convention
    ) {
        return true;
    }
    !lambda_setting(meta)
}

/// Whether a rule judges the settings of a deployed Lambda function (scaling, logging,
/// tracing, runtime, key management) rather than what the function does.
fn lambda_setting(meta: &RuleMeta) -> bool {
    meta.code.starts_with("OBS")
        || (meta.code.starts_with("DOW") && meta.kind != Kind::RecursiveTrigger)
        || matches!(meta.code, "RUN001" | "STO007")
}

/// Several functions of the model may be one deployed function: a Chalice app's routes are
/// modelled one function per view, but Chalice deploys them all as `api_handler`, whose
/// settings they share. A finding about those settings is kept once, for the first of them,
/// and says which deployed function it is about.
fn one_per_deployment(app: &perimeter_model::Application, findings: &mut Vec<Finding>) {
    if app.framework != perimeter_model::Framework::Chalice {
        return;
    }
    let deployed = |f: &Finding| {
        f.function
            .as_deref()
            .and_then(|id| app.function(id))
            .and_then(|f| f.name.as_ref())
            .and_then(perimeter_model::Node::as_str)
            .map(str::to_owned)
    };
    sort_findings(findings);
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut keep = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        let Some(name) = deployed(&f) else {
            keep.push(f);
            continue;
        };
        // The same finding about another route of the deployed function.
        let id = f.function.clone().unwrap_or_default();
        let key = (name, f.message.replace(&format!("`{id}`"), "`<function>`"));
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        keep.push(f);
    }
    for f in &mut keep {
        let Some(name) = deployed(f) else { continue };
        let others = app
            .functions
            .iter()
            .filter(|g| g.name.as_ref().and_then(perimeter_model::Node::as_str) == Some(&name))
            .count()
            .saturating_sub(1);
        if others > 0 {
            let routes = if others == 1 { "route" } else { "routes" };
            f.message = format!(
                "{} (Chalice deploys it with {others} other {routes} as one function, `{name}`)",
                f.message
            );
        }
    }
    *findings = keep;
}

/// A finding about a resource that a default deployment does not create (its template
/// `Condition` is false with the parameters' defaults) is at most low, and says when the
/// resource exists: the flaw is there only for whoever opts in. A finding is about such a
/// resource when it names it or is located in its declaration.
fn off_by_default(app: &perimeter_model::Application, findings: &mut [Finding]) {
    for f in findings {
        let Some(off) = app.resources.iter().find_map(|r| {
            let off = r.off_by_default.as_ref()?;
            let inside = off.extent.path() == f.path
                && (off.extent.start().line..=off.extent.end().line).contains(&f.line);
            (inside || f.resource.as_deref() == Some(r.id.as_str())).then_some(off)
        }) else {
            continue;
        };
        if f.severity > Severity::Low {
            f.severity = Severity::Low;
        }
        f.message = format!("{} (deployed only when {})", f.message, off.when);
    }
}

/// Runs the rules that read repository files rather than the application model (secrets in
/// code, `.env` files and configuration) over the files the caller read, in parallel.
pub fn run_files(
    files: &[std::sync::Arc<perimeter_diagnostics::SourceFile>],
    selection: &Selection,
) -> Vec<Finding> {
    let meta = rules::secrets::HardcodedSecret.meta();
    if !selection.enabled(meta) {
        return Vec::new();
    }
    let sev = selection.severity_for(meta);
    let mut findings: Vec<Finding> = files
        .par_iter()
        .flat_map_iter(|f| {
            let mut v = rules::secrets::scan_file(f);
            if let Some(sev) = sev {
                for x in &mut v {
                    x.severity = sev;
                }
            }
            v
        })
        .collect();
    sort_findings(&mut findings);
    findings
}

/// Keeps one finding per secret value: a file finding of the generic secrets rule (SEC006)
/// on a line where a descriptor rule (SEC001 environment, SEC002 token, SEC005 custom value,
/// SEC003 parameter default, SEC007 SDK argument) already reports a value is dropped, since the descriptor rule
/// is the more specific one (it knows the function and the variable). This happens when a
/// descriptor includes a file (`environment: ${file(./env.yml)}`) that the file scan reads too.
pub fn drop_repeated_secrets(findings: &mut Vec<Finding>) {
    let specific: std::collections::BTreeSet<(String, u32)> = findings
        .iter()
        .filter(|f| f.rule.starts_with("SEC") && !matches!(f.rule.as_str(), "SEC006" | "SEC004"))
        .map(|f| (f.path.clone(), f.line))
        .collect();
    findings.retain(|f| f.rule != "SEC006" || !specific.contains(&(f.path.clone(), f.line)));
}

/// Runs the secrets rule over a file read as bytes (one that is not UTF-8 text, holds NUL
/// bytes or is larger than the analysed sources), in bounded windows, reading at most `limit`
/// bytes: the findings and whether the file was longer than `limit`.
pub fn run_file_bytes(
    path: &str,
    reader: impl std::io::Read,
    limit: u64,
    selection: &Selection,
) -> std::io::Result<(Vec<Finding>, bool)> {
    let meta = rules::secrets::HardcodedSecret.meta();
    if !selection.enabled(meta) {
        return Ok((Vec::new(), false));
    }
    let sev = selection.severity_for(meta);
    let mut out = Vec::new();
    let context = perimeter_secrets::FileContext::for_path(path);
    let (_, truncated) = perimeter_secrets::scan_reader(path, reader, context, limit, |w| {
        out.extend(rules::secrets::window_findings(w));
    })?;
    if let Some(sev) = sev {
        for x in &mut out {
            x.severity = sev;
        }
    }
    Ok((out, truncated))
}

/// Whether a repository file is read by [`run_files`].
pub fn reads_file(rel: &str) -> bool {
    rules::secrets::is_candidate(rel)
}

/// Sorts findings by [`Finding::sort_key`] and drops exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup();
}

/// A rule as the catalogue lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: perimeter_diagnostics::Kind,
    /// Default severity.
    pub severity: Severity,
    /// Category (kebab-case).
    pub category: String,
    /// Status (`stable`, `preview`, ...).
    pub status: String,
    /// The version of the status.
    pub since: String,
    /// One-line summary.
    pub summary: String,
}

/// The catalogue entry of a rule.
pub fn rule_info(rule: &dyn Rule) -> RuleInfo {
    let m = rule.meta();
    let since = match m.status {
        Status::Preview { since }
        | Status::Stable { since }
        | Status::Deprecated { since }
        | Status::Removed { since } => since,
    };
    RuleInfo {
        code: m.code.to_owned(),
        name: m.name.to_owned(),
        kind: m.kind,
        severity: m.severity,
        category: m.category.as_str().to_owned(),
        status: m.status.as_str().to_owned(),
        since: since.to_owned(),
        summary: m.summary(),
    }
}
