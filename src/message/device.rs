//! `DeviceRequest` / `DeviceResponse`: the terminal asks the POS to show text, print a receipt,
//! store the e-journal or ask the cashier a question (channel 1, or channel 0 in single-socket mode).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::common::IxRetailNamespace;
use super::masking::mask_digit_runs;
use super::values::{DeviceRequestType, DeviceTarget, OverallResult, RequestId};

/// One line of text for a display or a receipt. Its `Debug` form masks card numbers in the text
/// (see [`TextLine::masked_text`]); the text itself stays as the terminal sent it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextLine {
    /// Row on a display.
    #[serde(rename = "@Row", default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Column on a display.
    #[serde(rename = "@Column", default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Character set hint.
    #[serde(rename = "@CharSet", default, skip_serializing_if = "Option::is_none")]
    pub char_set: Option<String>,
    /// Clear the display first.
    #[serde(rename = "@Erase", default, skip_serializing_if = "Option::is_none")]
    pub erase: Option<String>,
    /// Seconds the line stays.
    #[serde(rename = "@TimeOut", default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Not meant for the customer's eyes.
    #[serde(rename = "@Hidden", default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
    /// Text alignment.
    #[serde(
        rename = "@Alignment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub alignment: Option<String>,
    /// Bold, underline…
    #[serde(
        rename = "@CharStyle1",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub char_style: Option<String>,
    /// The text, with its leading and trailing spaces (receipt columns depend on them).
    #[serde(rename = "$text", default)]
    pub text: String,
}

impl TextLine {
    /// A line with only text.
    pub fn new(text: &str) -> Self {
        TextLine {
            text: text.to_owned(),
            ..TextLine::default()
        }
    }

    /// The text with every card number masked to its first 6 and last 4 digits, grouped numbers
    /// ("4111 1111 1111 1111", "4111-1111-…") included: for logs, traces and any output that is
    /// not the printer or display the terminal meant the line for. The rule is
    /// [`mask_digit_runs`]'s; amounts, dates, times and ids stay as they are.
    pub fn masked_text(&self) -> String {
        mask_digit_runs(&self.text)
    }
}

/// Receipts and displays are where terminals print card numbers, and every type carrying lines
/// (`Output`, the session's events, the client's `PaymentReceipt`) derives `Debug` from this one:
/// masking here keeps all of their `Debug` forms, and any log line made of them, free of card data.
impl fmt::Debug for TextLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextLine")
            .field("row", &self.row)
            .field("column", &self.column)
            .field("char_set", &self.char_set)
            .field("erase", &self.erase)
            .field("timeout", &self.timeout)
            .field("hidden", &self.hidden)
            .field("alignment", &self.alignment)
            .field("char_style", &self.char_style)
            .field("text", &self.masked_text())
            .finish()
    }
}

/// `Output`: text for one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Which device.
    #[serde(rename = "@OutDeviceTarget")]
    pub target: DeviceTarget,
    /// The text.
    #[serde(rename = "TextLine", default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<TextLine>,
}

/// `Command` of an `Input` request: what the cashier is asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputCommand {
    /// Seconds to answer.
    #[serde(rename = "@TimeOut", default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Minimum answer length.
    #[serde(
        rename = "@MinLength",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub min_length: Option<String>,
    /// Maximum answer length.
    #[serde(
        rename = "@MaxLength",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_length: Option<String>,
    /// The command, e.g. `GetConfirmation`, `GetAnyKey`, `GetDecimals`.
    #[serde(rename = "$text", default)]
    pub command: String,
}

/// `Input`: a question for the cashier (signature check, identification…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Which device answers.
    #[serde(rename = "@InDeviceTarget")]
    pub target: DeviceTarget,
    /// What is asked.
    #[serde(rename = "Command", default, skip_serializing_if = "Option::is_none")]
    pub command: Option<InputCommand>,
}

/// A device request from the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequest {
    #[serde(rename = "@xmlns", skip_deserializing)]
    #[doc(hidden)]
    pub namespace: IxRetailNamespace,
    /// Output, Input…
    #[serde(rename = "@RequestType")]
    pub request_type: DeviceRequestType,
    /// The terminal application.
    #[serde(
        rename = "@ApplicationSender",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub application_sender: Option<String>,
    /// The POS workstation addressed.
    #[serde(rename = "@WorkstationID", default)]
    pub workstation_id: String,
    /// The terminal.
    #[serde(
        rename = "@TerminalID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub terminal_id: Option<String>,
    /// The **running** request's RequestID.
    #[serde(rename = "@RequestID")]
    pub request_id: RequestId,
    /// Orders the device requests of one running request.
    #[serde(
        rename = "@SequenceID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sequence_id: Option<String>,
    /// Point of payment.
    #[serde(rename = "@POPID", default, skip_serializing_if = "Option::is_none")]
    pub pop_id: Option<String>,
    /// Text to show, print or store (one per device).
    #[serde(rename = "Output", default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<Output>,
    /// A question for the cashier.
    #[serde(rename = "Input", default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Input>,
}

/// `Output` of a device response: how the device fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputResult {
    /// Which device.
    #[serde(rename = "@OutDeviceTarget")]
    pub target: DeviceTarget,
    /// Its result.
    #[serde(rename = "@OutResult")]
    pub result: OverallResult,
}

/// `InputValue`: the cashier's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputValue {
    /// Yes/no answers (signature accepted, identification checked).
    #[serde(rename = "InBoolean", default, skip_serializing_if = "Option::is_none")]
    pub boolean: Option<bool>,
    /// Text answers.
    #[serde(rename = "InString", default, skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
}

/// `Input` of a device response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputResult {
    /// Which device answered.
    #[serde(rename = "@InDeviceTarget")]
    pub target: DeviceTarget,
    /// Its result.
    #[serde(rename = "@InResult")]
    pub result: OverallResult,
    /// The answer.
    #[serde(
        rename = "InputValue",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<InputValue>,
}

/// The POS's answer to a [`DeviceRequest`]; echoes its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceResponse {
    #[serde(rename = "@xmlns", skip_deserializing)]
    #[doc(hidden)]
    pub namespace: IxRetailNamespace,
    /// Echo of the request type.
    #[serde(rename = "@RequestType")]
    pub request_type: DeviceRequestType,
    /// The POS application.
    #[serde(
        rename = "@ApplicationSender",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub application_sender: Option<String>,
    /// Echo of the workstation.
    #[serde(rename = "@WorkstationID", default)]
    pub workstation_id: String,
    /// Echo of the terminal.
    #[serde(
        rename = "@TerminalID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub terminal_id: Option<String>,
    /// Echo of the point of payment.
    #[serde(rename = "@POPID", default, skip_serializing_if = "Option::is_none")]
    pub pop_id: Option<String>,
    /// Echo of the request's id.
    #[serde(rename = "@RequestID")]
    pub request_id: RequestId,
    /// Echo of the sequence.
    #[serde(
        rename = "@SequenceID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sequence_id: Option<String>,
    /// The result.
    #[serde(rename = "@OverallResult")]
    pub overall_result: OverallResult,
    /// One per output device of the request.
    #[serde(rename = "Output", default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<OutputResult>,
    /// The answer to an input request.
    #[serde(rename = "Input", default, skip_serializing_if = "Option::is_none")]
    pub input: Option<InputResult>,
}

impl DeviceResponse {
    /// The answer to `request` echoing its header, with one `OutResult` per output target.
    pub fn answering(request: &DeviceRequest, overall_result: OverallResult) -> Self {
        DeviceResponse {
            namespace: IxRetailNamespace,
            request_type: request.request_type.clone(),
            application_sender: None,
            workstation_id: request.workstation_id.clone(),
            terminal_id: request.terminal_id.clone(),
            pop_id: request.pop_id.clone(),
            request_id: request.request_id.clone(),
            sequence_id: request.sequence_id.clone(),
            overall_result: overall_result.clone(),
            outputs: request
                .outputs
                .iter()
                .map(|output| OutputResult {
                    target: output.target.clone(),
                    result: overall_result.clone(),
                })
                .collect(),
            input: None,
        }
    }
}
