//! Fail-open authorizers: what both languages' passes share (which files build an
//! authorizer's answer, which calls verify a token).
//!
//! An authorizer that answers `Allow` where the token's verification failed lets every caller
//! in whose token is missing, expired, forged or signed with another key: the routes behind
//! it look protected and are not.

/// Whether a file builds a Lambda authorizer's answer: an IAM policy for a principal (REST
/// and WebSocket APIs) or the simple `isAuthorized` answer (HTTP APIs).
pub(crate) fn builds_authorizer_response(text: &str) -> bool {
    (text.contains("principalId") && (text.contains("olicyDocument")))
        || text.contains("isAuthorized")
}

/// Whether a call named `name` (on `receiver`, if any) verifies a token: its name says it
/// verifies (`verify`, `jwtVerify`, `verify_id_token`), validates a token or JWT, or it
/// decodes one with a JWT library (PyJWT's and python-jose's `decode` verify; elsewhere a
/// decode that throws is a failed check all the same).
pub(crate) fn verifying_name(name: &str, receiver: Option<&str>) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.contains("verify") {
        return true;
    }
    if lower.contains("validate") && (lower.contains("token") || lower.contains("jwt")) {
        return true;
    }
    lower == "decode"
        && receiver.is_some_and(|r| {
            let r = r.to_ascii_lowercase();
            r.contains("jwt") || r.contains("jose") || r.contains("token")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_names() {
        assert!(verifying_name("verify", Some("jwt")));
        assert!(verifying_name("jwtVerify", None));
        assert!(verifying_name("verify_id_token", Some("id_token")));
        assert!(verifying_name("validateToken", None));
        assert!(verifying_name("decode", Some("jwt")));
        assert!(!verifying_name("decode", Some("Buffer")));
        assert!(!verifying_name("validate", Some("schema")));
        assert!(!verifying_name("parse", Some("JSON")));
    }

    #[test]
    fn authorizer_answers() {
        assert!(builds_authorizer_response(
            "{ principalId, policyDocument }"
        ));
        assert!(builds_authorizer_response(
            "{'principalId': p, 'PolicyDocument': d}"
        ));
        assert!(builds_authorizer_response("return { isAuthorized: false }"));
        assert!(!builds_authorizer_response("return { statusCode: 200 }"));
    }
}
