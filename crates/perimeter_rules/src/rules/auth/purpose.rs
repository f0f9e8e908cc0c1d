//! Routes that are public by purpose: the authentication itself (a login that verifies a
//! password and issues a token, a sign-up that creates the caller's own account, an OAuth
//! sign-in or callback, a token refresh) and webhooks whose framework verifies every
//! request's sender, and payment gateways' notifications the code verifies. Judged by what
//! the code does, never by the route's name alone: a payment notification's name only says
//! which verification to look for.

use perimeter_code::{CredentialKind, FunctionSummary, SdkCall};
use perimeter_diagnostics::Kind;

/// What a public-by-purpose route is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Purpose {
    /// What the route is, as the message says it.
    pub what: String,
    /// Whether it holds for every route the function serves (a framework that verifies
    /// each request), not only for the one handler analysed.
    pub every_route: bool,
}

impl Purpose {
    fn of_handler(what: String) -> Self {
        Purpose {
            what,
            every_route: false,
        }
    }
}

/// Words of a field name that grants privileges: a sign-up that lets the caller set one
/// is not a plain sign-up.
const PRIVILEGE_WORDS: &[&str] = &[
    "admin",
    "role",
    "group",
    "level",
    "permission",
    "scope",
    "tier",
    "plan",
    "privilege",
    "superuser",
    "staff",
    "tenant",
];

/// Cognito operations a sign-in or sign-up route makes for its own caller.
const COGNITO_SIGN_IN: &[&str] = &[
    "InitiateAuth",
    "AdminInitiateAuth",
    "RespondToAuthChallenge",
];
const COGNITO_SIGN_UP: &[&str] = &["SignUp", "ConfirmSignUp", "ResendConfirmationCode"];

/// What the route is for, when its code is an authentication endpoint or a verified webhook
/// and does nothing beyond it; `None` otherwise (the finding stays as it is).
pub(crate) fn of(s: &FunctionSummary) -> Option<Purpose> {
    if s.handler.is_none() || !s.errors.is_empty() {
        return None;
    }
    let has = |k: CredentialKind| s.credentials.iter().any(|c| c.kind == k);
    let first = |k: CredentialKind| {
        s.credentials
            .iter()
            .find(|c| c.kind == k)
            .map(|c| c.name.clone())
    };
    // A framework that verifies every request (Slack Bolt with a signing secret).
    if let Some(v) = s
        .credentials
        .iter()
        .find(|c| c.kind == CredentialKind::SenderVerify && c.name.starts_with("@slack/bolt."))
    {
        return Some(Purpose {
            what: format!(
                "a webhook: `{}` verifies each request's signature before any listener runs",
                v.name
            ),
            every_route: true,
        });
    }
    if !only_auth_effects(s) {
        return None;
    }
    let cognito = |ops: &[&str]| {
        s.sdk_calls
            .iter()
            .find(|c| c.service == "cognito-idp" && ops.contains(&c.operation.as_str()))
            .map(|c| c.operation.clone())
    };
    let token = has(CredentialKind::TokenIssue);
    let password_checked = has(CredentialKind::PasswordCheck)
        || (has(CredentialKind::PasswordDerive) && has(CredentialKind::SafeCompare));
    if token && password_checked {
        return Some(Purpose::of_handler(
            "a login route: it verifies a password and issues a token; make sure it is rate-limited"
                .to_owned(),
        ));
    }
    if let Some(op) = cognito(COGNITO_SIGN_IN) {
        return Some(Purpose::of_handler(format!(
            "a sign-in route: Cognito (`{op}`) checks the credentials and issues the tokens; make sure it is rate-limited"
        )));
    }
    if let Some(op) = cognito(COGNITO_SIGN_UP) {
        return Some(Purpose::of_handler(format!(
            "a sign-up route: Cognito (`{op}`) creates or confirms the caller's own account; make sure it is rate-limited"
        )));
    }
    if has(CredentialKind::PasswordHash)
        && s.sdk_calls
            .iter()
            .any(|c| c.service == "dynamodb" && writes(c))
    {
        return Some(Purpose::of_handler(
            "a sign-up route: it hashes the caller's password and stores a new account with no privilege the caller chooses; make sure it is rate-limited".to_owned(),
        ));
    }
    if let Some(name) = first(CredentialKind::OAuth) {
        return Some(Purpose::of_handler(format!(
            "an OAuth sign-in route: `{name}` hands the sign-in to the provider or exchanges its code"
        )));
    }
    if let Some(url) = code_exchange(s) {
        return Some(Purpose::of_handler(format!(
            "an OAuth callback: it exchanges the caller's authorization code at `{url}`"
        )));
    }
    if let Some(name) = first(CredentialKind::EventRefetch) {
        return Some(Purpose::of_handler(format!(
            "a webhook: it acts on the event it fetches back from the provider by id (`{name}`), not on the request"
        )));
    }
    if token && refresh_lookup(s) {
        return Some(Purpose::of_handler(
            "a token refresh route: it issues a token for the refresh token it finds in its store"
                .to_owned(),
        ));
    }
    None
}

/// Whether a call writes data.
fn writes(c: &SdkCall) -> bool {
    !matches!(
        c.operation.as_str(),
        "GetItem" | "BatchGetItem" | "Query" | "Scan"
    )
}

/// Whether everything the code does serves the authentication: reading and writing its
/// own tables for the caller (a scan no request data narrows reads every account),
/// Cognito's operations for the caller, reading its secrets, and HTTP to the
/// provider. A call to any other service, a dangerous sink, or a write that lets the
/// caller choose a privilege, and the route is not only authentication.
fn only_auth_effects(s: &FunctionSummary) -> bool {
    if s.flows
        .iter()
        .any(|f| !matches!(f.kind, Kind::VerboseError | Kind::Xss))
    {
        return false;
    }
    s.sdk_calls.iter().all(|c| match c.service.as_str() {
        // A scan that no request data narrows reads every account, not the caller's.
        "dynamodb" if c.operation == "Scan" => c.tainted.is_some(),
        "dynamodb" => !writes(c) || !caller_sets_privilege(c),
        "cognito-idp" => {
            COGNITO_SIGN_IN.contains(&c.operation.as_str())
                || COGNITO_SIGN_UP.contains(&c.operation.as_str())
                || c.operation == "AdminGetUser"
                || c.operation == "GetUser"
        }
        "secretsmanager" => c.operation == "GetSecretValue",
        "ssm" => c.operation.starts_with("GetParameter"),
        "kms" => c.operation == "Decrypt",
        "logs" | "xray" => true,
        _ => c.is_http(),
    })
}

/// Whether a write stores a field that grants privileges with a value the caller chose, or
/// stores the caller's data whole (its fields not known).
fn caller_sets_privilege(c: &SdkCall) -> bool {
    let Some(t) = &c.tainted else { return false };
    if t.parts.is_empty() {
        // Which fields carry the caller's data is not known: a privilege field whose value
        // is not a constant may be one, and so may any field when none is known.
        return c.fields.is_empty()
            || c.fields
                .iter()
                .any(|f| f.value.is_none() && privilege(&f.name));
    }
    t.parts
        .iter()
        .any(|p| p.taint.is_some() && privilege(&p.name))
}

fn privilege(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    PRIVILEGE_WORDS.iter().any(|w| lower.contains(w))
}

/// The token endpoint where the code exchanges an OAuth authorization code: a POST to a
/// constant `https` URL whose path names a token, carrying the request's `code` parameter.
fn code_exchange(s: &FunctionSummary) -> Option<String> {
    s.sdk_calls.iter().find_map(|c| {
        let perimeter_code::ResourceExpr::Literal(url) = &c.resource else {
            return None;
        };
        let t = c.tainted.as_ref()?;
        let code = t.source.path.rsplit('.').next() == Some("code");
        (c.is_http()
            && c.operation == "POST"
            && url.starts_with("https://")
            && url.to_ascii_lowercase().contains("token")
            && code)
            .then(|| url.clone())
    })
}

/// Whether the code looks up the refresh token the caller presents: a read of its store
/// keyed by request data whose name says it is a refresh token.
fn refresh_lookup(s: &FunctionSummary) -> bool {
    s.sdk_calls.iter().any(|c| {
        !writes(c)
            && c.tainted.as_ref().is_some_and(|t| {
                let p = t.source.path.to_ascii_lowercase().replace(['_', '-'], "");
                p.contains("refreshtoken")
            })
    })
}

/// What a route's path and function are named for, when it is a callback a third party must
/// reach without a user's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Named {
    /// A payment gateway's notification or return (`/paypal/ipn`, `payuCallback`).
    Payment,
    /// A webhook (`/github/webhook`, `hooks`).
    Webhook,
}

/// Words of a name that say a provider calls it back.
const CALLBACK_WORDS: &[&str] = &[
    "notify",
    "notification",
    "notifications",
    "callback",
    "callbacks",
    "webhook",
    "webhooks",
    "hook",
    "hooks",
    "return",
    "listener",
    "response",
];

/// Words of a name that say it is about a payment (gateways by name included).
const PAYMENT_WORDS: &[&str] = &[
    "payment",
    "payments",
    "pay",
    "paypal",
    "ccavenue",
    "razorpay",
    "payu",
    "paytm",
    "stripe",
    "adyen",
    "mollie",
    "braintree",
    "checkout",
    "billing",
    "gateway",
    "transaction",
    "txn",
];

/// The lowercase words of names: split at punctuation and at camel-case humps
/// (`ccavenueResponseHandler` is `ccavenue`, `response`, `handler`).
fn words(names: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in name.chars() {
            if !c.is_ascii_alphanumeric() {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                prev_lower = false;
                continue;
            }
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c.to_ascii_lowercase());
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// What a route is named for, from its path and its function's name: a payment
/// notification (`ipn`, or a callback word with a payment word) or a webhook.
pub(crate) fn named(path: &str, function: &str) -> Option<Named> {
    let w = words(&[path, function]);
    let any = |list: &[&str]| w.iter().any(|x| list.contains(&x.as_str()));
    if w.iter().any(|x| x == "ipn") || (any(CALLBACK_WORDS) && any(PAYMENT_WORDS)) {
        return Some(Named::Payment);
    }
    w.iter()
        .any(|x| matches!(x.as_str(), "webhook" | "webhooks" | "hook" | "hooks"))
        .then_some(Named::Webhook)
}

/// A payment notification's verification: how the code proves the gateway sent it, and
/// whether something was written before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Verified {
    /// What the message says.
    pub what: String,
    /// Whether the code wrote, invoked or sent something before the verification.
    pub after_effect: bool,
}

/// How a route named as a payment notification verifies its sender: a post-back to the
/// provider whose answer is checked, or a payload decrypted with the merchant's key (a key
/// the caller does not send). `None` when the code shows neither: the route stays as it is.
pub(crate) fn payment(s: &FunctionSummary) -> Option<Verified> {
    if s.handler.is_none() || !s.errors.is_empty() {
        return None;
    }
    let c = s
        .credentials
        .iter()
        .find(|c| matches!(c.kind, CredentialKind::PostBack | CredentialKind::Decrypt))?;
    let how = match c.kind {
        CredentialKind::PostBack => format!(
            "it posts the notification back to the provider and checks {} at {}:{}",
            c.name,
            c.loc.path(),
            c.loc.start().line
        ),
        _ => format!(
            "it decrypts the notification with a key the caller does not send (`{}` at {}:{})",
            c.name,
            c.loc.path(),
            c.loc.start().line
        ),
    };
    Some(Verified {
        what: format!("a payment notification: {how}"),
        after_effect: c.after_effect,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_callbacks() {
        assert_eq!(
            named("/responses/{id}/ipn", "response_ipn_listener"),
            Some(Named::Payment)
        );
        assert_eq!(
            named("/r/{id}/ccavenueResponseHandler", "handler"),
            Some(Named::Payment)
        );
        assert_eq!(named("/checkout/return", "Fn"), Some(Named::Payment));
        assert_eq!(
            named("/lambci/webhook", "BuildLambda"),
            Some(Named::Webhook)
        );
        assert_eq!(named("/orders/{id}", "getOrder"), None);
        assert_eq!(named("/payments", "listPayments"), None);
        assert_eq!(named("/shipping", "ShippingFn"), None);
    }
}
