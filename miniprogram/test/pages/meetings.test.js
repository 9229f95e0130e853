const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor } = require('../helpers/wx-mock');
const { problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

/** wx.scanCode answering with what the camera read. */
function mockScan(result) {
  wx.scanCode = jest.fn((opts) => setTimeout(() => opts.success({ result, scanType: 'QR_CODE', charSet: 'utf-8', path: '', rawData: '', errMsg: 'scanCode:ok' }), 0));
}

const MEMBER = member({ id: 12, name: '李雷', roles: [{ role: 'member', orgId: 301 }] });
const row = (memberId, name, presence, extra) =>
  Object.assign({ memberId, name, probationary: false, bound: true, checkedInAt: null, late: false, via: null, leave: null, presence }, extra);
const leave = (id, memberId, memberName, state, extra) => Object.assign(
  { id, taskId: 7, memberId, memberName, reason: '孩子生病', state, requestedAt: '2026-11-19T02:00:00+00:00', decidedAt: null, note: null }, extra);
const summary = (extra) => ({ summary: Object.assign({ taskId: 7, count: 0, average: null, distribution: [0, 0, 0, 0, 0], comments: null }, extra), mayRate: false });

describe('pages/checkin 签到与请假', () => {
  afterEach(() => jest.useRealTimers());

  test('the secretary shows a code that changes when the Api says, marks the unbound by hand and decides leave', async () => {
    signIn();
    let leaves = [leave(5, 13, '赵敏', 'pending'), leave(6, 14, '孙强', 'refused', { note: '请尽量参加' })];
    let draft = [
      row(11, '王芳', 'present', { checkedInAt: '2026-11-20T06:01:00+00:00', via: 'oa' }),
      row(12, '李雷', 'present', { checkedInAt: '2026-11-20T06:20:00+00:00', late: true, via: 'mp' }),
      row(15, '周平', 'absent', { bound: false }),
    ];
    let codes = 0;
    const server = mockApi({
      'GET /api/mp/checkins': () => ({ data: draft }),
      'GET /api/mp/leave-requests': () => ({ data: leaves }),
      'GET /api/mp/meeting-feedback/7': { data: summary() },
      'POST /api/mp/checkins/codes': () => {
        codes += 1;
        return { data: { taskId: 7, taskName: '主题党日', url: `http://weixin.qq.com/q/${codes}`, image: 'data:image/png;base64,AA==',
          issuedAt: new Date(Date.now()).toISOString(), refreshAt: new Date(Date.now() + 30000).toISOString(), plannedFor: '2026-11-20T06:00:00+00:00' } };
      },
      'POST /api/mp/checkins/by-hand': (req) => {
        draft = draft.map((r) => (r.memberId === req.body.memberId ? row(15, '周平', 'present', { bound: false, checkedInAt: '2026-11-20T06:30:00+00:00', late: true, via: 'hand' }) : r));
        return { data: { taskId: 7, memberId: 15, checkedInAt: '2026-11-20T06:30:00+00:00', late: true, via: 'hand' } };
      },
      'POST /api/mp/leave-requests/5/decision': (req) => {
        leaves = [leave(5, 13, '赵敏', req.body.approve ? 'approved' : 'refused'), leaves[1]];
        return { data: leaves[0] };
      },
    });
    const page = render('pages/checkin/index');
    await page.instance.onLoad({ id: '7' });

    expect(text(page, '#attendee-12')).toContain('小程序扫码 · 迟到');
    expect(text(page, '#attendee-15')).toContain('未到 · 未绑定微信');
    expect(page.querySelector('#attendee-11 .by-hand')).toBeFalsy();

    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const shown = page.instance.onShowCode();
    await jest.advanceTimersByTimeAsync(1);
    await shown;
    expect(page.data.code.url).toBe('http://weixin.qq.com/q/1');
    expect(page.querySelector('#code')).not.toBeNull();
    await jest.advanceTimersByTimeAsync(30001);
    expect(page.data.code.url).toBe('http://weixin.qq.com/q/2'); // a new code every 30 s
    page.instance.onUnload();
    await jest.advanceTimersByTimeAsync(60000);
    expect(codes).toBe(2); // closed: no more codes
    jest.useRealTimers();

    await fire(page, '#attendee-15 .by-hand', 'tap');
    await waitFor(() => text(page, '#attendee-15').includes('书记代签'));
    expect(server.sent('POST /api/mp/checkins/by-hand')[0].body).toEqual({ taskId: 7, memberId: 15 });
    expect(text(page, '#attendee-15')).toContain('书记代签 · 迟到');

    expect(text(page, '#leave-6')).toContain('孙强 · 未批准');
    expect(page.querySelector('#leave-6 .approve')).toBeFalsy();
    await fire(page, '#leave-5 .approve', 'tap');
    await waitFor(() => text(page, '#leave-5').includes('已批准'));
    expect(server.sent('POST /api/mp/leave-requests/5/decision')[0].body).toEqual({ approve: true, note: null });
    expect(text(page, '#leave-5')).toContain('赵敏 · 已批准');
  });

  test('a code outside the meeting time says why', async () => {
    signIn();
    mockApi({
      'GET /api/mp/checkins': { data: [] },
      'GET /api/mp/leave-requests': { data: [] },
      'GET /api/mp/meeting-feedback/7': { data: summary() },
      'POST /api/mp/checkins/codes': { statusCode: 409, data: problem(409, '操作不被允许', '还未到签到时间，请在会议开始前一小时内打开签到码', 'checkin.not_open') },
    });
    const page = render('pages/checkin/index');
    await page.instance.onLoad({ id: '7' });
    await page.instance.onShowCode();
    expect(text(page, '#code-error')).toBe('还未到签到时间，请在会议开始前一小时内打开签到码');
  });

  test('a member scans with the mini program, is told she is late, and rates the meeting once, anonymously', async () => {
    signIn(MEMBER);
    let fb = Object.assign(summary(), { mayRate: true });
    const server = mockApi({
      'GET /api/mp/meeting-feedback/7': () => ({ data: fb }),
      'POST /api/mp/checkins': { data: { taskId: 7, taskName: '主题党日', checkedInAt: '2026-11-20T06:20:00+00:00', late: true, already: false } },
      'POST /api/mp/meeting-feedback': () => {
        fb = summary({ count: 1, average: 4 });
        return { statusCode: 204 };
      },
    });
    const page = render('pages/checkin/index');
    await page.instance.onLoad({ id: '7' });
    expect(page.querySelector('#show-code')).toBeFalsy(); // the code is the secretary's

    mockScan('http://weixin.qq.com/q/abc');
    await fire(page, '#scan', 'tap');
    await waitFor(() => !!text(page, '#scanned'));
    expect(server.sent('POST /api/mp/checkins')[0].body).toEqual({ code: 'http://weixin.qq.com/q/abc' });
    expect(text(page, '#scanned')).toBe('签到成功（迟到）：主题党日 2026-11-20 14:20');

    await fire(page, '#rate', 'tap');
    expect(text(page, '#error')).toBe('请先选择 1–5 分');
    await fire(page, '#star-4', 'tap');
    await fire(page, '#comment-input', 'input', { value: ' 很实在 ' });
    await fire(page, '#rate', 'tap');
    await waitFor(() => !!text(page, '#feedback-summary'));
    expect(server.sent('POST /api/mp/meeting-feedback')[0].body).toEqual({ taskId: 7, rating: 4, comment: '很实在' });
    expect(text(page, '#rated')).toBe('感谢评价（匿名）');
    expect(text(page, '#feedback-summary')).toBe('1 人评价 · 平均 4 分');
    expect(page.querySelector('#rate')).toBeFalsy();
  });

  test('an old code scanned later is refused with the Api\'s words', async () => {
    signIn(MEMBER);
    mockApi({
      'GET /api/mp/meeting-feedback/7': { data: summary() },
      'POST /api/mp/checkins': { statusCode: 409, data: problem(409, '签到码已过期', '签到码已过期，请扫描书记手机上的最新签到码', 'checkin.code_expired') },
    });
    const page = render('pages/checkin/index');
    await page.instance.onLoad({ id: '7' });
    mockScan('http://weixin.qq.com/q/old');
    await fire(page, '#scan', 'tap');
    await waitFor(() => !!text(page, '#error'));
    expect(text(page, '#error')).toBe('签到码已过期，请扫描书记手机上的最新签到码');
    expect(text(page, '#scanned')).toBeNull();
  });
});

describe('pages/leave 请假', () => {
  test('a member asks leave from a planned meeting with a reason and sees how her requests were decided', async () => {
    signIn(MEMBER);
    let asked = false;
    const server = mockApi({
      'GET /api/mp/leave-requests/meetings': () => ({
        data: [
          { taskId: 7, name: '主题党日', plannedFor: '2026-11-20T06:00:00+00:00', place: '党群服务中心', asked: asked ? 'pending' : null },
          { taskId: 8, name: '党课', plannedFor: '2026-11-21T06:00:00+00:00', place: null, asked: 'approved' },
        ],
      }),
      'GET /api/mp/leave-requests': () => ({
        data: [leave(6, 12, '李雷', 'refused', { taskId: 9, reason: '出差', note: '请尽量参加' })].concat(asked ? [leave(7, 12, '李雷', 'pending')] : []),
      }),
      'POST /api/mp/leave-requests': () => {
        asked = true;
        return { statusCode: 201, data: leave(7, 12, '李雷', 'pending') };
      },
    });
    const page = render('pages/leave/index');
    await page.instance.onLoad();
    expect(text(page, '#meeting-8')).toContain('请假已批准');
    expect(page.querySelector('#meeting-8 .ask')).toBeFalsy();
    expect(text(page, '#request-6')).toContain('书记意见：请尽量参加');
    expect(text(page, '#request-6 .state')).toBe('未批准');

    await fire(page, '#meeting-7 .ask', 'tap');
    expect(text(page, '#error')).toBe('请填写请假原因');
    await fire(page, '#meeting-7 .reason', 'input', { value: ' 孩子生病 ' });
    await fire(page, '#meeting-7 .ask', 'tap');
    await waitFor(() => !!text(page, '#request-7 .state'));
    expect(server.sent('POST /api/mp/leave-requests')[0].body).toEqual({ taskId: 7, reason: '孩子生病' });
    expect(text(page, '#done')).toBe('已提交请假，等待书记审批');
    expect(text(page, '#meeting-7')).toContain('请假待审批');
    expect(text(page, '#request-7 .state')).toBe('待审批');
  });

  test('the scanner is here too', async () => {
    signIn(MEMBER);
    mockApi({
      'GET /api/mp/leave-requests/meetings': { data: [] },
      'GET /api/mp/leave-requests': { data: [] },
      'POST /api/mp/checkins': { data: { taskId: 7, taskName: '主题党日', checkedInAt: '2026-11-20T05:58:00+00:00', late: false, already: false } },
    });
    const page = render('pages/leave/index');
    await page.instance.onLoad();
    mockScan('http://weixin.qq.com/q/abc');
    await fire(page, '#scan', 'tap');
    await waitFor(() => !!text(page, '#scanned'));
    expect(text(page, '#scanned')).toBe('签到成功：主题党日');
  });
});
