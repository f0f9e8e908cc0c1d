//! Library calls as the spec tables see them: sanitizers, pass-through wrappers, sinks, and
//! the HTTP responses a handler returns (verbose errors, HTML built from the event).

use std::rc::Rc;

use oxc_span::Span;
use perimeter_diagnostics::Kind;

use super::spec::{ANY_ARG, Check, Clean, EXPRESS_MODULES, PASS_THROUGH, SANITIZERS, SINKS, Sink};
use super::taint::Engine;
use super::value::{Origin, Tag, Taint, Val, add_taints, deep_taints, flat, kind_bit};
use crate::core::sinks::{
    check_response, fetcher_text, is_fetcher, is_shell, judge, outbound_request, request_payload,
};

/// Whether a table row (`module`, `name`) names this origin.
pub(crate) fn matches(module: &str, name: &str, origin: &Origin) -> bool {
    if module.is_empty() {
        if !origin.module.is_empty() {
            return false;
        }
        return match name.strip_suffix(".*") {
            Some(prefix) => origin
                .path
                .strip_prefix(prefix)
                .is_some_and(|r| r.starts_with('.')),
            None => origin.path == name,
        };
    }
    if &*origin.module != module {
        return false;
    }
    if name.is_empty() {
        origin.path.is_empty() || origin.path == "default"
    } else {
        origin.name() == name
    }
}

impl<'a> Engine<'a> {
    /// A call of a library function: `Some(result)` when a table knows it.
    pub(crate) fn library_call(
        &mut self,
        span: Span,
        origin: &Rc<Origin>,
        recv: Option<&Val<'a>>,
        args: &[Val<'a>],
        is_new: bool,
    ) -> Option<Val<'a>> {
        if let Some(v) = self.powertools_call(span, origin, args) {
            return Some(v);
        }
        let module = &*origin.module;
        if module.is_empty() {
            match origin.path.as_str() {
                // The text keeps the object's structure, so an invocation payload still
                // shows which of its fields carry event data.
                "JSON.stringify" => {
                    let Some(a) = args.first() else {
                        return Some(Val::default());
                    };
                    return Some(Val {
                        taint: flat(&deep_taints(a)),
                        obj: a.obj.clone(),
                        ..Val::default()
                    });
                }
                "JSON.parse" => {
                    let t = args
                        .first()
                        .map(|a| flat(&deep_taints(a)))
                        .unwrap_or_default();
                    return Some(Val::tainted(t));
                }
                "Promise" if is_new => return Some(self.new_promise(args)),
                "Promise.all" | "Promise.allSettled" | "Promise.race" | "Promise.any" => {
                    return Some(args.first().cloned().unwrap_or_default());
                }
                _ => {}
            }
        }
        if PASS_THROUGH.iter().any(|(m, n)| matches(m, n, origin)) {
            let mut out = args.first().cloned().unwrap_or_default();
            for a in args.iter().skip(1) {
                add_taints(&mut out.taint, a.taint.iter().cloned());
            }
            return Some(out);
        }
        if let Some(s) = SANITIZERS
            .iter()
            .find(|s| matches(s.module, s.name, origin))
        {
            return Some(match s.clean {
                Clean::All => Val::default(),
                Clean::Kinds(_) => {
                    let mask = s.clean.mask();
                    let mut t = Vec::new();
                    for a in args {
                        add_taints(
                            &mut t,
                            flat(&deep_taints(a)).iter().map(|x| x.cleaned(mask)),
                        );
                    }
                    Val::tainted(t)
                }
            });
        }
        // pg-format: `format('... %L ...', x)` quotes literals and identifiers.
        if module == "pg-format" && origin.path.is_empty() {
            let quoted = args
                .first()
                .and_then(|a| a.text.as_ref())
                .is_some_and(|t| !t.pattern().contains("%s"));
            let mask = if quoted {
                kind_bit(Kind::InjectionSql)
            } else {
                0
            };
            let mut t = Vec::new();
            for a in args.iter().skip(1) {
                add_taints(
                    &mut t,
                    flat(&deep_taints(a)).iter().map(|x| x.cleaned(mask)),
                );
            }
            return Some(Val::tainted(t));
        }
        if EXPRESS_MODULES.contains(&module)
            && (origin.path.is_empty() || origin.path == "default" || origin.name() == "Router")
        {
            return Some(Val {
                tag: Tag::ExpressApp,
                ..Val::default()
            });
        }
        if let Some(v) = super::sdk::library_call(self, span, origin, args, is_new) {
            return Some(v);
        }
        for s in SINKS {
            if s.new_only.is_some_and(|n| n != is_new) || !matches(s.module, s.name, origin) {
                continue;
            }
            self.check_sink(s, span, recv, args);
        }
        None
    }

    fn check_sink(&mut self, s: &Sink, span: Span, recv: Option<&Val<'a>>, args: &[Val<'a>]) {
        let name = s.display_name();
        let arg = if s.arg == ANY_ARG {
            None
        } else {
            args.get(s.arg)
        };
        let taints: Vec<Rc<Taint>> = match s.check {
            Check::Deep if s.arg == ANY_ARG => {
                let mut t = Vec::new();
                for a in args {
                    add_taints(&mut t, deep_taints(a));
                }
                t
            }
            Check::Deep => arg.map(deep_taints).unwrap_or_default(),
            Check::Receiver => recv.map(deep_taints).unwrap_or_default(),
            Check::Sql => match arg {
                Some(a) if a.obj.is_some() && !a.obj.as_ref().is_some_and(|o| o.borrow().array) => {
                    let text = a.field("sql").or_else(|| a.field("text"));
                    let mut t = a.taint.clone();
                    if let Some(f) = text {
                        add_taints(&mut t, deep_taints(&f));
                    }
                    t
                }
                Some(a) => a.taint.clone(),
                None => Vec::new(),
            },
            Check::MongoQuery => match arg {
                Some(a) => {
                    let mut t = a.taint.clone();
                    if let Some(w) = a.field("$where") {
                        add_taints(&mut t, deep_taints(&w));
                    }
                    t
                }
                None => Vec::new(),
            },
            Check::Url => match arg {
                Some(a) if a.obj.is_some() => {
                    let mut t = a.taint.clone();
                    for f in [
                        "url", "uri", "host", "hostname", "baseURL", "href", "origin",
                    ] {
                        if let Some(v) = a.field(f) {
                            add_taints(&mut t, v.taint.iter().cloned());
                        }
                    }
                    t
                }
                Some(a) => a.taint.clone(),
                None => Vec::new(),
            },
            Check::Command => self.spawn_taints(args, span, &name),
            Check::Expression | Check::LegacyConditions | Check::Host => {
                arg.map(|a| judge(s.check, a)).unwrap_or_default()
            }
            Check::StringCode => match arg {
                Some(a) if a.func.is_none() => a.taint.clone(),
                _ => Vec::new(),
            },
            Check::XmlEntities => {
                let noent = args
                    .get(1)
                    .and_then(|o| o.field("noent"))
                    .and_then(|v| v.konst())
                    .is_some_and(|v| &*v == "true");
                if noent {
                    arg.map(deep_taints).unwrap_or_default()
                } else {
                    Vec::new()
                }
            }
            Check::YamlLoad => {
                let schema = args.get(1).and_then(|o| o.field("schema"));
                let schema_name = schema
                    .as_ref()
                    .and_then(|s| s.origin.as_ref())
                    .map(|o| o.name().to_owned());
                let safe_schema = schema_name.as_deref().is_some_and(|n| {
                    matches!(
                        n,
                        "JSON_SCHEMA" | "CORE_SCHEMA" | "FAILSAFE_SCHEMA" | "DEFAULT_SAFE_SCHEMA"
                    )
                });
                let unsafe_schema = schema_name.as_deref().is_some_and(|n| n.contains("FULL"));
                let v4 = self
                    .resolver
                    .dependency_version("js-yaml")
                    .is_some_and(|v| major_at_least(&v, 4));
                if safe_schema || (v4 && !unsafe_schema) {
                    Vec::new()
                } else {
                    arg.map(deep_taints).unwrap_or_default()
                }
            }
        };
        let label = if s.check == Check::YamlLoad {
            format!(
                "{name} (unsafe in js-yaml before 4 or with a full schema; version not pinned to 4+)"
            )
        } else {
            name.clone()
        };
        self.record(s.kind, &taints, span, &label);
        if s.check == Check::Url {
            self.record_request(s, span, args);
        }
        if s.kind == Kind::InjectionOsCommand && s.check == Check::Deep {
            let fetches = arg
                .and_then(|a| a.text.as_ref())
                .is_some_and(|t| fetcher_text(t.pattern()));
            if fetches {
                self.record(Kind::Ssrf, &taints, span, &name);
            }
        }
    }

    /// An outbound HTTP request (`fetch(url, { body })`, `axios.post(url, data)`,
    /// `axios({ url, data })`): recorded with the SDK calls, so the application graph can link
    /// a request to one of the application's own endpoints and carry its data there.
    fn record_request(&mut self, s: &Sink, span: Span, args: &[Val<'a>]) {
        let Some(first) = args.first() else { return };
        let options_first = first.obj.is_some() && first.text.is_none();
        let url = if options_first {
            ["url", "uri", "href"].iter().find_map(|f| first.field(f))
        } else {
            Some(first.clone())
        };
        let Some(url) = url else { return };
        if !s.module.is_empty() {
            let origin = Origin {
                module: Rc::from(s.module),
                path: s.name.to_owned(),
            };
            self.note_package_use(span, &origin, crate::PackageUseKind::Request);
        }
        let options = if options_first {
            Some(first.clone())
        } else {
            args.get(1).filter(|o| o.obj.is_some()).cloned()
        };
        let method = crate::spec::http_method(s.name)
            .map(str::to_owned)
            .or_else(|| {
                options
                    .as_ref()
                    .and_then(|o| o.field("method"))
                    .and_then(|m| m.konst())
                    .map(|m| m.to_ascii_uppercase())
            })
            .unwrap_or_else(|| "GET".to_owned());
        // `axios.post(url, data)`: the second argument is the data itself.
        let direct = (!options_first && matches!(s.name, "post" | "put" | "patch"))
            .then(|| args.get(1).cloned())
            .flatten();
        let option = |f: &str| options.as_ref().and_then(|o| o.field(f));
        let tainted = request_payload(direct.as_ref(), option);
        let loc = self.loc(span);
        outbound_request(self, loc, method, &url, tainted);
    }

    /// `spawn`/`execFile`: the tainted command, or tainted arguments run by a shell.
    fn spawn_taints(&mut self, args: &[Val<'a>], span: Span, name: &str) -> Vec<Rc<Taint>> {
        let Some(cmd) = args.first() else {
            return Vec::new();
        };
        let mut out = deep_taints(cmd);
        let list = args
            .get(1)
            .filter(|a| a.obj.as_ref().is_some_and(|o| o.borrow().array));
        let opts = if list.is_some() {
            args.get(2)
        } else {
            args.get(1)
        };
        let shell = opts
            .and_then(|o| o.field("shell"))
            .is_some_and(|v| v.konst().is_none_or(|s| &*s != "false"));
        let command = cmd.konst();
        let shell_cmd = command.as_deref().is_some_and(is_shell);
        let list_taints = list.map(deep_taints).unwrap_or_default();
        if shell || shell_cmd {
            add_taints(&mut out, list_taints.iter().cloned());
        }
        let fetcher = command.as_deref().is_some_and(is_fetcher);
        if fetcher {
            self.record(Kind::Ssrf, &list_taints, span, name);
        }
        out
    }

    /// Records the labels that reach a sink of this kind.
    pub(crate) fn record(&mut self, kind: Kind, taints: &[Rc<Taint>], span: Span, sink_name: &str) {
        let sink = self.loc(span);
        self.fx.flow(kind, taints, &sink, sink_name);
    }

    /// A Lambda proxy response (`{ statusCode, headers, body }`): errors in the body are
    /// verbose errors; event data in an HTML body is XSS.
    pub(crate) fn check_response(&mut self, v: &Val<'a>, span: Span, sink_name: &str) {
        let loc = self.loc(span);
        check_response(self, v, &loc, sink_name);
    }

    /// `res.send(x)` and friends in an Express-style route.
    pub(crate) fn express_send(&mut self, method: &str, args: &[Val<'a>], span: Span) {
        let Some(v) = args.first() else { return };
        let taints = deep_taints(v);
        let name = format!("res.{method}");
        self.record(Kind::VerboseError, &taints, span, &name);
        let markup = v.text.as_ref().is_some_and(|t| t.pattern().contains('<'));
        if markup && !matches!(method, "json" | "jsonp") {
            self.record(Kind::Xss, &taints, span, &name);
        }
    }
}

/// Whether a semver range (`^4.1.0`, `~3.14`, `>=4`) starts at major `n` or above.
fn major_at_least(range: &str, n: u32) -> bool {
    let digits: String = range
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse::<u32>().is_ok_and(|m| m >= n)
}
