//! The variable resolvers (Serverless variables, Terraform expressions, CloudFormation
//! intrinsics) under amplification: each input line becomes a value that the next level
//! uses twice (`${self:custom.a}${self:custom.a}`, fallbacks, `${local.a}${local.a}`,
//! `concat(l, l)`, `!Join`/`!Sub` over the previous level), 40 levels deep. Beyond not
//! crashing, every load must finish within [`MAX_MILLIS`] and every resolved value must stay
//! within the resolvers' bound: a doubling the bounds miss fails here, not in a user's CI.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use perimeter_diagnostics::SourceFile;
use perimeter_fuzz::{Tree, touch};
use perimeter_model::limits::{MAX_RESOLVE_WORK, MAX_VALUE_BYTES, weight};
use perimeter_model::{Application, Node, Value, cfn, serverless, terraform};

/// Longest a load may take, in milliseconds: 2 s optimised on one core. An unoptimised build
/// (`FUZZ_BUILD=dev`, with debug assertions: CI's smoke run) does the same bounded work five
/// to ten times slower (2.7 s against 0.4 s for the CloudFormation load of an empty input), so
/// there the bound only catches a blow-up; the optimised campaign checks the real one.
const MAX_MILLIS: u64 = if cfg!(debug_assertions) { 20_000 } else { 2_000 };
/// Levels of doubling written around the input.
const LEVELS: usize = 40;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let seeds: Vec<String> = text
        .lines()
        .take(8)
        .map(|l| l.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | '\\')).collect())
        .collect();
    if seeds.is_empty() {
        return;
    }
    let seed = |i: usize| seeds[i % seeds.len()].as_str();
    bounded("serverless", text.len(), || {
        let mut doc = String::from("service: s\nprovider:\n  name: aws\ncustom:\n");
        doc.push_str(&format!("  a0: '{}'\n  l0: ['{}']\n", seed(0), seed(1)));
        for i in 1..=LEVELS {
            let p = i - 1;
            // The input picks the shape of each level.
            let line = match seed(i).len() % 4 {
                0 => format!("  a{i}: '${{self:custom.a{p}}}${{self:custom.a{p}}}'\n"),
                1 => format!("  a{i}: ${{self:custom.a{p}, self:custom.a{p}}}\n"),
                2 => format!("  a{i}: '{}${{self:custom.a{p}}}${{self:custom.a{p}}}'\n", seed(i)),
                _ => format!("  a{i}: ${{self:custom.missing, self:custom.a{p}}}\n"),
            };
            doc.push_str(&line);
            doc.push_str(&format!("  l{i}: ['${{self:custom.l{p}}}', '${{self:custom.l{p}}}']\n"));
        }
        doc.push_str(&format!(
            "functions:\n  f:\n    handler: h.main\n    environment:\n      A: ${{self:custom.a{LEVELS}}}\n      L: ${{self:custom.l{LEVELS}}}\n"
        ));
        let tree = Tree::new(doc.as_bytes(), "serverless.yml", &[])?;
        let file = tree.get("serverless.yml")?;
        let parsed = perimeter_model::yaml::parse(&file).ok()?;
        Some(serverless::load(&file, parsed, &tree, &serverless::LoadOptions::default()))
    });
    bounded("terraform", text.len(), || {
        let mut tf = format!("locals {{\n  a0 = \"{}\"\n  l0 = [\"{}\"]\n", seed(0), seed(1));
        for i in 1..=LEVELS {
            let p = i - 1;
            let line = match seed(i).len() % 3 {
                0 => format!("  a{i} = \"${{local.a{p}}}${{local.a{p}}}\"\n"),
                1 => format!("  a{i} = join(\"{}\", [local.a{p}, local.a{p}])\n", seed(i)),
                _ => format!("  a{i} = replace(local.a{p}, \"{}\", local.a{p})\n", seed(i)),
            };
            tf.push_str(&line);
            tf.push_str(&format!("  l{i} = concat(local.l{p}, local.l{p})\n"));
        }
        tf.push_str(&format!(
            "}}\nresource \"aws_lambda_function\" \"f\" {{\n  function_name = local.a{LEVELS}\n  handler = \"h.main\"\n  environment {{\n    variables = {{ L = join(\",\", local.l{LEVELS}) }}\n  }}\n}}\n"
        ));
        let tree = Tree::new(tf.as_bytes(), "app/main.tf", &[])?;
        Some(terraform::load("app", &tree).0)
    });
    bounded("cloudformation", text.len(), || {
        let mut t = format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  P0:\n    Type: String\n    Default: '{}'\nConditions:\n",
            seed(0)
        );
        // Conditions that use each other twice per level (and, from the input, themselves).
        t.push_str("  C0: !Equals [a, a]\n");
        for i in 1..=LEVELS {
            let p = if seed(i).len() % 5 == 0 { i } else { i - 1 };
            t.push_str(&format!("  C{i}: !And [!Condition C{p}, !Condition C{p}]\n"));
        }
        t.push_str("Mappings:\n  M:\n");
        for i in 1..=LEVELS {
            let p = i - 1;
            t.push_str(&format!(
                "    k{i}:\n      v: !Join ['{}', [!FindInMap [M, k{p}, v], !FindInMap [M, k{p}, v]]]\n",
                seed(i)
            ));
        }
        t.push_str(&format!("    k0:\n      v: '{}'\n", seed(1)));
        t.push_str("Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n");
        t.push_str(&format!(
            "      FunctionName: !If [C{LEVELS}, !FindInMap [M, k{LEVELS}, v], x]\n      Description: !Sub '{}'\n      Handler: h.main\n      Runtime: python3.12\n",
            "${P0}".repeat(seed(2).len() * 1000 + 1)
        ));
        let file = SourceFile::new("template.yaml", t);
        let doc = perimeter_model::yaml::parse(&file).ok()?;
        Some(cfn::load("template.yaml", "", doc))
    });
});

/// Runs one load and checks its time and the size of what it resolved.
fn bounded(what: &str, input: usize, load: impl FnOnce() -> Option<Application>) {
    let start = Instant::now();
    let Some(app) = load() else {
        return;
    };
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(MAX_MILLIS),
        "{what}: the load took {took:?}"
    );
    let mut largest = 0;
    let mut total = 0;
    let mut visit = |n: &Node| {
        largest = largest.max(longest_text(n));
        total += weight(n);
    };
    app.document.iter().for_each(&mut visit);
    for f in &app.functions {
        f.properties.iter().for_each(&mut visit);
    }
    for r in &app.resources {
        r.properties.iter().for_each(&mut visit);
    }
    // A value may hold the input's own text besides what resolution produced.
    assert!(
        largest <= MAX_VALUE_BYTES + 64 * input + 4096,
        "{what}: a resolved text of {largest} bytes"
    );
    assert!(
        total <= 4 * MAX_RESOLVE_WORK + 1024 * input + (1 << 20),
        "{what}: the model weighs {total} bytes"
    );
    touch(&app);
}

/// The longest text in a value.
fn longest_text(n: &Node) -> usize {
    match &n.value {
        Value::Str(s) | Value::Symbolic(s) => s.len(),
        Value::Seq(items) => items.iter().map(longest_text).max().unwrap_or(0),
        Value::Map(entries) => entries.iter().map(|(_, v)| longest_text(v)).max().unwrap_or(0),
        _ => 0,
    }
}
