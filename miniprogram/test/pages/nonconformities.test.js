const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor, mockChooseMedia } = require('../helpers/wx-mock');
const { problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

function ncDto(overrides = {}) {
  return Object.assign(
    {
      id: 9,
      orgId: 301,
      orgName: '第一支部',
      source: 'rule',
      sourceText: '规则',
      sourceRef: 'tasks:301:2026-Q3',
      clause: 'DFL-QP-03 §4.2 任务按期完成',
      severity: 'minor',
      severityText: '一般',
      description: '2026年第3季度有 2 项任务被预警或逾期（其中逾期 1 项），未按期完成规定工作。',
      state: 'open',
      stateText: '待整改',
      cycle: 1,
      cause: null,
      action: null,
      actionDueOn: null,
      completedOn: null,
      checkDueOn: null,
      raisedAt: '2026-10-02T01:00:00+00:00',
      raisedBy: 'system:nonconformities',
      closedAt: null,
      pastDue: false,
      mayAct: true,
      mayCheck: false,
      checkDueNow: false,
      version: 1,
      correctiveActions: null,
      trail: null,
    },
    overrides
  );
}

const STEP = { kind: 'raised', kindText: '提出', cycle: 1, cause: null, note: '未按期完成', dueOn: null, actor: 'system:nonconformities', at: '2026-10-02T01:00:00+00:00', photos: 0, photoUrls: [] };
const SECRETARY = member();
const CHECKER = member({ id: 20, name: '陈敏', orgId: 30, roles: [{ role: 'committee', orgId: 30 }] });

describe('pages/nonconformities 我们的问题', () => {
  test('the secretary sees her branch’s nonconformities, the past-due one marked, and opens one', async () => {
    signIn(SECRETARY);
    const server = mockApi({
      'GET /api/mp/nonconformities': { data: { items: [ncDto(), ncDto({ id: 10, state: 'action_recorded', stateText: '整改中', actionDueOn: '2026-11-30', pastDue: true })] } },
    });
    const nav = jest.spyOn(wx, 'navigateTo').mockImplementation(() => {});
    const page = render('pages/nonconformities/index');
    await page.instance.onLoad();
    expect(server.sent('GET /api/mp/nonconformities')).toHaveLength(1);
    expect(page.querySelector('#tab-checks')).toBeFalsy();
    expect(text(page, '#nc-9 .nc__state')).toBe('待整改');
    expect(text(page, '#nc-10 .nc__state')).toBe('整改中（逾期）');
    expect(page.querySelector('#nc-10 .nc__state').dom.className).toContain('nc__state--warn');
    expect(text(page, '#nc-10 .nc__due')).toBe('整改期限 2026-11-30');
    await fire(page, '#nc-9', 'tap');
    expect(nav).toHaveBeenCalledWith({ url: '/pages/nonconformity/index?id=9' });
  });

  test('the community committee sees the checks due first', async () => {
    signIn(CHECKER);
    const server = mockApi({
      'GET /api/mp/nonconformities/checks': { data: { items: [ncDto({ state: 'awaiting_check', stateText: '待验证', checkDueOn: '2026-12-01', checkDueNow: true, mayAct: false, mayCheck: true })] } },
      'GET /api/mp/nonconformities': { data: { items: [] } },
    });
    const page = render('pages/nonconformities/index');
    await page.instance.onLoad();
    expect(server.sent('GET /api/mp/nonconformities/checks')).toHaveLength(1);
    expect(text(page, '#nc-9 .nc__due')).toBe('验证日期 2026-12-01');
    await fire(page, '#tab-ours', 'tap');
    await waitFor(() => server.sent('GET /api/mp/nonconformities').length === 1 && !page.data.loading);
    expect(text(page, '#empty')).toBe('没有不符合项');
  });
});

describe('pages/nonconformity 不符合项', () => {
  test('the secretary records cause and action with a due date, then reports it done; a stale page is told', async () => {
    signIn(SECRETARY);
    const recorded = ncDto({ state: 'action_recorded', stateText: '整改中', cause: '记录员未培训', action: '培训记录员', actionDueOn: '2026-12-20', version: 2, trail: [STEP] });
    const server = mockApi({
      'GET /api/mp/nonconformities/9': { data: ncDto({ trail: [STEP] }) },
      'POST /api/mp/nonconformities/9/actions': { data: recorded },
      'POST /api/mp/nonconformities/9/completion': {
        statusCode: 409,
        data: problem(409, '数据已变更', '该不符合项刚被他人更新，请刷新后重试', 'nonconformity.version_conflict'),
      },
    });
    const page = render('pages/nonconformity/index');
    await page.instance.onLoad({ id: '9' });
    expect(text(page, '#state')).toBe('待整改');
    expect(page.querySelector('#completion-form')).toBeFalsy();
    await fire(page, '#cause', 'input', { value: '记录员未培训' });
    await fire(page, '#action', 'input', { value: '培训记录员' });
    await fire(page, '#due', 'change', { value: '2026-12-20' });
    await fire(page, '#record', 'tap');
    await waitFor(() => page.data.notice && !page.data.saving);
    expect(server.sent('POST /api/mp/nonconformities/9/actions')[0].body).toEqual({ cause: '记录员未培训', action: '培训记录员', dueOn: '2026-12-20', version: 1 });
    expect(text(page, '#current')).toBe('纠正措施：培训记录员（期限 2026-12-20）');
    await fire(page, '#note', 'input', { value: '已培训' });
    await fire(page, '#complete', 'tap');
    await waitFor(() => page.data.error && !page.data.saving);
    expect(server.sent('POST /api/mp/nonconformities/9/completion')[0].body).toEqual({ note: '已培训', photoTokens: [], version: 2 });
    expect(text(page, '#error')).toBe('该不符合项刚被他人更新，请刷新后重试');
  });

  test('the secretary reports it done with two photos: each goes up, the completion names them, the trail shows them', async () => {
    signIn(SECRETARY);
    const recorded = ncDto({ state: 'action_recorded', stateText: '整改中', cause: '记录员未培训', action: '培训记录员', actionDueOn: '2026-12-20', version: 2, trail: [STEP] });
    const urls = ['/api/mp/nonconformities/9/photos/' + 'a'.repeat(64), '/api/mp/nonconformities/9/photos/' + 'b'.repeat(64)];
    const done = ncDto({
      state: 'awaiting_check',
      stateText: '待验证',
      mayAct: true,
      version: 3,
      trail: [STEP, Object.assign({}, STEP, { kind: 'completed', kindText: '整改完成', note: '已培训', photos: 2, photoUrls: urls })],
    });
    const server = mockApi({
      'GET /api/mp/nonconformities/9': { data: recorded },
      'POST /api/mp/uploads': (req) => ({ statusCode: 201, data: { token: `tok-${req.filePath.slice(-5)}`, sha256: 'f00d', size: 1024, contentType: 'image/jpeg' } }),
      'POST /api/mp/nonconformities/9/completion': { data: done },
      ['GET ' + urls[0]]: { tempFilePath: 'wxfile://a' },
      ['GET ' + urls[1]]: { tempFilePath: 'wxfile://b' },
    });
    mockChooseMedia(['wxfile://p-001', 'wxfile://p-002']);
    const page = render('pages/nonconformity/index');
    await page.instance.onLoad({ id: '9' });
    await fire(page, '#note', 'input', { value: '已培训' });
    await fire(page, '#photos >>> #add-photo', 'tap');
    await waitFor(() => page.data.photos.length === 2);
    await fire(page, '#complete', 'tap');
    await waitFor(() => page.data.notice && !page.data.saving);

    expect(server.upload.mock.calls.map((c) => c[0].filePath)).toEqual(['wxfile://p-001', 'wxfile://p-002']);
    expect(server.sent('POST /api/mp/nonconformities/9/completion')[0].body).toEqual({ note: '已培训', photoTokens: ['tok-p-001', 'tok-p-002'], version: 2 });
    expect(text(page, '#state')).toBe('待验证');
    await waitFor(() => page.querySelectorAll('#step-photos-1 .step__photo').length === 2);
    expect(page.data.nc.trail[1].srcs).toEqual(['wxfile://a', 'wxfile://b']);
    expect(page.data.photos).toEqual([]);
  });

  test('the committee fails the check with a note: reopened', async () => {
    signIn(CHECKER);
    const awaiting = ncDto({ state: 'awaiting_check', stateText: '待验证', checkDueOn: '2026-12-01', checkDueNow: true, mayAct: false, mayCheck: true, version: 3, trail: [STEP] });
    const server = mockApi({
      'GET /api/mp/nonconformities/9': { data: awaiting },
      'POST /api/mp/nonconformities/9/checks': { data: ncDto({ state: 'reopened', stateText: '验证未通过，重新整改', cycle: 2, mayAct: false, version: 4, trail: [STEP] }) },
    });
    const page = render('pages/nonconformity/index');
    await page.instance.onLoad({ id: '9' });
    expect(page.querySelector('#action-form')).toBeFalsy();
    await fire(page, '#check-note', 'input', { value: '问题再次发生' });
    await fire(page, '#fail', 'tap');
    await waitFor(() => page.data.notice && !page.data.saving);
    expect(server.sent('POST /api/mp/nonconformities/9/checks')[0].body).toEqual({ passed: false, note: '问题再次发生', version: 3 });
    expect(text(page, '#notice')).toBe('验证未通过，已退回支部重新整改');
    expect(text(page, '#state')).toBe('验证未通过，重新整改');
    expect(page.querySelector('#check-form')).toBeFalsy();
  });
});
