//! Graph building and taint propagation on a generated application: 500 functions, 250
//! queues, 2,000 write edges and 500 triggers, half the writes carrying attacker data.
//!
//! `cargo bench -p perimeter_graph --bench graph`

use criterion::{Criterion, criterion_group, criterion_main};
use perimeter_code::{FunctionSummary, ResourceExpr, SdkCall, Source, TaintedPayload};
use perimeter_diagnostics::{Loc, SourceFile, Span};
use perimeter_graph::AppGraph;
use perimeter_model::yaml::Key;
use perimeter_model::{
    Application, EnvVar, Event, EventKind, Framework, Function, Node, Resource, Value,
};

const FUNCTIONS: usize = 500;
const QUEUES: usize = 250;
const WRITES: usize = 4;

fn app() -> (Application, Vec<FunctionSummary>) {
    let file = SourceFile::new("template.yaml", "x\n");
    let loc = Loc::new(&file, Span::new(0, 1));
    let mut app = Application::new("template.yaml", Framework::Sam, "");
    for q in 0..QUEUES {
        app.resources.push(Resource {
            id: format!("Q{q}"),
            type_name: "AWS::SQS::Queue".into(),
            loc: loc.clone(),
            properties: None,
            off_by_default: None,
        });
    }
    let reference = |id: String| {
        Node::new(
            Value::Map(vec![(
                Key {
                    name: "Ref".into(),
                    loc: loc.clone(),
                },
                Node::new(Value::Str(id), loc.clone()),
            )]),
            loc.clone(),
        )
    };
    let mut summaries = Vec::new();
    for i in 0..FUNCTIONS {
        let mut f = Function::new(format!("F{i}"), loc.clone());
        f.events.push(Event {
            kind: if i % 10 == 0 {
                EventKind::HttpApi
            } else {
                EventKind::Sqs
            },
            type_name: "SQS".into(),
            loc: loc.clone(),
            route: None,
            source: Some(reference(format!("Q{}", i % QUEUES))),
            filters: Vec::new(),
            properties: None,
        });
        let mut calls = Vec::new();
        for w in 0..WRITES {
            let var = format!("OUT{w}");
            f.environment.push(EnvVar {
                name: var.clone(),
                name_loc: loc.clone(),
                value: reference(format!("Q{}", (i * 7 + w * 13) % QUEUES)),
            });
            let path = if i % 10 == 0 {
                "body"
            } else {
                "Records[].body"
            };
            calls.push(SdkCall {
                service: "sqs".into(),
                operation: "SendMessage".into(),
                resource: ResourceExpr::Env(var),
                loc: loc.clone(),
                tainted: (w % 2 == 0).then(|| TaintedPayload {
                    field: "MessageBody".into(),
                    source: Source {
                        path: path.into(),
                        loc: loc.clone(),
                    },
                    steps: Vec::new(),
                    parts: Vec::new(),
                }),
                key: None,
                index: None,
                fields: Vec::new(),
            });
        }
        summaries.push(FunctionSummary {
            function: f.id.clone(),
            sdk_calls: calls,
            ..FunctionSummary::default()
        });
        app.functions.push(f);
    }
    (app, summaries)
}

fn bench(c: &mut Criterion) {
    let (app, summaries) = app();
    let g = AppGraph::build(&app, &summaries);
    assert_eq!(
        g.edges
            .iter()
            .filter(|e| e.kind == perimeter_graph::EdgeKind::Write)
            .count(),
        FUNCTIONS * WRITES
    );
    assert!(!g.inflows.is_empty());
    let mut group = c.benchmark_group("graph-500-functions-2000-edges");
    group.sample_size(10);
    group.bench_function("build and propagate", |b| {
        b.iter(|| AppGraph::build(&app, &summaries))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
