//! Static resolution of CloudFormation intrinsics: `Ref` to parameters with defaults,
//! `Fn::FindInMap` with static keys, `Fn::If` on statically decidable conditions, and
//! `Fn::Sub`/`Fn::Join`/`Fn::Select`/`Fn::Split` over known values. Whatever cannot be decided
//! stays as written, so rules still see the intrinsic.
//!
//! A resolved value is located where the intrinsic that produced it is written (the place the
//! value is used), as [`Node`] documents.

use std::cell::RefCell;
use std::collections::BTreeMap;

use perimeter_diagnostics::ScanError;

use crate::limits::{Budget, weight};
use crate::yaml::{Key, Node, Value};

use super::Context;

/// Deeper than any parsed document (the parser stops at 256 levels): references (a mapping
/// value that looks itself up) are what can reach it.
const MAX_RESOLVE_DEPTH: usize = 300;
/// Longest chain of `Condition` references followed.
const MAX_CONDITION_DEPTH: usize = 32;

/// What resolution keeps across the calls of one template: the conditions decided, the
/// chain being decided (a condition that uses itself is a cycle, not a recursion), and the
/// budget of produced bytes with the limits met.
#[derive(Debug, Default)]
pub(crate) struct State {
    conditions: RefCell<BTreeMap<String, Option<bool>>>,
    deciding: RefCell<Vec<String>>,
    budget: Budget,
}

impl Clone for State {
    /// A copy starts afresh: the decisions depend on the parameters, which a copy may change.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl State {
    /// Takes the error entries recorded so far.
    pub(crate) fn take_errors(&self) -> Vec<ScanError> {
        self.budget.take_errors()
    }

    fn limit(&self, kind: &'static str, at: &Node, message: String) {
        self.budget.limit(kind, &at.loc, message);
    }

    fn charge(&self, bytes: usize, at: &Node) -> bool {
        self.budget.charge(bytes, &at.loc)
    }
}

/// Resolves the intrinsics of a node that can be decided statically. `Ref: AWS::NoValue`
/// (and an `Fn::If` branch that is one) removes the entry or item that holds it; a whole
/// value that resolves to nothing becomes null.
pub fn resolve(node: &Node, ctx: &Context) -> Node {
    resolve_at(node, ctx, 0).unwrap_or_else(|| Node::new(Value::Null, node.loc.clone()))
}

/// Whether a condition of the template is statically true or false (`None`: undecidable,
/// unknown, or in a cycle).
pub fn condition(ctx: &Context, name: &str) -> Option<bool> {
    condition_at(ctx, name, 0)
}

fn condition_at(ctx: &Context, name: &str, depth: usize) -> Option<bool> {
    let state = &ctx.state;
    if let Some(known) = state.conditions.borrow().get(name) {
        return *known;
    }
    let body = ctx.conditions.get(name)?;
    if state.deciding.borrow().iter().any(|c| c == name) {
        state.limit(
            "cycle",
            body,
            format!("condition `{name}` depends on itself; left undecided"),
        );
        return None;
    }
    if state.deciding.borrow().len() >= MAX_CONDITION_DEPTH || depth > MAX_RESOLVE_DEPTH {
        state.limit(
            "conditions",
            body,
            format!(
                "condition `{name}` is reached through more than {MAX_CONDITION_DEPTH} conditions (limit); left undecided"
            ),
        );
        return None;
    }
    state.deciding.borrow_mut().push(name.to_owned());
    let value = eval(body, ctx, depth + 1);
    state.deciding.borrow_mut().pop();
    state.conditions.borrow_mut().insert(name.to_owned(), value);
    value
}

fn eval(node: &Node, ctx: &Context, depth: usize) -> Option<bool> {
    if depth > MAX_RESOLVE_DEPTH {
        too_deep(ctx, node);
        return None;
    }
    if let Some((name, arg)) = node.intrinsic() {
        return match name {
            "Condition" => condition_at(ctx, arg.as_str()?, depth + 1),
            "Fn::Equals" => {
                let items = arg.items();
                let [a, b] = items.as_slice() else {
                    return None;
                };
                let a = resolve_at(a, ctx, depth + 1)?;
                let b = resolve_at(b, ctx, depth + 1)?;
                Some(static_text(&a)? == static_text(&b)?)
            }
            "Fn::Not" => eval(arg.items().first()?, ctx, depth + 1).map(|b| !b),
            "Fn::And" => {
                let values: Vec<Option<bool>> = arg
                    .items()
                    .iter()
                    .map(|n| eval(n, ctx, depth + 1))
                    .collect();
                if values.contains(&Some(false)) {
                    Some(false)
                } else if values.iter().all(Option::is_some) {
                    Some(true)
                } else {
                    None
                }
            }
            "Fn::Or" => {
                let values: Vec<Option<bool>> = arg
                    .items()
                    .iter()
                    .map(|n| eval(n, ctx, depth + 1))
                    .collect();
                if values.contains(&Some(true)) {
                    Some(true)
                } else if values.iter().all(Option::is_some) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        };
    }
    node.as_bool()
}

fn too_deep(ctx: &Context, at: &Node) {
    ctx.state.limit(
        "depth",
        at,
        format!(
            "intrinsics reach more than {MAX_RESOLVE_DEPTH} levels deep through references (limit); left unresolved"
        ),
    );
}

/// The text of a known scalar (not of symbolic values or collections).
fn static_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => node.scalar_text(),
        _ => None,
    }
}

fn is_no_value(node: &Node) -> bool {
    matches!(node.intrinsic(), Some(("Ref", arg)) if arg.as_str() == Some("AWS::NoValue"))
}

/// A resolved value placed where the intrinsic is written.
fn placed(mut value: Node, at: &Node) -> Node {
    value.loc = at.loc.clone();
    value
}

fn str_node(text: String, at: &Node) -> Node {
    Node::new(Value::Str(text), at.loc.clone())
}

fn resolve_at(node: &Node, ctx: &Context, depth: usize) -> Option<Node> {
    if depth > MAX_RESOLVE_DEPTH {
        too_deep(ctx, node);
        return Some(node.clone());
    }
    if let Some((name, arg)) = node.intrinsic()
        && let Some(done) = intrinsic(node, name, arg, ctx, depth)
    {
        return done;
    }
    Some(match &node.value {
        Value::Seq(items) => Node::new(
            Value::Seq(
                items
                    .iter()
                    .filter_map(|n| resolve_at(n, ctx, depth + 1))
                    .collect(),
            ),
            node.loc.clone(),
        ),
        Value::Map(entries) => Node::new(
            Value::Map(
                entries
                    .iter()
                    .filter_map(|(k, v)| resolve_at(v, ctx, depth + 1).map(|v| (k.clone(), v)))
                    .collect(),
            ),
            node.loc.clone(),
        ),
        _ => node.clone(),
    })
}

/// Resolves one intrinsic. `None`: not decided here, resolve its children; `Some(None)`:
/// the value is `AWS::NoValue`; `Some(Some(n))`: the result.
#[allow(clippy::option_option)]
fn intrinsic(
    node: &Node,
    name: &str,
    arg: &Node,
    ctx: &Context,
    depth: usize,
) -> Option<Option<Node>> {
    match name {
        "Ref" => {
            let id = arg.as_str()?;
            if id == "AWS::NoValue" {
                return Some(None);
            }
            let p = ctx.parameters.iter().find(|p| p.name == id)?;
            // NoEcho parameters hold secrets: their defaults stay behind the Ref (a rule
            // reads them from the parameter list).
            if p.no_echo {
                return None;
            }
            let default = p.default.as_ref()?;
            if !ctx.state.charge(weight(default), node) {
                return None;
            }
            Some(Some(placed(default.clone(), node)))
        }
        "Fn::If" => {
            let items = arg.items();
            let [cond, then, otherwise] = items.as_slice() else {
                return None;
            };
            match cond.as_str().and_then(|c| condition_at(ctx, c, depth + 1)) {
                Some(true) => Some(resolve_at(then, ctx, depth + 1)),
                Some(false) => Some(resolve_at(otherwise, ctx, depth + 1)),
                None => {
                    // Undecided: keep both branches, AWS::NoValue included.
                    let branch = |n: &Node| {
                        if is_no_value(n) {
                            n.clone()
                        } else {
                            deeper(n, ctx, depth)
                        }
                    };
                    let seq = Node::new(
                        Value::Seq(vec![(*cond).clone(), branch(then), branch(otherwise)]),
                        arg.loc.clone(),
                    );
                    Some(Some(rewrap(node, name, seq)))
                }
            }
        }
        "Fn::FindInMap" => {
            let args: Vec<Node> = arg.items().iter().map(|n| deeper(n, ctx, depth)).collect();
            let keys: Vec<String> = args.iter().take(3).filter_map(static_text).collect();
            if keys.len() == 3 {
                if let Some(found) = ctx
                    .mappings
                    .as_ref()
                    .and_then(|m| m.path(&[&keys[0], &keys[1], &keys[2]]))
                    && ctx.state.charge(weight(found), node)
                {
                    return Some(Some(placed(deeper(found, ctx, depth), node)));
                }
                // The optional fourth argument: `{DefaultValue: x}`.
                if let Some(default) = args.get(3).and_then(|d| d.get("DefaultValue")) {
                    return Some(Some(placed(default.clone(), node)));
                }
            }
            Some(Some(rewrap(
                node,
                name,
                Node::new(Value::Seq(args), arg.loc.clone()),
            )))
        }
        "Fn::Sub" => Some(Some(sub(node, arg, ctx, depth))),
        "Fn::Join" => {
            let items = arg.items();
            let [delim, list] = items.as_slice() else {
                return None;
            };
            let list = deeper(list, ctx, depth);
            let delim_text = static_text(delim);
            if let (Some(d), Value::Seq(parts)) = (&delim_text, &list.value) {
                let texts: Option<Vec<String>> = parts.iter().map(static_text).collect();
                if let Some(texts) = texts {
                    let len = texts.iter().map(|t| t.len() + d.len()).sum::<usize>();
                    if fits(ctx, len, len, node, name) {
                        return Some(Some(str_node(texts.join(d), node)));
                    }
                }
            }
            let seq = Node::new(Value::Seq(vec![(*delim).clone(), list]), arg.loc.clone());
            Some(Some(rewrap(node, name, seq)))
        }
        "Fn::Select" => {
            let items = arg.items();
            let [index, list] = items.as_slice() else {
                return None;
            };
            let index = deeper(index, ctx, depth);
            let list = deeper(list, ctx, depth);
            if let (Some(i), Value::Seq(values)) = (index.as_i64(), &list.value)
                && let Some(v) = usize::try_from(i).ok().and_then(|i| values.get(i))
            {
                return Some(Some(placed(v.clone(), node)));
            }
            let seq = Node::new(Value::Seq(vec![index, list]), arg.loc.clone());
            Some(Some(rewrap(node, name, seq)))
        }
        "Fn::Split" => {
            let items = arg.items();
            let [delim, source] = items.as_slice() else {
                return None;
            };
            let source = deeper(source, ctx, depth);
            if let (Some(d), Some(s)) = (static_text(delim), static_text(&source))
                && !d.is_empty()
                && ctx.state.charge(s.len() * 2, node)
            {
                let parts = s
                    .split(d.as_str())
                    .map(|p| str_node(p.to_owned(), node))
                    .collect();
                return Some(Some(Node::new(Value::Seq(parts), node.loc.clone())));
            }
            let seq = Node::new(Value::Seq(vec![(*delim).clone(), source]), arg.loc.clone());
            Some(Some(rewrap(node, name, seq)))
        }
        _ => None,
    }
}

/// The same intrinsic with a new argument, keeping the key's place.
fn rewrap(node: &Node, name: &str, arg: Node) -> Node {
    let key = node.key(name).cloned().unwrap_or_else(|| Key {
        name: name.to_owned(),
        loc: node.loc.clone(),
    });
    Node::new(Value::Map(vec![(key, arg)]), node.loc.clone())
}

/// `Fn::Sub`: substitutes the variables whose values are known (its own variable map, then
/// parameters with defaults); a template left without variables becomes a string.
fn sub(node: &Node, arg: &Node, ctx: &Context, depth: usize) -> Node {
    let (template, vars) = match &arg.value {
        Value::Seq(items) => (items.first(), items.get(1).map(|v| deeper(v, ctx, depth))),
        _ => (Some(arg), None),
    };
    let Some(text) = template.and_then(Node::as_str) else {
        return node.clone();
    };
    let known = |var: &str| -> Option<String> {
        if let Some(v) = vars.as_ref().and_then(|m| m.get(var)) {
            return static_text(v);
        }
        let p = ctx
            .parameters
            .iter()
            .find(|p| p.name == var && !p.no_echo)?;
        static_text(p.default.as_ref()?)
    };
    let mut out = String::new();
    let mut unresolved = false;
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let var = &after[..j];
        match known(var.trim()) {
            Some(value)
                if !var.starts_with('!')
                    && fits(ctx, out.len() + value.len(), value.len(), node, "Fn::Sub") =>
            {
                out.push_str(&value);
            }
            _ => {
                if !var.starts_with('!') {
                    unresolved = true;
                }
                out.push_str(&rest[i..i + 2 + j + 1]);
            }
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    if !unresolved {
        // `${!Literal}` is the literal text `${Literal}` once nothing is left to substitute.
        return str_node(out.replace("${!", "${"), node);
    }
    let template_node = Node::new(
        Value::Str(out),
        template.map_or_else(|| arg.loc.clone(), |t| t.loc.clone()),
    );
    let arg = match vars {
        Some(v) => Node::new(Value::Seq(vec![template_node, v]), arg.loc.clone()),
        None => template_node,
    };
    rewrap(node, "Fn::Sub", arg)
}

/// Resolves a child one level deeper.
fn deeper(node: &Node, ctx: &Context, depth: usize) -> Node {
    resolve_at(node, ctx, depth + 1).unwrap_or_else(|| Node::new(Value::Null, node.loc.clone()))
}

/// Whether a text of `len` bytes made by `intrinsic` is within the size bound and the
/// `added` bytes it costs fit the template's budget (else an error entry, and the intrinsic
/// stays unresolved).
fn fits(ctx: &Context, len: usize, added: usize, at: &Node, intrinsic: &str) -> bool {
    ctx.state
        .budget
        .fits(len, &at.loc, &format!("`{intrinsic}`"))
        && ctx.state.charge(added, at)
}
