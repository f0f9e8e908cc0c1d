//! Not-affected statements: an advisory that matches a package of the tree but cannot affect
//! the deployed application, with the reason in the words of VEX (OpenVEX and CSAF
//! `not_affected` justifications) and the evidence for it. They are listed in the report, not
//! reported as findings.

use serde::Serialize;

use crate::{Finding, Severity};

/// Why an advisory cannot affect the deployed application (the OpenVEX justifications).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The package is not in what is deployed (a development dependency, a lockfile no
    /// deployed function loads).
    ComponentNotPresent,
    /// The package is deployed but the code of its that holds the flaw is not.
    VulnerableCodeNotPresent,
    /// The flawed code is deployed but nothing the application runs calls it.
    VulnerableCodeNotInExecutePath,
    /// The flawed code runs, but never with input an attacker chooses.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Something else in the application stops the attack.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// The VEX name (`component_not_present`).
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

/// An advisory judged not to affect the deployed application.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotAffected {
    /// The rule that matched it (`DEP001`).
    pub rule: String,
    /// The package.
    pub package: String,
    /// Its version (or the range, when unpinned).
    pub version: String,
    /// The advisory's id.
    pub advisory: String,
    /// Its other ids (CVE).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The advisory's own severity.
    pub severity: Severity,
    /// Why it cannot affect the application.
    pub justification: Justification,
    /// The facts that show it, one short sentence.
    pub evidence: String,
    /// Where the package is declared, relative to the scan root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// The function whose code reaches the package, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The finding it would be (reported instead when not-affected advisories are asked for
    /// as findings).
    #[serde(skip)]
    pub finding: Finding,
}

impl NotAffected {
    /// Moves the statement under a path prefix (several scan roots).
    pub fn prefix(&mut self, prefix: &str) {
        self.path = format!("{prefix}/{}", self.path);
        self.finding.path = format!("{prefix}/{}", self.finding.path);
        for t in &mut self.finding.trace {
            t.path = format!("{prefix}/{}", t.path);
        }
    }
}
