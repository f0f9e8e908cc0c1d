//! GitLab SAST report (schema 15.0.0).

use serde_json::json;

use perimeter_diagnostics::Severity;

use crate::Report;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

pub(crate) fn render(report: &Report) -> String {
    let vulns: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "id": f.fingerprint,
                "category": "sast",
                "name": f.name,
                "message": f.message,
                "description": if f.help.is_empty() { f.message.clone() } else { f.help.clone() },
                "severity": severity(f.severity),
                "scanner": {"id": "perimeter", "name": "perimeter"},
                "location": {"file": f.path, "start_line": f.line, "end_line": f.end_line.max(f.line)},
                "identifiers": [{"type": "perimeter_rule", "name": f.rule, "value": f.rule}],
            })
        })
        .collect();
    let v = json!({
        "version": "15.0.0",
        "vulnerabilities": vulns,
        "scan": {
            "analyzer": {"id": "perimeter", "name": "perimeter", "version": report.tool_version, "vendor": {"name": "perimeter"}},
            "scanner": {"id": "perimeter", "name": "perimeter", "version": report.tool_version, "vendor": {"name": "perimeter"}},
            "type": "sast",
            "status": "success",
            "messages": [{"level": "info", "value": report.configuration.describe()}],
            "start_time": "1970-01-01T00:00:00",
            "end_time": "1970-01-01T00:00:00",
        },
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
