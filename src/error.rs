//! The errors an app branches on, named after CCV's `MAPIError` so a POS keeps its `switch`.

use std::fmt;

/// Why a request or an abort ended without an answer from the terminal that settles it.
/// The names are CCV's (`eu.ccvlab.mapi.core.MAPIError`); [`MapiError::java_name`] gives the Java constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapiError {
    /// A request was started while another one runs on the same terminal.
    FlowAlreadyHappening,
    /// The connection dropped (or a send failed) while the request ran: the outcome is unknown
    /// and the request must be recovered.
    TerminalConnectionLost,
    /// The terminal could not be reached.
    FailedToConnectToTerminal,
    /// The terminal did not answer in time.
    ResponseTimeout,
    /// The terminal or dialect does not support authorise-and-capture.
    AuthAndCapFlowNotSupported,
    /// The terminal sent something that is not a valid answer.
    ReceivedUnknownMessageFromTerminal,
    /// The dialect cannot void a specific (not the last) sale.
    VoidSpecificSaleNotSupported,
    /// An abort was asked while no request runs; nothing was sent.
    NotAFlowHappening,
    /// An abort was asked while another abort runs; nothing was sent.
    SecondaryFlowAlreadyHappening,
    /// (Ours, not CCV's.) A recovery attempt ended without the terminal's answer about the
    /// request: its outcome is still unknown, the journal keeps it and recovery goes on.
    RecoveryPending,
    /// (Ours, not CCV's.) A payment was refused before sending because an earlier request on this
    /// terminal is not settled yet (the error's RequestID names it): recover or resolve it first.
    PaymentPendingRecovery,
}

impl MapiError {
    /// The constant's name in CCV's Java enum.
    pub fn java_name(self) -> &'static str {
        match self {
            MapiError::FlowAlreadyHappening => "FLOW_ALREADY_HAPPENING",
            MapiError::TerminalConnectionLost => "TERMINAL_CONNECTION_LOST",
            MapiError::FailedToConnectToTerminal => "FAILED_TO_CONNECT_TO_TERMINAL",
            MapiError::ResponseTimeout => "RESPONSE_TIMEOUT",
            MapiError::AuthAndCapFlowNotSupported => "AUTH_AND_CAP_FLOW_NOT_SUPPORTED",
            MapiError::ReceivedUnknownMessageFromTerminal => {
                "RECEIVED_UNKNOWN_MESSAGE_FROM_TERMINAL"
            }
            MapiError::VoidSpecificSaleNotSupported => "VOID_SPECIFIC_SALE_NOT_SUPPORTED",
            MapiError::NotAFlowHappening => "NOT_A_FLOW_HAPPENING",
            MapiError::SecondaryFlowAlreadyHappening => "SECONDARY_FLOW_ALREADY_HAPPENING",
            MapiError::RecoveryPending => "RECOVERY_PENDING",
            MapiError::PaymentPendingRecovery => "PAYMENT_PENDING_RECOVERY",
        }
    }

    /// Every variant, in a stable order (the order of the Java enum).
    pub const ALL: [MapiError; 11] = [
        MapiError::FlowAlreadyHappening,
        MapiError::TerminalConnectionLost,
        MapiError::FailedToConnectToTerminal,
        MapiError::ResponseTimeout,
        MapiError::AuthAndCapFlowNotSupported,
        MapiError::ReceivedUnknownMessageFromTerminal,
        MapiError::VoidSpecificSaleNotSupported,
        MapiError::NotAFlowHappening,
        MapiError::SecondaryFlowAlreadyHappening,
        MapiError::RecoveryPending,
        MapiError::PaymentPendingRecovery,
    ];
}

impl fmt::Display for MapiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.java_name())
    }
}
