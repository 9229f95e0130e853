const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, mockSubscribe, waitFor, settle } = require('../helpers/wx-mock');
const { taskDto, photoDto, problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  page.querySelector(selector).dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

describe('pages/task 任务详情', () => {
  test('shows period, plan, evidence rule and the photos fetched with the token; a secretary may plan and submit', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/tasks/7': { data: taskDto({ photos: [photoDto('aa11'), photoDto('bb22')] }) },
      'GET /api/mp/tasks/7/photos/aa11': { tempFilePath: 'wxfile://tmp/aa11' },
      'GET /api/mp/tasks/7/photos/bb22': { tempFilePath: 'wxfile://tmp/bb22' },
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });

    expect(text(page, '#name')).toBe('主题党日');
    expect(text(page, '#state')).toBe('已报计划');
    expect(text(page, '#plan-time')).toBe('2026-11-20 14:00');
    expect(text(page, '#rule')).toBe('至少 2 张照片；需登记考勤；需活动记录');
    expect(page.data.photos).toEqual(['wxfile://tmp/aa11', 'wxfile://tmp/bb22']);
    expect(page.querySelectorAll('.photo')).toHaveLength(2);
    expect(server.download).toHaveBeenCalledTimes(2);

    await fire(page, '#submit-button', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/evidence/index?id=7' });
    await fire(page, '#plan-button', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/plan/index?id=7' });
    expect(text(page, '#review-button')).toBeNull();
  });

  test('a member only reads; staff may review a completed task', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    mockApi({ 'GET /api/mp/tasks/7': { data: taskDto({ state: 'completed', stateLabel: '已完成' }) } });
    let page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#plan-button')).toBeNull();
    expect(text(page, '#submit-button')).toBeNull();
    expect(text(page, '#review-button')).toBeNull();

    signIn(member({ roles: [{ role: 'staff', orgId: 1 }] }));
    page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#review-button')).toBe('审核');
  });

  test('a task of another branch (403) says so', async () => {
    signIn();
    mockApi({ 'GET /api/mp/tasks/7': { statusCode: 403, data: problem(403, '无权访问', '您无权查看该任务', 'auth.forbidden') } });
    const page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#error')).toBe('您无权查看该任务');
    expect(text(page, '#name')).toBeNull();
  });
});

describe('pages/plan 报送计划', () => {
  test('date, time, place and topic go to PUT plan with the task version, in Shanghai time', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/tasks/7': { data: taskDto({ state: 'pending', stateLabel: '待办', version: 1, plannedFor: null, place: null, topic: null }) },
      'PUT /api/mp/tasks/7/plan': { data: taskDto() },
      'POST /api/mp/subscriptions': { statusCode: 204 },
    });
    mockSubscribe({ TMPL_MEETING_REMINDER: 'accept' });
    const back = jest.spyOn(wx, 'navigateBack');
    const page = render('pages/plan/index');
    await page.instance.onLoad({ id: '7' });

    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('请选择日期');

    await fire(page, '#date-picker', 'change', { value: '2026-11-20' });
    await fire(page, '#time-picker', 'change', { value: '14:00' });
    await fire(page, '#place-input', 'input', { value: ' 社区党群服务中心 ' });
    await fire(page, '#topic-input', 'input', { value: '志愿服务进楼院' });
    await fire(page, '#save', 'tap');
    await waitFor(() => back.mock.calls.length === 1);

    expect(server.sent('PUT /api/mp/tasks/7/plan')[0].body).toEqual({
      plannedFor: '2026-11-20T14:00:00+08:00', place: '社区党群服务中心', topic: '志愿服务进楼院', version: 1,
    });
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(2);
    await settle();
  });

  test('a conflict or a too-late plan is shown and the form stays', async () => {
    signIn();
    mockApi({
      'GET /api/mp/tasks/7': { data: taskDto() },
      'PUT /api/mp/tasks/7/plan': { statusCode: 409, data: problem(409, '冲突', '任务已被他人修改，请刷新后重试', 'task.version_conflict') },
      'POST /api/mp/subscriptions': { statusCode: 204 },
    });
    mockSubscribe({});
    const page = render('pages/plan/index');
    await page.instance.onLoad({ id: '7' });
    expect(page.data.form).toEqual({ date: '2026-11-20', time: '14:00', place: '社区党群服务中心', topic: '志愿服务进楼院' });

    await fire(page, '#save', 'tap');
    await waitFor(() => page.data.formError);
    expect(text(page, '#form-error')).toBe('任务已被他人修改，请刷新后重试');
    expect(page.data.form.place).toBe('社区党群服务中心');
    await settle();
  });
});
