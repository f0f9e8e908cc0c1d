//! What is in the tree that perimeter does not read: CDK apps without synthesised templates,
//! SST, Pulumi and Amplify sources. Each is one warning saying what to do, so that a
//! report without their functions is never mistaken for a clean one. None is an error: the
//! tree is what it is, and the gate must not fail on it.

use std::collections::BTreeSet;

use crate::model::Application;

/// The folder of a relative path (`""` at the root).
fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Whether `rel` is `dir` itself or under it.
fn under(rel: &str, dir: &str) -> bool {
    dir.is_empty() || rel == dir || rel.starts_with(&format!("{dir}/"))
}

/// A folder for messages (`.` for the root).
fn shown(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// Project templates (`{{cookiecutter.name}}/`) are not applications.
fn templated(rel: &str) -> bool {
    rel.contains("{{") || rel.contains("{%")
}

/// One warning per source tree of a format perimeter does not read, from the files of the
/// walk and the applications loaded from them (a tree whose output was read, such as a CDK
/// app with its `cdk.out`, says nothing).
pub fn warnings(files: &[&str], apps: &[Application]) -> Vec<String> {
    // Functions found by convention are what such a tree leaves to be seen, not its output.
    let loaded_under = |dir: &str| {
        apps.iter()
            .any(|a| a.framework != crate::model::Framework::Convention && under(&a.id, dir))
    };
    let mut out = Vec::new();
    // CDK: a `cdk.json` whose folder has no synthesised template.
    for cdk in files
        .iter()
        .filter(|f| f.rsplit('/').next() == Some("cdk.json") && !templated(f))
    {
        let dir = dir_of(cdk);
        let synthesised = files.iter().any(|f| {
            under(f, dir) && f.ends_with(".template.json") && f.split('/').any(|p| p == "cdk.out")
        });
        // Templates committed in its folder are its synthesised output, read already.
        if synthesised || loaded_under(dir) {
            continue;
        }
        out.push(format!(
            "{cdk}: a CDK app without synthesised templates (no `cdk.out/*.template.json`): the functions it defines are not analysed; run `cdk synth` in `{}` and scan again",
            shown(dir)
        ));
    }
    // SST (v2 `sst.json`, v3 `sst.config.ts`).
    for sst in files.iter().filter(|f| {
        matches!(
            f.rsplit('/').next(),
            Some("sst.config.ts" | "sst.config.js" | "sst.config.mjs" | "sst.json")
        ) && !templated(f)
    }) {
        out.push(format!(
            "{sst}: an SST app: perimeter does not read SST sources, so the functions it defines are not analysed (missing format: SST; with SST v2, `sst build` writes CloudFormation templates that perimeter reads)"
        ));
    }
    // Pulumi: a project file.
    for pulumi in files.iter().filter(|f| {
        matches!(f.rsplit('/').next(), Some("Pulumi.yaml" | "Pulumi.yml")) && !templated(f)
    }) {
        out.push(format!(
            "{pulumi}: a Pulumi program: perimeter does not read Pulumi programs, so the functions it declares are not analysed (missing format: Pulumi)"
        ));
    }
    // Amplify: a backend folder (Gen 1 `amplify/backend/`, Gen 2 `amplify/backend.ts`).
    let mut amplify: BTreeSet<&str> = BTreeSet::new();
    for f in files.iter().filter(|f| !templated(f)) {
        let parts: Vec<&str> = f.split('/').collect();
        for (i, p) in parts.iter().enumerate() {
            if *p == "amplify"
                && parts
                    .get(i + 1)
                    .is_some_and(|n| *n == "backend" || n.starts_with("backend."))
            {
                let end = parts[..=i].iter().map(|s| s.len() + 1).sum::<usize>() - 1;
                amplify.insert(&f[..end]);
            }
        }
    }
    for dir in amplify {
        if loaded_under(dir) {
            continue;
        }
        out.push(format!(
            "{dir}: an Amplify backend: perimeter does not read Amplify sources, so its functions are not analysed (missing format: Amplify; Gen 1 projects that commit `amplify/backend/**/*-cloudformation-template.json` are read)"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Framework;

    #[test]
    fn each_unread_format_gives_one_warning() {
        let files = [
            "infra/cdk.json",
            "infra/lib/stack.ts",
            "sst.config.ts",
            "pulumi/Pulumi.yaml",
            "web/amplify/backend/function/f/src/index.js",
            "web/amplify/backend/backend-config.json",
        ];
        let w = warnings(&files, &[]);
        assert_eq!(w.len(), 4, "{w:#?}");
        assert!(w[0].starts_with("infra/cdk.json: ") && w[0].contains("`cdk synth`"));
        assert!(w[1].starts_with("sst.config.ts: ") && w[1].contains("SST"));
        assert!(w[2].starts_with("pulumi/Pulumi.yaml: "));
        assert!(w[3].starts_with("web/amplify: "));
    }

    #[test]
    fn synthesised_or_read_trees_say_nothing() {
        let files = [
            "cdk.json",
            "cdk.out/App.template.json",
            "amplify/backend/function/f/f-cloudformation-template.json",
            "{{cookiecutter.name}}/cdk.json",
        ];
        let app = Application::new(
            "amplify/backend/function/f/f-cloudformation-template.json",
            Framework::CloudFormation,
            "amplify/backend/function/f",
        );
        assert!(warnings(&files, &[app]).is_empty());
    }
}
