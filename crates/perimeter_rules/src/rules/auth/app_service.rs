//! Azure App Service Authentication: a function app whose platform login is required
//! authenticates every HTTP route of its functions, `authLevel: anonymous` included.

use perimeter_model::{Application, Framework, Node, Resource};

use crate::AppContext;

/// The Terraform types of an Azure function app.
const FUNCTION_APPS: &[&str] = &[
    "azurerm_function_app",
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
];

/// Whether a function app requires a login before any request reaches its functions:
/// `auth_settings { enabled = true, unauthenticated_client_action = "RedirectToLoginPage" }`,
/// or `auth_settings_v2 { auth_enabled = true, require_authentication = true }` whose
/// unauthenticated action is not `AllowAnonymous`. Only what is written counts: a value that
/// is not known, or left to its default, does not.
fn requires_login(app: &Resource) -> bool {
    let yes = |n: Option<&Node>| n.and_then(Node::as_bool) == Some(true);
    if let Some(v1) = app.prop("AuthSettings")
        && yes(v1.get("Enabled"))
        && v1
            .get("UnauthenticatedClientAction")
            .and_then(Node::as_str)
            .is_some_and(|a| a.eq_ignore_ascii_case("RedirectToLoginPage"))
    {
        return true;
    }
    app.prop("AuthSettingsV2").is_some_and(|v2| {
        yes(v2.get("AuthEnabled"))
            && yes(v2.get("RequireAuthentication"))
            && v2
                .get("UnauthenticatedAction")
                .and_then(Node::as_str)
                .is_none_or(|a| !a.eq_ignore_ascii_case("AllowAnonymous"))
    })
}

/// Whether `path` lies in folder `dir` (both relative to the scan root).
fn inside(path: &str, dir: &str) -> bool {
    !dir.is_empty() && path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// The folder above `dir` (`""` for a top-level folder).
fn parent(dir: &str) -> &str {
    dir.rsplit_once('/').map_or("", |(p, _)| p)
}

/// When the Azure function app folder `app` is hosted only by function apps that require a
/// login, how that is known (for the finding's absence to be explained in tests and logs):
/// - the function apps whose package (`zip_deploy_file`, or the blob that
///   `WEBSITE_RUN_FROM_PACKAGE` names) is built from inside the folder host it, and every one
///   of them must require the login;
/// - when no package is linked to the folder, every function app of the Terraform
///   configurations of the same project (a configuration whose folder's parent holds the
///   function app folder) must require it, and there must be at least one.
///
/// Anything else (no Terraform, a package of another folder, one app without the login) is
/// not taken as authenticated.
pub(crate) fn platform_login(cx: &AppContext<'_>, app: &Application) -> Option<String> {
    if app.framework != Framework::Azure {
        return None;
    }
    let hosts: Vec<(&Application, &Resource)> = cx
        .apps
        .iter()
        .filter(|a| a.framework == Framework::Terraform)
        .flat_map(|a| {
            a.resources
                .iter()
                .filter(|r| FUNCTION_APPS.contains(&r.type_name.as_str()))
                .map(move |r| (a, r))
        })
        .collect();
    let linked: Vec<&(&Application, &Resource)> = hosts
        .iter()
        .filter(|(_, r)| {
            r.prop("Package")
                .and_then(Node::as_str)
                .is_some_and(|p| inside(p, &app.root))
        })
        .collect();
    if !linked.is_empty() {
        return linked.iter().all(|(_, r)| requires_login(r)).then(|| {
            let (_, r) = linked[0];
            format!(
                "`{}` ({}:{}) runs the package built from `{}` and requires a login",
                r.id,
                r.loc.path(),
                r.loc.start().line,
                app.root
            )
        });
    }
    let project: Vec<&(&Application, &Resource)> = hosts
        .iter()
        .filter(|(tf, _)| {
            let up = parent(&tf.root);
            up.is_empty() || inside(&app.root, up)
        })
        .collect();
    (!project.is_empty() && project.iter().all(|(_, r)| requires_login(r))).then(|| {
        format!(
            "every function app of `{}` requires a login",
            project[0].0.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders() {
        assert!(inside("a/svc/build/f.zip", "a/svc"));
        assert!(!inside("a/svc-2/f.zip", "a/svc"));
        assert!(!inside("f.zip", ""));
        assert_eq!(parent("a/deployment"), "a");
        assert_eq!(parent("deployment"), "");
    }
}
