//! Where Python code lives: the handler string split into module file and function, and
//! the repository file an import names (absolute imports against the code folder, the
//! importing file's folder, the repository root and `src/`; relative imports against the
//! importing package).

use crate::Repo;
use crate::repo::{join_rel, parent_dir};

use super::spec::{SKIP_DIRS, STDLIB};

/// `src/handlers/orders.create` -> (`src/handlers/orders`, `create`); `pkg.sub.mod.fn` ->
/// (`pkg/sub/mod`, `fn`). `None` when there is no function part.
pub(crate) fn split_handler(handler: &str) -> Option<(String, String)> {
    let handler = handler.trim();
    let (dir, rest) = match handler.rfind('/') {
        Some(i) => (&handler[..i], &handler[i + 1..]),
        None => ("", handler),
    };
    let (module, func) = rest.rsplit_once('.')?;
    if module.is_empty() || func.is_empty() {
        return None;
    }
    let module = module.replace('.', "/");
    let path = if dir.is_empty() {
        module
    } else {
        format!("{dir}/{module}")
    };
    Some((path, func.to_owned()))
}

/// The files a module path (`pkg/sub/mod`, `/`-separated, relative to `base`) may be.
fn candidates(base: &str, rel: &str) -> [Option<String>; 2] {
    if rel.is_empty() {
        return [join_rel(base, "__init__.py"), None];
    }
    [
        join_rel(base, &format!("{rel}.py")),
        join_rel(base, &format!("{rel}/__init__.py")),
    ]
}

/// Whether a path is inside installed packages or build output.
fn skipped(path: &str) -> bool {
    path.split('/').any(|seg| SKIP_DIRS.contains(&seg))
}

/// The file of the handler's module under the code folder.
pub(crate) fn handler_file(repo: &Repo, code_dir: &str, module: &str) -> Option<String> {
    candidates(code_dir, module)
        .into_iter()
        .flatten()
        .find(|p| repo.exists(p))
}

/// The repository file an import names, from the file `importer`: `module` is dotted (may be
/// empty for `from . import x`), `level` the number of leading dots.
pub(crate) fn import_file(
    repo: &Repo,
    code_dir: &str,
    importer: &str,
    module: &str,
    level: u32,
) -> Option<String> {
    let here = parent_dir(importer);
    let rel = module.replace('.', "/");
    let mut bases: Vec<String> = Vec::new();
    if level > 0 {
        let mut base = here.to_owned();
        for _ in 1..level {
            if base.is_empty() {
                return None;
            }
            base = parent_dir(&base).to_owned();
        }
        bases.push(base);
    } else {
        if rel.is_empty() {
            return None;
        }
        bases.push(code_dir.to_owned());
        bases.push(here.to_owned());
        // Shared code beside the function's folder (`source/lib` for `source/log_parser`),
        // which a build script copies into the package.
        if !code_dir.is_empty() {
            bases.push(parent_dir(code_dir).to_owned());
        }
        bases.push(String::new());
        if let Some(src) = join_rel(code_dir, "src") {
            bases.push(src);
        }
        bases.push("src".to_owned());
    }
    let top = rel.split('/').next().unwrap_or(&rel);
    for base in bases {
        // A package installed into the function's folder (`pip install -t`) is a library,
        // not the application's code.
        if level == 0 && repo.vendored_packages(&base).contains(top) {
            return None;
        }
        for cand in candidates(&base, &rel).into_iter().flatten() {
            if !skipped(&cand) && repo.exists(&cand) {
                return Some(cand);
            }
        }
    }
    None
}

/// Whether a top-level module is the standard library.
pub(crate) fn is_stdlib(top: &str) -> bool {
    STDLIB.contains(&top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_strings() {
        assert_eq!(
            split_handler("app.lambda_handler"),
            Some(("app".into(), "lambda_handler".into()))
        );
        assert_eq!(
            split_handler("src/handlers/orders.create"),
            Some(("src/handlers/orders".into(), "create".into()))
        );
        assert_eq!(
            split_handler("pkg.sub.mod.main"),
            Some(("pkg/sub/mod".into(), "main".into()))
        );
        assert_eq!(split_handler("handler"), None);
    }

    #[test]
    fn imports_resolve_in_order() {
        let repo = Repo::in_memory([
            ("svc/app.py", ""),
            ("svc/lib/__init__.py", ""),
            ("svc/lib/db.py", ""),
            ("shared/util.py", ""),
            ("src/common.py", ""),
        ]);
        assert_eq!(
            import_file(&repo, "svc", "svc/app.py", "lib.db", 0).as_deref(),
            Some("svc/lib/db.py")
        );
        assert_eq!(
            import_file(&repo, "svc", "svc/app.py", "lib", 0).as_deref(),
            Some("svc/lib/__init__.py")
        );
        assert_eq!(
            import_file(&repo, "svc", "svc/app.py", "shared.util", 0).as_deref(),
            Some("shared/util.py")
        );
        assert_eq!(
            import_file(&repo, "svc", "svc/app.py", "common", 0).as_deref(),
            Some("src/common.py")
        );
        assert_eq!(
            import_file(&repo, "svc", "svc/lib/db.py", "", 1).as_deref(),
            Some("svc/lib/__init__.py")
        );
        assert_eq!(
            import_file(&repo, "svc", "svc/lib/db.py", "app", 2).as_deref(),
            Some("svc/app.py")
        );
        assert_eq!(import_file(&repo, "svc", "svc/app.py", "requests", 0), None);
    }

    #[test]
    fn packages_installed_into_the_function_folder_are_libraries() {
        let repo = Repo::in_memory([
            ("fn/main.py", ""),
            ("fn/sqlite_utils/__init__.py", ""),
            ("fn/sqlite_utils/db.py", ""),
            (
                "fn/sqlite_utils-3.17.dist-info/RECORD",
                "sqlite_utils/__init__.py,,\nsqlite_utils/db.py,,\n",
            ),
            ("fn/dateutil/__init__.py", ""),
            (
                "fn/python_dateutil-2.8.2.dist-info/top_level.txt",
                "dateutil\n",
            ),
            ("fn/helpers/__init__.py", ""),
        ]);
        assert_eq!(
            import_file(&repo, "fn", "fn/main.py", "sqlite_utils", 0),
            None
        );
        assert_eq!(import_file(&repo, "fn", "fn/main.py", "dateutil", 0), None);
        assert_eq!(
            import_file(&repo, "fn", "fn/main.py", "helpers", 0).as_deref(),
            Some("fn/helpers/__init__.py")
        );
    }
}
