//! What the simulated terminal does with the next payment: how long the cardholder takes, what the
//! acquirer decides, and which failure the POS must survive. A test replaces the script through the
//! handle at any time; a run reads it once, when its request arrives, so a script change never
//! alters a payment half-way.

use std::time::Duration;

use crate::message::{OverallResult, WireProfile};

/// How a run passes one of its two waiting points. Tests use [`Gate::Hold`] and release the gate
/// when the wire shows what they want to see, so nothing depends on sleeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Pass at once.
    Immediate,
    /// Pass after this long (or earlier, when released through the handle).
    After(Duration),
    /// Wait until `SimulatorHandle::release` opens the gate (or a RepeatLastMessage finishes the run).
    Hold,
}

/// The two waiting points of a payment run, named for what the terminal waits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The cardholder presents the card; until this gate passes an abort is accepted (F1A).
    CardPresented,
    /// The payment is authorised and the terminal is finishing it; an abort now is refused (F1B).
    Completion,
}

/// A misbehaviour the POS must survive (certification Q1C, Q1G, T1A and hostile-input hardening).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Close the payment's channel-0 connection at this point; the payment itself then carries on
    /// as after any lost connection (see [`OnDisconnect`]).
    CloseAt(FaultPoint),
    /// Never send the payment's response (Q1G "terminal not responding"). The result is still
    /// stored, so a RepeatLastMessage recovers it.
    Silent,
    /// Send broken or misleading bytes instead of, or before, the payment's response.
    Garbage(GarbageKind),
}

/// Where in a payment run a [`Fault::CloseAt`] strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultPoint {
    /// Right after the request arrived, before any device request.
    RequestReceived,
    /// Right after authorisation: money has moved, the POS must recover (T1A).
    Authorised,
    /// With the response built and stored, just before it would be written.
    BeforeResponse,
}

/// The kind of garbage a [`Fault::Garbage`] sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GarbageKind {
    /// A frame holding unterminated XML, **instead of** the response.
    MalformedXml,
    /// The response's XML without its length prefix, **instead of** the response: its `<?xm` reads
    /// as a ~1 GB length, which the POS must refuse without allocating.
    HugeLength,
    /// A well-formed frame with a root element OPI does not define, **before** the response.
    UnknownMessage,
    /// A copy of the response carrying a RequestID nobody asked for, **before** the real one.
    WrongRequestId,
}

/// What happens to a running payment whose channel-0 connection closes (POS crash, H2A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OnDisconnect {
    /// The payment completes with the scripted result and is stored for RepeatLastMessage: money
    /// moved and the POS must find out by recovery.
    #[default]
    Complete,
    /// Before authorisation the payment ends `Aborted` (stored, not sent); after authorisation it
    /// completes anyway, because an authorised payment cannot be taken back by a lost socket.
    Abort,
}

/// The scripted behaviour of the simulated terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// When the cardholder presents the card.
    pub card_presented: Gate,
    /// When the authorised payment completes.
    pub completion: Gate,
    /// OverallResult of payment-like requests that run to completion.
    pub result: OverallResult,
    /// OverallResult of service requests (Login, Diagnosis, Reconciliation…).
    pub service_result: OverallResult,
    /// A misbehaviour to inject into payment runs.
    pub fault: Option<Fault>,
    /// Send the AbortRequest's response before the aborted payment's, to prove the POS matches
    /// responses by RequestID + RequestType and not by arrival order.
    pub abort_responses_first: bool,
    /// Never answer an AbortRequest, so the POS's abort timeout fires.
    pub ignore_aborts: bool,
    /// After authorisation, ask the cashier "Signature OK?" (U1B); `false` declines the payment.
    pub ask_signature: bool,
    /// After authorisation, ask the cashier to check the customer's identification (U1A); `false`
    /// declines the payment. With `ask_signature` too it is U1C.
    pub ask_identification: bool,
    /// Also show "Present card" on the POS's customer display (a CustomerDisplay device request).
    pub customer_display: bool,
    /// What a lost channel-0 connection does to the running payment.
    pub on_disconnect: OnDisconnect,
    /// Send the "Present card" display and the receipts/e-journal as device requests. The
    /// "Aborted" display of a normal abort is part of the abort protocol and is sent regardless.
    pub device_requests: bool,
    /// Accept reservations and captures; `false` answers CardPreAuthorisation and
    /// CardFinancialAdvice NotSupported, like a terminal without the authorise-and-capture flow.
    pub auth_and_capture: bool,
    /// What a Mifare card read (`readMifareUID`) finds.
    pub mifare: MifareCard,
    /// Before the card is asked for, print a DCC offer (a DCCOffer device request).
    pub dcc_offer: bool,
    /// After the customer receipt, send an electronic receipt (an E-Receipt device request).
    pub e_receipt: bool,
    /// After the receipts, send a journal receipt (a JournalPrinter device request; M2A/M3A).
    pub journal_receipt: bool,
    /// After the card, before authorisation, ask the POS whether the goods were delivered (CCV's
    /// unattended DeliveryBox step); "not delivered", or no answer within `delivery_box_wait`,
    /// ends the payment Aborted without charging.
    pub delivery_box: bool,
    /// How long the terminal waits for the DeliveryBox answer (about 30 s on CCV's terminals).
    pub delivery_box_wait: Duration,
    /// How the terminal answers its 1st, 2nd, … RepeatLastMessage since this script was set; after
    /// the list (and when it is empty) it repeats its last response truthfully.
    pub recovery_answers: Vec<RecoveryAnswer>,
    /// Play a strict terminal that takes only this profile's spelling of every disputed part of a
    /// request (see `strict`); `None` takes every public variant.
    pub wire_profile: Option<WireProfile>,
}

/// One answer to a RepeatLastMessage, as public OPI-NL integrations show CCV terminals give them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryAnswer {
    /// The stored last response, with an OriginalHeader naming its request.
    Repeat,
    /// The stored last response, its OriginalHeader RequestID in the dotted form `id.N` (the
    /// request, then the last device request the terminal sent during it).
    RepeatDotted(u32),
    /// The stored last response, but its OriginalHeader names another RequestID (as when the
    /// terminal's last answer belongs to a request of another POS or an earlier run).
    RepeatForeign(String),
    /// A bare answer with this result and no OriginalHeader (`Busy`, `DeviceUnavailable`,
    /// `TimedOut`, `PrintLastTicket`, …): the terminal says nothing about any request.
    Bare(OverallResult),
}

/// The card a Mifare read finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MifareCard {
    /// A known card with this UID (hex).
    Present(String),
    /// A card the terminal cannot read as Mifare (I2): answered UnknownCard.
    Unknown,
    /// No card within the terminal's time (I3): answered TimedOut.
    Absent,
}

impl Default for Script {
    /// A terminal where every card is presented at once and every payment is approved.
    fn default() -> Self {
        Script {
            card_presented: Gate::Immediate,
            completion: Gate::Immediate,
            result: OverallResult::Success,
            service_result: OverallResult::Success,
            fault: None,
            abort_responses_first: false,
            ignore_aborts: false,
            ask_signature: false,
            ask_identification: false,
            customer_display: false,
            on_disconnect: OnDisconnect::Complete,
            device_requests: true,
            auth_and_capture: true,
            mifare: MifareCard::Present("04A224B2C35E80".to_owned()),
            dcc_offer: false,
            e_receipt: false,
            journal_receipt: false,
            recovery_answers: Vec::new(),
            delivery_box: false,
            delivery_box_wait: Duration::from_secs(30),
            wire_profile: None,
        }
    }
}

/// Long enough for a person (or a POS under test) to press abort, short of CCV's 120 s timeout.
const HUMAN_DELAY: Duration = Duration::from_secs(60);

/// Name and description of every preset, in the order `--help` lists them.
const PRESETS: &[(&str, &str)] = &[
    (
        "success",
        "card presented at once, payment approved (C1A happy flow)",
    ),
    (
        "declined",
        "payment declined by the host: OverallResult Failure (C1E)",
    ),
    (
        "busy",
        "every payment answered Busy at once, no device requests",
    ),
    (
        "device-unavailable",
        "every payment answered DeviceUnavailable at once (Q1F)",
    ),
    (
        "abort-window",
        "card presented only after 60 s: an abort in that window is accepted (F1A)",
    ),
    (
        "too-late",
        "quick authorisation, completion after 60 s: an abort is refused (F1B)",
    ),
    (
        "hold",
        "both gates held until released (example: type 'card' / 'complete' on stdin)",
    ),
    (
        "silent",
        "payment never answered; result stored for recovery (Q1G)",
    ),
    (
        "close-after-request",
        "channel 0 closed as soon as the payment arrives; payment completes",
    ),
    (
        "close-after-authorisation",
        "channel 0 closed after authorisation; payment completes (T1A)",
    ),
    (
        "delivery-box",
        "after the card, asks the POS whether the goods were delivered (DeliveryBox); no ends it Aborted",
    ),
    (
        "close-after-authorisation-recovery-busy",
        "as close-after-authorisation; the first RepeatLastMessage is answered Busy without OriginalHeader",
    ),
    (
        "close-after-authorisation-print-last-ticket",
        "as close-after-authorisation; the first RepeatLastMessage is answered PrintLastTicket",
    ),
    (
        "close-before-response",
        "channel 0 closed instead of sending the response",
    ),
    (
        "garbage",
        "a malformed XML frame instead of the payment response",
    ),
    (
        "huge-length",
        "the response's XML without length prefix (reads as a ~1 GB length)",
    ),
    (
        "unknown-message",
        "an unknown root element before the payment response",
    ),
    (
        "wrong-request-id",
        "a response with a RequestID nobody asked for, then the real one",
    ),
    (
        "signature",
        "asks the cashier 'Signature OK?'; answering no declines (U1B)",
    ),
    (
        "identification",
        "asks the cashier to check the customer's identification; answering no declines (U1A)",
    ),
    (
        "customer-display",
        "the happy flow, with 'Present card' also on the POS's customer display",
    ),
    (
        "signature-and-identification",
        "asks for the signature, then the identification (U1C)",
    ),
    (
        "ignore-aborts",
        "slow card presentation and AbortRequests never answered",
    ),
    (
        "abort-responses-first",
        "slow card presentation; an accepted abort is answered before the payment",
    ),
    (
        "disconnect-aborts",
        "slow card presentation; a lost connection aborts the payment",
    ),
    (
        "no-auth-and-capture",
        "reservations and captures answered NotSupported",
    ),
    (
        "dcc",
        "the happy flow with a DCC offer printed before the card is asked",
    ),
    (
        "e-receipt",
        "the happy flow with an electronic receipt after the customer receipt",
    ),
    (
        "journal-receipt",
        "the happy flow with a journal receipt after the receipts (M2A/M3A)",
    ),
    (
        "mifare-unknown",
        "a Mifare read finds a card it cannot read (UnknownCard, I2)",
    ),
    (
        "mifare-absent",
        "a Mifare read finds no card (TimedOut, I3)",
    ),
];

impl Script {
    /// The happy flow (C1A).
    pub fn success() -> Script {
        Script::default()
    }

    /// The host declines the payment (C1E).
    pub fn declined() -> Script {
        Script {
            result: OverallResult::Failure,
            ..Script::default()
        }
    }

    /// A terminal that refuses every payment with Busy, as one occupied by another POS would.
    pub fn busy() -> Script {
        Script {
            result: OverallResult::Busy,
            device_requests: false,
            ..Script::default()
        }
    }

    /// A terminal whose card reader is unavailable (Q1F).
    pub fn device_unavailable() -> Script {
        Script {
            result: OverallResult::DeviceUnavailable,
            device_requests: false,
            ..Script::default()
        }
    }

    /// The cardholder takes long to present the card, leaving time for an accepted abort (F1A).
    pub fn abort_window() -> Script {
        Script {
            card_presented: Gate::After(HUMAN_DELAY),
            ..Script::default()
        }
    }

    /// Authorisation happens quickly and completion takes long, so an abort comes too late (F1B).
    pub fn too_late() -> Script {
        Script {
            card_presented: Gate::After(Duration::from_millis(200)),
            completion: Gate::After(HUMAN_DELAY),
            ..Script::default()
        }
    }

    /// Both gates wait for an explicit release.
    pub fn hold() -> Script {
        Script {
            card_presented: Gate::Hold,
            completion: Gate::Hold,
            ..Script::default()
        }
    }

    /// The terminal never answers the payment (Q1G).
    pub fn silent() -> Script {
        Script::with_fault(Fault::Silent)
    }

    /// The terminal drops the connection as soon as the payment arrives.
    pub fn close_after_request() -> Script {
        Script::with_fault(Fault::CloseAt(FaultPoint::RequestReceived))
    }

    /// The terminal drops the connection after authorising (money moved: T1A recovery).
    pub fn close_after_authorisation() -> Script {
        Script::with_fault(Fault::CloseAt(FaultPoint::Authorised))
    }

    /// The terminal drops the connection instead of answering.
    pub fn close_before_response() -> Script {
        Script::with_fault(Fault::CloseAt(FaultPoint::BeforeResponse))
    }

    /// The terminal sends garbage of the given kind around the payment's response.
    pub fn garbage(kind: GarbageKind) -> Script {
        Script::with_fault(Fault::Garbage(kind))
    }

    /// The terminal asks the cashier to check the signature (U1B).
    pub fn signature() -> Script {
        Script {
            ask_signature: true,
            ..Script::default()
        }
    }

    /// After authorisation the cashier is asked to check the customer's identification (U1A).
    pub fn identification() -> Script {
        Script {
            ask_identification: true,
            ..Script::default()
        }
    }

    /// The happy flow with one fault injected.
    pub fn with_fault(fault: Fault) -> Script {
        Script {
            fault: Some(fault),
            ..Script::default()
        }
    }

    /// The preset called `name` (see [`Script::names`]), for command lines and the JVM tests.
    pub fn from_name(name: &str) -> Option<Script> {
        let slow = Script::abort_window();
        Some(
            match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
                "success" => Script::success(),
                "declined" => Script::declined(),
                "busy" => Script::busy(),
                "device-unavailable" => Script::device_unavailable(),
                "abort-window" => slow,
                "too-late" => Script::too_late(),
                "hold" => Script::hold(),
                "silent" => Script::silent(),
                "close-after-request" => Script::close_after_request(),
                "close-after-authorisation" => Script::close_after_authorisation(),
                "delivery-box" => Script {
                    delivery_box: true,
                    ..Script::default()
                },
                "close-after-authorisation-recovery-busy" => Script {
                    recovery_answers: vec![RecoveryAnswer::Bare(OverallResult::Busy)],
                    ..Script::close_after_authorisation()
                },
                "close-after-authorisation-print-last-ticket" => Script {
                    recovery_answers: vec![RecoveryAnswer::Bare(OverallResult::PrintLastTicket)],
                    ..Script::close_after_authorisation()
                },
                "close-before-response" => Script::close_before_response(),
                "garbage" => Script::garbage(GarbageKind::MalformedXml),
                "huge-length" => Script::garbage(GarbageKind::HugeLength),
                "unknown-message" => Script::garbage(GarbageKind::UnknownMessage),
                "wrong-request-id" => Script::garbage(GarbageKind::WrongRequestId),
                "signature" => Script::signature(),
                "identification" => Script::identification(),
                "customer-display" => Script {
                    customer_display: true,
                    ..Script::default()
                },
                "signature-and-identification" => Script {
                    ask_identification: true,
                    ..Script::signature()
                },
                "ignore-aborts" => Script {
                    ignore_aborts: true,
                    ..slow
                },
                "abort-responses-first" => Script {
                    abort_responses_first: true,
                    ..slow
                },
                "disconnect-aborts" => Script {
                    on_disconnect: OnDisconnect::Abort,
                    ..slow
                },
                "no-auth-and-capture" => Script {
                    auth_and_capture: false,
                    ..Script::default()
                },
                "dcc" => Script {
                    dcc_offer: true,
                    ..Script::default()
                },
                "e-receipt" => Script {
                    e_receipt: true,
                    ..Script::default()
                },
                "journal-receipt" => Script {
                    journal_receipt: true,
                    ..Script::default()
                },
                "mifare-unknown" => Script {
                    mifare: MifareCard::Unknown,
                    ..Script::default()
                },
                "mifare-absent" => Script {
                    mifare: MifareCard::Absent,
                    ..Script::default()
                },
                _ => return None,
            },
        )
    }

    /// Every preset name with a one-line description, so tools can list them without duplicating text.
    pub fn names() -> &'static [(&'static str, &'static str)] {
        PRESETS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_preset_resolves_and_unknown_names_do_not() {
        for (name, description) in Script::names() {
            assert!(Script::from_name(name).is_some(), "{name}");
            assert!(!description.is_empty());
        }
        assert_eq!(Script::from_name("Too_Late"), Some(Script::too_late()));
        assert_eq!(Script::from_name("nonsense"), None);
    }
}
