//! SEC002: well-known credential formats and high-entropy literals in a descriptor.
use perimeter_model::{Node, Value};

use crate::data::tokens;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags string values anywhere in a descriptor that match a well-known credential format
    /// (AWS access key ids, private keys, GitHub, GitLab, Slack, Stripe, Google, SendGrid,
    /// npm and OpenAI keys, JSON Web Tokens), whatever the key is called, and environment
    /// variable values that look random enough to be a key (long, high entropy, no spaces or
    /// path separators). Values under secret-looking names are left to SEC001.
    ///
    /// ## Why is this bad?
    /// A credential committed to a repository is a leaked credential: it is in every clone,
    /// fork and backup, and in the deployed function's configuration.
    ///
    /// ## Example
    /// ```yaml
    /// environment:
    ///   UPSTREAM: AKIAIOSFODNN7EXAMPLE
    /// ```
    /// Use instead: a reference to Secrets Manager or SSM Parameter Store; revoke the key.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-6 Insecure Application Secrets Storage
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct HardcodedToken {
        code: "SEC002",
        name: "hardcoded-token",
        kind: Kind::HardcodedSecret,
        severity: Severity::High,
        category: Category::Secrets,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// Whether a literal looks like a random key: long, one token, high entropy, mixed classes.
fn looks_random(s: &str) -> bool {
    let s = s.trim();
    if s.len() < 24 || s.len() > 512 || s.contains([' ', '/', ':', '.', '@', '{', '$']) {
        return false;
    }
    let classes = [
        s.bytes().any(|b| b.is_ascii_lowercase()),
        s.bytes().any(|b| b.is_ascii_uppercase()),
        s.bytes().any(|b| b.is_ascii_digit()),
    ];
    classes.iter().filter(|c| **c).count() >= 3 && entropy(s) >= 4.2
}

fn walk<'a>(node: &'a Node, key: &str, depth: usize, out: &mut Vec<(&'a Node, String)>) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.value {
        Value::Str(_) if !is_secret_name(key) => out.push((node, key.to_owned())),
        Value::Seq(items) => items.iter().for_each(|n| walk(n, key, depth + 1, out)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|(k, v)| walk(v, &k.name, depth + 1, out)),
        _ => {}
    }
}

impl Rule for HardcodedToken {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut seen: Vec<&perimeter_diagnostics::Loc> = Vec::new();
        if let Some(doc) = &cx.app.document {
            let mut strings = Vec::new();
            walk(doc, "", 0, &mut strings);
            for (node, key) in strings {
                let Some(s) = node.as_str() else { continue };
                if let Some((name, m)) = tokens::find(s) {
                    seen.push(&node.loc);
                    let at = if key.is_empty() {
                        String::new()
                    } else {
                        format!(" in `{key}`")
                    };
                    out.report(&node.loc, format!("{name} hard-coded{at} (`{}`)", redact(m)))
                        .help("Revoke the credential, then read it at run time from Secrets Manager or SSM Parameter Store");
                }
            }
        }
        for (var, functions) in env_vars(cx.app) {
            let Some(s) = var.value.as_str() else {
                continue;
            };
            if is_secret_name(&var.name) || seen.iter().any(|l| same_loc(l, &var.value.loc)) {
                continue;
            }
            let single = match functions.as_slice() {
                [one] => Some(one.id.as_str()),
                _ => None,
            };
            if let Some((name, m)) = tokens::find(s) {
                out.report(&var.value.loc, format!("{name} hard-coded in `{}` (`{}`)", var.name, redact(m)))
                    .function_opt(single)
                    .help("Revoke the credential, then read it at run time from Secrets Manager or SSM Parameter Store");
            } else if looks_random(s) && !perimeter_secrets::is_non_secret_value(s) {
                out.report(&var.value.loc, format!("environment variable `{}` holds a high-entropy literal (`{}`)", var.name, redact(s)))
                    .severity(Severity::Medium)
                    .function_opt(single)
                    .help("If this is a key, move it to Secrets Manager or SSM Parameter Store; otherwise suppress with a reason");
            }
        }
    }
}
