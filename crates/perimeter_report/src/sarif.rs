//! SARIF 2.1.0, as GitHub code scanning reads it: rules with help and `security-severity`,
//! results with `partialFingerprints`, relative URIs under `%SRCROOT%`, and `codeFlows` for
//! data-flow traces.

use serde_json::{Value, json};

use perimeter_diagnostics::{Finding, Severity, TraceStep};

use crate::{Report, SourceLookup, security_severity};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn uri(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            seg.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn location(
    path: &str,
    line: u32,
    column: u32,
    end: Option<(u32, u32)>,
    snippet: Option<String>,
) -> Value {
    let mut region = json!({"startLine": line.max(1), "startColumn": column.max(1)});
    if let Some((el, ec)) = end.filter(|e| *e >= (line, column)) {
        region["endLine"] = json!(el.max(1));
        region["endColumn"] = json!(ec.max(1));
    }
    if let Some(s) = snippet {
        region["snippet"] = json!({"text": s});
    }
    json!({"physicalLocation": {"artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"}, "region": region}})
}

fn step_location(step: &TraceStep) -> Value {
    json!({"location": {
        "physicalLocation": location(step.path.as_str(), step.line, step.column, None, None)["physicalLocation"].clone(),
        "message": {"text": step.note},
    }})
}

fn result(f: &Finding, index: usize, sources: &dyn SourceLookup) -> Value {
    let snippet = sources
        .source(&f.path)
        .map(|s| s.line_text(f.line).to_owned());
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": if f.help.is_empty() { f.message.clone() } else { format!("{}. {}", f.message, f.help) }},
        "locations": [location(&f.path, f.line, f.column, Some((f.end_line, f.end_column)), snippet)],
        "partialFingerprints": {"perimeter/v1": f.fingerprint},
        "properties": {"severity": f.severity.as_str(), "kind": f.kind.as_str()},
    });
    if let Some(func) = &f.function {
        r["properties"]["function"] = json!(func);
    }
    if let Some(app) = &f.app {
        r["properties"]["app"] = json!(app);
    }
    if !f.trace.is_empty() {
        let mut steps: Vec<Value> = f.trace.iter().map(step_location).collect();
        steps.push(json!({"location": {
            "physicalLocation": location(&f.path, f.line, f.column, None, None)["physicalLocation"].clone(),
            "message": {"text": f.message},
        }}));
        r["codeFlows"] = json!([{"threadFlows": [{"locations": steps}]}]);
    }
    r
}

pub(crate) fn render(report: &Report, sources: &dyn SourceLookup) -> String {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|r| {
            let mut tags = vec!["security".to_owned(), r.kind.as_str().to_owned()];
            tags.extend(
                r.cwe
                    .iter()
                    .map(|c| format!("external/cwe/{}", c.to_ascii_lowercase())),
            );
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.docs, "markdown": r.docs},
                "helpUri": r.help_uri,
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {
                    "tags": tags,
                    "security-severity": security_severity(r.severity),
                    "precision": "high",
                    "problem.severity": level(r.severity),
                },
            })
        })
        .collect();
    let index_of = |code: &str| {
        report
            .rules
            .iter()
            .position(|r| r.code == code)
            .unwrap_or(0)
    };
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| result(f, index_of(&f.rule), sources))
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [location(&e.path, e.line.unwrap_or(1), 1, None, None)],
            })
        })
        .collect();
    let mut configuration_notes = vec![json!({
        "level": "note",
        "message": {"text": report.configuration.describe()},
    })];
    let mut properties = json!({"configuration": report.configuration});
    if report.summary.not_affected > 0 {
        configuration_notes.push(json!({
            "level": "note",
            "message": {"text": crate::text::not_affected_line(report.summary.not_affected)},
        }));
        properties["notAffected"] = json!(report.summary.not_affected);
    }
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "perimeter",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": "https://github.com/perimeter-sec/perimeter",
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The scanned folder"}}},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
                "toolConfigurationNotifications": configuration_notes,
            }],
            "properties": properties,
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}
