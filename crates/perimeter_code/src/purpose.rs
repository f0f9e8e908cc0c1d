//! Library calls that say what a handler does with credentials: a password checked or
//! hashed, a token issued, an OAuth sign-in, a webhook's sender verified. The rules read them
//! to tell an authentication endpoint (public by purpose) and a verified webhook from an open
//! route; the engines record them as they meet the calls.

use crate::summary::CredentialKind;

/// A library function (package or module, and its last member name) and what calling it
/// does. A module ending in `-` or `/` covers every package it starts (the provider packages
/// of one family).
struct CredentialApi {
    module: &'static str,
    name: &'static str,
    kind: CredentialKind,
}

const fn api(module: &'static str, name: &'static str, kind: CredentialKind) -> CredentialApi {
    CredentialApi { module, name, kind }
}

use CredentialKind::{
    Decrypt, EventRefetch, Hmac, OAuth, PasswordCheck, PasswordDerive, PasswordHash, SafeCompare,
    SenderVerify, TokenIssue,
};

/// JavaScript and TypeScript packages (npm names).
const JS: &[CredentialApi] = &[
    api("bcrypt", "compare", PasswordCheck),
    api("bcrypt", "compareSync", PasswordCheck),
    api("bcryptjs", "compare", PasswordCheck),
    api("bcryptjs", "compareSync", PasswordCheck),
    api("bcryptjs-then", "compare", PasswordCheck),
    api("bcrypt-nodejs", "compare", PasswordCheck),
    api("bcrypt-nodejs", "compareSync", PasswordCheck),
    api("@node-rs/bcrypt", "compare", PasswordCheck),
    api("@node-rs/bcrypt", "verify", PasswordCheck),
    api("argon2", "verify", PasswordCheck),
    api("@node-rs/argon2", "verify", PasswordCheck),
    api("bcrypt", "hash", PasswordHash),
    api("bcrypt", "hashSync", PasswordHash),
    api("bcryptjs", "hash", PasswordHash),
    api("bcryptjs", "hashSync", PasswordHash),
    api("bcryptjs-then", "hash", PasswordHash),
    api("bcrypt-nodejs", "hash", PasswordHash),
    api("bcrypt-nodejs", "hashSync", PasswordHash),
    api("@node-rs/bcrypt", "hash", PasswordHash),
    api("argon2", "hash", PasswordHash),
    api("@node-rs/argon2", "hash", PasswordHash),
    api("crypto", "pbkdf2", PasswordDerive),
    api("crypto", "pbkdf2Sync", PasswordDerive),
    api("crypto", "scrypt", PasswordDerive),
    api("crypto", "scryptSync", PasswordDerive),
    api("crypto", "timingSafeEqual", SafeCompare),
    api("crypto", "createHmac", Hmac),
    api("jsonwebtoken", "sign", TokenIssue),
    api("jose", "SignJWT", TokenIssue),
    api("serverless-authentication", "createToken", TokenIssue),
    api("serverless-authentication-", "signinHandler", OAuth),
    api("serverless-authentication-", "callbackHandler", OAuth),
    api("simple-oauth2", "getToken", OAuth),
    api("google-auth-library", "getToken", OAuth),
    api("openid-client", "callback", OAuth),
    api("stripe", "constructEvent", SenderVerify),
    api("stripe", "constructEventAsync", SenderVerify),
    api("@octokit/webhooks", "verify", SenderVerify),
    api("@octokit/webhooks-methods", "verify", SenderVerify),
    api("svix", "verify", SenderVerify),
    api("twilio", "validateRequest", SenderVerify),
    api("@slack/events-api", "verifyRequestSignature", SenderVerify),
    api("crypto-js", "decrypt", Decrypt),
];

/// Python modules (the top-level module and the last name of the path).
const PYTHON: &[CredentialApi] = &[
    api("werkzeug", "check_password_hash", PasswordCheck),
    api("bcrypt", "checkpw", PasswordCheck),
    api("passlib", "verify", PasswordCheck),
    api("passlib", "verify_and_update", PasswordCheck),
    api("argon2", "verify", PasswordCheck),
    api("django", "check_password", PasswordCheck),
    api("werkzeug", "generate_password_hash", PasswordHash),
    api("bcrypt", "hashpw", PasswordHash),
    api("passlib", "hash", PasswordHash),
    api("argon2", "hash", PasswordHash),
    api("django", "make_password", PasswordHash),
    api("hashlib", "pbkdf2_hmac", PasswordDerive),
    api("hashlib", "scrypt", PasswordDerive),
    api("hmac", "compare_digest", SafeCompare),
    api("secrets", "compare_digest", SafeCompare),
    api("hmac", "new", Hmac),
    api("hmac", "digest", Hmac),
    api("jwt", "encode", TokenIssue),
    api("jose", "encode", TokenIssue),
    api("authlib", "fetch_token", OAuth),
    api("authlib", "fetch_access_token", OAuth),
    api("requests_oauthlib", "fetch_token", OAuth),
    api("google_auth_oauthlib", "fetch_token", OAuth),
    api("stripe", "construct_event", SenderVerify),
    api("svix", "verify", SenderVerify),
    api("twilio", "validate", SenderVerify),
    api("slack_sdk", "is_valid_request", SenderVerify),
    api("slack_sdk", "is_valid", SenderVerify),
    // A cipher's method (`AES.new(key, ...).decrypt`): the module's object keyed by the code.
    api("Cryptodome", "decrypt", Decrypt),
    api("Cryptodome", "decrypt_and_verify", Decrypt),
    api("Crypto", "decrypt", Decrypt),
    api("Crypto", "decrypt_and_verify", Decrypt),
    api("cryptography", "decrypt", Decrypt),
    api("nacl", "decrypt", Decrypt),
];

/// Libraries whose calls send an HTTP request (the answer of such a call is the server's).
const HTTP_CLIENTS: &[&str] = &[
    "requests",
    "httpx",
    "urllib3",
    "aiohttp",
    "urllib",
    "axios",
    "node-fetch",
    "undici",
    "got",
    "superagent",
    "needle",
    "request",
    "request-promise",
    "https",
    "http",
];

/// Whether a library value is (part of) the answer of an HTTP request: a member of a call's
/// result from an HTTP client (`requests.post().text`, `axios.post().data`, the global
/// `fetch().text()`).
pub(crate) fn http_answer(module: &str, path: &str) -> bool {
    let call = path.contains("()");
    call && (HTTP_CLIENTS.contains(&module) || (module.is_empty() && path.starts_with("fetch(")))
}

/// The post-back the code made so far: a `POST` carrying the caller's data to a destination
/// the code chose (no SSRF flow at it), when there is one.
pub(crate) fn post_back<'s>(
    calls: &'s [crate::SdkCall],
    flows: &[crate::Flow],
) -> Option<&'s crate::SdkCall> {
    calls.iter().find(|c| {
        c.is_http()
            && c.operation == "POST"
            && c.tainted.as_ref().is_some_and(|t| t.source.path != "error")
            && !flows
                .iter()
                .any(|f| f.kind == perimeter_diagnostics::Kind::Ssrf && f.sink == c.loc)
    })
}

/// How a post-back's destination is named in messages.
pub(crate) fn post_back_name(c: &crate::SdkCall) -> String {
    match &c.resource {
        crate::ResourceExpr::Literal(u) => format!("the answer of `POST {u}`"),
        crate::ResourceExpr::Pattern(u) => format!("the answer of `POST {u}`"),
        _ => "the answer of a `POST` of the notification".to_owned(),
    }
}

/// Whether calls and flows so far wrote, invoked or sent anything apart from HTTP requests
/// (a post-back sends the caller's data by design).
pub(crate) fn wrote_besides_http(calls: &[crate::SdkCall], flows: &[crate::Flow]) -> bool {
    calls
        .iter()
        .any(|c| !c.is_http() && !read_only(&c.operation))
        || flows
            .iter()
            .any(|f| f.kind != perimeter_diagnostics::Kind::VerboseError)
}

/// The last member name of a call's path (`compare` for `default.compare`, `verify` for
/// `hash.pbkdf2_sha256.verify`, `SignJWT` for `SignJWT`).
fn last_name(path: &str) -> &str {
    let p = path.trim_end_matches("()");
    p.rfind('.').map_or(p, |i| &p[i + 1..])
}

fn lookup(table: &[CredentialApi], module: &str, path: &str) -> Option<CredentialKind> {
    let name = last_name(path);
    table
        .iter()
        .find(|a| {
            let module_ok = if a.module.ends_with('-') || a.module.ends_with('/') {
                module.starts_with(a.module)
            } else {
                module == a.module
            };
            module_ok && a.name == name
        })
        .map(|a| a.kind)
}

/// How a call is named in messages: `stripe.events.retrieve` for the path
/// `().events.retrieve` of `stripe`.
pub(crate) fn call_name(module: &str, path: &str) -> String {
    let path = path.replace("().", ".").replace("()", "");
    let path = path.trim_start_matches('.');
    if path.is_empty() {
        module.to_owned()
    } else {
        format!("{module}.{path}")
    }
}

/// What a JavaScript call of `module`'s `path` does with credentials, if anything.
pub(crate) fn js_call(module: &str, path: &str) -> Option<CredentialKind> {
    if module == "stripe" && path.trim_end_matches("()").ends_with("events.retrieve") {
        return Some(EventRefetch);
    }
    // What a decipher is given is decrypted (`createDecipheriv(alg, key, iv).update(data)`).
    if module == "crypto" && path.starts_with("createDecipheriv(") && last_name(path) == "update" {
        return Some(Decrypt);
    }
    lookup(JS, module, path)
}

/// Sender verifications that answer with a verdict (`true`/`false`) instead of throwing for
/// an unsigned request: the call alone protects nothing; the check of its answer does.
const VERDICT_VERIFIERS: &[(&str, &str)] = &[
    ("@octokit/webhooks", "verify"),
    ("@octokit/webhooks-methods", "verify"),
    ("twilio", "validateRequest"),
];

/// Whether a JavaScript sender verification returns its verdict rather than throwing.
pub(crate) fn js_returns_verdict(module: &str, path: &str) -> bool {
    let name = last_name(path);
    VERDICT_VERIFIERS
        .iter()
        .any(|(m, n)| *m == module && *n == name)
}

/// What a Python call of `module`'s `path` does with credentials, if anything.
pub(crate) fn python_call(module: &str, path: &str) -> Option<CredentialKind> {
    // A method of an HMAC object (`hmac.new(...).digest`) is the first call's.
    if module == "hmac" && path.contains("()") {
        return None;
    }
    if module == "stripe" && path.ends_with("Event.retrieve") {
        return Some(EventRefetch);
    }
    lookup(PYTHON, module, path)
}

/// Whether calls and flows so far wrote, invoked or sent anything (reads of a secret or a
/// configuration item, needed to verify, are not effects of the caller's request), leaving
/// out the calls and flows at the given indices (made where an HTTP request does not go).
pub(crate) fn wrote_skipping(
    calls: &[crate::SdkCall],
    flows: &[crate::Flow],
    skip_calls: &[usize],
    skip_flows: &[usize],
) -> bool {
    calls.iter().enumerate().any(|(i, c)| {
        if skip_calls.contains(&i) {
            return false;
        }
        if c.is_http() {
            return c.tainted.is_some();
        }
        !read_only(&c.operation)
    }) || flows.iter().enumerate().any(|(i, f)| {
        !skip_flows.contains(&i) && f.kind != perimeter_diagnostics::Kind::VerboseError
    })
}

/// Top-level fields of the Lambda events of other triggers that an API Gateway or function
/// URL request never has: a CloudFormation custom resource's request, the records of a
/// queue, topic, bucket or stream, an EventBridge event.
const OTHER_TRIGGER_FIELDS: &[&str] = &[
    "ResourceType",
    "RequestType",
    "ResponseURL",
    "StackId",
    "LogicalResourceId",
    "ServiceToken",
    "Records",
    "detail-type",
    "detail",
];

/// Whether a top-level event field belongs only to another trigger's event.
pub(crate) fn other_trigger_field(name: &str) -> bool {
    OTHER_TRIGGER_FIELDS.contains(&name)
}

/// Whether an operation only reads.
pub(crate) fn read_only(op: &str) -> bool {
    [
        "Get", "BatchGet", "Query", "Scan", "Describe", "List", "Head",
    ]
    .iter()
    .any(|p| op.starts_with(p))
        || op == "Decrypt"
}

/// Whether a `catch` block stops the handler after a failure: it returns, throws, or
/// answers 400, 401 or 403.
pub(crate) fn catch_leaves(text: &str) -> bool {
    crate::spec::leaves(text) || ["400", "401", "403"].iter().any(|s| text.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_by_module_and_name() {
        assert_eq!(js_call("bcryptjs", "compare"), Some(PasswordCheck));
        assert_eq!(js_call("bcryptjs", "default.compare"), Some(PasswordCheck));
        assert_eq!(js_call("jsonwebtoken", "sign"), Some(TokenIssue));
        assert_eq!(js_call("crypto", "createHmac"), Some(Hmac));
        assert_eq!(js_call("crypto", "createHmac().digest"), None);
        assert_eq!(
            js_call("stripe", "().webhooks.constructEvent"),
            Some(SenderVerify)
        );
        assert_eq!(
            js_call("serverless-authentication-google", "signinHandler"),
            Some(OAuth)
        );
        assert_eq!(
            js_call("stripe", "webhooks.constructEvent"),
            Some(SenderVerify)
        );
        assert_eq!(js_call("stripe", "().events.retrieve"), Some(EventRefetch));
        assert_eq!(js_call("stripe", "().customers.retrieve"), None);
        assert_eq!(js_call("lodash", "compare"), None);
        assert_eq!(
            python_call("werkzeug", "security.check_password_hash"),
            Some(PasswordCheck)
        );
        assert_eq!(
            python_call("passlib", "hash.pbkdf2_sha256.verify"),
            Some(PasswordCheck)
        );
        assert_eq!(python_call("jwt", "encode"), Some(TokenIssue));
        assert_eq!(python_call("hmac", "compare_digest"), Some(SafeCompare));
        assert_eq!(python_call("hmac", "new().digest"), None);
        assert_eq!(python_call("json", "encode"), None);
        assert_eq!(
            call_name("stripe", "().events.retrieve"),
            "stripe.events.retrieve"
        );
        assert_eq!(call_name("@slack/bolt", "App"), "@slack/bolt.App");
    }
}
