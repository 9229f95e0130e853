// The only module that talks HTTP to the WxQms Api (ESLint forbids wx.request anywhere else).
// Plumbing: base URL per environment, wx.login -> POST /api/mp/login -> session in storage, Bearer
// header, one fresh login and retry on 401, ProblemDetails -> ApiError with a readable Chinese message.
// wx.request "succeeds" on any HTTP status, so every result is judged by statusCode.
// Below the plumbing, every route the mini program calls, so a contract change is edited in one place.
const config = require('./config');

class ApiError extends Error {
  /**
   * @param {number} statusCode 0 when the request never got an answer (network, timeout)
   * @param {string} message readable, in Chinese, fit to show the user
   * @param {{ code?: string, title?: string, body?: any }} [extra]
   */
  constructor(statusCode, message, extra = {}) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
    this.code = extra.code || '';
    this.title = extra.title || '';
    this.body = extra.body;
  }
}

// When an answer carries no ProblemDetails (a proxy's 413, a gateway's 502), say it in words.
const STATUS_MESSAGES = {
  0: '网络连接失败，请检查网络后重试',
  401: '登录已失效，请重新打开小程序',
  403: '您没有权限进行此操作',
  404: '请求的内容不存在',
  409: '内容已被他人修改，请刷新后重试',
  413: '文件太大，请压缩后再上传',
  415: '只能上传图片',
  429: '操作太频繁，请稍后再试',
};

function parseBody(data) {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch (e) {
    return data;
  }
}

/** ASP.NET Core's ProblemDetails ({ title, detail, code, errors }) -> ApiError. */
function errorFrom(statusCode, data) {
  const body = parseBody(data);
  const problem = body && typeof body === 'object' ? body : {};
  const fallback = STATUS_MESSAGES[statusCode] || (statusCode >= 500 ? '服务暂时不可用，请稍后再试' : `请求失败（${statusCode}）`);
  const message = problem.detail || problem.title || fallback;
  return new ApiError(statusCode, message, { code: problem.code, title: problem.title, body });
}

function networkError(err) {
  const timedOut = /timeout/i.test((err && err.errMsg) || '');
  return new ApiError(0, timedOut ? '网络超时，请稍后重试' : STATUS_MESSAGES[0], { body: err });
}

// ---------------------------------------------------------------- session ---

/** @typedef {{ id: number, name: string, orgId: number, roles: { role: string, orgId: number }[] }} Member */
/** @typedef {{ token: string, expiresAt: string, member: Member | null }} Session */

/** @returns {Session | null} */
function getSession() {
  const s = wx.getStorageSync(config.sessionStorageKey);
  return s && s.token ? s : null;
}

function setSession(session) {
  if (session) wx.setStorageSync(config.sessionStorageKey, session);
  else wx.removeStorageSync(config.sessionStorageKey);
}

/** @returns {Member | null} */
function currentMember() {
  const s = getSession();
  return s ? s.member : null;
}

function tokenIsFresh(session) {
  // A minute of slack so a token does not expire on its way to the server.
  return !!session && (!session.expiresAt || Date.parse(session.expiresAt) - 60 * 1000 > Date.now());
}

/** @typedef {'GET' | 'POST' | 'PUT' | 'DELETE'} HttpMethod */

/**
 * One wx.request; resolves with the raw response whatever its status, rejects only on network failure.
 * @param {{ path: string, method?: HttpMethod, data?: any, token?: string }} options
 * @returns {Promise<WechatMiniprogram.RequestSuccessCallbackResult>}
 */
function send({ path, method = 'GET', data, token }) {
  /** @type {Record<string, string>} */
  const header = { 'content-type': 'application/json' };
  if (token) header.Authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.baseUrl() + path,
      method,
      data,
      header,
      timeout: 15000,
      success: resolve,
      fail: (err) => reject(networkError(err)),
    });
  });
}

let loginInFlight = null;

/**
 * wx.login's one-time code -> our bearer token (2 h) and the member (null until bound).
 * Concurrent callers share one login: a code can be exchanged only once.
 * @returns {Promise<Session>}
 */
function login() {
  if (!loginInFlight) {
    loginInFlight = new Promise((resolve, reject) => {
      wx.login({
        success: resolve,
        fail: () => reject(new ApiError(0, '微信登录失败，请稍后重试')),
      });
    })
      .then((res) => send({ path: '/api/mp/login', method: 'POST', data: { code: res.code } }))
      .then((res) => {
        if (res.statusCode !== 200) throw errorFrom(res.statusCode, res.data);
        const session = /** @type {Session} */ (parseBody(res.data));
        setSession(session);
        return session;
      })
      .finally(() => {
        loginInFlight = null;
      });
  }
  return loginInFlight;
}

/** The signed-in session, logging in first when there is none (or it has expired). @returns {Promise<Session>} */
async function ensureSession() {
  const session = getSession();
  return tokenIsFresh(session) ? session : login();
}

/** @returns {Promise<string>} */
async function token() {
  const session = getSession();
  if (tokenIsFresh(session)) return session.token;
  return (await login()).token;
}

/**
 * Runs attempt(token) and, when the Api answers 401 (token expired or revoked), logs in afresh and
 * runs it once more. attempt resolves with { statusCode, data }.
 * @param {(token: string) => Promise<{ statusCode: number, data: any }>} attempt
 */
async function withAuth(attempt) {
  let res = await attempt(await token());
  if (res.statusCode === 401) {
    setSession(null);
    res = await attempt((await login()).token);
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return parseBody(res.data);
  throw errorFrom(res.statusCode, res.data);
}

/**
 * @param {HttpMethod} method
 * @param {string} path
 * @param {any} [data]
 */
function request(method, path, data) {
  return withAuth((t) => send({ path, method, data, token: t }));
}

function query(params) {
  const parts = Object.keys(params || {})
    .filter((k) => params[k] !== undefined && params[k] !== null && params[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k])}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---------------------------------------------------------------- files ---

/**
 * One local file (from wx.chooseMedia) as multipart field `name`, with progress.
 * wx.uploadFile carries a single file per request and hands back the body as a string.
 * @param {string} path
 * @param {string} filePath
 * @param {{ name?: string, formData?: Record<string, string>, onProgress?: (percent: number) => void }} [options]
 */
function upload(path, filePath, { name = 'file', formData = {}, onProgress } = {}) {
  return withAuth(
    (t) =>
      new Promise((resolve, reject) => {
        const task = wx.uploadFile({
          url: config.baseUrl() + path,
          filePath,
          name,
          formData,
          header: { Authorization: `Bearer ${t}` },
          timeout: 60000,
          success: (res) => resolve({ statusCode: res.statusCode, data: res.data }),
          fail: (err) => reject(networkError(err)),
        });
        if (onProgress && task && task.onProgressUpdate) {
          task.onProgressUpdate((p) => onProgress(p.progress));
        }
      })
  );
}

/**
 * An evidence photo as a local temp path: <image src> cannot send our Bearer header, so photos are
 * fetched with wx.downloadFile and shown from the temp file.
 * @param {string} path the photo's url from the Api, e.g. /api/mp/tasks/7/photos/{sha256}
 * @returns {Promise<string>}
 */
function download(path) {
  return withAuth(
    (t) =>
      new Promise((resolve, reject) => {
        wx.downloadFile({
          url: config.baseUrl() + path,
          header: { Authorization: `Bearer ${t}` },
          success: (res) => resolve({ statusCode: res.statusCode, data: { tempFilePath: res.tempFilePath } }),
          fail: (err) => reject(networkError(err)),
        });
      })
  ).then((body) => body.tempFilePath);
}

// ---------------------------------------------------------------- routes ---
// Served by the Api today (test/contract/openapi.json): login, bind, me, tasks (list incl.
// awaitingReview, summary, one, plan, evidence, photos, review), ad-hoc tasks, orgs, org members,
// uploads, rankings, my stars.
// Assumed, not served yet (test/contract/pending.json): evidence as JSON with photo tokens,
// subscriptions, wishes.

const get = (path, data) => request('GET', path, data);
/** A transfer's step body: every field named, those not given null. */
const transferStep = (fields) => Object.assign({ acceptedOn: null, receiptOn: null, validUntil: null, reason: null }, fields);
const post = (path, data) => request('POST', path, data);
const put = (path, data) => request('PUT', path, data);

module.exports = {
  ApiError,
  errorFrom,
  login,
  getSession,
  setSession,
  currentMember,
  ensureSession,
  request,
  upload,
  download,

  bind: (phoneCode) =>
    post('/api/mp/bind', { phoneCode }).then((session) => {
      setSession(session);
      return session;
    }),
  me: () => get('/api/mp/me'),
  org: (id) => get(`/api/orgs/${id}`),
  orgRoots: () => get('/api/orgs'),
  orgTree: (id) => get(`/api/orgs/${id}/tree`),
  orgMembers: (id) => get(`/api/mp/orgs/${id}/members`),

  tasks: {
    list: (params) => get(`/api/mp/tasks${query(params)}`),
    summary: (scope) => get(`/api/mp/tasks/summary${query({ scope })}`),
    get: (id) => get(`/api/mp/tasks/${id}`),
    plan: (id, body) => put(`/api/mp/tasks/${id}/plan`, body),
    /** body: { heldAt, place, topic, minutes, version, attendance: [{ memberId, presence }], photoTokens, chatPhotos? } */
    evidence: (id, body) => post(`/api/mp/tasks/${id}/evidence`, body),
    awaitingReview: () => get(`/api/mp/tasks${query({ awaitingReview: true })}`),
    /** body: { decision: 'approve' | 'return', adjustment (within ±task.maxReviewAdjustment), reason, version } -> TaskDto */
    review: (id, body) => post(`/api/mp/tasks/${id}/review`, body),
  },

  /** 临时任务: issued by office staff (anywhere) or a community committee (within its community). */
  adhoc: {
    list: (params) => get(`/api/mp/adhoc-tasks${query(params)}`),
    get: (id) => get(`/api/mp/adhoc-tasks/${id}`),
    issue: (body) => post('/api/mp/adhoc-tasks', body),
    cancel: (id, reason) => post(`/api/mp/adhoc-tasks/${id}/cancel`, { reason }),
  },

  /** 发展党员: the 25 steps, a branch's pipeline, one applicant, recording a step, approvals waiting, my own progress. */
  development: {
    /** -> [StepInfoDto]: number, stage, stageName, name, recorder ('branch' | 'committee'), evidence. */
    steps: () => get('/api/mp/development/steps'),
    /** { orgId?, all? } -> [ApplicantDto] */
    list: (params) => get(`/api/mp/development/applicants${query(params)}`),
    get: (id) => get(`/api/mp/development/applicants/${id}`),
    add: (body) => post('/api/mp/development/applicants', body),
    /** body: { step, occurredOn, people?, vote?, training?, conclusion?, note?, photoTokens?, version } -> ApplicantDto */
    record: (id, body) => post(`/api/mp/development/applicants/${id}/steps`, body),
    approvals: () => get('/api/mp/development/approvals'),
    mine: () => get('/api/mp/development/me'),
    /** A resident's own application: { orgId, name, sex: 'male' | 'female', birthDate, phone? } -> ApplicantDto (201). */
    apply: (body) => post('/api/mp/development/me', body),
    /** The branches a resident may apply to -> [{ id, name, communityName }]. */
    branches: () => get('/api/mp/development/branches'),
  },

  /** One photo -> { token, sha256, size, contentType }; the token is then named in a submission. */
  uploadPhoto: (filePath, onProgress) => upload('/api/mp/uploads', filePath, { name: 'file', onProgress }),

  /** { period, level: 'community' | 'branch', scope } -> RankingView; scope defaults to the viewer's subdistrict / community. */
  rankings: (params) => get(`/api/rankings${query(params)}`),
  /** My points and star rating for a month ('2026-11'; default this month) -> StarsDto. */
  myStars: (period) => get(`/api/mp/me/stars${query({ period })}`),
  // 我的档案 (issue #18): mine, or a member of my branch for her secretary; a branch's stars.
  record: (memberId, year) => get(memberId ? `/api/mp/members/${memberId}/record${query({ year })}` : `/api/mp/me/record${query({ year })}`),
  branchStars: (orgId, year) => get(`/api/mp/stars/${orgId}${query({ year })}`),
  // 受控文件 (#19): the documents in force (q searches number, title and text); one document, ?version= an older one.
  documents: {
    list: (q) => get(`/api/mp/documents${query({ q })}`),
    get: (number, version) => get(`/api/mp/documents/${encodeURIComponent(number)}${query({ version })}`),
  },
  // 党性体检: my check-up and self-assessment; a member's for her secretary, and the branch's assessment.
  checkups: {
    mine: () => get('/api/mp/checkups/me'),
    rateMine: (ratings) => request('PUT', '/api/mp/checkups/me', { ratings }),
    of: (memberId) => get(`/api/mp/checkups/members/${memberId}`),
    rate: (memberId, ratings) => request('PUT', `/api/mp/checkups/members/${memberId}`, { ratings }),
    branch: (orgId) => get(`/api/mp/checkups/branches/${orgId}`),
    // What a 组织生活会 task takes from its branch's check-ups: the items most often to improve, with counts.
    topics: (taskId) => get(`/api/mp/checkups/topics${query({ task: taskId })}`),
  },
  // 民主评议: a branch's grades, recording them, a 不合格's follow-up.
  appraisals: {
    of: (orgId, year) => get(`/api/mp/appraisals/${orgId}${query({ year })}`),
    record: (orgId, year, grades) => request('PUT', `/api/mp/appraisals/${orgId}${query({ year })}`, { grades }),
    followUp: (id, body) => request('PUT', `/api/mp/appraisals/follow-ups/${id}`, body),
  },

  /** Subscribe-message consent (see utils/subscribe.js). */
  subscriptions: {
    /** -> { templates: [{ key, templateId, title, remaining }] }: what the Api may still send me. */
    list: () => get('/api/mp/subscriptions'),
    /** results: [{ key, templateId, result: 'accept' | 'reject' | 'ban' | 'filter' }] -> 204 */
    report: (results) => post('/api/mp/subscriptions', { results }),
  },

  /** 党费: my own (amount, how it was worked out, months) and paying them; a branch's ledger for its secretary and worker. */
  dues: {
    mine: (year) => get(`/api/mp/dues/mine${query({ year })}`),
    /** months: ['2026-10', …] in order from the earliest owed, voluntaryFen: 自愿多交 above them (optional) -> the parameters of wx.requestPayment (and outTradeNo). */
    pay: (months, voluntaryFen) => post('/api/mp/dues/pay', { months, voluntaryFen: voluntaryFen || 0 }),
    branch: (orgId, year) => get(`/api/mp/dues/branches/${orgId}${query({ year })}`),
    /** body: { year, category: 'employed' | 'retired' | 'student' | 'unemployed' | 'hardship', baseFen, specialFen?, specialReason? } */
    setBase: (memberId, body) => put(`/api/mp/dues/members/${memberId}/base`, body),
    /** body: { months, amountFen, receiptNo, voluntaryFen } -> 204 (voluntaryFen: 自愿多交 above the months, paid in full; 0 for none) */
    cash: (memberId, body) => post(`/api/mp/dues/members/${memberId}/cash`, body),
    /** body: { month, reason } -> 204: why the owed month is not paid yet (it stays owed) */
    reason: (memberId, body) => post(`/api/mp/dues/members/${memberId}/reason`, body),
    /** body: { month, reason } -> 204: the month waived with the approval */
    waive: (memberId, body) => post(`/api/mp/dues/members/${memberId}/waive`, body),
    handUp: (orgId, body) => post(`/api/mp/dues/branches/${orgId}/hand-ups`, body),
    /** My declarations of my own base (this year and next): [{ year, category, baseFen, monthlyFen, explanation, state, refusal }] */
    myDeclarations: () => get('/api/mp/dues/mine/declarations'),
    /** body: { year, category, baseFen } -> the declaration, pending until my branch secretary confirms it */
    declare: (body) => post('/api/mp/dues/mine/declaration', body),
    branchDeclarations: (orgId) => get(`/api/mp/dues/branches/${orgId}/declarations`),
    /** The branch secretary: body { year, reason: null } -> { monthlyFen, standardFen, explanation } */
    confirmDeclaration: (memberId, body) => post(`/api/mp/dues/members/${memberId}/declaration/confirm`, body),
    /** The branch secretary: body { year, reason } -> 204 */
    refuseDeclaration: (memberId, body) => post(`/api/mp/dues/members/${memberId}/declaration/refuse`, body),
    publish: (orgId, year) => post(`/api/mp/dues/branches/${orgId}/publish`, { year }),
  },

  /** 会议签到 (#18): the secretary's 30-second code, a scan's text, the roster the evidence form starts from, by hand. */
  checkins: {
    /** -> CheckinCodeDto { url, image (PNG data URL), refreshAt } */
    code: (taskId) => post('/api/mp/checkins/codes', { taskId }),
    /** code: wx.scanCode's result -> CheckinDto { taskName, late, already } */
    scan: (code) => post('/api/mp/checkins', { code }),
    /** -> [AttendanceDraftRow { memberId, name, bound, checkedInAt, late, via, leave, presence }] */
    draft: (taskId) => get(`/api/mp/checkins${query({ taskId })}`),
    byHand: (taskId, memberId) => post('/api/mp/checkins/by-hand', { taskId, memberId }),
  },

  /** 请假: members ask before a planned meeting; its secretary approves or refuses. */
  leave: {
    mine: () => get('/api/mp/leave-requests'),
    ofTask: (taskId) => get(`/api/mp/leave-requests${query({ taskId })}`),
    meetings: () => get('/api/mp/leave-requests/meetings'),
    ask: (taskId, reason) => post('/api/mp/leave-requests', { taskId, reason }),
    decide: (id, approve, note) => post(`/api/mp/leave-requests/${id}/decision`, { approve, note }),
  },

  /** 会议评价: those present rate a meeting 1–5 once, anonymously; the aggregate for its readers. */
  feedback: {
    get: (taskId) => get(`/api/mp/meeting-feedback/${taskId}`),
    rate: (taskId, rating, comment) => post('/api/mp/meeting-feedback', { taskId, rating, comment }),
  },

  /** 组织关系转接: a branch's transfers in and out (its keepers), my own (a member). */
  transfers: {
    list: (orgId) => get(`/api/mp/transfers${query({ orgId })}`),
    mine: () => get('/api/mp/transfers/mine'),
    /** Within: the receiving branch accepts (she moves at once); out: the receiving side's acceptance on acceptedOn. */
    accept: (id, acceptedOn) => post(`/api/mp/transfers/${id}/accept`, transferStep({ acceptedOn: acceptedOn || null })),
    /** Out: the receipt (回执) came back on receiptOn. */
    receipt: (id, receiptOn) => post(`/api/mp/transfers/${id}/receipt`, transferStep({ receiptOn })),
    cancel: (id) => post(`/api/mp/transfers/${id}/cancel`),
  },

  /** 不符合项与纠正措施: our branch's (secretary, worker, committee), the checks due (community), one with its trail, the steps. */
  nonconformities: {
    list: (orgId) => get(`/api/mp/nonconformities${query({ orgId })}`),
    checks: () => get('/api/mp/nonconformities/checks'),
    get: (id) => get(`/api/mp/nonconformities/${id}`),
    /** The cause (原因分析), the countermeasure (纠正措施) and its due date, on the version the page showed. */
    recordAction: (id, cause, action, dueOn, version) => post(`/api/mp/nonconformities/${id}/actions`, { cause, action, dueOn, version }),
    complete: (id, note, photoTokens, version) => post(`/api/mp/nonconformities/${id}/completion`, { note, photoTokens, version }),
    check: (id, passed, note, version) => post(`/api/mp/nonconformities/${id}/checks`, { passed, note, version }),
  },

  /** 巡查: the inspector's plan and the branch's reports, one with its checklist, the filled checklist, this quarter's self-inspection. */
  inspections: {
    list: () => get('/api/mp/inspections'),
    get: (id) => get(`/api/mp/inspections/${id}`),
    startSelf: (orgId) => post('/api/mp/inspections/self', { orgId }),
    /** items: [{ no, result: 'pass'|'fail'|'na', severity, note, photoTokens }], on the version the page showed. */
    submit: (id, items, summary, version) => post(`/api/mp/inspections/${id}/submit`, { items, summary, version }),
  },

  wishes: {
    list: (params) => get(`/api/mp/wishes${query(params)}`),
    get: (id) => get(`/api/mp/wishes/${id}`),
    communities: () => get('/api/mp/wishes/communities'),
    post: (body) => post('/api/mp/wishes', body),
    claim: (id, version) => post(`/api/mp/wishes/${id}/claim`, { version }),
    fulfil: (id, body) => post(`/api/mp/wishes/${id}/fulfil`, body),
    confirm: (id, version) => post(`/api/mp/wishes/${id}/confirm`, { version }),
  },
};
