//! Wrappers that keep the app secret and tokens out of `Debug` and `Display` output, and a
//! redactor that removes them from text received from the server.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::text;

use core::fmt;

/// Text shown in place of a secret or token.
pub const REDACTED: &str = "[redacted]";

/// A credential (app secret or access token) whose `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// Returns the credential itself; call it only where the value goes into a request or a result.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Shortest credential that [`Redactor`] removes from server text.
///
/// NOTE: a shorter value would match ordinary words in Graph's messages (a one-letter test
/// secret matches almost every sentence). Real app secrets are 32 hex characters and user tokens
/// are well over 100 characters, so they are always covered.
pub const MIN_REDACTED_LEN: usize = 6;

/// Rounds of percent-decoding in the final check of [`Redactor::scrub`]; text encoded more often
/// than this is returned as `[redacted]` if it still changes, since no real server does that.
const MAX_DECODE_ROUNDS: usize = 4;

/// Removes known credentials from text that a server sent, such as Graph's error message,
/// because a hostile or buggy server can echo the request's query string back.
#[derive(Clone, Default)]
pub struct Redactor {
    /// The credentials themselves, for the final check of [`Redactor::scrub`].
    credentials: Vec<String>,
    /// Each credential raw and form-encoded (uppercase and lowercase hex), longest first so that
    /// a longer match wins over a shorter one at the same position.
    needles: Vec<String>,
}

impl Redactor {
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Self {
        let mut credentials = Vec::new();
        let mut needles = Vec::new();
        for secret in secrets {
            let raw = secret.expose();
            if raw.len() < MIN_REDACTED_LEN {
                continue;
            }
            credentials.push(raw.to_string());
            let encoded: String = form_urlencoded::byte_serialize(raw.as_bytes()).collect();
            // Percent-encoding with lowercase hex digits is also valid, and some servers echo it.
            let lower = lowercase_percent_escapes(&encoded);
            for needle in [raw.to_string(), encoded, lower] {
                if !needles.contains(&needle) {
                    // Inserting in place keeps the list longest first without a sort, whose
                    // code cost about 5 KB of the `.wasm` for a list of at most six items.
                    let at = needles
                        .iter()
                        .position(|known: &String| known.len() < needle.len())
                        .unwrap_or(needles.len());
                    needles.insert(at, needle);
                }
            }
        }
        Redactor {
            credentials,
            needles,
        }
    }

    /// Returns `text` with every known credential replaced by `[redacted]`, or `[redacted]`
    /// alone when a credential would still be readable after that.
    ///
    /// One left-to-right pass replaces the raw and form-encoded forms, so a replacement is never
    /// searched again and cannot combine with its neighbours into a credential. Other encodings
    /// (such as `%7e` for `~`, or an encoded letter) and credentials that overlap are caught by
    /// the final check on the result and its percent-decoded form.
    pub fn scrub(&self, text: &str) -> String {
        if self.needles.is_empty() {
            return text.to_string();
        }
        let mut scrubbed = String::with_capacity(text.len());
        let mut rest = text;
        while !rest.is_empty() {
            let after_needle = self
                .needles
                .iter()
                .find_map(|needle| rest.strip_prefix(needle.as_str()));
            if let Some(after) = after_needle {
                scrubbed.push_str(REDACTED);
                rest = after;
                continue;
            }
            let mut chars = rest.chars();
            scrubbed.extend(chars.next());
            rest = chars.as_str();
        }

        // Decoding is repeated because a server may encode the echoed URL again (`%252B`).
        let mut candidate = scrubbed.clone();
        for round in 0..=MAX_DECODE_ROUNDS {
            let readable = self
                .credentials
                .iter()
                .any(|credential| text::contains(&candidate, credential));
            if readable {
                return REDACTED.to_string();
            }
            let decoded = percent_encoding::percent_decode_str(&candidate)
                .decode_utf8_lossy()
                .into_owned();
            if decoded == candidate {
                break;
            }
            candidate = decoded;
            if round == MAX_DECODE_ROUNDS {
                return REDACTED.to_string();
            }
        }
        scrubbed
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} credentials)", self.credentials.len())
    }
}

/// Lowercases the two hex digits after each `%`, leaving all other characters as they are.
fn lowercase_percent_escapes(encoded: &str) -> String {
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
    fn secret_debug_and_display_are_redacted() {
        let secret = Secret::new("abcdef0123456789");
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), "abcdef0123456789");
    }

    #[test]
    fn redactor_removes_raw_and_encoded_forms() {
        let secret = Secret::new("s3cr+t/=&#x");
        let token = Secret::new("EAAtoken123");
        let redactor = Redactor::new([&secret, &token]);

        let text =
            "bad s3cr+t/=&#x and s3cr%2Bt%2F%3D%26%23x and s3cr%2bt%2f%3d%26%23x for EAAtoken123";
        assert_eq!(
            redactor.scrub(text),
            "bad [redacted] and [redacted] and [redacted] for [redacted]"
        );
    }

    #[test]
    fn redactor_never_rebuilds_a_credential() {
        let secret = Secret::new("s3cr3tvalue");
        let token = Secret::new("ted]abcdefghijkl");
        let redactor = Redactor::new([&secret, &token]);
        let scrubbed = redactor.scrub("s3cr3tvalueabcdefghijkl");
        assert!(!scrubbed.contains("ted]abcdefghijkl"), "{scrubbed}");
        assert!(!scrubbed.contains("s3cr3tvalue"), "{scrubbed}");
    }

    #[test]
    fn redactor_catches_other_encodings() {
        let secret = Secret::new("ab~cd+ef");
        let redactor = Redactor::new([&secret]);
        for text in [
            "x ab%7ecd%2Bef",
            "x ab~cd%2Bef",
            "x %61b%7Ecd%2Bef",
            "x ab~cd%252Bef",
            "x ab~cd%25252Bef",
        ] {
            assert_eq!(redactor.scrub(text), "[redacted]", "{text}");
        }
        assert_eq!(redactor.scrub("no credential here"), "no credential here");
    }

    #[test]
    fn redactor_skips_short_values() {
        let short = Secret::new("s");
        let redactor = Redactor::new([&short]);
        assert_eq!(redactor.scrub("secret"), "secret");
    }

    #[test]
    fn redactor_debug_shows_only_a_count() {
        let secret = Secret::new("abcdef0123456789");
        let redactor = Redactor::new([&secret]);
        assert_eq!(format!("{redactor:?}"), "Redactor(1 credentials)");
        assert!(!format!("{redactor:?}").contains("abcdef"));
    }
}
