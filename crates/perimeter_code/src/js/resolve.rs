//! Handler and module resolution for Node.js: the handler string to a file and an export
//! path, relative and `tsconfig.json` `paths` imports to repository files, the rest to npm
//! package names. Compiled-output folders (`dist/`, `.build/`...) fall back to the sources.

use crate::Repo;
use crate::repo::{join_rel, parent_dir};

use super::spec::{MODULE_ALIASES, NODE_BUILTINS};

/// Extensions tried for a module path, in order.
pub(crate) const EXTENSIONS: &[&str] = &["js", "mjs", "cjs", "ts", "mts", "cts", "tsx", "jsx"];

/// Folders that hold build output rather than sources.
const COMPILED_DIRS: &[&str] = &[
    "dist",
    "build",
    ".build",
    "lib",
    "out",
    ".webpack",
    ".esbuild",
    ".serverless",
];

/// Splits a handler string into the module path and the export path:
/// `src/orders/create.main` is (`src/orders/create`, `main`); `index.handlers.get` is
/// (`index`, `handlers.get`).
pub(crate) fn split_handler(handler: &str) -> Option<(String, String)> {
    let handler = handler.trim();
    let slash = handler.rfind('/').map_or(0, |i| i + 1);
    let dot = handler[slash..].find('.')? + slash;
    let (module, export) = (&handler[..dot], &handler[dot + 1..]);
    if module.is_empty() || export.is_empty() {
        return None;
    }
    Some((module.to_owned(), export.to_owned()))
}

/// What an import specifier names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Import {
    /// A repository file.
    Local(String),
    /// An npm package or a Node.js built-in: the normalised module name used for matching
    /// and the package name to report (`None` for built-ins).
    Package(String, Option<String>),
    /// A relative path that names no file.
    Missing,
}

/// Resolves handlers and imports inside one repository.
pub(crate) struct Resolver<'r> {
    repo: &'r Repo,
    code_dir: String,
    /// `compilerOptions.paths` patterns and their targets (relative to the scan root).
    paths: Vec<(String, Vec<String>)>,
    /// `compilerOptions.baseUrl` (relative to the scan root).
    base_url: Option<String>,
    /// The nearest `package.json`, parsed.
    package_json: Option<serde_json::Value>,
    /// The monorepo's workspace packages, imported by name but the application's own code.
    workspaces: Vec<crate::workspace::Package>,
}

impl<'r> Resolver<'r> {
    /// A resolver for functions whose code is under `code_dir`.
    pub(crate) fn new(repo: &'r Repo, code_dir: &str) -> Self {
        let code_dir = code_dir
            .trim_matches('/')
            .trim_start_matches("./")
            .to_owned();
        let code_dir = if code_dir == "." {
            String::new()
        } else {
            code_dir
        };
        let mut r = Resolver {
            repo,
            code_dir,
            paths: Vec::new(),
            base_url: None,
            package_json: None,
            workspaces: Vec::new(),
        };
        r.load_tsconfig();
        r.workspaces = crate::workspace::packages(repo, &r.code_dir);
        r.package_json = r.nearest("package.json").and_then(|p| read_json(repo, &p));
        r
    }

    /// The code folder.
    pub(crate) fn code_dir(&self) -> &str {
        &self.code_dir
    }

    /// The nearest file of this name in the code folder or a parent.
    fn nearest(&self, name: &str) -> Option<String> {
        let mut dir = self.code_dir.as_str();
        loop {
            let p = if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            };
            if self.repo.exists(&p) {
                return Some(p);
            }
            if dir.is_empty() {
                return None;
            }
            dir = parent_dir(dir);
        }
    }

    fn load_tsconfig(&mut self) {
        let Some(path) = self.nearest("tsconfig.json") else {
            return;
        };
        let Some(json) = read_json(self.repo, &path) else {
            return;
        };
        let dir = parent_dir(&path);
        let Some(opts) = json.get("compilerOptions") else {
            return;
        };
        let base = opts
            .get("baseUrl")
            .and_then(serde_json::Value::as_str)
            .and_then(|b| join_rel(dir, b));
        let root = base.clone().unwrap_or_else(|| dir.to_owned());
        if let Some(paths) = opts.get("paths").and_then(serde_json::Value::as_object) {
            for (pattern, targets) in paths {
                let targets: Vec<String> = targets
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(serde_json::Value::as_str)
                    .filter_map(|t| join_rel(&root, t))
                    .collect();
                self.paths.push((pattern.clone(), targets));
            }
        }
        self.base_url = base;
    }

    /// A dependency's declared version in the nearest `package.json`.
    pub(crate) fn dependency_version(&self, name: &str) -> Option<String> {
        let pj = self.package_json.as_ref()?;
        ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .find_map(|k| pj.get(k)?.get(name)?.as_str().map(str::to_owned))
    }

    /// The file a handler's module path names, trying extensions, `index` files and the
    /// sources of compiled output.
    pub(crate) fn resolve_handler(&self, module: &str) -> Option<String> {
        let base = join_rel(&self.code_dir, module)?;
        if let Some(f) = self.try_file(&base) {
            return Some(f);
        }
        for alt in compiled_alternatives(&base) {
            if let Some(f) = self.try_file(&alt) {
                return Some(f);
            }
        }
        None
    }

    /// Resolves an import specifier seen in file `from`.
    pub(crate) fn resolve_import(&self, from: &str, spec: &str) -> Import {
        if spec.starts_with('.') || spec.starts_with('/') {
            let base = if spec.starts_with('/') {
                join_rel(&self.code_dir, spec.trim_start_matches('/'))
            } else {
                join_rel(parent_dir(from), spec)
            };
            return match base.and_then(|b| {
                self.try_file(&b).or_else(|| {
                    compiled_alternatives(&b)
                        .iter()
                        .find_map(|alt| self.try_file(alt))
                })
            }) {
                Some(f) => Import::Local(f),
                None => Import::Missing,
            };
        }
        for (pattern, targets) in &self.paths {
            let matched = match pattern.split_once('*') {
                Some((pre, post)) => spec
                    .strip_prefix(pre)
                    .and_then(|r| r.strip_suffix(post))
                    .map(str::to_owned),
                None => (spec == pattern).then(String::new),
            };
            if let Some(star) = matched {
                for t in targets {
                    let cand = t.replacen('*', &star, 1);
                    if let Some(f) = self.try_file(&cand) {
                        return Import::Local(f);
                    }
                }
            }
        }
        if let Some(base) = &self.base_url
            && let Some(f) = join_rel(base, spec).and_then(|c| self.try_file(&c))
        {
            return Import::Local(f);
        }
        if let Some(f) = self.workspace_file(spec) {
            return Import::Local(f);
        }
        let spec = spec.strip_prefix("node:").unwrap_or(spec);
        let package = package_name(spec);
        let module = MODULE_ALIASES
            .iter()
            .find(|(from, _)| *from == spec)
            .map_or_else(|| module_key(spec), |(_, to)| (*to).to_owned());
        let builtin = NODE_BUILTINS.contains(&package.as_str());
        Import::Package(module, (!builtin && !package.is_empty()).then_some(package))
    }

    /// The file a bare specifier names in a workspace package: its entry file (`main`, else
    /// `index`) or the path below the package.
    fn workspace_file(&self, spec: &str) -> Option<String> {
        let name = package_name(spec);
        let p = self.workspaces.iter().find(|p| p.name == name)?;
        let sub = spec[name.len()..].trim_start_matches('/');
        let entry = if sub.is_empty() {
            p.main.as_deref().unwrap_or("index")
        } else {
            sub
        };
        let base = join_rel(&p.dir, entry)?;
        self.try_file(&base)
            .or_else(|| {
                compiled_alternatives(&base)
                    .iter()
                    .find_map(|alt| self.try_file(alt))
            })
            .or_else(|| sub.is_empty().then(|| self.try_file(&p.dir)).flatten())
    }

    /// The file for a path without or with an extension.
    fn try_file(&self, base: &str) -> Option<String> {
        let has_ext = base
            .rsplit_once('.')
            .is_some_and(|(_, e)| EXTENSIONS.contains(&e) && !base.ends_with("/."));
        if has_ext && self.repo.exists(base) {
            return Some(base.to_owned());
        }
        for ext in EXTENSIONS {
            let p = format!("{base}.{ext}");
            if self.repo.exists(&p) {
                return Some(p);
            }
        }
        for ext in EXTENSIONS {
            let p = if base.is_empty() {
                format!("index.{ext}")
            } else {
                format!("{base}/index.{ext}")
            };
            if self.repo.exists(&p) {
                return Some(p);
            }
        }
        // TypeScript sources import `./x.js` meaning `./x.ts`.
        if let Some(stem) = [".js", ".mjs", ".cjs", ".jsx"]
            .iter()
            .find_map(|e| base.strip_suffix(e))
        {
            for ext in ["ts", "mts", "cts", "tsx"] {
                let p = format!("{stem}.{ext}");
                if self.repo.exists(&p) {
                    return Some(p);
                }
            }
        }
        None
    }
}

/// Paths to try when `base` points into build output: the same path under `src/` and
/// without the build folder.
fn compiled_alternatives(base: &str) -> Vec<String> {
    let parts: Vec<&str> = base.split('/').collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if !COMPILED_DIRS.contains(part) {
            continue;
        }
        let before = &parts[..i];
        let mut afters: Vec<&[&str]> = vec![&parts[i + 1..]];
        // `.webpack/service/src/x`, `.build/src/x`: skip one more folder too.
        if parts.len() > i + 2 {
            afters.push(&parts[i + 2..]);
        }
        for after in afters {
            let joined = |mid: &[&str]| {
                before
                    .iter()
                    .chain(mid)
                    .chain(after.iter())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/")
            };
            out.push(joined(&["src"]));
            out.push(joined(&[]));
        }
    }
    out.dedup();
    out
}

/// The npm package of a bare specifier (`@scope/name/x` is `@scope/name`).
pub(crate) fn package_name(spec: &str) -> String {
    let mut it = spec.split('/');
    match (it.next(), it.next()) {
        (Some(scope), Some(name)) if scope.starts_with('@') => format!("{scope}/{name}"),
        (Some(name), _) => name.to_owned(),
        _ => String::new(),
    }
}

/// The module name used to match sinks: the package, except for deep imports that matter
/// (`aws-sdk/clients/sqs` is kept whole).
fn module_key(spec: &str) -> String {
    if spec.starts_with("aws-sdk/clients/") {
        return spec.to_owned();
    }
    package_name(spec)
}

/// Reads a JSON file that may hold comments and trailing commas (`tsconfig.json`).
fn read_json(repo: &Repo, path: &str) -> Option<serde_json::Value> {
    let file = repo.read(path).ok()?;
    serde_json::from_str(&strip_json_comments(file.text())).ok()
}

/// Removes `//` and `/* */` comments and trailing commas outside strings.
fn strip_json_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            ',' => {
                let rest: String = chars.clone().take_while(|c| c.is_whitespace()).collect();
                let next = chars.clone().nth(rest.chars().count());
                if !matches!(next, Some('}' | ']')) {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_handlers() {
        assert_eq!(
            split_handler("src/orders/create.main"),
            Some(("src/orders/create".into(), "main".into()))
        );
        assert_eq!(
            split_handler("index.handlers.get"),
            Some(("index".into(), "handlers.get".into()))
        );
        assert_eq!(split_handler("a.b/c.d"), Some(("a.b/c".into(), "d".into())));
        assert_eq!(split_handler("nodot"), None);
    }

    #[test]
    fn compiled_output_maps_to_sources() {
        assert_eq!(
            compiled_alternatives("dist/handler"),
            ["src/handler", "handler"]
        );
        assert!(compiled_alternatives(".webpack/service/src/x").contains(&"src/x".to_owned()));
    }

    #[test]
    fn json_comments_are_stripped() {
        let v: serde_json::Value = serde_json::from_str(&strip_json_comments(
            "{ // c\n \"a\": \"x//y\", /* b */ \"b\": [1,2,], }",
        ))
        .unwrap();
        assert_eq!(v["a"], "x//y");
        assert_eq!(v["b"][1], 2);
    }

    #[test]
    fn package_names() {
        assert_eq!(package_name("@aws-sdk/client-sqs"), "@aws-sdk/client-sqs");
        assert_eq!(package_name("lodash/get"), "lodash");
    }
}
