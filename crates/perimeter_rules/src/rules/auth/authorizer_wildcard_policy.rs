//! AUTH010: a Lambda authorizer whose returned policy allows every route of the API.
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a Lambda authorizer (a function whose code returns a `principalId` and a
    /// `policyDocument`) whose policy allows `Resource: "*"`, an `execute-api` ARN with a
    /// wildcard in place of the API, or the method ARN cut to its stage and followed by
    /// `/*`.
    ///
    /// ## Why is this bad?
    /// API Gateway caches an authorizer's policy per token (5 minutes by default) and applies
    /// it to every route the caller calls next. A policy that allows `*` for a caller who
    /// was checked for one route lets them call every route of the API, including those
    /// meant for other roles, without being checked again.
    ///
    /// ## Example
    /// ```js
    /// return { principalId: user.id, policyDocument: { Version: '2012-10-17',
    ///   Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }] } };
    /// ```
    /// Use instead: `Resource: event.methodArn` (the route being called), or list the ARNs
    /// of the routes the caller's role may call.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2 Broken Authentication, S5 Broken Access Control
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-285: Improper Authorization
    pub struct AuthorizerWildcardPolicy {
        code: "AUTH010",
        name: "authorizer-wildcard-policy",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// Where in an authorizer's source the policy allows more than the route called: byte
/// offsets of `Resource: '*'`, a wildcard `execute-api` ARN, or a `'/*'` suffix on an ARN
/// cut from the method ARN.
pub(crate) fn wildcard_resources(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("Resource") {
        let rest = &text[i + "Resource".len()..];
        let value = rest.trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | ':' | '=' | '[' | ']')
        });
        let skipped = rest.len() - value.len();
        // The value was opened by a quote, and is a lone `*`.
        if value.starts_with('*')
            && rest[..skipped].contains(['"', '\''])
            && value[1..].starts_with(['"', '\''])
        {
            out.push(i);
        }
    }
    for (i, _) in text.match_indices("execute-api:*") {
        out.push(i);
    }
    let cut_arn = text.contains("methodArn") || text.contains("routeArn");
    if cut_arn {
        for pat in ["'/*'", "\"/*\"", "`/*`", "/*/*'", "/*/*\""] {
            out.extend(text.match_indices(pat).map(|(i, _)| i));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether a source file builds an authorizer's response.
fn is_authorizer(text: &str) -> bool {
    text.contains("principalId")
        && (text.contains("policyDocument") || text.contains("PolicyDocument"))
}

impl Rule for AuthorizerWildcardPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let mut seen = std::collections::BTreeSet::new();
        for (f, s) in cx.analysed() {
            let Some(handler) = &s.handler else { continue };
            let file = &handler.file;
            let text = file.text();
            if !is_authorizer(text) || !text.contains("Allow") {
                continue;
            }
            for at in wildcard_resources(text) {
                if !seen.insert((file.path().to_owned(), at)) {
                    continue;
                }
                let span = perimeter_diagnostics::Span::new(at as u32, (at + 1) as u32);
                let loc = perimeter_diagnostics::Loc::new(file, span);
                out.report(&loc, format!("authorizer `{}` returns a policy that allows every route of the API", f.id))
                    .function(&f.id)
                    .help("Allow `event.methodArn` (the route called), or the ARNs of the routes the caller's role may call: API Gateway reuses a cached policy for every route");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard_resources;

    #[test]
    fn wildcards_in_returned_policies() {
        assert_eq!(
            wildcard_resources("{ Effect: 'Allow', Resource: '*' }").len(),
            1
        );
        assert_eq!(wildcard_resources("{\"Resource\": \"*\"}").len(), 1);
        assert_eq!(wildcard_resources("policy['Resource'] = '*'").len(), 1);
        assert_eq!(
            wildcard_resources(
                "const r = event.methodArn.split('/').slice(0, 2).join('/') + '/*';"
            )
            .len(),
            1
        );
        assert!(wildcard_resources("{ Effect: 'Allow', Resource: event.methodArn }").is_empty());
        assert!(wildcard_resources("Resource: '*.example'").is_empty());
        assert!(wildcard_resources("/* Resource */ const x = 1;").is_empty());
    }
}
