//! Whole-pipeline benchmarks on a generated monorepo: loading 200 applications with 2,000
//! functions (descriptors only), and the full scan with code analysis and the graph.
//!
//! `cargo bench -p perimeter --bench scan`

use std::fmt::Write as _;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use perimeter::engine::{self, Options};
use perimeter::pipeline::{Pipeline, Products, Settings};

const APPS: usize = 200;
const FUNCTIONS: usize = 10;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Half Serverless Framework, half SAM; each function an HTTP producer or a queue consumer.
fn generate(root: &Path) {
    for a in 0..APPS {
        let dir = format!("app{a:03}");
        if a % 2 == 0 {
            let mut y = format!(
                "service: app{a}\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  environment:\n    QUEUE: !Ref Queue\nfunctions:\n"
            );
            for f in 0..FUNCTIONS {
                let _ = write!(
                    y,
                    "  f{f}:\n    handler: src/f{f}.handler\n    timeout: 10\n    events:\n"
                );
                if f % 2 == 0 {
                    let _ = writeln!(y, "      - httpApi: 'POST /f{f}'");
                } else {
                    let _ = writeln!(y, "      - sqs:\n          arn: !GetAtt Queue.Arn");
                }
                let code = if f % 2 == 0 {
                    "const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');\nconst sqs = new SQSClient({});\nexports.handler = async (event) => {\n  const body = JSON.parse(event.body);\n  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE, MessageBody: body.name }));\n  return { statusCode: 200 };\n};\n"
                } else {
                    "const mysql = require('mysql');\nconst pool = mysql.createPool({});\nexports.handler = async (event) => {\n  for (const r of event.Records) {\n    pool.query('DELETE FROM t WHERE n = ?', [r.body]);\n  }\n};\n"
                };
                write(root, &format!("{dir}/src/f{f}.js"), code);
            }
            y.push_str("resources:\n  Resources:\n    Queue:\n      Type: AWS::SQS::Queue\n");
            write(root, &format!("{dir}/serverless.yml"), &y);
        } else {
            let mut y = String::from(
                "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: python3.12\n    Timeout: 10\nResources:\n  Table:\n    Type: AWS::Serverless::SimpleTable\n",
            );
            for f in 0..FUNCTIONS {
                let _ = write!(
                    y,
                    "  F{f}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: src/\n      Handler: f{f}.handler\n      Policies:\n        - DynamoDBCrudPolicy:\n            TableName: !Ref Table\n      Environment:\n        Variables:\n          TABLE: !Ref Table\n      Events:\n        Api:\n          Type: Api\n          Properties:\n            Path: /f{f}\n            Method: post\n"
                );
                write(
                    root,
                    &format!("{dir}/src/f{f}.py"),
                    "import json\nimport os\nimport boto3\n\ntable = boto3.resource('dynamodb').Table(os.environ['TABLE'])\n\n\ndef handler(event, context):\n    body = json.loads(event['body'])\n    table.put_item(Item={'id': body['id']})\n    return {'statusCode': 200}\n",
                );
            }
            write(root, &format!("{dir}/template.yaml"), &y);
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path());
    let descriptors = Options {
        skip_code: true,
        ..Options::default()
    };
    let scan = engine::load(dir.path(), &descriptors);
    assert_eq!(scan.apps.len(), APPS);
    assert_eq!(scan.function_count(), APPS * FUNCTIONS);
    let mut group = c.benchmark_group("monorepo-200-apps-2000-functions");
    group.sample_size(10);
    group.bench_function("load descriptors", |b| {
        b.iter(|| engine::load(dir.path(), &descriptors))
    });
    group.bench_function("full scan", |b| {
        let products = Products {
            dependencies: false,
            ..Products::FINDINGS
        };
        let pipeline = Pipeline::new(Settings::default(), products);
        b.iter(|| pipeline.run(dir.path()).findings);
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
