//! The few character encodings OPI terminals actually send: UTF-8 and the single-byte Western
//! ones (ISO-8859-1, Windows-1252, ISO-8859-15).
//!
//! Hand-written rather than taken from a general encoding library because the tables of every
//! other encoding (CJK above all) would roughly double the size of the shipped Android library for
//! input that never arrives. Labels and mappings follow the WHATWG Encoding Standard, as browsers
//! and the encoding library this replaces do, so a frame decodes to the same text as before.

use std::borrow::Cow;

/// A character encoding this crate can decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// UTF-8.
    Utf8,
    /// Windows-1252, which WHATWG also uses for every ISO-8859-1 and US-ASCII label: it agrees
    /// with ISO-8859-1 except in 0x80–0x9F, where it has printable characters (€, quotes…)
    /// instead of C1 controls.
    Windows1252,
    /// ISO-8859-15 (Latin-9): ISO-8859-1 with eight code points replaced, the euro sign among them.
    Iso8859_15,
}

/// WHATWG labels of UTF-8.
const UTF_8_LABELS: &[&str] = &[
    "unicode-1-1-utf-8",
    "unicode11utf8",
    "unicode20utf8",
    "utf-8",
    "utf8",
    "x-unicode20utf8",
];

/// WHATWG labels of Windows-1252 (the ISO-8859-1 and ASCII names included).
const WINDOWS_1252_LABELS: &[&str] = &[
    "ansi_x3.4-1968",
    "ascii",
    "cp1252",
    "cp819",
    "csisolatin1",
    "ibm819",
    "iso-8859-1",
    "iso-ir-100",
    "iso8859-1",
    "iso88591",
    "iso_8859-1",
    "iso_8859-1:1987",
    "l1",
    "latin1",
    "us-ascii",
    "windows-1252",
    "x-cp1252",
];

/// WHATWG labels of ISO-8859-15.
const ISO_8859_15_LABELS: &[&str] = &[
    "csisolatin9",
    "iso-8859-15",
    "iso8859-15",
    "iso885915",
    "iso_8859-15",
    "l9",
];

/// Windows-1252 bytes 0x80–0x9F. The five bytes the code page leaves undefined (0x81, 0x8D,
/// 0x8F, 0x90, 0x9D) map to the C1 control with the same number, as WHATWG specifies, so that no
/// byte is lost.
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// The bytes where ISO-8859-15 differs from ISO-8859-1, with the character each one means.
const ISO_8859_15_CHANGES: [(u8, char); 8] = [
    (0xA4, '\u{20AC}'),
    (0xA6, '\u{0160}'),
    (0xA8, '\u{0161}'),
    (0xB4, '\u{017D}'),
    (0xB8, '\u{017E}'),
    (0xBC, '\u{0152}'),
    (0xBD, '\u{0153}'),
    (0xBE, '\u{0178}'),
];

impl Charset {
    /// The encoding a label names, matched the WHATWG way (ASCII case-insensitive, surrounding
    /// ASCII whitespace ignored); `None` for labels of encodings this crate does not decode.
    pub(crate) fn for_label(label: &[u8]) -> Option<Charset> {
        let label = label.trim_ascii();
        let is_in = |labels: &[&str]| {
            labels
                .iter()
                .any(|l| l.as_bytes().eq_ignore_ascii_case(label))
        };
        if is_in(UTF_8_LABELS) {
            Some(Charset::Utf8)
        } else if is_in(WINDOWS_1252_LABELS) {
            Some(Charset::Windows1252)
        } else if is_in(ISO_8859_15_LABELS) {
            Some(Charset::Iso8859_15)
        } else {
            None
        }
    }

    /// The character one byte stands for; single-byte encodings only (UTF-8 bytes are not
    /// characters on their own and are read as Windows-1252 here).
    fn char_for(self, byte: u8) -> char {
        match (self, byte) {
            (Charset::Iso8859_15, _) => ISO_8859_15_CHANGES
                .iter()
                .find(|(b, _)| *b == byte)
                .map_or(char::from(byte), |(_, c)| *c),
            (_, 0x80..=0x9F) => WINDOWS_1252_HIGH[usize::from(byte - 0x80)],
            _ => char::from(byte),
        }
    }

    /// Decodes `bytes` as this single-byte encoding. Every byte maps to one character, so this
    /// cannot fail; ASCII-only input, by far the most common, is borrowed rather than copied.
    fn decode_single_byte(self, bytes: &[u8]) -> Cow<'_, str> {
        match std::str::from_utf8(bytes) {
            Ok(ascii) if bytes.is_ascii() => Cow::Borrowed(ascii),
            _ => {
                // Bytes above 0x7F take two or three bytes in UTF-8.
                let mut text = String::with_capacity(bytes.len() + bytes.len() / 2);
                text.extend(bytes.iter().map(|&b| self.char_for(b)));
                Cow::Owned(text)
            }
        }
    }
}

/// The label in the frame's XML declaration (`<?xml … encoding="…"?>`), if it has one.
fn declared_label(bytes: &[u8]) -> Option<&[u8]> {
    if !bytes.starts_with(b"<?xml") {
        return None;
    }
    let end = bytes.iter().take(200).position(|&b| b == b'>')?;
    let declaration = &bytes[..end];
    let start = declaration.windows(8).position(|w| w == b"encoding")? + 8;
    let rest = &declaration[start..];
    let quote = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let delimiter = rest[quote];
    let value = &rest[quote + 1..];
    let close = value.iter().position(|&b| b == delimiter)?;
    Some(&value[..close])
}

/// Decodes one frame's bytes; see [`super::xml::decode_text`] for the rules.
pub(crate) fn decode_frame(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match declared_label(bytes).map(|label| (label, Charset::for_label(label))) {
        Some((_, Some(charset @ (Charset::Windows1252 | Charset::Iso8859_15)))) => {
            return charset.decode_single_byte(bytes);
        }
        Some((label, None)) => log::warn!(
            "frame declares encoding \"{}\", which is not supported; decoding it as UTF-8, or as Windows-1252 if it is not valid UTF-8",
            label.escape_ascii()
        ),
        Some((_, Some(Charset::Utf8))) | None => {}
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            log::debug!("frame is not valid UTF-8; decoding it as ISO-8859-1");
            // WHATWG maps the ISO-8859-1 label to Windows-1252, a superset for printable text.
            Charset::Windows1252.decode_single_byte(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decl(encoding: &str, body: &[u8]) -> Vec<u8> {
        let mut bytes = format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?><a>").into_bytes();
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"</a>");
        bytes
    }

    /// The text between `<a>` and `</a>` of a decoded frame.
    fn body(text: &str) -> &str {
        let start = text.find("<a>").expect("<a>") + 3;
        let end = text.rfind("</a>").expect("</a>");
        &text[start..end]
    }

    /// Each byte, alone in a frame that declares `label`, decodes to its code point.
    fn assert_frames_decode(label: &str, expected: &[(u8, u32)]) {
        for &(byte, code_point) in expected {
            let decoded = decode_frame(&decl(label, &[byte])).into_owned();
            assert_eq!(
                body(&decoded).chars().map(u32::from).collect::<Vec<_>>(),
                [code_point],
                "{label} byte {byte:#04x}"
            );
        }
    }

    #[test]
    fn windows_1252_high_range_matches_the_code_page() {
        // Every byte of 0x80–0x9F, from the Unicode mapping table CP1252.TXT; the undefined bytes
        // stay C1 controls.
        let expected: [(u8, u32); 32] = [
            (0x80, 0x20AC),
            (0x81, 0x0081),
            (0x82, 0x201A),
            (0x83, 0x0192),
            (0x84, 0x201E),
            (0x85, 0x2026),
            (0x86, 0x2020),
            (0x87, 0x2021),
            (0x88, 0x02C6),
            (0x89, 0x2030),
            (0x8A, 0x0160),
            (0x8B, 0x2039),
            (0x8C, 0x0152),
            (0x8D, 0x008D),
            (0x8E, 0x017D),
            (0x8F, 0x008F),
            (0x90, 0x0090),
            (0x91, 0x2018),
            (0x92, 0x2019),
            (0x93, 0x201C),
            (0x94, 0x201D),
            (0x95, 0x2022),
            (0x96, 0x2013),
            (0x97, 0x2014),
            (0x98, 0x02DC),
            (0x99, 0x2122),
            (0x9A, 0x0161),
            (0x9B, 0x203A),
            (0x9C, 0x0153),
            (0x9D, 0x009D),
            (0x9E, 0x017E),
            (0x9F, 0x0178),
        ];
        assert_frames_decode("windows-1252", &expected);
        // Outside 0x80–0x9F Windows-1252 is Latin-1.
        for byte in (0..0x80).chain(0xA0..=0xFF) {
            assert_eq!(Charset::Windows1252.char_for(byte), char::from(byte));
        }
    }

    #[test]
    fn iso_8859_15_differs_from_latin1_in_eight_places() {
        let expected: [(u8, u32); 8] = [
            (0xA4, 0x20AC),
            (0xA6, 0x0160),
            (0xA8, 0x0161),
            (0xB4, 0x017D),
            (0xB8, 0x017E),
            (0xBC, 0x0152),
            (0xBD, 0x0153),
            (0xBE, 0x0178),
        ];
        assert_frames_decode("ISO-8859-15", &expected);
        let changed: Vec<u8> = expected.iter().map(|(b, _)| *b).collect();
        for byte in (0..=0xFF).filter(|b| !changed.contains(b)) {
            // Including 0x80–0x9F: ISO-8859-15 has C1 controls there, not Windows-1252's letters.
            assert_eq!(Charset::Iso8859_15.char_for(byte), char::from(byte));
        }
    }

    #[test]
    fn labels_match_case_insensitively_and_ignore_surrounding_whitespace() {
        for (label, expected) in [
            ("UTF-8", Charset::Utf8),
            ("utf8", Charset::Utf8),
            ("Unicode-1-1-UTF-8", Charset::Utf8),
            ("ISO-8859-1", Charset::Windows1252),
            ("iso_8859-1:1987", Charset::Windows1252),
            ("Latin1", Charset::Windows1252),
            ("L1", Charset::Windows1252),
            ("US-ASCII", Charset::Windows1252),
            ("ascii", Charset::Windows1252),
            ("CP1252", Charset::Windows1252),
            ("Windows-1252", Charset::Windows1252),
            (" \tiso-8859-1\r\n ", Charset::Windows1252),
            ("ISO-8859-15", Charset::Iso8859_15),
            ("iso885915", Charset::Iso8859_15),
            ("L9", Charset::Iso8859_15),
            ("csISOLatin9", Charset::Iso8859_15),
        ] {
            assert_eq!(
                Charset::for_label(label.as_bytes()),
                Some(expected),
                "{label}"
            );
        }
        for label in [
            "",
            "utf-16",
            "shift_jis",
            "iso-8859-2",
            "iso-8859-1x",
            "utf 8",
        ] {
            assert_eq!(Charset::for_label(label.as_bytes()), None, "{label}");
        }
        // A declaration with single quotes and a Latin-1 label in odd case.
        let frame = b"<?xml version='1.0' encoding=' Iso-8859-1 '?><a>K\xE4se \x80</a>";
        assert_eq!(body(&decode_frame(frame)), "K\u{e4}se \u{20ac}");
    }

    #[test]
    fn byte_order_mark_is_dropped_before_the_declaration_is_read() {
        let mut frame = b"\xEF\xBB\xBF".to_vec();
        frame.extend_from_slice(&decl("ISO-8859-15", b"\xA4"));
        let text = decode_frame(&frame);
        assert!(text.starts_with("<?xml"), "{text}");
        assert_eq!(body(&text), "\u{20ac}");
        let utf8 = "\u{feff}<a>K\u{e4}se</a>".as_bytes();
        assert!(matches!(
            decode_frame(utf8),
            Cow::Borrowed("<a>K\u{e4}se</a>")
        ));
    }

    #[test]
    fn utf8_is_borrowed_and_invalid_utf8_falls_back_to_windows_1252() {
        let utf8 = decl("UTF-8", "K\u{e4}se \u{20ac}".as_bytes());
        let text = decode_frame(&utf8);
        assert!(matches!(text, Cow::Borrowed(_)));
        assert_eq!(body(&text), "K\u{e4}se \u{20ac}");
        // Declared UTF-8, sent Windows-1252.
        assert_eq!(
            body(&decode_frame(&decl("UTF-8", b"K\xE4se \x80"))),
            "K\u{e4}se \u{20ac}"
        );
        // No declaration at all.
        assert_eq!(body(&decode_frame(b"<a>\xE4</a>")), "\u{e4}");
        // An unsupported label: valid UTF-8 stays UTF-8, anything else is Windows-1252.
        let shift_jis = decl("Shift_JIS", "\u{e4}".as_bytes());
        assert_eq!(body(&decode_frame(&shift_jis)), "\u{e4}");
        assert_eq!(
            body(&decode_frame(&decl("Shift_JIS", b"\xE4\x80"))),
            "\u{e4}\u{20ac}"
        );
        // A declared single-byte encoding wins even where the bytes happen to be valid UTF-8.
        let latin1 = decl("ISO-8859-1", "\u{e4}".as_bytes());
        assert_eq!(body(&decode_frame(&latin1)), "\u{c3}\u{a4}");
        // ASCII-only text under a single-byte declaration is not copied.
        assert!(matches!(
            decode_frame(&decl("latin1", b"abc")),
            Cow::Borrowed(_)
        ));
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let text = decode_frame(&bytes);
            // No byte turns into more than one character, whichever way the frame was decoded.
            prop_assert!(text.chars().count() <= bytes.len());
            for charset in [Charset::Windows1252, Charset::Iso8859_15] {
                prop_assert_eq!(charset.decode_single_byte(&bytes).chars().count(), bytes.len());
            }
        }

        #[test]
        fn latin1_range_bytes_round_trip(bytes in prop::collection::vec(
            prop_oneof![0x00u8..0x80, 0xA0u8..=0xFF], 0..400,
        )) {
            let text = Charset::Windows1252.decode_single_byte(&bytes);
            let back: Vec<u8> = text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).expect("Latin-1 range"))
                .collect();
            prop_assert_eq!(&back, &bytes);
            // Declared as ISO-8859-1, the whole frame comes back byte for byte.
            let mut frame = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_vec();
            frame.extend_from_slice(&bytes);
            let decoded: Vec<u32> = decode_frame(&frame).chars().map(u32::from).collect();
            prop_assert_eq!(decoded, frame.iter().map(|&b| u32::from(b)).collect::<Vec<_>>());
        }
    }
}
