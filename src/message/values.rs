//! Small value types shared by every OPI message: request identifiers, enumerated attribute values,
//! exact decimal amounts and card data that must never reach a log in clear.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares an enumerated OPI attribute value. Terminals add values over firmware releases, so an
/// unknown value is kept verbatim in `Other` (it round-trips) instead of failing the whole message.
macro_rules! opi_enum {
    ($(#[$meta:meta])* $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $text:literal $(| $alias:literal)*,)*
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this crate does not know, kept verbatim so it survives a round trip.
            Other(String),
        }

        impl $name {
            /// The wire spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(text) => text,
                }
            }

            /// Reads a wire value; known spelling variants map to one variant.
            pub fn from_wire(text: &str) -> Self {
                match text.trim() {
                    $($text $(| $alias)* => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::from_wire(&text))
            }
        }
    };
}

opi_enum! {
    /// `OverallResult` of every response.
    OverallResult {
        Success => "Success",
        PartialFailure => "PartialFailure",
        Failure => "Failure",
        DeviceUnavailable => "DeviceUnavailable",
        Busy => "Busy",
        LoggedOut => "LoggedOut" | "Loggedout",
        Aborted => "Aborted",
        TimedOut => "TimedOut",
        CommunicationError => "CommunicationError",
        FormatError => "FormatError",
        ParsingError => "ParsingError",
        ValidationError => "ValidationError",
        MissingMandatoryData => "MissingMandatoryData",
        UnknownCard => "UnknownCard",
        NotSupported => "NotSupported",
        /// CCV asks the POS to print its last ticket again (an answer to RepeatLastMessage when
        /// the receipt may be lost): the outcome is on that ticket.
        PrintLastTicket => "PrintLastTicket",
    }
}

opi_enum! {
    /// `RequestType` of a `CardServiceRequest`/`CardServiceResponse`.
    CardRequestType {
        CardPayment => "CardPayment",
        PaymentRefund => "PaymentRefund",
        PaymentReversal => "PaymentReversal",
        CardPreAuthorisation => "CardPreAuthorisation",
        CardFinancialAdvice => "CardFinancialAdvice",
        CardSwipe => "CardSwipe",
        CardDetection => "CardDetection",
        /// Checks a card without moving money (CCV "card validation"; name unverified, see
        /// docs/protocol.md, "Facts not confirmed by a public source").
        CardValidation => "CardValidation",
        TicketReprint => "TicketReprint",
        RepeatLastMessage => "RepeatLastMessage",
        AbortRequest => "AbortRequest",
    }
}

opi_enum! {
    /// `RequestType` of a `ServiceRequest`/`ServiceResponse`.
    ServiceRequestType {
        Login => "Login",
        Logoff => "Logoff",
        Diagnosis => "Diagnosis",
        /// The status request a CCV OPI-NL client sends (see `profile::StatusRequest`).
        GetStatus => "GetStatus",
        Reconciliation => "Reconciliation",
        ReconciliationWithClosure => "ReconciliationWithClosure",
        RepeatLastMessage => "RepeatLastMessage",
        Initialisation => "Initialisation",
        StatusQuery => "StatusQuery",
        CardRead => "CardRead",
        AbortRequest => "AbortRequest",
        // CCV operations whose RequestType no public trace confirms (docs/protocol.md, "Facts not
        // confirmed by a public source"); each name is used only here, so a correction is one line.
        /// Totals since the last closing, without closing (CCV "transaction overview").
        TransactionOverview => "TransactionOverview",
        /// Print the last period-closing ticket again (CCV "ticket reprint period closing").
        TicketReprint => "TicketReprint",
        /// Activate the terminal (CCV "activate terminal").
        Activate => "Activate" | "ActivateTerminal",
        /// The terminal's configuration (CCV "get config").
        GetConfig => "GetConfig",
        /// The card brands the terminal accepts, as CCV's OPI-NL firmware asks them.
        GetCardCircuits => "GetCardCircuits",
        /// The same, under the name this engine guessed earlier (see `profile::CardCircuitsRequest`).
        CardCircuits => "CardCircuits",
    }
}

opi_enum! {
    /// `RequestType` of a `DeviceRequest`/`DeviceResponse`.
    DeviceRequestType {
        Output => "Output",
        Input => "Input",
        AbortInput => "AbortInput",
        AbortOutput => "AbortOutput",
        Event => "Event",
    }
}

opi_enum! {
    /// `OutDeviceTarget` / `InDeviceTarget`: which POS device a device request addresses.
    DeviceTarget {
        CashierDisplay => "CashierDisplay",
        CustomerDisplay => "CustomerDisplay",
        /// The merchant receipt printer.
        Printer => "Printer",
        /// The customer receipt.
        PrinterReceipt => "PrinterReceipt",
        EJournal => "E-Journal" | "EJournal",
        /// Journal receipts the POS prints or stores (M2A/M3A).
        JournalPrinter => "JournalPrinter",
        /// A DCC offer to print for the customer (target name unverified).
        DccOffer => "DCCOffer" | "DccOffer",
        /// An electronic receipt for the customer (target name unverified).
        EReceipt => "E-Receipt" | "EReceipt",
        CashierKeyboard => "CashierKeyboard",
        CashierTerminal => "CashierTerminal",
        /// CCV's unattended "deliver the goods" step (OPI-NL): the terminal asks mid-payment whether
        /// the goods or service were delivered. A public OPI-NL firmware for a CCV terminal names the
        /// device DELIVERYBOX and answers it yes/no; the element that carries it (Output or Input)
        /// is not public, so both are read *(the exact shape is unverified)*.
        DeliveryBox => "DeliveryBox" | "Deliverybox",
    }
}

/// A request's `RequestID`. CCV OPI-NL requires at most 9 digits; it is the recovery key, so it is
/// compared as text exactly as sent (a terminal echoing "0042" for "42" would be a different request).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestId(pub String);

impl RequestId {
    /// The wire text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<u64> for RequestId {
    fn from(value: u64) -> Self {
        RequestId(value.to_string())
    }
}

impl From<&str> for RequestId {
    fn from(value: &str) -> Self {
        RequestId(value.to_owned())
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A money amount as an exact decimal: binary floating point cannot represent 0.10, and a payment
/// SDK that rounds is a payment SDK that loses cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(pub Decimal);

/// An amount on the wire was not a plain decimal number. It carries the offending text masked like
/// a PAN (first 6 / last 4 of a long value): the message reaches logs, and a terminal that puts
/// card data in the wrong element must not get it printed there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a decimal amount (expected digits with an optional '.' fraction)")]
pub struct AmountParseError(pub String);

impl AmountParseError {
    /// Short values (no card number has 10 digits or fewer) are kept as they are, for support.
    fn echoing(text: &str) -> Self {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        AmountParseError(if digits > 10 {
            mask_pan(text)
        } else {
            text.to_owned()
        })
    }
}

impl Amount {
    /// The exact value.
    pub fn value(&self) -> Decimal {
        self.0
    }
}

impl FromStr for Amount {
    type Err = AmountParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        // Decimal::from_str also accepts "1_000" and exponents; OPI amounts are plain decimals.
        let plain = !trimmed.is_empty()
            && trimmed
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'));
        if !plain {
            return Err(AmountParseError::echoing(text));
        }
        Decimal::from_str(trimmed)
            .map(Amount)
            .map_err(|_| AmountParseError::echoing(text))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Amount::from_str(&text).map_err(serde::de::Error::custom)
    }
}

/// A card number (PAN). Terminals sometimes send it unmasked; `Debug` and `Display` show only the
/// first 6 and last 4 digits so that logging a message can never leak it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CardNumber(pub String);

impl CardNumber {
    /// The PAN with everything but the first 6 and last 4 characters replaced by `*`. Short or
    /// already-masked values are masked the same way, so the output never has more than 10 clear digits.
    pub fn masked(&self) -> String {
        mask_pan(&self.0)
    }

    /// The value exactly as received, for the app; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Masks a PAN to first 6 / last 4; anything of 10 characters or fewer is masked entirely but the last 4.
pub fn mask_pan(pan: &str) -> String {
    let chars: Vec<char> = pan.chars().collect();
    let len = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let keep = if len > 10 {
                i < 6 || i >= len - 4
            } else {
                i + 4 >= len && len > 4
            };
            if keep || !c.is_ascii_digit() {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Card data that must never be logged at all (track data, tokens): `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    /// The value exactly as received, for the app; never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} chars redacted>)", self.0.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact_and_keep_their_scale() {
        let a: Amount = "12.50".parse().unwrap();
        assert_eq!(a.to_string(), "12.50");
        let sum = Amount(a.0 + "0.10".parse::<Amount>().unwrap().0);
        assert_eq!(sum.to_string(), "12.60");
        assert!("1e3".parse::<Amount>().is_err());
        assert!("12,50".parse::<Amount>().is_err());
        assert!("".parse::<Amount>().is_err());
        assert_eq!("-1.00".parse::<Amount>().unwrap().to_string(), "-1.00");
    }

    #[test]
    fn pans_are_masked_to_first_six_last_four() {
        assert_eq!(mask_pan("6789012345678901234"), "678901*********1234");
        assert_eq!(mask_pan("541333******4444"), "541333******4444");
        assert_eq!(mask_pan("12345678"), "****5678");
        let debug = format!("{:?}", CardNumber("4111111111111111".into()));
        assert!(!debug.contains("4111111111111111"), "{debug}");
        assert!(debug.contains("411111******1111"), "{debug}");
    }

    #[test]
    fn unknown_enum_values_round_trip() {
        assert_eq!(
            OverallResult::from_wire("Loggedout"),
            OverallResult::LoggedOut
        );
        let odd = OverallResult::from_wire("SomethingNew");
        assert_eq!(odd.as_str(), "SomethingNew");
        assert_eq!(DeviceTarget::from_wire("E-Journal"), DeviceTarget::EJournal);
    }
}
