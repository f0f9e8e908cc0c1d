//! Third-party packages: published vulnerabilities in what the functions ship.

mod vulnerable_dependency;

pub use vulnerable_dependency::{
    DependencyAssessment, DependencyInput, VulnerableDependency, assess_dependencies,
    check_dependencies, runtime_ecosystem,
};
