//! Where a function's code lives ([`CodeSource`]), as each loader reads it from its
//! descriptor: a folder of the repository, code written in the descriptor itself, a committed
//! `.zip` package, a container image, or somewhere the repository does not hold.

use perimeter_diagnostics::Loc;

use crate::yaml::{Node, Value};

/// Where a function's code lives.
#[derive(Clone, Debug, Default)]
pub enum CodeSource {
    /// The descriptor does not say (the analysis looks in the application's folder).
    #[default]
    Unknown,
    /// A folder of the repository, relative to the scan root (`""` for the root).
    Folder(String),
    /// Code written in the descriptor (CloudFormation `ZipFile`, SAM `InlineCode`).
    Inline(InlineCode),
    /// A `.zip` package named by the descriptor, relative to the scan root; it may be
    /// committed or built before deployment.
    Archive {
        /// The package's path.
        zip: String,
        /// Where the descriptor names it.
        loc: Loc,
    },
    /// A container image (`ImageUri`, `PackageType: Image`, `image:`).
    Image(Node),
    /// Code the deployment tool writes from the descriptor in a form not read statically (a
    /// `ZipFile` built from parameters, a Terraform `archive_file` `source` block).
    Generated(Node),
    /// A package the repository does not hold (an S3 key, a pipeline's build output): what
    /// the descriptor names.
    Remote(Node),
}

/// Code written in a descriptor, placed at its lines there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineCode {
    /// The code. Its first line is line [`InlineCode::line`] of the descriptor, and each
    /// later line sits at its line there as far as the descriptor's form allows.
    pub text: String,
    /// The descriptor, relative to the scan root.
    pub file: String,
    /// The 1-based line of the descriptor where the code starts.
    pub line: u32,
    /// Whether each line of the code is at its own line of the descriptor (a block scalar,
    /// a `Fn::Join` of one line per part); not for a string with escaped line breaks (a
    /// synthesised JSON template), whose lines are counted from the code's start.
    pub exact: bool,
}

impl InlineCode {
    /// The code as a file of the descriptor's length: blank lines before it, so that a
    /// position in it is the position in the descriptor.
    pub fn placed_text(&self) -> String {
        let mut out = "\n".repeat(self.line.saturating_sub(1) as usize);
        out.push_str(&self.text);
        out
    }
}

impl CodeSource {
    /// The source for a code folder, when one is known.
    pub fn from_dir(dir: Option<String>) -> Self {
        dir.map_or(Self::Unknown, Self::Folder)
    }

    /// The folder, for [`CodeSource::Folder`].
    pub fn folder(&self) -> Option<&str> {
        match self {
            Self::Folder(d) => Some(d),
            _ => None,
        }
    }
}

/// Most bytes of inline code read from a descriptor (AWS accepts 4 KB for `ZipFile`; a
/// template is bounded already, this keeps the padding bounded too).
const MAX_INLINE_BYTES: usize = 1 << 20;

/// The inline code a descriptor value holds: a string (plain, quoted or block scalar), a
/// `Fn::Sub` of one, or a `Fn::Join` whose parts are strings or references (a reference
/// stands as `${Name}`). `None` when the value is not static enough to be code.
pub fn inline_code(node: &Node, file: &str) -> Option<InlineCode> {
    let mut placer = Placer::default();
    place(node, &mut placer, 0)?;
    if placer.out.trim().is_empty() || placer.out.len() > MAX_INLINE_BYTES {
        return None;
    }
    Some(InlineCode {
        text: placer.out,
        file: file.to_owned(),
        line: placer.first_line.max(1),
        exact: placer.exact,
    })
}

/// Builds the code text, padding between parts so each starts at its own line when the text
/// so far ends a line.
struct Placer {
    out: String,
    first_line: u32,
    line: u32,
    exact: bool,
}

impl Default for Placer {
    fn default() -> Self {
        Self {
            out: String::new(),
            first_line: 0,
            line: 0,
            exact: true,
        }
    }
}

impl Placer {
    fn push(&mut self, line: u32, text: &str) {
        if self.first_line == 0 && self.out.is_empty() {
            self.first_line = line;
            self.line = line;
        } else if self.out.ends_with('\n') && line > self.line {
            let pad = (line - self.line) as usize;
            if self.out.len() + pad > MAX_INLINE_BYTES {
                return;
            }
            self.out.push_str(&"\n".repeat(pad));
            self.line = line;
        }
        self.out.push_str(text);
        self.line += u32::try_from(text.matches('\n').count()).unwrap_or(0);
    }
}

/// The line where a string node's text starts: the line after a block scalar's indicator.
fn content_line(node: &Node) -> u32 {
    let file = &node.loc.file;
    let line = file.position(node.loc.span.start).line;
    // The span may start at a tag (`!Sub |`).
    let mut head = file.slice(node.loc.span).trim_start();
    if head.starts_with('!') {
        head = head
            .split_once([' ', '\t'])
            .map_or("", |(_, rest)| rest.trim_start());
    }
    if head.starts_with('|') || head.starts_with('>') {
        line + 1
    } else {
        line
    }
}

/// Whether a string's lines are each on their own line of the file (false for a string
/// with escaped line breaks).
fn spans_its_lines(node: &Node, text: &str) -> bool {
    let file = &node.loc.file;
    let first = content_line(node);
    let last = file.position(node.loc.span.end).line;
    let breaks = u32::try_from(text.trim_end().matches('\n').count()).unwrap_or(u32::MAX);
    last.saturating_sub(first) >= breaks
}

fn place(node: &Node, p: &mut Placer, depth: u32) -> Option<()> {
    if depth > 4 {
        return None;
    }
    if let Value::Str(s) = &node.value {
        p.exact &= spans_its_lines(node, s);
        p.push(content_line(node), s);
        return Some(());
    }
    match node.intrinsic()? {
        ("Fn::Sub", arg) => {
            let template = match &arg.value {
                Value::Seq(items) => items.first()?,
                _ => arg,
            };
            let Value::Str(s) = &template.value else {
                return None;
            };
            p.exact &= spans_its_lines(template, s);
            // `${!x}` is a literal `${x}` in the deployed code.
            p.push(content_line(template), &s.replace("${!", "${"));
            Some(())
        }
        ("Fn::Join", arg) => {
            let Value::Seq(args) = &arg.value else {
                return None;
            };
            let [sep, parts] = args.as_slice() else {
                return None;
            };
            let sep = sep.as_str()?;
            let Value::Seq(parts) = &parts.value else {
                return None;
            };
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    p.out.push_str(sep);
                    p.line += u32::try_from(sep.matches('\n').count()).unwrap_or(0);
                }
                match (&part.value, part.intrinsic()) {
                    (Value::Str(_), _) | (_, Some(("Fn::Sub" | "Fn::Join", _))) => {
                        place(part, p, depth + 1)?;
                    }
                    (_, Some(("Ref", name))) => {
                        let line = p.line.max(1);
                        p.push(line, &format!("${{{}}}", name.scalar_text()?));
                    }
                    (_, Some(_)) | (Value::Int(_) | Value::Float(_) | Value::Bool(_), None) => {
                        let line = p.line.max(1);
                        p.push(line, &part.scalar_text().unwrap_or_default());
                    }
                    _ => return None,
                }
            }
            Some(())
        }
        _ => None,
    }
}

/// What [`link_archives`] may ask of the scanned tree.
pub trait TreeView {
    /// Whether a folder of the tree holds files.
    fn has_dir(&self, rel: &str) -> bool;
    /// Whether a file is in the tree.
    fn has_file(&self, rel: &str) -> bool;
    /// The folders of the tree whose last component is `name`.
    fn dirs_named(&self, name: &str) -> Vec<String>;
    /// The files of the tree whose name is `name` (`package.json`), at any depth.
    fn files_named(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }
    /// The text of a file of the tree, if it is one and reads as text.
    fn text(&self, _rel: &str) -> Option<String> {
        None
    }
}

/// Source extensions a handler's module may have.
const MODULE_EXTENSIONS: &[&str] = &["py", "js", "mjs", "cjs", "ts"];

/// Whether the module a handler names (`app.handler`, `src/index.handler`) is a file of
/// a folder.
fn holds_handler(tree: &dyn TreeView, dir: &str, handler: &str) -> bool {
    let Some((module, _)) = handler.rsplit_once('.') else {
        return false;
    };
    let dotted = module.replace('.', "/");
    [module, dotted.as_str()].iter().any(|m| {
        MODULE_EXTENSIONS.iter().any(|ext| {
            tree.has_file(&if dir.is_empty() {
                format!("{m}.{ext}")
            } else {
                format!("{dir}/{m}.{ext}")
            })
        })
    })
}

/// The stem of a package's file name (`log_parser` for `a/%VERSION%/log_parser.zip`).
fn zip_stem(path: &str) -> Option<&str> {
    let name = path.rsplit(['/', '\\']).next()?;
    let stem = name
        .strip_suffix(".zip")
        .or_else(|| name.strip_suffix(".ZIP"))?;
    (!stem.is_empty() && !stem.contains(['$', '%', '{', '}', '<', '>'])).then_some(stem)
}

/// Links packages to the folders they are built from (a build script or Makefile zips
/// `lambda/` into `lambda.zip`): a function whose code is a `.zip` named after a folder
/// beside it reads that folder, whether the zip is committed or not. A package the tree does
/// not hold (a gitignored build output, an S3 key such as `%VERSION%/log_parser.zip`) is
/// linked, in this order, to the Node.js package whose script writes it (its handler module
/// `index` is the bundler's entry file, see [`crate::package_build`]), to the project of
/// the build folder it is written to, to the one package whose script writes a zip of its
/// name, or to the one folder of the tree of its name that holds the handler's module.
pub fn link_archives(app: &mut crate::Application, tree: &dyn TreeView) {
    let packages = crate::package_build::Packages::new(tree);
    for f in &mut app.functions {
        let handler = f.handler_str().map(str::to_owned);
        let handler = handler.as_deref();
        let linked = match &f.code {
            CodeSource::Archive { zip, .. } => {
                let beside = zip
                    .strip_suffix(".zip")
                    .or_else(|| zip.strip_suffix(".ZIP"))
                    .filter(|s| !s.is_empty() && tree.has_dir(s));
                if tree.has_file(zip) {
                    // A committed package is read as it is, unless a folder of its name
                    // beside it is its source.
                    beside.map(|stem| (stem.to_owned(), None))
                } else {
                    let package = packages.of_zip(zip);
                    let near = package
                        .as_ref()
                        .is_some_and(|p| at_or_below_zip(&p.dir, zip));
                    match (package, beside) {
                        (Some(p), _) if near => Some(linked_to_package(tree, &p, handler)),
                        (_, Some(stem)) => Some((stem.to_owned(), None)),
                        (far, None) => built_in(tree, zip, handler)
                            .map(|d| (d, None))
                            .or_else(|| far.map(|p| linked_to_package(tree, &p, handler)))
                            .or_else(|| built_from(tree, zip, handler).map(|d| (d, None))),
                    }
                }
            }
            CodeSource::Remote(node) => node.as_str().and_then(|key| {
                packages
                    .of_key(key)
                    .map(|p| linked_to_package(tree, &p, handler))
                    .or_else(|| built_from(tree, key, handler).map(|d| (d, None)))
            }),
            // A folder that is a Node.js package whose handler module is its bundle
            // (`dist/index.handler` built by `ncc build src/lambda.ts -o dist`).
            CodeSource::Folder(dir) if f.handler_file.is_none() => handler
                .filter(|h| !holds_handler(tree, dir, h))
                .and_then(|_| packages.in_dir(dir))
                .map(|p| linked_to_package(tree, &p, handler))
                .filter(|(_, file)| file.is_some()),
            _ => None,
        };
        if let Some((dir, file)) = linked {
            f.code_dir = Some(dir.clone());
            f.code = CodeSource::Folder(dir);
            if file.is_some() {
                f.handler_file = file;
            }
        }
    }
}

/// Whether a package folder is the zip's folder or one below it.
fn at_or_below_zip(package_dir: &str, zip: &str) -> bool {
    let zip_dir = zip.rsplit_once('/').map_or("", |(d, _)| d);
    package_dir == zip_dir || zip_dir.is_empty() || package_dir.starts_with(&format!("{zip_dir}/"))
}

/// The folder and handler file of a function packaged from a Node.js package: the handler's
/// module where the package holds it as written (`src/app.handler`), else the bundle's entry
/// when the handler names the module the bundle is written as (`index.handler`).
fn linked_to_package(
    tree: &dyn TreeView,
    p: &crate::package_build::PackageBuild,
    handler: Option<&str>,
) -> (String, Option<String>) {
    let Some(handler) = handler else {
        return (p.dir.clone(), None);
    };
    if holds_handler(tree, &p.dir, handler) {
        return (p.dir.clone(), None);
    }
    let module = handler.rsplit_once('.').map_or(handler, |(m, _)| m);
    let file = p
        .entry
        .clone()
        .filter(|_| p.modules.iter().any(|m| m == module));
    (p.dir.clone(), file)
}

/// Build output folders a package is written to (`api/build/dist/lambda.zip`).
const BUILD_DIRS: &[&str] = &["build", "dist", "target", "out", ".build", "bin"];

/// The project a package is built in (`api` for `api/build/dist/lambda.zip`), or its `src`
/// folder, when it holds the handler's module.
fn built_in(tree: &dyn TreeView, zip: &str, handler: Option<&str>) -> Option<String> {
    let handler = handler?;
    let parts: Vec<&str> = zip.split('/').collect();
    let at = parts.iter().position(|p| BUILD_DIRS.contains(p))?;
    let project = parts[..at].join("/");
    let src = if project.is_empty() {
        "src".to_owned()
    } else {
        format!("{project}/src")
    };
    [project, src]
        .into_iter()
        .find(|d| holds_handler(tree, d, handler))
}

/// The one folder named after a package that holds the handler's module.
fn built_from(tree: &dyn TreeView, package: &str, handler: Option<&str>) -> Option<String> {
    let stem = zip_stem(package)?;
    let handler = handler?;
    let mut found = tree
        .dirs_named(stem)
        .into_iter()
        .filter(|d| holds_handler(tree, d, handler));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The source for a path of the repository a descriptor names as code (`CodeUri`, `Code`,
/// an asset path, a package artifact), relative to the descriptor's folder: a `.zip`
/// package or a folder. `None` when the path leaves the repository (an S3 URI, an absolute
/// path).
pub fn local(root_dir: &str, node: &Node) -> Option<CodeSource> {
    let path = crate::cfn::join_dir(root_dir, node.as_str()?)?;
    Some(if is_zip(&path) {
        CodeSource::Archive {
            zip: path,
            loc: node.loc.clone(),
        }
    } else {
        CodeSource::Folder(path)
    })
}

/// Whether a path names a zip package.
pub fn is_zip(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use perimeter_diagnostics::SourceFile;

    fn zip_file(yaml: &str) -> Option<InlineCode> {
        let file = SourceFile::new("t.yaml", yaml);
        let doc = crate::yaml::parse(&file).unwrap();
        inline_code(doc.path(&["Code", "ZipFile"]).unwrap(), "t.yaml")
    }

    #[test]
    fn block_scalar_starts_after_its_indicator() {
        let code =
            zip_file("Code:\n  ZipFile: |\n    import os\n    def handler(e, c):\n      pass\n")
                .unwrap();
        assert_eq!(code.line, 3);
        assert_eq!(code.text, "import os\ndef handler(e, c):\n  pass\n");
        let placed = SourceFile::new("t.yaml", code.placed_text());
        assert_eq!(placed.line_text(4), "def handler(e, c):");
    }

    #[test]
    fn sub_keeps_literal_dollar_braces() {
        let code =
            zip_file("Code:\n  ZipFile: !Sub |\n    t = '${Table}'\n    s = `${!x}`\n").unwrap();
        assert_eq!(code.line, 3);
        assert_eq!(code.text, "t = '${Table}'\ns = `${x}`\n");
    }

    #[test]
    fn join_places_each_part_at_its_line() {
        let code = zip_file(
            "{\"Code\": {\"ZipFile\": {\"Fn::Join\": [\"\\n\", [\n  \"import os\",\n  {\"Ref\": \"T\"},\n  \"def handler(e, c):\",\n  \"  return 1\"\n]]}}}\n",
        )
        .unwrap();
        assert_eq!(code.line, 2);
        let placed = SourceFile::new("t.yaml", code.placed_text());
        assert_eq!(placed.line_text(2), "import os");
        assert_eq!(placed.line_text(4), "def handler(e, c):");
    }

    #[test]
    fn escaped_line_breaks_are_not_template_lines() {
        let code = zip_file(
            "{\"Code\": {\"ZipFile\": \"import os\\ndef handler(e, c):\\n  os.system(e)\\n\"}}\n",
        )
        .unwrap();
        assert!(!code.exact);
        let block = zip_file("Code:\n  ZipFile: |\n    import os\n    x = 1\n").unwrap();
        assert!(block.exact);
    }

    #[test]
    fn a_reference_alone_is_not_code() {
        assert!(zip_file("Code:\n  ZipFile: !Ref Param\n").is_none());
        assert!(zip_file("Code:\n  ZipFile: !GetAtt A.B\n").is_none());
    }
}
