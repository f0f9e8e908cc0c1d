//! Helpers shared by the CLI tests that read JSON reports.

use serde_json::Value;

/// The rule codes reported at a path.
pub(crate) fn rules_at(report: &Value, path: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}
