// The learner view's data: the server's record and credentials, the definitions and events it
// was folded from, and the same fold run in the browser by the core. The page shows its own
// fold only when it equals the server's (`sameRecord`); otherwise it shows the server's and
// says so. DOM-free (tested under Node).

/** Unix seconds as the core's instant, `YYYY-MM-DDTHH:MM:SSZ`. */
export function instantOf(seconds) {
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Whether two records are the same (their JSON, members in any order). */
export function sameRecord(a, b) {
  return canonical(a) === canonical(b);
}

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The definition ids the learner enrolled in, from the events. */
export function enrolledIn(events) {
  return new Set(events.filter((e) => e.type === 'enrolled').map((e) => e.credential));
}

/**
 * Reads everything the view shows and folds it: `{server, definitions, events, record,
 * agrees, plarRequests}`. `record` is the browser's fold when it agrees with the server's,
 * else the server's.
 */
export async function loadLearner(api, core) {
  const [server, definitions, history, plarRequests] = await Promise.all([
    api.get('/api/me/record'),
    api.get('/api/me/definitions'),
    api.get('/api/me/history'),
    api.get('/api/me/plar-requests').catch(() => []),
  ]);
  const events = history.map((entry) => entry.event);
  let local = null;
  let foldMs = null;
  if (definitions.length > 0) {
    const started = performance.now();
    local = core.fold(JSON.stringify(definitions), JSON.stringify(events), instantOf(server.at));
    foldMs = performance.now() - started;
  }
  const agrees = local === null || sameRecord(local, server.record);
  return {
    server,
    definitions,
    events,
    record: agrees && local ? local : server.record,
    agrees,
    foldMs,
    plarRequests: plarRequests ?? [],
  };
}
