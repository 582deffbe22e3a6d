//! Checks made before a payment leaves, so that a request the terminal must refuse never reaches
//! it (certification S1A–S1D) and a request the dialect cannot express fails with CCV's error name.

use super::delegate::SdkError;
use super::operation::{Payment, PaymentKind};
use super::terminal::Terminal;
use crate::error::MapiError;
use crate::message::OverallResult;

fn validation_error(detail: String) -> SdkError {
    SdkError {
        mapi_error: None,
        result: Some(OverallResult::ValidationError),
        request_id: None,
        recovery_needed: false,
        detail,
    }
}

/// `Ok` when `payment` may be sent to `terminal`; otherwise the error to report (nothing is sent).
pub(crate) fn check_payment(terminal: &Terminal, payment: &Payment) -> Result<(), SdkError> {
    let amount = payment.amount.value();
    let currency = &payment.currency;
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(validation_error(format!(
            "currency '{currency}' is not an ISO 4217 code such as EUR"
        )));
    }
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(validation_error(format!(
            "negative amount {currency} {amount}: give a positive amount and use a refund to pay money back (S1B)"
        )));
    }
    if amount.scale() > 2 && amount.normalize().scale() > 2 {
        return Err(validation_error(format!(
            "amount {amount} has more than two decimals"
        )));
    }
    // A capture of EUR 0.00 settles an unattended session with nothing taken (E13); every other
    // kind moves money and a zero amount is a POS mistake (S1A).
    let zero_allowed = matches!(
        payment.kind,
        PaymentKind::Capture { .. } | PaymentKind::Reversal { .. }
    );
    if amount.is_zero() && !zero_allowed {
        return Err(validation_error(format!(
            "amount {currency} {amount} is zero: nothing to pay (S1A)"
        )));
    }
    if amount > terminal.max_amount.value() {
        return Err(validation_error(format!(
            "amount {currency} {amount} is above the highest amount the terminal accepts ({}) (S1D)",
            terminal.max_amount
        )));
    }
    if let Some(id) = &payment.request_id {
        // OPI-NL terminals take a number of at most 9 digits (CCV's OPI-NL validator parses it as
        // an unsigned integer); the engine's own ids obey the same limit for both dialects.
        let text = id.as_str();
        let value = text.parse::<u64>().ok().filter(|_| {
            !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit())
        });
        if !value.is_some_and(|v| (1..=terminal.dialect.max_request_id()).contains(&v)) {
            return Err(validation_error(format!(
                "RequestID '{}' is not a number of 1 to 9 digits above 0",
                crate::message::masking::mask_digit_runs(text)
            )));
        }
    }
    if let Some(timestamp) = &payment.pos_timestamp {
        if !is_pos_timestamp(timestamp) {
            return Err(validation_error(format!(
                "posTimestamp '{}' is not YYYY-MM-DDThh:mm:ss (optionally with fraction and zone)",
                crate::message::masking::mask_digit_runs(timestamp)
            )));
        }
    }
    for (name, value, limit) in [
        ("referenceNumber", &payment.reference_number, 20),
        ("merchantReference", &payment.merchant_reference, 100),
    ] {
        if let Some(value) = value {
            if value.chars().count() > limit || value.chars().any(char::is_control) {
                return Err(validation_error(format!(
                    "{name} must be at most {limit} printable characters"
                )));
            }
        }
    }
    if let PaymentKind::Reversal { stan: Some(stan) } = &payment.kind {
        if !terminal.dialect.can_void_specific_sale() {
            return Err(SdkError {
                mapi_error: Some(MapiError::VoidSpecificSaleNotSupported),
                result: None,
                request_id: None,
                recovery_needed: false,
                detail: format!(
                    "{} terminals can only void the last transaction, not STAN {stan}; void without a STAN or refund instead",
                    terminal.dialect.name().to_uppercase()
                ),
            });
        }
    }
    Ok(())
}

/// `2025-03-14T15:09:26` (CCV's firmware) or with milliseconds and a zone
/// (`2025-06-02T08:15:00.000Z`, `…+01:00`, a public CCV OPI-NL client): the shapes seen sent.
fn is_pos_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let base = bytes.len() >= 19
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19);
    let tail = &text[text.len().min(19)..];
    base && tail.len() <= 16
        && tail
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'Z' | '+' | '-' | ':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::Dialect;

    fn pay(kind: PaymentKind, amount: &str) -> Payment {
        Payment {
            kind,
            amount: amount.parse().unwrap(),
            currency: "EUR".into(),
            transaction_number: None,
            request_id: None,
            pos_timestamp: None,
            reference_number: None,
            merchant_reference: None,
        }
    }

    #[test]
    fn pos_timestamps_of_both_public_shapes_pass_and_others_do_not() {
        for good in [
            "2025-03-14T15:09:26",
            "2025-06-02T08:15:00.000Z",
            "2025-06-02T08:15:00.123+01:00",
        ] {
            assert!(is_pos_timestamp(good), "{good}");
        }
        for bad in [
            "",
            "2025-03-14 15:09:26",
            "14-03-2025T15:09:26",
            "2025-03-14T15:09",
            "2025-03-14T15:09:26<x>",
            "2025-03-14T15:09:26.00000000000000000",
        ] {
            assert!(!is_pos_timestamp(bad), "{bad}");
        }
    }

    #[test]
    fn an_app_request_id_must_be_a_number_of_one_to_nine_digits() {
        let nl = Terminal::new("127.0.0.1", Dialect::OpiNl);
        let with_id = |id: &str| Payment {
            request_id: Some(crate::message::RequestId(id.to_owned())),
            ..pay(PaymentKind::Sale, "1.00")
        };
        for good in ["1", "42", "999999999"] {
            assert!(check_payment(&nl, &with_id(good)).is_ok(), "{good}");
        }
        for bad in [
            "",
            "0",
            "000",
            "1000000000",
            "12a",
            "-5",
            "+5",
            " 7",
            "1.2",
            "4111111111111111",
        ] {
            let error = check_payment(&nl, &with_id(bad)).expect_err(bad);
            assert_eq!(error.result, Some(OverallResult::ValidationError));
            assert!(
                !error.detail.contains("4111111111111111"),
                "{}",
                error.detail
            );
        }
    }

    #[test]
    fn s1a_to_s1d_amounts_are_checked_before_sending() {
        let nl = Terminal::new("127.0.0.1", Dialect::OpiNl);
        assert!(
            check_payment(&nl, &pay(PaymentKind::Sale, "0.00")).is_err(),
            "S1A zero"
        );
        assert!(
            check_payment(&nl, &pay(PaymentKind::Sale, "-1.00")).is_err(),
            "S1B negative"
        );
        assert!(
            check_payment(&nl, &pay(PaymentKind::Sale, "999999.99")).is_ok(),
            "S1C highest"
        );
        assert!(
            check_payment(&nl, &pay(PaymentKind::Sale, "1000000.00")).is_err(),
            "S1D over"
        );
        assert!(
            check_payment(&nl, &pay(PaymentKind::Sale, "1.005")).is_err(),
            "sub-cent"
        );
        assert!(
            check_payment(&nl, &pay(PaymentKind::Sale, "1.500")).is_ok(),
            "trailing zero is exact"
        );
        let capture = PaymentKind::Capture {
            stan: Some("12".into()),
        };
        assert!(
            check_payment(&nl, &pay(capture, "0.00")).is_ok(),
            "E13 zero advice"
        );
        let error = check_payment(&nl, &pay(PaymentKind::Sale, "-1")).unwrap_err();
        assert_eq!(error.result, Some(OverallResult::ValidationError));
        let mut lower = nl.clone();
        lower.max_amount = "500.00".parse().unwrap();
        assert!(check_payment(&lower, &pay(PaymentKind::Sale, "500.01")).is_err());
    }

    #[test]
    fn voiding_a_specific_sale_needs_a_dialect_that_can() {
        let specific = PaymentKind::Reversal {
            stan: Some("29".into()),
        };
        let nl = Terminal::new("127.0.0.1", Dialect::OpiNl);
        let error = check_payment(&nl, &pay(specific.clone(), "1.00")).unwrap_err();
        assert_eq!(
            error.mapi_error,
            Some(MapiError::VoidSpecificSaleNotSupported)
        );
        let de = Terminal::new("127.0.0.1", Dialect::OpiDe);
        assert!(check_payment(&de, &pay(specific, "1.00")).is_ok());
        assert!(check_payment(&nl, &pay(PaymentKind::Reversal { stan: None }, "1.00")).is_ok());
    }
}
