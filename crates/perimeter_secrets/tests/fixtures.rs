//! Fixture files under `tests/fixtures/`: every line marked `expect: <detector>` (optionally
//! `expect: <detector>/medium`) must be reported, with that confidence (high by default), and
//! no other line may be. Secrets are written as `__NAME__` in the files and substituted here,
//! so the repository never holds a contiguous token that its own secret scanning would flag.

use std::fs;
use std::path::Path;

use perimeter_diagnostics::SourceFile;
use perimeter_secrets::{Confidence, FileContext, is_candidate_file, scan};

/// CRC-32 (IEEE), bit by bit, to build a GitHub token with a valid checksum.
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

fn github_token() -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let random = "Nn8FRIBXuDL7DxtpYlSXpfKtHF4vUC";
    let mut n = crc32(random.as_bytes());
    let mut check = Vec::new();
    while n > 0 {
        check.push(char::from(DIGITS[(n % 62) as usize]));
        n /= 62;
    }
    while check.len() < 6 {
        check.push('0');
    }
    let check: String = check.into_iter().rev().collect();
    format!("gh{}_{random}{check}", "p")
}

fn substitutions() -> Vec<(&'static str, String)> {
    let pem_body = "Q9wfdAJW/o1q7epEnyELhrU98Bz4KUMMLjPuT6BOh8I0SnKArC1FWM0E/kAJAwS7\n\
        gY36MIN5Pu9yG6jRpm6ofovV42T4gU6wN/s6VzLV4bS6oiNn/Vj7DdYhAxKgveFB\n";
    vec![
        (
            "__AWS_ID__",
            concat!("AK", "IA", "Q3EGV5AXT7PLX2MB").to_owned(),
        ),
        (
            "__AWS_SECRET__",
            "u8jzPde0IgxLd6Gncf/BAepfJBd0Kh8oOOL8dKL+".to_owned(),
        ),
        (
            "__STRIPE_LIVE__",
            concat!("sk_", "live_", "XsiVpzz63FfkCzJr4i0B3JrT").to_owned(),
        ),
        (
            "__SLACK_HOOK__",
            concat!(
                "https://hooks.slack.com/services/",
                "T4K8Q2M7Z/",
                "B9X3L5P1V/UStPKR0CsTy4Qwb8DwkNhFdn"
            )
            .to_owned(),
        ),
        (
            "__SLACK_BOT__",
            concat!(
                "xo",
                "xb-",
                "1234567890123-9876543210987-UStPKR0CsTy4Qwb8DwkNhFdn"
            )
            .to_owned(),
        ),
        (
            "__GOOGLE_KEY__",
            concat!("AI", "za", "OjE2jBMptUsGr7CmY_uCu3ZR1zTOlUcR64c").to_owned(),
        ),
        (
            "__SENDGRID__",
            concat!(
                "SG",
                ".7s8Stqcbnr3yBdGBLEPH1q",
                ".hT61qtc4xatws8phP9nhFyJfm5di4PzJ59FHz5r1pY4"
            )
            .to_owned(),
        ),
        (
            "__JWT__",
            concat!(
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
                ".",
                "eyJzdWIiOiJ1c2VyLTQyIiwicm9sZSI6ImFkbWluIiwiaWF0IjoxNzAwMDAwMDAwfQ",
                ".",
                "VEGmvrFNn5EiA3sPfET4rBmxN6x9SrWESXZ3d8Qe_uQ"
            )
            .to_owned(),
        ),
        (
            "__GITLAB__",
            concat!("gl", "pat-", "0uvSwMFLZDe1f8rESQed").to_owned(),
        ),
        ("__GITHUB__", github_token()),
        (
            "__PEM__",
            format!(
                "-----BEGIN {0}-----\\n{1}-----END {0}-----",
                "PRIVATE KEY",
                pem_body.replace('\n', "\\n")
            ),
        ),
    ]
}

/// `(line, detector, confidence)` from the `expect:` markers of a file.
fn expectations(text: &str) -> Vec<(u32, String, Confidence)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((_, marker)) = line.split_once("expect: ") else {
            continue;
        };
        let marker = marker
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches(['"', ',']);
        let (detector, confidence) = match marker.split_once('/') {
            Some((d, "medium")) => (d, Confidence::Medium),
            Some((d, "low")) => (d, Confidence::Low),
            Some((d, other)) => panic!("unknown confidence {other} for {d}"),
            None => (marker, Confidence::High),
        };
        out.push((
            u32::try_from(i + 1).unwrap(),
            detector.to_owned(),
            confidence,
        ));
    }
    out
}

fn visit(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            visit(root, &path, files);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            files.push(rel);
        }
    }
}

#[test]
fn fixtures_report_exactly_the_marked_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    visit(&root, &root, &mut files);
    assert!(files.len() >= 6, "fixtures missing: {files:?}");
    let subs = substitutions();
    let mut total = 0;
    for rel in files {
        assert!(is_candidate_file(&rel), "{rel} would not be scanned");
        let mut text = fs::read_to_string(root.join(&rel)).unwrap();
        for (marker, value) in &subs {
            text = text.replace(marker, value);
        }
        let expected = expectations(&text);
        let file = SourceFile::new(rel.clone(), text);
        let found: Vec<(u32, String, Confidence)> = scan(&file, FileContext::for_path(&rel))
            .into_iter()
            .map(|m| {
                (
                    file.position(m.span.start).line,
                    m.detector.to_owned(),
                    m.confidence,
                )
            })
            .collect();
        total += expected.len();
        assert_eq!(found, expected, "in {rel}");
    }
    assert!(total >= 20, "only {total} expectations");
}
