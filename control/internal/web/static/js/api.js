// The API client: JSON requests and Server-Sent Event streams, both with the API key in the
// X-API-Key header. EventSource cannot send headers, and the key must never go into a URL (it
// would land in access logs), so streams are read with fetch() and a ReadableStream reader.

const KEY_NAME = 'trafficinator.apiKey';

let onAuthFailure = () => {};

// ApiError is a failed request: status, the API's message, and its field problems if any.
export class ApiError extends Error {
  constructor(status, body, fallback) {
    super((body && body.error) || fallback || `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.errors = (body && body.errors) || [];
    this.warnings = (body && body.warnings) || [];
    this.requestId = body && body.request_id;
  }
}

// key returns the API key of this tab (sessionStorage) or the remembered one (localStorage).
export function key() {
  return sessionStorage.getItem(KEY_NAME) || localStorage.getItem(KEY_NAME) || '';
}

// setKey keeps the key for this tab, or on this device when remember is true.
export function setKey(value, remember) {
  forgetKey();
  sessionStorage.setItem(KEY_NAME, value);
  if (remember) localStorage.setItem(KEY_NAME, value);
}

// forgetKey removes the key from both storages.
export function forgetKey() {
  sessionStorage.removeItem(KEY_NAME);
  localStorage.removeItem(KEY_NAME);
}

// isRemembered tells whether the key is kept beyond this tab.
export function isRemembered() {
  return Boolean(localStorage.getItem(KEY_NAME));
}

// setAuthFailureHandler registers what happens on 401/403 (the key dialog opens).
export function setAuthFailureHandler(fn) {
  onAuthFailure = fn;
}

function headers(extra) {
  const h = {'X-API-Key': key(), ...extra};
  return h;
}

// request sends one API call. body is JSON-encoded unless it is a string, Blob or FormData.
// opts.text returns the body as text; opts.raw returns the Response.
export async function request(method, path, body, opts = {}) {
  const init = {method, headers: headers(opts.headers), cache: 'no-store', signal: opts.signal};
  if (body !== undefined && body !== null) {
    if (typeof body === 'string' || body instanceof Blob || body instanceof FormData) {
      init.body = body;
    } else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  let resp;
  try {
    resp = await fetch(path, init);
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, null, 'the control cannot be reached; is it running?');
  }
  if (resp.status === 401 || resp.status === 403) {
    const b = await safeJSON(resp);
    onAuthFailure(resp.status === 403 ? 'The key was not accepted.' : 'An API key is needed.');
    throw new ApiError(resp.status, b);
  }
  if (!resp.ok) {
    const b = await safeJSON(resp);
    let fallback;
    if (resp.status === 429) fallback = `too many requests; retry in ${resp.headers.get('Retry-After') || 'a few'} s`;
    throw new ApiError(resp.status, b, fallback);
  }
  if (opts.raw) return resp;
  if (resp.status === 204) return null;
  if (opts.text) return resp.text();
  return resp.json();
}

async function safeJSON(resp) {
  try {
    return await resp.json();
  } catch {
    return null;
  }
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body ?? {}, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

// stream reads a Server-Sent Events endpoint. handlers: onEvent(name, data), onOpen(),
// onError(err), onEnd(data). It reconnects (a few times, backing off) when the connection drops
// before an "end" event, and never after close().
export function stream(path, handlers) {
  const ctl = new AbortController();
  let closed = false;
  const close = () => {
    closed = true;
    ctl.abort();
  };
  (async () => {
    for (let attempt = 0; !closed && attempt < 8; attempt++) {
      try {
        const ended = await readStream(path, ctl.signal, handlers);
        if (ended) return;
        attempt = 0; // a stream that worked and then dropped starts the backoff afresh
      } catch (err) {
        if (closed || err.name === 'AbortError') return;
        if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) {
          handlers.onError?.(err);
          return;
        }
        handlers.onError?.(err);
      }
      await wait(Math.min(1000 * 2 ** attempt, 15000), ctl.signal);
    }
  })().catch(() => {});
  return {close};
}

function wait(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, {once: true});
  });
}

// readStream reads one connection; it resolves true when an "end" event arrived.
async function readStream(path, signal, handlers) {
  const resp = await request('GET', path, undefined, {raw: true, signal, headers: {Accept: 'text/event-stream'}});
  handlers.onOpen?.();
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return false;
    buf += value.replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const ev = parseBlock(block);
      if (!ev) continue;
      if (ev.name === 'end') {
        handlers.onEnd?.(ev.data);
        reader.cancel().catch(() => {});
        return true;
      }
      handlers.onEvent?.(ev.name, ev.data);
    }
  }
}

// parseBlock parses one SSE event block; comments (": ping") yield null.
function parseBlock(block) {
  let name = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    let val = i < 0 ? '' : line.slice(i + 1);
    if (val.startsWith(' ')) val = val.slice(1);
    if (field === 'event') name = val;
    else if (field === 'data') data.push(val);
  }
  if (data.length === 0) return null;
  const text = data.join('\n');
  try {
    return {name, data: JSON.parse(text)};
  } catch {
    return {name, data: text};
  }
}
