const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, mockLogin, waitFor } = require('../helpers/wx-mock');
const { taskListItem, taskSummary, problem } = require('../helpers/fixtures');

const SUMMARY = taskSummary();

async function fire(page, selector, event, detail) {
  page.querySelector(selector).dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

async function open() {
  const page = render('pages/tasks/index');
  await page.instance.onLoad();
  return page;
}

describe('pages/tasks 我的任务', () => {
  test('a secretary sees the counts and this month’s tasks; filters and tapping a task drive the Api and navigation', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/tasks': (req) => ({
        data: req.query.includes('status=overdue') ? [taskListItem({ id: 9, state: 'overdue', templateName: '支部委员会' })] : [taskListItem(), taskListItem({ id: 8, templateName: '党员大会', state: 'planned' })],
      }),
      'GET /api/mp/tasks/summary': { data: SUMMARY },
    });
    const navigate = jest.spyOn(wx, 'navigateTo');

    const page = await open();

    expect(text(page, '#summary')).toContain('2预警');
    expect(page.querySelectorAll('.task-item')).toHaveLength(2);
    expect(text(page, '#task-8')).toContain('党员大会');
    expect(text(page, '#task-8')).toContain('已报计划');
    expect(text(page, '#task-7')).toContain('截止 2026-12-01 00:00');
    expect(server.sent('GET /api/mp/tasks')[0].query).toMatch(/^period=\d{4}-\d{2}$/);
    expect(text(page, '#review-link')).toBeNull();
    expect(text(page, '#adhoc-link')).toBeNull();

    await fire(page, '#filter-overdue', 'tap');
    await waitFor(() => page.data.tasks.length === 1);
    expect(server.sent('GET /api/mp/tasks')[1].query).toContain('status=overdue');

    await fire(page, '#period-picker', 'change', { value: '2026-10' });
    await waitFor(() => !page.data.loading);
    expect(server.sent('GET /api/mp/tasks')[2].query).toBe('status=overdue&period=2026-10');

    await fire(page.querySelector('#task-9'), '.task-card', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/task/index?id=9' });
  });

  test('a plain member reads the branch tasks without the counts; staff get the review queue', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    const server = mockApi({ 'GET /api/mp/tasks': { data: [taskListItem()] }, 'GET /api/mp/tasks/summary': { data: SUMMARY } });
    const page = await open();
    expect(text(page, '#summary')).toBeNull();
    expect(server.sent('GET /api/mp/tasks/summary')).toHaveLength(0);
    expect(page.querySelectorAll('.task-item')).toHaveLength(1);
  });

  test('office staff see how many tasks await their review, the way to the queue and to ad-hoc tasks', async () => {
    signIn(member({ roles: [{ role: 'staff', orgId: 1 }] }));
    mockApi({ 'GET /api/mp/tasks': { data: [] }, 'GET /api/mp/tasks/summary': { data: taskSummary({ awaitingReview: 3 }) } });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = await open();
    expect(text(page, '#review-link')).toContain('去审核');
    expect(text(page, '#awaiting-review')).toBe('3');
    expect(page.querySelector('#awaiting-review').dom.className).toContain('badge--on');
    expect(text(page, '#empty')).toBe('这个月没有符合条件的任务');

    await fire(page, '#review-link', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/review/index' });
    await fire(page, '#adhoc-link', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/adhoc/index' });
  });

  test('a community committee issues ad-hoc tasks but does not review; ad-hoc and reviewed tasks are marked in the list', async () => {
    signIn(member({ roles: [{ role: 'committee', orgId: 30 }] }));
    mockApi({
      'GET /api/mp/tasks': {
        data: [
          taskListItem({ id: 71, templateCode: 'adhoc', templateName: '防汛安全排查', adHoc: true }),
          taskListItem({ id: 8, state: 'completed', reviewStatus: 'awaiting' }),
          taskListItem({ id: 9, state: 'completed', reviewStatus: 'approved' }),
        ],
      },
      'GET /api/mp/tasks/summary': { data: SUMMARY },
    });
    const page = await open();
    expect(text(page, '#review-link')).toBeNull();
    expect(text(page, '#adhoc-link')).toContain('下发与撤销');
    expect(text(page, '#task-71')).toContain('临时防汛安全排查');
    expect(text(page, '#task-8')).toContain('已完成 · 待审核');
    expect(text(page, '#task-9')).toContain('已完成 · 已审核');
    expect(text(page, '#task-7')).toBeNull();
  });

  test('someone not yet bound binds with the phone number and then sees the tasks', async () => {
    mockLogin();
    const server = mockApi({
      'POST /api/mp/login': { data: { token: 'tok-0', expiresAt: '2099-01-01T00:00:00+00:00', member: null } },
      'POST /api/mp/bind': { data: { token: 'tok-1', expiresAt: '2099-01-01T00:00:00+00:00', member: member() } },
      'GET /api/mp/tasks': { data: [taskListItem()] },
      'GET /api/mp/tasks/summary': { data: SUMMARY },
    });
    const page = await open();
    expect(text(page, '#bind')).toContain('请先绑定党员身份');

    await fire(page, '#bind-button', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' });
    expect(text(page, '#bind-error')).toBe('需要授权手机号才能绑定党员身份');

    await fire(page, '#bind-button', 'getphonenumber', { code: 'phone-code-1', errMsg: 'getPhoneNumber:ok' });
    await waitFor(() => page.data.tasks.length === 1);
    expect(server.sent('POST /api/mp/bind')[0].body).toEqual({ phoneCode: 'phone-code-1' });
    expect(server.sent('GET /api/mp/tasks')[0].header.Authorization).toBe('Bearer tok-1');
  });

  test('a phone number that matches no member is explained', async () => {
    mockLogin();
    mockApi({
      'POST /api/mp/login': { data: { token: 'tok-0', expiresAt: '2099-01-01T00:00:00+00:00', member: null } },
      'POST /api/mp/bind': { statusCode: 404, data: problem(404, '未找到党员信息', '抱歉，没有找到使用该手机号的党员信息。', 'bind.no_member') },
    });
    const page = await open();
    await fire(page, '#bind-button', 'getphonenumber', { code: 'phone-code-2' });
    await waitFor(() => page.data.bindError);
    expect(text(page, '#bind-error')).toBe('抱歉，没有找到使用该手机号的党员信息。');
  });

  test('network trouble and 403 are shown instead of an empty list', async () => {
    signIn();
    mockApi({ 'GET /api/mp/tasks': 'network', 'GET /api/mp/tasks/summary': { data: SUMMARY } });
    const page = await open();
    expect(text(page, '#error')).toBe('网络连接失败，请检查网络后重试');
    expect(text(page, '#empty')).toBeNull();
  });
});
