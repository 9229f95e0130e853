const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, mockChooseMedia, mockSubscribe, waitFor, settle } = require('../helpers/wx-mock');
const { taskDto, problem } = require('../helpers/fixtures');

const ROSTER = [
  { id: 11, name: '王芳', orgId: 301, status: 'full', roles: ['secretary', 'member'] },
  { id: 12, name: '李雷', orgId: 301, status: 'full', roles: ['member'] },
  { id: 13, name: '赵敏', orgId: 301, status: 'probationary', roles: ['member'] },
  { id: 14, name: '孙强', orgId: 301, status: 'transferredOut', roles: [] },
];

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

function uploaded(req) {
  return { statusCode: 201, data: { token: `tok-${req.filePath.slice(-5)}`, sha256: 'f00d', size: 1024, contentType: 'image/jpeg' } };
}

function judged() {
  return {
    data: {
      task: taskDto({ state: 'completed', stateLabel: '已完成', version: 3 }),
      passed: true,
      reasons: [],
      onTime: true,
      pointsEarned: 5,
    },
  };
}

async function open(routes) {
  signIn();
  const server = mockApi(
    Object.assign(
      {
        'GET /api/mp/tasks/7': { data: taskDto() },
        'GET /api/mp/orgs/301/members': { data: ROSTER },
        'GET /api/mp/checkins': { data: [] },
        'POST /api/mp/subscriptions': { statusCode: 204 },
        'POST /api/mp/uploads': uploaded,
        'POST /api/mp/tasks/7/evidence': () => judged(),
      },
      routes
    )
  );
  mockSubscribe({ 'sbx-mp-review-result': 'accept' });
  const page = render('pages/evidence/index');
  await page.instance.onLoad({ id: '7' });
  return { page, server };
}

describe('pages/evidence 提交佐证', () => {
  test('the attendance starts from the check-ins and approved leave: present (late marked), on leave, absent', async () => {
    const row = (memberId, name, presence, extra) => Object.assign(
      { memberId, name, probationary: false, bound: true, checkedInAt: null, late: false, via: null, leave: null, presence }, extra);
    const { page, server } = await open({
      'GET /api/mp/checkins': {
        data: [
          row(11, '王芳', 'present', { checkedInAt: '2026-11-20T06:15:00+00:00', late: true, via: 'oa' }),
          row(12, '李雷', 'onLeave', { leave: 'approved' }),
          row(13, '赵敏', 'absent', { probationary: true, leave: 'refused' }),
        ],
      },
    });
    expect(server.sent('GET /api/mp/checkins')[0].query).toBe('taskId=7');
    expect(page.data.roster.map((m) => m.presence)).toEqual(['present', 'onLeave', 'absent']);
    expect(text(page, '#attendee-11 .attendee__late')).toBe('迟到');
    expect(text(page, '#attendee-12 .attendee__late')).toBeNull();
    // Still the secretary's to correct: 赵敏 came after all.
    await fire(page, '#attendee-13 .attendee__name', 'tap');
    expect(page.data.roster[2].presence).toBe('present');
  });

  test('prefills the plan, marks the roster present, uploads each photo, submits and shows the judgment', async () => {
    const { page, server } = await open();
    mockChooseMedia(['wxfile://p-001', 'wxfile://p-002']);

    expect(text(page, '#date')).toBe('2026-11-20');
    expect(text(page, '#time')).toBe('14:00');
    expect(page.querySelectorAll('.attendee')).toHaveLength(3); // 孙强 has moved away: not on the roll
    expect(text(page, '#attendee-13')).toContain('预备');
    expect(text(page, '#attendee-12')).not.toContain('预备');

    await fire(page, '#attendee-12 .attendee__name', 'tap'); // 李雷 absent
    await fire(page, '#attendee-13 .attendee__leave', 'tap'); // 赵敏 on leave
    await fire(page, '#minutes-input', 'input', { value: '学习了会议精神，布置了入户走访。' });
    await fire(page, '#photos >>> #add-photo', 'tap');
    await waitFor(() => page.data.photos.length === 2);

    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.result);

    expect(server.upload.mock.calls.map((c) => c[0].filePath)).toEqual(['wxfile://p-001', 'wxfile://p-002']);
    expect(server.sent('POST /api/mp/tasks/7/evidence')[0].body).toEqual({
      heldAt: '2026-11-20T14:00:00+08:00',
      place: '社区党群服务中心',
      topic: '志愿服务进楼院',
      minutes: '学习了会议精神，布置了入户走访。',
      version: 2,
      attendance: [
        { memberId: 11, presence: 'present' },
        { memberId: 12, presence: 'absent' },
        { memberId: 13, presence: 'onLeave' },
      ],
      photoTokens: ['tok-p-001', 'tok-p-002'],
    });
    expect(text(page, '#verdict')).toBe('佐证已通过，任务完成');
    expect(text(page, '#on-time')).toBe('按时');
    expect(text(page, '#points')).toBe('5 分');
    expect(wx.requestSubscribeMessage).toHaveBeenCalledTimes(1);
    await settle();
    expect(server.sent('POST /api/mp/subscriptions').map((r) => r.body)).toEqual([
      { results: [{ key: 'reviewResult', templateId: 'sbx-mp-review-result', result: 'accept' }] },
    ]);
  });

  test('photos sent in the official-account chat count towards the minimum and go in by hash', async () => {
    const chat = [
      { sha256: 'c'.repeat(64), contentType: 'image/jpeg', size: 2048, url: '/api/mp/tasks/7/photos/ccc', takenAt: null, receivedAt: '2026-11-20T07:00:00+00:00', sentBy: '王芳', source: 'chat' },
      { sha256: 'd'.repeat(64), contentType: 'image/jpeg', size: 2048, url: '/api/mp/tasks/7/photos/ddd', takenAt: null, receivedAt: '2026-11-20T07:00:01+00:00', sentBy: '王芳', source: 'chat' },
    ];
    const { page, server } = await open({ 'GET /api/mp/tasks/7': { data: taskDto({ chatPhotos: chat }) } });

    expect(text(page, '#chat-photos')).toContain('公众号聊天中发来的照片 2 张');
    expect(page.data.maxPhotos).toBe(7);
    await fire(page, '#minutes-input', 'input', { value: '记录' });
    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.result);

    const body = server.sent('POST /api/mp/tasks/7/evidence')[0].body;
    expect(body.chatPhotos).toEqual(['c'.repeat(64), 'd'.repeat(64)]);
    expect(body.photoTokens).toEqual([]);
  });

  test('left out, chat photos are not sent and their places go back to uploads', async () => {
    const chat = [{ sha256: 'c'.repeat(64), contentType: 'image/jpeg', size: 1, url: '/x', takenAt: null, receivedAt: '2026-11-20T07:00:00+00:00', sentBy: null, source: 'chat' }];
    const { page } = await open({ 'GET /api/mp/tasks/7': { data: taskDto({ chatPhotos: chat }) } });

    await fire(page, '#chat-switch', 'change', { value: false });

    expect(page.data.maxPhotos).toBe(9);
    expect(page.instance.chatHashes()).toEqual([]);
  });

  const READY = {
    'form.minutes': '记录',
    photos: [{ path: 'a', status: 'done', progress: 100, token: 't1', error: '' }, { path: 'b', status: 'done', progress: 100, token: 't2', error: '' }],
  };

  test('consent for 审核结果 is asked inside the tap, before any await; a sheet still open does not hold the submission', async () => {
    const { page, server } = await open();
    const sheet = jest.spyOn(wx, 'requestSubscribeMessage').mockImplementation(() => {}); // the user has not answered yet
    page.setData(READY);
    const before = server.request.mock.calls.length;

    // The tap handler itself (#submit bindtap="onSubmit"), not awaited: simulate delivers events a tick later,
    // and what counts is what the handler does before its first await.
    const saved = page.instance.onSubmit();
    expect(sheet).toHaveBeenCalledTimes(1);
    expect(sheet.mock.calls[0][0].tmplIds).toEqual(['sbx-mp-review-result']);
    expect(server.request.mock.calls.length).toBe(before);

    await saved; // the submission finished while the sheet is still open
    expect(server.sent('POST /api/mp/tasks/7/evidence')).toHaveLength(1);
    expect(sheet.mock.invocationCallOrder[0]).toBeLessThan(server.request.mock.invocationCallOrder[before]);
    expect(text(page, '#verdict')).toBe('佐证已通过，任务完成');
    expect(server.sent('POST /api/mp/subscriptions')).toHaveLength(0);
  });

  test('a refused sheet, a failed sheet and a failing report never block the submission', async () => {
    const { page, server } = await open({
      'POST /api/mp/subscriptions': { statusCode: 500, data: problem(500, '服务器错误', '服务暂时不可用', 'server.error') },
    });
    mockSubscribe({ 'sbx-mp-review-result': 'reject' });
    page.setData(READY);

    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.result);
    await settle();
    expect(text(page, '#verdict')).toBe('佐证已通过，任务完成');
    expect(text(page, '#form-error')).toBeNull();
    expect(server.sent('POST /api/mp/subscriptions')[0].body).toEqual({
      results: [{ key: 'reviewResult', templateId: 'sbx-mp-review-result', result: 'reject' }],
    });

    jest.spyOn(wx, 'requestSubscribeMessage').mockImplementation((o) => setTimeout(() => o.fail({ errMsg: 'requestSubscribeMessage:fail', errCode: 20004 }), 0));
    page.setData({ result: null });
    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.result);
    await settle();
    expect(server.sent('POST /api/mp/tasks/7/evidence')).toHaveLength(2);
    expect(server.sent('POST /api/mp/subscriptions')).toHaveLength(1); // nothing to report after a failed sheet
  });

  test('a returned submission shows every reason the judgment gave', async () => {
    const { page } = await open({
      'POST /api/mp/tasks/7/evidence': {
        data: {
          task: taskDto({ state: 'returned', stateLabel: '已退回', version: 3 }),
          passed: false,
          reasons: ['照片不足：至少需要 2 张', '到会人数未过半'],
          onTime: false,
          pointsEarned: 0,
        },
      },
    });
    page.setData({ 'form.minutes': '记录', photos: [{ path: 'a', status: 'done', progress: 100, token: 't1', error: '' }, { path: 'b', status: 'done', progress: 100, token: 't2', error: '' }] });

    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.result);

    expect(text(page, '#verdict')).toBe('佐证未通过，任务已退回');
    expect(text(page, '#on-time')).toBe('逾期');
    expect(page.querySelectorAll('.reason').map((r) => r.dom.textContent)).toEqual(['照片不足：至少需要 2 张', '到会人数未过半']);
    await settle();
  });

  test('refuses to submit what the evidence rule would reject, without calling the Api', async () => {
    const { page, server } = await open();

    await fire(page, '#submit', 'tap');
    expect(text(page, '#form-error')).toBe('请填写活动记录');

    await fire(page, '#minutes-input', 'input', { value: '记录' });
    await fire(page, '#submit', 'tap');
    expect(text(page, '#form-error')).toBe('请至少上传 2 张照片');
    expect(server.upload).not.toHaveBeenCalled();
    expect(server.sent('POST /api/mp/tasks/7/evidence')).toHaveLength(0);
    await settle();
  });

  test('a photo failing halfway keeps the form; submitting again uploads only the rest', async () => {
    let dropSecond = true;
    const { page, server } = await open({
      'POST /api/mp/uploads': (req) => (req.filePath === 'wxfile://p-002' && dropSecond ? null : uploaded(req)),
    });
    mockChooseMedia(['wxfile://p-001', 'wxfile://p-002', 'wxfile://p-003']);
    await fire(page, '#minutes-input', 'input', { value: '会议记录正文' });
    await fire(page, '#photos >>> #add-photo', 'tap');
    await waitFor(() => page.data.photos.length === 3);

    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.formError && !page.data.submitting);

    expect(text(page, '#form-error')).toBe('第2张照片上传失败：网络连接失败，请检查网络后重试');
    expect(page.querySelectorAll('#photos >>> .photo--done')).toHaveLength(1);
    expect(page.querySelectorAll('#photos >>> .photo--failed')).toHaveLength(1);
    expect(text(page, '#submit')).toBe('重新提交');
    expect(page.data.form.minutes).toBe('会议记录正文');
    expect(server.sent('POST /api/mp/tasks/7/evidence')).toHaveLength(0);

    dropSecond = false;
    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.result);

    expect(server.upload.mock.calls.map((c) => c[0].filePath)).toEqual(['wxfile://p-001', 'wxfile://p-002', 'wxfile://p-002', 'wxfile://p-003']);
    expect(server.sent('POST /api/mp/tasks/7/evidence')[0].body.photoTokens).toEqual(['tok-p-001', 'tok-p-002', 'tok-p-003']);
    await settle();
  });

  test('a photo that is too large (413) is named; removing it lets the rest go through', async () => {
    const { page } = await open({
      'POST /api/mp/uploads': (req) =>
        req.filePath === 'wxfile://huge1'
          ? { statusCode: 413, data: problem(413, '照片过大', '单张照片不能超过 10 MB', 'upload.too_large') }
          : uploaded(req),
    });
    mockChooseMedia(['wxfile://huge1', 'wxfile://p-002', 'wxfile://p-003']);
    await fire(page, '#minutes-input', 'input', { value: '记录' });
    await fire(page, '#photos >>> #add-photo', 'tap');
    await waitFor(() => page.data.photos.length === 3);

    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.formError && !page.data.submitting);
    expect(text(page, '#form-error')).toBe('第1张照片上传失败：单张照片不能超过 10 MB');

    await fire(page, '#photos >>> .photo__remove', 'tap'); // the first photo
    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.result);
    expect(page.data.result.passed).toBe(true);
    await settle();
  });

  test('a 403 from the Api and a roster that cannot load are both shown', async () => {
    const { page } = await open({
      'GET /api/mp/orgs/301/members': { statusCode: 404, data: problem(404, '未找到', '组织 301 不存在', 'org.not_found') },
      'POST /api/mp/tasks/7/evidence': { statusCode: 403, data: problem(403, '无权访问', '您无权办理该任务', 'auth.forbidden') },
    });
    expect(text(page, '#roster-error')).toBe('党员名单加载失败：组织 301 不存在');

    page.setData({ task: taskDto({ evidenceRule: Object.assign(taskDto().evidenceRule, { attendanceRequired: false, minPhotos: 0 }) }) });
    await fire(page, '#minutes-input', 'input', { value: '记录' });
    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.formError && !page.data.submitting);
    expect(text(page, '#form-error')).toBe('您无权办理该任务');
    await settle();
  });
});
