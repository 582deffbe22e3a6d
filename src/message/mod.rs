//! Typed OPI messages, their XML form and the length-prefixed framing. No I/O happens here.
//!
//! Parsing goes bytes → text (UTF-8 or ISO-8859-1, see [`xml::decode_text`]) → one canonical XML
//! form (local names, one spelling per name, see [`xml`]) → serde structs. Serialising always
//! produces UTF-8 with the IXRetail namespace declared.

pub mod abort;
pub mod card_service;
mod charset;
pub mod codec;
pub mod common;
pub mod device;
pub mod masking;
pub mod profile;
pub mod service;
pub mod trace_format;
pub mod values;
pub mod xml;

pub use card_service::{Acquirer, CardServiceRequest, CardServiceResponse, Tender};
pub use common::{
    Authorisation, CardCircuit, CardValue, ConfigItem, OriginalHeader, OriginalTransaction,
    PosData, PrivateData, TerminalInfo, TotalAmount,
};
pub use device::{
    DeviceRequest, DeviceResponse, Input, InputCommand, InputResult, InputValue, Output,
    OutputResult, TextLine,
};
pub use profile::WireProfile;
pub use service::{Reconciliation, ServiceRequest, ServiceResponse};
pub use values::{
    Amount, CardNumber, CardRequestType, DeviceRequestType, DeviceTarget, OverallResult, RequestId,
    Secret, ServiceRequestType,
};

/// The terminal's final answer to a request or an abort.
// A message moves a handful of times per transaction; boxing the variants would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// A card service response.
    Card(CardServiceResponse),
    /// A service response.
    Service(ServiceResponse),
}

impl Response {
    /// Its OverallResult.
    pub fn overall_result(&self) -> &OverallResult {
        match self {
            Response::Card(r) => &r.overall_result,
            Response::Service(r) => &r.overall_result,
        }
    }

    /// Its RequestID.
    pub fn request_id(&self) -> &RequestId {
        match self {
            Response::Card(r) => &r.request_id,
            Response::Service(r) => &r.request_id,
        }
    }

    /// Its RequestType as on the wire.
    pub fn request_type(&self) -> &str {
        match self {
            Response::Card(r) => r.request_type.as_str(),
            Response::Service(r) => r.request_type.as_str(),
        }
    }

    /// The OriginalHeader of a RepeatLastMessage answer.
    pub fn original_header(&self) -> Option<&OriginalHeader> {
        match self {
            Response::Card(r) => r.original_header.as_ref(),
            Response::Service(r) => r.original_header.as_ref(),
        }
    }

    /// True for OverallResult Success.
    pub fn is_success(&self) -> bool {
        *self.overall_result() == OverallResult::Success
    }
}

/// Why a frame's payload is not an OPI message we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The payload is empty or only whitespace/comments.
    #[error("the message is empty")]
    Empty,
    /// Not well-formed XML.
    #[error("malformed XML at byte {position}: {reason}")]
    Malformed {
        /// Byte offset in the decoded text.
        position: u64,
        /// What the XML parser said.
        reason: String,
    },
    /// A `<!DOCTYPE>` was present; DTDs and entity declarations are refused.
    #[error("the message contains a DOCTYPE; OPI messages never do and DTDs are refused")]
    DoctypeNotAllowed,
    /// Nesting deeper than [`xml::MAX_DEPTH`].
    #[error("elements nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// A root element that is not one of the six OPI messages.
    #[error("unknown message <{0}>: expected CardServiceRequest/Response, ServiceRequest/Response or DeviceRequest/Response")]
    UnknownRoot(String),
    /// A mandatory attribute of the root is absent.
    #[error("<{root}> has no {attribute} attribute")]
    MissingAttribute {
        /// The root element.
        root: &'static str,
        /// The missing attribute.
        attribute: &'static str,
    },
    /// Well-formed, but a value or element does not fit the message (e.g. an amount "12,50").
    #[error("<{root}> is invalid: {reason}")]
    Invalid {
        /// The root element.
        root: &'static str,
        /// What serde said.
        reason: String,
    },
}

/// A message could not be written as XML (only possible for values serde cannot express).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot serialise <{root}>: {reason}")]
pub struct SerializeError {
    /// The root element.
    pub root: &'static str,
    /// What the serialiser said.
    pub reason: String,
}

/// Any of the six OPI messages.
// A message moves a handful of times per transaction; boxing the variants would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// POS → terminal card request.
    CardServiceRequest(CardServiceRequest),
    /// Terminal → POS card response.
    CardServiceResponse(CardServiceResponse),
    /// POS → terminal service request.
    ServiceRequest(ServiceRequest),
    /// Terminal → POS service response.
    ServiceResponse(ServiceResponse),
    /// Terminal → POS device request.
    DeviceRequest(DeviceRequest),
    /// POS → terminal device response.
    DeviceResponse(DeviceResponse),
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

fn deserialize<T: serde::de::DeserializeOwned>(
    root: &'static str,
    xml: &str,
) -> Result<T, ParseError> {
    quick_xml::de::from_str(xml).map_err(|e| ParseError::Invalid {
        root,
        reason: e.to_string(),
    })
}

/// Room for most messages (requests and a CardServiceResponse are under 1 KB), so the serialiser
/// seldom grows the buffer; a long receipt grows it once. Measured: 1 KB beat 2 KB.
const SERIALIZE_CAPACITY: usize = 1024;

fn serialize<T: serde::Serialize>(root: &'static str, value: &T) -> Result<String, SerializeError> {
    // Written straight after the declaration: no second buffer to copy the body out of.
    let mut xml = String::with_capacity(SERIALIZE_CAPACITY);
    xml.push_str(XML_DECLARATION);
    quick_xml::se::to_writer_with_root(&mut xml, root, value).map_err(|e| SerializeError {
        root,
        reason: e.to_string(),
    })?;
    Ok(xml)
}

impl Message {
    /// Parses one frame's payload.
    pub fn parse(payload: &[u8]) -> Result<Message, ParseError> {
        let text = xml::decode_text(payload);
        let normalized = xml::normalize(&text)?;
        let root: &'static str = match normalized.root.as_str() {
            "CardServiceRequest" => "CardServiceRequest",
            "CardServiceResponse" => "CardServiceResponse",
            "ServiceRequest" => "ServiceRequest",
            "ServiceResponse" => "ServiceResponse",
            "DeviceRequest" => "DeviceRequest",
            "DeviceResponse" => "DeviceResponse",
            _ => return Err(ParseError::UnknownRoot(normalized.root)),
        };
        if !normalized.has_request_id {
            return Err(ParseError::MissingAttribute {
                root,
                attribute: "RequestID",
            });
        }
        if !normalized.has_request_type {
            return Err(ParseError::MissingAttribute {
                root,
                attribute: "RequestType",
            });
        }
        let xml = normalized.xml.as_str();
        Ok(match root {
            "CardServiceRequest" => Message::CardServiceRequest(deserialize(root, xml)?),
            "CardServiceResponse" => Message::CardServiceResponse(deserialize(root, xml)?),
            "ServiceRequest" => Message::ServiceRequest(deserialize(root, xml)?),
            "ServiceResponse" => Message::ServiceResponse(deserialize(root, xml)?),
            "DeviceRequest" => Message::DeviceRequest(deserialize(root, xml)?),
            _ => Message::DeviceResponse(deserialize(root, xml)?),
        })
    }

    /// The root element name.
    pub fn root_name(&self) -> &'static str {
        match self {
            Message::CardServiceRequest(_) => "CardServiceRequest",
            Message::CardServiceResponse(_) => "CardServiceResponse",
            Message::ServiceRequest(_) => "ServiceRequest",
            Message::ServiceResponse(_) => "ServiceResponse",
            Message::DeviceRequest(_) => "DeviceRequest",
            Message::DeviceResponse(_) => "DeviceResponse",
        }
    }

    /// The message's `RequestID`.
    pub fn request_id(&self) -> &RequestId {
        match self {
            Message::CardServiceRequest(m) => &m.request_id,
            Message::CardServiceResponse(m) => &m.request_id,
            Message::ServiceRequest(m) => &m.request_id,
            Message::ServiceResponse(m) => &m.request_id,
            Message::DeviceRequest(m) => &m.request_id,
            Message::DeviceResponse(m) => &m.request_id,
        }
    }

    /// The message's `RequestType` as on the wire.
    pub fn request_type(&self) -> &str {
        match self {
            Message::CardServiceRequest(m) => m.request_type.as_str(),
            Message::CardServiceResponse(m) => m.request_type.as_str(),
            Message::ServiceRequest(m) => m.request_type.as_str(),
            Message::ServiceResponse(m) => m.request_type.as_str(),
            Message::DeviceRequest(m) => m.request_type.as_str(),
            Message::DeviceResponse(m) => m.request_type.as_str(),
        }
    }

    /// The XML text, UTF-8, with declaration.
    pub fn to_xml(&self) -> Result<String, SerializeError> {
        let root = self.root_name();
        match self {
            Message::CardServiceRequest(m) => serialize(root, m),
            Message::CardServiceResponse(m) => serialize(root, m),
            Message::ServiceRequest(m) => serialize(root, m),
            Message::ServiceResponse(m) => serialize(root, m),
            Message::DeviceRequest(m) => serialize(root, m),
            Message::DeviceResponse(m) => serialize(root, m),
        }
    }

    /// The message as one frame (length prefix + XML), ready for the socket.
    pub fn to_frame(&self) -> Result<Vec<u8>, SerializeError> {
        let xml = self.to_xml()?;
        codec::encode_frame(xml.as_bytes()).map_err(|e| SerializeError {
            root: self.root_name(),
            reason: e.to_string(),
        })
    }

    /// A one-line description for logs: root, type, id, result. Never contains card data.
    pub fn summary(&self) -> String {
        let result = match self {
            Message::CardServiceResponse(m) => format!(" OverallResult={}", m.overall_result),
            Message::ServiceResponse(m) => format!(" OverallResult={}", m.overall_result),
            Message::DeviceResponse(m) => format!(" OverallResult={}", m.overall_result),
            _ => String::new(),
        };
        format!(
            "{} RequestType={} RequestID={}{}",
            self.root_name(),
            self.request_type(),
            self.request_id(),
            result
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_elements_between_repeated_elements_are_ignored() {
        let xml = br#"<DeviceRequest RequestType="Output" RequestID="1"><Output OutDeviceTarget="Printer"><TextLine>a</TextLine><Logo/><TextLine>b</TextLine></Output><PrivateData/><Output OutDeviceTarget="E-Journal"/></DeviceRequest>"#;
        match Message::parse(xml).unwrap() {
            Message::DeviceRequest(request) => {
                assert_eq!(request.outputs.len(), 2);
                let texts: Vec<&str> = request.outputs[0]
                    .lines
                    .iter()
                    .map(|l| l.text.as_str())
                    .collect();
                assert_eq!(texts, ["a", "b"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
