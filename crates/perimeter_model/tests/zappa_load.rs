//! The Zappa loader on `resources/test/zappa`: Django stages (`django_settings`) served by the
//! project's WSGI app, with `DEBUG` read from the settings module each stage runs with.

mod apps;

use apps::{Tree, at};
use perimeter_model::{Application, EventKind, Framework, Function, zappa};

fn load(project: &str) -> Application {
    let tree = Tree::new("zappa");
    zappa::load(
        &tree.get(&format!("zappa/{project}/zappa_settings.json")),
        &tree,
    )
}

fn function<'a>(app: &'a Application, id: &str) -> &'a Function {
    app.function(id)
        .unwrap_or_else(|| panic!("no function {id}"))
}

const SETTINGS: &str = "zappa/django/zappa_settings.json";

#[test]
fn django_stage_is_an_http_function_served_by_the_wsgi_app() {
    let app = load("django");
    assert_eq!(app.framework, Framework::Zappa);
    assert!(app.errors.is_empty(), "{:?}", app.errors);
    let ids: Vec<&str> = app.functions.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["dev", "qa", "qa:site.tasks.cleanup", "prod", "web"]);
    let dev = function(&app, "dev");
    assert_eq!(dev.handler_str(), Some("site.wsgi.application"));
    // The handler is written where the stage names its settings module.
    assert_eq!(
        at(&dev.handler.as_ref().unwrap().loc),
        (SETTINGS.to_owned(), 3, 28)
    );
    assert_eq!(dev.code_dir.as_deref(), Some("zappa/django"));
    assert_eq!(dev.events.len(), 1);
    let route = dev.events[0].route.as_ref().unwrap();
    assert_eq!(dev.events[0].kind, EventKind::Http);
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        ("ANY", "/{proxy+}")
    );
    // A Flask app named by `app_function` is served as before.
    assert_eq!(function(&app, "web").handler_str(), Some("web.app.app"));
    assert!(function(&app, "web").debug.is_none());
    // The stage's `events` are functions of their own, with their trigger.
    let cleanup = function(&app, "qa:site.tasks.cleanup");
    assert_eq!(cleanup.handler_str(), Some("site.tasks.cleanup"));
    assert_eq!(cleanup.events[0].kind, EventKind::Schedule);
}

#[test]
fn django_debug_is_read_from_the_settings_module_of_each_stage() {
    let app = load("django");
    // `DEBUG = True` in the stage's own settings module.
    let dev = function(&app, "dev")
        .debug
        .as_ref()
        .expect("dev runs in debug");
    assert_eq!(
        at(&dev.loc),
        ("zappa/django/site/settings/dev.py".to_owned(), 5, 9)
    );
    // Taken whole from another settings module (`from .dev import *`): the line there.
    let qa = function(&app, "qa")
        .debug
        .as_ref()
        .expect("qa runs in debug");
    assert_eq!(at(&qa.loc).0, "zappa/django/site/settings/dev.py");
    // Read from the environment: not a literal, not known to be on.
    assert!(function(&app, "prod").debug.is_none());
    // The event function of a stage is not the web app.
    assert!(function(&app, "qa:site.tasks.cleanup").debug.is_none());
}

#[test]
fn django_settings_module_missing_is_an_error_naming_it() {
    let tree = Tree::new("zappa");
    let file = perimeter_diagnostics::SourceFile::new(
        "zappa/django/zappa_settings.json",
        "{\"dev\": {\"django_settings\": \"gone.settings\"}}",
    );
    let app = zappa::load(&file, &tree);
    assert_eq!(app.functions.len(), 1);
    assert_eq!(
        app.functions[0].handler_str(),
        Some("gone.settings.application")
    );
    assert!(
        app.errors[0]
            .message
            .contains("`gone.settings` is not in the repository"),
        "{:?}",
        app.errors
    );
}
