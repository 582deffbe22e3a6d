//! The texts the simulated terminal asks the POS to show, print and journal. Receipt lines keep
//! leading spaces on purpose: real receipts align columns with them, and a POS that trims text
//! breaks them (the parser must keep them too).

use crate::dialect::Dialect;
use crate::message::{CardRequestType, OverallResult, TextLine, TotalAmount};

use super::responses::{CARD_CIRCUIT, MASKED_PAN};

/// What a receipt says about one payment.
pub(crate) struct ReceiptFacts<'a> {
    pub dialect: Dialect,
    pub terminal_id: &'a str,
    pub request_type: &'a CardRequestType,
    pub amount: Option<&'a TotalAmount>,
    pub stan: &'a str,
    pub approval_code: Option<&'a str>,
    pub result: &'a OverallResult,
    pub timestamp: &'a str,
    pub signature_line: bool,
}

/// Which copy of the receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Copy {
    Merchant,
    Customer,
    Journal,
}

fn amount_text(amount: Option<&TotalAmount>) -> String {
    match amount {
        Some(amount) => format!(
            "{} {}",
            amount.currency.as_deref().unwrap_or("EUR"),
            amount.value
        ),
        None => "-".to_owned(),
    }
}

/// Display rows, numbered as terminals number them.
pub(crate) fn display_lines(texts: &[&str]) -> Vec<TextLine> {
    texts
        .iter()
        .enumerate()
        .map(|(row, text)| TextLine {
            row: Some(row.to_string()),
            column: Some("0".to_owned()),
            ..TextLine::new(text)
        })
        .collect()
}

/// The cashier display while the terminal waits for the card.
pub(crate) fn present_card(amount: Option<&TotalAmount>) -> Vec<TextLine> {
    let amount = amount_text(amount);
    display_lines(&[&amount, "Present card"])
}

/// One copy of the receipt.
pub(crate) fn receipt(facts: &ReceiptFacts<'_>, copy: Copy) -> Vec<TextLine> {
    let header = match facts.dialect {
        Dialect::OpiNl => "      CCV Nederland (simulator)",
        Dialect::OpiDe => "      CCV Deutschland (Simulator)",
    };
    let outcome = match facts.result {
        OverallResult::Success => "Approved".to_owned(),
        OverallResult::Failure => "Declined".to_owned(),
        other => other.to_string(),
    };
    let mut lines = vec![
        header.to_owned(),
        format!("  Terminal        {}", facts.terminal_id),
        format!("  Date            {}", facts.timestamp),
        format!("  {}", facts.request_type),
        format!("  {CARD_CIRCUIT}"),
        format!("  Card            {MASKED_PAN}"),
        format!("  STAN            {}", facts.stan),
        format!("  Amount          {}", amount_text(facts.amount)),
        format!("  {outcome}"),
    ];
    if let Some(code) = facts.approval_code {
        lines.push(format!("  Approval code   {code}"));
    }
    if facts.signature_line && copy == Copy::Merchant {
        lines.push(String::new());
        lines.push("  Signature: ____________________".to_owned());
    }
    lines.push(
        match copy {
            Copy::Merchant => "         MERCHANT COPY",
            Copy::Customer => "         CUSTOMER COPY",
            Copy::Journal => "         JOURNAL",
        }
        .to_owned(),
    );
    lines.iter().map(|text| TextLine::new(text)).collect()
}

/// The totals report of a period closing or a transaction overview, from the same totals the
/// service response carries.
pub(crate) fn totals_report(title: &str, terminal_id: &str, timestamp: &str) -> Vec<TextLine> {
    let mut lines = vec![
        "      CCV (simulator)".to_owned(),
        format!("  {title}"),
        format!("  Terminal        {terminal_id}"),
        format!("  Date            {timestamp}"),
    ];
    for (circuit, count, value) in super::responses::TOTALS {
        lines.push(format!("  {circuit:<12} {count:>3}  EUR {value:>9}"));
    }
    lines.iter().map(|text| TextLine::new(text)).collect()
}

/// The DCC offer printed for the customer before the card is charged.
pub(crate) fn dcc_offer(amount: Option<&TotalAmount>) -> Vec<TextLine> {
    let amount = amount_text(amount);
    display_lines(&[
        "  Pay in your own currency?",
        &format!("  {amount} = USD (rate 1.0842, margin 3.5%)"),
        "  Choose on the terminal",
    ])
}
