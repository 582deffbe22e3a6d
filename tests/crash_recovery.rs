//! H2A — power loss or closing of the POS during a transaction: the `pay` example is killed with
//! SIGKILL while the simulator holds its payment; `pay --recover` with the same state directory
//! must report exactly what the terminal decided.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use mapi::message::OverallResult;
use mapi::simulator::{RunStep, Script, SimEvent, Simulator, SimulatorConfig, Stage};
use mapi::{Dialect, SocketMode};
use serde_json::Value;

#[path = "support/pay.rs"]
mod pay;
use pay::{free_port, json_lines, pay_binary};

const WAIT: Duration = Duration::from_secs(20);

fn h2a(decided: OverallResult) {
    let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::DualSocket);
    config.script = Script {
        result: decided.clone(),
        ..Script::hold()
    };
    let simulator = Simulator::spawn(config).unwrap();
    let compat_port = free_port();
    simulator.set_pos_address(format!("127.0.0.1:{compat_port}").parse().unwrap());
    let dir = std::env::temp_dir().join(format!("mapi-h2a-{}-{}", decided, std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let common = [
        "--host".to_owned(),
        "127.0.0.1".to_owned(),
        "--port".to_owned(),
        simulator.address().port().to_string(),
        "--compat-port".to_owned(),
        compat_port.to_string(),
        "--state-dir".to_owned(),
        dir.display().to_string(),
    ];

    let mut child = Command::new(pay_binary())
        .args(&common)
        .args(["--amount", "12.50", "--currency", "EUR"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    simulator
        .wait_for(
            |e| {
                matches!(
                    e,
                    SimEvent::StageReached {
                        step: RunStep::AwaitingCard,
                        ..
                    }
                )
            },
            WAIT,
        )
        .expect("the payment reached the terminal");
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, like a power cut.
    child.wait().unwrap();
    let printed: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(
        !printed
            .iter()
            .any(|l| l.contains("payment_success") || l.contains("payment_error")),
        "the killed process never saw a result: {printed:?}"
    );
    let journal: Value = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("inflight-"))
        .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
        .expect("the in-flight journal survived the kill");
    // The cardholder finishes at the terminal although the POS is gone.
    simulator.release(Stage::CardPresented);
    simulator.release(Stage::Completion);
    let finished = simulator
        .wait_for(|e| matches!(e, SimEvent::PaymentFinished { .. }), WAIT)
        .expect("the terminal finished the payment on its own");
    let SimEvent::PaymentFinished {
        request_id, result, ..
    } = finished
    else {
        unreachable!()
    };
    assert_eq!(result, decided);
    assert_eq!(journal["request_id"], request_id.as_str());

    let output = Command::new(pay_binary())
        .args(&common)
        .arg("--recover")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events = json_lines(&String::from_utf8_lossy(&output.stdout));
    let recovered: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "recovered")
        .collect();
    assert_eq!(recovered.len(), 1, "{events:?}");
    assert_eq!(recovered[0]["result"], decided.as_str());
    assert_eq!(recovered[0]["request_id"], request_id.as_str());
    assert_eq!(recovered[0]["amount"], "12.50");
    assert_eq!(recovered[0]["recovered"], true);
    assert_eq!(events.last().unwrap()["event"], "done");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("inflight-"))
        .collect();
    assert!(
        left.is_empty(),
        "journal cleared once the recovered result was delivered"
    );
    simulator.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn h2a_pos_killed_mid_payment_recovers_the_approved_result() {
    h2a(OverallResult::Success);
}

#[test]
fn h2a_pos_killed_mid_payment_recovers_the_declined_result() {
    h2a(OverallResult::Failure);
}

#[test]
fn pay_cli_rejects_bad_arguments_with_exit_code_2() {
    let output = Command::new(pay_binary())
        .args(["--host", "127.0.0.1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--port is required"));
    let output = Command::new(pay_binary())
        .args(["--host", "h", "--port", "1", "--dialect", "fr"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn pay_cli_abort_without_payment_prints_not_a_flow_happening_and_sends_nothing() {
    let simulator = Simulator::spawn(SimulatorConfig::new(
        Dialect::OpiNl,
        SocketMode::SingleSocket,
    ))
    .unwrap();
    let port = simulator.address().port().to_string();
    let output = Command::new(pay_binary())
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--socket-mode",
            "single",
            "--abort-without-payment",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let events = json_lines(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["event"], "error");
    assert_eq!(events[0]["mapi_error"], "NOT_A_FLOW_HAPPENING");
    assert_eq!(events[0]["for"], "abort");
    assert_eq!(events[1]["event"], "done");
    assert!(simulator.received().is_empty());
    simulator.shutdown();
}

#[test]
fn pay_cli_hammer_abort_prints_exactly_k_abort_outcomes() {
    let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::SingleSocket);
    config.script = Script::abort_window();
    let simulator = Simulator::spawn(config).unwrap();
    let port = simulator.address().port().to_string();
    let output = Command::new(pay_binary())
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--socket-mode",
            "single",
            "--hammer-abort",
            "50",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events = json_lines(&String::from_utf8_lossy(&output.stdout));
    let abort_outcomes = events
        .iter()
        .filter(|e| e["event"] == "abort_success" || (e["event"] == "error" && e["for"] == "abort"))
        .count();
    assert_eq!(abort_outcomes, 50);
    let payment_outcomes = events
        .iter()
        .filter(|e| {
            e["event"] == "payment_success"
                || e["event"] == "payment_error"
                || (e["event"] == "error" && e["for"] == "payment")
        })
        .count();
    assert_eq!(payment_outcomes, 1);
    simulator.shutdown();
}
