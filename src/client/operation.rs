//! What an app can ask of a terminal, and how each ask becomes an OPI request.

use crate::message::abort::AbortDisplay;
use crate::message::abort::AbortVia;
use crate::message::profile::PaymentReferences;
use crate::message::{
    Acquirer, Amount, CardRequestType, CardServiceRequest, OriginalTransaction, PosData,
    PrivateData, RequestId, ServiceRequest, ServiceRequestType, TotalAmount,
};
use crate::session::Request;

use super::terminal::Terminal;

/// Kind of money movement (Java `Payment.Type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentKind {
    /// A sale.
    Sale,
    /// Money back to the card.
    Refund,
    /// Void of the last transaction, or of the one with this STAN.
    Reversal {
        /// STAN of the transaction to void; `None` voids the last one.
        stan: Option<String>,
    },
    /// Reserve an amount (pre-authorisation).
    Reservation,
    /// Take (part of) a reserved amount: CardFinancialAdvice naming the reservation by STAN.
    /// EUR 0.00 settles an unattended session with nothing taken (E13).
    Capture {
        /// STAN of the reservation.
        stan: Option<String>,
    },
}

/// A payment to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// What kind.
    pub kind: PaymentKind,
    /// How much, exactly.
    pub amount: Amount,
    /// ISO 4217 code.
    pub currency: String,
    /// The POS's own transaction number (printed on receipts).
    pub transaction_number: Option<String>,
    /// The RequestID the app chose for this payment (CCV's `Payment.Builder.requestId`): digits,
    /// within the dialect's limit (9 for OPI-NL). `None`: the engine's counter picks one. The
    /// engine refuses an id that names an unsettled payment and moves its own counter past it.
    pub request_id: Option<RequestId>,
    /// The POS's own time of the request (CCV's `Payment.Builder.posTimestamp`), sent as
    /// POSTimeStamp instead of the engine's clock. Public clients send both `2025-03-14T15:09:26`
    /// and ISO-8601 with milliseconds and zone; validated as such before sending.
    pub pos_timestamp: Option<String>,
    /// The receipt number (or other POS reference) of the transaction a refund refers to
    /// (`Payment.Builder.referenceNumber`). Sent only with the `payment-references = ifsf` profile.
    pub reference_number: Option<String>,
    /// The merchant's own reference (`Payment.Builder.merchantReference`, at most 100 characters).
    /// Sent only with the `payment-references = ifsf` profile.
    pub merchant_reference: Option<String>,
}

impl Payment {
    /// A sale of `amount` in `currency`.
    pub fn sale(amount: Amount, currency: &str) -> Self {
        Payment {
            kind: PaymentKind::Sale,
            amount,
            currency: currency.to_owned(),
            transaction_number: None,
            request_id: None,
            pos_timestamp: None,
            reference_number: None,
            merchant_reference: None,
        }
    }
}

/// Administrative requests answered with `on_payment_administration_success`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Administration {
    /// Terminal status (GetStatus or Diagnosis, as the wire profile says).
    Status,
    /// Login / startup.
    Login,
    /// Period closing (ReconciliationWithClosure).
    PeriodClosing,
    /// Partial period closing (Reconciliation).
    PartialPeriodClosing,
    /// Print the last customer receipt again (TicketReprint; L1A/L1B).
    TicketReprint,
    /// Totals since the last closing, printed, without closing.
    TransactionOverview,
    /// Print the last period-closing ticket again.
    TicketReprintPeriodClosing,
    /// Activate the terminal.
    ActivateTerminal,
    /// The terminal's configuration, delivered through `Delegate::config_data`.
    GetConfig,
    /// The card brands the terminal accepts, in the result's response.
    CardCircuits,
    /// Read the UID of a Mifare card, delivered through `Delegate::card_uid`.
    ReadMifareUid,
}

/// A card read that moves no money, answered like a payment (`on_payment_success` with the card's
/// brand, masked number and, when asked, its token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardInquiry {
    /// Wait for a card and tell which it is (CCV "card detection").
    Detection,
    /// Check that a card can be used, without paying (CCV "card validation").
    Validation,
}

/// One thing to do on a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Run a payment.
    Payment(Payment),
    /// Abort the running request.
    Abort {
        /// Same or new connection.
        via: AbortVia,
        /// Normal or silent.
        display: AbortDisplay,
    },
    /// An administrative request.
    Administration(Administration),
    /// Ask the terminal for its last answer (RepeatLastMessage) to settle an interrupted payment.
    RecoverPayment,
    /// Read a card without paying.
    CardInquiry(CardInquiry),
    /// Test seam (feature `test-hooks`, never in a shipped build): makes the terminal's task panic, to prove that a bug in the engine ends
    /// every pending flow with `on_error` and never takes the app down.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    InjectPanic,
}

use crate::transport::pos_timestamp;

/// The token request, when the app asked for tokens (encoding unverified: one place).
fn token_request(terminal: &Terminal) -> Option<PrivateData> {
    terminal.request_token.then(|| PrivateData {
        request_token: Some(true),
        ..PrivateData::default()
    })
}

/// POSdata as the terminal's wire profile spells it (see `message::profile` for the evidence).
fn pos_data(terminal: &Terminal) -> PosData {
    let profile = &terminal.wire_profile;
    let mut data = PosData {
        pos_timestamp: Some(pos_timestamp()),
        ..PosData::default()
    };
    data.set_language(profile.language_code, &terminal.language_code);
    if let Some(shift) = terminal.shift_number {
        data.set_shift(profile.shift_number, &shift.to_string());
    }
    data.report_devices(profile);
    data
}

/// The card service request for a payment.
pub(crate) fn payment_request(terminal: &Terminal, payment: &Payment, id: RequestId) -> Request {
    let request_type = match payment.kind {
        PaymentKind::Sale => CardRequestType::CardPayment,
        PaymentKind::Refund => CardRequestType::PaymentRefund,
        PaymentKind::Reversal { .. } => CardRequestType::PaymentReversal,
        PaymentKind::Reservation => CardRequestType::CardPreAuthorisation,
        PaymentKind::Capture { .. } => CardRequestType::CardFinancialAdvice,
    };
    let mut request = CardServiceRequest::new(request_type, &terminal.workstation_id, id);
    request.application_sender = Some(terminal.application_sender.clone());
    let mut data = pos_data(terminal);
    data.transaction_number = payment.transaction_number.clone();
    if let Some(timestamp) = &payment.pos_timestamp {
        data.pos_timestamp = Some(timestamp.clone());
    }
    request.pos_data = Some(data);
    if terminal.wire_profile.payment_references == PaymentReferences::Ifsf {
        request.reference_number = payment.reference_number.clone();
        request.acquirer = payment
            .merchant_reference
            .as_ref()
            .map(|reference| Acquirer {
                merchant_reference: Some(reference.clone()),
            });
    }
    // A void names its transaction, not an amount: the public OPI-DE trace of a reversal carries
    // POSdata and OriginalTransaction only. One given an amount sends it; zero means none (CCV's
    // `Payment` allows a VOID without an amount).
    let void_without_amount =
        matches!(payment.kind, PaymentKind::Reversal { .. }) && payment.amount.value().is_zero();
    if !void_without_amount {
        request.total_amount = Some(TotalAmount::new(payment.amount, &payment.currency));
    }
    request.private_data = token_request(terminal);
    if let PaymentKind::Reversal { stan: Some(stan) } | PaymentKind::Capture { stan: Some(stan) } =
        &payment.kind
    {
        request.original_transaction = Some(OriginalTransaction {
            stan: Some(stan.clone()),
            ..OriginalTransaction::default()
        });
    }
    Request::Card(request)
}

/// The service request of an administrative operation.
pub(crate) fn administration_request(
    terminal: &Terminal,
    what: Administration,
    id: RequestId,
) -> Request {
    let service_type = match what {
        Administration::Status => terminal.wire_profile.status_type(),
        Administration::Login => ServiceRequestType::Login,
        Administration::PeriodClosing => ServiceRequestType::ReconciliationWithClosure,
        Administration::PartialPeriodClosing => ServiceRequestType::Reconciliation,
        Administration::TransactionOverview => ServiceRequestType::TransactionOverview,
        Administration::TicketReprintPeriodClosing => ServiceRequestType::TicketReprint,
        Administration::ActivateTerminal => ServiceRequestType::Activate,
        Administration::GetConfig => ServiceRequestType::GetConfig,
        Administration::CardCircuits => terminal.wire_profile.card_circuits_type(),
        Administration::ReadMifareUid => ServiceRequestType::CardRead,
        // The ticket belongs to a card transaction: it is asked with a card service request.
        Administration::TicketReprint => {
            let mut request = CardServiceRequest::new(
                CardRequestType::TicketReprint,
                &terminal.workstation_id,
                id,
            );
            request.application_sender = Some(terminal.application_sender.clone());
            request.pos_data = Some(pos_data(terminal));
            return Request::Card(request);
        }
    };
    let mut request = ServiceRequest::new(service_type, &terminal.workstation_id, id);
    request.application_sender = Some(terminal.application_sender.clone());
    request.pos_data = Some(pos_data(terminal));
    Request::Service(request)
}

/// The card service request of a card read; no amount: nothing is charged.
pub(crate) fn card_inquiry_request(
    terminal: &Terminal,
    what: CardInquiry,
    id: RequestId,
) -> Request {
    let request_type = match what {
        CardInquiry::Detection => CardRequestType::CardDetection,
        CardInquiry::Validation => CardRequestType::CardValidation,
    };
    let mut request = CardServiceRequest::new(request_type, &terminal.workstation_id, id);
    request.application_sender = Some(terminal.application_sender.clone());
    request.pos_data = Some(pos_data(terminal));
    request.private_data = token_request(terminal);
    Request::Card(request)
}

/// RepeatLastMessage, as a card service request (it recovers card transactions).
pub(crate) fn repeat_last_message_request(terminal: &Terminal, id: RequestId) -> Request {
    let mut request = CardServiceRequest::new(
        CardRequestType::RepeatLastMessage,
        &terminal.workstation_id,
        id,
    );
    request.application_sender = Some(terminal.application_sender.clone());
    request.pos_data = Some(pos_data(terminal));
    Request::Card(request)
}
