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

/// The largest message body accepted (a client sending more is misbehaving; its body is
/// skipped and answered with an error).
pub const MAX_MESSAGE: usize = 64 << 20;

/// The longest header line accepted.
pub const MAX_HEADER_LINE: usize = 64 << 10;

/// JSON-RPC: the body is not JSON.
pub const PARSE_ERROR: i64 = -32700;

/// JSON-RPC: the message is not a valid request (or its framing is broken).
pub const INVALID_REQUEST: i64 = -32600;

/// What one analysis of the workspace found.
pub struct Analysis {
    /// Findings, with paths relative to the workspace root.
    pub findings: Vec<Finding>,
    /// Files that could not be analysed.
    pub errors: Vec<ScanError>,
}

/// What came in: a message, or why the next one could not be read (the server answers with a
/// JSON-RPC error and goes on).
#[derive(Debug)]
pub enum Incoming {
    /// A JSON value.
    Message(Value),
    /// A message that could not be read: the JSON-RPC error code and why.
    Invalid(i64, String),
}

/// Reads one header line of at most [`MAX_HEADER_LINE`] bytes; a longer one is consumed to its
/// end without being kept. `None` at the end of the input.
fn read_header_line(input: &mut impl BufRead) -> std::io::Result<Option<Result<String, String>>> {
    let mut line = Vec::new();
    let limit = u64::try_from(MAX_HEADER_LINE).unwrap_or(u64::MAX);
    let n = std::io::Read::take(&mut *input, limit).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') && line.len() >= MAX_HEADER_LINE {
        // Skip the rest of the line in bounded pieces.
        loop {
            let buf = input.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            if let Some(i) = buf.iter().position(|b| *b == b'\n') {
                input.consume(i + 1);
                break;
            }
            let all = buf.len();
            input.consume(all);
        }
        return Ok(Some(Err(format!(
            "a header line over {MAX_HEADER_LINE} bytes"
        ))));
    }
    let text = String::from_utf8_lossy(&line);
    Ok(Some(Ok(text.trim_end_matches(['\r', '\n']).to_owned())))
}

/// Reads one message; `Ok(None)` at the end of the input. Broken framing, an oversized body
/// and a body that is not JSON come back as [`Incoming::Invalid`] with the input positioned at
/// the next message where that can be known.
pub fn read_message(input: &mut impl BufRead) -> std::io::Result<Option<Incoming>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut problem: Option<String> = None;
    loop {
        let Some(line) = read_header_line(input)? else {
            return Ok(None);
        };
        let line = match line {
            Ok(line) => line,
            Err(why) => {
                problem.get_or_insert(why);
                continue;
            }
        };
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>().map_err(|_| {
                format!(
                    "an invalid Content-Length `{}`",
                    perimeter_diagnostics::nofollow::excerpt(value.trim(), 40)
                )
            }));
        }
    }
    let length = match length {
        None => {
            return Ok(Some(Incoming::Invalid(
                INVALID_REQUEST,
                problem.unwrap_or_else(|| "a message without a Content-Length".to_owned()),
            )));
        }
        Some(Err(why)) => return Ok(Some(Incoming::Invalid(INVALID_REQUEST, why))),
        Some(Ok(length)) => length,
    };
    if length > MAX_MESSAGE {
        // Skipped without being kept, so that the next message can be read.
        let want = u64::try_from(length).unwrap_or(u64::MAX);
        let skipped = std::io::copy(
            &mut std::io::Read::take(&mut *input, want),
            &mut std::io::sink(),
        )?;
        if skipped < want {
            return Ok(None);
        }
        return Ok(Some(Incoming::Invalid(
            INVALID_REQUEST,
            format!("a message of {length} bytes, over the {MAX_MESSAGE} byte limit"),
        )));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    if let Some(why) = problem {
        return Ok(Some(Incoming::Invalid(INVALID_REQUEST, why)));
    }
    Ok(Some(match serde_json::from_slice(&body) {
        Ok(v) => Incoming::Message(v),
        Err(e) => Incoming::Invalid(PARSE_ERROR, format!("invalid JSON: {e}")),
    }))
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
    while let Some(incoming) = read_message(input)? {
        let msg = match incoming {
            Incoming::Message(msg) => msg,
            Incoming::Invalid(code, why) => {
                error(output, Value::Null, code, &why)?;
                continue;
            }
        };
        let id = msg.get("id").cloned();
        let Some(method) = msg.get("method").and_then(Value::as_str) else {
            // A response to a request of ours (none is sent) is dropped; anything else that
            // is not a request is answered.
            let response = msg.is_object()
                && id.is_some()
                && (msg.get("result").is_some() || msg.get("error").is_some());
            if !response {
                error(
                    output,
                    id.unwrap_or(Value::Null),
                    INVALID_REQUEST,
                    "not a JSON-RPC request (no method)",
                )?;
            }
            continue;
        };
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
                error(
                    output,
                    id,
                    -32601,
                    &format!("method not supported: {method}"),
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

fn error(output: &mut impl Write, id: Value, code: i64, message: &str) -> std::io::Result<()> {
    write_message(
        output,
        &json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}),
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
        let Some(Incoming::Message(m)) = read_message(&mut r).unwrap() else {
            panic!("no message");
        };
        assert_eq!(m["method"], "x");
        assert!(read_message(&mut r).unwrap().is_none());
        let mut bad = std::io::Cursor::new(b"Content-Type: x\r\n\r\n{}".to_vec());
        assert!(matches!(
            read_message(&mut bad).unwrap(),
            Some(Incoming::Invalid(INVALID_REQUEST, _))
        ));
    }
}
