const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor } = require('../helpers/wx-mock');
const { taskListItem, taskDto, photoDto, evidenceItem, orgDto, problem, rankingRow, rankingView, starsDto } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  page.querySelector(selector).dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

const STAFF = member({ id: 2, name: '刘敏', orgId: 1, roles: [{ role: 'staff', orgId: 1 }] });

describe('pages/review 佐证审核', () => {
  const AWAITING = { state: 'completed', stateLabel: '已完成', reviewStatus: 'awaiting', version: 3, evidence: [evidenceItem()] };

  test('staff open a task from the queue, return it with a reason, and it leaves the queue', async () => {
    signIn(STAFF);
    const server = mockApi({
      'GET /api/mp/tasks': { data: [taskListItem({ state: 'completed', reviewStatus: 'awaiting' }), taskListItem({ id: 8, state: 'completed', reviewStatus: 'awaiting' })] },
      'GET /api/mp/tasks/7': { data: taskDto(AWAITING) },
      'POST /api/mp/tasks/7/review': { data: taskDto({ state: 'returned', stateLabel: '已退回', version: 4 }) },
    });
    const page = render('pages/review/index');
    await page.instance.onLoad({});
    expect(server.sent('GET /api/mp/tasks')[0].query).toBe('awaitingReview=true');
    expect(page.querySelectorAll('.task-item')).toHaveLength(2);

    await fire(page.querySelector('#task-7'), '.task-card', 'tap');
    await waitFor(() => page.data.current);
    expect(text(page, '#latest')).toBe('2026-11-20 14:00 开展 · 按时 · 得 5 分到会 18 · 缺席 2 · 请假 1 · 照片 2 张');
    await fire(page, '#return', 'tap');
    expect(text(page, '#adjustment-input')).toBeNull(); // a returned task earns nothing: no adjustment
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('退回时请写明原因');

    await fire(page, '#reason-input', 'input', { value: '照片与主题不符' });
    await fire(page, '#save', 'tap');
    await waitFor(() => page.data.notice);

    expect(server.sent('POST /api/mp/tasks/7/review')[0].body).toEqual({ decision: 'return', adjustment: 0, reason: '照片与主题不符', version: 3 });
    expect(text(page, '#notice')).toBe('主题党日：已退回支部');
    expect(page.querySelectorAll('.task-item')).toHaveLength(1);
  });

  test('an approval is bounded by the task’s maxReviewAdjustment, needs a reason when it adjusts, and flags photos from another day', async () => {
    signIn(STAFF);
    const photos = [photoDto('aa11', 7, { takenOnMeetingDay: true }), photoDto('bb22', 7, { takenAt: '2026-10-01T02:00:00+00:00', takenOnMeetingDay: false })];
    const server = mockApi({
      'GET /api/mp/tasks': { data: [taskListItem({ state: 'completed', reviewStatus: 'awaiting' })] },
      'GET /api/mp/tasks/7': { data: taskDto(Object.assign({}, AWAITING, { points: 5, maxReviewAdjustment: 1, photos })) },
      'POST /api/mp/tasks/7/review': { data: taskDto({ state: 'completed', stateLabel: '已完成', reviewStatus: 'approved', version: 4 }) },
    });
    const page = render('pages/review/index');
    await page.instance.onLoad({ id: '7' });
    await waitFor(() => page.data.current);

    expect(text(page, '#bound')).toBe('可在 ±1 分之间加减');
    expect(text(page, '#flagged')).toBe('1 张照片拍摄日期与会议日期不符');
    // The slider's min/max are bound to ±current.bound (simulate keeps no attributes of built-in components).
    expect(page.querySelector('#adjustment-slider')).toBeTruthy();
    expect(page.data.current.bound).toBe(1);

    await fire(page, '#adjustment-input', 'input', { value: '1.5' });
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('质量加减分不能超过 ±1 分');
    await fire(page, '#adjustment-input', 'input', { value: '0.125' });
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('加减分最多保留两位小数');
    await fire(page, '#adjustment-slider', 'change', { value: 0.30000000000000004 });
    expect(page.data.form.adjustment).toBe('0.3');
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('加减分时请写明原因');
    expect(server.sent('POST /api/mp/tasks/7/review')).toHaveLength(0);

    await fire(page, '#reason-input', 'input', { value: '记录翔实，群众反响好' });
    await fire(page, '#save', 'tap');
    await waitFor(() => page.data.notice);
    expect(server.sent('POST /api/mp/tasks/7/review')[0].body).toEqual({ decision: 'approve', adjustment: 0.3, reason: '记录翔实，群众反响好', version: 3 });
    expect(text(page, '#notice')).toBe('主题党日：已审核通过（+0.3 分）');
    expect(text(page, '#empty')).toBe('没有待审核的佐证');
  });

  test('a plain approval sends no reason; a second review (409) is shown and the form stays; a reviewed task is not offered', async () => {
    signIn(STAFF);
    let answer = { statusCode: 409, data: problem(409, '操作不被允许', '该任务已审核过', 'task.transition_refused') };
    const server = mockApi({
      'GET /api/mp/tasks': { data: [taskListItem({ state: 'completed', reviewStatus: 'awaiting' })] },
      'GET /api/mp/tasks/7': { data: taskDto(AWAITING) },
      'GET /api/mp/tasks/8': { data: taskDto(Object.assign({}, AWAITING, { id: 8, reviewStatus: 'approved' })) },
      'POST /api/mp/tasks/7/review': () => answer,
    });
    const page = render('pages/review/index');
    await page.instance.onLoad({ id: '7' });
    await waitFor(() => page.data.current);
    await fire(page, '#save', 'tap');
    await waitFor(() => page.data.formError);
    expect(server.sent('POST /api/mp/tasks/7/review')[0].body).toEqual({ decision: 'approve', adjustment: 0, reason: null, version: 3 });
    expect(text(page, '#form-error')).toBe('该任务已审核过');
    expect(page.data.current.id).toBe(7);

    answer = { data: taskDto({ state: 'completed', stateLabel: '已完成', reviewStatus: 'approved', version: 4 }) };
    await page.instance.open(8);
    expect(page.data.current).toBeNull();
    expect(text(page, '#notice')).toBe('主题党日：已审核过');
  });

  test('a secretary is told the queue is for staff, and an Api refusal is shown to staff', async () => {
    signIn();
    let page = render('pages/review/index');
    mockApi({});
    await page.instance.onLoad({});
    expect(text(page, '#forbidden')).toBe('只有街道党建办工作人员可以审核佐证');

    signIn(STAFF);
    mockApi({ 'GET /api/mp/tasks': { statusCode: 403, data: problem(403, '无权访问', '您的角色不能查看任务', 'auth.forbidden') } });
    page = render('pages/review/index');
    await page.instance.onLoad({});
    expect(text(page, '#error')).toBe('您的角色不能查看任务');
  });
});

describe('pages/ranking 排名', () => {
  const COMMUNITIES = rankingView({
    rows: [
      rankingRow({ orgId: 31, name: '东风路第一社区', path: '/1/31/', rank: 1, earned: 94, carried: 1, ratio: 0.95, missed: 0 }),
      rankingRow({ orgId: 30, name: '东风路第三社区', path: '/1/30/', rank: 2, earned: 88, ratio: 0.88, missed: 2 }),
    ],
  });
  const BRANCHES = rankingView({
    level: 'branch',
    scope: { id: 30, name: '东风路第三社区', path: '/1/30/' },
    rows: [
      rankingRow({ orgId: 302, name: '第二支部', kindLabel: '党支部', path: '/1/30/302/', rank: 1, possible: 10, earned: 10, ratio: 1, tasks: 2, missed: 0 }),
      rankingRow({ orgId: 301, name: '第一支部', kindLabel: '党支部', path: '/1/30/301/', rank: 2, possible: 10, earned: 9, ratio: 0.9, tasks: 2, missed: 0 }),
    ],
  });

  test('ranks communities with mine highlighted; the branch tab ranks within my community', async () => {
    signIn();
    const server = mockApi({
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/rankings': (req) => ({ data: req.query.includes('level=branch') ? BRANCHES : COMMUNITIES }),
    });
    const page = render('pages/ranking/index');
    await page.instance.onLoad();

    expect(text(page, '#heading')).toBe('2026年11月 · 东风路街道党工委');
    expect(text(page, '#provisional')).toBe('暂定排名，本期尚未结算，数据截至 2026-11-20 14:05');
    expect(text(page, '#closed')).toBeNull();
    expect(text(page, '#rank-31')).toBe('1东风路第一社区95 / 100 分 · 任务 20 项 · 含往期更正 +195%');
    expect(text(page, '#rank-30')).toBe('2东风路第三社区（本组织）88 / 100 分 · 任务 20 项，未完成 2 项88%');
    expect(page.querySelector('#rank-30').dom.className).toContain('row--mine');
    expect(page.querySelector('#rank-31').dom.className).not.toContain('row--mine');

    await fire(page, '#level-branch', 'tap');
    await waitFor(() => page.data.level === 'branch' && !page.data.loading);
    // No scope: the Api ranks branches within the viewer's own community.
    expect(server.sent('GET /api/rankings')[1].query).toMatch(/^period=\d{4}-\d{2}&level=branch$/);
    expect(text(page, '#heading')).toBe('2026年11月 · 东风路第三社区');
    expect(page.querySelector('#rank-301').dom.className).toContain('row--mine');
    expect(page.querySelector('#rank-302').dom.className).not.toContain('row--mine');
    expect(text(page, '#rank-301')).toContain('第一支部（本组织）');
  });

  test('a closed month says when it was closed; an org without tasks has no rank or ratio', async () => {
    signIn();
    const server = mockApi({
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/rankings': (req) =>
        req.query.startsWith('period=2026-10&')
          ? {
              data: rankingView({
                period: '2026-10',
                periodLabel: '2026年10月',
                provisional: false,
                closedAt: '2026-11-01T01:00:00+00:00',
                asOf: '2026-11-01T01:00:00+00:00',
                rows: [rankingRow(), rankingRow({ orgId: 31, name: '东风路第一社区', path: '/1/31/', rank: null, possible: 0, earned: 0, ratio: null, tasks: 0, missed: 0 })],
              }),
            }
          : { data: COMMUNITIES },
    });
    const page = render('pages/ranking/index');
    await page.instance.onLoad();

    await fire(page, '#period-picker', 'change', { value: '2026-10' });
    await waitFor(() => page.data.heading.startsWith('2026年10月'));
    expect(server.sent('GET /api/rankings')[1].query).toBe('period=2026-10&level=community');
    expect(text(page, '#closed')).toBe('已结算（2026-11-01 09:00）');
    expect(text(page, '#provisional')).toBeNull();
    expect(text(page, '#rank-31')).toBe('—东风路第一社区0 / 0 分 · 暂无到期任务—');
    expect(page.querySelector('#rank-31 .row__bar')).toBeFalsy();
  });

  test('opens on the Api’s default (the last closed month); 本年累计 is one tap, and an org with nothing due yet is unranked', async () => {
    signIn();
    const YEAR = rankingView({
      period: '2026',
      periodLabel: '2026年',
      rows: [rankingRow(), rankingRow({ orgId: 31, name: '东风路第一社区', path: '/1/31/', rank: null, possible: 0, earned: 0, ratio: null, tasks: 0, missed: 0 })],
    });
    const server = mockApi({
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/rankings': (req) => ({ data: req.query.startsWith('period=2026&') ? YEAR : COMMUNITIES }),
    });
    const page = render('pages/ranking/index');
    await page.instance.onLoad();

    expect(server.sent('GET /api/rankings')[0].query).toBe('level=community');
    expect(text(page, '#period')).toBe('2026-11');
    await fire(page, '#year', 'tap');
    await waitFor(() => page.data.heading.startsWith('2026年 '));
    expect(server.sent('GET /api/rankings')[1].query).toBe('period=2026&level=community');
    expect(text(page, '#rank-31')).toBe('—东风路第一社区0 / 0 分 · 暂无到期任务—');
    expect(text(page, '#year')).toBeNull(); // already on the year
  });

  test('without a bound member the ranking is shown unhighlighted', async () => {
    signIn(null);
    mockApi({ 'GET /api/rankings': { data: COMMUNITIES } });
    const page = render('pages/ranking/index');
    await page.instance.onLoad();
    expect(page.querySelectorAll('.row--mine')).toHaveLength(0);
    expect(page.querySelectorAll('.row')).toHaveLength(2);
  });

  test('a ranking the Api cannot give is explained', async () => {
    signIn();
    mockApi({ 'GET /api/orgs/301': { data: orgDto() }, 'GET /api/rankings': { statusCode: 404, data: problem(404, '未找到', '该月没有排名', 'ranking.not_found') } });
    const page = render('pages/ranking/index');
    await page.instance.onLoad();
    expect(text(page, '#error')).toBe('该月没有排名');
    expect(text(page, '#provisional')).toBeNull();
  });
});

describe('pages/me 我的', () => {
  const REMINDERS = {
    templates: [
      { key: 'meetingReminder', templateId: 'sbx-mp-meeting-reminder', title: '会议提醒', remaining: 2 },
      { key: 'reviewResult', templateId: 'sbx-mp-review-result', title: '审核结果', remaining: 0 },
    ],
  };

  test('shows name, roles, org, stars, this month’s and the year’s points, and the reminders left', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/me': { data: { wechatUserId: 9, member: member({ roles: [{ role: 'secretary', orgId: 301 }, { role: 'member', orgId: 301 }] }) } },
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/mp/me/stars': { data: starsDto() },
      'GET /api/mp/subscriptions': { data: REMINDERS },
    });
    const page = render('pages/me/index');
    await page.instance.onLoad();

    expect(text(page, '#name')).toBe('王芳');
    expect(text(page, '#roles')).toBe('支部书记、党员');
    expect(text(page, '#org')).toBe('第一支部');
    expect(server.sent('GET /api/mp/me/stars')[0].query).toBe(''); // this month: the Api's default
    expect(text(page, '#month')).toBe('2026年11月');
    expect(page.querySelector('#stars').querySelectorAll('.star--on')).toHaveLength(4);
    expect(text(page, '#month-points')).toBe('5');
    expect(text(page, '#year-points')).toBe('37.5');
    expect(text(page, '#next-star')).toBe('再得 2.5 分可升一星（本年 40 分）');
    expect(text(page, '#stars-status')).toBe('本月尚未结算，积分为暂计');
    expect(text(page, '#grade')).toBeNull();
    expect(text(page, '#reminder-meetingReminder')).toBe('会议提醒还可提醒 2 次');
    expect(text(page, '#reminder-reviewResult')).toBe('审核结果未订阅');
    expect(text(page, '#review-link')).toBeNull();
    // 党费: her own, and the branch's ledger she keeps as its secretary.
    const navigate = jest.spyOn(wx, 'navigateTo');
    page.querySelector('#dues-link').dispatchEvent('tap', {});
    page.querySelector('#dues-branch-link').dispatchEvent('tap', {});
    await simulate.sleep(0);
    expect(navigate.mock.calls.map((c) => c[0].url)).toEqual(['/pages/dues/index', '/pages/dues-branch/index']);
    navigate.mockClear();
    await fire(page, '#development-link', 'tap'); // a secretary: her branch's 发展党员
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/development/index' });
    navigate.mockClear();
    await fire(page, '#transfers-link', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/transfers/index' });
  });

  test('an earlier month is read from the Api: closed, with the appraisal grade and five stars', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/me': { data: { wechatUserId: 9, member: member() } },
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/mp/me/stars': (req) =>
        req.query === 'period=2026-10'
          ? { data: starsDto({ period: '2026-10', periodLabel: '2026年10月', points: 3.25, pointsYear: 41, stars: 5, starsLabel: '★★★★★', grade: 'excellent', provisional: false }) }
          : { data: starsDto() },
      'GET /api/mp/subscriptions': { statusCode: 404, data: problem(404, '未找到', '没有这个接口', 'not_found') },
    });
    const page = render('pages/me/index');
    await page.instance.onLoad();
    expect(text(page, '#reminder-meetingReminder')).toBeNull(); // reminders that cannot load are left out

    await fire(page, '#month-picker', 'change', { value: '2026-10' });
    await waitFor(() => page.data.stars.periodLabel === '2026年10月');
    expect(server.sent('GET /api/mp/me/stars')[1].query).toBe('period=2026-10');
    expect(page.querySelector('#stars').querySelectorAll('.star--on')).toHaveLength(5);
    expect(text(page, '#month-points')).toBe('3.25');
    expect(text(page, '#grade')).toBe('优秀');
    expect(text(page, '#next-star')).toBe('已达最高星级');
    expect(text(page, '#stars-status')).toBe('已结算');
  });

  test('stars that cannot load do not hide the profile; an unbound user is offered binding', async () => {
    signIn();
    mockApi({
      'GET /api/mp/me': { data: { wechatUserId: 9, member: member() } },
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/mp/me/stars': { statusCode: 404, data: problem(404, '未找到', '该党员在这个月没有星级记录', 'stars.not_found') },
      'GET /api/mp/subscriptions': { data: { templates: [] } },
    });
    let page = render('pages/me/index');
    await page.instance.onLoad();
    expect(text(page, '#name')).toBe('王芳');
    expect(text(page, '#stars-error')).toBe('星级暂不可查：该党员在这个月没有星级记录');
    expect(text(page, '#points')).toBeNull();

    signIn(null);
    mockApi({ 'GET /api/mp/me': { data: { wechatUserId: 9, member: null } } });
    page = render('pages/me/index');
    await page.instance.onLoad();
    expect(text(page, '#name')).toBe('未绑定党员身份');
    expect(text(page, '#roles')).toBe('群众');
    expect(text(page, '#bind-button')).toBe('用微信手机号绑定');
    expect(text(page, '#development-link')).toBeNull(); // an applicant follows her own progress, not the branch's
    const navigate = jest.spyOn(wx, 'navigateTo');
    await fire(page, '#development-me-link', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/development-me/index' });
    expect(text(page, '#transfers-link')).toBeNull();
  });
});
