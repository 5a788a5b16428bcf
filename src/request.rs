//! Building the exchange and refresh requests: checked input to scheme, authority and query.

#[allow(unused_imports)]
use crate::prelude::*;

use core::fmt;

use crate::endpoint::{Endpoint, Scheme};
use crate::error::ExchangeError;
use crate::input::{self, Settings};
use crate::platform::{Operation, Platform, DEFAULT_API_VERSION};
use crate::secret::{Redactor, Secret};

/// A GET request ready for the transport. Its path and query carry credentials, so `Debug`
/// shows only the platform, scheme and authority.
#[derive(Clone)]
pub struct PreparedRequest {
    pub platform: Platform,
    pub operation: Operation,
    pub scheme: Scheme,
    /// `host[:port]`, also used in error messages.
    pub authority: String,
    /// Path and percent-encoded query, for `wasi:http`'s `set-path-with-query`.
    pub path_and_query: Secret,
    /// Removes this request's credentials from text that the server sends back.
    pub redactor: Redactor,
}

impl PreparedRequest {
    /// Returns the full URL, credentials included.
    pub fn url(&self) -> Secret {
        Secret::new(format!(
            "{}://{}{}",
            self.scheme.as_str(),
            self.authority,
            self.path_and_query.expose()
        ))
    }
}

impl fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("platform", &self.platform)
            .field("operation", &self.operation)
            .field("scheme", &self.scheme)
            .field("authority", &self.authority)
            .field("path_and_query", &self.path_and_query)
            .finish()
    }
}

/// Checks the arguments of an exchange and builds its request.
///
/// The platform is `item_platform`, else `settings.platform`, else the token's prefix.
pub fn prepare_exchange(
    app_id: &str,
    app_secret: &str,
    short_token: &str,
    item_platform: Option<Platform>,
    settings: &Settings,
) -> Result<PreparedRequest, ExchangeError> {
    let trimmed_token = input::trim(short_token);
    let platform = item_platform
        .or(settings.platform)
        .unwrap_or_else(|| Platform::detect(trimmed_token));

    let app_id = input::check_app_id(app_id, platform.sends_app_id())?;
    let app_secret = input::check_app_secret(app_secret)?;
    let short_token = input::check_token(short_token, "short-token")?;

    let grant_type = platform
        .grant_type(Operation::Exchange)
        .expect("every platform has an exchange grant");
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("grant_type", grant_type);
    if let (true, Some(app_id)) = (platform.sends_app_id(), &app_id) {
        query.append_pair("client_id", app_id);
    }
    query.append_pair("client_secret", app_secret.expose());
    let token_parameter = match platform {
        Platform::Facebook => "fb_exchange_token",
        Platform::Threads | Platform::Instagram => "access_token",
    };
    query.append_pair(token_parameter, short_token.expose());

    let redactor = Redactor::new([&app_secret, &short_token]);
    Ok(assemble(
        platform,
        Operation::Exchange,
        settings,
        query.finish(),
        redactor,
    ))
}

/// Checks the argument of a refresh and builds its request. Facebook tokens are rejected with
/// `invalid-input`, because Facebook has no refresh grant for long-lived user tokens.
pub fn prepare_refresh(
    token: &str,
    item_platform: Option<Platform>,
    settings: &Settings,
) -> Result<PreparedRequest, ExchangeError> {
    let trimmed_token = input::trim(token);
    let platform = item_platform
        .or(settings.platform)
        .unwrap_or_else(|| Platform::detect(trimmed_token));
    let token = input::check_token(token, "token")?;

    let Some(grant_type) = platform.grant_type(Operation::Refresh) else {
        let message = if item_platform.or(settings.platform).is_some() {
            "options.platform is facebook, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with exchange-token instead"
        } else {
            "token does not start with TH (Threads) or IG (Instagram), so it is taken as a Facebook token, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with exchange-token instead, or set options.platform if this is a Threads or Instagram token"
        };
        return Err(ExchangeError::invalid_input(message));
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("grant_type", grant_type);
    query.append_pair("access_token", token.expose());

    let redactor = Redactor::new([&token]);
    Ok(assemble(
        platform,
        Operation::Refresh,
        settings,
        query.finish(),
        redactor,
    ))
}

/// Joins endpoint, version segment, endpoint path and query.
fn assemble(
    platform: Platform,
    operation: Operation,
    settings: &Settings,
    query: String,
    redactor: Redactor,
) -> PreparedRequest {
    let endpoint = settings
        .endpoint
        .clone()
        .unwrap_or_else(|| Endpoint::graph(platform));
    // Facebook's token endpoint is versioned; Threads and Instagram document unversioned paths
    // and accept a version prefix.
    let version = match (platform, &settings.api_version) {
        (_, Some(version)) => Some(version.as_str()),
        (Platform::Facebook, None) => Some(DEFAULT_API_VERSION),
        (_, None) => None,
    };
    let mut path = endpoint.path_prefix;
    if let Some(version) = version {
        path.push('/');
        path.push_str(version);
    }
    path.push_str(platform.endpoint_path(operation));

    PreparedRequest {
        platform,
        operation,
        scheme: endpoint.scheme,
        authority: endpoint.authority,
        path_and_query: Secret::new(format!("{path}?{query}")),
        redactor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::input::{check_options, RawOptions};

    fn settings(options: RawOptions) -> Settings {
        check_options(&options).unwrap()
    }

    #[test]
    fn facebook_exchange_url() {
        let request =
            prepare_exchange(" 1234 ", "sec", "EAAshort", None, &Settings::default()).unwrap();
        assert_eq!(request.platform, Platform::Facebook);
        assert_eq!(
            request.url().expose(),
            "https://graph.facebook.com/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1234&client_secret=sec&fb_exchange_token=EAAshort"
        );
    }

    #[test]
    fn threads_and_instagram_exchange_urls() {
        let threads = prepare_exchange("", "sec", "THshort", None, &Settings::default()).unwrap();
        assert_eq!(
            threads.url().expose(),
            "https://graph.threads.net/access_token?grant_type=th_exchange_token&client_secret=sec&access_token=THshort"
        );
        let instagram =
            prepare_exchange("99", "sec", "IGshort", None, &Settings::default()).unwrap();
        assert_eq!(
            instagram.url().expose(),
            "https://graph.instagram.com/access_token?grant_type=ig_exchange_token&client_secret=sec&access_token=IGshort"
        );
    }

    #[test]
    fn refresh_urls_with_version_prefix() {
        let options = RawOptions {
            api_version: Some("v1.0".into()),
            ..Default::default()
        };
        let threads = prepare_refresh("THlong", None, &settings(options.clone())).unwrap();
        assert_eq!(
            threads.url().expose(),
            "https://graph.threads.net/v1.0/refresh_access_token?grant_type=th_refresh_token&access_token=THlong"
        );
        let instagram = prepare_refresh("IGlong", None, &Settings::default()).unwrap();
        assert_eq!(
            instagram.url().expose(),
            "https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=IGlong"
        );
    }

    #[test]
    fn refresh_rejects_facebook() {
        let err = prepare_refresh("EAAlong", None, &Settings::default()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err
            .message
            .contains("Facebook long-lived user tokens cannot be refreshed"));
    }

    #[test]
    fn secret_is_encoded_exactly_once() {
        let request =
            prepare_exchange("1", "a+b/c=d&e#f", "EAA-._~x", None, &Settings::default()).unwrap();
        let url = request.url();
        assert!(
            url.expose()
                .contains("&client_secret=a%2Bb%2Fc%3Dd%26e%23f&"),
            "{}",
            url.expose()
        );
        assert!(url.expose().ends_with("&fb_exchange_token=EAA-._%7Ex"));
    }

    #[test]
    fn platform_override_and_base_url() {
        let options = RawOptions {
            platform: Some(Platform::Instagram),
            base_url: Some("http://127.0.0.1:8080/prefix/".into()),
            ..Default::default()
        };
        let request = prepare_exchange("", "sec", "EAAshort", None, &settings(options)).unwrap();
        assert_eq!(request.platform, Platform::Instagram);
        assert_eq!(
            request.url().expose(),
            "http://127.0.0.1:8080/prefix/access_token?grant_type=ig_exchange_token&client_secret=sec&access_token=EAAshort"
        );
        let item = prepare_exchange(
            "1",
            "sec",
            "IGshort",
            Some(Platform::Facebook),
            &Settings::default(),
        )
        .unwrap();
        assert_eq!(item.platform, Platform::Facebook);
    }

    #[test]
    fn facebook_requires_app_id() {
        let err = prepare_exchange("", "sec", "EAAshort", None, &Settings::default()).unwrap_err();
        assert!(err.message.starts_with("app-id is empty"));
    }

    #[test]
    fn debug_hides_credentials() {
        let request = prepare_exchange(
            "1",
            "topsecretvalue",
            "EAAshorttoken",
            None,
            &Settings::default(),
        )
        .unwrap();
        let debug = format!("{request:?}");
        assert!(!debug.contains("topsecretvalue"));
        assert!(!debug.contains("EAAshorttoken"));
        assert!(debug.contains("graph.facebook.com"));
    }
}
