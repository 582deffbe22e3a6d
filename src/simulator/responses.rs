//! The final responses the simulated terminal writes on channel 0, the RepeatLastMessage form of a
//! stored response, and the garbage of [`GarbageKind`](super::GarbageKind). Pure functions: the
//! tasks decide when, this file decides what.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::message::{
    Amount, Authorisation, CardCircuit, CardNumber, CardRequestType, CardServiceRequest,
    CardServiceResponse, CardValue, ConfigItem, Message, OriginalHeader, OverallResult,
    PrivateData, Reconciliation, RequestId, ServiceRequest, ServiceRequestType, ServiceResponse,
    Tender, TerminalInfo, TotalAmount,
};

/// ApplicationSender of everything the simulator sends, so a trace shows who spoke.
pub(crate) const APPLICATION_SENDER: &str = "CCV-Simulator";

/// The card every simulated payment uses, already masked the way CCV terminals mask it.
pub(crate) const MASKED_PAN: &str = "541333******4444";

/// The brand of that card.
pub(crate) const CARD_CIRCUIT: &str = "MASTERCARD";

/// What the terminal knows about itself when it answers.
#[derive(Debug, Clone)]
pub(crate) struct Facts<'a> {
    pub terminal_id: &'a str,
    /// STAN of the run, six digits with leading zeros (they matter: it is kept as text).
    pub stan: Option<&'a str>,
    pub timestamp: String,
}

impl Facts<'_> {
    fn terminal(&self) -> TerminalInfo {
        TerminalInfo {
            terminal_id: Some(self.terminal_id.to_owned()),
            terminal_batch: None,
            stan: self.stan.map(str::to_owned),
            merchant_id: None,
        }
    }
}

/// Formats a STAN the way terminals send it.
pub(crate) fn format_stan(stan: u32) -> String {
    format!("{:06}", stan % 1_000_000)
}

/// A deterministic six-digit approval code, so tests can recompute it from the STAN.
pub(crate) fn approval_code(stan: &str) -> String {
    let number: u64 = stan.parse().unwrap_or(0);
    format!("{:06}", (number * 7919 + 100_003) % 1_000_000)
}

/// The response to a payment-like request. Only approved and declined payments carry a `Tender`:
/// an aborted or refused request never reached the acquirer.
pub(crate) fn payment_response(
    request: &CardServiceRequest,
    result: OverallResult,
    facts: &Facts<'_>,
    error_text: Option<&str>,
) -> CardServiceResponse {
    let mut response = CardServiceResponse::answering(request, result.clone());
    response.application_sender = Some(APPLICATION_SENDER.to_owned());
    response.terminal = Some(facts.terminal());
    let approved = result == OverallResult::Success;
    if approved || result == OverallResult::Failure {
        if prints_receipts(&request.request_type) {
            response.tender = Some(Tender {
                total_amount: request.total_amount.clone(),
                payment_amount: None,
                authorisation: Some(Authorisation {
                    acquirer_id: Some("undefined".to_owned()),
                    authorisation_type: Some("Online".to_owned()),
                    card_circuit: Some(CARD_CIRCUIT.to_owned()),
                    card_pan: Some(CardNumber(MASKED_PAN.to_owned())),
                    merchant: Some("SIMULATED MERCHANT".to_owned()),
                    receipt_number: facts.stan.map(str::to_owned),
                    action_code: Some(if approved { "0" } else { "5" }.to_owned()),
                    return_code: Some(if approved { "0" } else { "5" }.to_owned()),
                    approval_code: approved.then(|| approval_code(facts.stan.unwrap_or("0"))),
                    timestamp: Some(facts.timestamp.clone()),
                }),
            });
        } else if approved {
            response.card_value = Some(CardValue {
                card_circuit: Some(CARD_CIRCUIT.to_owned()),
                card_pan: Some(CardNumber(MASKED_PAN.to_owned())),
                ..CardValue::default()
            });
        }
    }
    if !approved {
        response.private_data = Some(PrivateData {
            error_code: Some(error_code(&result).to_owned()),
            error_text: Some(error_text.unwrap_or(result.as_str()).to_owned()),
            ..PrivateData::default()
        });
    }
    response
}

fn error_code(result: &OverallResult) -> &'static str {
    match result {
        OverallResult::Failure => "05",
        OverallResult::Aborted => "17",
        OverallResult::Busy => "91",
        OverallResult::DeviceUnavailable => "92",
        _ => "96",
    }
}

/// Which card requests are money transactions with receipts, as opposed to card reads.
pub(crate) fn prints_receipts(request_type: &CardRequestType) -> bool {
    matches!(
        request_type,
        CardRequestType::CardPayment
            | CardRequestType::PaymentRefund
            | CardRequestType::PaymentReversal
            | CardRequestType::CardPreAuthorisation
            | CardRequestType::CardFinancialAdvice
    )
}

/// Which responses a RepeatLastMessage repeats: money transactions and period closings. Login,
/// Diagnosis and the like are not stored, because a POS logs in again after a restart *before* it
/// recovers, and that login must not overwrite the payment being recovered.
pub(crate) fn is_recoverable(message: &Message) -> bool {
    match message {
        Message::CardServiceResponse(response) => !matches!(
            response.request_type,
            CardRequestType::AbortRequest | CardRequestType::RepeatLastMessage
        ),
        Message::ServiceResponse(response) => matches!(
            response.request_type,
            ServiceRequestType::Reconciliation | ServiceRequestType::ReconciliationWithClosure
        ),
        _ => false,
    }
}

/// The answer to a service request (Login, Diagnosis, Reconciliation…).
pub(crate) fn service_response(
    request: &ServiceRequest,
    result: OverallResult,
    facts: &Facts<'_>,
) -> ServiceResponse {
    let mut response = ServiceResponse::answering(request, result.clone());
    response.application_sender = Some(APPLICATION_SENDER.to_owned());
    response.terminal = Some(facts.terminal());
    let closing = matches!(
        request.request_type,
        ServiceRequestType::Reconciliation
            | ServiceRequestType::ReconciliationWithClosure
            | ServiceRequestType::TransactionOverview
    );
    if closing && result == OverallResult::Success {
        response.authorisation = Some(Authorisation {
            timestamp: Some(facts.timestamp.clone()),
            ..Authorisation::default()
        });
        response.reconciliation = Some(Reconciliation {
            language_code: Some("en".to_owned()),
            totals: TOTALS
                .iter()
                .map(|(circuit, count, value)| total(value, count, circuit))
                .collect(),
        });
    }
    let ccv = |private: PrivateData| Some(private);
    match (&request.request_type, result == OverallResult::Success) {
        (ServiceRequestType::GetConfig, true) => {
            response.private_data = ccv(PrivateData {
                config: CONFIG
                    .iter()
                    .map(|(name, value)| ConfigItem {
                        name: (*name).to_owned(),
                        value: (*value).to_owned(),
                    })
                    .collect(),
                ..PrivateData::default()
            })
        }
        // CCV-FW reads `<CardCircuit DisplayName="…">CODE</CardCircuit>` anywhere in the answer;
        // where exactly a terminal puts them is not public: here, children of the answer.
        (ServiceRequestType::GetCardCircuits | ServiceRequestType::CardCircuits, true) => {
            response.card_circuits = CIRCUITS
                .iter()
                .map(|(code, name)| CardCircuit {
                    display_name: Some((*name).to_owned()),
                    code: (*code).to_owned(),
                })
                .collect();
        }
        _ => {}
    }
    response
}

/// Period totals of the simulated terminal: card circuit, number of payments, amount.
pub(crate) const TOTALS: [(&str, &str, &str); 2] =
    [(CARD_CIRCUIT, "3", "125.50"), ("VISA", "1", "42.00")];

/// What GetConfig reports.
pub(crate) const CONFIG: [(&str, &str); 4] = [
    ("TerminalType", "simulator"),
    ("SoftwareVersion", "1.0.0"),
    ("Currency", "EUR"),
    ("PrinterAvailable", "false"),
];

/// The card brands GetCardCircuits reports: code (CCV-FW's codes) and display name.
pub(crate) const CIRCUITS: [(&str, &str); 4] = [
    ("MAES", "Maestro"),
    ("ECMC", "Mastercard"),
    ("VISA", "Visa"),
    ("AMEX", "American Express"),
];

/// A deterministic card token for a payment, so tests can recompute it.
pub(crate) fn card_token(stan: &str) -> String {
    format!("TKN-SIM-{stan}-7F3A")
}

fn total(value: &str, count: &str, circuit: &str) -> TotalAmount {
    TotalAmount {
        currency: Some("EUR".to_owned()),
        number_payments: Some(count.to_owned()),
        payment_type: Some(if circuit == "VISA" { "Credit" } else { "Debit" }.to_owned()),
        card_circuit: Some(circuit.to_owned()),
        payment_amount: None,
        value: value.parse().unwrap_or(Amount(Default::default())),
    }
}

/// A bare answer to any request: same root family, RequestID and RequestType (aborts, Busy,
/// "nothing stored"). `None` for messages that are not requests.
pub(crate) fn plain_answer(request: &Message, result: OverallResult) -> Option<Message> {
    match request {
        Message::CardServiceRequest(request) => {
            let mut response = CardServiceResponse::answering(request, result);
            response.application_sender = Some(APPLICATION_SENDER.to_owned());
            Some(Message::CardServiceResponse(response))
        }
        Message::ServiceRequest(request) => {
            let mut response = ServiceResponse::answering(request, result);
            response.application_sender = Some(APPLICATION_SENDER.to_owned());
            Some(Message::ServiceResponse(response))
        }
        _ => None,
    }
}

/// The header naming the request a RepeatLastMessage answer repeats.
fn original_header(
    request_type: &str,
    request_id: &RequestId,
    workstation_id: &str,
    pop_id: Option<&String>,
    result: &OverallResult,
) -> OriginalHeader {
    OriginalHeader {
        request_type: Some(request_type.to_owned()),
        request_id: Some(request_id.clone()),
        workstation_id: Some(workstation_id.to_owned()),
        application_sender: None,
        pop_id: pop_id.cloned(),
        overall_result: Some(result.clone()),
    }
}

/// `answer` with its OriginalHeader's RequestID replaced by `id` (dotted or another request's).
pub(crate) fn with_original_id(mut answer: Message, id: &str) -> Message {
    let header = match &mut answer {
        Message::CardServiceResponse(r) => r.original_header.as_mut(),
        Message::ServiceResponse(r) => r.original_header.as_mut(),
        _ => None,
    };
    if let Some(header) = header {
        header.request_id = Some(RequestId(id.to_owned()));
    }
    answer
}

/// The stored response re-addressed to a RepeatLastMessage: the stored root and body, the asker's
/// RequestID and workstation, RequestType RepeatLastMessage, and an OriginalHeader naming the
/// original request (the POS's recovery key).
pub(crate) fn repeat_answer(stored: &Message, repeat: &Message) -> Message {
    let request_id = repeat.request_id().clone();
    let workstation = match repeat {
        Message::CardServiceRequest(r) => Some(r.workstation_id.clone()),
        Message::ServiceRequest(r) => Some(r.workstation_id.clone()),
        _ => None,
    };
    match stored {
        Message::CardServiceResponse(original) => {
            let mut answer = original.clone();
            answer.original_header = Some(original_header(
                original.request_type.as_str(),
                &original.request_id,
                &original.workstation_id,
                original.pop_id.as_ref(),
                &original.overall_result,
            ));
            answer.request_id = request_id;
            answer.request_type = CardRequestType::RepeatLastMessage;
            answer.workstation_id = workstation.unwrap_or(answer.workstation_id);
            Message::CardServiceResponse(answer)
        }
        Message::ServiceResponse(original) => {
            let mut answer = original.clone();
            answer.original_header = Some(original_header(
                original.request_type.as_str(),
                &original.request_id,
                &original.workstation_id,
                original.pop_id.as_ref(),
                &original.overall_result,
            ));
            answer.request_id = request_id;
            answer.request_type = ServiceRequestType::RepeatLastMessage;
            answer.workstation_id = workstation.unwrap_or(answer.workstation_id);
            Message::ServiceResponse(answer)
        }
        other => other.clone(),
    }
}

/// A copy of `response` addressed to a RequestID that differs from the real one.
pub(crate) fn with_wrong_request_id(response: &CardServiceResponse) -> CardServiceResponse {
    let wrong = if response.request_id.as_str() == "999999999" {
        "999999998"
    } else {
        "999999999"
    };
    CardServiceResponse {
        request_id: RequestId::from(wrong),
        ..response.clone()
    }
}

/// A payload that starts like the response and stops mid-element.
pub(crate) fn malformed_xml(request_id: &RequestId) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CardServiceResponse RequestType=\"CardPayment\" \
         RequestID=\"{request_id}\" OverallResult=\"Success\"><Terminal TerminalID=\"1\"><Tender"
    )
    .into_bytes()
}

/// A well-formed payload whose root OPI does not define.
pub(crate) fn unknown_message(terminal_id: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><TerminalStatusNotification RequestType=\"Status\" \
         RequestID=\"0\" TerminalID=\"{terminal_id}\"><Status>Idle</Status></TerminalStatusNotification>"
    )
    .into_bytes()
}

/// The present time as terminals write it: `2024-02-09T09:36:28+00:00` (UTC).
pub(crate) fn timestamp_now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_timestamp(seconds)
}

/// Formats seconds since 1970 as a UTC civil time (days-to-date after H. Hinnant's algorithm).
fn format_timestamp(seconds: u64) -> String {
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+00:00",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_civil_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(format_timestamp(1_707_471_388), "2024-02-09T09:36:28+00:00");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29T00:00:00+00:00");
    }

    #[test]
    fn stan_keeps_leading_zeros() {
        assert_eq!(format_stan(42), "000042");
        assert_eq!(approval_code("000042").len(), 6);
    }

    #[test]
    fn garbage_is_what_it_claims() {
        assert!(Message::parse(&malformed_xml(&RequestId::from("1"))).is_err());
        assert!(matches!(
            Message::parse(&unknown_message("1")),
            Err(crate::message::ParseError::UnknownRoot(_))
        ));
    }
}
