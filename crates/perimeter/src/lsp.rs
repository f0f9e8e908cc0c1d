//! `perimeter lsp`: a Language Server Protocol server on standard input and output that
//! publishes perimeter's findings as diagnostics, so an editor shows a flaw in a descriptor or
//! a handler before it is committed.
//!
//! The workspace is analysed as a whole (a finding in a handler may come from a queue written
//! by another function), when a document is opened and each time one is saved; the server
//! publishes the diagnostics of every file with findings and clears those of files that no
//! longer have any. Files that could not be analysed are shown as warnings on their first
//! line. The base protocol (headers, JSON-RPC 2.0) is small enough to speak directly.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use perimeter_diagnostics::{Finding, ScanError, Severity};
use serde_json::{Value, json};

/// The largest message accepted (a client sending more is misbehaving).
const MAX_MESSAGE: usize = 64 << 20;

/// What one analysis of the workspace found.
pub struct Analysis {
    /// Findings, with paths relative to the workspace root.
    pub findings: Vec<Finding>,
    /// Files that could not be analysed.
    pub errors: Vec<ScanError>,
}

/// Reads one message; `Ok(None)` at the end of the input.
pub fn read_message(input: &mut impl BufRead) -> std::io::Result<Option<Value>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let Some(length) = length.filter(|l| *l <= MAX_MESSAGE) else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "a message without a valid Content-Length",
        ));
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Writes one message.
pub fn write_message(out: &mut impl Write, message: &Value) -> std::io::Result<()> {
    let body = serde_json::to_string(message)?;
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// The path of a `file://` URI, percent-decoded.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// The `file://` URI of a path, with the characters URIs reserve percent-encoded.
pub fn path_to_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn lsp_severity(s: Severity) -> u8 {
    match s {
        Severity::Critical | Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Info => 4,
    }
}

fn position(line: u32, column: u32) -> Value {
    json!({"line": line.saturating_sub(1), "character": column.saturating_sub(1)})
}

/// The diagnostics of one analysis, per file relative to the root.
pub fn diagnostics(root: &Path, analysis: &Analysis) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for f in &analysis.findings {
        let related: Vec<Value> = f
            .trace
            .iter()
            .map(|t| {
                json!({
                    "location": {
                        "uri": path_to_uri(&root.join(&t.path)),
                        "range": {"start": position(t.line, t.column), "end": position(t.line, t.column)},
                    },
                    "message": match &t.function {
                        Some(func) => format!("{func}: {}", t.note),
                        None => t.note.clone(),
                    },
                })
            })
            .collect();
        let mut d = json!({
            "range": {
                "start": position(f.line, f.column),
                "end": position(f.end_line.max(f.line), f.end_column.max(1)),
            },
            "severity": lsp_severity(f.severity),
            "code": f.rule,
            "source": "perimeter",
            "message": format!("{} [{}]\n{}", f.message, f.severity.as_str(), f.help),
        });
        if !related.is_empty() {
            d["relatedInformation"] = Value::Array(related);
        }
        out.entry(f.path.clone()).or_default().push(d);
    }
    for e in &analysis.errors {
        let line = e.line.unwrap_or(1);
        out.entry(e.path.clone()).or_default().push(json!({
            "range": {"start": position(line, 1), "end": position(line, 1)},
            "severity": 2,
            "code": "not-analysed",
            "source": "perimeter",
            "message": format!("perimeter could not analyse this file: {}", e.message),
        }));
    }
    out
}

/// Runs the server until `exit`; returns the process exit code (0 after `shutdown`).
pub fn serve(
    input: &mut impl BufRead,
    output: &mut impl Write,
    analyse: &dyn Fn(&Path) -> anyhow::Result<Analysis>,
) -> std::io::Result<i32> {
    let mut root: Option<PathBuf> = None;
    let mut published: BTreeSet<String> = BTreeSet::new();
    let mut shutdown = false;
    while let Some(msg) = read_message(input)? {
        let method = msg.get("method").and_then(Value::as_str).unwrap_or("");
        let id = msg.get("id").cloned();
        let params = msg.get("params").cloned().unwrap_or(Value::Null);
        match (method, id) {
            ("initialize", Some(id)) => {
                root = params
                    .get("rootUri")
                    .and_then(Value::as_str)
                    .or_else(|| {
                        params
                            .pointer("/workspaceFolders/0/uri")
                            .and_then(Value::as_str)
                    })
                    .and_then(uri_to_path)
                    .or_else(|| {
                        params
                            .get("rootPath")
                            .and_then(Value::as_str)
                            .map(PathBuf::from)
                    });
                write_message(
                    output,
                    &json!({"jsonrpc": "2.0", "id": id, "result": {
                        "capabilities": {
                            "textDocumentSync": {"openClose": true, "change": 0, "save": {"includeText": false}},
                        },
                        "serverInfo": {"name": "perimeter", "version": env!("CARGO_PKG_VERSION")},
                    }}),
                )?;
            }
            ("shutdown", Some(id)) => {
                shutdown = true;
                write_message(output, &json!({"jsonrpc": "2.0", "id": id, "result": null}))?;
            }
            ("exit", _) => return Ok(if shutdown { 0 } else { 1 }),
            ("textDocument/didOpen" | "textDocument/didSave", None) => {
                let doc = params
                    .pointer("/textDocument/uri")
                    .and_then(Value::as_str)
                    .and_then(uri_to_path);
                if root.is_none() {
                    root = doc.as_ref().and_then(|d| d.parent().map(Path::to_path_buf));
                }
                let Some(root) = &root else { continue };
                let diags = match analyse(root) {
                    Ok(analysis) => diagnostics(root, &analysis),
                    Err(e) => {
                        log(output, &format!("perimeter: {e:#}"))?;
                        continue;
                    }
                };
                for (path, list) in &diags {
                    publish(output, &root.join(path), list)?;
                }
                for stale in published.iter().filter(|p| !diags.contains_key(*p)) {
                    publish(output, &root.join(stale), &[])?;
                }
                published = diags.into_keys().collect();
            }
            (_, Some(id)) => {
                write_message(
                    output,
                    &json!({"jsonrpc": "2.0", "id": id, "error": {
                        "code": -32601, "message": format!("method not supported: {method}"),
                    }}),
                )?;
            }
            _ => {}
        }
    }
    Ok(1)
}

fn publish(output: &mut impl Write, path: &Path, diagnostics: &[Value]) -> std::io::Result<()> {
    write_message(
        output,
        &json!({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": {
            "uri": path_to_uri(path), "diagnostics": diagnostics,
        }}),
    )
}

fn log(output: &mut impl Write, text: &str) -> std::io::Result<()> {
    write_message(
        output,
        &json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 1, "message": text}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/my app/serverless.yml");
        let uri = path_to_uri(p);
        assert_eq!(uri, "file:///tmp/my%20app/serverless.yml");
        assert_eq!(uri_to_path(&uri).unwrap(), p);
        assert!(uri_to_path("https://example.com/x").is_none());
    }

    #[test]
    fn framing_reads_what_it_writes_and_refuses_a_missing_length() {
        let mut buf = Vec::new();
        write_message(&mut buf, &json!({"jsonrpc": "2.0", "method": "x"})).unwrap();
        let mut r = std::io::Cursor::new(buf);
        assert_eq!(read_message(&mut r).unwrap().unwrap()["method"], "x");
        assert!(read_message(&mut r).unwrap().is_none());
        let mut bad = std::io::Cursor::new(b"Content-Type: x\r\n\r\n{}".to_vec());
        assert!(read_message(&mut bad).is_err());
    }
}
