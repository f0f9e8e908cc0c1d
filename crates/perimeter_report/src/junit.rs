//! JUnit XML: one test suite per rule with a failing test case per finding, and a suite of
//! errors for what could not be analysed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use perimeter_diagnostics::Finding;

use crate::Report;

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn render(report: &Report) -> String {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_rule.entry(f.rule.as_str()).or_default().push(f);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"perimeter\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        report.findings.len().max(1) + report.errors.len(),
        report.findings.len(),
        report.errors.len()
    );
    if by_rule.is_empty() {
        out.push_str("  <testsuite name=\"perimeter\" tests=\"1\" failures=\"0\" errors=\"0\">\n    <testcase name=\"no findings\" classname=\"perimeter\"/>\n  </testsuite>\n");
    }
    for (rule, findings) in &by_rule {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            xml(rule),
            findings.len(),
            findings.len()
        );
        for f in findings {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}:{} {}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                xml(&f.path),
                f.line,
                xml(rule),
                xml(&f.path),
                xml(&f.path),
                f.line
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}:{}:{} {}\n{}</failure>",
                xml(&f.message),
                f.severity.as_str(),
                xml(&f.path),
                f.line,
                f.column,
                xml(&f.message),
                xml(&f.help)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"errors\" tests=\"{0}\" failures=\"0\" errors=\"{0}\">",
            report.errors.len()
        );
        for e in &report.errors {
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"errors\">\n      <error message=\"{}\"/>\n    </testcase>",
                xml(&e.path),
                xml(&e.message)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    let _ = writeln!(
        out,
        "  <testsuite name=\"perimeter configuration\" tests=\"0\" failures=\"0\" errors=\"0\">\n    <properties>\n      <property name=\"configuration\" value=\"{}\"/>\n    </properties>\n  </testsuite>",
        xml(&report.configuration.describe())
    );
    out.push_str("</testsuites>\n");
    out
}
