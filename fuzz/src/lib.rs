//! Helpers shared by the fuzz targets: the forms in which a credential can leak, and "twin"
//! credentials that pass and fail the same input checks as the originals.

use graph_token_exchange::input;
use graph_token_exchange::secret::{MIN_REDACTED_LEN, REDACTED};

/// Returns the forms of `credential` that must never reach an error or a `Debug` output: raw, and
/// form-urlencoded as the request carries it, with uppercase and with lowercase hex digits.
///
/// Empty for credentials shorter than [`MIN_REDACTED_LEN`], which the redactor leaves alone
/// on purpose.
pub fn leak_forms(credential: &str) -> Vec<String> {
    if credential.len() < MIN_REDACTED_LEN {
        return Vec::new();
    }
    let encoded: String = form_urlencoded::byte_serialize(credential.as_bytes()).collect();
    let lower = lowercase_hex_escapes(&encoded);
    let mut forms = vec![credential.to_string()];
    for form in [encoded, lower] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

/// Returns the first form of `credential` that `text` contains, skipping forms that the
/// `[redacted]` marker itself spells.
///
/// It also finds the raw credential in `text` after percent-decoding, which covers every other
/// percent-encoding (lowercase and mixed-case hex, encoders that keep `~` or escape `*`, escaped
/// letters).
pub fn find_leak(text: &str, credential: &str) -> Option<String> {
    let found = leak_forms(credential)
        .into_iter()
        .find(|form| !REDACTED.contains(form.as_str()) && text.contains(form.as_str()));
    if found.is_some() || credential.len() < MIN_REDACTED_LEN {
        return found;
    }
    let decoded = percent_encoding::percent_decode_str(text).decode_utf8_lossy();
    (decoded.contains(credential) && !REDACTED.contains(credential))
        .then(|| format!("{credential} (after percent-decoding)"))
}

/// Builds a credential that differs from `value` in every character that the input checks do not
/// look at, so that it passes or fails the same checks with the same message.
///
/// Kept unchanged: whitespace, control characters and `%` (each rejected in credentials), and the
/// `TH` or `IG` prefix of the trimmed value (it selects the platform). Every other character is
/// replaced by one of the same UTF-8 length, so the byte length, and with it the length check,
/// stays the same.
pub fn twin(value: &str) -> String {
    let trimmed = input::trim(value);
    let start = value.len()
        - value
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    let prefix_end = if trimmed.starts_with("TH") || trimmed.starts_with("IG") {
        start + 2
    } else {
        start
    };
    value
        .char_indices()
        .map(|(index, c)| {
            if (start..prefix_end).contains(&index)
                || c.is_whitespace()
                || c.is_control()
                || c == '%'
            {
                return c;
            }
            let (first, second) = match c.len_utf8() {
                1 => ('Q', 'R'),
                2 => ('é', 'ü'),
                3 => ('中', '文'),
                _ => ('😀', '😁'),
            };
            if c == first {
                second
            } else {
                first
            }
        })
        .collect()
}

/// Lowercases the two hex digits after each `%`.
fn lowercase_hex_escapes(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut digits_left = 0;
    for c in encoded.chars() {
        if digits_left > 0 {
            out.push(c.to_ascii_lowercase());
            digits_left -= 1;
        } else {
            if c == '%' {
                digits_left = 2;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twin_keeps_checked_characters() {
        assert_eq!(twin(" THab%\tQ é\n"), " THQQ%\tR ü\n");
        assert_eq!(twin("IGx"), "IGQ");
        assert_eq!(twin("TxH"), "QQQ");
        assert_eq!(twin("中😀"), "文😁");
    }

    #[test]
    fn leak_forms_cover_encodings() {
        assert_eq!(
            leak_forms("ab+c/é"),
            ["ab+c/é", "ab%2Bc%2F%C3%A9", "ab%2bc%2f%c3%a9"]
        );
        assert!(leak_forms("abcde").is_empty());
        assert_eq!(leak_forms("abcdef"), ["abcdef"]);
    }

    #[test]
    fn find_leak_skips_marker_text() {
        assert_eq!(find_leak("x [redacted] y", "redact"), None);
        assert_eq!(find_leak("x abcdef y", "abcdef").as_deref(), Some("abcdef"));
    }
}
