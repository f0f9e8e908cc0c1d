//! What reaches the user's terminal: no progress line and no colour unless standard output or
//! error is a terminal, `NO_COLOR` honoured on a terminal, and control characters from a
//! hostile repository (file names, values, code) escaped so they cannot drive the terminal.
//! A terminal is given with util-linux's `script`, which runs the command on a
//! pseudo-terminal and records what it writes.

use std::path::Path;
use std::process::Command;

/// An application whose findings carry control characters in a value and in a file name.
fn hostile_app(dir: &Path) {
    std::fs::write(
        dir.join("serverless.yml"),
        "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\n  environment:\n    DB_PASSWORD: \"hunter2\\e]0;owned\\a\\e[2J\"\nfunctions:\n  hello:\n    handler: \"evil\\e[31m.hello\"\n    events:\n      - httpApi: 'GET /hello'\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("evil\x1b[31m.js"),
        "exports.hello = async (e) => { require('child_process').exec(e.body); };\n",
    )
    .unwrap();
}

fn perimeter() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_perimeter"));
    c.env_remove("NO_COLOR").env_remove("CI");
    c
}

/// Runs the scan on a pseudo-terminal; `None` when `script` cannot be run.
fn on_terminal(dir: &Path, no_color: bool) -> Option<Vec<u8>> {
    let log = dir.join("typescript.log");
    let cmd = format!(
        "{} scan {} --allow-errors",
        env!("CARGO_BIN_EXE_perimeter"),
        dir.display()
    );
    let mut c = Command::new("script");
    c.args(["-q", "-e", "-c", &cmd])
        .arg(&log)
        .env_remove("CI")
        .env("TERM", "xterm");
    if no_color {
        c.env("NO_COLOR", "1");
    } else {
        c.env_remove("NO_COLOR");
    }
    let out = c.output().ok()?;
    assert!(
        out.status.code().is_some(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(std::fs::read(&log).unwrap())
}

fn escapes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == 0x1b).count()
}

#[test]
fn piped_output_has_no_progress_colour_or_raw_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    hostile_app(dir.path());
    let out = perimeter()
        .arg("scan")
        .arg(dir.path())
        .args(["--allow-errors"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("SEC001"), "{stdout}");
    assert_eq!(escapes(&out.stdout), 0, "{stdout:?}");
    assert_eq!(escapes(&out.stderr), 0);
    assert!(
        !out.stderr.contains(&b'\r'),
        "a progress line was drawn on a pipe"
    );
    // The hostile bytes are shown escaped, and paths stay clickable `path:line:col`.
    assert!(stdout.contains("\\u{1b}"), "{stdout}");
    assert!(stdout.contains("serverless.yml:6:"), "{stdout}");
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let dir = tempfile::tempdir().unwrap();
    hostile_app(dir.path());
    let coloured = on_terminal(dir.path(), false).expect("util-linux `script` is needed");
    let text = String::from_utf8_lossy(&coloured);
    assert!(text.contains("SEC001"), "{text}");
    assert!(
        text.contains("\x1b[1;31m") || text.contains("\x1b[31m"),
        "no colour: {text:?}"
    );
    // Colour codes are perimeter's own; the repository's never get through.
    assert!(!text.contains("\x1b]0;owned"), "{text:?}");
    assert!(!text.contains("\x1b[2J"), "{text:?}");

    let plain = on_terminal(dir.path(), true).unwrap();
    let text = String::from_utf8_lossy(&plain);
    assert!(text.contains("SEC001"), "{text}");
    assert_eq!(escapes(&plain), 0, "NO_COLOR still coloured: {text:?}");
}

#[test]
fn quiet_and_ci_draw_no_progress_even_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    hostile_app(dir.path());
    let log = dir.path().join("q.log");
    let cmd = format!(
        "{} scan {} --allow-errors --quiet --format json --output {}",
        env!("CARGO_BIN_EXE_perimeter"),
        dir.path().display(),
        dir.path().join("r.json").display()
    );
    let out = Command::new("script")
        .args(["-q", "-e", "-c", &cmd])
        .arg(&log)
        .env("CI", "true")
        .output()
        .expect("util-linux `script` is needed");
    assert!(out.status.code().is_some());
    let written = std::fs::read(&log).unwrap();
    assert!(
        !written.contains(&b'\r') || escapes(&written) == 0,
        "{written:?}"
    );
    assert_eq!(
        escapes(&written),
        0,
        "{:?}",
        String::from_utf8_lossy(&written)
    );
}
