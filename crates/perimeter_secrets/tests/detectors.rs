//! Every detector: a format-valid secret (invented here) that must be found, with its exact
//! value and confidence, and look-alikes that must not be (placeholders, documented examples,
//! wrong checksums, references, reads of the environment).

use perimeter_diagnostics::{Position, SourceFile};
use perimeter_secrets::{Confidence, FileContext, SecretMatch, scan};

/// `(detector, matched text, confidence)` for each match of `text` scanned as `path`.
fn hits(path: &str, text: &str) -> Vec<(&'static str, String, Confidence)> {
    let file = SourceFile::new(path, text);
    scan(&file, FileContext::for_path(path))
        .into_iter()
        .map(|m| (m.detector, file.slice(m.span).to_owned(), m.confidence))
        .collect()
}

/// Asserts exactly one match, by `detector`, on `value`, with `confidence`.
#[track_caller]
fn one(path: &str, text: &str, detector: &str, value: &str, confidence: Confidence) {
    let got = hits(path, text);
    assert_eq!(
        got,
        vec![(detector_name(detector), value.to_owned(), confidence)],
        "in {text:?}"
    );
}

/// Asserts no match at all.
#[track_caller]
fn none(path: &str, text: &str) {
    let got = hits(path, text);
    assert!(got.is_empty(), "unexpected {got:?} in {text:?}");
}

/// Leaks a detector name so it compares with the `&'static str` in matches.
fn detector_name(d: &str) -> &'static str {
    perimeter_secrets::detectors()
        .map(|(id, _)| id)
        .find(|id| *id == d)
        .expect("known detector")
}

/// CRC-32 (IEEE), bit by bit: an independent implementation to build valid GitHub tokens.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `prefix` + 30 random characters + their base62 CRC32, as GitHub and npm issue tokens.
fn checksummed(prefix: &str, random30: &str) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut n = crc32(random30.as_bytes());
    let mut check = Vec::new();
    while n > 0 {
        check.push(DIGITS[(n % 62) as usize]);
        n /= 62;
    }
    while check.len() < 6 {
        check.push(b'0');
    }
    check.reverse();
    format!("{prefix}{random30}{}", String::from_utf8(check).unwrap())
}

// Values are split with `concat!` so that this file never holds a contiguous token that a
// repository's own secret scanning (or push protection) would flag.
const AWS_ID: &str = concat!("AK", "IA", "Q3EGV5AXT7PLX2MB");
const SLACK_BOT: &str = concat!(
    "xo",
    "xb-",
    "1234567890123-9876543210987-UStPKR0CsTy4Qwb8DwkNhFdn"
);
const SLACK_HOOK: &str = concat!(
    "https://hooks.slack.com/services/",
    "T4K8Q2M7Z/",
    "B9X3L5P1V/UStPKR0CsTy4Qwb8DwkNhFdn"
);
const STRIPE_LIVE: &str = concat!("sk_", "live_", "XsiVpzz63FfkCzJr4i0B3JrT");
const STRIPE_RESTRICTED: &str = concat!("rk_", "live_", "XsiVpzz63FfkCzJr4i0B3JrT");
const STRIPE_TEST: &str = concat!("sk_", "test_", "XsiVpzz63FfkCzJr4i0B3JrT");
const TWILIO_SID: &str = concat!("AC", "3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e");
const TWILIO_KEY: &str = concat!("SK", "8f506b40928b5b7a767c76fb008f86be");
const SENDGRID: &str = concat!(
    "SG",
    ".7s8Stqcbnr3yBdGBLEPH1q",
    ".hT61qtc4xatws8phP9nhFyJfm5di4PzJ59FHz5r1pY4"
);
const MAILGUN: &str = concat!("key", "-bb2737f6a6f0fb23c6f5da2cec255404");
const GOOGLE_KEY: &str = concat!("AI", "za", "OjE2jBMptUsGr7CmY_uCu3ZR1zTOlUcR64c");
const JWT: &str = concat!(
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    ".",
    "eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIiwiaWF0IjoxNzAwMDAwMDAwfQ",
    ".",
    "VEGmvrFNn5EiA3sPfET4rBmxN6x9SrWESXZ3d8Qe_uQ"
);
const PYPI: &str = concat!(
    "py",
    "pi-",
    "AgEIcHlwaS5vcmc",
    "zNk8cL6j5IXAAjlsHUqJoUD-_Ydua_5ZMs1SWOpQaPRYpzbLGViYXjU2JgJngKtFI3OyV2"
);
const GITLAB: &str = concat!("gl", "pat-", "0uvSwMFLZDe1f8rESQed");
const GITHUB_PAT: &str = concat!(
    "github_",
    "pat_",
    "zdocJ2isAjIhKtJ0RlgLKO_mxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY4"
);
const AZURE_KEY: &str = concat!(
    "YlSEn0uD9RAc/OvJOvjgGhVDRQrnxy5FwSHRbNnprdHyQmcm",
    "ieuDkn6zUxZHDsywLmzlEkTwBKIWzUIVm9s4EQ=="
);
const AWS_SECRET: &str = "u8jzPde0IgxLd6Gncf/BAepfJBd0Kh8oOOL8dKL+";

#[test]
fn aws_access_key_id() {
    one(
        "src/s3.js",
        &format!("const id = '{AWS_ID}';\n"),
        "aws-access-key-id",
        AWS_ID,
        Confidence::High,
    );
    // The documentation's example, a masked id and an id glued into a longer token.
    none("src/s3.js", "const id = 'AKIAIOSFODNN7EXAMPLE';\n");
    none("src/s3.js", "const id = 'AKIAXXXXXXXXXXXXXXXX';\n");
    none("src/s3.js", &format!("const id = 'X{AWS_ID}';\n"));
}

#[test]
fn aws_secret_access_key() {
    one(
        ".env",
        &format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"),
        "aws-secret-access-key",
        AWS_SECRET,
        Confidence::High,
    );
    one(
        "src/client.ts",
        &format!("new S3({{ secretAccessKey: \"{AWS_SECRET}\" }});\n"),
        "aws-secret-access-key",
        AWS_SECRET,
        Confidence::High,
    );
    // Next line after the keyword (YAML block).
    one(
        "config/aws.yml",
        &format!("aws_secret_access_key:\n  {AWS_SECRET}\n"),
        "aws-secret-access-key",
        AWS_SECRET,
        Confidence::High,
    );
    none(
        ".env",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    none(".env", "AWS_SECRET_ACCESS_KEY=${ssm:/prod/aws/secret}\n");
    // 40 base64 characters without the keyword are not enough.
    none("src/a.js", &format!("const blob = \"{AWS_SECRET}\";\n"));
}

#[test]
fn github_tokens() {
    let token = checksummed("ghp_", "zdocJ2isAjIhKtJ0RlgLKOmxgJTeKd");
    one(
        "deploy.sh",
        &format!("curl -H \"Authorization: token {token}\" x\n"),
        "github-token",
        &token,
        Confidence::High,
    );
    let server = checksummed("ghs_", "Nn8FRIBXuDL7DxtpYlSXpfKtHF4vUC");
    one(
        "src/gh.py",
        &format!("TOKEN = '{server}'\n"),
        "github-token",
        &server,
        Confidence::High,
    );
    // A wrong checksum (last character changed), and GitHub's own documentation sample.
    let mut wrong = token;
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'a' { 'b' } else { 'a' });
    none(
        "deploy.sh",
        &format!("curl -H \"Authorization: token {wrong}\" x\n"),
    );
    none(
        "README.json",
        "{\"token\": \"gho_16C7e42F292c6912E7710c838347Ae178B4a\"}\n",
    );
    none(
        "deploy.sh",
        "export GH=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
    );

    let pat = GITHUB_PAT;
    one(
        "ci.yml",
        &format!("token: {pat}\n"),
        "github-fine-grained-token",
        pat,
        Confidence::High,
    );
    none(
        "ci.yml",
        &format!("token: github_pat_{}_{}\n", "x".repeat(22), "x".repeat(59)),
    );
}

#[test]
fn gitlab_token() {
    one(
        ".env",
        &format!("GITLAB_TOKEN={GITLAB}\n"),
        "gitlab-token",
        GITLAB,
        Confidence::High,
    );
    none(".env", "GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx\n");
}

#[test]
fn slack() {
    let bot = SLACK_BOT;
    one(
        "src/notify.js",
        &format!("const slack = new WebClient('{bot}');\n"),
        "slack-token",
        bot,
        Confidence::High,
    );
    none(
        "src/notify.js",
        "const slack = new WebClient('xoxb-your-token-here');\n",
    );
    none(
        "src/notify.js",
        "const slack = new WebClient(process.env.SLACK_BOT_TOKEN);\n",
    );

    let hook = SLACK_HOOK;
    one(
        "serverless.yml",
        &format!("    SLACK_URL: {hook}\n"),
        "slack-webhook",
        hook,
        Confidence::High,
    );
    // Slack's documentation placeholder.
    none(
        "serverless.yml",
        "    SLACK_URL: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
    );
}

#[test]
fn stripe() {
    let live = STRIPE_LIVE;
    one(
        "src/pay.py",
        &format!("stripe.api_key = \"{live}\"\n"),
        "stripe-secret-key",
        live,
        Confidence::High,
    );
    let restricted = STRIPE_RESTRICTED;
    one(
        "src/pay.py",
        &format!("KEY = \"{restricted}\"\n"),
        "stripe-secret-key",
        restricted,
        Confidence::High,
    );
    let test = STRIPE_TEST;
    one(
        "src/pay.py",
        &format!("stripe.api_key = \"{test}\"\n"),
        "stripe-secret-key",
        test,
        Confidence::Medium,
    );
    // Stripe's documentation key and a publishable key.
    none(
        "src/pay.py",
        "stripe.api_key = \"sk_test_4eC39HqLyjWDarjtT1zdp7dc\"\n",
    );
    none(
        "src/pay.js",
        "const stripe = Stripe('pk_live_XsiVpzz63FfkCzJr4i0B3JrT');\n",
    );
}

#[test]
fn twilio() {
    let sid = TWILIO_SID;
    let token = "26e53a13043b026c48bbf33feff9243a";
    let text =
        format!("const twilio = require('twilio');\nconst client = twilio('{sid}', '{token}');\n");
    one(
        "src/sms.js",
        &text,
        "twilio-auth-token",
        token,
        Confidence::High,
    );
    let env = format!("TWILIO_ACCOUNT_SID={sid}\nTWILIO_AUTH_TOKEN={token}\n");
    let got = hits(".env", &env);
    assert_eq!(
        got,
        vec![("twilio-auth-token", token.to_owned(), Confidence::High)]
    );
    // No account SID nearby: a 32-hex token is just a hash.
    none(
        "src/sms.js",
        &format!("// twilio\nconst digest = '{token}';\n"),
    );

    let key = TWILIO_KEY;
    one(
        ".env",
        &format!("TWILIO_API_KEY={key}\n"),
        "twilio-api-key",
        key,
        Confidence::High,
    );
    none(".env", &format!("OTHER_ID={key}\n"));
}

#[test]
fn sendgrid_and_mailgun() {
    let sg = SENDGRID;
    one(
        "src/mail.ts",
        &format!("sgMail.setApiKey('{sg}');\n"),
        "sendgrid-api-key",
        sg,
        Confidence::High,
    );
    none(
        "src/mail.ts",
        &format!(
            "sgMail.setApiKey('SG.{}.{}');\n",
            "x".repeat(22),
            "x".repeat(43)
        ),
    );

    let mg = MAILGUN;
    one(
        "src/mail.py",
        &format!("mailgun = Mailgun(api_key='{mg}')\n"),
        "mailgun-api-key",
        mg,
        Confidence::High,
    );
    // Without Mailgun in sight, the same shape is less certain.
    one(
        "src/cache.py",
        &format!("k = '{mg}'\n"),
        "mailgun-api-key",
        mg,
        Confidence::Medium,
    );
    none(
        "src/mail.py",
        "mailgun = Mailgun(api_key='key-00000000000000000000000000000000')\n",
    );
}

#[test]
fn google() {
    let key = GOOGLE_KEY;
    one(
        "src/maps.py",
        &format!("MAPS = \"{key}\"\n"),
        "google-api-key",
        key,
        Confidence::High,
    );
    // A Firebase web config ships its key to browsers.
    let web = format!(
        "const firebaseConfig = {{\n  apiKey: \"{key}\",\n  authDomain: \"x.firebaseapp.com\",\n}};\n"
    );
    one(
        "src/firebase.js",
        &web,
        "google-api-key",
        key,
        Confidence::Medium,
    );
    none(
        "src/maps.py",
        "MAPS = \"AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"\n",
    );
}

const PEM_BODY: &str = "Q9wfdAJW/o1q7epEnyELhrU98Bz4KUMMLjPuT6BOh8I0SnKArC1FWM0E/kAJAwS7\n\
gY36MIN5Pu9yG6jRpm6ofovV42T4gU6wN/s6VzLV4bS6oiNn/Vj7DdYhAxKgveFB\n\
bikOFarXYd6Bq/hImT6xSwt1LyhEcgBDXfZU+PyMUj4I9+FPN1suAFVhFXlHgKcz\n";

#[test]
fn private_keys() {
    let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}-----END RSA PRIVATE KEY-----");
    one(
        "certs/key.yml",
        &format!("key: |\n{key}\n"),
        "private-key",
        &key,
        Confidence::High,
    );
    let enc = format!(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\n{PEM_BODY}-----END ENCRYPTED PRIVATE KEY-----"
    );
    one(
        "src/k.py",
        &format!("K = \"\"\"{enc}\"\"\"\n"),
        "private-key",
        &enc,
        Confidence::Medium,
    );
    // Inline with `\n` escapes (JSON, JS strings).
    let inline = format!(
        "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----",
        PEM_BODY.replace('\n', "\\n")
    );
    one(
        "src/k.js",
        &format!("const k = \"{inline}\";\n"),
        "private-key",
        &inline,
        Confidence::High,
    );
    // Elided bodies, a marker alone, a public key.
    none(
        "docs/k.yml",
        "key: \"-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----\"\n",
    );
    none(
        "src/k.js",
        "if (pem.startsWith('-----BEGIN PRIVATE KEY-----')) {}\n",
    );
    none(
        "src/k.yml",
        &format!("k: |\n-----BEGIN PUBLIC KEY-----\n{PEM_BODY}-----END PUBLIC KEY-----\n"),
    );
}

#[test]
fn google_service_account() {
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\\n{}-----END PRIVATE KEY-----\\n",
        PEM_BODY.replace('\n', "\\n")
    );
    let json = format!(
        "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo-4821\",\n  \"private_key_id\": \"8f506b40928b5b7a767c76fb008f86be\",\n  \"private_key\": \"{pem}\",\n  \"client_email\": \"svc@demo-4821.iam.gserviceaccount.com\"\n}}\n"
    );
    one(
        "keys/sa.json",
        &json,
        "google-service-account-key",
        &pem,
        Confidence::High,
    );
    let placeholder = json.replace(
        &pem,
        "-----BEGIN PRIVATE KEY-----\\n<your key>\\n-----END PRIVATE KEY-----\\n",
    );
    none("keys/sa.json", &placeholder);
}

#[test]
fn azure() {
    let key = AZURE_KEY;
    let conn = format!(
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={key};EndpointSuffix=core.windows.net"
    );
    one(
        "local.settings.json",
        &format!("{{\"AzureWebJobsStorage\": \"{conn}\"}}\n"),
        "azure-storage-key",
        key,
        Confidence::High,
    );
    // The storage emulator's published key.
    none(
        "local.settings.json",
        "{\"S\": \"AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;\"}\n",
    );
}

#[test]
fn jwt() {
    let token = JWT;
    one(
        "src/api.js",
        &format!("const auth = 'Bearer {token}';\n"),
        "jwt",
        token,
        Confidence::High,
    );
    let unsigned =
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIiwiaWF0IjoxNzAwMDAwMDAwfQ.";
    one(
        "src/api.js",
        &format!("const t = '{unsigned}';\n"),
        "jwt",
        unsigned,
        Confidence::Medium,
    );
    // jwt.io's sample token; a header without `alg`.
    none(
        "src/api.js",
        "const t = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';\n",
    );
    none(
        "src/api.js",
        "const t = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIn0.VEGmvrFNn5EiA3sPfET4rBmx';\n",
    );
}

#[test]
fn npm_and_pypi() {
    let token = checksummed("npm_", "4bZWOz648JJnUfd7UACNWiP3sFd67J");
    one(
        ".npmrc",
        &format!("//registry.npmjs.org/:_authToken={token}\n"),
        "npm-token",
        &token,
        Confidence::High,
    );
    one(
        ".npmrc",
        "//registry.npmjs.org/:_authToken=9f3c2a71-5b4e-4d8a-b6c1-0e7f2d9a3b5c\n",
        "npm-token",
        "9f3c2a71-5b4e-4d8a-b6c1-0e7f2d9a3b5c",
        Confidence::High,
    );
    none(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");

    let pypi = PYPI;
    one(
        ".pypirc",
        &format!("[pypi]\npassword = {pypi}\n"),
        "pypi-token",
        pypi,
        Confidence::High,
    );
    none(
        ".pypirc",
        "[pypi]\npassword = pypi-AgEIcHlwaS5vcmc<your token>\n",
    );
}

#[test]
fn database_uris() {
    one(
        "src/db.js",
        "const url = 'postgres://app:Zq8vR2mLx9@db.prod.internal:5432/app';\n",
        "database-uri-password",
        "Zq8vR2mLx9",
        Confidence::High,
    );
    one(
        "src/db.py",
        "URI = \"mongodb+srv://svc:Hb7tK2qP9w@cluster0.ab1cd.mongodb.net/x\"\n",
        "database-uri-password",
        "Hb7tK2qP9w",
        Confidence::High,
    );
    one(
        "src/db.py",
        "engine = create_engine('mysql+pymysql://root:Hb7tK2qP9w@localhost/app')\n",
        "database-uri-password",
        "Hb7tK2qP9w",
        Confidence::Medium,
    );
    one(
        ".env",
        "REDIS_URL=redis://:Hb7tK2qP9w@cache.internal:6379/0\n",
        "database-uri-password",
        "Hb7tK2qP9w",
        Confidence::High,
    );
    one(
        ".env",
        "BROKER=amqp://svc:Hb7tK2qP9w@mq.internal:5672//\n",
        "database-uri-password",
        "Hb7tK2qP9w",
        Confidence::High,
    );
    // Templated, placeholder, same-as-user and environment-built passwords.
    none(
        "src/db.js",
        "const url = `postgres://app:${process.env.DB_PASSWORD}@db.prod.internal/app`;\n",
    );
    none(
        "src/db.js",
        "const url = 'postgres://user:password@db.prod.internal/app';\n",
    );
    none(
        "src/db.js",
        "const url = 'amqp://guest:guest@localhost:5672';\n",
    );
    none(
        "src/db.py",
        "url = f\"postgresql://{user}:{pw}@{host}/db\"\n",
    );
    none(
        "src/db.py",
        "url = \"postgresql://app@db.prod.internal/db\"\n",
    );
}

#[test]
fn basic_auth() {
    let encoded = "ZGVwbG95OldxOXJUMnhMbTR2Qg==";
    one(
        "src/call.js",
        &format!("headers['Authorization'] = 'Basic {encoded}';\n"),
        "http-basic-credentials",
        encoded,
        Confidence::High,
    );
    one(
        "src/call.js",
        "const h = 'Basic ' + btoa('deploy:Wq9rT2xLm4vB');\n",
        "http-basic-credentials",
        "deploy:Wq9rT2xLm4vB",
        Confidence::High,
    );
    one(
        "src/call.py",
        "auth = 'Basic ' + base64.b64encode(b'deploy:Wq9rT2xLm4vB').decode()\n",
        "http-basic-credentials",
        "deploy:Wq9rT2xLm4vB",
        Confidence::High,
    );
    // Base64 without a colon inside, a prose line, a credential built from variables.
    none(
        "src/call.js",
        "headers.Authorization = 'Basic anVzdGF0b2tlbnZhbHVl';\n",
    );
    none(
        "src/call.js",
        "// Basic authentication is configured by the gateway\n",
    );
    none(
        "src/call.js",
        "const h = 'Basic ' + btoa(`${user}:${password}`);\n",
    );
    none(
        "src/call.js",
        "const h = 'Basic ' + Buffer.from(user + ':' + pass).toString('base64');\n",
    );
}

#[test]
fn generic_assignments() {
    one(
        "src/app.py",
        "password = \"Wq9#rT2xLm\"\n",
        "generic-secret-assignment",
        "Wq9#rT2xLm",
        Confidence::Medium,
    );
    one(
        "src/app.ts",
        "const config = { apiKey: \"q7Lm2Vx9Rt4Kp8Zc3Nw6\" };\n",
        "generic-secret-assignment",
        "q7Lm2Vx9Rt4Kp8Zc3Nw6",
        Confidence::High,
    );
    one(
        "config/app.json",
        "{\"client_secret\": \"q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J\"}\n",
        "generic-secret-assignment",
        "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J",
        Confidence::High,
    );
    one(
        ".env",
        "SECRET_KEY=q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J\n",
        "generic-secret-assignment",
        "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J",
        Confidence::High,
    );
    one(
        ".env",
        "export DB_PASSWORD=sunshine42\n",
        "generic-secret-assignment",
        "sunshine42",
        Confidence::Medium,
    );
    one(
        "serverless.yml",
        "    environment:\n      DB_PASSWORD: Tr0ub4dor&3x\n",
        "generic-secret-assignment",
        "Tr0ub4dor&3x",
        Confidence::High,
    );
    one(
        "src/app.ts",
        "private password: string = \"Wq9#rT2xLm\";\n",
        "generic-secret-assignment",
        "Wq9#rT2xLm",
        Confidence::Medium,
    );
    // References, environment reads, placeholders, metadata names, comparisons.
    none("src/app.py", "password = os.environ[\"DB_PASSWORD\"]\n");
    none("src/app.js", "const apiKey = process.env.API_KEY;\n");
    none("src/app.js", "const password = getPassword();\n");
    none("src/app.py", "password = \"changeme\"\n");
    none("src/app.py", "api_key = \"your-api-key\"\n");
    none("src/app.py", "SECRET_NAME = \"prod/db/credentials\"\n");
    none(
        "src/app.py",
        "token_url = \"https://auth.example.org/token\"\n",
    );
    none("src/app.js", "if (password === \"Wq9#rT2xLm\") {}\n");
    none(
        "serverless.yml",
        "      DB_PASSWORD: ${ssm:/prod/db/password}\n",
    );
    none(
        "template.yaml",
        "      Password: '{{resolve:secretsmanager:prod/db:SecretString:password}}'\n",
    );
    none(
        "template.yaml",
        "      MasterUserPassword: !Ref DbPassword\n",
    );
    none("locales/de.json", "{\"password\": \"Passwort\"}\n");
    none("src/app.py", "max_tokens = 1024\n");
    none("src/app.py", "params = {\"NextToken\": \"eyAbc\"}\n");
}

#[test]
fn notebook_escaped_quotes() {
    let nb = "{\"cells\": [{\"source\": [\"import openai\\n\", \"api_key = \\\"q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J\\\"\\n\"]}]}\n";
    one(
        "analysis.ipynb",
        nb,
        "generic-secret-assignment",
        "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J",
        Confidence::High,
    );
}

#[test]
fn recorded_data_keeps_provider_formats_at_low_confidence() {
    let text = format!("const id = '{AWS_ID}';\n");
    for path in [
        "test/s3.js",
        "tests/test_s3.py",
        "src/__tests__/s3.ts",
        "src/s3.test.js",
        "src/s3.spec.ts",
        "events/s3-put.json",
        "svc/test-events/share-event.json",
        "database/seeds/users.js",
    ] {
        one(path, &text, "aws-access-key-id", AWS_ID, Confidence::Low);
    }
}

#[test]
fn recorded_data_is_out_of_scope_for_generic_detectors() {
    // A captured API Gateway event's bearer token, a seed user's password, a test's stub.
    let jwt = "eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJhYmMiLCJleHAiOjE1NjQ0MTExNDd9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
    let event = format!(
        "{{\"headers\": {{\"Authorization\": \"{jwt}\"}}, \"password\": \"q7Lm2Vx9Rt4Kp8Zc\"}}\n"
    );
    for path in [
        "packages/svc/test-events/list.json",
        "events/event.json",
        "src/ApiGatewayEvent.json",
        "tests/fixtures/login.json",
        "database/seeds/users.json",
    ] {
        let file = SourceFile::new(path, event.clone());
        assert!(
            scan(&file, FileContext::for_path(path)).is_empty(),
            "{path}"
        );
    }
    // The same content in application configuration is reported.
    let file = SourceFile::new("config/app.json", event);
    let found = scan(&file, FileContext::Config);
    assert_eq!(
        found.iter().map(|m| m.detector).collect::<Vec<_>>(),
        ["jwt", "generic-secret-assignment"]
    );
    assert_eq!(found[1].key.as_deref(), Some("password"));
}

#[test]
fn values_that_are_not_secrets_by_what_they_are() {
    let kms = format!("AQICAHh{}", "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J".repeat(8));
    for (name, value) in [
        ("Postman-Token", "c6f6a2c4-6f1e-4b4e-9b8e-2f5b3c1d0a9e"),
        ("DB_PASSWORD", kms.as_str()),
        (
            "password",
            "$2a$08$hYgCfrL1spNxnyVmihA/2O76UMFxFkM/R5Kjp1vRt.1fjORS/6ilI",
        ),
        ("adminPassword", "[parameters('administratorPassword')]"),
        ("RefreshTokenValidity", "q7Lm2Vx9Rt"),
        ("PasswordRequireCharacters", "Xq7Lm2Vx9Rt4"),
    ] {
        let text = format!("{name}: \"{value}\"\n");
        let file = SourceFile::new("config/app.yml", text);
        assert!(
            scan(&file, FileContext::Config).is_empty(),
            "{name}: {value}"
        );
        assert!(
            perimeter_secrets::looks_like_secret_value(name, value).is_none(),
            "{name}: {value}"
        );
    }
    // A UUID is a request id under `Postman-Token`, but a shared secret under a secret's name.
    let file = SourceFile::new(
        "admin/api.js",
        "const adminSecret = \"c6f6a2c4-6f1e-4b4e-9b8e-2f5b3c1d0a9e\";\n",
    );
    assert_eq!(scan(&file, FileContext::Source).len(), 1);
    // A real-looking password under the same names is still one.
    let file = SourceFile::new("config/app.yml", "DB_PASSWORD: \"q7Lm2Vx9Rt4Kp8Zc\"\n");
    let found = scan(&file, FileContext::Config);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key.as_deref(), Some("DB_PASSWORD"));
}

#[test]
fn vendored_sdk_data_is_not_scanned() {
    assert!(!perimeter_secrets::is_candidate_file(
        "functions/botocore/data/iam/2010-05-08/examples-1.json"
    ));
    assert!(!perimeter_secrets::is_candidate_file(
        "package/PyJWT-2.8.0.dist-info/METADATA.json"
    ));
}

#[test]
fn a_browser_maps_key_in_a_bundle_configuration_is_medium() {
    let text = "new webpack.DefinePlugin({ GOOGLE_MAPS_API_KEY: '\"AIzau8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8\"' });\n";
    let file = SourceFile::new("webpack.prod.js", text);
    let found = scan(&file, FileContext::Source);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].confidence, Confidence::Medium);
    let file = SourceFile::new("src/handler.js", text);
    assert_eq!(
        scan(&file, FileContext::Source)[0].confidence,
        Confidence::High
    );
}

#[test]
fn redaction_never_reveals_a_secret() {
    let token = checksummed("ghp_", "zdocJ2isAjIhKtJ0RlgLKOmxgJTeKd");
    let text = format!(
        "A = '{AWS_ID}'\nB = '{token}'\npassword = \"Wq9#rT2xLm\"\nurl = 'postgres://a:Zq8vR2mLx9@h.internal/x'\n"
    );
    let file = SourceFile::new("src/x.py", text);
    let found = scan(&file, FileContext::Source);
    assert_eq!(found.len(), 4);
    for m in &found {
        let secret = file.slice(m.span);
        assert!(
            !m.redacted.contains(secret),
            "{} leaks {secret}",
            m.redacted
        );
        assert!(m.redacted.contains('…'));
    }
    assert_eq!(found[0].redacted, "AKIA…(20 chars)");
    assert_eq!(found[2].redacted, "Wq…(10 chars)");
}

#[test]
fn positions_with_non_ascii_text() {
    let text = format!(
        "# Schlüssel für den Zugriff — ne pas publier ✓\nconst clé = 'é'; const id = '{AWS_ID}';\n"
    );
    let file = SourceFile::new("src/ü.js", text);
    let found: Vec<SecretMatch> = scan(&file, FileContext::Source);
    assert_eq!(found.len(), 1);
    assert_eq!(file.slice(found[0].span), AWS_ID);
    assert_eq!(
        file.position(found[0].span.start),
        Position {
            line: 2,
            column: 30
        }
    );
}

#[test]
fn long_lines_are_skipped_but_short_ones_after_them_are_not() {
    let minified = format!("var a=\"{AWS_ID}\";{}\n", "x=1;".repeat(600));
    let text = format!("{minified}const id = '{AWS_ID}';\n");
    let file = SourceFile::new("dist/app.js", text);
    let found = scan(&file, FileContext::Source);
    assert_eq!(found.len(), 1);
    assert_eq!(file.position(found[0].span.start).line, 2);
}

#[test]
fn order_is_by_span_and_deterministic() {
    let token = checksummed("ghp_", "zdocJ2isAjIhKtJ0RlgLKOmxgJTeKd");
    let text = format!(
        "B = '{token}'\nA = '{AWS_ID}'\nC = 'postgres://a:Zq8vR2mLx9@h.internal/x'; D = '{AWS_ID}'\n"
    );
    let first = hits("src/x.py", &text);
    let detectors: Vec<&str> = first.iter().map(|h| h.0).collect();
    assert_eq!(
        detectors,
        [
            "github-token",
            "aws-access-key-id",
            "database-uri-password",
            "aws-access-key-id"
        ]
    );
    for _ in 0..5 {
        assert_eq!(hits("src/x.py", &text), first);
    }
}

#[test]
fn a_specific_detector_wins_over_the_generic_one() {
    // `apiKey: "AIza..."` is both a Google key and a secret-named literal: reported once.
    let key = GOOGLE_KEY;
    one(
        "src/maps.ts",
        &format!("const c = {{ apiKey: \"{key}\" }};\n"),
        "google-api-key",
        key,
        Confidence::High,
    );
}

#[test]
fn hostile_input_does_not_panic() {
    let mut junk = String::new();
    for i in 0..2000u32 {
        junk.push_str(
            [
                "AKIA",
                "ghp_",
                "-----BEGIN PRIVATE KEY-----",
                "eyJ",
                "Basic ",
                "password=",
                "postgres://",
                "\u{feff}",
                "é",
                "\r\n",
            ][(i % 10) as usize],
        );
    }
    let file = SourceFile::new("x.js", junk);
    for ctx in [
        FileContext::Source,
        FileContext::Env,
        FileContext::Notebook,
        FileContext::Config,
        FileContext::Descriptor,
    ] {
        let _ = scan(&file, ctx);
    }
    let empty = SourceFile::new("x.js", "");
    assert!(scan(&empty, FileContext::Source).is_empty());
}

#[test]
fn example_env_files_get_medium_confidence() {
    let text = "SESSION_SECRET=q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J\nDB_PASSWORD=your_password_here\n";
    one(
        ".env.example",
        text,
        "generic-secret-assignment",
        "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J",
        Confidence::Medium,
    );
    one(
        ".env",
        text,
        "generic-secret-assignment",
        "q7Lm2Vx9Rt4Kp8Zc3Nw6Bh1J",
        Confidence::High,
    );
}

#[test]
fn code_embedded_in_templates_is_not_a_bare_value() {
    let text = "Resources:\n  Fn:\n    Properties:\n      Code:\n        ZipFile: |\n          credentials = session.get_credentials()\n          signing_key = getSignatureKey(secret_key, datestamp)\n          token = os.environ['TOKEN']\n";
    none("template.yaml", text);
    none("config/app.yml", "auth:\n  token: compute(secret)\n");
}

#[test]
fn basic_auth_calls_and_non_credentials() {
    one(
        "src/call.py",
        "r = requests.get(url, auth=HTTPBasicAuth('deploy', 'Wq9rT2xLm4vB'))\n",
        "http-basic-credentials",
        "Wq9rT2xLm4vB",
        Confidence::High,
    );
    none(
        "src/call.py",
        "r = requests.get(url, auth=HTTPBasicAuth(user, password))\n",
    );
    // A pair on a line that mentions "basic" but encodes nothing; RFC 6749's example.
    none("src/lexer.py", "    \"ly:basic-progress\",\n");
    none(
        "src/oauth.py",
        "# Authorization: Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW\n",
    );
}

#[test]
fn quoted_type_annotations_are_not_values() {
    none(
        "src/rsa.py",
        "def sign(backend: \"Backend\", private_key: \"_RSAPrivateKey\", data: bytes):\n",
    );
    none(
        "src/rsa.py",
        "    private_key: \"_EllipticCurvePrivateKey\",\n",
    );
}

#[test]
fn basic_credentials_concatenated_from_literals_are_found_at_the_expression() {
    let text = "const auth = 'Basic ' + 'user:8e254ed4';\nconst h = \"Basic \" + \"svc:\" + \"Q7vL2mXk\";\n";
    let file = SourceFile::new("src/client.js", text);
    let found = scan(&file, FileContext::Source);
    let got: Vec<(&str, &str)> = found
        .iter()
        .map(|m| (m.detector, file.slice(m.span)))
        .collect();
    assert_eq!(
        got,
        [
            ("http-basic-credentials", "'user:8e254ed4'"),
            ("http-basic-credentials", "\"svc:\" + \"Q7vL2mXk\""),
        ]
    );
    // A scheme followed by a variable or a placeholder is not a credential.
    let file = SourceFile::new(
        "src/client.js",
        "const a = 'Basic ' + token;\nconst b = 'Basic ' + 'user:<password>';\n",
    );
    assert!(scan(&file, FileContext::Source).is_empty());
}

#[test]
fn literal_keys_of_signing_and_encryption_calls_are_found() {
    for (path, text, key) in [
        (
            "src/auth.js",
            "const t = jwt.sign({ sub: id }, 'n0tS0S3cretKey!x', { expiresIn: 60 });\n",
            "n0tS0S3cretKey!x",
        ),
        (
            "src/auth.js",
            "jwt.verify(token, \"Zq8vR2mLx9Wt4Kp7\", (e, d) => d);\n",
            "Zq8vR2mLx9Wt4Kp7",
        ),
        (
            "app/auth.py",
            "tok = jwt.encode(payload, 'Zq8vR2mLx9Wt4Kp7', algorithm='HS256')\n",
            "Zq8vR2mLx9Wt4Kp7",
        ),
        (
            "app/sign.py",
            "mac = hmac.new(b'Zq8vR2mLx9Wt4Kp7', body, hashlib.sha256)\n",
            "Zq8vR2mLx9Wt4Kp7",
        ),
        (
            "app/crypt.py",
            "f = Fernet(b'Q9wfdAJWo1q7epEnyELhrU98Bz4KUMMLjPuT6BOh8I0=')\n",
            "Q9wfdAJWo1q7epEnyELhrU98Bz4KUMMLjPuT6BOh8I0=",
        ),
    ] {
        let file = SourceFile::new(path, text);
        let found = scan(&file, FileContext::for_path(path));
        assert_eq!(found.len(), 1, "{text}");
        assert_eq!(found[0].detector, "signing-key-literal", "{text}");
        assert_eq!(file.slice(found[0].span), key);
        assert_eq!(found[0].confidence, Confidence::High);
    }
    for text in [
        "jwt.sign(payload, process.env.JWT_SECRET);\n",
        "jwt.sign(payload, secret);\n",
        "mac = hmac.new(key, body, hashlib.sha256)\n",
        "f = Fernet(os.environ['KEY'])\n",
    ] {
        let file = SourceFile::new("src/auth.js", text);
        assert!(scan(&file, FileContext::Source).is_empty(), "{text}");
    }
}
