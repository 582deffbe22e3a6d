//! The field conformance kit: runs the non-financial operations and the abort family against a real
//! terminal, records what it answered to each spelling of every request on which public sources
//! disagree, and suggests the [`WireProfile`] the terminal takes. `pay conformance` prints its table
//! and writes the suggestion as a file the SDK loads (`WireProfile::with_overrides`, Java
//! `WireProfile.read`).
//!
//! Nothing here moves money on purpose: the aborts are tried on a payment of the smallest amount
//! that nobody presents a card to. If no abort spelling stops it, the kit says so and waits for the
//! terminal to end the payment itself (an operator can cancel it on the terminal).

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

use super::delegate::{AdministrationResult, Delegate, PaymentResult, SdkError};
use super::engine::Engine;
use super::operation::{Administration, Operation, Payment};
use super::services::PaymentService;
use super::terminal::Terminal;
use crate::message::abort::AbortDisplay;
use crate::message::abort::AbortVia;
use crate::message::profile::{AbortRequestId, CardCircuitsRequest, FieldForm, StatusRequest};
use crate::message::{Amount, OverallResult, TextLine, WireProfile};

/// What to probe, and how.
#[derive(Debug, Clone)]
pub struct KitConfig {
    /// The terminal; its `wire_profile` is the starting point (tried first).
    pub terminal: Terminal,
    /// The payment the aborts are tried on (nobody presents a card).
    pub amount: Amount,
    /// Its currency.
    pub currency: String,
    /// How long after the payment starts the first abort goes out, at most (it goes earlier when
    /// the terminal shows its first text).
    pub abort_after: Duration,
    /// Whether to run the abort family at all (it starts payments).
    pub aborts: bool,
}

/// One request the kit sent, and what the terminal made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The SDK operation, e.g. `status`, `abort`.
    pub operation: String,
    /// The spelling tried, e.g. `status-request = Diagnosis`; `-` when nothing is disputed.
    pub variant: String,
    /// What came back: an OverallResult (`Success`, `NotSupported`, `FormatError`…), `timeout`, or
    /// the SDK's error.
    pub answer: String,
    /// Whether this spelling was taken.
    pub taken: bool,
}

/// Everything the kit found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every probe, in the order sent.
    pub probes: Vec<Probe>,
    /// The profile the answers support: for each disputed choice, the first spelling the terminal
    /// took (the starting profile's choice where it took none or several).
    pub suggested: WireProfile,
}

impl Report {
    /// The table `pay conformance` prints: operation, spelling, answer, verdict.
    pub fn table(&self) -> String {
        let mut rows = vec![(
            "operation".to_owned(),
            "spelling".to_owned(),
            "answer".to_owned(),
            "supports".to_owned(),
        )];
        for probe in &self.probes {
            let verdict = match (probe.taken, probe.variant.as_str()) {
                (_, "-") => "-".to_owned(),
                (true, variant) => variant.to_owned(),
                (false, _) => "not taken".to_owned(),
            };
            rows.push((
                probe.operation.clone(),
                probe.variant.clone(),
                probe.answer.clone(),
                verdict,
            ));
        }
        let width = |pick: fn(&(String, String, String, String)) -> &String| {
            rows.iter()
                .map(|r| pick(r).chars().count())
                .max()
                .unwrap_or(0)
        };
        let (a, b, c) = (width(|r| &r.0), width(|r| &r.1), width(|r| &r.2));
        rows.iter()
            .map(|(op, variant, answer, verdict)| {
                format!("{op:a$}  {variant:b$}  {answer:c$}  {verdict}\n")
            })
            .collect()
    }

    /// The suggested profile as a file: a comment naming its origin, then every choice.
    pub fn profile_file(&self, terminal: &Terminal) -> String {
        format!(
            "# wire profile suggested by the conformance kit for {}:{} ({})\n# load it with WireProfile::with_overrides (Rust), WireProfile.read (Java) or pay --wire-profile\n{}",
            terminal.ip_address,
            terminal.port,
            terminal.dialect.name(),
            self.suggested
        )
    }
}

/// Waits for one flow's final callback; notes whether the terminal showed anything.
struct Outcome {
    finals: Sender<String>,
    shown: Sender<()>,
}

impl Outcome {
    fn new() -> (Arc<Outcome>, Receiver<String>, Receiver<()>) {
        let (finals, finals_rx) = mpsc::channel();
        let (shown, shown_rx) = mpsc::channel();
        (Arc::new(Outcome { finals, shown }), finals_rx, shown_rx)
    }
}

impl Delegate for Outcome {
    fn show_terminal_output_lines(&self, _lines: &[TextLine]) {
        let _ = self.shown.send(());
    }
    fn on_payment_success(&self, result: &PaymentResult) {
        let _ = self.finals.send(result.result.to_string());
    }
    fn on_payment_error(&self, result: &PaymentResult) {
        let _ = self.finals.send(result.result.to_string());
    }
    fn on_payment_administration_success(&self, result: &AdministrationResult) {
        let _ = self.finals.send(result.result.to_string());
    }
    fn on_error(&self, error: &SdkError) {
        let answer = match (&error.result, &error.mapi_error) {
            (Some(result), _) => result.to_string(),
            (None, Some(error)) => format!("{error:?}"),
            (None, None) => error.detail.clone(),
        };
        let _ = self.finals.send(answer);
    }
}

fn wait(finals: &Receiver<String>, terminal: &Terminal) -> String {
    let limit = terminal.timeouts.request + terminal.timeouts.connect + Duration::from_secs(5);
    finals
        .recv_timeout(limit)
        .unwrap_or_else(|_| "timeout".to_owned())
}

fn administration(engine: &Engine, terminal: &Terminal, what: Administration) -> String {
    let (delegate, finals, _) = Outcome::new();
    engine.run(terminal, Operation::Administration(what), delegate);
    wait(&finals, terminal)
}

fn success(answer: &str) -> bool {
    answer == OverallResult::Success.as_str()
}

/// Runs the kit. Blocks until every probe has its answer (each bounded by the terminal's
/// timeouts). Call it from a thread of its own, not from a delegate callback.
pub fn run(engine: &Engine, config: &KitConfig) -> Report {
    let base = config.terminal.wire_profile;
    let mut probes = Vec::new();
    let mut suggested = base;
    // A shift number makes the ShiftNumber spelling visible in every probe's POSdata.
    let terminal = |profile: WireProfile| {
        let mut t = config.terminal.clone().with_wire_profile(profile);
        t.shift_number = Some(t.shift_number.unwrap_or(1));
        t
    };

    // POSdata: the four attribute/element combinations, on a Login every terminal knows; the
    // starting profile's combination first.
    let mut candidates = Vec::new();
    for language_code in current_first(base.language_code, FieldForm::ALL) {
        for shift_number in current_first(base.shift_number, FieldForm::ALL) {
            let label = format!(
                "language-code = {}, shift-number = {}",
                language_code.name(),
                shift_number.name()
            );
            let profile = WireProfile {
                language_code,
                shift_number,
                ..suggested
            };
            candidates.push((label, profile));
        }
    }
    let mut probe = |name: &str, what, candidates: Vec<(String, WireProfile)>| {
        first_taken(engine, &terminal, name, what, candidates, &mut probes)
    };
    if let Some(taken) = probe("login", Administration::Login, candidates) {
        suggested = taken;
    }

    // Status and card circuits: both spellings, the starting profile's first.
    let candidates = current_first(base.status_request, StatusRequest::ALL)
        .into_iter()
        .map(|status_request| {
            let profile = WireProfile {
                status_request,
                ..suggested
            };
            (
                format!("status-request = {}", profile.status_type()),
                profile,
            )
        })
        .collect();
    if let Some(taken) = probe("status", Administration::Status, candidates) {
        suggested = taken;
    }
    let candidates = current_first(base.card_circuits_request, CardCircuitsRequest::ALL)
        .into_iter()
        .map(|card_circuits_request| {
            let profile = WireProfile {
                card_circuits_request,
                ..suggested
            };
            let label = format!("card-circuits-request = {}", profile.card_circuits_type());
            (label, profile)
        })
        .collect();
    if let Some(taken) = probe("card circuits", Administration::CardCircuits, candidates) {
        suggested = taken;
    }

    // The rest of the non-financial menu: recorded, nothing disputed.
    for (name, what) in [
        ("config", Administration::GetConfig),
        ("last ticket", Administration::TicketReprint),
        ("transaction overview", Administration::TransactionOverview),
    ] {
        let answer = administration(engine, &terminal(suggested), what);
        probes.push(Probe {
            operation: name.to_owned(),
            variant: "-".to_owned(),
            answer,
            taken: false,
        });
    }

    if config.aborts {
        suggested.abort_request_id =
            abort_family(engine, config, &terminal, suggested, &mut probes);
    }
    Report { probes, suggested }
}

/// One payment nobody pays; the abort spellings are tried on it in turn (a refused abort leaves it
/// running) until one stops it. Then a payment per remaining abort form (new connection, silent)
/// with the spelling found. Returns the spelling to suggest.
fn abort_family(
    engine: &Engine,
    config: &KitConfig,
    terminal: &dyn Fn(WireProfile) -> Terminal,
    profile: WireProfile,
    probes: &mut Vec<Probe>,
) -> AbortRequestId {
    let order = current_first(profile.abort_request_id, AbortRequestId::ALL);
    let payment = || Payment::sale(config.amount, &config.currency);
    let start = |profile: WireProfile| {
        let (delegate, finals, shown) = Outcome::new();
        PaymentService::with_engine(engine).payment(&terminal(profile), payment(), delegate);
        // Until the terminal shows something (it waits for the card), or at most `abort_after`.
        let _ = shown.recv_timeout(config.abort_after);
        finals
    };
    let abort = |profile: WireProfile, via: AbortVia, display: AbortDisplay| {
        let (delegate, finals, _) = Outcome::new();
        let operation = Operation::Abort { via, display };
        engine.run(&terminal(profile), operation, delegate);
        wait(&finals, &terminal(profile))
    };

    let mut found = None;
    let payment_finals = start(profile);
    for form in order {
        let tried = WireProfile {
            abort_request_id: form,
            ..profile
        };
        let answer = abort(tried, AbortVia::SameConnection, AbortDisplay::Normal);
        let taken = success(&answer);
        probes.push(Probe {
            operation: "abort".to_owned(),
            variant: format!("abort-request-id = {}", form.name()),
            answer,
            taken,
        });
        if taken {
            found = Some(form);
            break;
        }
    }
    let payment_answer = wait(&payment_finals, &terminal(profile));
    probes.push(Probe {
        operation: "payment (aborted)".to_owned(),
        variant: "-".to_owned(),
        answer: payment_answer,
        taken: false,
    });
    let Some(found) = found else {
        log::warn!("no abort spelling stopped the payment: the terminal ended it itself");
        return profile.abort_request_id;
    };
    let with_found = WireProfile {
        abort_request_id: found,
        ..profile
    };
    for (name, via, display) in [
        (
            "abortOnNewConnection",
            AbortVia::NewConnection,
            AbortDisplay::Normal,
        ),
        (
            "TokenService.abort(silent)",
            AbortVia::SameConnection,
            AbortDisplay::Silent,
        ),
    ] {
        let finals = start(with_found);
        let answer = abort(with_found, via, display);
        let payment_answer = wait(&finals, &terminal(with_found));
        probes.push(Probe {
            operation: name.to_owned(),
            variant: "-".to_owned(),
            answer: format!("{answer} (payment {payment_answer})"),
            taken: false,
        });
    }
    found
}

/// Sends `what` once with each candidate profile, records every answer, and returns the first
/// profile the terminal took (all are tried, so the table shows every spelling's answer).
fn first_taken(
    engine: &Engine,
    terminal: &dyn Fn(WireProfile) -> Terminal,
    name: &str,
    what: Administration,
    candidates: Vec<(String, WireProfile)>,
    probes: &mut Vec<Probe>,
) -> Option<WireProfile> {
    let mut first = None;
    for (variant, profile) in candidates {
        let answer = administration(engine, &terminal(profile), what);
        let taken = success(&answer);
        probes.push(Probe {
            operation: name.to_owned(),
            variant,
            answer,
            taken,
        });
        if taken && first.is_none() {
            first = Some(profile);
        }
    }
    first
}

/// `current`, then every other value of `all`: the starting profile's spelling is tried first.
fn current_first<T: Copy + PartialEq>(current: T, all: &[T]) -> Vec<T> {
    std::iter::once(current)
        .chain(all.iter().copied().filter(|value| *value != current))
        .collect()
}
