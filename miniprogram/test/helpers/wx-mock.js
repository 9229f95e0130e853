// wx.* mocked at the edge: the Api (wx.request, wx.uploadFile, wx.downloadFile) answers from a route
// table whose every exchange is checked against the contract (helpers/contract.js); WeChat's own APIs
// (login, chooseMedia, requestSubscribeMessage) answer as the real ones do, asynchronously.
const contract = require('./contract');

const BASE = 'http://127.0.0.1:8080'; // config.baseUrl() for envVersion 'develop' (set in setup.js)

function later(fn) {
  setTimeout(fn, 0);
}

let violations = [];

/** Contract problems seen since the last call; setup.js fails a test that leaves any. */
function takeViolations() {
  const v = violations;
  violations = [];
  return v;
}

function pathOf(url) {
  if (!url.startsWith(BASE)) throw new Error(`request to ${url}: not the configured base URL ${BASE}`);
  return url.slice(BASE.length);
}

/**
 * The Api. routes: { 'GET /api/mp/tasks/7': { statusCode?, data } | (req) => ({ statusCode?, data }) | 'network' }.
 * Keys are matched on method and path (query string ignored); req = { method, path, query, body, header, filePath, formData }.
 * Unmatched requests fail like a network error would and are reported as violations.
 */
function mockApi(routes) {
  const calls = [];
  const table = Object.assign({ 'POST /api/mp/login': () => ({ data: loginResponse() }) }, routes);

  for (const [key, route] of Object.entries(table)) {
    if (route && typeof route === 'object') {
      const [method, url] = key.split(' ');
      const problems = contract.check({ method, url, statusCode: route.statusCode || 200, data: route.data });
      if (problems.length) throw new Error(`mock for ${key} does not fit the contract:\n  ${problems.join('\n  ')}`);
    }
  }

  function answer(req, multipart) {
    calls.push(req);
    const route = table[`${req.method} ${req.path}`];
    if (!route) {
      violations.push(`unexpected request ${req.method} ${req.path}${req.query ? `?${req.query}` : ''}`);
      return null;
    }
    if (route === 'network') return null;
    const res = typeof route === 'function' ? route(req) : route;
    if (!res) return null;
    const out = { statusCode: res.statusCode || 200, data: res.data };
    violations.push(
      ...contract.check({
        method: req.method,
        url: req.query ? `${req.path}?${req.query}` : req.path,
        body: req.body,
        multipart,
        statusCode: out.statusCode,
        data: out.data,
      })
    );
    return out;
  }

  function split(url) {
    const [path, query] = pathOf(url).split('?');
    return { path, query: query || '' };
  }

  const request = jest.spyOn(wx, 'request').mockImplementation((opts) => {
    const { path, query } = split(opts.url);
    const req = { method: opts.method || 'GET', path, query, body: opts.data, header: opts.header || {} };
    later(() => {
      const res = answer(req, false);
      if (!res) return opts.fail && opts.fail({ errMsg: 'request:fail net::ERR_CONNECTION_REFUSED' });
      opts.success && opts.success(Object.assign({ header: {}, cookies: [], errMsg: 'request:ok' }, res));
    });
    return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} };
  });

  const upload = jest.spyOn(wx, 'uploadFile').mockImplementation((opts) => {
    const { path, query } = split(opts.url);
    const req = { method: 'POST', path, query, body: opts.formData, header: opts.header || {}, filePath: opts.filePath };
    const listeners = [];
    later(() => {
      listeners.forEach((l) => l({ progress: 50, totalBytesSent: 512, totalBytesExpectedToSend: 1024 }));
      const res = answer(req, true);
      if (!res) return opts.fail && opts.fail({ errMsg: 'uploadFile:fail net::ERR_CONNECTION_RESET' });
      listeners.forEach((l) => l({ progress: 100, totalBytesSent: 1024, totalBytesExpectedToSend: 1024 }));
      // Like the real API, the body arrives as a string.
      opts.success({ statusCode: res.statusCode, data: res.data === undefined ? '' : JSON.stringify(res.data), errMsg: 'uploadFile:ok' });
    });
    return { abort() {}, onProgressUpdate: (l) => listeners.push(l), offProgressUpdate() {} };
  });

  const download = jest.spyOn(wx, 'downloadFile').mockImplementation((opts) => {
    const { path, query } = split(opts.url);
    const req = { method: 'GET', path, query, header: opts.header || {} };
    later(() => {
      calls.push(req);
      const route = table[`GET ${path}`];
      if (!route) {
        violations.push(`unexpected download ${path}`);
        return opts.fail && opts.fail({ errMsg: 'downloadFile:fail' });
      }
      if (!contract.findRoute('GET', path)) violations.push(`download ${path}: no such route in the contract`);
      const res = typeof route === 'function' ? route(req) : route;
      opts.success({ statusCode: res.statusCode || 200, tempFilePath: res.tempFilePath || `wxfile://tmp${path}`, errMsg: 'downloadFile:ok' });
    });
    return { abort() {}, onProgressUpdate() {} };
  });

  /** Requests made, optionally only those to `key` ('PUT /api/mp/tasks/7/plan'). */
  function sent(key) {
    return calls.filter((c) => !key || `${c.method} ${c.path}` === key);
  }

  return { request, upload, download, sent, calls };
}

function member(overrides = {}) {
  return Object.assign({ id: 11, name: '王芳', orgId: 301, roles: [{ role: 'secretary', orgId: 301 }] }, overrides);
}

function loginResponse(m = member()) {
  return { token: 'tok-1', expiresAt: '2099-01-01T00:00:00+00:00', member: m };
}

/** Start a test signed in as `m` (null = a WeChat user not bound to a member). */
function signIn(m = member()) {
  wx.setStorageSync('wxqms.session', loginResponse(m));
}

function mockLogin(code = 'wx-code-1') {
  return jest.spyOn(wx, 'login').mockImplementation((opts) => {
    later(() => opts.success({ code, errMsg: 'login:ok' }));
  });
}

/** paths: temp paths the user picks, or 'cancel' for closing the picker. */
function mockChooseMedia(paths) {
  return jest.spyOn(wx, 'chooseMedia').mockImplementation((opts) => {
    later(() => {
      if (paths === 'cancel') opts.fail({ errMsg: 'chooseMedia:fail cancel' });
      else
        opts.success({
          type: 'image',
          tempFiles: paths.slice(0, opts.count).map((p) => ({ tempFilePath: p, size: 1024, duration: 0, height: 0, width: 0, thumbTempFilePath: '', fileType: 'image' })),
          errMsg: 'chooseMedia:ok',
        });
    });
  });
}

/** answers: { templateId: 'accept' | 'reject' } */
function mockSubscribe(answers = {}) {
  return jest.spyOn(wx, 'requestSubscribeMessage').mockImplementation((opts) => {
    later(() => opts.success(Object.assign({ errMsg: 'requestSubscribeMessage:ok' }, answers)));
  });
}

async function waitFor(predicate, { timeout = 2000, interval = 5 } = {}) {
  const start = Date.now();
  for (;;) {
    let ok;
    try {
      ok = predicate();
    } catch (e) {
      ok = false;
    }
    if (ok) return;
    if (Date.now() - start > timeout) throw new Error(`waitFor timed out: ${predicate.toString()}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Let every pending timer and promise settle (mocks answer on setTimeout 0). */
async function settle(rounds = 10) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}

module.exports = {
  BASE,
  mockApi,
  member,
  loginResponse,
  signIn,
  mockLogin,
  mockChooseMedia,
  mockSubscribe,
  waitFor,
  settle,
  takeViolations,
};
