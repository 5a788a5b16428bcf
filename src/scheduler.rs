//! Runs prepared requests to completion: concurrency limit, per-item deadline, retries with
//! backoff, all on `wasi:io` pollables inside the single-threaded guest.
//!
//! Each item's deadline is a `wasi:clocks` monotonic-clock pollable that is polled together with
//! the response and body pollables, so it fires even when a host ignores the `wasi:http`
//! timeouts. A single call is a batch of one.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::VecDeque;

use wasip2::clocks::monotonic_clock;
use wasip2::io::poll::{self, Pollable};

use crate::error::{ErrorKind, ExchangeError};
use crate::input::Settings;
use crate::request::PreparedRequest;
use crate::response::{self, LongLivedToken};
use crate::retry::{self, NANOS_PER_MILLI};
use crate::transport::{self, Attempt, Progress};

/// The result of one item: a long-lived token, or the error that ended its attempts.
pub type Outcome = Result<LongLivedToken, ExchangeError>;

/// Runs every prepared request and returns one outcome per item, in input order. Items that
/// failed preparation are returned as they are, without a request.
pub fn run_all(
    items: Vec<Result<PreparedRequest, ExchangeError>>,
    settings: &Settings,
) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
    let mut queue = VecDeque::new();
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Ok(request) => {
                outcomes.push(None);
                queue.push_back((index, request));
            }
            Err(error) => outcomes.push(Some(Err(error))),
        }
    }

    let max_in_flight = settings.max_concurrency.max(1) as usize;
    let mut running: Vec<Job> = Vec::new();
    loop {
        while running.len() < max_in_flight {
            let Some((index, request)) = queue.pop_front() else {
                break;
            };
            let mut job = Job::new(index, request, settings);
            match job.begin_attempt(monotonic_clock::now()) {
                Some(outcome) => outcomes[index] = Some(outcome),
                None => running.push(job),
            }
        }
        if running.is_empty() {
            break;
        }

        {
            let pollables: Vec<&Pollable> = running.iter().flat_map(Job::pollables).collect();
            poll::poll(&pollables);
        }

        let now = monotonic_clock::now();
        let mut still_running = Vec::with_capacity(running.len());
        for mut job in running {
            match job.advance(now) {
                Some(outcome) => outcomes[job.index] = Some(outcome),
                None => still_running.push(job),
            }
        }
        running = still_running;
    }

    outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every item finishes before the loop ends"))
        .collect()
}

/// One item: its request, its deadline, and what it is waiting for.
struct Job {
    index: usize,
    request: PreparedRequest,
    timeout_ms: u32,
    max_attempts: u32,
    attempts: u32,
    /// Monotonic-clock instant, in nanoseconds, after which the item fails with `timeout`.
    deadline: u64,
    phase: Phase,
}

// In each variant the pollables come first, so they are dropped before the resources they
// watch.
enum Phase {
    Idle,
    InFlight {
        attempt_deadline_pollable: Pollable,
        attempt: Attempt,
        attempt_deadline: u64,
        budget_ms: u64,
    },
    Backoff {
        pollable: Pollable,
        until: u64,
    },
}

impl Job {
    fn new(index: usize, request: PreparedRequest, settings: &Settings) -> Job {
        let now = monotonic_clock::now();
        Job {
            index,
            request,
            timeout_ms: settings.timeout_ms,
            max_attempts: settings.max_attempts.max(1),
            attempts: 0,
            deadline: now.saturating_add(u64::from(settings.timeout_ms) * NANOS_PER_MILLI),
            phase: Phase::Idle,
        }
    }

    fn pollables(&self) -> Vec<&Pollable> {
        match &self.phase {
            Phase::Idle => Vec::new(),
            Phase::InFlight {
                attempt_deadline_pollable,
                attempt,
                ..
            } => {
                let mut list = vec![attempt_deadline_pollable];
                list.extend(attempt.pollable());
                list
            }
            Phase::Backoff { pollable, .. } => vec![pollable],
        }
    }

    /// Sends the next request. Returns the outcome when the item is finished.
    fn begin_attempt(&mut self, now: u64) -> Option<Outcome> {
        self.attempts += 1;
        let attempts_left = self.max_attempts + 1 - self.attempts;
        let remaining = self.deadline.saturating_sub(now);
        let budget = retry::attempt_budget_ns(remaining, attempts_left).max(1);
        match Attempt::start(&self.request, budget) {
            Ok(attempt) => {
                let attempt_deadline = now.saturating_add(budget);
                self.phase = Phase::InFlight {
                    attempt_deadline_pollable: monotonic_clock::subscribe_instant(attempt_deadline),
                    attempt,
                    attempt_deadline,
                    budget_ms: budget.div_ceil(NANOS_PER_MILLI),
                };
                None
            }
            Err(error) => self.after_failure(error, now),
        }
    }

    /// Makes progress after a poll. Returns the outcome when the item is finished.
    fn advance(&mut self, now: u64) -> Option<Outcome> {
        match &self.phase {
            Phase::Idle => return None,
            Phase::Backoff { until, .. } => {
                if now < *until {
                    return None;
                }
                self.phase = Phase::Idle;
                return self.begin_attempt(now);
            }
            // The deadline wins over a response that became ready at the same moment, so a
            // result never arrives later than the caller allowed.
            Phase::InFlight {
                attempt,
                attempt_deadline,
                budget_ms,
                ..
            } => {
                if now >= *attempt_deadline {
                    let mut error = self.timeout_error(*budget_ms);
                    // A body that stalls after the head still reports the status it came with.
                    error.http_status = attempt.status();
                    self.phase = Phase::Idle;
                    return self.after_failure(error, now);
                }
            }
        }

        let Phase::InFlight { attempt, .. } = &mut self.phase else {
            return None;
        };
        let Progress::Done(received) = attempt.advance() else {
            return None;
        };
        self.phase = Phase::Idle;
        let outcome = received.and_then(|response| {
            response::interpret(&response, &self.request, transport::now_unix())
        });
        match outcome {
            Ok(token) => Some(Ok(token)),
            Err(error) => self.after_failure(error, now),
        }
    }

    fn timeout_error(&self, budget_ms: u64) -> ExchangeError {
        ExchangeError::new(
            ErrorKind::Timeout,
            format!(
                "{} sent no complete response within {budget_ms} ms (attempt {} of at most {}, options.timeout-ms {}); retry later, or raise options.timeout-ms",
                self.request.authority, self.attempts, self.max_attempts, self.timeout_ms
            ),
        )
    }

    /// Schedules a retry when the error allows one and time is left, else finishes the item.
    fn after_failure(&mut self, mut error: ExchangeError, now: u64) -> Option<Outcome> {
        error.attempts = self.attempts;
        if self.attempts >= self.max_attempts || !retry::should_retry(&error) {
            return Some(Err(error));
        }
        let wait_ms = retry::backoff_ms(
            self.attempts,
            wasip2::random::random::get_random_u64(),
            error.rate_limit.retry_after_seconds,
        );
        let until = now.saturating_add(wait_ms.saturating_mul(NANOS_PER_MILLI));
        if !retry::retry_fits(until, self.deadline) {
            return Some(Err(error));
        }
        self.phase = Phase::Backoff {
            pollable: monotonic_clock::subscribe_instant(until),
            until,
        };
        None
    }
}
