//! Third-party packages: published vulnerabilities in what the functions ship.

mod vulnerable_dependency;

pub use vulnerable_dependency::{
    DependencyInput, VulnerableDependency, check_dependencies, runtime_ecosystem,
};
