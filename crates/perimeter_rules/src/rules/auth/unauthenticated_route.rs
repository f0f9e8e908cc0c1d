//! AUTH001: HTTP routes (and WebSocket `$connect`) with no authorizer.
use perimeter_model::{Api, Application, Auth, EventKind, Route};

use super::effects::{self, Reach};
use super::{app_service, purpose, service_integration};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags API Gateway routes (REST `http`/`Api`, HTTP API `httpApi`/`HttpApi`) and
    /// WebSocket `$connect` routes that trigger a function with no authorizer, neither on
    /// the route nor as the API's default. `OPTIONS` routes (CORS preflight) are skipped. An
    /// API key (`private: true`, `ApiKeyRequired`) is not user authentication: such routes
    /// are still flagged.
    ///
    /// The severity follows what the route's function reaches. It stays high when the code
    /// calls a data store or another service, reads a secret it sends somewhere, or passes
    /// data the caller chooses to a dangerous sink (and when that is not known). It is low
    /// when the code was analysed whole and touches nothing beyond its own response (a hello,
    /// a health check that only tells whether a setting is present, a calculator, a proxy to a
    /// public API without credentials, a headless browser that reports its version, a
    /// GraphQL playground page served by its package). A field API Gateway sets is not the
    /// caller's: the `Host` header names the API's own domain. When the handler calls code
    /// the analysis cannot follow (a service taken from a dependency container on its
    /// context), the route stays high, but a package the modules only import is not named as
    /// what it uses.
    ///
    /// When the code was not analysed (another language, a handler not found, files that
    /// could not be read), the route is judged by what the deployment grants the function:
    /// its role's statements and managed policies (SAM policy templates and CDK-generated
    /// policies included), a mounted file system, a database of the template named in its
    /// environment or sharing its VPC, a secret or connection string it is given, and the
    /// role a duplicate descriptor of the same handler gives it. The route stays high when
    /// any of these reaches data or when the role is defined elsewhere; it is medium when the
    /// function can only write logs, and the message says why the code was not analysed. A
    /// role several functions share (a Serverless service's role) whose data statements all
    /// name their resources grants a function nothing when it is given none of those names
    /// nor any other resource setting.
    ///
    /// A REST method that integrates directly with an AWS service (`Type: AWS`, a URI such as
    /// `arn:aws:apigateway:<region>:dynamodb:action/PutItem` or `sqs:path/...`) has no
    /// function, but the caller reaches the service itself: it is reported at high, naming
    /// the service and the action.
    ///
    /// An Azure function (`authLevel: anonymous` included) is not reported when the function
    /// app that hosts it requires a login through App Service Authentication (Terraform
    /// `auth_settings` with `RedirectToLoginPage`, or `auth_settings_v2` requiring
    /// authentication). The host is the function app whose package (`zip_deploy_file`, or the
    /// blob `WEBSITE_RUN_FROM_PACKAGE` names) is built from the function's folder; with no
    /// such link, every function app of the project's Terraform must require the login.
    ///
    /// A route whose code checks the caller itself, answering 401 or 403 and leaving before
    /// it calls any service (a webhook signature, a token verified in the handler), is
    /// reported at low, saying that authentication is done in code. A check in one route of
    /// a framework behind a catch-all route does not count for the others.
    ///
    /// A route that is the authentication itself is public by purpose and reported at low,
    /// saying what it is, when its code does nothing beyond it: a login that checks a
    /// password (`bcrypt.compare`, `check_password_hash`, a PBKDF2 hash compared in constant
    /// time) and issues a token, Cognito's sign-in and sign-up operations, a sign-up that
    /// hashes a password and stores an account with no privilege the caller sets, an OAuth
    /// sign-in or callback, a token refresh that looks up the refresh token presented. A
    /// webhook compared with an HMAC of the request, or verified by the provider's library
    /// (`stripe.webhooks.constructEvent`, Slack Bolt with a signing secret), before it writes
    /// anything is authenticated in code.
    ///
    /// A payment gateway's notification or return, named so by its route or function (`ipn`,
    /// or a callback word such as `notify`, `callback`, `return` with a payment word such as
    /// `payment`, `checkout` or a gateway's name), is public by purpose when its code proves
    /// the gateway sent it: it posts the caller's data back to a destination the code chose
    /// and compares the answer with a constant, or it decrypts the caller's data with a key
    /// the caller does not send (`AES.new(key, ...).decrypt`, `Fernet(key).decrypt`,
    /// `crypto.createDecipheriv(...).update`). It is low when nothing was written before the
    /// verification, medium otherwise; with no such verification the route stays as it is.
    /// A webhook or payment notification (by its name) whose code was not analysed is medium:
    /// it must be public, and whether it verifies its sender is not seen.
    ///
    /// A Serverless descriptor that only serves local development (`serverless-offline` or
    /// a local DynamoDB plugin, with the stage `local`, `offline` or `localhost`, or a file
    /// such as `serverless.offline.yml`) is reported as such, at low.
    ///
    /// ## Why is this bad?
    /// Anyone on the internet can call the function, with any input, as often as they like.
    ///
    /// ## Example
    /// ```yaml
    /// events:
    ///   - http: { path: /orders, method: post }
    /// ```
    /// Use instead: `authorizer: { type: COGNITO_USER_POOLS, ... }` or a JWT authorizer; if the
    /// route must be public, suppress the finding with a reason.
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2 Broken Authentication
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-306: Missing Authentication for Critical Function
    pub struct UnauthenticatedRoute {
        code: "AUTH001",
        name: "unauthenticated-route",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

/// The API a route belongs to: the one it names, else the implicit API of its protocol.
/// For a route without an authorizer of its own: `None` when its API's default
/// authorizer covers it, else what to add to the message (an API key is not a user).
pub(crate) fn open_route(
    app: &Application,
    kind: EventKind,
    route: &Route,
) -> Option<&'static str> {
    let api = api_of(app, kind, route);
    if api
        .and_then(|a| a.default_auth.as_ref())
        .is_some_and(Auth::is_authenticated)
    {
        return None;
    }
    Some(
        if route.api_key_required || api.is_some_and(|a| a.api_key_required) {
            "; an API key identifies a client, not a user"
        } else {
            ""
        },
    )
}

pub(crate) fn api_of<'a>(app: &'a Application, kind: EventKind, route: &Route) -> Option<&'a Api> {
    if let Some(id) = &route.api {
        return app.apis.iter().find(|a| &a.id == id);
    }
    let protocol = match kind {
        EventKind::Http => "rest",
        EventKind::HttpApi => "http",
        EventKind::WebSocket => "websocket",
        _ => return None,
    };
    app.apis
        .iter()
        .find(|a| a.protocol == protocol && a.id.starts_with('<'))
}

impl Rule for UnauthenticatedRoute {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        for f in &cx.app.functions {
            for ev in &f.events {
                if !matches!(
                    ev.kind,
                    EventKind::Http | EventKind::HttpApi | EventKind::WebSocket
                ) {
                    continue;
                }
                let Some(route) = &ev.route else { continue };
                if route.method.eq_ignore_ascii_case("OPTIONS") {
                    continue;
                }
                if ev.kind == EventKind::WebSocket
                    && route.method != "$connect"
                    && route.path != "$connect"
                {
                    continue;
                }
                if route.auth.is_authenticated() {
                    continue;
                }
                // An Azure function app whose App Service Authentication requires a login.
                if app_service::platform_login(cx, cx.app).is_some() {
                    continue;
                }
                let Some(key) = open_route(cx.app, ev.kind, route) else {
                    continue;
                };
                let what = if ev.kind == EventKind::WebSocket {
                    "WebSocket `$connect` route".to_owned()
                } else {
                    format!("route `{} {}`", route.method, route.path)
                };
                let catch_all = route.path.contains('+')
                    || route.path.contains("{*")
                    || route.path == "/"
                    || route.path == "$default";
                let reach = effects::reach(cx, f, cx.summary(&f.id), catch_all);
                if let Some(local) = effects::local_only(cx.app) {
                    out.report(
                        &ev.loc,
                        format!("{what} has no authorizer; the descriptor serves local development only ({local})"),
                    )
                    .severity(Severity::Low)
                    .function(&f.id)
                    .help("Add an authorizer before this descriptor is deployed to a real stage");
                    continue;
                }
                // The authentication itself, or a webhook its framework verifies.
                if matches!(reach, Reach::Effects(_))
                    && let Some(p) = cx
                        .summary(&f.id)
                        .and_then(purpose::of)
                        .filter(|p| p.every_route || !catch_all)
                {
                    out.report(&ev.loc, format!("{what} has no authorizer: {}", p.what))
                        .severity(Severity::Low)
                        .function(&f.id)
                        .help("It is public by purpose: limit how often it can be called (a usage plan or a WAF rate rule), and suppress this with a reason");
                    continue;
                }
                let named = purpose::named(&route.path, &f.id);
                // A payment gateway's notification the code verifies (a post-back, a payload
                // decrypted with the merchant's key): low, or medium when the code writes
                // before the verification.
                if matches!(reach, Reach::Effects(_))
                    && !catch_all
                    && named == Some(purpose::Named::Payment)
                    && let Some(v) = cx.summary(&f.id).and_then(purpose::payment)
                {
                    let (severity, tail) = if v.after_effect {
                        (
                            Severity::Medium,
                            "; but it writes or sends something before that check, for any caller",
                        )
                    } else {
                        (Severity::Low, "")
                    };
                    out.report(&ev.loc, format!("{what} has no authorizer: {}{tail}", v.what))
                        .severity(severity)
                        .function(&f.id)
                        .help("It is public by purpose: keep every effect after the verification, limit how often it can be called, and suppress this with a reason");
                    continue;
                }
                // A webhook or payment notification whose code was not analysed: public by
                // purpose, its verification not seen.
                if let (Some(n), Reach::Deployed { .. }) = (named, &reach)
                    && reach.severity() == Severity::High
                {
                    let kind = match n {
                        purpose::Named::Payment => "a payment notification",
                        purpose::Named::Webhook => "a webhook",
                    };
                    let why = reach.clause().map(|c| format!("; {c}")).unwrap_or_default();
                    out.report(
                        &ev.loc,
                        format!("{what} has no authorizer{why}; by its name it is {kind}, public by purpose, whose verification of the sender is not seen"),
                    )
                    .severity(Severity::Medium)
                    .function(&f.id)
                    .help("Check that the code verifies each request's signature (or posts it back to the provider) before any effect; then suppress this with a reason");
                    continue;
                }
                let why = reach.clause().map(|c| format!("; {c}")).unwrap_or_default();
                out.report(&ev.loc, format!("{what} has no authorizer{why}"))
                    .severity(reach.severity())
                    .function(&f.id)
                    .help(format!("Add an authorizer (Cognito, JWT, Lambda or IAM){key}; if the route is public on purpose, suppress this with a reason"));
            }
        }
        service_integration::report(cx, out);
    }
}
