//! Authentication rules: who may call a function, from where.

mod app_service;
mod authorizer_wildcard_policy;
mod cors;
mod cors_wildcard_authenticated;
mod cors_wildcard_credentials;
mod denial_falls_through;
mod effects;
mod fail_open_authorizer;
mod machine;
mod open_lambda_permission;
mod permission_without_source;
mod public_function_url;
mod purpose;
mod service_integration;
mod unauthenticated_route;
mod unverified_token;
mod writable_privilege_attribute;

pub use authorizer_wildcard_policy::AuthorizerWildcardPolicy;
pub use cors_wildcard_authenticated::CorsWildcardAuthenticated;
pub use cors_wildcard_credentials::CorsWildcardCredentials;
pub use denial_falls_through::DenialFallsThrough;
pub use fail_open_authorizer::FailOpenAuthorizer;
pub use open_lambda_permission::OpenLambdaPermission;
pub use public_function_url::PublicFunctionUrl;
pub use unauthenticated_route::UnauthenticatedRoute;

use perimeter_model::{Application, Node};

/// Every CORS block of an application: routes, APIs and function URLs, each with its owner
/// (function or API id) and the function when there is one.
fn cors_blocks(app: &Application) -> Vec<(&Node, String, Option<&str>)> {
    let mut out = Vec::new();
    for f in &app.functions {
        for ev in &f.events {
            if let Some(c) = ev.route.as_ref().and_then(|r| r.cors.as_ref()) {
                out.push((c, f.id.clone(), Some(f.id.as_str())));
            }
        }
        if let Some(c) = f.url.as_ref().and_then(|u| u.cors.as_ref()) {
            out.push((c, f.id.clone(), Some(f.id.as_str())));
        }
    }
    for api in &app.apis {
        if let Some(c) = &api.cors {
            out.push((c, api.id.clone(), None));
        }
    }
    out
}
pub use permission_without_source::PermissionWithoutSource;
pub use unverified_token::UnverifiedToken;
pub use writable_privilege_attribute::WritablePrivilegeAttribute;
