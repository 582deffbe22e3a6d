//! Crash safety of the POS process: the `pay` example is killed with SIGKILL at every step of a
//! payment, then restarted with `pay --recover` on the same state directory. Each in-flight
//! payment is recovered exactly once, with what the terminal really decided; none is lost and
//! none is reported twice. A torn or corrupt journal (or RequestID counter) is reported, kept
//! for support, and never makes the engine send anything.
//!
//! Kill points are deterministic: the fault proxy swallows a chosen frame and reports it, the
//! simulator holds its gates and reports every step, and for "the final response arrived but the
//! callback did not run" the process is frozen with SIGSTOP (confirmed with waitpid) before the
//! terminal writes the response, and killed once the terminal reports it written.

mod hardening_support;

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use hardening_support::proxy::{Direction, Fault, FaultKind, FaultProxy, ProxyEvent};
use hardening_support::recorder::{Callback, Recorder, WAIT};
use hardening_support::{decided, journal_in, state_dir};
use mapi::client::{Engine, Terminal, TerminalService};
use mapi::message::{OverallResult, RequestId};
use mapi::simulator::{
    OnDisconnect, RunStep, Script, SimEvent, Simulator, SimulatorConfig, SimulatorHandle, Stage,
};
use mapi::MapiError;
use mapi::{Dialect, SocketMode};
use serde_json::Value;

#[path = "support/pay.rs"]
mod pay;
use pay::{json_lines, pay_binary};

/// A simulated terminal behind a proxy (so a frame can be swallowed), and a state directory.
struct Till {
    simulator: SimulatorHandle,
    proxy: FaultProxy,
    dir: PathBuf,
}

impl Till {
    fn new(name: &str, script: Script, faults: Vec<Fault>) -> Till {
        let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::SingleSocket);
        config.script = script;
        let simulator = Simulator::spawn(config).expect("simulator starts");
        let proxy = FaultProxy::start(simulator.address(), faults);
        Till {
            simulator,
            proxy,
            dir: state_dir(name),
        }
    }

    fn args(&self) -> Vec<String> {
        [
            "--host",
            "127.0.0.1",
            "--port",
            &self.proxy.address().port().to_string(),
            "--socket-mode",
            "single",
            "--state-dir",
            &self.dir.display().to_string(),
        ]
        .map(str::to_owned)
        .to_vec()
    }

    /// `pay` for a 12.50 EUR sale, stdout piped.
    fn pay(&self) -> Child {
        Command::new(pay_binary())
            .args(self.args())
            .args(["--amount", "12.50", "--currency", "EUR"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("pay starts")
    }

    /// `pay --recover`: its JSON lines, after checking it exited 0.
    fn recover(&self) -> Vec<Value> {
        let output = Command::new(pay_binary())
            .args(self.args())
            .arg("--recover")
            .output()
            .expect("pay --recover runs");
        assert_eq!(
            output.status.code(),
            Some(0),
            "stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        json_lines(&String::from_utf8_lossy(&output.stdout))
    }

    /// The terminal as the `pay` CLI configures it (same journal and counter files).
    fn terminal(&self) -> Terminal {
        Terminal::new("127.0.0.1", Dialect::OpiNl)
            .with_port(self.proxy.address().port())
            .with_socket_mode(SocketMode::SingleSocket)
            .with_listen_ip(IpAddr::V4(Ipv4Addr::LOCALHOST))
            .with_state_dir(&self.dir)
    }

    fn wait_step(&self, wanted: RunStep) {
        self.simulator
            .wait_for(
                |e| matches!(e, SimEvent::StageReached { step, .. } if *step == wanted),
                WAIT,
            )
            .unwrap_or_else(|| panic!("the terminal never reached {wanted:?}"));
    }

    fn wait_proxy_frame(&self, direction: Direction, index: usize) {
        self.proxy
            .wait_for(
                |e| matches!(e, ProxyEvent::Frame(f) if f.connection == 0 && f.direction == direction && f.index == index),
                WAIT,
            )
            .unwrap_or_else(|| panic!("frame {index} {direction:?} never came"));
    }
}

impl Drop for Till {
    fn drop(&mut self) {
        self.simulator.shutdown();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// SIGKILLs `child` (no destructor, no flush, like a power cut) and returns what it printed.
fn kill(mut child: Child) -> Vec<Value> {
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let printed: Vec<String> = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map_while(Result::ok)
        .collect();
    json_lines(&printed.join("\n"))
}

/// SIGKILLs `child` once its JSON output has a line matching `stop`; returns everything it
/// printed, before and after that line.
fn kill_after(mut child: Child, stop: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut printed = Vec::new();
    let mut line = String::new();
    while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
        let value: Value = serde_json::from_str(line.trim()).expect("pay prints JSON lines");
        line.clear();
        let done = stop(&value);
        printed.push(value);
        if done {
            break;
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let rest: Vec<String> = reader.lines().map_while(Result::ok).collect();
    printed.extend(json_lines(&rest.join("\n")));
    printed
}

fn is_payment_outcome(event: &Value) -> bool {
    ["payment_success", "payment_error", "recovered"]
        .contains(&event["event"].as_str().unwrap_or(""))
        || (event["event"] == "error" && event["for"] == "payment")
}

/// The checks after a kill: the killed process reported no outcome, the journal names the
/// payment; `pay --recover` reports it exactly once, as the terminal decided; the journal is then
/// gone, and a restarted engine with automatic recovery finds nothing more to recover.
fn recover_after_kill(till: &Till, printed: &[Value], terminal_ran_it: bool) -> OverallResult {
    assert!(
        terminal_ran_it,
        "a payment the terminal never saw is not recovered: see recovery_stays_pending_and_is_resolved_by_hand"
    );
    assert!(
        !printed.iter().any(is_payment_outcome),
        "the killed process never saw an outcome: {printed:?}"
    );
    let entry = journal_in(&till.dir).expect("the in-flight journal survived the kill");
    let id = RequestId::from(entry["request_id"].as_str().expect("request id"));
    assert_eq!(entry["amount"], "12.50");

    let events = till.recover();
    let recovered: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "recovered")
        .collect();
    assert_eq!(recovered.len(), 1, "exactly one recovery: {events:?}");
    assert_eq!(events.iter().filter(|e| is_payment_outcome(e)).count(), 1);
    let recovered = recovered[0];
    assert_eq!(recovered["request_id"], id.as_str());
    assert_eq!(recovered["amount"], "12.50");
    assert_eq!(recovered["recovered"], true);
    let result = OverallResult::from_wire(recovered["result"].as_str().expect("result"));
    let truth = decided(&till.simulator, &id).expect("the terminal's decision was recorded");
    assert_eq!(result, truth, "recovery reports the terminal's decision");
    assert_eq!(journal_in(&till.dir), None, "recovery cleared the journal");

    // The app starts again, with automatic recovery: nothing is left to recover.
    let engine = Engine::new().expect("engine");
    let automatic = Recorder::new();
    engine.set_recovery_delegate(Some(automatic.clone()));
    let status = Recorder::new();
    TerminalService::with_engine(&engine).status(&till.terminal(), status.clone());
    assert!(matches!(
        status.wait_final(),
        Callback::AdministrationSuccess(_)
    ));
    assert!(
        automatic.calls().is_empty(),
        "recovered twice: {:?}",
        automatic.calls()
    );
    let repeats = till
        .simulator
        .event_log()
        .iter()
        .filter(|e| matches!(e, SimEvent::RepeatAnswered { .. }))
        .count();
    assert_eq!(repeats, 1, "one RepeatLastMessage on the wire");
    result
}

#[test]
fn killed_before_the_request_reached_the_terminal_stays_pending_until_an_operator_resolves_it() {
    // The request left the process but the network swallowed it: the terminal never saw it. Its
    // RepeatLastMessage answer (Failure, no OriginalHeader) is not about this request, so it
    // proves nothing: the payment stays pending, never "not paid" by guess.
    let swallow = Fault {
        connection: 0,
        direction: Direction::ToTerminal,
        frame: 0,
        kind: FaultKind::Blackhole,
    };
    let till = Till::new("before-send", Script::success(), vec![swallow]);
    let child = till.pay();
    till.wait_proxy_frame(Direction::ToTerminal, 0);
    let printed = kill(child);
    assert!(!printed.iter().any(is_payment_outcome), "{printed:?}");
    let entry = journal_in(&till.dir).expect("the in-flight journal survived the kill");
    let id = entry["request_id"].as_str().expect("request id").to_owned();

    let events = till.recover();
    assert!(
        !events.iter().any(is_payment_outcome),
        "no outcome is guessed: {events:?}"
    );
    let pending: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "recovery_pending")
        .collect();
    assert_eq!(pending.len(), 1, "{events:?}");
    assert_eq!(pending[0]["request_id"], id.as_str());
    assert!(
        pending[0]["reason"]
            .as_str()
            .unwrap()
            .contains("without naming the original request"),
        "{events:?}"
    );
    let kept = journal_in(&till.dir).expect("the entry is kept");
    assert_eq!(kept["request_id"], id.as_str());
    assert_eq!(kept["state"], "pending");

    // A new payment is refused, naming the pending one; nothing is sent for it.
    let received_before = till.simulator.received().len();
    let output = Command::new(pay_binary())
        .args(till.args())
        .output()
        .expect("pay runs");
    let events = json_lines(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(
        events[0]["mapi_error"], "PAYMENT_PENDING_RECOVERY",
        "{events:?}"
    );
    assert_eq!(events[0]["request_id"], id.as_str());
    assert_eq!(
        till.simulator.received().len(),
        received_before,
        "nothing sent"
    );

    // The operator checked the terminal's journal: resolved by hand, logged.
    let output = Command::new(pay_binary())
        .args(till.args())
        .args([
            "--resolve",
            &id,
            "--reason",
            "not on the terminal's journal",
        ])
        .output()
        .expect("pay --resolve runs");
    let events = json_lines(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(events[0]["event"], "resolved", "{events:?}");
    assert_eq!(journal_in(&till.dir), None);
    let log = std::fs::read_to_string(till.dir.join("resolved-payments.jsonl")).unwrap();
    assert!(log.contains("not on the terminal's journal") && log.contains(&id));
    assert!(
        !till
            .simulator
            .event_log()
            .iter()
            .any(|e| matches!(e, SimEvent::PaymentFinished { .. })),
        "no money moved"
    );
}

#[test]
fn killed_after_the_request_arrived_recovers_what_the_terminal_decided() {
    // Card presented after the POS died: the terminal completes the payment (money moved).
    let till = Till::new("after-send", Script::hold(), Vec::new());
    let child = till.pay();
    till.wait_step(RunStep::RequestReceived);
    let printed = kill(child);
    till.simulator.release(Stage::CardPresented);
    till.simulator.release(Stage::Completion);
    till.simulator
        .wait_for(|e| matches!(e, SimEvent::PaymentFinished { .. }), WAIT)
        .expect("the terminal finished on its own");
    let result = recover_after_kill(&till, &printed, true);
    assert_eq!(result, OverallResult::Success);
}

#[test]
fn killed_while_the_terminal_waits_for_the_card_recovers_the_abort_it_made() {
    // A terminal that aborts a payment whose POS vanished before the card came.
    let script = Script {
        on_disconnect: OnDisconnect::Abort,
        ..Script::hold()
    };
    let till = Till::new("awaiting-card", script, Vec::new());
    let child = till.pay();
    till.wait_step(RunStep::AwaitingCard);
    let printed = kill(child);
    till.simulator
        .wait_for(|e| matches!(e, SimEvent::PaymentFinished { .. }), WAIT)
        .expect("the terminal aborted on its own");
    let result = recover_after_kill(&till, &printed, true);
    assert_eq!(result, OverallResult::Aborted);
}

#[test]
fn killed_during_the_receipt_device_request_recovers_the_authorised_payment() {
    // Frames to the terminal: 0 the payment, 1 the display's DeviceResponse, 2 the merchant
    // receipt's DeviceResponse — swallowed, so the terminal still waits for it at the kill.
    let swallow = Fault {
        connection: 0,
        direction: Direction::ToTerminal,
        frame: 2,
        kind: FaultKind::Blackhole,
    };
    let till = Till::new("device-request", Script::success(), vec![swallow]);
    let child = till.pay();
    till.wait_proxy_frame(Direction::ToTerminal, 2);
    let swallowed = till
        .proxy
        .frames()
        .into_iter()
        .find(|f| f.direction == Direction::ToTerminal && f.index == 2)
        .expect("frame 2")
        .summary;
    assert!(swallowed.starts_with("DeviceResponse"), "{swallowed}");
    // The session answers the device request as it hands the receipt to the app, so the answer can
    // be on the wire before `pay` printed it: wait for the app to have it, then kill.
    let printed = kill_after(child, |e| e["event"] == "receipt");
    assert!(
        printed.iter().any(|e| e["event"] == "receipt"),
        "killed after the merchant receipt reached the app: {printed:?}"
    );
    till.simulator
        .wait_for(|e| matches!(e, SimEvent::PaymentFinished { .. }), WAIT)
        .expect("the authorised payment completed without the POS");
    let result = recover_after_kill(&till, &printed, true);
    assert_eq!(result, OverallResult::Success);
}

mod process {
    //! SIGSTOP and waitpid(WUNTRACED): freeze a child and know it is frozen.
    extern "C" {
        fn kill(pid: i32, signal: i32) -> i32;
        fn waitpid(pid: i32, status: *mut i32, options: i32) -> i32;
    }
    const SIGSTOP: i32 = 19;
    const WUNTRACED: i32 = 2;

    /// Stops `pid` and returns once the kernel reports it stopped.
    pub fn freeze(pid: u32) {
        let pid = i32::try_from(pid).expect("pid");
        let mut status = 0i32;
        // SAFETY: plain syscalls on our own child; `status` outlives the call.
        unsafe {
            assert_eq!(kill(pid, SIGSTOP), 0, "SIGSTOP delivered");
            assert_eq!(waitpid(pid, &mut status, WUNTRACED), pid, "stop reported");
        }
        // WIFSTOPPED: low byte 0x7f.
        assert_eq!(
            status & 0xff,
            0x7f,
            "the child is stopped (status {status:#x})"
        );
    }
}

#[test]
fn killed_after_the_final_response_arrived_but_before_the_callback_recovers_it_once() {
    let script = Script {
        completion: mapi::simulator::Gate::Hold,
        ..Script::success()
    };
    let till = Till::new("before-callback", script, Vec::new());
    let child = till.pay();
    // Every receipt is answered; the terminal holds the completion.
    till.wait_step(RunStep::AwaitingCompletion);
    process::freeze(child.id());
    till.simulator.release(Stage::Completion);
    // The response is written into the frozen process's socket: it has arrived, unread.
    till.simulator
        .wait_for(
            |e| matches!(e, SimEvent::FrameSent { summary, .. } if summary.starts_with("CardServiceResponse")),
            WAIT,
        )
        .expect("the final response was written to the POS");
    let Some(ProxyEvent::Frame(response)) = till.proxy.wait_for(
        |e| matches!(e, ProxyEvent::Frame(f) if f.direction == Direction::ToPos && f.summary.starts_with("CardServiceResponse")),
        WAIT,
    ) else {
        panic!("the final response never reached the proxy");
    };
    till.proxy
        .wait_for(
            |e| matches!(e, ProxyEvent::Written { direction: Direction::ToPos, index, .. } if *index == response.index),
            WAIT,
        )
        .expect("the final response was written into the frozen POS's socket");
    let printed = kill(child);
    let result = recover_after_kill(&till, &printed, true);
    assert_eq!(result, OverallResult::Success);
}

// ---- torn and corrupt state files --------------------------------------------------------------

fn valid_entry(request_id: &str) -> String {
    serde_json::to_string_pretty(&serde_json::json!({
        "version": 1,
        "request_id": request_id,
        "request_type": "CardPayment",
        "amount": "12.50",
        "currency": "EUR",
        "terminal": "127.0.0.1:4100",
        "workstation_id": "POS1",
        "started_at_ms": 1_700_000_000_000u64
    }))
    .unwrap()
}

fn journal_path(till: &Till) -> PathBuf {
    till.dir.join(format!(
        "inflight-{}.json",
        till.terminal().key().file_stem()
    ))
}

/// Starts an engine with automatic recovery on `till`'s state and returns the recovery
/// callbacks, once `expected` of them came and a status request was answered after them.
fn automatic_recovery(till: &Till, expected: usize) -> Vec<Callback> {
    let engine = Engine::new().expect("engine");
    let automatic = Recorder::new();
    engine.set_recovery_delegate(Some(automatic.clone()));
    let status = Recorder::new();
    TerminalService::with_engine(&engine).status(&till.terminal(), status.clone());
    status.wait_final();
    automatic.wait_finals(expected);
    let settle = Recorder::new();
    TerminalService::with_engine(&engine).status(&till.terminal(), settle.clone());
    settle.wait_final();
    automatic.calls()
}

#[test]
fn every_torn_prefix_of_the_journal_is_reported_and_kept_and_nothing_is_sent() {
    let till = Till::new("torn", Script::success(), Vec::new());
    let path = journal_path(&till);
    let whole = valid_entry("41");
    let mut broken: Vec<Vec<u8>> = (0..whole.len())
        .map(|cut| whole.as_bytes()[..cut].to_vec())
        .collect();
    broken.extend([
        b"{}".to_vec(),
        b"null".to_vec(),
        b"[1,2]".to_vec(),
        format!("{whole}}}").into_bytes(),
        vec![0xFF, 0xFE, 0x00, 0x12],
        whole.replace("\"41\"", "41").into_bytes(),
    ]);
    for content in &broken {
        std::fs::write(&path, content).unwrap();
        let calls = automatic_recovery(&till, 1);
        match &calls[..] {
            [Callback::Error(error)] => {
                assert!(error.detail.contains("corrupt"), "{}", error.detail);
                assert!(
                    error.detail.contains(&path.display().to_string()),
                    "names the file: {}",
                    error.detail
                );
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(content)),
        }
        assert_eq!(&std::fs::read(&path).unwrap(), content, "kept for support");
    }
    let recoveries_sent = till
        .simulator
        .received_messages()
        .iter()
        .filter(|m| m.request_type() == "RepeatLastMessage")
        .count();
    assert_eq!(
        recoveries_sent, 0,
        "a corrupt journal never leads to a guess"
    );

    // The CLI says so too, and exits normally.
    std::fs::write(&path, &whole.as_bytes()[..whole.len() / 2]).unwrap();
    let events = till.recover();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["event"], "recovery_pending");
    assert_eq!(events[0]["state"], "Corrupt");
    assert!(events[0]["reason"].as_str().unwrap().contains("corrupt"));
    assert!(path.exists());
}

#[test]
fn a_temp_file_left_by_a_crash_mid_write_is_ignored_and_the_last_complete_journal_wins() {
    let till = Till::new("leftover-tmp", Script::success(), Vec::new());
    let path = journal_path(&till);
    let temporary = path.with_extension("tmp");
    // Crash while writing the very first entry: only a torn temp file exists.
    std::fs::write(&temporary, &valid_entry("7").as_bytes()[..20]).unwrap();
    assert!(
        automatic_recovery(&till, 0).is_empty(),
        "nothing was in flight"
    );
    // Crash while replacing an entry: the complete old file is what counts.
    std::fs::write(&path, valid_entry("8")).unwrap();
    match &automatic_recovery(&till, 1)[..] {
        [Callback::Error(error), ..] => {
            // The terminal never ran request 8: its answer names no request, so 8 stays pending.
            assert_eq!(error.mapi_error, Some(MapiError::RecoveryPending));
            assert_eq!(error.request_id.as_ref().map(|r| r.as_str()), Some("8"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        path.exists() || journal_in(&till.dir).is_some(),
        "request 8 is kept"
    );
}

#[test]
fn a_torn_request_id_counter_is_reported_and_no_request_is_sent() {
    let till = Till::new("torn-counter", Script::success(), Vec::new());
    std::fs::write(till.dir.join("request-id-POS1"), b"").unwrap();
    let output = Command::new(pay_binary())
        .args(till.args())
        .output()
        .expect("pay runs");
    assert_eq!(output.status.code(), Some(0));
    let events = json_lines(&String::from_utf8_lossy(&output.stdout));
    assert_eq!(events[0]["event"], "error", "{events:?}");
    assert!(events[0]["detail"].as_str().unwrap().contains("corrupt"));
    assert!(till.simulator.received().is_empty(), "nothing was sent");
}
