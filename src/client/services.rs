//! The services apps call, named after CCV's Java classes: thin facades that turn each call into
//! an [`Operation`] for the [`Engine`].

use std::sync::Arc;
use std::time::Duration;

use super::delegate::{Delegate, PendingPayment};
use super::engine::Engine;
use super::operation::{Administration, CardInquiry, Operation, Payment, PaymentKind};
use super::terminal::Terminal;
use crate::message::abort::AbortDisplay;
use crate::message::abort::AbortVia;
use crate::message::Amount;

/// Payments and their aborts (`eu.ccvlab.mapi.api.PaymentService`).
#[derive(Clone)]
pub struct PaymentService {
    engine: Engine,
}

impl PaymentService {
    /// Uses the global engine.
    pub fn new() -> Self {
        PaymentService {
            engine: Engine::global().clone(),
        }
    }

    /// Uses `engine`.
    pub fn with_engine(engine: &Engine) -> Self {
        PaymentService {
            engine: engine.clone(),
        }
    }

    /// Starts a payment. Callbacks: display/receipt lines while it runs, then exactly one of
    /// `on_payment_success`, `on_payment_error` (terminal settled it otherwise) or `on_error`.
    pub fn payment(&self, terminal: &Terminal, payment: Payment, delegate: Arc<dyn Delegate>) {
        self.engine
            .run(terminal, Operation::Payment(payment), delegate);
    }

    /// Asks the terminal to abort the running request on its own connection. Exactly one of
    /// `on_payment_administration_success` (abort accepted) or `on_error` (refused, too late,
    /// `NotAFlowHappening`, `SecondaryFlowAlreadyHappening`, timeout).
    ///
    /// Any thread; never blocks. Once the running request has left, the AbortRequest is written
    /// from the calling thread (one non-blocking send), so it reaches the terminal even while the
    /// engine thread is busy, for instance in a slow callback of this delegate. The outcome
    /// arrives on the engine thread.
    pub fn abort(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        let operation = Operation::Abort {
            via: AbortVia::SameConnection,
            display: AbortDisplay::Normal,
        };
        self.engine.run(terminal, operation, delegate);
    }

    /// Waits for a card and reports it (CCV "card detection"): `on_payment_success` with the
    /// card's brand, masked number and, with `Terminal::request_token`, its token; no money moves.
    pub fn card_detection(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        let operation = Operation::CardInquiry(CardInquiry::Detection);
        self.engine.run(terminal, operation, delegate);
    }

    /// Checks a card without paying (CCV "card validation"): `on_payment_success`, or
    /// `on_payment_error` when the terminal refuses the card.
    pub fn card_validation(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        let operation = Operation::CardInquiry(CardInquiry::Validation);
        self.engine.run(terminal, operation, delegate);
    }

    /// As [`PaymentService::abort`], but on a new connection (OPI-NL).
    pub fn abort_on_new_connection(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        let operation = Operation::Abort {
            via: AbortVia::NewConnection,
            display: AbortDisplay::Normal,
        };
        self.engine.run(terminal, operation, delegate);
    }
}

impl Default for PaymentService {
    fn default() -> Self {
        PaymentService::new()
    }
}

/// Unattended (PAX IM30) aborts (`TokenService`).
#[derive(Clone)]
pub struct TokenService {
    engine: Engine,
}

fn display(is_silent: bool) -> AbortDisplay {
    if is_silent {
        AbortDisplay::Silent
    } else {
        AbortDisplay::Normal
    }
}

impl TokenService {
    /// Uses the global engine.
    pub fn new() -> Self {
        TokenService {
            engine: Engine::global().clone(),
        }
    }

    /// Uses `engine`.
    pub fn with_engine(engine: &Engine) -> Self {
        TokenService {
            engine: engine.clone(),
        }
    }

    /// Aborts on the running request's connection; a normal abort makes the terminal show
    /// "Aborted", a silent one shows nothing. Outcome and threads as [`PaymentService::abort`]
    /// (written from the calling thread once the request has left).
    pub fn abort(&self, is_silent: bool, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        let operation = Operation::Abort {
            via: AbortVia::SameConnection,
            display: display(is_silent),
        };
        self.engine.run(terminal, operation, delegate);
    }

    /// As [`TokenService::abort`], on a new connection.
    pub fn abort_on_new_connection(
        &self,
        is_silent: bool,
        terminal: &Terminal,
        delegate: Arc<dyn Delegate>,
    ) {
        let operation = Operation::Abort {
            via: AbortVia::NewConnection,
            display: display(is_silent),
        };
        self.engine.run(terminal, operation, delegate);
    }

    /// Unattended pre-authorisation (IM30, EV charging): reserves `amount` and asks for the card's
    /// token whatever `terminal.request_token` says. `on_payment_success` carries the token and the
    /// STAN the settlement names; `on_error` with `AuthAndCapFlowNotSupported` when the terminal has
    /// no such flow. Aborts (normal or silent) work on it as on any payment.
    pub fn token_pre_authorisation(
        &self,
        terminal: &Terminal,
        amount: Amount,
        currency: &str,
        delegate: Arc<dyn Delegate>,
    ) {
        let mut terminal = terminal.clone();
        terminal.request_token = true;
        let payment = Payment {
            kind: PaymentKind::Reservation,
            ..Payment::sale(amount, currency)
        };
        self.engine
            .run(&terminal, Operation::Payment(payment), delegate);
    }

    /// Settles an unattended session: CardFinancialAdvice of the amount taken, naming the
    /// pre-authorisation by its STAN; EUR 0.00 when nothing was taken (E13).
    pub fn settlement(
        &self,
        terminal: &Terminal,
        amount: Amount,
        currency: &str,
        pre_authorisation_stan: &str,
        delegate: Arc<dyn Delegate>,
    ) {
        let payment = Payment {
            kind: PaymentKind::Capture {
                stan: Some(pre_authorisation_stan.to_owned()),
            },
            ..Payment::sale(amount, currency)
        };
        self.engine
            .run(terminal, Operation::Payment(payment), delegate);
    }
}

impl Default for TokenService {
    fn default() -> Self {
        TokenService::new()
    }
}

/// Terminal administration and recovery (`TerminalService`).
#[derive(Clone)]
pub struct TerminalService {
    engine: Engine,
}

impl TerminalService {
    /// Uses the global engine.
    pub fn new() -> Self {
        TerminalService {
            engine: Engine::global().clone(),
        }
    }

    /// Uses `engine`.
    pub fn with_engine(engine: &Engine) -> Self {
        TerminalService {
            engine: engine.clone(),
        }
    }

    /// Terminal status (Diagnosis): `on_payment_administration_success` or `on_error`.
    pub fn status(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.engine.run(
            terminal,
            Operation::Administration(Administration::Status),
            delegate,
        );
    }

    /// Login/startup: `on_payment_administration_success` or `on_error`.
    pub fn login(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.engine.run(
            terminal,
            Operation::Administration(Administration::Login),
            delegate,
        );
    }

    /// Period closing: `on_payment_administration_success` or `on_error`.
    pub fn period_closing(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.engine.run(
            terminal,
            Operation::Administration(Administration::PeriodClosing),
            delegate,
        );
    }

    /// Prints the last customer receipt again (`retrieveLastTicket`): the receipt arrives through
    /// `print_customer_receipt_and_signature`, then `on_payment_administration_success`, or `on_error`
    /// when the terminal has none.
    pub fn retrieve_last_ticket(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.engine.run(
            terminal,
            Operation::Administration(Administration::TicketReprint),
            delegate,
        );
    }

    /// Asks the terminal (RepeatLastMessage) about the requests of this terminal whose outcome is
    /// not settled. Exactly one outcome: `on_payment_success`/`on_payment_error` with
    /// `recovered = true` when the terminal's answer is about one of them (that entry is then
    /// removed); `on_recovery_pending` when the answer settles nothing (Busy, no OriginalHeader,
    /// another request, PrintLastTicket — CCV's reprint path runs first); `on_error` when the
    /// connection fails. With nothing unsettled it reports the terminal's last answer.
    pub fn recover_payment(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.engine
            .run(terminal, Operation::RecoverPayment, delegate);
    }

    /// Same wire request as [`TerminalService::recover_payment`] (CCV's name for it).
    pub fn repeat_last_message(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.recover_payment(terminal, delegate);
    }

    /// See [`Engine::pending_payments`].
    pub fn pending_payments(&self, terminal: &Terminal) -> Result<Vec<PendingPayment>, String> {
        self.engine.pending_payments(terminal)
    }

    /// See [`Engine::resolve_pending`] (waits up to 10 s for the engine).
    pub fn resolve_pending(
        &self,
        terminal: &Terminal,
        key: &str,
        reason: &str,
    ) -> Result<Option<PendingPayment>, String> {
        self.engine
            .resolve_pending(terminal, key, reason, Duration::from_secs(10))
    }

    /// Any administrative request: its data callbacks (`config_data`, `card_uid`, receipts), then
    /// exactly one of `on_payment_administration_success` or `on_error`. The named methods below
    /// are shorthands with CCV's names.
    pub fn administration(
        &self,
        terminal: &Terminal,
        what: Administration,
        delegate: Arc<dyn Delegate>,
    ) {
        self.engine
            .run(terminal, Operation::Administration(what), delegate);
    }

    /// Partial period closing (totals, the period stays open).
    pub fn partial_period_closing(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.administration(terminal, Administration::PartialPeriodClosing, delegate);
    }

    /// Transaction overview: the report arrives as a merchant receipt, the totals in the result.
    pub fn transaction_overview(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.administration(terminal, Administration::TransactionOverview, delegate);
    }

    /// Prints the last period-closing ticket again (merchant receipt); `on_error` when none.
    pub fn ticket_reprint_period_closing(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.administration(
            terminal,
            Administration::TicketReprintPeriodClosing,
            delegate,
        );
    }

    /// Activates the terminal.
    pub fn activate_terminal(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.administration(terminal, Administration::ActivateTerminal, delegate);
    }

    /// The terminal's configuration through `config_data`, then success.
    pub fn get_config(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.administration(terminal, Administration::GetConfig, delegate);
    }

    /// The card brands the terminal accepts, in the result's response.
    pub fn card_circuits(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.administration(terminal, Administration::CardCircuits, delegate);
    }

    /// Reads a Mifare card's UID, delivered through `card_uid`, then success; `on_error` when no
    /// card or an unknown card was presented.
    pub fn read_mifare_uid(&self, terminal: &Terminal, delegate: Arc<dyn Delegate>) {
        self.administration(terminal, Administration::ReadMifareUid, delegate);
    }
}

impl Default for TerminalService {
    fn default() -> Self {
        TerminalService::new()
    }
}
