//! `serverless.ts`, `serverless.js` and `serverless.json` read statically: functions,
//! handlers, events, roles and resources as for `serverless.yml`, with the places of the
//! TypeScript or JavaScript text; what is not static is named by an error entry.

use std::sync::Arc;

use perimeter_diagnostics::{Loc, ScanError, SourceFile};
use perimeter_model::serverless::{self, FileReader, LoadOptions};
use perimeter_model::{Application, EventKind, yaml};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/serverless_script"
);

/// A fixture folder seen as the folder `svc` of a scanned tree (so the service root is not
/// the scan root). Code is only ever read as text.
struct Tree(&'static str);

impl FileReader for Tree {
    fn read(&self, rel: &str) -> Result<Arc<SourceFile>, String> {
        let inner = rel
            .strip_prefix("svc/")
            .ok_or_else(|| format!("{rel} is outside the service"))?;
        let text = std::fs::read_to_string(format!("{DIR}/{}/{inner}", self.0))
            .map_err(|e| e.to_string())?;
        Ok(SourceFile::new(rel, text))
    }
}

fn read(fixture: &'static str, name: &str) -> (Option<Application>, Vec<ScanError>) {
    let tree = Tree(fixture);
    let file = tree.read(&format!("svc/{name}")).unwrap();
    let options = LoadOptions::default();
    let (doc, errors) = if name.ends_with(".json") {
        (Some(yaml::parse(&file).unwrap()), Vec::new())
    } else {
        serverless::script::read(&file, &tree, &options)
    };
    (
        doc.map(|d| serverless::load(&file, d, &tree, &options)),
        errors,
    )
}

fn at(loc: &Loc) -> (&str, u32) {
    (loc.path(), loc.start().line)
}

#[test]
fn typescript_template_functions_handlers_and_events_from_imported_modules() {
    let (app, errors) = read("ts_template", "serverless.ts");
    assert!(errors.is_empty(), "{errors:?}");
    let app = app.unwrap();
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    // `service: pkg.name` from the imported package.json.
    assert_eq!(app.name.as_deref(), Some("order-desk"));
    assert_eq!(app.root, "svc");
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["createOrder", "getOrder"]);

    // `functions: { createOrder }`: the key in serverless.ts, the value from the module that
    // the tsconfig `paths` alias and the index re-export name.
    let create = app.function("createOrder").unwrap();
    assert_eq!(at(&create.loc), ("svc/serverless.ts", 33));
    // `${handlerPath(__dirname)}/handler.main` is the module's folder, relative to the
    // service.
    assert_eq!(
        create.handler_str(),
        Some("src/functions/create-order/handler.main")
    );
    let handler = create.handler.as_ref().unwrap();
    assert_eq!(
        at(&handler.loc),
        ("svc/src/functions/create-order/index.ts", 4)
    );
    assert_eq!(create.code_dir.as_deref(), Some("svc"));
    assert_eq!(create.runtime_str(), Some("nodejs20.x"));
    let [ev] = create.events.as_slice() else {
        panic!("{:?}", create.events)
    };
    assert_eq!(ev.kind, EventKind::Http);
    let route = ev.route.as_ref().unwrap();
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("POST", "/orders")
    );
    assert_eq!(at(&ev.loc), ("svc/src/functions/create-order/index.ts", 7));

    // A spread of the imported object plus a setting of its own.
    let get = app.function("getOrder").unwrap();
    assert_eq!(at(&get.loc), ("svc/serverless.ts", 34));
    assert_eq!(
        get.handler_str(),
        Some("src/functions/get-order/handler.main")
    );
    assert_eq!(at(&get.handler.as_ref().unwrap().loc).1, 6);
    assert_eq!(get.timeout.as_ref().unwrap().as_i64(), Some(10));
    assert_eq!(get.memory.as_ref().unwrap().as_i64(), Some(256));
    let ev = &get.events[0];
    assert_eq!(ev.kind, EventKind::HttpApi);
    let route = ev.route.as_ref().unwrap();
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("GET", "/orders/{id}")
    );
    assert_eq!(at(&ev.loc), ("svc/src/functions/get-order/index.ts", 8));

    // A const holding a Serverless variable is resolved as in YAML, at the const's place;
    // `process.env` stays symbolic.
    let table = &create.env("TABLE_NAME").unwrap().value;
    assert_eq!(table.as_str(), Some("orders-dev"));
    assert_eq!(at(&table.loc), ("svc/serverless.ts", 7));
    let region = &create.env("REGION").unwrap().value;
    assert!(region.is_symbolic(), "{region:?}");
    assert_eq!(region.scalar_text().as_deref(), Some("<env:AWS_REGION>"));

    // The provider role and the resources block go through the usual loaders.
    let role = app.role(serverless::PROVIDER_ROLE).unwrap();
    assert_eq!(role.statements.len(), 1);
    assert_eq!(role.functions, ["createOrder", "getOrder"]);
    assert_eq!(role.statements[0].actions[0].as_str(), Some("dynamodb:*"));
    assert_eq!(
        at(&role.statements[0].actions[0].loc),
        ("svc/serverless.ts", 25)
    );
    let table = app.resource("OrdersTable").unwrap();
    assert_eq!(table.type_name, "AWS::DynamoDB::Table");
    assert_eq!(
        table.prop("TableName").unwrap().as_str(),
        Some("orders-dev")
    );
    assert!(app.apis.iter().any(|a| a.protocol == "rest"));
    assert!(app.apis.iter().any(|a| a.protocol == "http"));
}

#[test]
fn javascript_module_exports_with_required_module_and_env_fallback() {
    let (app, errors) = read("js_app", "serverless.js");
    assert!(errors.is_empty(), "{errors:?}");
    let app = app.unwrap();
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    assert_eq!(app.name.as_deref(), Some("mailer"));
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["send", "bounce"]);
    // `exports.send = {...}` in the required module, at its lines there.
    let send = app.function("send").unwrap();
    assert_eq!(send.handler_str(), Some("src/send.handler"));
    assert_eq!(
        at(&send.handler.as_ref().unwrap().loc),
        ("svc/config/functions.js", 4)
    );
    assert_eq!(send.events[0].kind, EventKind::Sqs);
    assert_eq!(
        send.events[0].source.as_ref().unwrap().as_str(),
        Some("arn:aws:sqs:us-east-1:123456789012:outbox")
    );
    // `process.env.STAGE || 'dev'` reads like `${env:STAGE, 'dev'}`.
    let bounce = app.function("bounce").unwrap();
    assert_eq!(at(&bounce.loc), ("svc/serverless.js", 15));
    assert_eq!(bounce.events[0].kind, EventKind::Sns);
    assert_eq!(
        bounce.events[0].source.as_ref().unwrap().as_str(),
        Some("bounces-dev")
    );
    assert_eq!(
        bounce.name.as_ref().unwrap().as_str(),
        Some("mailer-dev-bounce")
    );
}

#[test]
fn serverless_json_is_read_by_the_same_loader() {
    let (app, _) = read("json_app", "serverless.json");
    let app = app.unwrap();
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let daily = app.function("daily").unwrap();
    assert_eq!(daily.handler_str(), Some("reports.daily"));
    assert_eq!(daily.events[0].kind, EventKind::Schedule);
    assert_eq!(at(&daily.loc), ("svc/serverless.json", 5));
    let fetch = app.function("fetch").unwrap();
    let route = fetch.events[0].route.as_ref().unwrap();
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("GET", "/reports")
    );
    assert_eq!(at(&fetch.events[0].loc), ("svc/serverless.json", 11));
}

#[test]
fn dynamic_configuration_reads_what_is_static_and_names_the_rest() {
    let (app, errors) = read("dynamic", "serverless.ts");
    let app = app.expect("the static part is read");
    // `export default`, a static `.map` over literal methods.
    let ping = app.function("ping").unwrap();
    assert_eq!(ping.handler_str(), Some("src/ping.handler"));
    let methods: Vec<&str> = ping
        .events
        .iter()
        .map(|e| e.route.as_ref().unwrap().method.as_str())
        .collect();
    assert_eq!(methods, ["GET", "POST"]);
    assert_eq!(at(&ping.events[1].loc), ("svc/serverless.ts", 20));
    // A function built by a call that is not static is not read, and an entry says so
    // (instead of a function without a handler).
    assert!(app.function("made").is_none());
    let messages: Vec<(Option<u32>, &str)> = errors
        .iter()
        .map(|e| (e.line, e.message.as_str()))
        .collect();
    assert!(
        messages.contains(&(
            Some(22),
            "function `made` is not static (<js:makeFunction('made')>): it was not read"
        )),
        "{messages:?}"
    );
    assert!(
        messages.contains(&(
            Some(13),
            "`...getEnvs()` is not static: its entries were not read"
        )),
        "{messages:?}"
    );
    assert_eq!(errors.len(), 2, "{messages:?}");
    // Values that are not static stay symbolic, as unresolved variables do.
    let port = &ping.env("PORT").unwrap().value;
    assert!(port.is_symbolic(), "{port:?}");
    let stage = app
        .document
        .as_ref()
        .and_then(|d| d.path(&["provider", "stage"]))
        .unwrap();
    assert_eq!(stage.scalar_text().as_deref(), Some("<js:getEnvs().STAGE>"));
}

#[test]
fn configuration_that_exports_nothing_is_an_error_entry() {
    let (app, errors) = read("no_export", "serverless.ts");
    assert!(app.is_none());
    let [e] = errors.as_slice() else {
        panic!("{errors:?}")
    };
    assert_eq!(e.path, "svc/serverless.ts");
    assert!(
        e.message.contains("no static configuration"),
        "{}",
        e.message
    );
}

#[test]
fn code_is_never_run_and_hostile_nesting_is_bounded() {
    // A configuration that would loop or recurse if it were run is read as text.
    let deep = format!(
        "module.exports = {{ service: 'x', a: {}1{} }};",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let file = SourceFile::new("serverless.js", deep);
    let (doc, errors) =
        serverless::script::read(&file, &serverless::NoFiles, &LoadOptions::default());
    assert!(doc.is_none());
    assert!(
        errors.iter().any(|e| e.message.contains("nests deeper")),
        "{errors:?}"
    );

    // A chain of thousands of consts is cut at the nesting limit, with an entry.
    let mut chain = String::from("const c0 = 'x';\n");
    for i in 1..20_000 {
        chain.push_str(&format!("const c{i} = c{};\n", i - 1));
    }
    chain.push_str("module.exports = { service: c19999, provider: { name: 'aws' } };\n");
    let file = SourceFile::new("serverless.js", chain);
    // On a stack like the scanner's workers (a debug build's frames are large).
    let (doc, errors) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            serverless::script::read(&file, &serverless::NoFiles, &LoadOptions::default())
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(doc.unwrap().get("service").unwrap().is_symbolic());
    assert!(
        errors.iter().any(|e| e.message.contains("levels (limit)")),
        "{errors:?}"
    );

    let recursive = "const f = (x) => f(x);\nwhile (true) {}\nmodule.exports = { service: f(1), provider: { name: 'aws' } };\n";
    let file = SourceFile::new("serverless.js", recursive);
    let (doc, errors) =
        serverless::script::read(&file, &serverless::NoFiles, &LoadOptions::default());
    let doc = doc.unwrap();
    assert!(doc.get("service").unwrap().is_symbolic());
    assert!(
        errors.iter().any(|e| e.message.contains("limit")),
        "{errors:?}"
    );
}
