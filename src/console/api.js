// Every call the console makes to the API, from the same origin (so every response header is
// readable: no CORS involved). Each answer is returned with what it says about itself: status,
// body, size, the client's round trip and the X-Cache / X-Cache-Key / Server-Timing headers.
//
// The session (tokens from POST /login) lives in sessionStorage: it survives a reload of this tab
// and is gone when the tab closes; never a cookie (so no CSRF), never localStorage.

import { parseServerTiming } from './timing.js';

const SESSION_KEY = 'vitrina.session';

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    return saved && typeof saved.accessToken === 'string' ? saved : null;
  } catch {
    return null;
  }
}

export class Api {
  constructor() {
    this.session = loadSession();
    this.listeners = new Set();
  }

  // Called with the session (or null) whenever it changes.
  onSessionChange(listener) {
    this.listeners.add(listener);
  }

  setSession(session) {
    this.session = session;
    if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(SESSION_KEY);
    for (const listener of this.listeners) listener(session);
  }

  // One request. `auth` sends the bearer token when there is one; `json` is sent as the body.
  // Never throws for HTTP errors: the answer's `ok`, `status` and `error` tell.
  async request(method, path, { json, form, auth = true, retry = true } = {}) {
    const headers = { Accept: 'application/json' };
    let body;
    if (json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(json);
    } else if (form !== undefined) {
      body = new URLSearchParams(form);
    }
    if (auth && this.session) headers.Authorization = `Bearer ${this.session.accessToken}`;
    const started = performance.now();
    let response;
    let bytes;
    try {
      // no-store: every click is a real request, never the browser's cache or a 304.
      response = await fetch(path, { method, headers, body, cache: 'no-store' });
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (failure) {
      return {
        ok: false,
        status: 0,
        method,
        path,
        ms: performance.now() - started,
        error: { code: 'network', message: `the server did not answer (${failure.message})` },
      };
    }
    const ms = performance.now() - started;
    if (response.status === 401 && auth && retry && this.session?.refreshToken) {
      if (await this.refresh())
        return this.request(method, path, { json, form, auth, retry: false });
    }
    return describeAnswer(method, path, response, bytes, ms);
  }

  // Exchanges the refresh token for new tokens; on failure the session ends.
  async refresh() {
    const answer = await this.request('POST', '/token/refresh', {
      json: { refresh_token: this.session.refreshToken },
      auth: false,
      retry: false,
    });
    if (!answer.ok) {
      this.setSession(null);
      return false;
    }
    this.setSession({
      ...this.session,
      accessToken: answer.data.access_token,
      refreshToken: answer.data.refresh_token ?? this.session.refreshToken,
    });
    return true;
  }
}

function describeAnswer(method, path, response, bytes, ms) {
  const text = new TextDecoder().decode(bytes);
  let data = null;
  if ((response.headers.get('Content-Type') ?? '').includes('json') && text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  const error = response.ok
    ? null
    : {
        code: data?.error?.code ?? `http_${response.status}`,
        message: data?.error?.message ?? (response.statusText || `HTTP ${response.status}`),
        fields: data?.error?.fields ?? {},
      };
  return {
    ok: response.ok,
    status: response.status,
    method,
    path,
    data,
    text,
    bytes: bytes.byteLength,
    ms,
    error,
    cache: response.headers.get('X-Cache'),
    cacheKey: response.headers.get('X-Cache-Key'),
    serverTiming: parseServerTiming(response.headers.get('Server-Timing')),
    requestId: response.headers.get('X-Request-Id'),
    location: response.headers.get('Location'),
  };
}
