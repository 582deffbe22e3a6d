//! The simulator stands on `message` and `session` only: it is what app developers test against,
//! so it must not drift into depending on the client it is meant to check (a replay that reads
//! the trace format through the client once did). This scans `src/simulator` for paths into the
//! crate's other modules and for the `client` feature gate.

use std::path::{Path, PathBuf};

/// Modules of this crate the simulator may name; `dialect` is the terminal's kind, shared by all.
const ALLOWED: &[&str] = &["message", "session", "dialect", "simulator"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crate module each `crate::NAME` on a line names.
fn crate_paths(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter(|(at, _)| {
            let before = line[..*at].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, m)| {
            let rest = &line[at + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// How many `super::` lead from this file's module to the crate root (`simulator/x.rs`: 2).
fn depth(simulator: &Path, file: &Path) -> usize {
    let inside = file.strip_prefix(simulator).unwrap().components().count();
    let is_mod = file.file_name().is_some_and(|n| n == "mod.rs");
    inside + 1 - usize::from(is_mod)
}

/// The most `super::` in a row on a line: a path that reaches the crate root that way leaves the
/// simulator without naming `crate::`.
fn longest_super_run(line: &str) -> usize {
    let mut longest = 0;
    for (at, _) in line.match_indices("super::") {
        let mut run = 0;
        let mut rest = &line[at..];
        while let Some(next) = rest.strip_prefix("super::") {
            run += 1;
            rest = next;
        }
        longest = longest.max(run);
    }
    longest
}

#[test]
fn the_simulator_names_no_module_above_message_and_session() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/simulator");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 5, "src/simulator not found at {root:?}");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            // Comments may mention the client (the replay explains who writes traces).
            if code.starts_with("//") {
                continue;
            }
            let bad_module = crate_paths(code)
                .into_iter()
                .any(|module| !ALLOWED.contains(&module));
            let climbs_out = longest_super_run(code) >= depth(&root, file);
            let gated_on_client = code.contains("feature = \"client\"");
            if bad_module || climbs_out || gated_on_client {
                found.push(format!("{}:{}: {}", file.display(), number + 1, code));
            }
        }
    }
    assert!(
        found.is_empty(),
        "the simulator may use only {ALLOWED:?}; move what it needs down instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_a_client_import() {
    assert_eq!(
        crate_paths("use crate::client::wire_trace::FORMAT;"),
        ["client"]
    );
    assert_eq!(
        crate_paths("use crate::{message::Message, transport::Tap};"),
        [""]
    );
    assert!(crate_paths("use mycrate::client::X;").is_empty());
    assert_eq!(longest_super_run("use super::super::client::X;"), 2);
    let simulator = Path::new("src/simulator");
    assert_eq!(depth(simulator, &simulator.join("mod.rs")), 1);
    assert_eq!(depth(simulator, &simulator.join("replay/player.rs")), 3);
}
