//! Card-data masking for text that leaves the process for people (support traces): PANs to first
//! 6 / last 4, track data and card tokens removed. Pure functions, no I/O.
//!
//! The scanner is deliberately lenient rather than a real XML parser: a trace must also mask
//! broken, truncated or non-OPI frames (those are the frames support most wants to see), so it
//! never fails. On top of the name-based rules, every number of 13 or more digits anywhere (digits
//! possibly grouped by single spaces or dashes, see [`mask_digit_runs`]) is masked as a PAN, so a
//! card number in an element this code does not know still never leaves in clear.
//!
//! Whatever is cut short for display is masked first: a cut through a card number leaves a piece
//! too short to look like one, so masking after the cut would show it.

use super::values::mask_pan;

/// Fewest digits of a number (see [`mask_digit_runs`]) the safety net treats as a possible PAN
/// (ISO/IEC 7812 PANs are 13–19 digits; longer numbers are masked too, since track data glues a
/// PAN to other digits).
pub const PAN_MIN_DIGITS: usize = 13;

/// What a named element or attribute holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sensitivity {
    Plain,
    /// A card number: masked to first 6 / last 4.
    Pan,
    /// Track data or a token: removed entirely.
    Secret,
}

/// Classifies an element or attribute name (namespace prefix ignored, any case).
fn sensitivity(name: &str) -> Sensitivity {
    let local = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
    if local.contains("track") || local.contains("token") {
        Sensitivity::Secret
    } else if local.ends_with("pan") || local.contains("accountnumber") || local == "cardnumber" {
        Sensitivity::Pan
    } else {
        Sensitivity::Plain
    }
}

/// Masks one value according to its name's sensitivity. Surrounding whitespace is kept so the
/// trace still shows the message's layout.
fn mask_value(value: &str, kind: Sensitivity) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return value.to_owned();
    }
    let start = value.len() - value.trim_start().len();
    let (before, after) = (&value[..start], &value[start + trimmed.len()..]);
    match kind {
        Sensitivity::Plain => value.to_owned(),
        Sensitivity::Pan => format!("{before}{}{after}", mask_pan(trimmed)),
        Sensitivity::Secret => {
            format!(
                "{before}[removed: {} chars]{after}",
                trimmed.chars().count()
            )
        }
    }
}

/// Whether `byte` may stand between two digit blocks of one number: receipts and displays write
/// card numbers as "4111 1111 1111 1111" or "4111-1111-1111-1111".
pub(crate) fn is_separator(byte: u8) -> bool {
    byte == b' ' || byte == b'-'
}

/// Whether a cut between `bytes[at - 1]` and `bytes[at]` would split one number (as
/// [`mask_digit_runs`] defines it): two digits side by side, or a digit and a single separator
/// that has a digit on its other side.
pub(crate) fn splits_number(bytes: &[u8], at: usize) -> bool {
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let separator = |i: usize| bytes.get(i).copied().is_some_and(is_separator);
    if at == 0 || at >= bytes.len() {
        return false;
    }
    (digit(at - 1) && digit(at))
        || (digit(at - 1) && separator(at) && digit(at + 1))
        || (at >= 2 && digit(at - 2) && separator(at - 1) && digit(at))
}

/// The first cut at or after `at` that splits no number.
pub(crate) fn number_end(bytes: &[u8], mut at: usize) -> usize {
    while splits_number(bytes, at) {
        at += 1;
    }
    at
}

/// Masks every number of [`PAN_MIN_DIGITS`] or more digits to its first 6 and last 4 digits.
///
/// A *number* is a run of ASCII digits in which a single space or a single `-` may stand between
/// two digits: "4111 1111 1111 1111" and "4111-1111-1111-1111" are one 16-digit number, so a
/// card number a receipt or display groups for reading is masked like an ungrouped one. The
/// separators stay in place ("4111 11** **** 1111"), keeping the line's layout.
///
/// Why these lengths: card numbers have 13 to 19 digits (ISO/IEC 7812), while each other value
/// of a payment text has 12 or fewer, counted the same way across its spaces and dashes: amounts (decimals end a number at the `.` or `,`; "1 234 567,89" is 7 digits), dates
/// ("2026-12-07", 8), date and time ("2026-12-07 12:30", 10: the `:` ends it), terminal ids (8),
/// RequestIDs (at most 9), STANs and approval codes (6). Numbers longer than 19 digits are masked
/// too, because a card number written next to other digits (track data, an expiry date after a
/// space) must not escape by making the whole longer. Two or more spaces do not join: receipts
/// align columns with them, and joining across columns would mask unrelated values side by side.
/// The price of the rule is that two short values separated by exactly one space or dash and
/// adding up to 13 digits (a terminal id and a STAN, "12345678 123456") are masked too: a support
/// reader loses some digits, which is better than a card number in clear.
pub fn mask_digit_runs(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    // Digits and separators are ASCII, so every index where a number starts or ends is a char
    // boundary of `text`, whatever else the text holds.
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        let end = number_end(bytes, at + 1);
        let digits = bytes[at..end].iter().filter(|b| b.is_ascii_digit()).count();
        if digits >= PAN_MIN_DIGITS {
            out.push_str(&text[copied..at]);
            push_masked_number(&mut out, &text[at..end], digits);
            copied = end;
        }
        at = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Appends `number` (of `digits` digits) with all but its first 6 and last 4 digits replaced by
/// `*`; separators are kept.
fn push_masked_number(out: &mut String, number: &str, digits: usize) {
    let mut index = 0;
    for c in number.chars() {
        if c.is_ascii_digit() {
            out.push(if index < 6 || index + 4 >= digits {
                c
            } else {
                '*'
            });
            index += 1;
        } else {
            out.push(c);
        }
    }
}

/// Masks the card data in an XML text (well-formed or not): values of PAN-like elements and
/// attributes (`CardPAN`, `PAN`, …) to first 6 / last 4, values of `Track1`/`Track2`/`Track3` and
/// token-like names (`Token`, `CardToken`, `TrackingToken`, …) replaced by `[removed: N chars]`,
/// and, as a safety net, every number of 13+ digits anywhere (see [`mask_digit_runs`]) to first
/// 6 / last 4.
pub fn mask_card_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<Sensitivity> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let inside = open.last().copied().unwrap_or(Sensitivity::Plain);
        let Some(lt) = rest.find('<') else {
            out.push_str(&mask_value(rest, inside));
            break;
        };
        out.push_str(&mask_value(&rest[..lt], inside));
        rest = &rest[lt..];
        let consumed = if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let end = body.find("]]>").unwrap_or(body.len());
            out.push_str("<![CDATA[");
            out.push_str(&mask_value(&body[..end], inside));
            out.push_str(&body[end..(end + 3).min(body.len())]);
            "<![CDATA[".len() + (end + 3).min(body.len())
        } else if rest.starts_with("<!--") || rest.starts_with("<?") || rest.starts_with("<!") {
            let close = if rest.starts_with("<!--") { "-->" } else { ">" };
            let end = rest.find(close).map_or(rest.len(), |at| at + close.len());
            out.push_str(&rest[..end]);
            end
        } else if rest.starts_with("</") {
            let end = rest.find('>').map_or(rest.len(), |at| at + 1);
            open.pop();
            out.push_str(&rest[..end]);
            end
        } else {
            let (tag, end) = start_tag(rest);
            let (masked, name, self_closing) = mask_start_tag(tag);
            out.push_str(&masked);
            if !self_closing {
                open.push(sensitivity(name));
            }
            end
        };
        rest = &rest[consumed..];
    }
    mask_digit_runs(&out)
}

/// The start tag at the head of `text` (up to and including its `>`, quotes respected) and its
/// length; a tag cut off by the end of the text runs to the end.
fn start_tag(text: &str) -> (&str, usize) {
    let mut quote: Option<char> = None;
    for (index, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return (&text[..=index], index + 1),
            _ => {}
        }
    }
    (text, text.len())
}

/// Masks the attribute values of one start tag; returns the tag, the element name and whether it
/// closes itself.
fn mask_start_tag(tag: &str) -> (String, &str, bool) {
    let inner = tag.trim_start_matches('<');
    let name_end = inner
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(inner.len());
    let name = &inner[..name_end];
    let self_closing = tag.trim_end_matches('>').ends_with('/');
    let mut out = String::with_capacity(tag.len());
    out.push('<');
    out.push_str(name);
    let mut rest = &inner[name_end..];
    // Each round copies text up to an attribute value's opening quote, then the masked value.
    while let Some(eq) = rest.find('=') {
        let after = rest[eq + 1..].trim_start();
        let gap = rest.len() - eq - 1 - after.len();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            out.push_str(&rest[..=eq]);
            rest = &rest[eq + 1..];
            continue;
        };
        let attribute = rest[..eq]
            .trim()
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("");
        let value_start = eq + 1 + gap + 1;
        let value_len = rest[value_start..]
            .find(quote)
            .unwrap_or(rest.len() - value_start);
        out.push_str(&rest[..value_start]);
        out.push_str(&mask_value(
            &rest[value_start..value_start + value_len],
            sensitivity(attribute),
        ));
        rest = &rest[value_start + value_len..];
    }
    out.push_str(rest);
    (out, name, self_closing)
}

/// A bounded, printable preview of bytes that are not (or not only) XML: decoded as the codec
/// decodes frames, control characters escaped as `\xNN`, card data masked, at most `max_chars`
/// characters (`…` marks a cut).
///
/// The whole text is masked before the cut, never a window of it: a window's edge is a cut too,
/// and a cut through a card number (or between a `CardPAN` name and its value) leaves a piece
/// that no longer looks like card data. The bytes are one frame or one read, which the transport
/// already bounds.
pub fn masked_preview(bytes: &[u8], max_chars: usize) -> String {
    let text = super::xml::decode_text(bytes);
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            escaped.push_str(&format!("\\x{:02x}", u32::from(c) & 0xff));
        } else {
            escaped.push(c);
        }
    }
    let masked = mask_card_data(&escaped);
    let mut shown = masked.chars();
    let mut preview: String = shown.by_ref().take(max_chars).collect();
    if shown.next().is_some() {
        preview.push('…');
    }
    preview
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::message::TextLine;
    use proptest::prelude::*;

    const PAN: &str = "6789012345678901234";

    /// True when the digits `shown` holds (it holds no others) are at most what a mask leaves of
    /// `pan`: a start of its first 6 digits, then a piece of its last 4 (a cut may end either).
    pub(crate) fn at_most_first_six_last_four(shown: &str, pan: &str) -> bool {
        let digits = |text: &str| -> String { text.chars().filter(char::is_ascii_digit).collect() };
        let (shown, pan) = (digits(shown), digits(pan));
        let last_four = &pan[pan.len().saturating_sub(4)..];
        (0..=shown.len().min(6)).any(|split| {
            pan.get(..split) == Some(&shown[..split]) && last_four.contains(&shown[split..])
        })
    }

    /// A card number of 13 to 19 digits with a single space or dash, or nothing, between any two.
    pub(crate) fn grouped_pan() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(0u8..10, 13..=19),
            prop::collection::vec(prop::sample::select(vec!["", "", "", " ", "-"]), 18),
        )
            .prop_map(|(digits, gaps)| {
                let mut pan = String::new();
                for (index, digit) in digits.iter().enumerate() {
                    if index > 0 {
                        pan.push_str(gaps[index - 1]);
                    }
                    pan.push(char::from(b'0' + digit));
                }
                pan
            })
    }

    /// Text without digits (every digit of a mask's output is then the card's) and without `k`
    /// (no `Track`/`Token` name turns it into a removal notice, whose count has digits).
    pub(crate) fn surrounding() -> impl Strategy<Value = String> {
        "[a-jl-zA-JL-Z <>/=\"'.:,;()_\n€é-]{0,160}"
    }

    fn longest_digit_run(text: &str) -> usize {
        text.split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn pan_attributes_and_elements_keep_first_six_last_four() {
        let xml = format!(
            r#"<CardServiceResponse><Tender><Authorisation CardPAN="{PAN}" ApprovalCode="123456"/></Tender><CardValue><CardPAN>{PAN}</CardPAN></CardValue></CardServiceResponse>"#
        );
        let masked = mask_card_data(&xml);
        assert_eq!(masked.matches("678901*********1234").count(), 2, "{masked}");
        assert!(masked.contains(r#"ApprovalCode="123456""#), "{masked}");
        assert!(longest_digit_run(&masked) < PAN_MIN_DIGITS);
    }

    #[test]
    fn tracks_and_tokens_are_removed_in_any_spelling() {
        let xml = r#"<a:CardValue><a:Track1>%B6789^HOLDER/CARD^2712?</a:Track1><Track2>;67890=2712?</Track2><Track3><![CDATA[;0167890=00?]]></Track3><CardToken>tok_9f8e</CardToken><x TrackingToken='abc' Token="zz"/></a:CardValue>"#;
        let masked = mask_card_data(xml);
        for secret in ["HOLDER", "67890=", "0167890", "tok_9f8e", "'abc'", "\"zz\""] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
        assert!(
            masked.contains("<Track2>[removed: 12 chars]</Track2>"),
            "{masked}"
        );
    }

    #[test]
    fn the_safety_net_masks_digit_runs_anywhere_even_in_broken_xml() {
        let broken = format!("<Unknown Note=\"x\">card {PAN} and <CardPAN>{PAN}");
        let masked = mask_card_data(&broken);
        assert!(longest_digit_run(&masked) < PAN_MIN_DIGITS, "{masked}");
        assert!(masked.contains("678901*********1234"));
        assert_eq!(
            mask_digit_runs("RequestID 123456789012"),
            "RequestID 123456789012"
        );
    }

    #[test]
    fn previews_are_bounded_escaped_and_masked() {
        let mut bytes = b"\x00\x01garbage ".to_vec();
        bytes.extend_from_slice(PAN.as_bytes());
        bytes.extend(std::iter::repeat_n(b'z', 1000));
        let preview = masked_preview(&bytes, 40);
        assert!(
            preview.starts_with("\\x00\\x01garbage 678901*"),
            "{preview}"
        );
        assert!(preview.ends_with('…'));
        assert_eq!(preview.chars().count(), 41);
        // A PAN cut by the bound is masked before the cut.
        let cut = masked_preview(format!("ab{PAN}").as_bytes(), 12);
        assert!(longest_digit_run(&cut) < 10, "{cut}");
    }

    #[test]
    fn grouped_numbers_are_masked_as_one_number() {
        assert_eq!(
            mask_digit_runs("card 4111 1111 1111 1111."),
            "card 4111 11** **** 1111."
        );
        assert_eq!(
            mask_digit_runs("card 4111-1111-1111-1111"),
            "card 4111-11**-****-1111"
        );
        assert_eq!(
            mask_digit_runs("€ 3782 822463 10005 é"),
            "€ 3782 82**** *0005 é"
        );
        // A card number next to an expiry date is masked whole, the date with it.
        assert_eq!(
            mask_digit_runs("4111 1111 1111 1111 2512"),
            "4111 11** **** **** 2512"
        );
        // Separators join only when single and between digits.
        for plain in [
            "4111  1111  1111  1111",
            "4111 - 1111 - 1111 - 1111",
            "4111 1111 -1111 1111",
            "4111 1111 1111 -1",
        ] {
            assert_eq!(mask_digit_runs(plain), plain);
        }
        assert_eq!(
            mask_digit_runs("2026-12-07 12:30:45 T 12345678 STAN 123456 RID 123456789"),
            "2026-12-07 12:30:45 T 12345678 STAN 123456 RID 123456789"
        );
        // Masking a masked text changes nothing.
        let once = mask_digit_runs("6789 0123 4567 8901 234 and 6789012345678901234");
        assert_eq!(mask_digit_runs(&once), once);
        assert_eq!(once, "6789 01** **** ***1 234 and 678901*********1234");
    }

    #[test]
    fn number_bounds_follow_the_grouping() {
        let text = b"ab 12 34-5--6 7";
        let splits: Vec<usize> = (0..=text.len())
            .filter(|at| splits_number(text, *at))
            .collect();
        assert_eq!(splits, vec![4, 5, 6, 7, 8, 9, 13, 14]);
        assert_eq!(number_end(text, 4), 10);
        assert_eq!(number_end(text, 11), 11);
    }

    #[test]
    fn a_preview_masks_a_grouped_number_across_its_bound() {
        let text = "<Garbage>card 6789 0123 4567 8901 234 here</Garbage>";
        for bound in 0..text.len() + 2 {
            let preview = masked_preview(text.as_bytes(), bound);
            assert!(
                at_most_first_six_last_four(&preview, PAN),
                "{bound}: {preview}"
            );
        }
        let whole = masked_preview(text.as_bytes(), text.len());
        assert!(whole.contains("6789 01** **** ***1 234 here"), "{whole}");
        // No bound is too large.
        assert_eq!(masked_preview(b"12.50 EUR", usize::MAX), "12.50 EUR");
    }

    #[test]
    fn text_lines_show_their_text_masked_in_debug_and_keep_it() {
        let line = TextLine::new("  Kaart  4111-1111-1111-1111  12.50");
        let debug = format!("{line:?}");
        assert!(debug.contains("4111-11**-****-1111  12.50"), "{debug}");
        assert!(!debug.contains("4111-1111-1111"), "{debug}");
        assert_eq!(line.masked_text(), "  Kaart  4111-11**-****-1111  12.50");
        assert_eq!(line.text, "  Kaart  4111-1111-1111-1111  12.50");
    }

    proptest! {
        #[test]
        fn masks_leave_at_most_first_six_last_four_of_a_grouped_card_number(
            pan in grouped_pan(),
            before in surrounding(),
            after in surrounding(),
            bound in 0usize..400,
        ) {
            let text = format!("{before}{pan}{after}");
            for shown in [
                mask_digit_runs(&text),
                mask_card_data(&text),
                masked_preview(text.as_bytes(), bound),
            ] {
                prop_assert!(at_most_first_six_last_four(&shown, &pan), "{text:?} → {shown:?}");
            }
        }
    }
}
