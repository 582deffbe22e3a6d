//! The wire profile: every spelling of a request on which public sources that talk to CCV
//! terminals disagree, chosen in this one place per dialect, and overridable per terminal by the
//! app (Rust `Terminal::with_wire_profile`, Java `ExternalTerminal.Builder.wireProfile`, `pay
//! --wire-profile FILE`) without a new release.
//!
//! Input never depends on the profile: the parser accepts every public variant. The profile
//! decides only what the engine *sends*, and what the simulator *accepts* when it plays a strict
//! terminal (so tests cover both sides of each disagreement, and `pay conformance` can find out
//! which variant a real terminal takes).
//!
//! Sources named in the doc comments (facts only, no code taken):
//! - **CCV-FW**: a public C firmware that drives a CCV OPP-C60 over OPI-NL (files `CCV_Chan1.c`,
//!   `CCV.c`, `CCV_global.h`): what a device that talks to a real CCV terminal sends.
//! - **NODE-NL**: a public Node.js OPI-NL client for CCV terminals ("CCV service").
//! - **IFSF**: the IFSF/OPI data model as public OPI models write it (Mastercard's ATS SDK), and
//!   the OPI spec text the `blix-opi` gem quotes.
//! - **TILLHUB**: `tillhub/payment-engine`, a Kotlin OPI-DE client with real-terminal fixtures.
//! - **ours**: no public source; constructed by this project (marked as a guess).

use std::fmt;

use super::values::ServiceRequestType;

/// Gives a choice its text-form spellings, in one place for reading and writing profiles.
macro_rules! spelled {
    ($name:ident { $($variant:ident => $text:literal,)* }) => {
        impl $name {
            /// Every value, the order in which `pay conformance` tries them after the current one.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// How the profile's text form spells it.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            fn from_name(text: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|value| value.name() == text)
            }
        }
    };
}

/// How the terminal's status is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusRequest {
    /// `ServiceRequest RequestType="GetStatus"`: NODE-NL (a CCV OPI-NL client) sends it.
    GetStatus,
    /// `ServiceRequest RequestType="Diagnosis"`: the IFSF OPI name.
    Diagnosis,
}

/// How the accepted card brands are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardCircuitsRequest {
    /// `ServiceRequest RequestType="GetCardCircuits"`: CCV-FW sends it to an OPP-C60 and reads
    /// `<CardCircuit DisplayName="…">VISA</CardCircuit>` from the answer.
    GetCardCircuits,
    /// `RequestType="CardCircuits"`: ours (an earlier guess, kept as an override).
    CardCircuits,
}

/// Whether a `POSdata` field is written as an attribute or as a child element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldForm {
    /// `<POSdata LanguageCode="en">`.
    Attribute,
    /// `<POSdata><LanguageCode>en</LanguageCode></POSdata>`.
    Element,
}

/// Which RequestID an AbortRequest carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbortRequestId {
    /// A RequestID of its own: NODE-NL (a new id, on a new connection); our earlier choice.
    Own,
    /// The running request's RequestID: CCV-FW sends the abort on the payment's connection with
    /// the payment's RequestID, then reads the abort's answer and the payment's.
    Running,
    /// A RequestID of its own, and `ReferenceRequestID` naming the running request: the OPI spec
    /// text ("used in case of abort request"); no CCV client seen doing it.
    Referenced,
}

/// How `TokenService.abort(true, …)` (no "Aborted" message on an unattended terminal) is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SilentAbort {
    /// `<PrivateData><SilentAbort>true</SilentAbort></PrivateData>` on the AbortRequest: ours,
    /// **a guess** (no public source shows how CCV's IM30 firmware is told).
    PrivateData,
    /// Nothing: a silent abort goes out as a normal one (for a terminal that refuses unknown
    /// PrivateData; it then shows its message).
    Omit,
}

/// Whether a payment's references to an earlier transaction (CCV's `Payment.Builder`
/// `referenceNumber`, `merchantReference`) go on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentReferences {
    /// Not sent: no public source shows how CCV carries them (the terminal then asks for the card
    /// of a refund, as CCV's apps fall back to).
    Off,
    /// As the IFSF model names them, **a guess for CCV**: `CardServiceRequest@ReferenceNumber` and
    /// `Acquirer@MerchantReference`.
    Ifsf,
}

spelled!(StatusRequest {
    GetStatus => "GetStatus",
    Diagnosis => "Diagnosis",
});
spelled!(CardCircuitsRequest {
    GetCardCircuits => "GetCardCircuits",
    CardCircuits => "CardCircuits",
});
spelled!(FieldForm {
    Attribute => "attribute",
    Element => "element",
});
spelled!(AbortRequestId {
    Own => "own",
    Running => "running",
    Referenced => "referenced",
});
spelled!(SilentAbort {
    PrivateData => "private-data",
    Omit => "omit",
});
spelled!(PaymentReferences {
    Off => "off",
    Ifsf => "ifsf",
});

/// Every disputed spelling of what the engine sends. See the module docs for the sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WireProfile {
    /// Status request name. NL: `GetStatus` (NODE-NL); DE: `Diagnosis` (IFSF).
    pub status_request: StatusRequest,
    /// Card-brand request name: `GetCardCircuits` (CCV-FW) for both dialects.
    pub card_circuits_request: CardCircuitsRequest,
    /// `POSdata@LanguageCode`: an attribute in CCV-FW, NODE-NL and IFSF alike.
    pub language_code: FieldForm,
    /// `ShiftNumber`: an attribute of POSdata in CCV-FW (real OPP-C60); an element in NODE-NL
    /// and IFSF. NL: attribute; DE: element.
    pub shift_number: FieldForm,
    /// `PrinterStatus` and `E-JournalStatus` elements in POSdata, both `Available`: CCV-FW and
    /// NODE-NL send them on OPI-NL; TILLHUB (OPI-DE) sends POSTimeStamp only. NL: on; DE: off.
    pub printer_status: bool,
    /// The AbortRequest's RequestID. Sources disagree (see [`AbortRequestId`]); both dialects
    /// keep the engine's earlier choice, [`AbortRequestId::Own`].
    pub abort_request_id: AbortRequestId,
    /// The silent-abort marker: [`SilentAbort::PrivateData`], a guess.
    pub silent_abort: SilentAbort,
    /// A payment's references: [`PaymentReferences::Off`] for both dialects (no public source).
    pub payment_references: PaymentReferences,
}

impl WireProfile {
    /// What public OPI-NL evidence shows.
    pub const OPI_NL: WireProfile = WireProfile {
        status_request: StatusRequest::GetStatus,
        card_circuits_request: CardCircuitsRequest::GetCardCircuits,
        language_code: FieldForm::Attribute,
        shift_number: FieldForm::Attribute,
        printer_status: true,
        abort_request_id: AbortRequestId::Own,
        silent_abort: SilentAbort::PrivateData,
        payment_references: PaymentReferences::Off,
    };

    /// What public OPI-DE evidence shows.
    pub const OPI_DE: WireProfile = WireProfile {
        status_request: StatusRequest::Diagnosis,
        card_circuits_request: CardCircuitsRequest::GetCardCircuits,
        language_code: FieldForm::Attribute,
        shift_number: FieldForm::Element,
        printer_status: false,
        abort_request_id: AbortRequestId::Own,
        silent_abort: SilentAbort::PrivateData,
        payment_references: PaymentReferences::Off,
    };

    /// The ServiceRequest type of a status request.
    pub fn status_type(&self) -> ServiceRequestType {
        match self.status_request {
            StatusRequest::GetStatus => ServiceRequestType::GetStatus,
            StatusRequest::Diagnosis => ServiceRequestType::Diagnosis,
        }
    }

    /// The ServiceRequest type of a card-brand request.
    pub fn card_circuits_type(&self) -> ServiceRequestType {
        match self.card_circuits_request {
            CardCircuitsRequest::GetCardCircuits => ServiceRequestType::GetCardCircuits,
            CardCircuitsRequest::CardCircuits => ServiceRequestType::CardCircuits,
        }
    }

    /// Applies `key = value` lines (the format [`fmt::Display`] writes and `pay conformance`
    /// suggests) over this profile. Blank lines and `#` comments are skipped; an unknown key or
    /// value is an error naming the line, so a typo never silently keeps a default.
    pub fn with_overrides(mut self, text: &str) -> Result<WireProfile, ProfileError> {
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |reason: String| ProfileError {
                line: index + 1,
                reason,
            };
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| error(format!("expected key = value, got '{line}'")))?;
            self.set(key.trim(), value.trim()).map_err(error)?;
        }
        Ok(self)
    }

    /// Sets one key. Keys and values are those [`fmt::Display`] writes.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        fn parse<T>(key: &str, value: &str, from: fn(&str) -> Option<T>) -> Result<T, String> {
            from(value).ok_or_else(|| format!("{key} cannot be '{value}'"))
        }
        match key {
            "status-request" => self.status_request = parse(key, value, StatusRequest::from_name)?,
            "card-circuits-request" => {
                self.card_circuits_request = parse(key, value, CardCircuitsRequest::from_name)?
            }
            "language-code" => self.language_code = parse(key, value, FieldForm::from_name)?,
            "shift-number" => self.shift_number = parse(key, value, FieldForm::from_name)?,
            "printer-status" => {
                self.printer_status = parse(key, value, |v| match v {
                    "on" => Some(true),
                    "off" => Some(false),
                    _ => None,
                })?
            }
            "abort-request-id" => {
                self.abort_request_id = parse(key, value, AbortRequestId::from_name)?
            }
            "silent-abort" => self.silent_abort = parse(key, value, SilentAbort::from_name)?,
            "payment-references" => {
                self.payment_references = parse(key, value, PaymentReferences::from_name)?
            }
            _ => return Err(format!("unknown wire profile key '{key}'")),
        }
        Ok(())
    }
}

/// The text form: one `key = value` line per choice, readable by [`WireProfile::with_overrides`].
impl fmt::Display for WireProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "status-request = {}", self.status_request.name())?;
        writeln!(
            f,
            "card-circuits-request = {}",
            self.card_circuits_request.name()
        )?;
        writeln!(f, "language-code = {}", self.language_code.name())?;
        writeln!(f, "shift-number = {}", self.shift_number.name())?;
        writeln!(
            f,
            "printer-status = {}",
            if self.printer_status { "on" } else { "off" }
        )?;
        writeln!(f, "abort-request-id = {}", self.abort_request_id.name())?;
        writeln!(f, "silent-abort = {}", self.silent_abort.name())?;
        writeln!(f, "payment-references = {}", self.payment_references.name())
    }
}

/// A wire profile text that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("wire profile line {line}: {reason}")]
pub struct ProfileError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_reads_back_to_the_same_profile() {
        for profile in [WireProfile::OPI_NL, WireProfile::OPI_DE] {
            let text = profile.to_string();
            let base = if profile == WireProfile::OPI_NL {
                WireProfile::OPI_DE
            } else {
                WireProfile::OPI_NL
            };
            assert_eq!(base.with_overrides(&text), Ok(profile), "{text}");
        }
    }

    #[test]
    fn overrides_change_only_the_keys_they_name() {
        let profile = WireProfile::OPI_NL
            .with_overrides(
                "# from the kit\n\nabort-request-id = running\n  status-request=Diagnosis  \n",
            )
            .unwrap();
        assert_eq!(profile.abort_request_id, AbortRequestId::Running);
        assert_eq!(profile.status_request, StatusRequest::Diagnosis);
        assert_eq!(profile.shift_number, WireProfile::OPI_NL.shift_number);
    }

    #[test]
    fn typos_are_errors_that_name_the_line() {
        let error = WireProfile::OPI_NL
            .with_overrides("status-request = GetStatus\nshift-nmber = element\n")
            .unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.reason.contains("shift-nmber"), "{error}");
        let error = WireProfile::OPI_NL
            .with_overrides("printer-status = yes")
            .unwrap_err();
        assert!(error.to_string().contains("printer-status cannot be 'yes'"));
        assert!(WireProfile::OPI_NL
            .with_overrides("no equals sign")
            .is_err());
    }
}
