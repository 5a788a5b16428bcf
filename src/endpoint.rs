//! Parsing of the `base-url` option and the rule on where requests may go.

#[allow(unused_imports)]
use crate::prelude::*;

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::error::ExchangeError;
use crate::platform::Platform;
use crate::text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// Request target: scheme, authority (`host[:port]`) and a path prefix without a trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Scheme,
    pub authority: String,
    pub path_prefix: String,
}

impl Endpoint {
    /// Returns the Graph host of `platform` over HTTPS.
    pub fn graph(platform: Platform) -> Endpoint {
        Endpoint {
            scheme: Scheme::Https,
            authority: platform.default_host().to_string(),
            path_prefix: String::new(),
        }
    }

    /// Parses a `base-url` option that has already been trimmed.
    ///
    /// Accepts `https://host[:port][/prefix]`, and `http://` only when the host is loopback
    /// (`127.0.0.0/8`, `[::1]` or `localhost`), because the request carries the app secret in its
    /// query string and must not cross a network in clear text. A user-info part, a query and a
    /// fragment are rejected; they would be dropped or misread silently otherwise. The syntax
    /// follows RFC 3986, section 3, restricted to what a gateway URL needs.
    pub fn parse_base_url(base_url: &str) -> Result<Endpoint, ExchangeError> {
        let invalid = |reason: &str| {
            ExchangeError::invalid_input(format!(
                "options.base-url is invalid: {reason}; pass a URL such as https://graph-proxy.example.com or http://127.0.0.1:8080"
            ))
        };

        if base_url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(invalid("it contains whitespace or a control character"));
        }
        if base_url.contains('#') {
            return Err(invalid("it contains a fragment ('#')"));
        }
        if base_url.contains('?') {
            return Err(invalid("it contains a query ('?')"));
        }
        let Some((scheme, rest)) = text::split_once(base_url, "://") else {
            return Err(invalid("it has no scheme"));
        };
        let scheme = if scheme.eq_ignore_ascii_case("https") {
            Scheme::Https
        } else if scheme.eq_ignore_ascii_case("http") {
            Scheme::Http
        } else {
            return Err(invalid(
                "the scheme must be https, or http to a loopback host",
            ));
        };

        let (authority, path) = rest
            .find('/')
            .and_then(|slash| rest.split_at_checked(slash))
            .unwrap_or((rest, ""));
        if authority.contains('@') {
            return Err(invalid("it contains user information ('@')"));
        }
        if authority.is_empty() {
            return Err(invalid("it has no host"));
        }
        let host = parse_authority(authority).ok_or_else(|| {
            invalid("the host or port is malformed; use a DNS name, an IPv4 address or a bracketed IPv6 address, and a port from 1 to 65535")
        })?;
        if !path.bytes().all(is_path_byte) {
            return Err(invalid(
                "the path contains a character that must be percent-encoded",
            ));
        }
        if scheme == Scheme::Http && !is_loopback_host(host) {
            return Err(invalid(
                "plain http is allowed only to a loopback host (127.0.0.0/8, [::1] or localhost), because the request carries the app secret",
            ));
        }

        Ok(Endpoint {
            scheme,
            authority: authority.to_ascii_lowercase(),
            path_prefix: path.trim_end_matches('/').to_string(),
        })
    }
}

/// Checks `host[:port]` and returns the host (IPv6 with its brackets), or `None` when malformed.
fn parse_authority(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, after) = authority.split_at_checked(close + 1)?;
        host.get(1..host.len() - 1)?.parse::<Ipv6Addr>().ok()?;
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let is_name = |h: &str| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !h.starts_with(['-', '.'])
    };
    if !host.starts_with('[') && !is_name(host) {
        return None;
    }
    if let Some(port) = port {
        let valid = (1..=5).contains(&port.len())
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|p| p > 0);
        if !valid {
            return None;
        }
    }
    Some(host)
}

/// RFC 3986 `pchar` plus `/`: unreserved, sub-delimiters, `:`, `@` and percent escapes.
fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&byte)
}

/// Returns whether `host` (as in a URL authority, IPv6 in brackets) is a loopback address or
/// `localhost`.
pub fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn parse(url: &str) -> Result<Endpoint, ExchangeError> {
        Endpoint::parse_base_url(url)
    }

    #[test]
    fn https_with_port_and_prefix() {
        let endpoint = parse("https://Gateway.Example.com:8443/meta/").unwrap();
        assert_eq!(endpoint.scheme, Scheme::Https);
        assert_eq!(endpoint.authority, "gateway.example.com:8443");
        assert_eq!(endpoint.path_prefix, "/meta");
    }

    #[test]
    fn http_allowed_to_loopback_only() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:9",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            let endpoint = parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(endpoint.scheme, Scheme::Http, "{url}");
            assert_eq!(endpoint.path_prefix, "", "{url}");
        }
        for url in [
            "http://example.com",
            "http://10.0.0.1",
            "http://169.254.169.254",
            "http://[::2]",
            "http://128.0.0.1",
            "http://localhost.example.com",
        ] {
            let err = parse(url).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{url}");
            assert!(err.message.contains("loopback"), "{url}: {}", err.message);
        }
    }

    #[test]
    fn rejects_malformed_urls() {
        let cases = [
            ("ftp://example.com", "scheme"),
            ("graph.facebook.com", "scheme"),
            ("/relative/path", "scheme"),
            ("https://user:pw@example.com", "user information"),
            ("https://example.com/?a=b", "query"),
            ("https://example.com/#frag", "fragment"),
            ("https://exa mple.com", "whitespace"),
            ("https://", "no host"),
            ("https:///path", "no host"),
            ("https://exa_mple.com", "malformed"),
            ("https://example.com:0", "malformed"),
            ("https://example.com:65536", "malformed"),
            ("https://example.com:", "malformed"),
            ("https://[::1", "malformed"),
            ("https://[zz]:80", "malformed"),
            ("https://example.com/a\\b", "percent-encoded"),
        ];
        for (url, reason) in cases {
            let err = parse(url).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidInput, "{url}");
            assert!(
                err.message.starts_with("options.base-url is invalid"),
                "{url}: {}",
                err.message
            );
            assert!(err.message.contains(reason), "{url}: {}", err.message);
        }
    }
}
