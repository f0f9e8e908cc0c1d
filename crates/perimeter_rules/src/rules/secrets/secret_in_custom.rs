//! SEC005: secrets written in the Serverless `custom:` block.
use perimeter_model::{Framework, Node, Value};

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags literal values under secret-looking keys in the Serverless Framework `custom:`
    /// block (plugin settings, shared variables), such as `custom.datadog.apiKey`.
    ///
    /// ## Why is this bad?
    /// `custom:` values are committed with the service and are often copied into environment
    /// variables or plugin calls at deploy time.
    ///
    /// ## Example
    /// ```yaml
    /// custom:
    ///   datadog:
    ///     apiKey: 0123456789abcdef0123456789abcdef
    /// ```
    /// Use instead: `apiKey: ${ssm:/datadog/api-key}`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S3 Sensitive Data Exposure
    /// - SAS Top 10: SAS-6 Insecure Application Secrets Storage
    /// - CWE-798: Use of Hard-coded Credentials
    pub struct SecretInCustom {
        code: "SEC005",
        name: "secret-in-custom",
        kind: Kind::PlaintextSecret,
        severity: Severity::High,
        category: Category::Secrets,
        status: Status::Stable { since: "0.1.0" },
    }
}

fn walk<'a>(node: &'a Node, path: &str, depth: usize, out: &mut Vec<(String, &'a Node)>) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                let p = format!("{path}.{}", k.name);
                if matches!(v.value, Value::Str(_)) && is_secret_name(&k.name) {
                    out.push((p, v));
                } else {
                    walk(v, &p, depth + 1, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| walk(n, path, depth + 1, out)),
        _ => {}
    }
}

impl Rule for SecretInCustom {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        if cx.app.framework != Framework::Serverless {
            return;
        }
        let Some(custom) = cx.app.document.as_ref().and_then(|d| d.get("custom")) else {
            return;
        };
        let mut found = Vec::new();
        walk(custom, "custom", 0, &mut found);
        for (path, node) in found {
            let Some(value) = super::plaintext_secret_env::literal_secret(node) else {
                continue;
            };
            out.report(&node.loc, format!("`{path}` holds a plaintext secret (`{}`)", redact(value)))
                .help("Reference the secret (`${ssm:...}`, `${aws:...}`) instead of writing it in `serverless.yml`");
        }
    }
}
