//! Card-data masking for text that leaves the process for people (support traces): PANs to first
//! 6 / last 4, track data and card tokens removed. Pure functions, no I/O.
//!
//! The scanner is deliberately lenient rather than a real XML parser: a trace must also mask
//! broken, truncated or non-OPI frames (those are the frames support most wants to see), so it
//! never fails. On top of the name-based rules, every run of 13 or more digits anywhere is masked
//! as a PAN, so a card number in an element this code does not know still never leaves in clear.

use super::values::mask_pan;

/// Shortest digit run treated as a possible PAN by the safety net (ISO/IEC 7812 PANs are 13–19
/// digits; longer runs are masked too, since track data glues a PAN to other digits).
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

/// Masks every run of [`PAN_MIN_DIGITS`] or more ASCII digits to first 6 / last 4.
pub fn mask_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    let flush = |out: &mut String, run: &str| {
        if run.len() >= PAN_MIN_DIGITS {
            out.push_str(&mask_pan(run));
        } else {
            out.push_str(run);
        }
    };
    for (index, c) in text.char_indices() {
        if c.is_ascii_digit() {
            run_start.get_or_insert(index);
            continue;
        }
        if let Some(start) = run_start.take() {
            flush(&mut out, &text[start..index]);
        }
        out.push(c);
    }
    if let Some(start) = run_start {
        flush(&mut out, &text[start..]);
    }
    out
}

/// Masks the card data in an XML text (well-formed or not): values of PAN-like elements and
/// attributes (`CardPAN`, `PAN`, …) to first 6 / last 4, values of `Track1`/`Track2`/`Track3` and
/// token-like names (`Token`, `CardToken`, `TrackingToken`, …) replaced by `[removed: N chars]`,
/// and, as a safety net, every run of 13+ digits anywhere to first 6 / last 4.
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
pub fn masked_preview(bytes: &[u8], max_chars: usize) -> String {
    // Mask a little more than is shown, so a PAN cut by the bound is masked before the cut.
    let slack = 2 * PAN_MIN_DIGITS;
    let text = super::xml::decode_text(bytes);
    let mut escaped = String::new();
    let mut cut = false;
    for (shown, c) in text.chars().enumerate() {
        if shown >= max_chars + slack {
            cut = true;
            break;
        }
        if c.is_control() && c != '\n' && c != '\t' {
            escaped.push_str(&format!("\\x{:02x}", u32::from(c) & 0xff));
        } else {
            escaped.push(c);
        }
    }
    let masked = mask_card_data(&escaped);
    let mut preview: String = masked.chars().take(max_chars).collect();
    if cut || masked.chars().count() > max_chars {
        preview.push('…');
    }
    preview
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAN: &str = "6789012345678901234";

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
}
