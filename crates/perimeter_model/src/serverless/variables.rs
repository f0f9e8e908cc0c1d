//! Static resolution of Serverless Framework variables: `${self:}`, `${opt:}`, `${sls:}`,
//! `${param:}`, `${file():}`, `${env:}`, `${ssm:}`, `${cf:}`, `${s3:}`, `${aws:}`, fallbacks,
//! nesting and `strToBool`. What cannot be known stays a symbolic value such as
//! `<ssm:/db/password>`. Nothing here reaches the network or runs code: a `.js` file is never
//! read, and `${env:}` reads the host environment only when the user allowed it.

use std::collections::HashMap;
use std::sync::Arc;

use perimeter_diagnostics::{Loc, ScanError, SourceFile};

use super::{FileReader, LoadOptions};
use crate::limits::{Budget, MAX_VARIABLE_DEPTH, weight};
use crate::yaml::{self, Key, Node, Value};

/// Sources the resolver recognises; `${Name}` without one of these (a CloudFormation `Fn::Sub`
/// variable) is left alone.
const SOURCES: &[&str] = &[
    "self",
    "opt",
    "sls",
    "param",
    "file",
    "env",
    "ssm",
    "cf",
    "s3",
    "aws",
    "strToBool",
    "git",
    "sm",
    "secretsmanager",
    "terraform",
    "vault",
    "doppler",
];

pub(super) struct Resolver<'a> {
    root: &'a Node,
    root_dir: &'a str,
    reader: &'a dyn FileReader,
    options: &'a LoadOptions,
    stage: String,
    pub(super) errors: Vec<ScanError>,
    stack: Vec<String>,
    files: Vec<(String, Option<Node>)>,
    /// Each reference's value, resolved once (`self:a.b`, `param:x`, `file:path:address`):
    /// a descriptor that uses a value twice per level does not double the work per level.
    memo: HashMap<String, Option<Node>>,
    /// The bytes of values produced and the limits met.
    budget: Budget,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(
        root: &'a Node,
        root_dir: &'a str,
        reader: &'a dyn FileReader,
        options: &'a LoadOptions,
    ) -> Self {
        let stage = options
            .opts
            .get("stage")
            .cloned()
            .or_else(|| {
                root.path(&["provider", "stage"])
                    .and_then(Node::as_str)
                    .filter(|s| !s.contains("${"))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "dev".to_owned());
        Self {
            root,
            root_dir,
            reader,
            options,
            stage,
            errors: Vec::new(),
            stack: Vec::new(),
            files: Vec::new(),
            memo: HashMap::new(),
            budget: Budget::default(),
        }
    }

    /// Resolves every variable in a tree.
    pub(super) fn resolve(&mut self, node: &Node) -> Node {
        self.resolve_node(node, 0)
    }

    /// The error entries of the limits met while resolving.
    pub(super) fn take_limit_errors(&self) -> Vec<ScanError> {
        self.budget.take_errors()
    }

    /// The value of a reference, resolved once per descriptor and charged per use.
    fn memoised(
        &mut self,
        key: String,
        loc: &Loc,
        compute: impl FnOnce(&mut Self) -> Option<Node>,
    ) -> Option<Node> {
        let value = match self.memo.get(&key) {
            Some(v) => v.clone(),
            None => {
                let v = compute(self);
                self.memo.insert(key, v.clone());
                v
            }
        };
        match value {
            Some(v) if !self.budget.charge(weight(&v), loc) => Some(Node::new(
                Value::Symbolic("<over the resolution limit>".to_owned()),
                loc.clone(),
            )),
            v => v,
        }
    }

    fn resolve_node(&mut self, node: &Node, depth: usize) -> Node {
        match &node.value {
            Value::Str(s) if s.contains("${") => self.resolve_string(s, &node.loc, depth),
            Value::Seq(items) => Node::new(
                Value::Seq(items.iter().map(|n| self.resolve_node(n, depth)).collect()),
                node.loc.clone(),
            ),
            Value::Map(entries) => Node::new(
                Value::Map(
                    entries
                        .iter()
                        .map(|(k, v)| {
                            let key = if k.name.contains("${") {
                                let r = self.resolve_string(&k.name, &k.loc, depth);
                                Key {
                                    name: r.scalar_text().unwrap_or_else(|| k.name.clone()),
                                    loc: k.loc.clone(),
                                }
                            } else {
                                k.clone()
                            };
                            (key, self.resolve_node(v, depth))
                        })
                        .collect(),
                ),
                node.loc.clone(),
            ),
            _ => node.clone(),
        }
    }

    /// A string with variables: a whole-value reference keeps the target's type; references
    /// inside text are interpolated.
    fn resolve_string(&mut self, s: &str, loc: &Loc, depth: usize) -> Node {
        let parts = split_variables(s);
        if let [Part::Var(inner)] = parts.as_slice() {
            if !is_variable(inner) {
                return Node::new(Value::Str(s.to_owned()), loc.clone());
            }
            return self.resolve_expression(inner, loc, depth);
        }
        let mut text = String::new();
        let mut symbolic = false;
        for part in parts {
            match part {
                Part::Text(t) => text.push_str(t),
                Part::Var(inner) if !is_variable(inner) => {
                    text.push_str("${");
                    text.push_str(inner);
                    text.push('}');
                }
                Part::Var(inner) => {
                    let v = self.resolve_expression(inner, loc, depth);
                    symbolic |= v.is_symbolic();
                    let t = match v.scalar_text() {
                        Some(t) => t,
                        None if v.is_null() => String::new(),
                        None => v.display(),
                    };
                    if !self
                        .budget
                        .fits(text.len() + t.len(), loc, "a string of variables")
                        || !self.budget.charge(t.len(), loc)
                    {
                        return Node::new(Value::Symbolic(s.to_owned()), loc.clone());
                    }
                    text.push_str(&t);
                }
            }
        }
        Node::new(
            if symbolic {
                Value::Symbolic(text)
            } else {
                Value::Str(text)
            },
            loc.clone(),
        )
    }

    /// `source:address, fallback, ...`: the first candidate that resolves to a known value
    /// wins; if every candidate is symbolic, the first symbolic one.
    fn resolve_expression(&mut self, inner: &str, loc: &Loc, depth: usize) -> Node {
        if depth >= MAX_VARIABLE_DEPTH {
            self.errors.push(ScanError::at(loc, format!("variable `${{{inner}}}` nests deeper than {MAX_VARIABLE_DEPTH} levels; left unresolved")));
            return Node::new(Value::Symbolic(format!("<{inner}>")), loc.clone());
        }
        // Nested variables inside the expression (`${self:custom.${opt:stage}.x}`) first.
        let inner = if inner.contains("${") {
            let r = self.resolve_string(inner, loc, depth + 1);
            r.scalar_text().unwrap_or_else(|| inner.to_owned())
        } else {
            inner.to_owned()
        };
        let mut first_symbolic = None;
        for candidate in split_top_level(&inner, ',') {
            let candidate = candidate.trim();
            match self.candidate(candidate, loc, depth) {
                Some(n) if n.is_symbolic() && first_symbolic.is_none() => first_symbolic = Some(n),
                Some(n) if n.is_symbolic() => {}
                Some(n) => return n,
                None => {}
            }
        }
        first_symbolic
            .unwrap_or_else(|| Node::new(Value::Symbolic(format!("<{inner}>")), loc.clone()))
    }

    fn candidate(&mut self, c: &str, loc: &Loc, depth: usize) -> Option<Node> {
        let here = |v: Value| Some(Node::new(v, loc.clone()));
        if c.is_empty() {
            return None;
        }
        if let Some(q) = c
            .strip_prefix('\'')
            .and_then(|c| c.strip_suffix('\''))
            .or_else(|| c.strip_prefix('"').and_then(|c| c.strip_suffix('"')))
        {
            return here(Value::Str(q.to_owned()));
        }
        if let Ok(i) = c.parse::<i64>() {
            return here(Value::Int(i));
        }
        if c == "true" || c == "false" {
            return here(Value::Bool(c == "true"));
        }
        if c == "null" {
            return here(Value::Null);
        }
        if let Some(arg) = c
            .strip_prefix("strToBool(")
            .and_then(|r| r.strip_suffix(')'))
        {
            let v = self.candidate(arg.trim(), loc, depth + 1)?;
            let t = v.scalar_text()?;
            return here(match t.trim() {
                "true" | "1" => Value::Bool(true),
                "false" | "0" | "null" => Value::Bool(false),
                other => Value::Symbolic(format!("<strToBool:{other}>")),
            });
        }
        if let Some(rest) = c.strip_prefix("file(") {
            let close = rest.find(')')?;
            let path = rest[..close].trim().trim_matches(['\'', '"']);
            let address = rest[close + 1..].strip_prefix(':').unwrap_or("");
            return self.file(path, address, loc, depth);
        }
        let (source, address) = c.split_once(':').unwrap_or((c, ""));
        match source {
            "self" => {
                let key = format!("self:{address}");
                if self.stack.contains(&key) {
                    self.errors.push(ScanError::at(
                        loc,
                        format!("variable `${{self:{address}}}` refers to itself; left unresolved"),
                    ));
                    return here(Value::Symbolic(format!("<cycle:self:{address}>")));
                }
                let root = self.root;
                let resolved = self.memoised(key.clone(), loc, |r| {
                    let target = lookup(root, address)?;
                    r.stack.push(key);
                    let resolved = r.resolve_node(target, depth + 1);
                    r.stack.pop();
                    Some(resolved)
                })?;
                Some(relocate_scalar(resolved, loc))
            }
            "opt" => match address {
                "stage" => self
                    .options
                    .opts
                    .get("stage")
                    .map(|s| Node::new(Value::Str(s.clone()), loc.clone())),
                other => self
                    .options
                    .opts
                    .get(other)
                    .map(|s| Node::new(Value::Str(s.clone()), loc.clone())),
            },
            "sls" => match address {
                "stage" => here(Value::Str(self.stage.clone())),
                other => here(Value::Symbolic(format!("<sls:{other}>"))),
            },
            "param" => {
                let params = self.root.get("params")?;
                let v = params
                    .path(&[self.stage.as_str(), address])
                    .or_else(|| params.path(&["default", address]))?;
                let resolved = self.memoised(format!("param:{address}"), loc, |r| {
                    Some(r.resolve_node(v, depth + 1))
                })?;
                Some(relocate_scalar(resolved, loc))
            }
            "env" => match self.options.env.as_ref().and_then(|e| e.get(address)) {
                Some(v) => here(Value::Str(v.clone())),
                None => here(Value::Symbolic(format!("<env:{address}>"))),
            },
            s if SOURCES.contains(&s) => here(Value::Symbolic(format!("<{s}:{address}>"))),
            _ => None,
        }
    }

    fn file(&mut self, path: &str, address: &str, loc: &Loc, depth: usize) -> Option<Node> {
        let lower = path.to_ascii_lowercase();
        let symbolic = || {
            Some(Node::new(
                Value::Symbolic(format!("<file:{path}>")),
                loc.clone(),
            ))
        };
        if !(lower.ends_with(".yml") || lower.ends_with(".yaml") || lower.ends_with(".json")) {
            // JavaScript and TypeScript files are code: never read, never run.
            return symbolic();
        }
        let Some(rel) = crate::cfn::join_dir(self.root_dir, path) else {
            return symbolic();
        };
        let doc = if let Some((_, d)) = self.files.iter().find(|(p, _)| *p == rel) {
            d.clone()
        } else {
            // A file that is not in the tree (a secrets file kept out of git) leaves the value
            // symbolic, like any reference that cannot be resolved; one that is there but
            // cannot be parsed is an error.
            let d = match self.reader.read(&rel) {
                Ok(f) => match parse_file(&f) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        self.errors.push(ScanError::at(
                            loc,
                            format!(
                                "`${{file({path})}}`: cannot parse {rel}: {e}; left unresolved"
                            ),
                        ));
                        None
                    }
                },
                Err(_) => None,
            };
            self.files.push((rel.clone(), d.clone()));
            d
        };
        let doc = doc?;
        let target = if address.is_empty() {
            doc
        } else {
            lookup(&doc, address)?.clone()
        };
        if self.stack.iter().filter(|k| k.starts_with("file:")).count() > MAX_VARIABLE_DEPTH {
            return symbolic();
        }
        let key = format!("file:{rel}:{address}");
        if self.stack.contains(&key) {
            self.errors.push(ScanError::at(
                loc,
                format!("`${{file({path})}}` includes itself; left unresolved"),
            ));
            return symbolic();
        }
        self.memoised(key.clone(), loc, |r| {
            r.stack.push(key);
            let resolved = r.resolve_node(&target, depth + 1);
            r.stack.pop();
            Some(resolved)
        })
    }
}

fn parse_file(f: &Arc<SourceFile>) -> Result<Node, yaml::ParseError> {
    yaml::parse(f)
}

/// A scalar that replaces a variable takes the variable's place, so findings point at the
/// user's text; collections keep their own places.
fn relocate_scalar(node: Node, loc: &Loc) -> Node {
    match node.value {
        Value::Seq(_) | Value::Map(_) => node,
        v => Node::new(v, loc.clone()),
    }
}

/// Follows `a.b[0].c` (or `a.b.0.c`) through maps and sequences.
fn lookup<'n>(root: &'n Node, address: &str) -> Option<&'n Node> {
    let mut node = root;
    let address = address.trim();
    if address.is_empty() {
        return Some(root);
    }
    for raw in address.split('.') {
        let mut seg = raw;
        let mut indices = Vec::new();
        while let Some(open) = seg.rfind('[') {
            let idx = seg[open + 1..]
                .trim_end_matches(']')
                .parse::<usize>()
                .ok()?;
            indices.push(idx);
            seg = &seg[..open];
        }
        if !seg.is_empty() {
            node = match &node.value {
                Value::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => node.get(seg)?,
            };
        }
        for idx in indices.into_iter().rev() {
            node = match &node.value {
                Value::Seq(items) => items.get(idx)?,
                _ => return None,
            };
        }
    }
    Some(node)
}

enum Part<'s> {
    Text(&'s str),
    Var(&'s str),
}

/// Splits text into literal parts and outermost `${...}` variables (nesting respected).
fn split_variables(s: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let mut depth = 0usize;
            let mut j = i + 1;
            let mut end = None;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            let Some(end) = end else { break };
            if text_start < i {
                parts.push(Part::Text(&s[text_start..i]));
            }
            parts.push(Part::Var(&s[i + 2..end]));
            i = end + 1;
            text_start = i;
        } else {
            i += 1;
        }
    }
    if text_start < s.len() {
        parts.push(Part::Text(&s[text_start..]));
    }
    parts
}

/// Whether `${inner}` is a Serverless variable rather than a CloudFormation substitution.
fn is_variable(inner: &str) -> bool {
    let inner = inner.trim_start();
    let head: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let rest = &inner[head.len()..];
    // Sources that plugins add (`${construct:queue.queueUrl}` from Lift, ...) are variables
    // too: unknown ones stay symbolic. `${AWS::Region}` is CloudFormation's, not a variable.
    let plugin_source = head.starts_with(|c: char| c.is_ascii_lowercase())
        && rest.starts_with(':')
        && !rest.starts_with("::");
    (SOURCES.contains(&head.as_str())
        && (rest.starts_with(':') && !rest.starts_with("::") || rest.starts_with('(')))
        || plugin_source
        || inner.starts_with("file(")
}

/// Splits at `sep` outside quotes, parentheses and `${}`.
fn split_top_level(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '{' | '[') => depth += 1,
            (None, ')' | '}' | ']') => depth -= 1,
            (None, c) if c == sep && depth == 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_variables() {
        assert!(is_variable("self:custom.x"));
        assert!(is_variable("file(./a.yml):b"));
        assert!(is_variable("opt:stage, 'dev'"));
        assert!(!is_variable("AWS::Region"));
        assert!(!is_variable("Bucket.Arn"));
        // Sources that plugins add are variables (they stay symbolic).
        assert!(is_variable("construct:jobs.queueUrl"));
        assert!(!is_variable("MyBucket"));
        assert_eq!(
            split_top_level("opt:stage, self:provider.stage, 'a,b'", ',').len(),
            3
        );
    }
}
