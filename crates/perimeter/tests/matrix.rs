//! The code analysis held to every source family and every sink family, in JavaScript,
//! TypeScript and Python: each source reaching a SQL sink must be found, and the same source
//! made safe (a number) must not; each sink fed by the request body must be found, and its
//! safe look-alike (parameterised, constant, sanitised, fixed host, base name, escaped) must not.
//! The applications are generated (Serverless Framework, one function per case) so every
//! language meets the same cases.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Lang {
    Js,
    Ts,
    Py,
}

const LANGS: [Lang; 3] = [Lang::Js, Lang::Ts, Lang::Py];

/// A source family: its trigger (`serverless.yml` event) and the expression reading it.
struct SourceCase {
    name: &'static str,
    event: &'static str,
    js: &'static str,
    py: &'static str,
}

const SOURCES: &[SourceCase] = &[
    SourceCase {
        name: "body",
        event: "- httpApi: 'POST /x'",
        js: "JSON.parse(event.body).q",
        py: "json.loads(event[\"body\"])[\"q\"]",
    },
    SourceCase {
        name: "query",
        event: "- httpApi: 'GET /x'",
        js: "event.queryStringParameters.q",
        py: "event[\"queryStringParameters\"][\"q\"]",
    },
    SourceCase {
        name: "multi-query",
        event: "- http: 'GET x'",
        js: "event.multiValueQueryStringParameters.q[0]",
        py: "event[\"multiValueQueryStringParameters\"][\"q\"][0]",
    },
    SourceCase {
        name: "path",
        event: "- httpApi: 'GET /x/{id}'",
        js: "event.pathParameters.id",
        py: "event[\"pathParameters\"][\"id\"]",
    },
    SourceCase {
        name: "header",
        event: "- httpApi: 'GET /h'",
        js: "event.headers['x-q']",
        py: "event[\"headers\"][\"x-q\"]",
    },
    SourceCase {
        name: "cookie",
        event: "- httpApi: 'GET /c'",
        js: "event.cookies[0]",
        py: "event[\"cookies\"][0]",
    },
    SourceCase {
        name: "raw-path",
        event: "- httpApi: 'GET /r'",
        js: "event.rawPath",
        py: "event[\"rawPath\"]",
    },
    SourceCase {
        name: "raw-query",
        event: "- httpApi: 'GET /q'",
        js: "event.rawQueryString",
        py: "event[\"rawQueryString\"]",
    },
    SourceCase {
        name: "function-url",
        event: "",
        js: "JSON.parse(event.body).q",
        py: "json.loads(event[\"body\"])[\"q\"]",
    },
    SourceCase {
        name: "websocket",
        event: "- websocket: { route: send }",
        js: "JSON.parse(event.body).q",
        py: "json.loads(event[\"body\"])[\"q\"]",
    },
    SourceCase {
        name: "s3-key",
        event: "- s3: { bucket: partner-drop, event: 's3:ObjectCreated:*', existing: true }",
        js: "event.Records[0].s3.object.key",
        py: "event[\"Records\"][0][\"s3\"][\"object\"][\"key\"]",
    },
    SourceCase {
        name: "sqs",
        event: "- sqs: arn:aws:sqs:us-east-1:123456789012:partner-orders",
        js: "event.Records[0].body",
        py: "event[\"Records\"][0][\"body\"]",
    },
    SourceCase {
        name: "sns",
        event: "- sns: arn:aws:sns:us-east-1:123456789012:partner-news",
        js: "event.Records[0].Sns.Message",
        py: "event[\"Records\"][0][\"Sns\"][\"Message\"]",
    },
    SourceCase {
        name: "dynamodb-new",
        event: "- stream: { type: dynamodb, arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/partner/stream/2024' }",
        js: "event.Records[0].dynamodb.NewImage.q.S",
        py: "event[\"Records\"][0][\"dynamodb\"][\"NewImage\"][\"q\"][\"S\"]",
    },
    SourceCase {
        name: "dynamodb-old",
        event: "- stream: { type: dynamodb, arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/partner/stream/2024' }",
        js: "event.Records[0].dynamodb.OldImage.q.S",
        py: "event[\"Records\"][0][\"dynamodb\"][\"OldImage\"][\"q\"][\"S\"]",
    },
    SourceCase {
        name: "kinesis",
        event: "- stream: { type: kinesis, arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/partner' }",
        js: "Buffer.from(event.Records[0].kinesis.data, 'base64').toString()",
        py: "base64.b64decode(event[\"Records\"][0][\"kinesis\"][\"data\"]).decode()",
    },
    SourceCase {
        name: "eventbridge",
        event: "- eventBridge: { eventBus: 'arn:aws:events:us-east-1:123456789012:event-bus/partner', pattern: { source: [partner] } }",
        js: "event.detail.q",
        py: "event[\"detail\"][\"q\"]",
    },
    SourceCase {
        name: "iot",
        event: "- iot: { sql: \"SELECT * FROM 'devices/+/q'\" }",
        js: "event.q",
        py: "event[\"q\"]",
    },
];

/// A sink family: the vulnerable use of `x` and its safe look-alike, per language, and the
/// finding kind.
struct SinkCase {
    kind: &'static str,
    js: (&'static str, &'static str),
    py: (&'static str, &'static str),
}

const SINKS: &[SinkCase] = &[
    SinkCase {
        kind: "injection-sql",
        js: (
            "pool.query(\"SELECT * FROM t WHERE a = '\" + x + \"'\");",
            "pool.query('SELECT * FROM t WHERE a = ?', [x]);",
        ),
        py: (
            "db.execute(\"SELECT * FROM t WHERE a = '%s'\" % x)",
            "db.execute(\"SELECT * FROM t WHERE a = ?\", (x,))",
        ),
    },
    SinkCase {
        kind: "injection-nosql",
        js: (
            "mongo.collection('t').find({ $where: 'this.a == \"' + x + '\"' });",
            "mongo.collection('t').find({ a: String(x) });",
        ),
        py: (
            "table.scan(FilterExpression=\"a = \" + x)",
            "table.scan(FilterExpression=\"a = :a\", ExpressionAttributeValues={\":a\": x})",
        ),
    },
    SinkCase {
        kind: "injection-os-command",
        js: (
            "child_process.execSync('convert ' + x);",
            "child_process.execFileSync('convert', [x]);",
        ),
        py: (
            "os.system(\"convert \" + x)",
            "subprocess.run([\"convert\", x])",
        ),
    },
    SinkCase {
        kind: "injection-code",
        js: ("eval(x);", "eval('1 + 1');"),
        py: ("eval(x)", "eval(\"1 + 1\")"),
    },
    SinkCase {
        kind: "deserialization",
        js: ("serialize.unserialize(x);", "JSON.parse(x);"),
        py: ("pickle.loads(x)", "json.loads(x)"),
    },
    SinkCase {
        kind: "xxe",
        js: (
            "libxmljs.parseXml(x, { noent: true });",
            "libxmljs.parseXml(x, { noent: false });",
        ),
        py: (
            "etree.fromstring(x, etree.XMLParser(resolve_entities=True))",
            "etree.fromstring(x, etree.XMLParser(resolve_entities=False))",
        ),
    },
    SinkCase {
        kind: "ssrf",
        js: (
            "fetch(x);",
            "fetch('https://api.example.com/items/' + encodeURIComponent(x));",
        ),
        py: (
            "requests.get(x)",
            "requests.get(\"https://api.example.com/items/\" + urllib.parse.quote(x))",
        ),
    },
    SinkCase {
        kind: "xss",
        js: (
            "return { statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>' + x + '</p>' };",
            "return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ x }) };",
        ),
        py: (
            "return {\"statusCode\": 200, \"headers\": {\"Content-Type\": \"text/html\"}, \"body\": \"<p>\" + x + \"</p>\"}",
            "return {\"statusCode\": 200, \"headers\": {\"Content-Type\": \"text/html\"}, \"body\": \"<p>\" + html.escape(x) + \"</p>\"}",
        ),
    },
    SinkCase {
        kind: "path-traversal",
        js: (
            "fs.readFileSync('/tmp/' + x);",
            "fs.readFileSync('/tmp/' + path.basename(x));",
        ),
        py: (
            "open(\"/tmp/\" + x)",
            "open(\"/tmp/\" + os.path.basename(x))",
        ),
    },
];

fn prelude(lang: Lang) -> &'static str {
    match lang {
        Lang::Js => {
            "const child_process = require('child_process');\nconst fs = require('fs');\nconst path = require('path');\nconst mysql = require('mysql');\nconst serialize = require('node-serialize');\nconst libxmljs = require('libxmljs');\nconst { MongoClient } = require('mongodb');\nconst pool = mysql.createPool({ host: 'db' });\nconst mongo = new MongoClient('mongodb://db').db('app');\n"
        }
        Lang::Ts => {
            "import * as child_process from 'child_process';\nimport * as fs from 'fs';\nimport * as path from 'path';\nimport * as mysql from 'mysql';\nimport * as serialize from 'node-serialize';\nimport * as libxmljs from 'libxmljs';\nimport { MongoClient } from 'mongodb';\nconst pool = mysql.createPool({ host: 'db' });\nconst mongo = new MongoClient('mongodb://db').db('app');\ninterface Order { q: string }\n"
        }
        Lang::Py => {
            "import base64\nimport html\nimport json\nimport os\nimport pickle\nimport sqlite3\nimport subprocess\nimport urllib.parse\n\nimport boto3\nimport requests\nfrom lxml import etree\n\ndb = sqlite3.connect(\"/tmp/x.db\")\ntable = boto3.resource(\"dynamodb\").Table(\"t\")\n"
        }
    }
}

/// A handler file whose body binds `x` from `source` and runs `sink`; the sink's line.
fn handler(lang: Lang, source: &str, sink: &str) -> (String, u32) {
    let pre = prelude(lang);
    let (head, bind, tail) = match lang {
        Lang::Js => (
            "exports.handler = async (event) => {\n",
            format!("  const x = {source};\n"),
            "  return { statusCode: 200 };\n};\n",
        ),
        Lang::Ts => (
            "export const handler = async (event: any): Promise<{ statusCode: number }> => {\n",
            format!("  const x: string = ({source}) as string;\n"),
            "  return { statusCode: 200 };\n};\n",
        ),
        Lang::Py => (
            "\n\ndef handler(event, context):\n",
            format!("    x = {source}\n"),
            "    return {\"statusCode\": 200}\n",
        ),
    };
    let indent = if lang == Lang::Py { "    " } else { "  " };
    let text = format!("{pre}{head}{bind}{indent}{sink}\n{tail}");
    let line = u32::try_from(pre.lines().count() + head.lines().count() + 2).unwrap();
    (text, line)
}

fn write_app(dir: &Path, lang: Lang, event: &str, file: &str) {
    let (runtime, ext) = match lang {
        Lang::Js => ("nodejs20.x", "js"),
        Lang::Ts => ("nodejs20.x", "ts"),
        Lang::Py => ("python3.12", "py"),
    };
    let events = if event.is_empty() {
        "    url: true\n".to_owned()
    } else {
        format!("    events:\n      {event}\n")
    };
    std::fs::write(
        dir.join("serverless.yml"),
        format!("service: m\nprovider:\n  name: aws\n  runtime: {runtime}\nfunctions:\n  f:\n    handler: handler.handler\n{events}"),
    )
    .unwrap();
    std::fs::write(dir.join(format!("handler.{ext}")), file).unwrap();
}

fn kinds_at(dir: &Path, lang: Lang, line: u32) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "json", "--allow-errors"])
        .arg(dir)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ext = match lang {
        Lang::Js => "js",
        Lang::Ts => "ts",
        Lang::Py => "py",
    };
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == format!("handler.{ext}") && f["line"] == line)
        .map(|f| f["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn case(lang: Lang, event: &str, source: &str, sink: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let (file, line) = handler(lang, source, sink);
    write_app(dir.path(), lang, event, &file);
    kinds_at(dir.path(), lang, line)
}

fn src(lang: Lang, s: &SourceCase) -> &'static str {
    if lang == Lang::Py { s.py } else { s.js }
}

fn numeric(lang: Lang, expr: &str) -> String {
    match lang {
        Lang::Py => format!("str(int({expr}))"),
        _ => format!("String(parseInt({expr}, 10))"),
    }
}

#[test]
fn every_source_family_in_every_language() {
    let mut problems = Vec::new();
    for lang in LANGS {
        let sql = &SINKS[0];
        let sink = if lang == Lang::Py { sql.py.0 } else { sql.js.0 };
        for s in SOURCES {
            let found = case(lang, s.event, src(lang, s), sink);
            if !found.iter().any(|k| k == "injection-sql") {
                problems.push(format!("{lang:?} {}: not found ({found:?})", s.name));
            }
            let safe = case(lang, s.event, &numeric(lang, src(lang, s)), sink);
            if safe.iter().any(|k| k == "injection-sql") {
                problems.push(format!("{lang:?} {}: a number was reported", s.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_sink_family_in_every_language() {
    let mut problems = Vec::new();
    for lang in LANGS {
        for k in SINKS {
            let (bad, good) = if lang == Lang::Py { k.py } else { k.js };
            let body = src(lang, &SOURCES[0]);
            let found = case(lang, SOURCES[0].event, body, bad);
            if !found.iter().any(|x| x == k.kind) {
                problems.push(format!("{lang:?} {}: not found ({found:?})", k.kind));
            }
            let safe = case(lang, SOURCES[0].event, body, good);
            if safe.iter().any(|x| x == k.kind) {
                problems.push(format!(
                    "{lang:?} {}: the safe look-alike was reported",
                    k.kind
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Writes files and a `serverless.yml` with one function, scans, and returns the kinds found
/// at `path:line`.
fn scan_files(
    runtime: &str,
    event: &str,
    files: &[(&str, &str)],
    path: &str,
    line: u32,
) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::write(
        dir.path().join("serverless.yml"),
        format!("service: m\nprovider:\n  name: aws\n  runtime: {runtime}\nfunctions:\n  f:\n    handler: handler.handler\n    events:\n      {event}\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(["scan", "--format", "json", "--allow-errors"])
        .arg(dir.path())
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path && f["line"] == line)
        .map(|f| f["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn verbose_errors_in_every_language() {
    let js = "exports.handler = async (event) => {\n  try {\n    return JSON.parse(event.body);\n  } catch (e) {\n    if (event.debug) {\n      return { statusCode: 500, body: e.stack };\n    }\n    return { statusCode: 500, body: 'bad request' };\n  }\n};\n";
    let ts = "export const handler = async (event: any) => {\n  try {\n    return JSON.parse(event.body);\n  } catch (e: any) {\n    if (event.debug) {\n      return { statusCode: 500, body: (e as Error).stack };\n    }\n    return { statusCode: 500, body: 'bad request' };\n  }\n};\n";
    let py = "import json\nimport traceback\n\n\ndef handler(event, context):\n    try:\n        return json.loads(event[\"body\"])\n    except Exception:\n        if event.get(\"debug\"):\n            return {\"statusCode\": 500, \"body\": traceback.format_exc()}\n        return {\"statusCode\": 500, \"body\": \"bad request\"}\n";
    for (runtime, file, text, bad, good) in [
        ("nodejs20.x", "handler.js", js, 6, 8),
        ("nodejs20.x", "handler.ts", ts, 6, 8),
        ("python3.12", "handler.py", py, 10, 11),
    ] {
        let kinds = scan_files(runtime, "- httpApi: 'POST /x'", &[(file, text)], file, bad);
        assert!(
            kinds.iter().any(|k| k == "verbose-error"),
            "{file}:{bad} {kinds:?}"
        );
        let kinds = scan_files(runtime, "- httpApi: 'POST /x'", &[(file, text)], file, good);
        assert!(
            !kinds.iter().any(|k| k == "verbose-error"),
            "{file}:{good} {kinds:?}"
        );
    }
}

#[test]
fn frameworks_and_modules_in_typescript() {
    // Express behind serverless-http, the sink in another module, reached through an
    // import: the request's query reaches SQL; a number does not.
    let handler = "import serverless from 'serverless-http';\nimport express, { Request, Response } from 'express';\nimport { findOrders, countOrders } from './lib/db';\n\nconst app = express();\napp.get('/orders', (req: Request, res: Response) => {\n  res.json(findOrders(req.query.customer as string));\n});\napp.get('/count', (req: Request, res: Response) => {\n  res.json(countOrders(Number(req.query.limit)));\n});\n\nexport const handler = serverless(app);\n";
    let db = "import * as mysql from 'mysql';\nconst pool = mysql.createPool({ host: 'db' });\n\nexport function findOrders(customer: string) {\n  return pool.query(`SELECT * FROM orders WHERE customer = '${customer}'`);\n}\n\nexport function countOrders(limit: number) {\n  return pool.query(`SELECT count(*) FROM orders LIMIT ${limit}`);\n}\n";
    let files = [("handler.ts", handler), ("lib/db.ts", db)];
    let kinds = scan_files("nodejs20.x", "- httpApi: '*'", &files, "lib/db.ts", 5);
    assert!(kinds.iter().any(|k| k == "injection-sql"), "{kinds:?}");
    let kinds = scan_files("nodejs20.x", "- httpApi: '*'", &files, "lib/db.ts", 9);
    assert!(!kinds.iter().any(|k| k == "injection-sql"), "{kinds:?}");
}
