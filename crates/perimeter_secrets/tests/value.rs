//! `looks_like_secret_value`: the by-name-and-value check the rules run on environment
//! variables and parameters read from descriptors.

use perimeter_secrets::{
    Confidence, Reason, is_placeholder, is_secret_name, looks_like_secret_value,
};

const AWS_ID: &str = concat!("AK", "IA", "Q3EGV5AXT7PLX2MB");

#[track_caller]
fn verdict(name: &str, value: &str) -> Option<(&'static str, Confidence, Reason)> {
    looks_like_secret_value(name, value).map(|v| {
        assert!(
            !v.redacted.contains(value),
            "redaction {} leaks {value}",
            v.redacted
        );
        (v.detector, v.confidence, v.reason)
    })
}

#[test]
fn secret_names_with_literals() {
    assert_eq!(
        verdict("DB_PASSWORD", "hunter2x"),
        Some(("secret-by-name", Confidence::Medium, Reason::SecretName))
    );
    assert_eq!(
        verdict("STRIPE_SECRET", "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J"),
        Some(("secret-by-name", Confidence::High, Reason::SecretName))
    );
    assert_eq!(
        verdict("clientSecret", "'Tr0ub4dor&3x-long'"),
        Some(("secret-by-name", Confidence::High, Reason::SecretName))
    );
    // A bare word is still a password in a descriptor.
    assert_eq!(
        verdict("DB_PASSWORD", "sunshine"),
        Some(("secret-by-name", Confidence::Medium, Reason::SecretName))
    );
}

#[test]
fn known_formats_whatever_the_name() {
    assert_eq!(
        verdict("SOME_SETTING", AWS_ID),
        Some(("aws-access-key-id", Confidence::High, Reason::KnownFormat))
    );
    assert_eq!(
        verdict(
            "DATABASE_URL",
            "postgres://app:Zq8vR2mLx9@db.prod.internal:5432/app"
        ),
        Some((
            "database-uri-password",
            Confidence::High,
            Reason::KnownFormat
        ))
    );
}

#[test]
fn high_entropy_values_without_a_secret_name() {
    assert_eq!(
        verdict("SIGNING_SEED", "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1JfT5yUe0"),
        Some((
            "high-entropy-value",
            Confidence::Medium,
            Reason::HighEntropy
        ))
    );
    // Hashes, UUIDs, resource names and short values are not tokens.
    assert_eq!(
        verdict("COMMIT", "8f506b40928b5b7a767c76fb008f86be3f9a1c7e"),
        None
    );
    assert_eq!(
        verdict("RUN_ID", "9f3c2a71-5b4e-4d8a-b6c1-0e7f2d9a3b5c"),
        None
    );
    assert_eq!(verdict("TABLE_NAME", "orders-table-prod"), None);
    assert_eq!(verdict("STAGE", "prod"), None);
}

#[test]
fn references_placeholders_and_metadata_are_not_secrets() {
    for (name, value) in [
        ("DB_PASSWORD", "${ssm:/prod/db/password}"),
        (
            "DB_PASSWORD",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
        ),
        (
            "DB_PASSWORD",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
        ),
        ("DB_PASSWORD", "${env:DB_PASSWORD}"),
        ("DB_PASSWORD", "changeme"),
        ("API_KEY", "your-api-key"),
        ("API_KEY", "<api key>"),
        ("API_KEY", ""),
        ("API_KEY", "AKIAIOSFODNN7EXAMPLE"),
        ("SECRET_NAME", "prod/db/credentials"),
        ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:x"),
        ("TOKEN_TTL", "3600"),
        ("PASSWORD_FILE", "/run/secrets/db_password"),
        ("API_KEY_HEADER", "x-api-key"),
        ("JWT_SECRET", "JWT_SECRET_FROM_ENV"),
        ("USE_TOKEN", "true"),
    ] {
        assert_eq!(verdict(name, value), None, "{name}={value}");
    }
}

#[test]
fn weak_literal_passwords_are_visible_to_rules() {
    // `password: password` is a placeholder for the detectors, but a rule can still see a
    // secret's name holding a literal.
    assert_eq!(verdict("DB_PASSWORD", "password"), None);
    assert!(is_secret_name("DB_PASSWORD"));
    assert!(is_placeholder("password"));
    assert!(!is_placeholder("Tr0ub4dor&3"));
}

// --- issue 16, item 1: strings folded from constants (constfold) ---

#[test]
fn folded_values_are_judged_by_the_detectors() {
    use perimeter_secrets::scan_folded;
    let basic = scan_folded("Basic YWRtaW46OGUyNTRlZDRjMWY5YTBiNw==", None).unwrap();
    assert_eq!(basic.detector, "http-basic-credentials");
    assert_eq!(basic.range, 6..38);
    let db = scan_folded(
        "postgres://app:Zq8vR2mLx9@db.internal.example.net/app",
        None,
    )
    .unwrap();
    assert_eq!(db.detector, "database-uri-password");
    let bearer = scan_folded("Bearer Zx8Kq2LmP9vR4tYwBn6Hs3Jd7Fg1", None).unwrap();
    assert_eq!(
        (bearer.detector, bearer.confidence),
        ("bearer-token", Confidence::High)
    );
    assert_eq!(bearer.range, 7..35);
    // `admin:changeme`, `admin:`, a template, a placeholder password and a short token.
    for quiet in [
        "Basic YWRtaW46Y2hhbmdlbWU=",
        "Basic YWRtaW46",
        "Bearer ${TOKEN}",
        "postgres://app:<password>@db/app",
        "Bearer abcdef",
        "Bearer xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ] {
        assert_eq!(scan_folded(quiet, None), None, "{quiet}");
    }
    // Under a secret's name, a random value is one; a placeholder or a path is not.
    let named = scan_folded("ak_9rT4mK2pQx7LwZ3nB8vY5cHd", Some("API_KEY")).unwrap();
    assert_eq!(named.detector, "generic-secret-assignment");
    assert_eq!(
        scan_folded("ak_9rT4mK2pQx7LwZ3nB8vY5cHd", Some("prefix")),
        None
    );
    assert_eq!(scan_folded("your-api-key-here", Some("API_KEY")), None);
    assert_eq!(scan_folded("prod/db/password", Some("SECRET_NAME")), None);
}
