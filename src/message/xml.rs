//! Turns the XML that real terminals send into one canonical form before serde sees it.
//!
//! Terminals apply the IXRetail namespace inconsistently (default namespace, a prefix, or none),
//! spell some names two ways (`POSData`/`POSdata`, `WorkStationID`/`WorkstationID`), declare one
//! encoding and send another, and put meaningful leading spaces in receipt lines. Doing all of that
//! in one pass here keeps the serde model plain: it matches local names only, and text keeps every
//! space because it is handed on as CDATA, which no reader setting trims (quick-xml 0.42 keeps the
//! spaces of plain text too, but receipt layout must not hang on a reader default).

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::ParseError;

/// Deepest element nesting accepted; real OPI messages nest 4 levels, hostile input nests millions.
pub const MAX_DEPTH: usize = 32;

/// Element names that terminals spell in more than one way, mapped to the spelling the model uses.
fn canonical_element(local: &str) -> &str {
    match local {
        "POSData" => "POSdata",
        other => other,
    }
}

/// Attribute names that terminals spell in more than one way.
fn canonical_attribute(local: &str) -> &str {
    match local {
        "WorkStationID" => "WorkstationID",
        "RequestId" => "RequestID",
        other => other,
    }
}

/// What the normalising pass learned about the root element.
#[derive(Debug)]
pub(crate) struct Normalized {
    pub root: String,
    pub xml: String,
    pub has_request_id: bool,
    pub has_request_type: bool,
}

/// Decodes the frame's bytes. A UTF-8 byte order mark is dropped. A declared ISO-8859-1,
/// Windows-1252 or ISO-8859-15 encoding is honoured (ISO-8859-1 read as its superset
/// Windows-1252, as WHATWG does); otherwise UTF-8 is tried and, since terminals have been seen
/// sending ISO-8859-1 bytes under a UTF-8 declaration, invalid UTF-8 falls back to ISO-8859-1
/// rather than losing the message. Any other declared encoding is logged and treated like an
/// undeclared one.
pub fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    super::charset::decode_frame(bytes)
}

/// XML 1.0 forbids most control characters; a terminal that sends one must not make us write
/// a document that strict parsers reject.
fn is_xml_char(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r') || (c as u32) >= 0x80
}

/// Whether `text` holds a character [`is_xml_char`] rejects. Those are all ASCII, so a byte scan
/// finds them; it lets the common clean value skip the per-character filter and its copy.
fn has_forbidden_chars(text: &str) -> bool {
    text.bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F)
}

/// Rewrites `text` into the canonical form described in the module docs.
pub(crate) fn normalize(text: &str) -> Result<Normalized, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut out = String::with_capacity(text.len());
    let mut pending_text: Cow<'_, str> = Cow::Borrowed("");
    let mut depth = 0usize;
    let mut root: Option<String> = None;
    let mut root_closed = false;
    let mut has_request_id = false;
    let mut has_request_type = false;

    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|e| ParseError::Malformed {
            position,
            reason: e.to_string(),
        })?;
        match event {
            Event::Start(start) | Event::Empty(start) if root_closed => {
                return Err(ParseError::Malformed {
                    position,
                    reason: format!(
                        "a second root element <{}> follows the first",
                        start.local_name().into_inner()
                    ),
                });
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let is_empty = matches!(event, Event::Empty(_));
                flush_text(&mut pending_text, &mut out);
                let local = start.local_name().into_inner();
                let name = canonical_element(local);
                let is_root = root.is_none();
                if is_root {
                    root = Some(name.to_owned());
                }
                out.push('<');
                out.push_str(name);
                for attribute in start.attributes() {
                    let attribute = attribute.map_err(|e| ParseError::Malformed {
                        position,
                        reason: e.to_string(),
                    })?;
                    // Namespace declarations and prefixed attributes (xsi:schemaLocation …) carry
                    // nothing the model uses.
                    if attribute.key.as_namespace_binding().is_some()
                        || attribute.key.prefix().is_some()
                    {
                        continue;
                    }
                    let key = canonical_attribute(attribute.key.local_name().into_inner());
                    if is_root {
                        has_request_id |= key == "RequestID";
                        has_request_type |= key == "RequestType";
                    }
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| ParseError::Malformed {
                            position,
                            reason: e.to_string(),
                        })?;
                    out.push(' ');
                    out.push_str(key);
                    out.push_str("=\"");
                    // One scan tells whether anything must be dropped or escaped; values
                    // rarely hold either.
                    let plain = !value.bytes().any(|b| {
                        b < 0x20 || b == 0x7F || matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"')
                    });
                    if plain {
                        out.push_str(&value);
                    } else {
                        let value: String = value.chars().filter(|c| is_xml_char(*c)).collect();
                        out.push_str(&quick_xml::escape::escape(value.as_str()));
                    }
                    out.push('"');
                }
                if is_empty {
                    out.push_str("/>");
                    if depth == 0 {
                        root_closed = true;
                    }
                } else {
                    out.push('>');
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(ParseError::TooDeep { limit: MAX_DEPTH });
                    }
                }
            }
            Event::End(end) => {
                flush_text(&mut pending_text, &mut out);
                let local = end.local_name().into_inner();
                out.push_str("</");
                out.push_str(canonical_element(local));
                out.push('>');
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    root_closed = true;
                }
            }
            Event::Text(text) => {
                if depth > 0 {
                    append_text(&mut pending_text, text.xml10_content());
                }
            }
            Event::CData(data) => {
                if depth > 0 {
                    append_text(&mut pending_text, data.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if depth > 0 {
                    let c = resolve_reference(&reference, position)?;
                    pending_text.to_mut().push(c);
                }
            }
            // Entity declarations are the door to billion-laughs expansion; OPI never needs a DTD.
            Event::DocType(_) => return Err(ParseError::DoctypeNotAllowed),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }

    let root = root.ok_or(ParseError::Empty)?;
    if depth != 0 {
        return Err(ParseError::Malformed {
            position: reader.buffer_position(),
            reason: format!("document ends inside <{root}>"),
        });
    }
    Ok(Normalized {
        root,
        xml: out,
        has_request_id,
        has_request_type,
    })
}

fn resolve_reference(
    reference: &quick_xml::events::BytesRef<'_>,
    position: u64,
) -> Result<char, ParseError> {
    let unknown = || ParseError::Malformed {
        position,
        reason: format!("unknown entity &{};", reference.as_ref() as &str),
    };
    if reference.is_char_ref() {
        return reference
            .resolve_char_ref()
            .ok()
            .flatten()
            .ok_or_else(unknown);
    }
    match reference.as_ref() {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => Err(unknown()),
    }
}

/// Adds a piece of text to the pending run. A lone piece stays borrowed from the input, which
/// saves a copy for almost every element; only a second piece (an entity reference, a CDATA
/// section) makes the run owned.
fn append_text<'a>(pending: &mut Cow<'a, str>, text: Cow<'a, str>) {
    if pending.is_empty() {
        *pending = text;
    } else {
        pending.to_mut().push_str(&text);
    }
}

/// Emits collected text as CDATA so the deserializer keeps leading and trailing spaces (receipt
/// columns are aligned with them); whitespace that only indents elements is dropped.
fn flush_text(pending: &mut Cow<'_, str>, out: &mut String) {
    if pending.trim().is_empty() {
        *pending = Cow::Borrowed("");
        return;
    }
    if has_forbidden_chars(pending) {
        pending.to_mut().retain(is_xml_char);
    }
    out.push_str("<![CDATA[");
    if pending.contains("]]>") {
        // "]]>" cannot appear inside one CDATA section: close and reopen around it.
        out.push_str(&pending.replace("]]>", "]]]]><![CDATA[>"));
    } else {
        out.push_str(pending);
    }
    out.push_str("]]>");
    *pending = Cow::Borrowed("");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_namespaces_and_spellings_are_normalised() {
        let xml = r#"<?xml version="1.0"?><o:ServiceRequest xmlns:o="http://www.nrf-arts.org/IXRetail/namespace" xmlns:xsi="x" xsi:schemaLocation="y" WorkStationID="POS1" RequestID="7" RequestType="Login"><o:POSData><o:POSTimeStamp> 2024 </o:POSTimeStamp></o:POSData></o:ServiceRequest>"#;
        let n = normalize(xml).unwrap();
        assert_eq!(n.root, "ServiceRequest");
        assert!(n.has_request_id && n.has_request_type);
        assert_eq!(
            n.xml,
            r#"<ServiceRequest WorkstationID="POS1" RequestID="7" RequestType="Login"><POSdata><POSTimeStamp><![CDATA[ 2024 ]]></POSTimeStamp></POSdata></ServiceRequest>"#
        );
    }

    #[test]
    fn doctype_and_deep_nesting_are_refused() {
        let dtd = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a RequestID="1"/>"#;
        assert_eq!(normalize(dtd).unwrap_err(), ParseError::DoctypeNotAllowed);
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(
            normalize(&deep).unwrap_err(),
            ParseError::TooDeep { limit: MAX_DEPTH }
        );
    }

    #[test]
    fn latin1_is_decoded_whether_declared_or_not() {
        let declared = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>K\xE4se</a>";
        assert!(decode_text(declared).contains("Käse"));
        let undeclared = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>K\xE4se</a>";
        assert!(decode_text(undeclared).contains("Käse"));
        let utf8 = "<a>Käse</a>".as_bytes();
        assert!(matches!(decode_text(utf8), Cow::Borrowed(_)));
        let euro = b"<?xml version='1.0' encoding='windows-1252'?><a>\x80 5,00</a>";
        assert!(decode_text(euro).contains("\u{20ac} 5,00"));
        let latin9 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><a>\xA4</a>";
        assert!(decode_text(latin9).contains('\u{20ac}'));
    }

    #[test]
    fn control_characters_are_dropped() {
        let n = normalize("<a RequestID=\"1\" b=\"c\u{1}d\">x\u{1}y</a>").unwrap();
        assert!(n.xml.contains("<![CDATA[xy]]>"), "{}", n.xml);
        assert!(n.xml.contains("b=\"cd\""), "{}", n.xml);
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_characters_is_xml_char_rejects() {
        for c in ('\0'..='\u{3000}').chain(['\u{feff}', '\u{10ffff}']) {
            assert_eq!(
                has_forbidden_chars(c.encode_utf8(&mut [0; 4])),
                !is_xml_char(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn text_with_a_cdata_end_and_clean_attributes_survive() {
        let n = normalize("<a RequestID=\"1\" b='x&amp;\"y'>p]]>q &lt;r&gt;</a>").unwrap();
        assert_eq!(
            n.xml,
            "<a RequestID=\"1\" b=\"x&amp;&quot;y\"><![CDATA[p]]]]><![CDATA[>q <r>]]></a>"
        );
        let message = crate::message::Message::parse(
            b"<DeviceRequest RequestType=\"Output\" RequestID=\"1\"><Output OutDeviceTarget=\"Printer\"><TextLine>  a]]>b &amp; c  </TextLine></Output></DeviceRequest>",
        )
        .unwrap();
        match message {
            crate::message::Message::DeviceRequest(request) => {
                assert_eq!(request.outputs[0].lines[0].text, "  a]]>b & c  ");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_documents_are_malformed() {
        assert!(matches!(
            normalize("<a RequestID=\"1\"><b>").unwrap_err(),
            ParseError::Malformed { .. }
        ));
        assert_eq!(normalize("   ").unwrap_err(), ParseError::Empty);
    }
}
