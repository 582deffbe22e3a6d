//! Elements shared by several message families.

use serde::{Deserialize, Serialize};

use super::values::{Amount, CardNumber, OverallResult, RequestId, Secret};

/// The IXRetail namespace every request we send declares. It is a zero-sized marker so that the
/// model compares equal whether or not a received message declared it (terminals are inconsistent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IxRetailNamespace;

/// The namespace URI of OPI (IFSF/NRF IXRetail).
pub const IXRETAIL_NAMESPACE: &str = "http://www.nrf-arts.org/IXRetail/namespace";

impl Serialize for IxRetailNamespace {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(IXRETAIL_NAMESPACE)
    }
}

/// `POSdata`: when and by whom a request was made. Public sources write `LanguageCode` and
/// `ShiftNumber` either as attributes or as child elements (see [`super::profile`]); both forms are
/// read, and [`PosData::language`] / [`PosData::shift`] give whichever came.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosData {
    /// Language for the terminal's texts (ISO 639-1, e.g. `nl`, `de`, `en`), as an attribute:
    /// the form CCV-FW and NODE-NL send.
    #[serde(
        rename = "@LanguageCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub language_code: Option<String>,
    /// Cashier shift as an attribute (CCV-FW's form).
    #[serde(
        rename = "@ShiftNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shift_number_attribute: Option<String>,
    /// Local time of the POS, `YYYY-MM-DDThh:mm:ss` (CCV sends no zone).
    #[serde(
        rename = "POSTimeStamp",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pos_timestamp: Option<String>,
    /// Cashier shift as an element (NODE-NL's and the IFSF model's form).
    #[serde(
        rename = "ShiftNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shift_number: Option<String>,
    /// Cashier identification.
    #[serde(rename = "ClerkID", default, skip_serializing_if = "Option::is_none")]
    pub clerk_id: Option<String>,
    /// The language as an element (the engine's earlier form; still read).
    #[serde(
        rename = "LanguageCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub language_code_element: Option<String>,
    /// POS transaction number, printed on receipts.
    #[serde(
        rename = "TransactionNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub transaction_number: Option<String>,
    /// `Available` | `PaperLow` | `PaperEmpty` (CCV-FW, NODE-NL).
    #[serde(
        rename = "PrinterStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub printer_status: Option<String>,
    /// `Available` | … (NODE-NL; CCV-FW has it commented out).
    #[serde(
        rename = "JournalPrinterStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub journal_printer_status: Option<String>,
    /// `Available` | `MemoryLow` (CCV-FW, NODE-NL).
    #[serde(
        rename = "E-JournalStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub e_journal_status: Option<String>,
}

impl PosData {
    /// The language, whichever form it came in (the attribute wins if both did).
    pub fn language(&self) -> Option<&str> {
        self.language_code
            .as_deref()
            .or(self.language_code_element.as_deref())
    }

    /// The shift number, whichever form it came in (the attribute wins if both did).
    pub fn shift(&self) -> Option<&str> {
        self.shift_number_attribute
            .as_deref()
            .or(self.shift_number.as_deref())
    }

    /// Reports the POS's printer and e-journal as `Available`, when `profile` sends them: the POS
    /// prints the receipts it is sent, "Available" is what both public OPI-NL clients report, and
    /// a terminal may refuse to start a payment it cannot print for.
    pub fn report_devices(&mut self, profile: &super::profile::WireProfile) {
        if profile.printer_status {
            self.printer_status = Some("Available".to_owned());
            self.e_journal_status = Some("Available".to_owned());
        }
    }

    /// Sets the language in `form`, clearing the other form.
    pub fn set_language(&mut self, form: super::profile::FieldForm, code: &str) {
        let (attribute, element) = split(form, code);
        self.language_code = attribute;
        self.language_code_element = element;
    }

    /// Sets the shift number in `form`, clearing the other form.
    pub fn set_shift(&mut self, form: super::profile::FieldForm, shift: &str) {
        let (attribute, element) = split(form, shift);
        self.shift_number_attribute = attribute;
        self.shift_number = element;
    }
}

fn split(form: super::profile::FieldForm, value: &str) -> (Option<String>, Option<String>) {
    match form {
        super::profile::FieldForm::Attribute => (Some(value.to_owned()), None),
        super::profile::FieldForm::Element => (None, Some(value.to_owned())),
    }
}

/// `TotalAmount`: an exact amount with its currency; in reconciliation totals it also carries
/// counts per card circuit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalAmount {
    /// ISO 4217 code, e.g. `EUR`.
    #[serde(rename = "@Currency", default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Reconciliation: number of payments in this total.
    #[serde(
        rename = "@NumberPayments",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub number_payments: Option<String>,
    /// Reconciliation: Debit or Credit.
    #[serde(
        rename = "@PaymentType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_type: Option<String>,
    /// Reconciliation: the card circuit (brand) of this total.
    #[serde(
        rename = "@CardCircuit",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub card_circuit: Option<String>,
    /// The amount without tip or cashback, as an attribute: public OPI-DE payment responses
    /// (`<TotalAmount Currency="EUR" PaymentAmount="120.00">120.00</TotalAmount>`) and the IFSF
    /// model carry it; the text stays the total charged.
    #[serde(
        rename = "@PaymentAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_amount: Option<Amount>,
    /// The amount.
    #[serde(rename = "$text")]
    pub value: Amount,
}

impl TotalAmount {
    /// An amount in a currency, nothing else.
    pub fn new(value: Amount, currency: &str) -> Self {
        TotalAmount {
            currency: Some(currency.to_owned()),
            number_payments: None,
            payment_type: None,
            card_circuit: None,
            payment_amount: None,
            value,
        }
    }
}

/// `OriginalTransaction`: names the transaction a reversal, capture or refund refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginalTransaction {
    /// System trace audit number of the original (keep leading zeros).
    #[serde(rename = "@STAN", default, skip_serializing_if = "Option::is_none")]
    pub stan: Option<String>,
    /// The original's timestamp.
    #[serde(
        rename = "@TimeStamp",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<String>,
    /// The terminal that made the original.
    #[serde(
        rename = "@TerminalID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub terminal_id: Option<String>,
    /// The original's RequestID.
    #[serde(
        rename = "@RequestID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<RequestId>,
    /// The original's approval code.
    #[serde(
        rename = "@ApprovalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub approval_code: Option<String>,
}

/// `OriginalHeader` of a RepeatLastMessage answer: which request the repeated response belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginalHeader {
    /// The original request's type.
    #[serde(
        rename = "@RequestType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_type: Option<String>,
    /// The original request's RequestID: the recovery key.
    #[serde(
        rename = "@RequestID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<RequestId>,
    /// The original request's workstation.
    #[serde(
        rename = "@WorkstationID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub workstation_id: Option<String>,
    /// The original application sender.
    #[serde(
        rename = "@ApplicationSender",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub application_sender: Option<String>,
    /// The original POPID.
    #[serde(rename = "@POPID", default, skip_serializing_if = "Option::is_none")]
    pub pop_id: Option<String>,
    /// The original response's result.
    #[serde(
        rename = "@OverallResult",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub overall_result: Option<OverallResult>,
}

/// `PrivateData`: vendor extensions. Only the fields this engine reads are modelled; others are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateData {
    /// Chip, contactless, magstripe…
    #[serde(
        rename = "CardTechnologyType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub card_technology_type: Option<String>,
    /// PIN, signature, none…
    #[serde(
        rename = "CardVerificationMethod",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub card_verification_method: Option<String>,
    /// The terminal's own error code when a request failed.
    #[serde(rename = "ErrorCode", default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The terminal's own error text when a request failed.
    #[serde(rename = "ErrorText", default, skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// Silent-abort marker of an unattended (IM30) abort; see [`super::abort`] — the one place
    /// that knows this encoding.
    #[serde(
        rename = "SilentAbort",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub silent_abort: Option<bool>,
    /// Asks the terminal for a card token with the transaction (`ExternalTerminal.requestToken`;
    /// encoding unverified, see docs/protocol.md, "Facts not confirmed by a public source").
    #[serde(
        rename = "RequestToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub request_token: Option<bool>,
    /// The card token the terminal issued: card data, never logged in clear.
    #[serde(rename = "CardToken", default, skip_serializing_if = "Option::is_none")]
    pub card_token: Option<Secret>,
    /// The UID of a Mifare card read by `readMifareUID`.
    #[serde(rename = "CardUID", default, skip_serializing_if = "Option::is_none")]
    pub card_uid: Option<String>,
    /// Configuration values (GetConfig).
    #[serde(rename = "ConfigItem", default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<ConfigItem>,
    /// The card brands the terminal accepts, when a terminal puts them in PrivateData (where the
    /// engine's earlier simulator put them; CCV-FW reads `CardCircuit` anywhere in the answer).
    #[serde(rename = "CardCircuit", default, skip_serializing_if = "Vec::is_empty")]
    pub card_circuits: Vec<CardCircuit>,
}

/// `<CardCircuit DisplayName="Visa">VISA</CardCircuit>`: one accepted card brand, as CCV-FW reads
/// it from a GetCardCircuits answer (the brand code is the text; the attribute is for people).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardCircuit {
    /// A human name for the brand.
    #[serde(
        rename = "@DisplayName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    /// The brand code, e.g. `VISA`, `ECMC`, `MAES`.
    #[serde(rename = "$text", default)]
    pub code: String,
}

/// One configuration value of a GetConfig answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigItem {
    /// The setting's name.
    #[serde(rename = "@Name")]
    pub name: String,
    /// Its value.
    #[serde(rename = "@Value", default)]
    pub value: String,
}

/// `Terminal`: identification of the terminal that answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalInfo {
    /// The terminal's id.
    #[serde(
        rename = "@TerminalID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub terminal_id: Option<String>,
    /// Batch (period) number.
    #[serde(
        rename = "@TerminalBatch",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub terminal_batch: Option<String>,
    /// System trace audit number; a string because leading zeros matter.
    #[serde(rename = "@STAN", default, skip_serializing_if = "Option::is_none")]
    pub stan: Option<String>,
    /// Merchant id.
    #[serde(
        rename = "@MerchantID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub merchant_id: Option<String>,
}

/// `Authorisation`: what the acquirer decided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorisation {
    /// Acquirer id; may be the literal "undefined".
    #[serde(
        rename = "@AcquirerID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub acquirer_id: Option<String>,
    /// Online, offline, referral…
    #[serde(
        rename = "@AuthorisationType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub authorisation_type: Option<String>,
    /// Brand, e.g. MAESTRO.
    #[serde(
        rename = "@CardCircuit",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub card_circuit: Option<String>,
    /// The card number; usually masked by the terminal, masked again by us in every log.
    #[serde(rename = "@CardPAN", default, skip_serializing_if = "Option::is_none")]
    pub card_pan: Option<CardNumber>,
    /// Merchant reference.
    #[serde(rename = "@Merchant", default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
    /// Receipt number.
    #[serde(
        rename = "@ReceiptNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub receipt_number: Option<String>,
    /// Acquirer action code.
    #[serde(
        rename = "@ActionCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub action_code: Option<String>,
    /// Return code.
    #[serde(
        rename = "@ReturnCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub return_code: Option<String>,
    /// Approval code.
    #[serde(
        rename = "@ApprovalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub approval_code: Option<String>,
    /// When it was authorised, e.g. `2024-02-09T09:36:28-00:00`.
    #[serde(
        rename = "@TimeStamp",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<String>,
}

/// `CardValue`: card data returned by card-reading requests. Track data is a [`Secret`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardValue {
    /// Brand.
    #[serde(
        rename = "CardCircuit",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub card_circuit: Option<String>,
    /// Card number.
    #[serde(rename = "CardPAN", default, skip_serializing_if = "Option::is_none")]
    pub card_pan: Option<CardNumber>,
    /// Expiry, as sent.
    #[serde(
        rename = "ExpiryDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expiry_date: Option<String>,
    /// Track 1.
    #[serde(rename = "Track1", default, skip_serializing_if = "Option::is_none")]
    pub track1: Option<Secret>,
    /// Track 2.
    #[serde(rename = "Track2", default, skip_serializing_if = "Option::is_none")]
    pub track2: Option<Secret>,
    /// Track 3.
    #[serde(rename = "Track3", default, skip_serializing_if = "Option::is_none")]
    pub track3: Option<Secret>,
}
