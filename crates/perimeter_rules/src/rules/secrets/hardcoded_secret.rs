//! SEC006: credentials written in the repository's files: handlers, helpers, `.env` files,
//! configuration and notebooks.
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

    /// This rule reads files, not the application model: see [`scan_file`].
    fn check(&self, _cx: &AppContext<'_>, _out: &mut Findings) {}
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
