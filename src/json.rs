//! Reading JSON response bodies with `miniserde`.
//!
//! `miniserde` (by the author of `serde_json`) parses into the same kind of `Value` tree, but
//! its errors carry no formatted message. That keeps `core::fmt`'s machinery and serde's error
//! paths out of the component: the switch from `serde_json` made the cargo build 4.2 KB smaller
//! (BENCHMARKS.md). Neither its parser nor its `Drop` of a `Value` recurses, so deeply nested
//! input cannot exhaust the guest's stack.

#[allow(unused_imports)]
use crate::prelude::*;

use miniserde::json::Number;
pub use miniserde::json::{Object, Value};

/// Parses `body` as JSON. Returns `None` for anything that is not one complete JSON value in
/// UTF-8, such as an HTML page or a truncated body.
pub fn parse(body: &[u8]) -> Option<Value> {
    let text = core::str::from_utf8(body).ok()?;
    miniserde::json::from_str(text).ok()
}

/// Returns `value` as a `&str` when it is a JSON string.
pub fn as_str(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) => Some(text),
        _ => None,
    }
}

/// Returns `value` as a `bool` when it is `true` or `false`.
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(flag) => Some(*flag),
        _ => None,
    }
}

/// Returns `value` as a `u64` when it is a JSON integer in range, and `None` for fractions and
/// negative numbers.
pub fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(Number::U64(number)) => Some(*number),
        _ => None,
    }
}

/// Returns `value` as an `i64` when it is a JSON integer in range, and `None` for fractions.
pub fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(Number::I64(number)) => Some(*number),
        Value::Number(Number::U64(number)) => i64::try_from(*number).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_non_json() {
        assert!(parse(b"<html>502</html>").is_none());
        assert!(parse(b"{\"access_token\":\"EAA").is_none());
        assert!(parse(b"").is_none());
        assert!(parse(b"{\"a\":1} trailing").is_none());
        assert!(parse(b"\"\xff\"").is_none());
    }

    #[test]
    fn integers_keep_their_range() {
        let value = parse(b"[18446744073709551615, -5, 1.5, 9223372036854775808]").unwrap();
        let Value::Array(items) = value else {
            panic!("expected an array");
        };
        assert_eq!(as_u64(&items[0]), Some(u64::MAX));
        assert_eq!(as_i64(&items[0]), None);
        assert_eq!(as_u64(&items[1]), None);
        assert_eq!(as_i64(&items[1]), Some(-5));
        assert_eq!(as_u64(&items[2]), None);
        assert_eq!(as_i64(&items[2]), None);
        assert_eq!(as_i64(&items[3]), None);
    }

    #[test]
    fn strings_are_unescaped() {
        let value = parse(br#"{"message":"caf\u00e9 \"quoted\"\n"}"#).unwrap();
        let Value::Object(object) = value else {
            panic!("expected an object");
        };
        assert_eq!(
            object.get("message").and_then(as_str),
            Some("caf\u{e9} \"quoted\"\n")
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut body = vec![b'['; 100_000];
        body.extend(vec![b']'; 100_000]);
        assert!(parse(&body).is_some());
    }
}
