//! Library calls as the spec tables see them: builtins, environment reads, decoders,
//! sanitizers, sinks, and the HTTP responses a handler returns (verbose errors, HTML built
//! from the event).

use std::rc::Rc;

use perimeter_diagnostics::Kind;
use ruff_python_ast as ast;
use ruff_text_size::TextRange;

use super::spec::{Check, Clean, DECODERS, ERROR_TEXT, SANITIZERS, SINKS, Sink};
use super::taint::{Args, Engine};
use super::value::{
    Obj, Origin, Shape, Taint, Text, Val, add_taints, deep_taints, element, set_field,
};
use crate::core::sinks::{
    check_response, fetcher_text, is_fetcher, is_shell, judge, outbound_request, request_payload,
};

impl Engine<'_> {
    /// A call of a library name: `Some(result)` when a table or a builtin rule knows it;
    /// sinks are checked on the way.
    pub(crate) fn library_call(
        &mut self,
        origin: &Rc<Origin>,
        recv: Option<&Val>,
        args: &Args,
        r: TextRange,
        call: &ast::ExprCall,
    ) -> Option<Val> {
        let module = &*origin.module;
        let loc = self.loc(r);
        if let Some(v) = self.powertools_call(origin, args, r) {
            return Some(v);
        }
        if module.is_empty()
            && origin.path == "getattr"
            && let Some(v) = super::sdk::getattr(self, args, r)
        {
            return Some(v);
        }
        if module.is_empty()
            && origin.path == "super"
            && let Some(v) = self.super_orm(args)
        {
            return Some(v);
        }
        if module.is_empty()
            && let Some(v) = self.builtin(&origin.path, args, r)
        {
            self.check_sinks(origin, recv, args, r, call);
            return Some(v);
        }
        if ERROR_TEXT.iter().any(|(m, n)| origin.matches(m, n)) {
            return Some(Val::tainted(vec![Taint::new("error", true, loc)]));
        }
        // A request built before it is sent: its URL, data and headers stay apart, so that
        // `urlopen(req)` judges the URL as the URL and the data as what is sent.
        if origin.matches("urllib", "request.Request") {
            let mut o = Obj::default();
            for (i, k) in ["url", "data", "headers"].into_iter().enumerate() {
                if let Some(v) = args.get(i, k) {
                    set_field(&mut o, k, v.clone());
                }
            }
            return Some(Val::object(o));
        }
        if origin.matches("os", "environ.get") || origin.matches("os", "getenv") {
            let mut v = Val::default();
            if let Some(name) = args.get(0, "key").and_then(Val::konst) {
                self.fx.env_reads.borrow_mut().insert(name.to_string());
                v.text = Some(Text::Env(name));
            }
            return Some(v);
        }
        if let Some((_, name)) = DECODERS.iter().find(|(m, n)| origin.matches(m, n)) {
            let mut t = Vec::new();
            let all = matches!(*name, "path.join" | "join");
            for (i, a) in args.pos.iter().enumerate() {
                if i == 0 || all {
                    add_taints(&mut t, deep_taints(a));
                }
            }
            let note = if name.contains("dump") || name.contains("encode") {
                "serialised"
            } else if name.contains("join") {
                "joined into a path"
            } else {
                "decoded"
            };
            let mut out = Val::tainted(t).with_step(&loc, note);
            // Serialised text keeps the dict's structure, so an invocation payload still
            // shows which of its fields carry event data.
            if name.ends_with("dumps")
                && let Some(o) = args
                    .pos
                    .first()
                    .and_then(Val::obj)
                    .filter(|_| args.pos.first().is_some_and(|a| !a.is_array()))
            {
                out.shape = Shape::Obj(Rc::clone(o));
            }
            return Some(out);
        }
        if let Some(s) = SANITIZERS.iter().find(|s| origin.matches(s.module, s.name)) {
            return Some(match s.clean {
                Clean::All => Val::default(),
                Clean::Kinds(_) => {
                    let mask = s.clean.mask();
                    let mut t = Vec::new();
                    let mut from = args.all_taints();
                    if let Some(r) = recv {
                        add_taints(&mut from, r.taint.iter().cloned());
                    }
                    add_taints(&mut t, from.iter().map(|x| x.cleaned(mask)));
                    Val::tainted(t).with_step(&loc, &format!("{}()", origin.dotted()))
                }
            });
        }
        if module == "boto3" && origin.path.starts_with("dynamodb.conditions.") {
            // Condition builders bind values as parameters: never injection.
            return Some(Val::ext(origin.called()));
        }
        if let Some(v) = super::sdk::library_call(self, origin, args) {
            return Some(v);
        }
        if origin.matches("lxml", "etree.XMLParser")
            || origin.matches("lxml", "objectify.makeparser")
        {
            let resolves = !matches!(
                args.kw("resolve_entities").map(|v| &v.shape),
                Some(Shape::Bool(false))
            );
            return Some(Val::of(Shape::XmlParser(resolves)));
        }
        if origin.matches("", "open") || origin.matches("io", "open") {
            self.check_sinks(origin, recv, args, r, call);
            return Some(Val::ext(origin.called()));
        }
        self.check_sinks(origin, recv, args, r, call);
        None
    }

    /// Builtins that shape values: conversions, containers, iteration helpers.
    fn builtin(&mut self, name: &str, args: &Args, r: TextRange) -> Option<Val> {
        let loc = self.loc(r);
        let first = args.pos.first().cloned().unwrap_or_default();
        Some(match name {
            "str" | "repr" | "format" | "ascii" | "bytes" | "bytearray" => {
                let mut v = Val::tainted(deep_taints(&first));
                if name == "str" {
                    v.text.clone_from(&first.text);
                }
                v
            }
            "dict" => {
                let mut o = Obj::default();
                if let Some(src) = first.obj()
                    && let Ok(src) = src.try_borrow()
                {
                    for (k, v) in &src.fields {
                        set_field(&mut o, k, v.clone());
                    }
                    o.elems.clone_from(&src.elems);
                } else if !first.taint.is_empty() {
                    o.elems = Some(Val::tainted(deep_taints(&first)));
                }
                for (k, v) in &args.kw {
                    set_field(&mut o, k, v.clone());
                }
                Val::object(o)
            }
            "list" | "tuple" | "set" | "frozenset" | "sorted" | "reversed" | "iter" => {
                if args.pos.is_empty() {
                    return Some(Val::object(Obj {
                        array: true,
                        ..Obj::default()
                    }));
                }
                Val::object(Obj {
                    array: true,
                    elems: Some(element(&first, &loc)),
                    ..Obj::default()
                })
            }
            "enumerate" => {
                let mut pair = Obj {
                    array: true,
                    ..Obj::default()
                };
                pair.fields.insert("0".into(), Val::default());
                pair.fields.insert("1".into(), element(&first, &loc));
                Val::object(Obj {
                    array: true,
                    elems: Some(Val::object(pair)),
                    ..Obj::default()
                })
            }
            "zip" => {
                let mut pair = Obj {
                    array: true,
                    ..Obj::default()
                };
                for (i, a) in args.pos.iter().enumerate() {
                    pair.fields.insert(i.to_string(), element(a, &loc));
                }
                Val::object(Obj {
                    array: true,
                    elems: Some(Val::object(pair)),
                    ..Obj::default()
                })
            }
            "next" => element(&first, &loc),
            "isinstance" | "issubclass" | "hasattr" | "callable" | "print" | "id" | "type"
            | "super" | "vars" | "dir" | "setattr" | "delattr" | "globals" | "locals" => {
                Val::default()
            }
            _ => return None,
        })
    }

    fn check_sinks(
        &mut self,
        origin: &Origin,
        recv: Option<&Val>,
        args: &Args,
        r: TextRange,
        call: &ast::ExprCall,
    ) {
        for s in SINKS {
            if origin.matches(s.module, s.name) {
                self.check_sink(s, recv, args, r, call);
            }
        }
    }

    fn check_sink(
        &mut self,
        s: &Sink,
        recv: Option<&Val>,
        args: &Args,
        r: TextRange,
        call: &ast::ExprCall,
    ) {
        let name = s.display_name();
        // `urlopen(Request(url, data))`: the request's parts, as if passed one by one.
        let request = (s.module == "urllib" && s.kind == Kind::Ssrf)
            .then(|| args.get(s.arg, s.keyword))
            .flatten()
            .filter(|a| !a.is_array())
            .and_then(|a| Some((a.field("url")?, a.field("data"))));
        let unpacked;
        let args = match request {
            Some((url, data)) => {
                unpacked = Args {
                    pos: vec![url],
                    kw: data
                        .map(|d| vec![("data".to_owned(), d)])
                        .unwrap_or_default(),
                };
                &unpacked
            }
            None => args,
        };
        let arg = args.get(s.arg, s.keyword);
        let taints: Vec<Rc<Taint>> = match s.check {
            Check::Deep | Check::Url | Check::StringCode => {
                arg.map(deep_taints).unwrap_or_default()
            }
            Check::Receiver => recv.map(deep_taints).unwrap_or_default(),
            Check::Sql => match arg {
                Some(a) if a.konst().is_some() || a.is_array() => Vec::new(),
                Some(a) => deep_taints(a),
                None => Vec::new(),
            },
            Check::MongoQuery => match arg {
                Some(a) if a.obj().is_some() && !a.is_array() => {
                    let mut t = a.taint.clone();
                    if let Some(w) = a.field("$where") {
                        add_taints(&mut t, deep_taints(&w));
                    }
                    t
                }
                Some(a) if a.is_array() => Vec::new(),
                Some(a) => a.taint.clone(),
                None => Vec::new(),
            },
            Check::Command => self.subprocess_taints(arg, args, r, &name),
            Check::Expression | Check::LegacyConditions | Check::Host => {
                arg.map(|a| judge(s.check, a)).unwrap_or_default()
            }
            Check::XmlEntities => {
                let parser = args.get(1, "parser");
                let safe = matches!(parser.map(|p| &p.shape), Some(Shape::XmlParser(false)));
                if safe {
                    Vec::new()
                } else {
                    arg.map(deep_taints).unwrap_or_default()
                }
            }
            Check::YamlLoad => {
                let loader = args.get(1, "Loader");
                let safe = loader.is_some_and(|l| match &l.shape {
                    Shape::Ext(o) => {
                        let n = o.name();
                        n.contains("Safe") || n == "BaseLoader"
                    }
                    _ => false,
                });
                if safe {
                    Vec::new()
                } else {
                    arg.map(deep_taints).unwrap_or_default()
                }
            }
        };
        self.record(s.kind, &taints, r, &name);
        if s.kind == Kind::Ssrf && s.keyword == "url" {
            self.record_request(s, args, r);
        }
        if s.kind == Kind::InjectionOsCommand && s.check == Check::Deep {
            let fetches = arg
                .and_then(|a| a.text.as_ref())
                .is_some_and(|t| fetcher_text(t.pattern()));
            if fetches {
                self.record(Kind::Ssrf, &taints, r, &name);
            }
        }
        let _ = call;
    }

    /// An outbound HTTP request (`requests.post(url, json=...)`, `http.request("POST", url,
    /// body=...)`): recorded with the SDK calls, so the application graph can link a request
    /// to one of the application's own endpoints and carry its data there.
    fn record_request(&mut self, s: &Sink, args: &Args, r: TextRange) {
        let Some(url) = args.get(s.arg, "url") else {
            return;
        };
        let method = crate::spec::http_method(s.name)
            .map(str::to_owned)
            .or_else(|| {
                (s.arg == 1)
                    .then(|| args.get(0, "method"))
                    .flatten()
                    .and_then(Val::konst)
                    .map(|m| m.to_ascii_uppercase())
            })
            .unwrap_or_else(|| "GET".to_owned());
        let positional = args.get(s.arg + 1, "");
        let tainted = request_payload(positional, |f| args.kw(f).cloned());
        let loc = self.loc(r);
        outbound_request(self, loc, method, url, tainted);
    }

    /// `subprocess.run(cmd, shell=...)`: a tainted string command, a tainted program, or
    /// tainted arguments run by a shell.
    fn subprocess_taints(
        &mut self,
        cmd: Option<&Val>,
        args: &Args,
        r: TextRange,
        name: &str,
    ) -> Vec<Rc<Taint>> {
        let Some(cmd) = cmd else { return Vec::new() };
        let shell = matches!(args.kw("shell").map(|v| &v.shape), Some(Shape::Bool(true)));
        if !cmd.is_array() {
            let t = deep_taints(cmd);
            if cmd.text.as_ref().is_some_and(|x| fetcher_text(x.pattern())) {
                self.record(Kind::Ssrf, &t, r, name);
            }
            return t;
        }
        let program = cmd.field("0");
        let program_text = program.as_ref().and_then(Val::konst);
        let mut out = program.as_ref().map(deep_taints).unwrap_or_default();
        let by_shell = program_text.as_deref().is_some_and(is_shell);
        if shell || by_shell {
            add_taints(&mut out, deep_taints(cmd));
        }
        let fetcher = program_text.as_deref().is_some_and(is_fetcher);
        if fetcher {
            let t = deep_taints(cmd);
            self.record(Kind::Ssrf, &t, r, name);
        }
        out
    }

    /// Records the labels that reach a sink of this kind.
    pub(crate) fn record(
        &mut self,
        kind: Kind,
        taints: &[Rc<Taint>],
        r: TextRange,
        sink_name: &str,
    ) {
        let sink = self.loc(r);
        self.fx.flow(kind, taints, &sink, sink_name);
    }

    /// A Lambda proxy response (`{"statusCode": ..., "body": ...}`): errors in the body are
    /// verbose errors; event data in an HTML body is XSS.
    pub(crate) fn check_response(&mut self, v: &Val, r: TextRange, sink_name: &str) {
        let loc = self.loc(r);
        check_response(self, v, &loc, sink_name);
    }
}
