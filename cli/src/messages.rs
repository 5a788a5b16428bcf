//! Rewrites the library's error messages in this command's terms. The library names the WIT
//! arguments and fields, such as `app-secret`, `options.timeout-ms` and `graph-error`. A user of
//! this command sets `META_APP_SECRET` and `--timeout-ms` instead, and reads `graph_error`.

/// Replacements, longest match first where one name contains another. Only whole names are
/// replaced: the characters around a match must not belong to a name (see [`is_name_char`]).
const REPLACEMENTS: &[(&str, &str)] = &[
    ("options.api-version", "--api-version"),
    ("options.base-url", "--base-url"),
    ("options.max-attempts", "--max-attempts"),
    ("options.platform", "--platform"),
    ("options.timeout-ms", "--timeout-ms"),
    ("app-id", "the app id (--app-id or META_APP_ID)"),
    ("app-secret", "META_APP_SECRET"),
    ("short-token", "META_SHORT_TOKEN"),
    ("exchange-token", "the exchange command"),
    ("graph-error", "graph_error"),
    ("fbtrace-id", "fbtrace_id"),
    ("business-use-case-usage", "business_use_case_usage"),
    ("app-usage", "app_usage"),
    ("retry-after-seconds", "retry_after_seconds"),
    ("or none for", "or leave it out for"),
];

/// The operation whose message is rewritten: the library calls a refresh's argument `token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Exchange,
    Refresh,
}

/// Returns `message` with the library's names replaced by this command's.
pub fn rewrite(message: &str, operation: Operation) -> String {
    let mut text = message.to_string();
    for (from, to) in REPLACEMENTS {
        text = replace_whole(&text, from, to);
    }
    if operation == Operation::Refresh {
        if let Some(rest) = text.strip_prefix("token ") {
            text = format!("META_LONG_TOKEN {rest}");
        }
    }
    text
}

/// Returns whether `character` can be part of a name, so that `app-id` inside `x-app-id` or
/// `app-idea` is left alone.
fn is_name_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.')
}

fn replace_whole(text: &str, from: &str, to: &str) -> String {
    let mut result = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(position) = rest.find(from) {
        let (before, after_start) = rest.split_at(position);
        let after = &after_start[from.len()..];
        let starts_name = !before.chars().next_back().is_some_and(is_name_char);
        // A name may end a sentence, so a following '.' still ends it unless more follows.
        let ends_name = match after.chars().next() {
            None => true,
            Some('.') => !after.chars().nth(1).is_some_and(is_name_char),
            Some(next) => !is_name_char(next),
        };
        result.push_str(before);
        result.push_str(if starts_name && ends_name { to } else { from });
        rest = after;
    }
    result.push_str(rest);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names() {
        assert_eq!(
            rewrite(
                "options.timeout-ms is out of range; pass 1 to 600000 milliseconds, or none for the default of 30000",
                Operation::Exchange
            ),
            "--timeout-ms is out of range; pass 1 to 600000 milliseconds, or leave it out for the default of 30000"
        );
        assert_eq!(
            rewrite(
                "graph.example.com returned HTTP 502 with an HTML page; check options.base-url, or a proxy in between",
                Operation::Exchange
            ),
            "graph.example.com returned HTTP 502 with an HTML page; check --base-url, or a proxy in between"
        );
    }

    #[test]
    fn credential_names() {
        assert_eq!(
            rewrite(
                "Graph rejected the app credentials (HTTP 400, code 101); check app-id and app-secret in the app dashboard",
                Operation::Exchange
            ),
            "Graph rejected the app credentials (HTTP 400, code 101); check the app id (--app-id or META_APP_ID) and META_APP_SECRET in the app dashboard"
        );
        assert_eq!(
            rewrite("short-token is empty; pass the token", Operation::Exchange),
            "META_SHORT_TOKEN is empty; pass the token"
        );
    }

    #[test]
    fn field_names() {
        assert_eq!(
            rewrite(
                "Graph returned an error (HTTP 400, code 1); see graph-error for Graph's message and fbtrace-id",
                Operation::Exchange
            ),
            "Graph returned an error (HTTP 400, code 1); see graph_error for Graph's message and fbtrace_id"
        );
        assert_eq!(
            rewrite(
                "wait before the next call, at least retry-after-seconds when set, and see app-usage",
                Operation::Exchange
            ),
            "wait before the next call, at least retry_after_seconds when set, and see app_usage"
        );
    }

    #[test]
    fn refresh_token_argument() {
        let message = "token does not start with TH (Threads) or IG (Instagram), so it is taken as a Facebook token, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with exchange-token instead, or set options.platform if this is a Threads or Instagram token";

        assert_eq!(
            rewrite(message, Operation::Refresh),
            "META_LONG_TOKEN does not start with TH (Threads) or IG (Instagram), so it is taken as a Facebook token, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with the exchange command instead, or set --platform if this is a Threads or Instagram token"
        );
        assert!(rewrite(message, Operation::Exchange).starts_with("token does not start"));
    }

    #[test]
    fn parts_of_names_left_alone() {
        assert_eq!(
            rewrite(
                "x-app-usage, app-identity, my-app-secret and app-secret.",
                Operation::Exchange
            ),
            "x-app-usage, app-identity, my-app-secret and META_APP_SECRET."
        );
        assert_eq!(
            rewrite("host app-id.example.com failed", Operation::Exchange),
            "host app-id.example.com failed"
        );
    }
}
