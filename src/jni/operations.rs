//! The integer codes `NativeEngine` passes to `payment` and `operation`. Java names them as
//! `public static final int` constants in `NativeEngine.java`; these tables are the other half,
//! and the test below reads the Java file so that a code added, renumbered or renamed on one side
//! only fails `cargo test --features jni` instead of running the wrong request on a terminal.

use super::errors::BridgeError;
use crate::client::{Administration, CardInquiry, Operation, PaymentKind};

/// A payment type code of `NativeEngine.payment`.
pub struct PaymentType {
    /// The code Java passes.
    pub code: i32,
    /// The constant's name in `NativeEngine.java`.
    pub java_name: &'static str,
    /// The kind, given the original STAN Java passed (null for types that have none).
    pub kind: fn(Option<String>) -> PaymentKind,
}

/// Every payment type `NativeEngine.payment` accepts.
pub const PAYMENT_TYPES: [PaymentType; 5] = [
    PaymentType {
        code: 0,
        java_name: "SALE",
        kind: |_| PaymentKind::Sale,
    },
    PaymentType {
        code: 1,
        java_name: "REFUND",
        kind: |_| PaymentKind::Refund,
    },
    PaymentType {
        code: 2,
        java_name: "VOID",
        kind: |stan| PaymentKind::Reversal { stan },
    },
    PaymentType {
        code: 3,
        java_name: "RESERVATION",
        kind: |_| PaymentKind::Reservation,
    },
    PaymentType {
        code: 4,
        java_name: "CAPTURE",
        kind: |stan| PaymentKind::Capture { stan },
    },
];

/// What an operation code runs. Card reads are requests of their own (payment callbacks, no
/// amount) that share the native entry point with administration because both take only the
/// terminal and the callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// An administrative request.
    Administration(Administration),
    /// A card read.
    CardInquiry(CardInquiry),
}

impl From<Request> for Operation {
    fn from(request: Request) -> Operation {
        match request {
            Request::Administration(what) => Operation::Administration(what),
            Request::CardInquiry(what) => Operation::CardInquiry(what),
        }
    }
}

/// An operation code of `NativeEngine.operation`.
pub struct OperationCode {
    /// The code Java passes.
    pub code: i32,
    /// The constant's name in `NativeEngine.java`.
    pub java_name: &'static str,
    /// What it runs.
    pub request: Request,
}

const fn admin(code: i32, java_name: &'static str, what: Administration) -> OperationCode {
    OperationCode {
        code,
        java_name,
        request: Request::Administration(what),
    }
}

/// Every operation `NativeEngine.operation` accepts.
pub const OPERATIONS: [OperationCode; 13] = [
    admin(0, "STATUS", Administration::Status),
    admin(1, "LOGIN", Administration::Login),
    admin(2, "PERIOD_CLOSING", Administration::PeriodClosing),
    admin(
        3,
        "PARTIAL_PERIOD_CLOSING",
        Administration::PartialPeriodClosing,
    ),
    admin(4, "TICKET_REPRINT", Administration::TicketReprint),
    admin(
        5,
        "TRANSACTION_OVERVIEW",
        Administration::TransactionOverview,
    ),
    admin(
        6,
        "TICKET_REPRINT_PERIOD_CLOSING",
        Administration::TicketReprintPeriodClosing,
    ),
    admin(7, "ACTIVATE_TERMINAL", Administration::ActivateTerminal),
    admin(8, "GET_CONFIG", Administration::GetConfig),
    admin(9, "CARD_CIRCUITS", Administration::CardCircuits),
    admin(10, "READ_MIFARE_UID", Administration::ReadMifareUid),
    OperationCode {
        code: 11,
        java_name: "CARD_DETECTION",
        request: Request::CardInquiry(CardInquiry::Detection),
    },
    OperationCode {
        code: 12,
        java_name: "CARD_VALIDATION",
        request: Request::CardInquiry(CardInquiry::Validation),
    },
];

/// The payment kind of a code; a code Java does not define is a bad argument.
pub fn payment_kind(code: i32, stan: Option<String>) -> Result<PaymentKind, BridgeError> {
    PAYMENT_TYPES
        .iter()
        .find(|entry| entry.code == code)
        .map(|entry| (entry.kind)(stan))
        .ok_or_else(|| unknown("payment type", code, PAYMENT_TYPES.map(|e| e.java_name)))
}

/// The operation of a code; a code Java does not define is a bad argument.
pub fn operation(code: i32) -> Result<Operation, BridgeError> {
    OPERATIONS
        .iter()
        .find(|entry| entry.code == code)
        .map(|entry| entry.request.into())
        .ok_or_else(|| unknown("operation", code, OPERATIONS.map(|e| e.java_name)))
}

/// Names the range Java defines, so a mismatched library and SDK shows in the message.
fn unknown<const N: usize>(what: &str, code: i32, names: [&str; N]) -> BridgeError {
    BridgeError::InvalidArgument(format!(
        "unknown {what} code {code}: NativeEngine defines 0 ({}) to {} ({})",
        names[0],
        N - 1,
        names[N - 1]
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const NATIVE_ENGINE: &str =
        "android/sdk/src/main/java/eu/ccvlab/mapi/internal/NativeEngine.java";

    /// Every `public static final int NAME = CODE;` of the Java file.
    fn java_constants() -> BTreeMap<String, i32> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(NATIVE_ENGINE);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut constants = BTreeMap::new();
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("public static final int ") else {
                continue;
            };
            let (name, value) = rest
                .strip_suffix(';')
                .and_then(|r| r.split_once('='))
                .unwrap_or_else(|| panic!("{NATIVE_ENGINE}: cannot read `{line}`"));
            let code = value.trim().parse().unwrap_or_else(|_| {
                panic!("{NATIVE_ENGINE}: `{line}` is not a plain number; keep codes literal")
            });
            let previous = constants.insert(name.trim().to_owned(), code);
            assert!(previous.is_none(), "{NATIVE_ENGINE}: {name} twice");
        }
        constants
    }

    #[test]
    fn the_tables_and_native_engine_java_name_the_same_codes() {
        let rust: BTreeMap<String, i32> = PAYMENT_TYPES
            .iter()
            .map(|e| (e.java_name, e.code))
            .chain(OPERATIONS.iter().map(|e| (e.java_name, e.code)))
            .map(|(name, code)| (name.to_owned(), code))
            .collect();
        assert_eq!(
            rust.len(),
            PAYMENT_TYPES.len() + OPERATIONS.len(),
            "a Java name appears twice in the tables"
        );
        assert_eq!(
            java_constants(),
            rust,
            "NativeEngine.java's int constants (left) and src/jni/operations.rs (right) differ"
        );
    }

    #[test]
    fn codes_run_from_zero_in_table_order() {
        for (index, entry) in PAYMENT_TYPES.iter().enumerate() {
            assert_eq!(entry.code, index as i32, "{}", entry.java_name);
        }
        for (index, entry) in OPERATIONS.iter().enumerate() {
            assert_eq!(entry.code, index as i32, "{}", entry.java_name);
        }
    }

    #[test]
    fn card_reads_are_card_inquiries_and_unknown_codes_are_refused() {
        assert_eq!(
            operation(11).ok(),
            Some(Operation::CardInquiry(CardInquiry::Detection))
        );
        assert_eq!(
            operation(0).ok(),
            Some(Operation::Administration(Administration::Status))
        );
        let refused = operation(13).unwrap_err().to_string();
        assert!(
            refused.contains("code 13: NativeEngine defines 0 (STATUS) to 12 (CARD_VALIDATION)"),
            "{refused}"
        );
        assert_eq!(
            payment_kind(2, Some("7".to_owned())).ok(),
            Some(PaymentKind::Reversal {
                stan: Some("7".to_owned())
            })
        );
        assert!(payment_kind(-1, None).is_err());
    }
}
