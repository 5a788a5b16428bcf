// Exchanges a short-lived Facebook Login token for a long-lived one and prints the outcome.
//
// Inputs come from the environment: META_APP_ID, META_APP_SECRET, META_SHORT_TOKEN, and
// GRAPH_BASE_URL, the server to ask (default http://127.0.0.1:8080, a local stand-in for Graph).
// To call the real Graph host, drop `baseUrl` from the options.
//
// The call is synchronous and blocks the event loop until the response arrives. A server in
// the same Node process therefore cannot respond to it, so run the stand-in in another process.

import { exchange } from 'graph-token-exchange';

type ExchangeError = exchange.ExchangeError;

/** The error jco throws for an `err` result; `payload` is the WIT `exchange-error` record. */
interface ComponentError extends Error {
  payload: ExchangeError;
}

/** Checks whether `error` is jco's ComponentError. jco does not export the class, so the name is compared. */
function isComponentError(error: unknown): error is ComponentError {
  return error instanceof Error && error.constructor.name === 'ComponentError' && 'payload' in error;
}

/** Returns the next step for a failed exchange, chosen by the error kind. */
function describeFailure(failure: ExchangeError): string {
  switch (failure.kind) {
    case 'token-expired':
    case 'invalid-token':
      return 'ask the user to log in again';
    case 'rate-limited':
      return `wait at least ${failure.retryAfterSeconds ?? 60} s before the next call`;
    case 'invalid-input':
    case 'invalid-credentials':
      return 'fix the app id, app secret or token';
    default:
      return failure.retryable ? 'retry later' : 'report the error with its fbtrace id';
  }
}

function main(): number {
  const appId = process.env.META_APP_ID ?? '';
  const appSecret = process.env.META_APP_SECRET ?? '';
  const shortToken = process.env.META_SHORT_TOKEN ?? '';
  const baseUrl = process.env.GRAPH_BASE_URL ?? 'http://127.0.0.1:8080';

  try {
    const token = exchange.exchangeTokenWith(appId, appSecret, shortToken, { baseUrl, platform: 'facebook' });
    // expiresIn and expiresAt are BigInt, or undefined when Graph sent no lifetime.
    const expiresAt = token.expiresAt === undefined ? 'unknown' : new Date(Number(token.expiresAt) * 1000).toISOString();
    console.log(`long-lived ${token.platform} token received; expires at ${expiresAt}`);
    return 0;
  } catch (error) {
    if (!isComponentError(error)) {
      throw error;
    }
    const failure = error.payload;
    const graphCode = failure.graphError?.code === undefined ? '' : ` (Graph code ${failure.graphError.code})`;
    console.error(`exchange failed: ${failure.kind}${graphCode}: ${failure.message}`);
    console.error(`next step: ${describeFailure(failure)}`);
    return 1;
  }
}

process.exitCode = main();
