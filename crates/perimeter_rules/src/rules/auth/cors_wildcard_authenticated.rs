//! AUTH005: CORS allowing every origin on an authenticated API.
use perimeter_model::Auth;

use super::cors;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags CORS settings that allow every origin (`*`) on routes that require an
    /// authorizer (or on an API whose default authorizer is set).
    ///
    /// ## Why is this bad?
    /// An authenticated API serves one front end; allowing every origin lets any website
    /// call it from a user's browser, which helps token theft and CSRF-style attacks
    /// when tokens live in browser storage.
    ///
    /// ## Example
    /// ```yaml
    /// - http: { path: /me, method: get, cors: true, authorizer: aws_iam }
    /// ```
    /// Use instead: `cors: { origin: https://app.example.com }`.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S6 Security Misconfiguration
    /// - SAS Top 10: SAS-3 Insecure Serverless Deployment Configuration
    /// - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    pub struct CorsWildcardAuthenticated {
        code: "AUTH005",
        name: "cors-wildcard-authenticated",
        kind: Kind::InsecureCors,
        severity: Severity::Low,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

impl Rule for CorsWildcardAuthenticated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            for ev in &f.events {
                let Some(route) = &ev.route else { continue };
                let Some(node) = &route.cors else { continue };
                let api = super::unauthenticated_route::api_of(cx.app, ev.kind, route);
                let authed = !matches!(route.auth, Auth::None)
                    || api
                        .and_then(|a| a.default_auth.as_ref())
                        .is_some_and(|a| !matches!(a, Auth::None));
                let c = cors::read(node);
                if let (Some(w), false, true) = (c.wildcard, c.credentials, authed) {
                    out.report(
                        &w.loc,
                        format!(
                            "CORS allows every origin on authenticated route `{} {}`",
                            route.method, route.path
                        ),
                    )
                    .function(&f.id)
                    .help("List the front-end origins that may call this API");
                }
            }
        }
        for api in &cx.app.apis {
            let Some(node) = &api.cors else { continue };
            // Authenticated by default, or (plain CloudFormation, where an HTTP API has no
            // default authorizer) through one of its routes: the API's CORS covers them all.
            let default_auth = api
                .default_auth
                .as_ref()
                .is_some_and(|a| !matches!(a, Auth::None));
            let route_auth = cx.app.functions.iter().flat_map(|f| &f.events).any(|ev| {
                ev.route.as_ref().is_some_and(|r| {
                    r.api.as_deref() == Some(api.id.as_str()) && !matches!(r.auth, Auth::None)
                })
            });
            if !default_auth && !route_auth {
                continue;
            }
            let c = cors::read(node);
            if let (Some(w), false) = (c.wildcard, c.credentials) {
                out.report(
                    &w.loc,
                    format!("CORS allows every origin on authenticated API `{}`", api.id),
                )
                .resource(&api.id)
                .help("List the front-end origins that may call this API");
            }
        }
    }
}
