//! Substring search for error messages, URLs and credentials.
//!
//! `str::contains(&str)` and `str::split_once(&str)` bring in core's two-way string searcher,
//! about 2.5 KB of the component. This window scan is O(n·m) in the worst case. The
//! haystacks here are at most one response body (64 KiB) and the needles at most one credential
//! (2048 bytes). A comparison stops at the first differing byte, so only a needle that repeats
//! itself, such as `aaaa…b`, comes near the worst case.

/// Returns the byte offset of the first occurrence of `needle` in `haystack`.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// Returns whether `needle` occurs in `haystack`.
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// Splits `text` around the first occurrence of `separator`, like `str::split_once`.
pub fn split_once<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let at = find(text, separator)?;
    // A match of a whole `&str` starts and ends on character boundaries, so `get` never
    // returns `None` here.
    Some((text.get(..at)?, text.get(at + separator.len()..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_std() {
        let cases = [
            ("", ""),
            ("abc", ""),
            ("", "a"),
            ("abc", "abc"),
            ("abc", "abcd"),
            ("aaab", "aab"),
            ("error validating client secret", "client secret"),
            ("caf\u{e9} secret", "secret"),
            ("caf\u{e9}", "\u{e9}"),
            ("x://y://z", "://"),
        ];
        for (haystack, needle) in cases {
            assert_eq!(
                find(haystack, needle),
                haystack.find(needle),
                "{haystack:?} {needle:?}"
            );
            assert_eq!(
                split_once(haystack, needle),
                haystack.split_once(needle),
                "{haystack:?} {needle:?}"
            );
        }
    }
}
