//! The demo: an embedded terminal simulator and six flows, each callback printed as it arrives.
//! `cargo run --example demo`

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use mapi::client::{
    AdministrationResult, Delegate, Engine, Payment, PaymentReceipt, PaymentResult, PaymentService,
    SdkError, Terminal, TokenService,
};
use mapi::message::{OverallResult, TextLine};
use mapi::simulator::{
    RunStep, Script, SimEvent, Simulator, SimulatorConfig, SimulatorHandle, Stage,
};
use mapi::{Dialect, SocketMode};

const WAIT: Duration = Duration::from_secs(20);

/// Prints every callback with a label; tells the main thread when a flow ends.
struct Printer {
    label: &'static str,
    done: mpsc::Sender<()>,
}

impl Printer {
    fn new(label: &'static str, done: &mpsc::Sender<()>) -> Arc<Printer> {
        Arc::new(Printer {
            label,
            done: done.clone(),
        })
    }

    fn say(&self, what: &str) {
        println!("  [{:<7}] {what}", self.label);
    }

    fn end(&self, what: &str) {
        self.say(what);
        let _ = self.done.send(());
    }
}

fn joined(lines: &[TextLine]) -> String {
    lines
        .iter()
        .map(|l| l.text.trim())
        .collect::<Vec<_>>()
        .join(" | ")
}

impl Delegate for Printer {
    fn show_terminal_output_lines(&self, lines: &[TextLine]) {
        self.say(&format!("display: {}", joined(lines)));
    }
    fn print_merchant_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.say(&format!("merchant receipt ({} lines)", receipt.lines.len()));
    }
    fn print_customer_receipt_and_signature(&self, receipt: &PaymentReceipt) {
        self.say(&format!("customer receipt ({} lines)", receipt.lines.len()));
        for line in receipt.plain_text_lines() {
            println!("            | {line}");
        }
    }
    fn store_ejournal(&self, text: &str) {
        self.say(&format!("e-journal stored ({} bytes)", text.len()));
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        self.end(&format!(
            "PAYMENT SUCCESS: {} {} (RequestID {})",
            result.amount.map(|a| a.to_string()).unwrap_or_default(),
            result.currency.clone().unwrap_or_default(),
            result.request_id
        ));
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        self.end(&format!(
            "PAYMENT ENDED: {} (RequestID {})",
            result.result, result.request_id
        ));
    }
    fn on_payment_administration_success(&self, result: &AdministrationResult) {
        self.end(&format!(
            "ABORT ACCEPTED by the terminal ({})",
            result.result
        ));
    }
    fn on_error(&self, error: &SdkError) {
        // The terminal answering an abort with Failure is a refusal (too late: the payment goes on),
        // not a fault: say so, as a POS would to the cashier.
        match (&error.mapi_error, &error.result) {
            (None, Some(OverallResult::Failure)) => self.end(&format!(
                "ABORT REFUSED by the terminal (too late; the payment goes on) (RequestID {})",
                error
                    .request_id
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )),
            _ => self.end(&format!("ERROR: {error}")),
        }
    }
}

struct Demo {
    simulator: SimulatorHandle,
    terminal: Terminal,
    payments: PaymentService,
    tokens: TokenService,
    done_tx: mpsc::Sender<()>,
    done_rx: mpsc::Receiver<()>,
}

impl Demo {
    fn wait_flows(&self, count: usize) {
        for _ in 0..count {
            self.done_rx.recv_timeout(WAIT).expect("every flow ends");
        }
    }

    fn wait_step(&self, step: RunStep) {
        // Match only a step reached after the last run started (the event log keeps old ones).
        let seen = self.simulator.event_log().len();
        let mut index = 0;
        self.simulator
            .wait_for(
                |e| {
                    index += 1;
                    index > seen
                        && matches!(e, SimEvent::StageReached { step: s, .. } if *s == step)
                },
                WAIT,
            )
            .expect("the simulator reaches the step");
    }

    fn pay(&self, label: &'static str) -> Arc<Printer> {
        let printer = Printer::new(label, &self.done_tx);
        self.payments.payment(
            &self.terminal,
            Payment::sale("12.50".parse().expect("amount"), "EUR"),
            printer.clone(),
        );
        printer
    }
}

fn main() {
    let mut config = SimulatorConfig::new(Dialect::OpiNl, SocketMode::DualSocket);
    config.script = Script::success();
    let simulator = Simulator::spawn(config).expect("the simulator starts");
    let engine = Engine::new().expect("the engine starts");
    let terminal = Terminal::new("127.0.0.1", Dialect::OpiNl)
        .with_port(simulator.address().port())
        .with_compatibility_port(0)
        .with_listen_ip([127, 0, 0, 1].into());
    let listen = engine
        .listen_address(&terminal, WAIT)
        .expect("listener")
        .expect("dual socket listens");
    simulator.set_pos_address(listen);
    println!(
        "Simulated CCV terminal (OPI-NL, dual socket) on {}; POS device channel on {listen}\n",
        simulator.address()
    );
    let (done_tx, done_rx) = mpsc::channel();
    let demo = Demo {
        simulator,
        terminal,
        payments: PaymentService::with_engine(&engine),
        tokens: TokenService::with_engine(&engine),
        done_tx,
        done_rx,
    };

    println!("1. A payment of EUR 12.50");
    demo.pay("payment");
    demo.wait_flows(1);

    println!(
        "\n2. A payment aborted on the same connection (F1A: abort while the card is awaited)"
    );
    demo.simulator.set_script(Script::abort_window());
    demo.pay("payment");
    demo.wait_step(RunStep::AwaitingCard);
    demo.payments
        .abort(&demo.terminal, Printer::new("abort", &demo.done_tx));
    demo.wait_flows(2);

    println!("\n3. A payment aborted on a new connection (OPI-NL)");
    demo.pay("payment");
    demo.wait_step(RunStep::AwaitingCard);
    demo.payments
        .abort_on_new_connection(&demo.terminal, Printer::new("abort", &demo.done_tx));
    demo.wait_flows(2);

    println!("\n4. An abort that comes too late (F1B: the card is already authorised)");
    demo.simulator.set_script(Script::too_late());
    demo.pay("payment");
    demo.wait_step(RunStep::AwaitingCompletion);
    demo.payments
        .abort(&demo.terminal, Printer::new("abort", &demo.done_tx));
    demo.wait_flows(1);
    demo.simulator.release(Stage::Completion);
    demo.wait_flows(1);

    for (number, silent) in [(5, false), (6, true)] {
        let kind = if silent { "silent" } else { "normal" };
        println!("\n{number}. Unattended (IM30) token abort, {kind}: the terminal shows \"Aborted\" only for a normal abort");
        demo.simulator.set_script(Script::abort_window());
        demo.pay("payment");
        demo.wait_step(RunStep::AwaitingCard);
        demo.tokens
            .abort(silent, &demo.terminal, Printer::new("token", &demo.done_tx));
        demo.wait_flows(2);
    }
    println!("\nDone: six flows, each ended with exactly one result callback.");
    demo.simulator.shutdown();
}
