//! AUTH001 for API methods that call an AWS service directly (API Gateway `Type: AWS`
//! integrations): no function stands between an unauthenticated caller and the service.

use perimeter_model::EventKind;

use super::unauthenticated_route::open_route;
use crate::prelude::*;

/// Reports each unauthenticated method of the application that integrates directly with an
/// AWS service, naming the service and action: high, as the caller reaches the service
/// itself (a write, a publish, a start, or a read of a store) with the integration's role.
pub(crate) fn report(cx: &AppContext<'_>, out: &mut Findings) {
    for sr in &cx.app.service_routes {
        let route = &sr.route;
        if route.method.eq_ignore_ascii_case("OPTIONS") || route.auth.is_authenticated() {
            continue;
        }
        let Some(key) = open_route(cx.app, EventKind::Http, route) else {
            continue;
        };
        let call = match &sr.action {
            Some(a) => format!("`{}:{a}`", sr.service),
            None => format!("`{}`", sr.service),
        };
        out.report(
            &sr.loc,
            format!(
                "route `{} {}` has no authorizer; it calls {call} directly (AWS service integration, no function in between)",
                route.method, route.path
            ),
        )
        .severity(Severity::High)
        .help(format!("Add an authorizer (Cognito, Lambda or IAM){key}; if the route is public on purpose, suppress this with a reason"));
    }
}
