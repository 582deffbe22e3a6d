//! The callbacks an app implements and the results they carry. Method names follow CCV's Java
//! delegates (`onPaymentSuccess` → `on_payment_success` …); every method has a default so an app
//! overrides only what it uses.

use std::fmt;
use std::sync::Arc;

use crate::error::MapiError;
use crate::message::Response;
use crate::message::{Amount, ConfigItem, OverallResult, RequestId, TextLine};
use crate::session::{InputAnswer, InputTicket};

/// Receipt text as the terminal sent it, line by line (columns are kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReceipt {
    /// The lines.
    pub lines: Vec<TextLine>,
}

impl PaymentReceipt {
    /// The lines' text, as Java's `plainTextLines()`.
    pub fn plain_text_lines(&self) -> Vec<String> {
        self.lines.iter().map(|line| line.text.clone()).collect()
    }
}

/// The outcome of a payment (or of a recovery of one) that the terminal settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentResult {
    /// The terminal's result.
    pub result: OverallResult,
    /// The payment's RequestID.
    pub request_id: RequestId,
    /// Amount asked (or recovered from the journal).
    pub amount: Option<Amount>,
    /// Currency.
    pub currency: Option<String>,
    /// True when this result was obtained by recovery (RepeatLastMessage) after a crash or lost connection.
    pub recovered: bool,
    /// The terminal's full answer; `None` when recovery found that the terminal never settled the request.
    pub response: Option<Response>,
}

/// A request whose outcome the terminal has not told yet: it may have moved money. The SDK keeps
/// it (in the state directory) until the terminal's answer about it arrives or an operator
/// resolves it; a new payment on its terminal is refused meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPayment {
    /// What [`super::Engine::resolve_pending`] takes: the RequestID, or the file name of an entry
    /// that cannot be read.
    pub key: String,
    /// The request's RequestID (`None` when its entry cannot be read).
    pub request_id: Option<RequestId>,
    /// Its OPI RequestType (`CardPayment`, `PaymentRefund`, …).
    pub request_type: Option<String>,
    /// The amount asked.
    pub amount: Option<Amount>,
    /// Its currency.
    pub currency: Option<String>,
    /// The terminal (`address:port`).
    pub terminal: Option<String>,
    /// When it was started (ms since the Unix epoch).
    pub started_at_ms: Option<u64>,
    /// Where it stands.
    pub state: PendingState,
    /// Recovery attempts so far.
    pub attempts: u32,
    /// Why it is not settled, for the support log.
    pub reason: String,
    /// What the terminal said about it so far (card data masked).
    pub evidence: Vec<String>,
}

/// Where a [`PendingPayment`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingState {
    /// Sent (or about to be) and never answered: the app or the connection died.
    InFlight,
    /// Recovery tried and the terminal has not told yet; it goes on.
    Pending,
    /// The terminal reprinted its last ticket instead of answering (PrintLastTicket): a person
    /// reads the outcome on the ticket and resolves it.
    NeedsOperator,
    /// Its journal file cannot be read; kept for support until an operator resolves it.
    Corrupt,
}

/// The outcome of an abort or an administrative request that the terminal answered with Success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministrationResult {
    /// The terminal's result.
    pub result: OverallResult,
    /// The request's RequestID.
    pub request_id: RequestId,
    /// The terminal's full answer.
    pub response: Response,
}

/// Why a request or abort did not succeed: one of CCV's `MAPIError`s, or the terminal's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkError {
    /// Set when the SDK itself ended the flow (timeout, connection…).
    pub mapi_error: Option<MapiError>,
    /// Set when the terminal answered with something other than Success.
    pub result: Option<OverallResult>,
    /// The RequestID concerned.
    pub request_id: Option<RequestId>,
    /// True when the request's result is unknown and recovery is needed before retrying.
    pub recovery_needed: bool,
    /// What happened and what to do, for the log the merchant sends to support.
    pub detail: String,
}

impl fmt::Display for SdkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.mapi_error, &self.result) {
            (Some(error), _) => write!(f, "{error}: {}", self.detail),
            (None, Some(result)) => write!(f, "terminal answered {result}: {}", self.detail),
            (None, None) => f.write_str(&self.detail),
        }
    }
}

/// How the app answers a question from the terminal. Answer once; dropping it unanswered answers
/// "no" so the terminal is never left waiting.
pub struct InputAsk {
    /// Text the terminal shows with the question.
    pub prompt: Vec<TextLine>,
    /// The OPI command (e.g. `GetConfirmation`).
    pub command: String,
    pub(crate) ticket: InputTicket,
    pub(crate) reply: Option<Arc<dyn Fn(InputTicket, InputAnswer) + Send + Sync>>,
}

impl InputAsk {
    /// Answers yes/no.
    pub fn confirm(mut self, yes: bool) {
        if let Some(reply) = self.reply.take() {
            reply(self.ticket, InputAnswer::Confirm(yes));
        }
    }

    /// Answers with text.
    pub fn text(mut self, text: &str) {
        if let Some(reply) = self.reply.take() {
            reply(self.ticket, InputAnswer::Text(text.to_owned()));
        }
    }
}

impl Drop for InputAsk {
    fn drop(&mut self) {
        if let Some(reply) = self.reply.take() {
            log::warn!("a terminal question was dropped unanswered; answering no");
            reply(self.ticket, InputAnswer::Confirm(false));
        }
    }
}

impl fmt::Debug for InputAsk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InputAsk")
            .field("prompt", &self.prompt)
            .field("command", &self.command)
            .finish()
    }
}

/// Callbacks of every flow. They run on the engine thread, in protocol order: return quickly
/// (post to your UI thread) and never block. A panicking callback is logged and the flow goes on.
pub trait Delegate: Send + Sync {
    /// Cashier display text (`showTerminalOutputLines`).
    fn show_terminal_output_lines(&self, _lines: &[TextLine]) {}
    /// Customer display text (`showOnCustomerDisplay`).
    fn show_on_customer_display(&self, _lines: &[TextLine]) {}
    /// Merchant receipt (`printMerchantReceiptAndSignature`).
    fn print_merchant_receipt_and_signature(&self, _receipt: &PaymentReceipt) {}
    /// Customer receipt (`printCustomerReceiptAndSignature`).
    fn print_customer_receipt_and_signature(&self, _receipt: &PaymentReceipt) {}
    /// Journal receipt (`printJournalReceipt`).
    fn print_journal_receipt(&self, _receipt: &PaymentReceipt) {}
    /// E-journal text to store (`storeEJournal`).
    fn store_ejournal(&self, _text: &str) {}
    /// A dynamic currency conversion offer to print for the customer (`printDccOffer`).
    fn print_dcc_offer(&self, _receipt: &PaymentReceipt) {}
    /// An electronic receipt for the customer (`eReceipt`), the lines joined by newlines.
    fn e_receipt(&self, _content: &str) {}
    /// The terminal's configuration, answer to `get_config` (`configData`); called before the
    /// request's success callback.
    fn config_data(&self, _items: &[ConfigItem]) {}
    /// The UID of the Mifare card read by `read_mifare_uid` (`cardUID`); called before the
    /// request's success callback.
    fn card_uid(&self, _uid: &str) {}
    /// The terminal asks the cashier to check the customer's signature (`askCustomerSignature`).
    /// The default answers no: accepting an unchecked signature would be worse.
    fn ask_customer_signature(&self, ask: InputAsk) {
        log::warn!("ask_customer_signature not implemented by the delegate; answering no");
        ask.confirm(false);
    }
    /// The terminal asks the cashier to check the customer's identity (`askCustomerIdentification`).
    fn ask_customer_identification(&self, ask: InputAsk) {
        log::warn!("ask_customer_identification not implemented by the delegate; answering no");
        ask.confirm(false);
    }
    /// The terminal asks whether the goods or the service were delivered (OPI-NL DeliveryBox,
    /// `onDeliverGoodsOrServices`): `ask.confirm(true)` delivered, `false` not (the terminal then
    /// ends the payment without charging). Unanswered within `Timeouts::delivery_box_answer`, the
    /// SDK answers "not delivered". The default answers no, as every question does.
    fn on_deliver_goods_or_services(&self, ask: InputAsk) {
        log::warn!(
            "on_deliver_goods_or_services not implemented by the delegate; answering not delivered"
        );
        ask.confirm(false);
    }
    /// The payment succeeded (`onPaymentSuccess`).
    fn on_payment_success(&self, _result: &PaymentResult) {}
    /// The terminal settled the payment with another result (`onPaymentError`).
    fn on_payment_error(&self, _result: &PaymentResult) {}
    /// An abort or administrative request succeeded (`onPaymentAdministrationSuccess`).
    fn on_payment_administration_success(&self, _result: &AdministrationResult) {}
    /// The flow failed (`onError`).
    fn on_error(&self, _error: &SdkError) {}
    /// A recovery attempt ended without the terminal's answer about the payment: it stays
    /// pending (the one outcome of that attempt). The default reports it through `on_error` with
    /// [`MapiError::RecoveryPending`], so an app that knows only CCV's callbacks still hears it.
    fn on_recovery_pending(&self, pending: &PendingPayment) {
        self.on_error(&SdkError {
            mapi_error: Some(MapiError::RecoveryPending),
            result: None,
            request_id: pending.request_id.clone(),
            recovery_needed: true,
            detail: pending.reason.clone(),
        });
    }
}
