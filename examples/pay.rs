//! `pay`: run a payment (and aborts, or a recovery) against any OPI terminal, real or simulated,
//! printing one JSON object per line for every callback. The contract is documented in docs/pay.md;
//! outside tools (and the H2A crash test) drive the engine through it, so keep it stable.

use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use mapi::client::{
    Administration, AdministrationResult, CardInquiry, Delegate, Engine, Operation, Payment,
    PaymentKind, PaymentReceipt, PaymentResult, PaymentService, PendingPayment, SdkError, Terminal,
    TerminalService, Timeouts, TokenService, WireTraceConfig,
};
use mapi::message::masking::mask_digit_runs;
use mapi::message::{Amount, ConfigItem, TextLine};
use mapi::{Dialect, SocketMode};
use serde_json::{json, Value};

const USAGE: &str =
    "usage: pay --host H --port P [--compat-port Q] [--dialect nl|de] [--socket-mode dual|single]
           [--workstation-id ID] [--state-dir DIR] [--amount 12.50 --currency EUR]
           [--type sale|refund|void|reservation|capture] [--original-stan STAN]
           [--request-token] [--abort-after-ms N] [--abort-on-new-connection]
           [--token-abort normal|silent] [--hammer-abort K] [--abort-without-payment]
           [--recover] [--pending] [--resolve KEY --reason TEXT]
           [--admin OPERATION] [--timeout-scale F] [--trace FILE] [--wire-profile FILE]
       pay conformance --host H --port P [same terminal options] [--profile-out FILE] [--no-aborts]
  conformance: probes the terminal's answers to each disputed request spelling (status, login,
             card circuits, config, last ticket, overview, and the abort family on a 0.01 payment
             nobody pays), prints a table and writes the wire profile it supports to --profile-out
             (default wire-profile.txt); send that file and the --trace file to support.
  --wire-profile FILE: key = value overrides of the dialect's wire profile (docs/conformance.md).
  --state-dir defaults to $XDG_STATE_HOME/mapi-pay (or ~/.local/state/mapi-pay): RequestIDs and
             unsettled payments survive between runs.
  OPERATION: status, login, period-closing, partial-period-closing, transaction-overview,
             ticket-reprint, ticket-reprint-period-closing, activate, get-config,
             card-circuits, read-mifare-uid, card-detection, card-validation";

#[derive(Debug)]
struct Args {
    terminal: Terminal,
    amount: Amount,
    currency: String,
    abort_after_ms: Option<u64>,
    abort_on_new_connection: bool,
    token_abort: Option<bool>,
    hammer_abort: usize,
    abort_without_payment: bool,
    recover: bool,
    /// What kind of payment.
    kind: PaymentKind,
    /// An administrative operation or card read instead of a payment.
    admin: Option<Operation>,
    /// Where to write the masked wire trace of this run.
    trace: Option<std::path::PathBuf>,
    /// List the unsettled payments instead of running anything.
    pending: bool,
    /// Resolve this pending payment by hand, with this reason.
    resolve: Option<(String, String)>,
}

/// Where `pay` keeps its RequestID counter and unsettled payments when `--state-dir` is not
/// given: a per-user directory, so ids never repeat between runs.
fn default_state_dir() -> std::path::PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| std::path::PathBuf::from(home).join(".local").join("state"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("mapi-pay")
}

fn parse_args(raw: Vec<String>) -> Result<Args, String> {
    let mut values = std::collections::HashMap::new();
    let mut flags = std::collections::HashSet::new();
    let mut iter = raw.into_iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--abort-on-new-connection"
            | "--abort-without-payment"
            | "--recover"
            | "--pending"
            | "--request-token" => {
                flags.insert(arg);
            }
            "--host" | "--port" | "--compat-port" | "--dialect" | "--socket-mode"
            | "--workstation-id" | "--state-dir" | "--amount" | "--currency"
            | "--abort-after-ms" | "--token-abort" | "--hammer-abort" | "--timeout-scale"
            | "--trace" | "--type" | "--original-stan" | "--admin" | "--resolve" | "--reason"
            | "--wire-profile" => {
                let value = iter.next().ok_or_else(|| format!("{arg} needs a value"))?;
                values.insert(arg, value);
            }
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let get = |name: &str| values.get(name).map(String::as_str);
    let number = |name: &str| -> Result<Option<u64>, String> {
        get(name)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| format!("{name} must be a number, got {v}"))
            })
            .transpose()
    };
    let host = get("--host").ok_or("--host is required")?;
    let port = number("--port")?.ok_or("--port is required")?;
    let dialect = match get("--dialect") {
        Some(name) => Dialect::from_name(name)
            .ok_or_else(|| format!("--dialect must be nl or de, got {name}"))?,
        None => Dialect::OpiNl,
    };
    let mut terminal = Terminal::new(host, dialect)
        .with_port(u16::try_from(port).map_err(|_| "--port is out of range")?);
    if let Some(port) = number("--compat-port")? {
        terminal = terminal.with_compatibility_port(
            u16::try_from(port).map_err(|_| "--compat-port is out of range")?,
        );
    }
    if let Some(mode) = get("--socket-mode") {
        terminal = terminal.with_socket_mode(
            SocketMode::from_name(mode)
                .ok_or_else(|| format!("--socket-mode must be dual or single, got {mode}"))?,
        );
    }
    if let Some(id) = get("--workstation-id") {
        terminal = terminal.with_workstation_id(id);
    }
    terminal = match get("--state-dir") {
        Some(dir) => terminal.with_state_dir(dir),
        None => terminal.with_state_dir(default_state_dir()),
    };
    if let Some(scale) = get("--timeout-scale") {
        let factor: f64 = scale
            .parse()
            .map_err(|_| format!("--timeout-scale must be a number, got {scale}"))?;
        if !(factor.is_finite() && factor > 0.0) {
            return Err("--timeout-scale must be positive".to_owned());
        }
        terminal = terminal.with_timeouts(Timeouts::for_dialect(dialect).scaled(factor));
    }
    terminal.request_token = flags.contains("--request-token");
    if let Some(path) = get("--wire-profile") {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("--wire-profile {path}: {e}"))?;
        let profile = terminal
            .wire_profile
            .with_overrides(&text)
            .map_err(|e| format!("--wire-profile {path}: {e}"))?;
        terminal = terminal.with_wire_profile(profile);
    }
    let stan = get("--original-stan").map(str::to_owned);
    let kind = match get("--type").unwrap_or("sale") {
        "sale" => PaymentKind::Sale,
        "refund" => PaymentKind::Refund,
        "void" | "reversal" => PaymentKind::Reversal { stan },
        "reservation" => PaymentKind::Reservation,
        "capture" => PaymentKind::Capture { stan },
        other => return Err(format!("unknown --type {other}")),
    };
    let admin = get("--admin").map(admin_operation).transpose()?;
    let amount: Amount = get("--amount")
        .unwrap_or("12.50")
        .parse()
        .map_err(|e| format!("--amount: {e}"))?;
    let token_abort = match get("--token-abort") {
        None => None,
        Some("normal") => Some(false),
        Some("silent") => Some(true),
        Some(other) => {
            return Err(format!(
                "--token-abort must be normal or silent, got {other}"
            ))
        }
    };
    Ok(Args {
        terminal,
        amount,
        currency: get("--currency").unwrap_or("EUR").to_owned(),
        abort_after_ms: number("--abort-after-ms")?,
        abort_on_new_connection: flags.contains("--abort-on-new-connection"),
        token_abort,
        hammer_abort: number("--hammer-abort")?.unwrap_or(0) as usize,
        abort_without_payment: flags.contains("--abort-without-payment"),
        recover: flags.contains("--recover"),
        kind,
        admin,
        trace: get("--trace").map(Into::into),
        pending: flags.contains("--pending"),
        resolve: match (get("--resolve"), get("--reason")) {
            (Some(key), Some(reason)) => Some((key.to_owned(), reason.to_owned())),
            (Some(_), None) => return Err("--resolve needs --reason".to_owned()),
            (None, Some(_)) => return Err("--reason goes with --resolve".to_owned()),
            (None, None) => None,
        },
    })
}

fn admin_operation(name: &str) -> Result<Operation, String> {
    use Administration::*;
    let what = match name {
        "status" => Status,
        "login" | "startup" => Login,
        "period-closing" => PeriodClosing,
        "partial-period-closing" => PartialPeriodClosing,
        "transaction-overview" => TransactionOverview,
        "ticket-reprint" => TicketReprint,
        "ticket-reprint-period-closing" => TicketReprintPeriodClosing,
        "activate" => ActivateTerminal,
        "get-config" => GetConfig,
        "card-circuits" => CardCircuits,
        "read-mifare-uid" => ReadMifareUid,
        "card-detection" => return Ok(Operation::CardInquiry(CardInquiry::Detection)),
        "card-validation" => return Ok(Operation::CardInquiry(CardInquiry::Validation)),
        other => return Err(format!("unknown --admin operation {other}")),
    };
    Ok(Operation::Administration(what))
}

#[derive(Clone, Copy, PartialEq)]
enum Role {
    Payment,
    Abort,
    Recovery,
    Admin,
}

/// Prints every callback as one JSON line and reports final ones to the main thread.
struct JsonDelegate {
    role: Role,
    finals: mpsc::Sender<()>,
}

fn emit(value: Value) {
    println!("{value}");
}

/// Display and receipt lines as `pay` prints them: card numbers masked, since its output ends up
/// in logs and support tickets (an app's printer delegate gets the text as the terminal sent it).
fn texts(lines: &[TextLine]) -> Vec<String> {
    lines.iter().map(TextLine::masked_text).collect()
}

fn masked(text: &str) -> String {
    mask_digit_runs(text)
}

fn payment_json(event: &str, result: &PaymentResult) -> Value {
    json!({
        "event": event,
        "result": result.result.as_str(),
        "request_id": result.request_id.as_str(),
        "amount": result.amount.map(|a| a.to_string()),
        "currency": result.currency,
        "recovered": result.recovered,
    })
}

fn pending_json(event: &str, pending: &PendingPayment) -> Value {
    json!({
        "event": event,
        "key": pending.key,
        "request_id": pending.request_id.as_ref().map(|r| r.as_str()),
        "request_type": pending.request_type,
        "amount": pending.amount.map(|a| a.to_string()),
        "currency": pending.currency,
        "state": format!("{:?}", pending.state),
        "attempts": pending.attempts,
        "reason": pending.reason,
        "evidence": pending.evidence,
    })
}

impl JsonDelegate {
    fn done(&self) {
        let _ = self.finals.send(());
    }
}

impl Delegate for JsonDelegate {
    fn show_terminal_output_lines(&self, lines: &[TextLine]) {
        emit(json!({"event": "display", "lines": texts(lines)}));
    }
    fn show_on_customer_display(&self, lines: &[TextLine]) {
        emit(json!({"event": "display", "target": "customer", "lines": texts(lines)}));
    }
    fn print_merchant_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        emit(json!({"event": "receipt", "kind": "merchant", "lines": texts(&receipt.lines)}));
    }
    fn print_customer_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        emit(json!({"event": "receipt", "kind": "customer", "lines": texts(&receipt.lines)}));
    }
    fn print_journal_receipt(&self, receipt: &PaymentReceipt) {
        emit(json!({"event": "receipt", "kind": "journal", "lines": texts(&receipt.lines)}));
    }
    fn store_ejournal(&self, text: &str) {
        emit(json!({"event": "ejournal", "text": masked(text)}));
    }
    fn print_dcc_offer(&self, receipt: &PaymentReceipt) {
        emit(json!({"event": "receipt", "kind": "dcc_offer", "lines": texts(&receipt.lines)}));
    }
    fn e_receipt(&self, content: &str) {
        emit(
            json!({"event": "receipt", "kind": "e_receipt", "lines": content.lines().map(masked).collect::<Vec<_>>()}),
        );
    }
    fn config_data(&self, items: &[ConfigItem]) {
        let values: serde_json::Map<String, Value> = items
            .iter()
            .map(|i| (i.name.clone(), Value::from(i.value.clone())))
            .collect();
        emit(json!({"event": "config", "values": values}));
    }
    fn card_uid(&self, uid: &str) {
        emit(json!({"event": "card_uid", "uid": uid}));
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        let event = if self.role == Role::Recovery {
            "recovered"
        } else {
            "payment_success"
        };
        emit(payment_json(event, result));
        self.done();
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        let event = if self.role == Role::Recovery {
            "recovered"
        } else {
            "payment_error"
        };
        emit(payment_json(event, result));
        self.done();
    }
    fn on_payment_administration_success(&self, result: &AdministrationResult) {
        let event = if self.role == Role::Admin {
            "admin_success"
        } else {
            "abort_success"
        };
        emit(json!({
            "event": event,
            "result": result.result.as_str(),
            "request_id": result.request_id.as_str(),
            "request_type": result.response.request_type(),
        }));
        self.done();
    }
    fn on_recovery_pending(&self, pending: &PendingPayment) {
        emit(pending_json("recovery_pending", pending));
        self.done();
    }
    fn on_error(&self, error: &SdkError) {
        let role = match self.role {
            Role::Payment => "payment",
            Role::Abort => "abort",
            Role::Recovery => "recovery",
            Role::Admin => "admin",
        };
        emit(json!({
            "event": "error",
            "for": role,
            "mapi_error": error.mapi_error.map(|e| e.java_name()),
            "result": error.result.as_ref().map(|r| r.as_str()),
            "request_id": error.request_id.as_ref().map(|r| r.as_str()),
            "recovery_needed": error.recovery_needed,
            "detail": masked(&error.detail),
        }));
        self.done();
    }
}

fn run(args: Args) -> Result<(), String> {
    let engine = Engine::new().map_err(|e| format!("cannot start the engine: {e}"))?;
    if let Some(path) = &args.trace {
        let config = WireTraceConfig::new(path);
        engine
            .set_wire_trace(Some(config))
            .map_err(|e| e.to_string())?;
    }
    let (finals_tx, finals_rx) = mpsc::channel();
    let delegate = |role| -> Arc<dyn Delegate> {
        Arc::new(JsonDelegate {
            role,
            finals: finals_tx.clone(),
        })
    };
    let mut expected = 0usize;
    let terminals = TerminalService::with_engine(&engine);
    if args.pending {
        for pending in terminals.pending_payments(&args.terminal)? {
            emit(pending_json("pending", &pending));
        }
    } else if let Some((key, reason)) = &args.resolve {
        match terminals.resolve_pending(&args.terminal, key, reason)? {
            Some(resolved) => emit(pending_json("resolved", &resolved)),
            None => return Err(format!("nothing pending on this terminal is named {key}")),
        }
    } else if let Some(operation) = args.admin.clone() {
        engine.run(&args.terminal, operation, delegate(Role::Admin));
        expected += 1;
    } else if args.recover {
        TerminalService::with_engine(&engine)
            .recover_payment(&args.terminal, delegate(Role::Recovery));
        expected += 1;
    } else {
        if !args.abort_without_payment {
            let payment = Payment {
                kind: args.kind.clone(),
                ..Payment::sale(args.amount, &args.currency)
            };
            PaymentService::with_engine(&engine).payment(
                &args.terminal,
                payment,
                delegate(Role::Payment),
            );
            expected += 1;
        }
        let wants_abort = args.abort_without_payment
            || args.abort_after_ms.is_some()
            || args.hammer_abort > 0
            || args.token_abort.is_some()
            || args.abort_on_new_connection;
        let aborts = if wants_abort {
            args.hammer_abort.max(1)
        } else {
            0
        };
        if aborts > 0 {
            if let Some(ms) = args.abort_after_ms {
                std::thread::sleep(Duration::from_millis(ms));
            }
            let payments = PaymentService::with_engine(&engine);
            let tokens = TokenService::with_engine(&engine);
            for _ in 0..aborts {
                let d = delegate(Role::Abort);
                match (args.token_abort, args.abort_on_new_connection) {
                    (Some(silent), false) => tokens.abort(silent, &args.terminal, d),
                    (Some(silent), true) => {
                        tokens.abort_on_new_connection(silent, &args.terminal, d)
                    }
                    (None, false) => payments.abort(&args.terminal, d),
                    (None, true) => payments.abort_on_new_connection(&args.terminal, d),
                }
            }
            expected += aborts;
        }
    }
    // Every flow ends in a bounded time (all timeouts are finite); the margin only guards against an SDK bug.
    let limit =
        args.terminal.timeouts.request + args.terminal.timeouts.connect + Duration::from_secs(30);
    for _ in 0..expected {
        finals_rx
            .recv_timeout(limit)
            .map_err(|_| "a flow did not end in time".to_owned())?;
    }
    if args.trace.is_some() {
        // Writes the closing line and flushes before the process exits.
        engine.set_wire_trace(None).map_err(|e| e.to_string())?;
    }
    emit(json!({"event": "done"}));
    Ok(())
}

/// `pay conformance`: the kit's table on stdout, the suggested profile in `out`.
fn conformance(args: Args, out: &std::path::Path, aborts: bool) -> Result<(), String> {
    let engine = Engine::new().map_err(|e| format!("cannot start the engine: {e}"))?;
    if let Some(path) = &args.trace {
        engine
            .set_wire_trace(Some(WireTraceConfig::new(path)))
            .map_err(|e| e.to_string())?;
    }
    let config = mapi::client::conformance::KitConfig {
        terminal: args.terminal.clone(),
        amount: "0.01".parse().map_err(|e| format!("{e}"))?,
        currency: args.currency.clone(),
        abort_after: Duration::from_secs(5),
        aborts,
    };
    let report = mapi::client::conformance::run(&engine, &config);
    print!("{}", report.table());
    std::fs::write(out, report.profile_file(&args.terminal))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("suggested wire profile written to {}", out.display());
    if args.trace.is_some() {
        engine.set_wire_trace(None).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut raw: Vec<String> = std::env::args().skip(1).collect();
    let kit = raw.first().is_some_and(|a| a == "conformance");
    let (mut out, mut aborts) = (std::path::PathBuf::from("wire-profile.txt"), true);
    if kit {
        raw.remove(0);
        if let Some(at) = raw.iter().position(|a| a == "--no-aborts") {
            raw.remove(at);
            aborts = false;
        }
        if let Some(at) = raw.iter().position(|a| a == "--profile-out") {
            raw.remove(at);
            if at < raw.len() {
                out = raw.remove(at).into();
            }
        }
    }
    let args = match parse_args(raw) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            // A help request is not a bad argument.
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("pay: {message}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    if kit {
        return match conformance(args, &out, aborts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("pay: {message}");
                ExitCode::from(1)
            }
        };
    }
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pay: {message}");
            ExitCode::from(1)
        }
    }
}
