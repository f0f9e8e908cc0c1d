//! The JSON report: schema_version 1, the stable contract of the architecture document.

use serde_json::json;

use crate::Report;

pub(crate) fn render(report: &Report) -> String {
    let value = json!({
        "schema_version": 1,
        "tool": {"name": "perimeter", "version": report.tool_version},
        "summary": report.summary,
        "findings": report.findings,
        "not_affected": report.not_affected,
        "errors": report.errors,
        "warnings": report.warnings,
        "configuration": report.configuration,
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}
