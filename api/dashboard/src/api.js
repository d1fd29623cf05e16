// The REST client: Bearer API key from sessionStorage, problem+json errors as ApiError,
// and the live change feed (/v1/events) read with fetch so the key travels in the
// Authorization header (EventSource cannot send one, and a key in a URL ends up in logs
// and browser history).

const KEY = 'ledgerflow.apiKey';

export function apiKey() {
  return sessionStorage.getItem(KEY);
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  // A segregation-of-duties refusal (403 naming the rule).
  get segregation() {
    return this.status === 403 && /segregation of duties/i.test(this.problem.detail || '');
  }
}

let onUnauthenticated = () => {};
export function whenUnauthenticated(fn) {
  onUnauthenticated = fn;
}

// Resolves to the parsed JSON body, or with `full: true` to {status, body} (when the
// status itself matters, e.g. 201 created against 200 unchanged).
export async function api(path, { method = 'GET', body, query, full = false } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const headers = { Authorization: `Bearer ${apiKey()}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { title: text.slice(0, 200) };
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json || { title: res.statusText });
    if (res.status === 401) onUnauthenticated(err);
    throw err;
  }
  return full ? { status: res.status, body: json } : json;
}

// Follows /v1/events and calls onEvent({id, event, data}) for each event; reconnects
// with Last-Event-ID after a drop (backing off up to 15 s). onState('live' | 'reconnecting')
// reports the connection. Returns a function that stops it.
export function followEvents(onEvent, onState) {
  const abort = new AbortController();
  let lastId = null;
  let delayMs = 500;

  async function once() {
    const headers = { Authorization: `Bearer ${apiKey()}`, Accept: 'text/event-stream' };
    if (lastId !== null) headers['Last-Event-ID'] = lastId;
    const res = await fetch('/v1/events', { headers, signal: abort.signal, cache: 'no-store' });
    if (res.status === 401) {
      onUnauthenticated(new ApiError(401, { title: 'Unauthorized' }));
      abort.abort();
      return;
    }
    if (!res.ok || !res.body) throw new Error(`event stream: HTTP ${res.status}`);
    onState('live');
    delayMs = 500;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = { id: null, event: 'message', data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line === '') {
          if (event.data.length) {
            if (event.id !== null) lastId = event.id;
            let data = event.data.join('\n');
            try {
              data = JSON.parse(data);
            } catch {
              /* keep the text */
            }
            onEvent({ id: event.id, event: event.event, data });
          }
          event = { id: null, event: 'message', data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') event.id = val;
          else if (field === 'event') event.event = val;
          else if (field === 'data') event.data.push(val);
        }
      }
    }
  }

  (async () => {
    while (!abort.signal.aborted) {
      try {
        await once();
      } catch {
        /* dropped or refused: reconnect below */
      }
      if (abort.signal.aborted) return;
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, 15000);
    }
  })();
  return () => abort.abort();
}
