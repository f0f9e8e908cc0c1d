//! SEC006: credentials written in the repository's files: handlers, helpers, `.env` files,
//! configuration and notebooks.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use perimeter_diagnostics::{Finding, Loc, SourceFile};
use perimeter_secrets::{Confidence, FileContext};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Finds credentials in the files of the repository: AWS keys, GitHub, GitLab, Slack,
    /// Stripe, Twilio, SendGrid, Mailgun and Google keys, private keys, JWTs, npm and PyPI
    /// tokens, database URIs with passwords, HTTP Basic credentials built in code, and
    /// high-entropy values assigned to secret-looking names. Each detector validates what
    /// it matches (checksums, decoding); placeholders, documented example keys and values
    /// read from the environment are not findings. The secret is never printed whole.
    ///
    /// ## Why is this bad?
    /// Whoever reads the repository, or the deployment package, holds the credential; it
    /// cannot be rotated without a deployment and it stays in the history.
    ///
    /// ## Example
    /// ```js
    /// const stripe = require('stripe')('sk_live_...');
    /// ```
    /// Use instead: read it at run time from Secrets Manager or an SSM SecureString.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct HardcodedSecret {
        code: "SEC006",
        name: "hardcoded-secret",
        kind: Kind::HardcodedSecret,
        severity: Severity::High,
        category: Category::Secrets,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for HardcodedSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    /// Most of this rule reads files, not the application model (see [`scan_file`]); here it
    /// judges the strings the code analysis folded from constants only
    /// (`'Basic ' + btoa(user + ':' + pw)`, `f"Bearer {TOKEN}"` with `TOKEN` a constant),
    /// reported at the expression once per value, unless the file scan reports a literal
    /// inside it already. Tests, fixtures, recorded events and vendored data are out of
    /// scope.
    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
        // Per file, what the file scan reports: where, and the secret's text.
        let mut literal: BTreeMap<&str, Vec<(perimeter_diagnostics::Span, String)>> =
            BTreeMap::new();
        for (f, summary) in cx.analysed() {
            for folded in &summary.folded {
                let path = folded.loc.path();
                if perimeter_secrets::is_test_path(path)
                    || perimeter_secrets::is_recorded_data_path(path)
                    || perimeter_secrets::is_vendored_sdk_path(path)
                {
                    continue;
                }
                let Some(m) = perimeter_secrets::scan_folded(&folded.value, folded.name.as_deref())
                else {
                    continue;
                };
                // One finding per secret (a partial sum `a + b` of `a + b + env` holds the
                // secret of `a` again).
                let Some(secret) = folded.value.get(m.range.clone()) else {
                    continue;
                };
                if !seen.insert((path, secret)) {
                    continue;
                }
                let file = &folded.loc.file;
                let reported = literal.entry(path).or_insert_with(|| {
                    perimeter_secrets::scan(file, FileContext::for_path(path))
                        .into_iter()
                        .map(|m| (m.span, file.slice(m.span).to_owned()))
                        .collect()
                });
                // The file scan reports a literal inside the expression, or the same secret
                // where it is written.
                let at = folded.loc.span;
                if reported.iter().any(|(s, text)| {
                    (s.start < at.end && at.start < s.end)
                        || text.contains(secret)
                        || secret.contains(text.as_str())
                }) {
                    continue;
                }
                let severity = match m.confidence {
                    Confidence::High => Severity::High,
                    Confidence::Medium => Severity::Medium,
                    Confidence::Low => Severity::Low,
                };
                let message = match &folded.name {
                    Some(name) => format!(
                        "{} built from constants in `{name}` (`{}`)",
                        m.description, m.redacted
                    ),
                    None => format!("{} built from constants (`{}`)", m.description, m.redacted),
                };
                out.report(&folded.loc, message)
                    .severity(severity)
                    .function(&f.id)
                    .help("Remove it, rotate it, and read it at run time from Secrets Manager or an SSM SecureString");
            }
        }
    }
}

/// Whether a file is one this rule reads.
pub fn is_candidate(rel: &str) -> bool {
    perimeter_secrets::is_candidate_file(rel)
}

/// The findings of one file.
pub fn scan_file(file: &Arc<SourceFile>) -> Vec<Finding> {
    let found = perimeter_secrets::scan(file, FileContext::for_path(file.path()));
    findings_of(file, found)
}

/// The findings of one window of a file read as bytes (see [`perimeter_secrets::scan_reader`]),
/// with the file's line numbers.
pub fn window_findings(w: perimeter_secrets::Window) -> Vec<Finding> {
    let mut out = findings_of(&w.file, w.matches);
    for (f, &(line, end_line)) in out.iter_mut().zip(&w.lines) {
        f.line = line;
        f.end_line = end_line;
    }
    out
}

fn findings_of(file: &Arc<SourceFile>, found: Vec<perimeter_secrets::SecretMatch>) -> Vec<Finding> {
    let meta = HardcodedSecret.meta();
    found
        .into_iter()
        .map(|m| {
            let severity = match m.confidence {
                Confidence::High => Severity::High,
                Confidence::Medium => Severity::Medium,
                Confidence::Low => Severity::Low,
            };
            let message = match &m.key {
                Some(key) => format!("{} in `{key}` (`{}`)", m.description, m.redacted),
                None => format!("{} `{}` in the repository", m.description, m.redacted),
            };
            Finding::new(meta.code, meta.name, meta.kind, severity, &Loc::new(file, m.span), message)
                .help("Remove it, rotate it, and read it at run time from Secrets Manager or an SSM SecureString")
        })
        .collect()
}
