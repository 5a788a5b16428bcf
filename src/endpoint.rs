//! Parsing of the `base-url` option and the rule on where requests may go.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::ExchangeError;
use crate::platform::Platform;

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

/// Where requests go: scheme, authority (`host[:port]`) and a path prefix without a trailing `/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: Scheme,
    pub authority: String,
    pub path_prefix: String,
}

impl Endpoint {
    /// The Graph host of `platform` over HTTPS.
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
    /// fragment are rejected; they would be dropped or misread silently otherwise.
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
        let uri: http::Uri = base_url
            .parse()
            .map_err(|_| invalid("it is not an absolute URL"))?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => Scheme::Https,
            Some(s) if s.eq_ignore_ascii_case("http") => Scheme::Http,
            Some(_) => {
                return Err(invalid(
                    "the scheme must be https, or http to a loopback host",
                ))
            }
            None => return Err(invalid("it has no scheme")),
        };
        let authority = uri.authority().ok_or_else(|| invalid("it has no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("it contains user information ('@')"));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(invalid("it has no host"));
        }
        if uri.query().is_some() {
            return Err(invalid("it contains a query ('?')"));
        }
        if scheme == Scheme::Http && !is_loopback_host(host) {
            return Err(invalid(
                "plain http is allowed only to a loopback host (127.0.0.0/8, [::1] or localhost), because the request carries the app secret",
            ));
        }

        let path_prefix = uri.path().trim_end_matches('/').to_string();
        Ok(Endpoint {
            scheme,
            authority: authority.as_str().to_ascii_lowercase(),
            path_prefix,
        })
    }
}

/// Whether `host` (as in a URL authority, IPv6 in brackets) is a loopback address or `localhost`.
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
            ("https://", "not an absolute URL"),
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
