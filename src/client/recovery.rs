//! What a RepeatLastMessage answer proves about the requests the journal holds. One rule: only
//! the terminal's answer about *this* request settles it. Everything else — Busy, a terminal still
//! finishing the payment, an answer without an `OriginalHeader`, an answer about another request —
//! settles nothing, and the entry stays.
//!
//! Evidence (public OPI-NL integrations of CCV terminals):
//! - A firmware that drives a CCV terminal over OPI-NL retries RepeatLastMessage until the answer
//!   is definitive, and on `PrintLastTicket` asks for a `TicketReprint` (retried while the
//!   terminal answers `DeviceUnavailable`).
//! - The same firmware splits `OriginalHeader@RequestID` on `.`: the part before the dot is the
//!   RequestID of the POS's request on channel 0, the part after it the RequestID of the last
//!   DeviceRequest the terminal sent (on channel 1) while that request ran; it numbers those from
//!   0 again for every request. So `42.3` is "request 42, its device request 3": it is an answer
//!   about request 42. The part after the dot says which receipt output the terminal sent last;
//!   we keep it as evidence, it never changes which request is meant.

use crate::message::Response;
use crate::message::{OverallResult, RequestId};

use super::delegate::{PendingPayment, PendingState};
use super::journal::{EntryState, JournalEntry, Stored};

/// What an answer proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The terminal's final answer about `candidates[index]`.
    Settled {
        /// Which journaled request.
        index: usize,
        /// The original request's result.
        result: OverallResult,
    },
    /// The terminal asks for its last ticket to be reprinted (CCV's documented path): the outcome
    /// is on that ticket. `index` is the request the answer names, when it names one of ours.
    PrintLastTicket {
        /// Which journaled request, if the answer names one.
        index: Option<usize>,
    },
    /// Nothing is proven; the entries stay.
    Unsettled(Unsettled),
}

/// Why an answer settles nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsettled {
    /// The terminal cannot say now (`Busy`, `DeviceUnavailable`, `TimedOut`, …), typically because
    /// it is still finishing the request.
    NotNow(OverallResult),
    /// The answer names no original request.
    NoOriginalHeader(OverallResult),
    /// The answer is about a request the journal does not hold (or another workstation's).
    OtherRequest(String),
    /// The answer names our request but its result is not a final one.
    NotFinal(OverallResult),
    /// The header's result and the answer's result disagree.
    Conflicting(OverallResult, OverallResult),
}

impl std::fmt::Display for Unsettled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unsettled::NotNow(r) => write!(f, "the terminal answered {r}: it cannot tell now"),
            Unsettled::NoOriginalHeader(r) => write!(
                f,
                "the terminal answered {r} without naming the original request (no OriginalHeader)"
            ),
            Unsettled::OtherRequest(id) => {
                write!(
                    f,
                    "the terminal's last answer is about request {id}, not ours"
                )
            }
            Unsettled::NotFinal(r) => {
                write!(
                    f,
                    "the terminal named our request with the result {r}, which is not final"
                )
            }
            Unsettled::Conflicting(a, b) => write!(
                f,
                "the answer says {a} and its OriginalHeader says {b}: nothing can be concluded"
            ),
        }
    }
}

/// Results that end a payment for good: the terminal decided (approved, declined, aborted, or
/// refused the request as malformed, which also moves no money).
pub fn is_final(result: &OverallResult) -> bool {
    matches!(
        result,
        OverallResult::Success
            | OverallResult::Failure
            | OverallResult::Aborted
            | OverallResult::PartialFailure
            | OverallResult::UnknownCard
            | OverallResult::FormatError
            | OverallResult::ParsingError
            | OverallResult::ValidationError
            | OverallResult::MissingMandatoryData
            | OverallResult::NotSupported
    )
}

/// CCV's "reprint the last ticket" answer.
pub fn is_print_last_ticket(result: &OverallResult) -> bool {
    *result == OverallResult::PrintLastTicket
}

/// The request part of a RequestID as OPI-NL traces write it (`42` or `42.3`), without leading
/// zeros so `042` and `42` are the same request.
pub fn request_part(id: &str) -> &str {
    let head = id.trim().split('.').next().unwrap_or("");
    let trimmed = head.trim_start_matches('0');
    if trimmed.is_empty() && !head.is_empty() {
        "0"
    } else {
        trimmed
    }
}

/// Whether the RequestID `answer` (possibly dotted) names our request `ours`.
pub fn names_request(answer: &RequestId, ours: &str) -> bool {
    let part = request_part(answer.as_str());
    !part.is_empty() && part == request_part(ours)
}

/// Judges a RepeatLastMessage answer against the journaled `candidates` of this terminal.
pub fn judge(response: &Response, candidates: &[JournalEntry], workstation: &str) -> Verdict {
    let answered = response.overall_result().clone();
    let Some(header) = response.original_header() else {
        if is_print_last_ticket(&answered) {
            return Verdict::PrintLastTicket { index: None };
        }
        if is_final(&answered) {
            return Verdict::Unsettled(Unsettled::NoOriginalHeader(answered));
        }
        return Verdict::Unsettled(Unsettled::NotNow(answered));
    };
    let Some(original_id) = header.request_id.as_ref() else {
        return Verdict::Unsettled(Unsettled::NoOriginalHeader(answered));
    };
    let other = || Verdict::Unsettled(Unsettled::OtherRequest(original_id.to_string()));
    if header
        .workstation_id
        .as_deref()
        .is_some_and(|w| w.trim() != workstation.trim())
    {
        return other();
    }
    let Some(index) = candidates
        .iter()
        .position(|c| names_request(original_id, &c.request_id))
    else {
        return other();
    };
    // An answer about an AbortRequest that reused the payment's RequestID is not the payment's.
    if header
        .request_type
        .as_deref()
        .is_some_and(|t| t.trim() != candidates[index].request_type)
    {
        return other();
    }
    let result = match &header.overall_result {
        Some(in_header) if *in_header != answered => {
            // Some terminals answer the RepeatLastMessage itself with Success and carry the
            // original's result in the header only; any other disagreement proves nothing.
            if answered == OverallResult::Success {
                in_header.clone()
            } else {
                return Verdict::Unsettled(Unsettled::Conflicting(answered, in_header.clone()));
            }
        }
        _ => answered,
    };
    if is_print_last_ticket(&result) {
        return Verdict::PrintLastTicket { index: Some(index) };
    }
    if is_final(&result) {
        Verdict::Settled { index, result }
    } else {
        Verdict::Unsettled(Unsettled::NotFinal(result))
    }
}

/// The app's view of a journal file.
pub(crate) fn pending_of(stored: &Stored) -> PendingPayment {
    match stored {
        Stored::Entry { entry, .. } => PendingPayment {
            key: entry.request_id.clone(),
            request_id: Some(RequestId(entry.request_id.clone())),
            request_type: Some(entry.request_type.clone()),
            amount: entry.amount.as_deref().and_then(|a| a.parse().ok()),
            currency: entry.currency.clone(),
            terminal: Some(entry.terminal.clone()),
            started_at_ms: Some(entry.started_at_ms),
            state: match entry.state {
                EntryState::InFlight => PendingState::InFlight,
                EntryState::Pending => PendingState::Pending,
                EntryState::NeedsOperator => PendingState::NeedsOperator,
            },
            attempts: entry.attempts,
            reason: entry.reason.clone().unwrap_or_else(|| {
                "sent to the terminal; its answer never reached the app (crash or lost connection)"
                    .to_owned()
            }),
            evidence: entry.evidence.clone(),
        },
        Stored::Corrupt { path, reason } => PendingPayment {
            key: stored.key(),
            request_id: None,
            request_type: None,
            amount: None,
            currency: None,
            terminal: None,
            started_at_ms: None,
            state: PendingState::Corrupt,
            attempts: 0,
            reason: format!(
                "{} is corrupt ({reason}); it was left untouched: send it to support, then resolve it by its file name",
                path.display()
            ),
            evidence: Vec::new(),
        },
    }
}

pub(crate) fn describe(entry: &JournalEntry) -> String {
    format!(
        "request {} ({} {} {})",
        entry.request_id,
        entry.request_type,
        entry.amount.as_deref().unwrap_or("-"),
        entry.currency.as_deref().unwrap_or("")
    )
}

/// One line of evidence about an answer (the XML's summary, no card data).
pub(crate) fn summary(response: &Response) -> String {
    let header = response
        .original_header()
        .map(|h| {
            format!(
                " OriginalHeader RequestID={} RequestType={} OverallResult={}",
                h.request_id.as_ref().map_or("-", |r| r.as_str()),
                h.request_type.as_deref().unwrap_or("-"),
                h.overall_result.as_ref().map_or("-", |r| r.as_str()),
            )
        })
        .unwrap_or_else(|| " (no OriginalHeader)".to_owned());
    format!(
        "{} {} answered {}{header}",
        response.request_type(),
        response.request_id(),
        response.overall_result()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::journal::{EntryState, JOURNAL_VERSION};
    use crate::message::{
        CardRequestType, CardServiceRequest, CardServiceResponse, OriginalHeader,
    };

    fn entry(id: &str) -> JournalEntry {
        JournalEntry {
            version: JOURNAL_VERSION,
            request_id: id.into(),
            request_type: "CardPayment".into(),
            amount: Some("1.00".into()),
            currency: Some("EUR".into()),
            terminal: "t".into(),
            workstation_id: "POS1".into(),
            started_at_ms: 0,
            state: EntryState::InFlight,
            attempts: 0,
            reason: None,
            evidence: vec![],
        }
    }

    fn answer(result: &str, header: Option<(&str, Option<&str>, Option<&str>)>) -> Response {
        let request = CardServiceRequest::new(
            CardRequestType::RepeatLastMessage,
            "POS1",
            RequestId::from(900u64),
        );
        let mut response =
            CardServiceResponse::answering(&request, OverallResult::from_wire(result));
        response.original_header = header.map(|(id, ty, ws)| OriginalHeader {
            request_id: Some(RequestId(id.to_owned())),
            request_type: ty.map(str::to_owned),
            workstation_id: ws.map(str::to_owned),
            ..OriginalHeader::default()
        });
        Response::Card(response)
    }

    #[test]
    fn only_an_answer_naming_our_request_with_a_final_result_settles_it() {
        let ours = [entry("42")];
        let cases: Vec<(Response, Verdict)> = vec![
            (
                answer("Success", Some(("42", Some("CardPayment"), Some("POS1")))),
                Verdict::Settled {
                    index: 0,
                    result: OverallResult::Success,
                },
            ),
            (
                answer("Failure", Some(("42", None, None))),
                Verdict::Settled {
                    index: 0,
                    result: OverallResult::Failure,
                },
            ),
            (
                answer("Success", Some(("42.3", None, None))),
                Verdict::Settled {
                    index: 0,
                    result: OverallResult::Success,
                },
            ),
            (
                answer("Success", Some(("042", None, None))),
                Verdict::Settled {
                    index: 0,
                    result: OverallResult::Success,
                },
            ),
            (
                answer("Busy", None),
                Verdict::Unsettled(Unsettled::NotNow(OverallResult::Busy)),
            ),
            (
                answer("DeviceUnavailable", None),
                Verdict::Unsettled(Unsettled::NotNow(OverallResult::DeviceUnavailable)),
            ),
            (
                answer("Failure", None),
                Verdict::Unsettled(Unsettled::NoOriginalHeader(OverallResult::Failure)),
            ),
            (
                answer("Success", Some(("41", None, None))),
                Verdict::Unsettled(Unsettled::OtherRequest("41".into())),
            ),
            (
                answer("Success", Some(("4.2", None, None))),
                Verdict::Unsettled(Unsettled::OtherRequest("4.2".into())),
            ),
            (
                answer("Success", Some(("42", None, Some("POS2")))),
                Verdict::Unsettled(Unsettled::OtherRequest("42".into())),
            ),
            (
                answer("Failure", Some(("42", Some("AbortRequest"), None))),
                Verdict::Unsettled(Unsettled::OtherRequest("42".into())),
            ),
            (
                answer("TimedOut", Some(("42", None, None))),
                Verdict::Unsettled(Unsettled::NotFinal(OverallResult::TimedOut)),
            ),
            (
                answer("PrintLastTicket", None),
                Verdict::PrintLastTicket { index: None },
            ),
            (
                answer("PrintLastTicket", Some(("42", None, None))),
                Verdict::PrintLastTicket { index: Some(0) },
            ),
            (
                answer("PrintLastTicket", Some(("41", None, None))),
                Verdict::Unsettled(Unsettled::OtherRequest("41".into())),
            ),
        ];
        for (response, expected) in cases {
            assert_eq!(judge(&response, &ours, "POS1"), expected, "{response:?}");
        }
    }

    #[test]
    fn the_header_result_decides_only_when_the_answer_itself_is_success() {
        let ours = [entry("7")];
        let mut response = answer("Success", Some(("7", None, None)));
        if let Response::Card(r) = &mut response {
            if let Some(h) = r.original_header.as_mut() {
                h.overall_result = Some(OverallResult::Failure);
            }
        }
        assert_eq!(
            judge(&response, &ours, "POS1"),
            Verdict::Settled {
                index: 0,
                result: OverallResult::Failure
            }
        );
        let mut response = answer("Busy", Some(("7", None, None)));
        if let Response::Card(r) = &mut response {
            if let Some(h) = r.original_header.as_mut() {
                h.overall_result = Some(OverallResult::Success);
            }
        }
        assert_eq!(
            judge(&response, &ours, "POS1"),
            Verdict::Unsettled(Unsettled::Conflicting(
                OverallResult::Busy,
                OverallResult::Success
            ))
        );
    }

    #[test]
    fn an_answer_about_an_older_pending_request_settles_that_one() {
        let ours = [entry("10"), entry("11")];
        assert_eq!(
            judge(&answer("Failure", Some(("10", None, None))), &ours, "POS1"),
            Verdict::Settled {
                index: 0,
                result: OverallResult::Failure
            }
        );
    }

    #[test]
    fn request_parts_compare_without_leading_zeros_and_after_the_dot() {
        assert!(names_request(&RequestId("2.3".into()), "2"));
        assert!(!names_request(&RequestId("23".into()), "2"));
        assert!(!names_request(&RequestId("".into()), ""));
        assert!(names_request(&RequestId("0".into()), "000"));
    }
}
