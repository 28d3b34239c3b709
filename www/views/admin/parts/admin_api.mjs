// The admin API's client: the server's admin token (`CAIRN_ADMIN_TOKEN`, typed by the admin,
// kept in memory for this page only, never stored) as the bearer of `/api/admin/…` calls.
// Errors carry the server's `{code, message}` like the shell's `ApiError`.

/** A client for `token`: `get`, `post`, `put`, `del` on paths with query parameters. */
export function adminApi(token) {
  const call = async (method, path, query, body) => {
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw Object.assign(new Error(error.message), { code: 'network_error' });
    }
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { code: 'invalid_answer', message: text.slice(0, 200) };
    }
    if (!response.ok) {
      throw Object.assign(new Error(json?.message ?? response.statusText), {
        code: json?.code ?? `http_${response.status}`, status: response.status, details: json?.details ?? null,
      });
    }
    return json;
  };
  return {
    get: (path, query) => call('GET', path, query),
    post: (path, query, body) => call('POST', path, query, body),
    put: (path, query, body) => call('PUT', path, query, body),
    del: (path, query) => call('DELETE', path, query),
  };
}

/** A public JSON document of this server (config values, JWKS): no token. */
export async function publicJson(path) {
  const response = await fetch(new URL(path, window.location.origin), { headers: { Accept: 'application/json' } });
  if (!response.ok) throw Object.assign(new Error(response.statusText), { code: `http_${response.status}` });
  return response.json();
}
