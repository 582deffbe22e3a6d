//! `pay`: run a payment (and aborts, or a recovery) against any OPI terminal, real or simulated,
//! printing one JSON object per line for every callback. The contract is documented in docs/pay.md;
//! outside tools (and the H2A crash test) drive the engine through it, so keep it stable.

mod cli;

use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use cli::{bad_argument, run_args, terminal, Args, Cli, Command, ConformanceOptions};
use mapi::client::{
    AdministrationResult, Delegate, Engine, Payment, PaymentReceipt, PaymentResult, PaymentService,
    PendingPayment, SdkError, Terminal, TerminalService, TokenService, WireTraceConfig,
};
use mapi::message::masking::mask_digit_runs;
use mapi::message::{ConfigItem, TextLine};
use serde_json::{json, Value};

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

/// `pay conformance`: the kit's table on stdout, the suggested profile in `--profile-out`.
fn conformance(terminal: Terminal, options: &ConformanceOptions) -> Result<(), String> {
    let engine = Engine::new().map_err(|e| format!("cannot start the engine: {e}"))?;
    if let Some(path) = &options.terminal.trace {
        engine
            .set_wire_trace(Some(WireTraceConfig::new(path)))
            .map_err(|e| e.to_string())?;
    }
    let config = mapi::client::conformance::KitConfig {
        terminal: terminal.clone(),
        amount: "0.01".parse().map_err(|e| format!("{e}"))?,
        currency: options.terminal.currency.clone(),
        abort_after: Duration::from_secs(5),
        aborts: !options.no_aborts,
    };
    let report = mapi::client::conformance::run(&engine, &config);
    print!("{}", report.table());
    let out = &options.profile_out;
    std::fs::write(out, report.profile_file(&terminal))
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("suggested wire profile written to {}", out.display());
    if options.terminal.trace.is_some() {
        engine.set_wire_trace(None).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Conformance(options)) => {
            let terminal = terminal(&options.terminal).unwrap_or_else(|m| bad_argument(m));
            conformance(terminal, &options)
        }
        None => run(run_args(cli.run).unwrap_or_else(|m| bad_argument(m))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pay: {message}");
            ExitCode::from(1)
        }
    }
}
