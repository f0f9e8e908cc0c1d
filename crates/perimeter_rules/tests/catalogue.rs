//! The code table's invariants: codes and names unique and well-formed, docs complete, each
//! rule with fixtures that fire and that must not.

mod common;

use std::collections::BTreeSet;

use perimeter_rules::{all, by_code_or_name, registry};

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let code_re = regex::Regex::new(r"^[A-Z]{2,4}[0-9]{3}$").unwrap();
    let name_re = regex::Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in all() {
        let m = r.meta();
        assert!(code_re.is_match(m.code), "bad code {}", m.code);
        assert!(name_re.is_match(m.name), "bad name {}", m.name);
        assert!(codes.insert(m.code), "duplicate code {}", m.code);
        assert!(names.insert(m.name), "duplicate name {}", m.name);
        assert!(by_code_or_name(m.code).is_some_and(|x| x.meta().code == m.code));
        assert!(by_code_or_name(m.name).is_some_and(|x| x.meta().code == m.code));
    }
    let list: Vec<&str> = all().iter().map(|r| r.meta().code).collect();
    let mut sorted = list.clone();
    sorted.sort_by_key(|c| (&c[..c.len() - 3], &c[c.len() - 3..]));
    assert!(all().len() >= 45, "{} rules", all().len());
    for (old, new) in registry::REDIRECTS {
        assert!(
            codes.contains(new),
            "redirect {old} -> {new} points nowhere"
        );
        assert!(
            !codes.contains(old) && !names.contains(old),
            "redirect {old} shadows a rule"
        );
    }
}

#[test]
fn every_rule_has_complete_docs() {
    for r in all() {
        let m = r.meta();
        for section in ["What it does", "Why is this bad?", "Example", "References"] {
            let text = m.section(section).unwrap_or_default();
            assert!(!text.is_empty(), "{} lacks `## {section}`", m.code);
        }
        let refs = m.section("References").unwrap_or_default();
        assert!(refs.contains("CWE-"), "{} names no CWE", m.code);
        assert!(
            refs.contains("OWASP Serverless Top 10") && refs.contains("SAS-"),
            "{} lacks OWASP/SAS refs",
            m.code
        );
        assert!(
            !m.summary().is_empty() && !m.summary().contains('#'),
            "{} summary",
            m.code
        );
        assert!(
            !m.markdown().contains("? No"),
            "{} has a draft note in its docs",
            m.code
        );
    }
}

#[test]
fn every_rule_has_fixtures_that_fire_and_that_must_not() {
    let dirs = common::fixture_dirs();
    for r in all() {
        let code = r.meta().code;
        let dir = dirs
            .iter()
            .find(|d| d.file_name().is_some_and(|n| n == code));
        let Some(dir) = dir else {
            panic!("{code} has no fixture directory")
        };
        let (mut expect, mut ok) = (0, 0);
        for file in common::sorted(dir) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            expect += common::marked_lines(&text, "expect", code).len();
            ok += common::marked_lines(&text, "ok", code).len();
        }
        assert!(
            expect > 0,
            "{code}: no `expect: {code}` marker in {}",
            dir.display()
        );
        assert!(
            ok > 0,
            "{code}: no `ok: {code}` marker in {}",
            dir.display()
        );
    }
}

#[test]
fn markers_parse() {
    let text = "a: 1 # expect: IAM001, IAM003\nb: 2 # ok: IAM001\nc: 3 # todo-expect: IAM001\n";
    assert_eq!(
        common::marked_lines(text, "expect", "IAM003"),
        BTreeSet::from([1])
    );
    assert_eq!(
        common::marked_lines(text, "expect", "IAM001"),
        BTreeSet::from([1])
    );
    assert_eq!(
        common::marked_lines(text, "ok", "IAM001"),
        BTreeSet::from([2])
    );
}

/// Rules without a Terraform form of their fixture, and why. Every other rule has a `*.tf`
/// fixture next to its Serverless Framework / SAM / CloudFormation ones, and the fixture
/// harness holds them to the same `expect`/`ok` lines.
const NOT_IN_TERRAFORM: &[(&str, &str)] = &[
    // Code rules: the descriptor only says where the handler is. INJ001 and IAM010 have
    // Terraform fixtures that exercise the code analysis on a Terraform application.
    ("INJ002", "code rule, exercised through INJ001"),
    ("INJ003", "code rule, exercised through INJ001"),
    ("INJ004", "code rule, exercised through INJ001"),
    ("INJ005", "code rule, exercised through INJ001"),
    ("INJ006", "code rule, exercised through INJ001"),
    ("INJ007", "code rule, exercised through INJ001"),
    ("INJ008", "code rule, exercised through INJ001"),
    ("INJ009", "code rule, exercised through INJ001"),
    ("ERR001", "code rule, exercised through INJ001"),
    ("AUTH008", "code rule, exercised through INJ001"),
    ("AUTH009", "code rule, exercised through INJ001"),
    ("AUTH010", "code rule, exercised through INJ001"),
    ("AUTH011", "code rule, exercised through INJ001"),
    ("STO009", "code rule, exercised through INJ001"),
    (
        "DOW011",
        "graph rule over code writes, exercised through INJ001 and the channel tests",
    ),
    ("IAM011", "code against role, exercised through IAM010"),
    (
        "SEC002",
        "a token literal in any descriptor value: format-independent",
    ),
    (
        "SEC005",
        "the Serverless Framework `custom:` block has no Terraform form",
    ),
    (
        "SEC006",
        "reads every repository file, whatever the descriptor",
    ),
    ("DEP001", "reads lockfiles, whatever the descriptor"),
    ("SEC007", "code rule, exercised through INJ001"),
];

#[test]
fn every_rule_that_applies_has_a_terraform_fixture() {
    let mut missing = Vec::new();
    for dir in common::fixture_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let has_tf = common::sorted(&dir)
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "tf"));
        let excused = NOT_IN_TERRAFORM.iter().any(|(c, _)| *c == code);
        if !has_tf && !excused {
            missing.push(code.clone());
        }
        assert!(
            !(has_tf && excused),
            "{code} has a Terraform fixture: take it off NOT_IN_TERRAFORM"
        );
    }
    assert!(
        missing.is_empty(),
        "rules without a Terraform fixture: {missing:?}"
    );
}

/// Code rules: the descriptor only says where the handler is and what triggers it, so one
/// format is enough; INJ001 and IAM011 have fixtures in every format, which exercise handler
/// resolution from each of them.
const CODE_RULES: &[&str] = &[
    "AUTH008", "AUTH009", "AUTH010", "AUTH011", "ERR001", "INJ002", "INJ003", "INJ004", "INJ005",
    "INJ006", "INJ007", "INJ008", "INJ009", "INJ010", "SEC007",
];

/// Rules that read something else than a descriptor: every repository file, lockfiles.
const NOT_DESCRIPTOR_RULES: &[&str] = &["SEC006", "DEP001"];

/// Rules judging a plain CloudFormation resource (a Cognito pool, a bucket policy, a
/// permission, a KMS key...): SAM templates are read by the same loader, so the `cfn.yaml`
/// fixture is the SAM case too.
const CLOUDFORMATION_RESOURCE_RULES: &[&str] = &[
    "AUTH003", "AUTH006", "AUTH007", "DOW011", "IAM009", "STO002", "STO005", "STO008",
];

/// Which fixture formats a rule directory must hold, and why not the others.
fn required_formats(code: &str) -> (bool, bool, bool) {
    if NOT_DESCRIPTOR_RULES.contains(&code) {
        return (false, false, false);
    }
    if CODE_RULES.contains(&code) {
        // One descriptor of any kind.
        return (false, false, false);
    }
    // The Serverless Framework's `custom:` block exists nowhere else.
    if code == "SEC005" {
        return (true, false, false);
    }
    let sam = !CLOUDFORMATION_RESOURCE_RULES.contains(&code);
    (true, sam, true)
}

#[test]
fn every_rule_has_fixtures_in_each_format_where_its_construct_exists() {
    let mut missing = Vec::new();
    for dir in common::fixture_dirs() {
        let code = dir.file_name().unwrap().to_string_lossy().into_owned();
        let names: Vec<String> = common::sorted(&dir)
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let has = |prefix: &str, exts: &[&str]| {
            names
                .iter()
                .any(|n| n.starts_with(prefix) && exts.iter().any(|e| n.ends_with(e)))
        };
        let (serverless, sam, cfn) = required_formats(&code);
        let present = [
            (
                "serverless.yml",
                serverless,
                has("serverless", &[".yml", ".yaml"]),
            ),
            (
                "template.yaml (SAM)",
                sam,
                has("template", &[".yaml", ".yml"]),
            ),
            ("cfn.yaml or cfn.json", cfn, has("cfn", &[".yaml", ".json"])),
        ];
        for (format, required, found) in present {
            if required && !found {
                missing.push(format!("{code}: {format}"));
            }
        }
        if CODE_RULES.contains(&code.as_str()) {
            assert!(
                names
                    .iter()
                    .any(|n| n.ends_with(".yaml") || n.ends_with(".yml")),
                "{code}: a code rule still needs a descriptor"
            );
        }
    }
    assert!(missing.is_empty(), "fixtures missing: {missing:#?}");
    // The code rules' shared proof: INJ001 and IAM011 load their handlers from each format.
    for code in ["INJ001", "IAM011"] {
        let dir = common::fixture_dirs()
            .into_iter()
            .find(|d| d.file_name().is_some_and(|n| n == code))
            .unwrap();
        let names: Vec<String> = common::sorted(&dir)
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("serverless"))
                && names.iter().any(|n| n.starts_with("template")),
            "{code}: {names:?}"
        );
    }
}
