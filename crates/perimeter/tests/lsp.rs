//! `perimeter lsp` driven by a scripted client over standard input/output: findings appear as
//! diagnostics when a document is opened, go away when the flaw is fixed and saved, and the
//! server shuts down cleanly.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

const APP: &str = "\
service: shop
provider:
  name: aws
  runtime: nodejs20.x
  iam:
    role:
      statements:
        - Effect: Allow
          Action: '*'
          Resource: '*'
functions:
  hello:
    handler: handler.hello
    events:
      - httpApi: 'GET /hello'
";

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Client {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_perimeter"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        // A server that stops answering must fail the test, not hang CI.
        let pid = child.id().to_string();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_secs(120));
            let _ = Command::new("kill").args(["-9", &pid]).status();
        });
        Client {
            child,
            stdin,
            stdout,
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            assert!(
                self.stdout.read_line(&mut line).unwrap() > 0,
                "server closed"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The diagnostics published next for each of `uris` (a server publishes every file's
    /// diagnostics after an analysis, in any order).
    fn diagnostics_for(&mut self, uris: &[&str]) -> HashMap<String, Vec<Value>> {
        let mut out = HashMap::new();
        while uris.iter().any(|u| !out.contains_key(*u)) {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics" {
                let u = m["params"]["uri"].as_str().unwrap().to_owned();
                if uris.contains(&u.as_str()) && !out.contains_key(&u) {
                    out.insert(u, m["params"]["diagnostics"].as_array().unwrap().clone());
                }
            }
        }
        out
    }
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().filter_map(|d| d["code"].as_str()).collect()
}

#[test]
fn diagnostics_follow_open_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let yml = root.join("serverless.yml");
    std::fs::write(&yml, APP).unwrap();
    std::fs::write(
        root.join("handler.js"),
        "exports.hello = async (e) => { require('child_process').exec(e.body); };\n",
    )
    .unwrap();

    let mut c = Client::start();
    c.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": uri(&root), "capabilities": {}}}));
    let init = c.recv();
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["serverInfo"]["name"], "perimeter");
    assert_eq!(
        init["result"]["capabilities"]["textDocumentSync"]["save"]["includeText"],
        false
    );
    c.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    c.send(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri(&yml), "languageId": "yaml", "version": 1, "text": APP}}}),
    );

    let (yml_uri, js_uri) = (uri(&yml), uri(&root.join("handler.js")));
    let mut published = c.diagnostics_for(&[&yml_uri, &js_uri]);
    let diags = published.remove(&yml_uri).unwrap();
    assert!(codes(&diags).contains(&"IAM001"), "{diags:#?}");
    let wildcard = diags.iter().find(|d| d["code"] == "IAM001").unwrap();
    assert_eq!(wildcard["range"]["start"]["line"], 8, "{wildcard:#}");
    assert_eq!(wildcard["severity"], 1);
    assert_eq!(wildcard["source"], "perimeter");
    // The handler's injection is published for the handler, with its trace.
    let handler = published.remove(&js_uri).unwrap();
    let inj = handler
        .iter()
        .find(|d| d["code"] == "INJ003")
        .expect("INJ003");
    assert!(
        inj["relatedInformation"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );

    // Fix the role and save: the wildcard finding disappears.
    let fixed = APP.replace("Action: '*'", "Action: 'sqs:SendMessage'");
    std::fs::write(&yml, &fixed).unwrap();
    c.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didSave",
        "params": {"textDocument": {"uri": uri(&yml)}}}));
    let diags = c.diagnostics_for(&[&yml_uri]).remove(&yml_uri).unwrap();
    assert!(!codes(&diags).contains(&"IAM001"), "{diags:#?}");

    // Unknown requests get an error; shutdown then exit ends the process with 0.
    c.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {}}));
    let err = c.recv();
    assert_eq!(err["id"], 2);
    assert_eq!(err["error"]["code"], -32601);
    c.send(&json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}));
    let down = c.recv();
    assert_eq!(down["id"], 3);
    c.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}
