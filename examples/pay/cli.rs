//! `pay`'s command line: the clap definitions, and their conversion into what to run. Flag names,
//! value forms and defaults are the contract of docs/pay.md, which tests and scripts rely on.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use mapi::client::{Administration, CardInquiry, Operation, PaymentKind, Terminal, Timeouts};
use mapi::message::Amount;
use mapi::{Dialect, SocketMode};

/// Both forms, since `pay conformance` takes its own options.
const USAGE: &str = "pay --host H --port P [OPTIONS]
       pay conformance --host H --port P [TERMINAL OPTIONS] [--profile-out FILE] [--no-aborts]";

const AFTER_HELP: &str = "\
OPERATION (--admin): status, login (or startup), period-closing, partial-period-closing,
  transaction-overview, ticket-reprint, ticket-reprint-period-closing, activate, get-config,
  card-circuits, read-mifare-uid, card-detection, card-validation.

Prints one JSON object per line for every callback, the last {\"event\":\"done\"} (docs/pay.md).
Exit code 0 when the flows completed (whatever their outcome), 2 on bad arguments, 1 on an
internal error.

Without a terminal, pair it with the simulator (its ports: docs/simulator.md):
  cargo build --examples
  target/debug/examples/terminal_simulator --port 4100 --pos-port 4102 --ignore-stdin &
  target/debug/examples/pay --host 127.0.0.1 --port 4100 --compat-port 4102 --amount 12.50";

/// Run a payment (and aborts, a recovery or an administrative operation) against any OPI
/// terminal, real or simulated, printing one JSON line per callback.
#[derive(Parser, Debug)]
#[command(
    name = "pay",
    version,
    override_usage = USAGE,
    after_help = AFTER_HELP,
    // `pay --host h conformance` was never a form: refuse it rather than guess.
    args_conflicts_with_subcommands = true,
    // The last of a repeated option wins, as it always has.
    args_override_self = true,
    // A negative number is a bad value of its option, not an unknown option.
    allow_negative_numbers = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Find the request spellings the terminal takes and write its wire profile.
    ///
    /// Probes the terminal's answers to each disputed request spelling (status, login, card
    /// circuits, config, last ticket, overview, and the abort family on a 0.01 payment nobody
    /// pays), prints a table and writes the wire profile it supports; send that file and the
    /// --trace file to support.
    #[command(
        override_usage = "pay conformance --host H --port P [OPTIONS]",
        args_override_self = true,
        allow_negative_numbers = true
    )]
    Conformance(ConformanceOptions),
}

/// How to reach the terminal, in both forms.
#[derive(clap::Args, Debug)]
#[command(next_help_heading = "Terminal")]
pub struct TerminalOptions {
    /// The terminal's host name or address (required).
    #[arg(long, value_name = "H")]
    pub host: Option<String>,
    /// The terminal's port, channel 0 (required; OPI-NL terminals use 4100, OPI-DE 20002).
    #[arg(long, value_name = "P")]
    pub port: Option<u16>,
    /// The port pay listens on for the terminal's device requests, channel 1 [default: the
    /// dialect's, 4102 or 20007].
    #[arg(long, value_name = "Q")]
    pub compat_port: Option<u16>,
    /// The terminal's OPI dialect [default: nl].
    #[arg(long, value_name = "nl|de", value_parser = dialect)]
    pub dialect: Option<Dialect>,
    /// One connection or two [default: dual for nl, single for de].
    #[arg(long, value_name = "dual|single", value_parser = socket_mode)]
    pub socket_mode: Option<SocketMode>,
    /// The WorkstationID of every request.
    #[arg(long, value_name = "ID")]
    pub workstation_id: Option<String>,
    /// Where RequestIDs and unsettled payments survive between runs [default:
    /// $XDG_STATE_HOME/mapi-pay, else ~/.local/state/mapi-pay].
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Multiply every timeout by F (tests use 0.01).
    #[arg(long, value_name = "F", value_parser = timeout_scale)]
    pub timeout_scale: Option<f64>,
    /// Ask the terminal for a card token.
    #[arg(long)]
    pub request_token: bool,
    /// key = value overrides of the dialect's wire profile (docs/conformance.md).
    #[arg(long, value_name = "FILE")]
    pub wire_profile: Option<PathBuf>,
    /// Write the masked wire trace of this run to FILE.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// The currency, an ISO 4217 code.
    #[arg(long, value_name = "CODE", default_value = "EUR")]
    pub currency: String,
}

/// `pay` without a subcommand.
#[derive(clap::Args, Debug)]
pub struct RunOptions {
    #[command(flatten)]
    terminal: TerminalOptions,
    /// The amount, a plain decimal.
    #[arg(
        long,
        value_name = "AMOUNT",
        default_value = "12.50",
        help_heading = "Payment"
    )]
    amount: Amount,
    /// The kind of payment (void is also spelled reversal).
    #[arg(long = "type", value_name = "sale|refund|void|reservation|capture",
        default_value = "sale", value_parser = payment_kind, help_heading = "Payment")]
    kind: Kind,
    /// The STAN of the transaction a void or capture refers to.
    #[arg(long, value_name = "STAN", help_heading = "Payment")]
    original_stan: Option<String>,
    /// Abort the payment N ms after starting it.
    #[arg(long, value_name = "N", help_heading = "Aborts")]
    abort_after_ms: Option<u64>,
    /// Send the abort on a new connection.
    #[arg(long, help_heading = "Aborts")]
    abort_on_new_connection: bool,
    /// Abort through the token service, normally or silently.
    #[arg(long, value_name = "normal|silent", value_parser = silent, help_heading = "Aborts")]
    token_abort: Option<bool>,
    /// Issue K aborts as fast as possible (prints exactly K abort outcomes).
    #[arg(long, value_name = "K", help_heading = "Aborts")]
    hammer_abort: Option<usize>,
    /// Send only an abort (expect NOT_A_FLOW_HAPPENING, nothing on the wire).
    #[arg(long, help_heading = "Aborts")]
    abort_without_payment: bool,
    /// Settle the interrupted payment (RepeatLastMessage).
    #[arg(long, help_heading = "Instead of a payment")]
    recover: bool,
    /// List the unsettled payments.
    #[arg(long, help_heading = "Instead of a payment")]
    pending: bool,
    /// Resolve this pending payment by hand, with --reason.
    #[arg(
        long,
        value_name = "KEY",
        requires = "reason",
        help_heading = "Instead of a payment"
    )]
    resolve: Option<String>,
    /// Why the pending payment is resolved by hand.
    #[arg(
        long,
        value_name = "TEXT",
        requires = "resolve",
        help_heading = "Instead of a payment"
    )]
    reason: Option<String>,
    /// Run one administrative operation or card read (OPERATION below).
    #[arg(long, value_name = "OPERATION", value_parser = admin_operation,
        help_heading = "Instead of a payment")]
    admin: Option<Operation>,
}

/// `pay conformance`.
#[derive(clap::Args, Debug)]
pub struct ConformanceOptions {
    #[command(flatten)]
    pub terminal: TerminalOptions,
    /// Where to write the suggested wire profile.
    #[arg(long, value_name = "FILE", default_value = "wire-profile.txt")]
    pub profile_out: PathBuf,
    /// Leave the abort family out of the probe.
    #[arg(long)]
    pub no_aborts: bool,
}

/// A payment kind before its STAN is known (the STAN is an option of its own).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sale,
    Refund,
    Reversal,
    Reservation,
    Capture,
}

fn payment_kind(name: &str) -> Result<Kind, String> {
    Ok(match name {
        "sale" => Kind::Sale,
        "refund" => Kind::Refund,
        "void" | "reversal" => Kind::Reversal,
        "reservation" => Kind::Reservation,
        "capture" => Kind::Capture,
        _ => return Err("expected sale, refund, void, reservation or capture".to_owned()),
    })
}

fn dialect(name: &str) -> Result<Dialect, String> {
    Dialect::from_name(name).ok_or_else(|| "expected nl or de".to_owned())
}

fn socket_mode(name: &str) -> Result<SocketMode, String> {
    SocketMode::from_name(name).ok_or_else(|| "expected dual or single".to_owned())
}

fn timeout_scale(text: &str) -> Result<f64, String> {
    let factor: f64 = text.parse().map_err(|_| "not a number".to_owned())?;
    if factor.is_finite() && factor > 0.0 {
        Ok(factor)
    } else {
        Err("must be positive".to_owned())
    }
}

/// `--token-abort`: whether the abort is silent.
fn silent(name: &str) -> Result<bool, String> {
    match name {
        "normal" => Ok(false),
        "silent" => Ok(true),
        _ => Err("expected normal or silent".to_owned()),
    }
}

/// What one run of `pay` (without a subcommand) does.
#[derive(Debug)]
pub struct Args {
    pub terminal: Terminal,
    pub amount: Amount,
    pub currency: String,
    pub abort_after_ms: Option<u64>,
    pub abort_on_new_connection: bool,
    pub token_abort: Option<bool>,
    pub hammer_abort: usize,
    pub abort_without_payment: bool,
    pub recover: bool,
    /// What kind of payment.
    pub kind: PaymentKind,
    /// An administrative operation or card read instead of a payment.
    pub admin: Option<Operation>,
    /// Where to write the masked wire trace of this run.
    pub trace: Option<PathBuf>,
    /// List the unsettled payments instead of running anything.
    pub pending: bool,
    /// Resolve this pending payment by hand, with this reason.
    pub resolve: Option<(String, String)>,
}

/// Where `pay` keeps its RequestID counter and unsettled payments when `--state-dir` is not
/// given: a per-user directory, so ids never repeat between runs.
fn default_state_dir() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".local").join("state"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("mapi-pay")
}

/// The terminal the options describe. Host and port are required here, not by clap: clap would
/// demand them of `pay` even when the subcommand is given, and "--port is required" is the
/// wording scripts and tests have always seen.
pub fn terminal(options: &TerminalOptions) -> Result<Terminal, String> {
    let host = options.host.as_deref().ok_or("--host is required")?;
    let port = options.port.ok_or("--port is required")?;
    let dialect = options.dialect.unwrap_or(Dialect::OpiNl);
    let mut terminal = Terminal::new(host, dialect).with_port(port);
    if let Some(port) = options.compat_port {
        terminal = terminal.with_compatibility_port(port);
    }
    if let Some(mode) = options.socket_mode {
        terminal = terminal.with_socket_mode(mode);
    }
    if let Some(id) = &options.workstation_id {
        terminal = terminal.with_workstation_id(id);
    }
    terminal = terminal.with_state_dir(options.state_dir.clone().unwrap_or_else(default_state_dir));
    if let Some(factor) = options.timeout_scale {
        terminal = terminal.with_timeouts(Timeouts::for_dialect(dialect).scaled(factor));
    }
    terminal.request_token = options.request_token;
    if let Some(path) = &options.wire_profile {
        let failed = |e: &dyn std::fmt::Display| format!("--wire-profile {}: {e}", path.display());
        let text = std::fs::read_to_string(path).map_err(|e| failed(&e))?;
        let profile = terminal
            .wire_profile
            .with_overrides(&text)
            .map_err(|e| failed(&e))?;
        terminal = terminal.with_wire_profile(profile);
    }
    Ok(terminal)
}

/// The run the options ask for; an error is a bad argument.
pub fn run_args(options: RunOptions) -> Result<Args, String> {
    let stan = options.original_stan;
    let kind = match options.kind {
        Kind::Sale => PaymentKind::Sale,
        Kind::Refund => PaymentKind::Refund,
        Kind::Reversal => PaymentKind::Reversal { stan },
        Kind::Reservation => PaymentKind::Reservation,
        Kind::Capture => PaymentKind::Capture { stan },
    };
    Ok(Args {
        terminal: terminal(&options.terminal)?,
        amount: options.amount,
        currency: options.terminal.currency,
        abort_after_ms: options.abort_after_ms,
        abort_on_new_connection: options.abort_on_new_connection,
        token_abort: options.token_abort,
        hammer_abort: options.hammer_abort.unwrap_or(0),
        abort_without_payment: options.abort_without_payment,
        recover: options.recover,
        kind,
        admin: options.admin,
        trace: options.terminal.trace,
        pending: options.pending,
        resolve: options.resolve.zip(options.reason),
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
        _ => return Err("not an operation (see OPERATION in --help)".to_owned()),
    };
    Ok(Operation::Administration(what))
}

/// An argument clap accepted but that makes no request (no host, an unreadable profile…):
/// reported and exited with like clap's own errors, exit code 2.
pub fn bad_argument(message: String) -> ! {
    Cli::command()
        .error(ErrorKind::ValueValidation, message)
        .exit()
}
