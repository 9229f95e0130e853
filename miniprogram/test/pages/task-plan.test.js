const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, mockSubscribe, waitFor, settle } = require('../helpers/wx-mock');
const { taskDto, photoDto, evidenceItem, historyItem, problem } = require('../helpers/fixtures');

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
    expect(page.data.photos.map((p) => p.src)).toEqual(['wxfile://tmp/aa11', 'wxfile://tmp/bb22']);
    expect(page.querySelectorAll('.photo')).toHaveLength(2);
    expect(server.download).toHaveBeenCalledTimes(2);

    await fire(page, '#submit-button', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/evidence/index?id=7' });
    await fire(page, '#plan-button', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/plan/index?id=7' });
    expect(text(page, '#review-button')).toBeNull();
  });

  test("a meeting shows its members' feedback: the average and how many rated, or none yet; other tasks show nothing", async () => {
    signIn();
    let feedback = { count: 12, average: 4.3 };
    mockApi({ 'GET /api/mp/tasks/7': () => ({ data: taskDto(feedback === undefined ? {} : { feedback }) }) });
    let page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#feedback')).toBe('4.3 分（12 人评价）');

    feedback = { count: 0, average: null };
    page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#feedback')).toBe('暂无评价');

    feedback = undefined;
    page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#feedback')).toBeNull();
  });

  test('a task the scanner warned says so until evidence is in', async () => {
    signIn();
    let state = 'planned';
    mockApi({ 'GET /api/mp/tasks/7': () => ({ data: taskDto({ state, warnedAt: '2026-11-20T16:00:00Z' }) }) });
    let page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#warned')).toBe('已预警：2026-11-21 00:00 仍未提交佐证，请尽快补交');

    state = 'submitted';
    page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#warned')).toBeNull();
  });

  test('a member only reads; staff may review a completed task that awaits review, not one already reviewed', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    let reviewStatus = 'awaiting';
    mockApi({ 'GET /api/mp/tasks/7': () => ({ data: taskDto({ state: 'completed', stateLabel: '已完成', reviewStatus }) }) });
    let page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#plan-button')).toBeNull();
    expect(text(page, '#submit-button')).toBeNull();
    expect(text(page, '#review-button')).toBeNull();
    expect(text(page, '#review-status')).toBe('· 待审核');

    signIn(member({ roles: [{ role: 'staff', orgId: 1 }] }));
    page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#review-button')).toBe('审核');

    reviewStatus = 'approved';
    page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#review-button')).toBeNull();
    expect(text(page, '#review-status')).toBe('· 已审核');
  });

  test('every submission with its judgment and review, and the trail of who did what', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    const returned = evidenceItem({
      id: 40,
      heldAt: '2026-11-18T06:00:00+00:00',
      submittedAt: '2026-11-18T09:00:00+00:00',
      passed: false,
      reasons: ['照片不足：至少需要 2 张', '缺少活动记录'],
      points: 0,
      photoCount: 1,
    });
    const approved = evidenceItem({ reviewDecision: 'approve', reviewAdjustment: 0.5, reviewReason: '记录翔实', reviewedAt: '2026-11-21T01:00:00+00:00' });
    mockApi({
      'GET /api/mp/tasks/7': {
        data: taskDto({
          state: 'completed',
          stateLabel: '已完成',
          reviewStatus: 'approved',
          evidence: [approved, returned],
          history: [
            historyItem({ data: JSON.stringify({ from: 'pending', to: 'planned', plannedFor: '2026-11-20T06:00:00+00:00', place: '社区党群服务中心', topic: '志愿服务进楼院' }) }),
            historyItem({ at: '2026-11-18T09:00:00+00:00', action: 'task.submitted', data: JSON.stringify({ from: 'planned', to: 'submitted', evidenceId: 40 }) }),
            historyItem({
              at: '2026-11-18T09:00:00+00:00',
              action: 'task.returned',
              actor: 'system',
              actorName: null,
              data: JSON.stringify({ from: 'submitted', to: 'returned', onTime: true, pointsEarned: 0, reasons: ['照片不足：至少需要 2 张', '缺少活动记录'] }),
            }),
            historyItem({ at: '2026-11-21T01:00:00+00:00', action: 'task.approved', actor: 'member:2', actorName: '刘敏', data: JSON.stringify({ from: 'completed', to: 'completed', evidenceId: 41, adjustment: 0.5, reason: '记录翔实' }) }),
            historyItem({ at: '2026-11-22T01:00:00+00:00', action: 'task.something_new', actor: 'system', actorName: null, data: null }),
          ],
        }),
      },
    });
    const page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });

    const [latest, first] = page.querySelectorAll('.submission').map((n) => n.dom.textContent.replace(/\s+/g, ' ').trim());
    expect(latest).toContain('2026-11-20 14:00 开展');
    expect(latest).toContain('自动审核通过');
    expect(latest).toContain('到会 18 · 缺席 2 · 请假 1 · 照片 2 张');
    expect(latest).toContain('按时 · 得 5 分');
    expect(text(page, '#submission-41 .submission__review')).toBe('审核通过 · 质量加减分 +0.5 分：记录翔实 （2026-11-21 09:00）');
    expect(first).toContain('自动审核未通过');
    expect(page.querySelectorAll('#submission-40 .submission__reason').map((n) => n.dom.textContent)).toEqual([
      '照片不足：至少需要 2 张',
      '缺少活动记录',
    ]);
    expect(text(page, '#submission-40 .submission__review')).toBeNull();

    expect(page.querySelectorAll('.history')).toHaveLength(5);
    expect(text(page, '.history')).toBe('报送计划2026-11-10 10:00王芳计划 2026-11-20 14:00');
    expect(page.data.task.trail.map((h) => [h.label, h.at, h.who, h.detail])).toEqual([
      ['报送计划', '2026-11-10 10:00', '王芳', '计划 2026-11-20 14:00'],
      ['提交佐证', '2026-11-18 17:00', '王芳', ''],
      ['自动审核未通过，退回', '2026-11-18 17:00', '系统', '按时，得 0 分；照片不足：至少需要 2 张；缺少活动记录'],
      ['审核通过', '2026-11-21 09:00', '刘敏', '质量加减分 +0.5；记录翔实'],
      ['task.something_new', '2026-11-22 09:00', '系统', ''], // an action this build does not know still shows
    ]);
  });

  test('a reviewer sees which photos were not taken on the meeting day; a secretary does not', async () => {
    const photos = [
      photoDto('aa11', 7, { takenAt: '2026-11-20T05:30:00+00:00', takenOnMeetingDay: true }),
      photoDto('bb22', 7, { takenAt: '2026-10-02T05:30:00+00:00', takenOnMeetingDay: false }),
      photoDto('cc33'), // no EXIF date: unknown, never flagged
    ];
    const routes = {
      'GET /api/mp/tasks/7': { data: taskDto({ state: 'completed', stateLabel: '已完成', reviewStatus: 'awaiting', evidence: [evidenceItem({ photoCount: 3 })], photos }) },
      'GET /api/mp/tasks/7/photos/aa11': { tempFilePath: 'wxfile://tmp/aa11' },
      'GET /api/mp/tasks/7/photos/bb22': { tempFilePath: 'wxfile://tmp/bb22' },
      'GET /api/mp/tasks/7/photos/cc33': { tempFilePath: 'wxfile://tmp/cc33' },
    };
    signIn(member({ id: 2, roles: [{ role: 'staff', orgId: 1 }] }));
    mockApi(routes);
    let page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#photo-flags')).toBe('1 张照片拍摄日期与会议日期不符');
    expect(page.querySelectorAll('.photo__flag').map((n) => n.dom.textContent)).toEqual(['照片拍摄日期与会议日期不符']);
    expect(page.data.photos.map((p) => p.flagged)).toEqual([false, true, false]);
    expect(page.querySelectorAll('.photo__taken').map((n) => n.dom.textContent)).toEqual(['拍摄于 2026-11-20 13:30']);
    expect(text(page, '.submission__review--waiting')).toBe('等待街道党建办审核');

    signIn();
    page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    expect(text(page, '#photo-flags')).toBeNull();
    expect(page.querySelectorAll('.photo__flag')).toHaveLength(0);
  });

  test('an ad-hoc task is marked, and its issuers can open how it went everywhere', async () => {
    signIn(member({ id: 2, roles: [{ role: 'staff', orgId: 1 }] }));
    mockApi({ 'GET /api/mp/tasks/71': { data: taskDto({ id: 71, templateCode: 'adhoc', name: '防汛安全排查', adHoc: true, adhocTaskId: 3, plannedFor: null, place: null, topic: null, state: 'pending', stateLabel: '待办' }) } });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/task/index');
    await page.instance.onLoad({ id: '71' });
    expect(text(page, '#name')).toBe('临时任务防汛安全排查');
    expect(text(page, '#adhoc-tag')).toBe('临时任务');
    await fire(page, '#adhoc-link', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/adhoc-task/index?id=3' });
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
    mockSubscribe({ 'sbx-mp-meeting-reminder': 'accept', 'sbx-mp-task-warning': 'accept' });
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
    expect(wx.requestSubscribeMessage.mock.lastCall[0].tmplIds).toEqual(['sbx-mp-meeting-reminder', 'sbx-mp-task-warning']);
    await settle();
    expect(server.sent('POST /api/mp/subscriptions').pop().body).toEqual({
      results: [
        { key: 'meetingReminder', templateId: 'sbx-mp-meeting-reminder', result: 'accept' },
        { key: 'taskWarning', templateId: 'sbx-mp-task-warning', result: 'accept' },
      ],
    });
  });

  test('会议提醒 and 任务预警 are asked inside the tap, before any await; a refusal and a failing report still save the plan', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/tasks/7': { data: taskDto() },
      'PUT /api/mp/tasks/7/plan': { data: taskDto({ version: 3 }) },
      'POST /api/mp/subscriptions': 'network',
    });
    const sheet = mockSubscribe({ 'sbx-mp-meeting-reminder': 'reject', 'sbx-mp-task-warning': 'reject' });
    const back = jest.spyOn(wx, 'navigateBack');
    const page = render('pages/plan/index');
    await page.instance.onLoad({ id: '7' });
    const before = server.request.mock.calls.length;

    // The tap handler itself (#save bindtap="onSave"), not awaited: simulate delivers events a tick later,
    // and what counts is what the handler does before its first await.
    const saved = page.instance.onSave();
    expect(sheet).toHaveBeenCalledTimes(1);
    expect(sheet.mock.calls[0][0].tmplIds).toEqual(['sbx-mp-meeting-reminder', 'sbx-mp-task-warning']);
    expect(server.request.mock.calls.length).toBe(before);

    await saved;
    expect(back).toHaveBeenCalledTimes(1);
    await settle();
    expect(server.sent('PUT /api/mp/tasks/7/plan')).toHaveLength(1);
    expect(text(page, '#form-error')).toBeNull();
    expect(server.sent('POST /api/mp/subscriptions')[0].body).toEqual({
      results: [
        { key: 'meetingReminder', templateId: 'sbx-mp-meeting-reminder', result: 'reject' },
        { key: 'taskWarning', templateId: 'sbx-mp-task-warning', result: 'reject' },
      ],
    });
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
