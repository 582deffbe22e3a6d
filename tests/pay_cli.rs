//! The `pay` command line exposes refund, reversal, reservation, recovery, period closing, status
//! and the other administrative operations; each run prints one JSON line per callback and ends
//! with `done`. Runs the real binary against the simulator over loopback.

use std::process::Command;

use mapi::simulator::{Script, Simulator, SimulatorConfig};
use mapi::{Dialect, SocketMode};
use serde_json::Value;

#[path = "support/pay.rs"]
mod pay;
use pay::{free_port, json_lines, pay_binary};

/// A simulator whose channel-1 side is a listener `pay` opens on a free port.
struct Terminal {
    simulator: mapi::simulator::SimulatorHandle,
    compat_port: u16,
}

fn terminal(script: Script) -> Terminal {
    let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::DualSocket);
    config.script = script;
    let simulator = Simulator::spawn(config).expect("simulator");
    let compat_port = free_port();
    simulator.set_pos_address(
        format!("127.0.0.1:{compat_port}")
            .parse()
            .expect("an address"),
    );
    Terminal {
        simulator,
        compat_port,
    }
}

/// Runs `pay` with `args`; returns its JSON lines after checking it ended with `done` and exit 0.
fn pay(terminal: &Terminal, args: &[&str]) -> Vec<Value> {
    let output = Command::new(pay_binary())
        .args(["--host", "127.0.0.1", "--port"])
        .arg(terminal.simulator.address().port().to_string())
        .arg("--compat-port")
        .arg(terminal.compat_port.to_string())
        .args(args)
        .output()
        .expect("pay runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{args:?}: {stdout}");
    let lines = json_lines(&stdout);
    assert_eq!(
        lines.last().map(|v| v["event"].clone()),
        Some("done".into())
    );
    lines
}

fn events(lines: &[Value], name: &str) -> Vec<Value> {
    lines
        .iter()
        .filter(|v| v["event"] == name)
        .cloned()
        .collect()
}

fn request_types(terminal: &Terminal) -> Vec<String> {
    terminal
        .simulator
        .received_messages()
        .iter()
        .filter(|m| !matches!(m, mapi::message::Message::DeviceResponse(_)))
        .map(|m| m.request_type().to_owned())
        .collect()
}

#[test]
fn refund_void_and_reservation_are_payments_of_their_kind() {
    let terminal = terminal(Script::default());
    for (kind, wire) in [
        ("refund", "PaymentRefund"),
        ("void", "PaymentReversal"),
        ("reservation", "CardPreAuthorisation"),
    ] {
        let lines = pay(&terminal, &["--type", kind, "--amount", "3.10"]);
        let success = events(&lines, "payment_success");
        assert_eq!(success.len(), 1, "{kind}: {lines:?}");
        assert_eq!(success[0]["amount"], "3.10");
        assert_eq!(
            request_types(&terminal).last().map(String::as_str),
            Some(wire)
        );
    }
}

#[test]
fn status_period_closing_and_recovery_from_the_command_line() {
    let terminal = terminal(Script::default());
    let status = pay(&terminal, &["--admin", "status"]);
    assert_eq!(
        events(&status, "admin_success")[0]["request_type"],
        "GetStatus"
    );
    let paid = pay(&terminal, &["--amount", "7.00"]);
    let request_id = events(&paid, "payment_success")[0]["request_id"].clone();
    let recovered = pay(&terminal, &["--recover"]);
    let recovered = events(&recovered, "recovered");
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0]["request_id"], request_id);
    let closing = pay(&terminal, &["--admin", "period-closing"]);
    assert_eq!(
        events(&closing, "admin_success")[0]["request_type"],
        "ReconciliationWithClosure"
    );
    let config = pay(&terminal, &["--admin", "get-config"]);
    assert_eq!(events(&config, "config")[0]["values"]["Currency"], "EUR");
}

#[test]
fn a_refused_administration_is_one_error_line() {
    let terminal = terminal(Script::from_name("mifare-absent").expect("preset"));
    let lines = pay(&terminal, &["--admin", "read-mifare-uid"]);
    let errors = events(&lines, "error");
    assert_eq!(errors.len(), 1, "{lines:?}");
    assert_eq!(errors[0]["for"], "admin");
    assert_eq!(errors[0]["result"], "TimedOut");
    assert!(events(&lines, "card_uid").is_empty());
}

/// RequestIDs of the requests `simulator` received.
fn requests_received(simulator: &mapi::simulator::SimulatorHandle) -> Vec<String> {
    simulator
        .received_messages()
        .iter()
        .filter(|m| {
            matches!(
                m,
                mapi::message::Message::CardServiceRequest(_)
                    | mapi::message::Message::ServiceRequest(_)
            )
        })
        .map(|m| m.request_id().to_string())
        .collect()
}

#[test]
fn finding3_pay_without_state_dir_never_reuses_an_id_across_runs() {
    let home = std::env::temp_dir().join(format!("mapi-pay-home-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let simulator = Simulator::spawn(SimulatorConfig::new(
        Dialect::OpiNl,
        SocketMode::SingleSocket,
    ))
    .unwrap();
    let pay = pay_binary();
    for _ in 0..3 {
        let output = std::process::Command::new(&pay)
            .args(["--host", "127.0.0.1", "--port"])
            .arg(simulator.address().port().to_string())
            .args(["--socket-mode", "single", "--amount", "1.00"])
            .env("HOME", &home)
            .env_remove("XDG_STATE_HOME")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut ids = requests_received(&simulator);
    assert_eq!(ids.len(), 3);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "pay reused a RequestID across runs");
    assert!(
        home.join(".local/state/mapi-pay").is_dir(),
        "pay keeps its state per user"
    );
    simulator.shutdown();
}

#[test]
fn help_is_not_an_error() {
    let output = Command::new(pay_binary())
        .arg("--help")
        .output()
        .expect("pay runs");
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("pay conformance"));
    let bad = Command::new(pay_binary())
        .arg("--no-such-flag")
        .output()
        .expect("pay runs");
    assert_eq!(bad.status.code(), Some(2));
}

/// The conformance kit from the command line finds the profile a strict terminal plays, writes it
/// as a file `--wire-profile` loads, and a payment with that file speaks the terminal's spelling.
#[test]
fn conformance_writes_the_profile_the_terminal_takes_and_pay_loads_it() {
    use mapi::message::profile::{AbortRequestId, FieldForm, StatusRequest};
    use mapi::message::WireProfile;
    let played = WireProfile {
        status_request: StatusRequest::Diagnosis,
        shift_number: FieldForm::Element,
        abort_request_id: AbortRequestId::Running,
        ..WireProfile::OPI_NL
    };
    let terminal = terminal(Script {
        wire_profile: Some(played),
        card_presented: mapi::simulator::Gate::Hold,
        ..Script::default()
    });
    let dir = std::env::temp_dir().join(format!("mapi-pay-conformance-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let profile = dir.join("profile.txt");
    let port = terminal.simulator.address().port().to_string();
    let compat = terminal.compat_port.to_string();
    let common = [
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--compat-port",
        &compat,
    ];
    let state = dir.join("state");
    let output = Command::new(pay_binary())
        .arg("conformance")
        .args(common)
        .args(["--state-dir", state.to_str().unwrap()])
        .args(["--profile-out", profile.to_str().unwrap()])
        .output()
        .expect("pay runs");
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{table}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(table.contains("status-request = Diagnosis"), "{table}");
    assert!(table.contains("NotSupported"), "{table}");
    let text = std::fs::read_to_string(&profile).expect("the profile file");
    assert_eq!(
        WireProfile::OPI_NL.with_overrides(&text),
        Ok(played),
        "{text}"
    );

    let status = Command::new(pay_binary())
        .args(common)
        .args(["--state-dir", state.to_str().unwrap()])
        .args([
            "--wire-profile",
            profile.to_str().unwrap(),
            "--admin",
            "status",
        ])
        .output()
        .expect("pay runs");
    let lines = json_lines(&String::from_utf8_lossy(&status.stdout));
    assert!(
        lines
            .iter()
            .any(|l| l["event"] == "admin_success" && l["request_type"] == "Diagnosis"),
        "{lines:?}"
    );
}
