//! The only module that touches the network: one HTTP GET over `wasi:http`, driven without
//! blocking so that the scheduler can keep several in flight and poll them together with its
//! deadline timers.
//!
//! It sets the three `wasi:http` timeouts (connect, first byte, between bytes) to the attempt's
//! budget and caps the body at [`MAX_BODY_BYTES`]. It never sets `Host`, because the host
//! derives it from the authority, and never follows a redirect. Every `wasi:http` error code
//! becomes `timeout` or `transport`, with the code's WIT name in the message.

#[allow(unused_imports)]
use crate::prelude::*;

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, IncomingBody, IncomingResponse, Method,
    OutgoingRequest, RequestOptions, Scheme as WasiScheme,
};
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, StreamError};

use crate::endpoint::Scheme;
use crate::error::{ErrorKind, ExchangeError};
use crate::rate_limit;
use crate::request::PreparedRequest;
use crate::response::{ReceivedResponse, MAX_BODY_BYTES};
use crate::secret::Redactor;

/// Reads the wall clock in Unix seconds.
pub fn now_unix() -> u64 {
    wasip2::clocks::wall_clock::now().seconds
}

/// Sent with every request so that gateway logs show the caller.
const USER_AGENT: &str = concat!("graph-token-exchange/", env!("CARGO_PKG_VERSION"));

/// Result of one [`Attempt::advance`] call.
pub enum Progress {
    /// Nothing new yet; wait on [`Attempt::pollable`] again.
    Pending,
    /// The attempt finished; the response is complete or the request failed.
    Done(Result<ReceivedResponse, ExchangeError>),
}

/// One request in flight.
pub struct Attempt {
    state: State,
    host: String,
    redactor: Redactor,
}

// Fields are declared child first, because Rust drops them in declaration order and `wasi:http`
// rejects dropping a resource while a child of it (a pollable, a stream) still exists.
enum State {
    AwaitingResponse {
        pollable: Pollable,
        future: FutureIncomingResponse,
    },
    ReadingBody {
        pollable: Pollable,
        stream: InputStream,
        body: IncomingBody,
        _response: IncomingResponse,
        status: u16,
        headers: Vec<(String, Vec<u8>)>,
        /// `Content-Length`, when the response declares one.
        expected_len: Option<usize>,
        buffer: Vec<u8>,
    },
    Finished,
}

impl Attempt {
    /// Sends `request` with each `wasi:http` timeout set to `budget_ns` nanoseconds.
    pub fn start(request: &PreparedRequest, budget_ns: u64) -> Result<Attempt, ExchangeError> {
        let host = request.authority.clone();
        let setup_failed = |what: &str| {
            ExchangeError::new(
                ErrorKind::Transport,
                format!("the wasi:http host rejected the request to {host} (invalid {what}); check options.base-url"),
            )
            .with_retryable(false)
        };

        let headers = Fields::from_list(&[
            ("accept".to_string(), b"application/json".to_vec()),
            ("user-agent".to_string(), USER_AGENT.as_bytes().to_vec()),
        ])
        .map_err(|_| setup_failed("headers"))?;
        let outgoing = OutgoingRequest::new(headers);
        outgoing
            .set_method(&Method::Get)
            .map_err(|_| setup_failed("method"))?;
        let scheme = match request.scheme {
            Scheme::Http => WasiScheme::Http,
            Scheme::Https => WasiScheme::Https,
        };
        outgoing
            .set_scheme(Some(&scheme))
            .map_err(|_| setup_failed("scheme"))?;
        outgoing
            .set_authority(Some(&request.authority))
            .map_err(|_| setup_failed("authority"))?;
        outgoing
            .set_path_with_query(Some(request.path_and_query.expose()))
            .map_err(|_| setup_failed("path"))?;

        // A host may not support some timeouts; the scheduler's own deadline covers that case,
        // so a rejected setting is not an error.
        let options = RequestOptions::new();
        let _ = options.set_connect_timeout(Some(budget_ns));
        let _ = options.set_first_byte_timeout(Some(budget_ns));
        let _ = options.set_between_bytes_timeout(Some(budget_ns));

        let future = outgoing_handler::handle(outgoing, Some(options))
            .map_err(|code| error_from_code(&code, &host))?;
        Ok(Attempt {
            state: State::AwaitingResponse {
                pollable: future.subscribe(),
                future,
            },
            host,
            redactor: request.redactor.clone(),
        })
    }

    /// Returns the pollable that becomes ready when [`Attempt::advance`] can make progress.
    pub fn pollable(&self) -> Option<&Pollable> {
        match &self.state {
            State::AwaitingResponse { pollable, .. } | State::ReadingBody { pollable, .. } => {
                Some(pollable)
            }
            State::Finished => None,
        }
    }

    /// Returns the HTTP status once the response head has arrived.
    pub fn status(&self) -> Option<u16> {
        match &self.state {
            State::ReadingBody { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Makes whatever progress is possible without blocking.
    pub fn advance(&mut self) -> Progress {
        if let State::AwaitingResponse { future, .. } = &self.state {
            let response = match future.get() {
                None => return Progress::Pending,
                Some(Ok(Ok(response))) => response,
                Some(Ok(Err(code))) => return self.fail(error_from_code(&code, &self.host)),
                Some(Err(())) => {
                    return self.fail(ExchangeError::new(
                        ErrorKind::Transport,
                        format!(
                        "the response from {} was already taken; this is a bug in the component, so report it",
                        self.host
                    ),
                    )
                    .with_retryable(false))
                }
            };
            if let Err(error) = self.begin_body(response) {
                return self.fail(error);
            }
        }
        self.read_available()
    }

    fn begin_body(&mut self, response: IncomingResponse) -> Result<(), ExchangeError> {
        let status = response.status();
        let headers = response.headers().entries();
        let expected_len = content_length(&headers);
        if let Some(length) = expected_len {
            if length > MAX_BODY_BYTES as u64 {
                return Err(too_large(&self.host, status));
            }
        }
        let body = response.consume().map_err(|()| {
            ExchangeError::new(
                ErrorKind::Transport,
                format!(
                    "the wasi:http host could not open the response body from {}; retry later",
                    self.host
                ),
            )
            .with_status(status)
        })?;
        let stream = body.stream().map_err(|()| {
            ExchangeError::new(
                ErrorKind::Transport,
                format!(
                    "the wasi:http host could not read the response body from {}; retry later",
                    self.host
                ),
            )
            .with_status(status)
        })?;
        self.state = State::ReadingBody {
            pollable: stream.subscribe(),
            stream,
            body,
            _response: response,
            status,
            headers,
            // A larger length was rejected above, so the value fits in `usize`.
            expected_len: expected_len.and_then(|length| usize::try_from(length).ok()),
            buffer: Vec::new(),
        };
        Ok(())
    }

    fn read_available(&mut self) -> Progress {
        let State::ReadingBody {
            stream,
            status,
            expected_len,
            buffer,
            ..
        } = &mut self.state
        else {
            return Progress::Pending;
        };
        let status = *status;
        let expected_len = *expected_len;
        loop {
            // Read at most one byte past the cap: enough to tell that the body is too large.
            let room = (MAX_BODY_BYTES + 1 - buffer.len()) as u64;
            match stream.read(room) {
                Ok(bytes) if bytes.is_empty() => return Progress::Pending,
                Ok(bytes) => {
                    buffer.extend_from_slice(&bytes);
                    if buffer.len() > MAX_BODY_BYTES {
                        return self.fail(too_large(&self.host, status));
                    }
                    // With the declared length received, waiting for the end of the stream
                    // would only cost another poll and read (two blocking round trips in jco).
                    if expected_len == Some(buffer.len()) {
                        return self.complete();
                    }
                }
                Err(StreamError::Closed) => return self.complete(),
                // NOTE: the `wasi:http` error code of a failed body read is not requested,
                // because jco's preview2-shim can trap on `http-error-code` for it. A timeout
                // during the body is caught by the scheduler's deadline instead.
                Err(StreamError::LastOperationFailed(_)) => {
                    return self.fail(
                        ExchangeError::new(
                            ErrorKind::Transport,
                            format!("the connection to {} failed while reading the response body (HTTP {status}); retry later", self.host),
                        )
                        .with_status(status),
                    )
                }
            }
        }
    }

    fn complete(&mut self) -> Progress {
        let State::ReadingBody {
            pollable,
            stream,
            body,
            _response,
            status,
            headers,
            buffer,
            ..
        } = core::mem::replace(&mut self.state, State::Finished)
        else {
            return Progress::Pending;
        };
        drop(pollable);
        drop(stream);
        // Trailers are not used; finishing the body releases it in the host.
        drop(IncomingBody::finish(body));
        drop(_response);

        let rate_limit = rate_limit::from_headers(&headers, now_unix(), &self.redactor);
        Progress::Done(Ok(ReceivedResponse {
            status,
            rate_limit,
            body: buffer,
        }))
    }

    fn fail(&mut self, error: ExchangeError) -> Progress {
        self.state = State::Finished;
        Progress::Done(Err(error))
    }
}

fn content_length(headers: &[(String, Vec<u8>)]) -> Option<u64> {
    let (_, value) = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))?;
    core::str::from_utf8(value).ok()?.trim().parse().ok()
}

fn too_large(host: &str, status: u16) -> ExchangeError {
    ExchangeError::new(
        ErrorKind::ResponseTooLarge,
        format!("the response body from {host} is larger than {MAX_BODY_BYTES} bytes, far beyond any token response; check options.base-url"),
    )
    .with_status(status)
}

/// Maps a `wasi:http` error code to `timeout` or `transport`, keeping the code's WIT name.
fn error_from_code(code: &ErrorCode, host: &str) -> ExchangeError {
    let (name, kind, retryable) = classify_code(code);
    let message = match kind {
        ErrorKind::Timeout => format!("the request to {host} timed out (wasi:http error {name}); retry later, or raise options.timeout-ms"),
        _ if retryable => format!("the connection to {host} failed (wasi:http error {name}); retry later, and check options.base-url and network access"),
        _ => format!("the request to {host} failed (wasi:http error {name}); check options.base-url, the host's TLS certificate and network access"),
    };
    ExchangeError::new(kind, message).with_retryable(retryable)
}

/// The WIT name of `code`, its kind, and whether a retry may help: timeouts and failures to
/// reach or keep a connection may pass, while TLS, protocol and request errors will repeat.
fn classify_code(code: &ErrorCode) -> (&'static str, ErrorKind, bool) {
    use ErrorKind::{Timeout, Transport};
    match code {
        ErrorCode::DnsTimeout => ("DNS-timeout", Timeout, true),
        ErrorCode::ConnectionTimeout => ("connection-timeout", Timeout, true),
        ErrorCode::ConnectionReadTimeout => ("connection-read-timeout", Timeout, true),
        ErrorCode::ConnectionWriteTimeout => ("connection-write-timeout", Timeout, true),
        ErrorCode::HttpResponseTimeout => ("HTTP-response-timeout", Timeout, true),
        ErrorCode::DnsError(_) => ("DNS-error", Transport, true),
        ErrorCode::DestinationNotFound => ("destination-not-found", Transport, false),
        ErrorCode::DestinationUnavailable => ("destination-unavailable", Transport, true),
        ErrorCode::DestinationIpProhibited => ("destination-IP-prohibited", Transport, false),
        ErrorCode::DestinationIpUnroutable => ("destination-IP-unroutable", Transport, false),
        ErrorCode::ConnectionRefused => ("connection-refused", Transport, true),
        ErrorCode::ConnectionTerminated => ("connection-terminated", Transport, true),
        ErrorCode::ConnectionLimitReached => ("connection-limit-reached", Transport, true),
        ErrorCode::TlsProtocolError => ("TLS-protocol-error", Transport, false),
        ErrorCode::TlsCertificateError => ("TLS-certificate-error", Transport, false),
        ErrorCode::TlsAlertReceived(_) => ("TLS-alert-received", Transport, false),
        ErrorCode::HttpRequestDenied => ("HTTP-request-denied", Transport, false),
        ErrorCode::HttpRequestLengthRequired => ("HTTP-request-length-required", Transport, false),
        ErrorCode::HttpRequestBodySize(_) => ("HTTP-request-body-size", Transport, false),
        ErrorCode::HttpRequestMethodInvalid => ("HTTP-request-method-invalid", Transport, false),
        ErrorCode::HttpRequestUriInvalid => ("HTTP-request-URI-invalid", Transport, false),
        ErrorCode::HttpRequestUriTooLong => ("HTTP-request-URI-too-long", Transport, false),
        ErrorCode::HttpRequestHeaderSectionSize(_) => {
            ("HTTP-request-header-section-size", Transport, false)
        }
        ErrorCode::HttpRequestHeaderSize(_) => ("HTTP-request-header-size", Transport, false),
        ErrorCode::HttpRequestTrailerSectionSize(_) => {
            ("HTTP-request-trailer-section-size", Transport, false)
        }
        ErrorCode::HttpRequestTrailerSize(_) => ("HTTP-request-trailer-size", Transport, false),
        ErrorCode::HttpResponseIncomplete => ("HTTP-response-incomplete", Transport, true),
        ErrorCode::HttpResponseHeaderSectionSize(_) => {
            ("HTTP-response-header-section-size", Transport, false)
        }
        ErrorCode::HttpResponseHeaderSize(_) => ("HTTP-response-header-size", Transport, false),
        ErrorCode::HttpResponseBodySize(_) => ("HTTP-response-body-size", Transport, false),
        ErrorCode::HttpResponseTrailerSectionSize(_) => {
            ("HTTP-response-trailer-section-size", Transport, false)
        }
        ErrorCode::HttpResponseTrailerSize(_) => ("HTTP-response-trailer-size", Transport, false),
        ErrorCode::HttpResponseTransferCoding(_) => {
            ("HTTP-response-transfer-coding", Transport, false)
        }
        ErrorCode::HttpResponseContentCoding(_) => {
            ("HTTP-response-content-coding", Transport, false)
        }
        ErrorCode::HttpUpgradeFailed => ("HTTP-upgrade-failed", Transport, false),
        ErrorCode::HttpProtocolError => ("HTTP-protocol-error", Transport, true),
        ErrorCode::LoopDetected => ("loop-detected", Transport, false),
        ErrorCode::ConfigurationError => ("configuration-error", Transport, false),
        ErrorCode::InternalError(_) => ("internal-error", Transport, false),
    }
}
