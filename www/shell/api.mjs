// The views' handle on the server's JSON API (`ctx.api`): `get`, `post`, `put`, `del` with
// JSON bodies and `upload` with bytes, each resolving with the parsed answer or rejecting
// with an `ApiError` that carries the server's `{code, message, details}` and the HTTP
// status. The transport (bearer token, retries with backoff on network errors and 5xx) is
// the wasm crate's `ApiClient` (js/src/api_client.rs); this file only adapts it.

/** A refused or failed API call: the server's code, message and details, and the status. */
export class ApiError extends Error {
  constructor({ code, message, details, status }) {
    super(message ?? code ?? 'the request failed');
    this.name = 'ApiError';
    this.code = code ?? 'network_error';
    this.details = details ?? null;
    this.status = status ?? 0;
  }
}

/** A thrown value as an `ApiError` (the wasm client throws plain objects or Errors). */
function asApiError(error) {
  if (error instanceof ApiError) return error;
  return new ApiError({
    code: error?.code,
    message: error?.message ?? String(error),
    details: error?.details,
    status: error?.status,
  });
}

/**
 * The client for `token` (the launch's bearer token; none on public pages). `transport` is
 * the wasm module's `ApiClient` class (see `js/src/api_client.rs`).
 */
export function apiClient({ token, transport }) {
  const client = new transport(token ?? '', window.location.origin);
  const call = async (method, path, body, contentType) => {
    try {
      return await client.request(method, path, body, contentType);
    } catch (error) {
      throw asApiError(error);
    }
  };
  return Object.freeze({
    get: (path) => call('GET', path, undefined, undefined),
    post: (path, body) => call('POST', path, JSON.stringify(body ?? {}), 'application/json'),
    put: (path, body) => call('PUT', path, JSON.stringify(body ?? {}), 'application/json'),
    del: (path) => call('DELETE', path, undefined, undefined),
    /** `bytes` (a Uint8Array) as the body, with its media type. */
    upload: (path, bytes, contentType) => call('POST', path, bytes, contentType),
  });
}
