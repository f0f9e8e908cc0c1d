//! AUTH007: a Cognito user pool attribute that grants privileges and that users can write.
use perimeter_model::Node;

use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags custom attributes of an `AWS::Cognito::UserPool` whose name says they carry
    /// privileges (`admin`, `role`, `group`, `tenant`, `permission`, `scope`, `tier`, `plan`)
    /// and that are mutable (the default), when a client of the pool does not restrict
    /// `WriteAttributes`, so every signed-in user may set them.
    ///
    /// ## Why is this bad?
    /// A user calls `UpdateUserAttributes` with their own access token and sets
    /// `custom:is_admin` to `true`; every function that trusts the claim then treats them as
    /// an administrator.
    ///
    /// ## Example
    /// ```yaml
    /// Schema:
    ///   - { Name: is_admin, AttributeDataType: String, Mutable: true }
    /// ```
    /// Use instead: keep privileges in groups, or list `WriteAttributes` on every client
    /// without the attribute (and set `Mutable: false` where it never changes).
    ///
    /// ## References
    /// - OWASP Serverless Top 10: S2 Broken Authentication
    /// - SAS Top 10: SAS-2 Broken Authentication
    /// - CWE-269: Improper Privilege Management
    pub struct WritablePrivilegeAttribute {
        code: "AUTH007",
        name: "writable-privilege-attribute",
        kind: Kind::UnauthenticatedEndpoint,
        severity: Severity::High,
        category: Category::Auth,
        status: Status::Stable { since: "0.1.0" },
    }
}

const PRIVILEGE_WORDS: &[&str] = &[
    "admin",
    "role",
    "group",
    "tenant",
    "permission",
    "scope",
    "tier",
    "plan",
    "privilege",
    "superuser",
];

impl Rule for WritablePrivilegeAttribute {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &AppContext<'_>, out: &mut Findings) {
        let clients: Vec<_> = resources_of(cx.app, &["AWS::Cognito::UserPoolClient"]).collect();
        for pool in resources_of(cx.app, &["AWS::Cognito::UserPool"]) {
            for attr in pool.prop("Schema").map(Node::items).unwrap_or_default() {
                let Some(name) = attr.get("Name").and_then(Node::as_str) else {
                    continue;
                };
                let lower = name.to_ascii_lowercase();
                if !PRIVILEGE_WORDS.iter().any(|w| lower.contains(w)) {
                    continue;
                }
                if attr.get("Mutable").and_then(Node::as_bool) == Some(false) {
                    continue;
                }
                let custom = format!("custom:{name}");
                // A client of this pool that lets users write every attribute, or this one.
                let open = clients.iter().any(|c| {
                    let of_pool = c
                        .prop("UserPoolId")
                        .is_some_and(|p| p.referenced_ids().contains(&pool.id));
                    let writes = c.prop("WriteAttributes").map(Node::items);
                    of_pool
                        && writes
                            .is_none_or(|w| w.iter().any(|a| a.as_str() == Some(custom.as_str())))
                });
                if !open {
                    continue;
                }
                let at = attr.get("Name").unwrap_or(attr);
                out.report(&at.loc, format!("users of pool `{}` can set `{custom}` themselves", pool.id))
                    .resource(&pool.id)
                    .help("Keep privileges in Cognito groups, or restrict `WriteAttributes` on every client and set `Mutable: false`");
            }
        }
    }
}
