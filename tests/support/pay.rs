//! Running the `pay` example from integration tests (the CLI contract in docs/pay.md): where the
//! binary is, a port for its channel-1 listener, and its JSON-lines output.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::Value;

/// The `pay` example, built by `cargo test` next to the test binaries.
pub fn pay_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target profile directory");
    let pay = profile
        .join("examples")
        .join(format!("pay{}", std::env::consts::EXE_SUFFIX));
    assert!(
        pay.exists(),
        "{} is missing: run the tests with `cargo test`, which builds the examples",
        pay.display()
    );
    pay
}

/// A loopback port nothing listens on right now, for `pay --compat-port`.
pub fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    probe.local_addr().expect("its address").port()
}

/// `pay`'s output, one JSON value per line; panics on a line that is not JSON.
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}")))
        .collect()
}
