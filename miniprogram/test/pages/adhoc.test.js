const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor } = require('../helpers/wx-mock');
const { adhocTaskDto, orgTree, problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

const STAFF = member({ id: 2, name: '刘敏', orgId: 1, roles: [{ role: 'staff', orgId: 1 }] });
const COMMITTEE = member({ id: 5, name: '陈刚', orgId: 30, roles: [{ role: 'member', orgId: 30 }, { role: 'committee', orgId: 30 }] });

describe('pages/adhoc 临时任务', () => {
  test('lists what was issued, newest first as the Api gives it, and leads to issuing and to one task', async () => {
    signIn(STAFF);
    mockApi({
      'GET /api/mp/adhoc-tasks': {
        data: [
          adhocTaskDto({ targets: [], stateCounts: {} }),
          adhocTaskDto({ id: 2, title: '党员信息核对', targets: [], stateCounts: {}, cancelled: true, cancelledAt: '2026-11-10T02:00:00+00:00', cancelReason: '重复下发' }),
        ],
      },
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/adhoc/index');
    await page.instance.onLoad();

    expect(text(page, '#adhoc-3')).toBe('防汛安全排查截止 2026-11-25 · 5 分 · 下发 2 个组织');
    expect(text(page, '#adhoc-2')).toContain('已撤销');
    await fire(page, '#adhoc-3', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/adhoc-task/index?id=3' });
    await fire(page, '#new', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/adhoc-new/index' });
  });

  test('a secretary is told who may issue; an Api refusal is shown', async () => {
    signIn();
    mockApi({});
    let page = render('pages/adhoc/index');
    await page.instance.onLoad();
    expect(text(page, '#forbidden')).toBe('只有街道党建办或社区党委可以下发临时任务');

    signIn(COMMITTEE);
    mockApi({ 'GET /api/mp/adhoc-tasks': { statusCode: 403, data: problem(403, '无权访问', '只有街道党建办或社区党委可以查看临时任务', 'auth.forbidden') } });
    page = render('pages/adhoc/index');
    await page.instance.onLoad();
    expect(text(page, '#error')).toBe('只有街道党建办或社区党委可以查看临时任务');
  });
});

describe('pages/adhoc-new 下发临时任务', () => {
  afterEach(() => jest.useRealTimers());

  async function open(who, routes) {
    signIn(who);
    const server = mockApi(Object.assign({ 'GET /api/orgs/1/tree': { data: orgTree() } }, routes));
    const page = render('pages/adhoc-new/index');
    await page.instance.onLoad();
    return { page, server };
  }

  test('staff fill the form, pick orgs from the tree, and the task goes to POST adhoc-tasks; then it opens', async () => {
    jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'], now: new Date('2026-11-18T02:00:00Z') });
    const { page, server } = await open(STAFF, { 'POST /api/mp/adhoc-tasks': { statusCode: 201, data: adhocTaskDto() } });
    const redirect = jest.spyOn(wx, 'redirectTo');

    // The tree opens at the issuer's org; communities fold out to their branches.
    const shown = () => page.querySelectorAll('.org .org__pick').map((n) => n.dom.textContent.trim());
    expect(shown()).toEqual(['东风路街道党工委街道党工委', '东风路第三社区社区党委', '东风路第一社区社区党委']);
    await fire(page, '#org-30 .org__open', 'tap');
    expect(page.data.rows.map((r) => r.id)).toEqual([1, 30, 301, 302, 31]);
    expect(shown()[2]).toBe('第一支部党支部');
    expect(text(page, '#org-30 .org__open')).toBe('收起');

    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('请填写任务标题');
    await fire(page, '#title-input', 'input', { value: ' 防汛安全排查 ' });
    await fire(page, '#description-input', 'input', { value: '逐楼排查地下室和低洼处，登记隐患。' });
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('请选择截止日期');
    await fire(page, '#due-picker', 'change', { value: '2026-11-17' });
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('截止日期不能早于今天');
    await fire(page, '#due-picker', 'change', { value: '2026-11-25' });
    await fire(page, '#points-input', 'input', { value: '120' });
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('分值应大于0且不超过100分');
    await fire(page, '#points-input', 'input', { value: '5' });
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('请选择下发的组织');

    await fire(page, '#photos-plus', 'tap'); // 3
    await fire(page, '#photos-minus', 'tap'); // 2
    await fire(page, '#photos-minus', 'tap'); // 1
    await fire(page, '#attendance-switch', 'change', { value: true });
    await fire(page, '#place-switch', 'change', { value: false });
    await fire(page, '#org-302 .org__pick', 'tap');
    await fire(page, '#org-31 .org__pick', 'tap');
    await fire(page, '#org-1 .org__pick', 'tap');
    await fire(page, '#org-1 .org__pick', 'tap'); // picked and unpicked
    expect(text(page, '#selected')).toBe('已选：第二支部、东风路第一社区');
    await fire(page, '#save', 'tap');
    await waitFor(() => redirect.mock.calls.length === 1);

    expect(server.sent('POST /api/mp/adhoc-tasks')[0].body).toEqual({
      title: '防汛安全排查',
      description: '逐楼排查地下室和低洼处，登记隐患。',
      dueOn: '2026-11-25',
      points: 5,
      lateDeduction: null,
      overdueDeduction: null,
      minPhotos: 1,
      attendanceRequired: true,
      minutesRequired: true,
      placeRequired: false,
      topicRequired: false,
      orgIds: [302, 31],
      target: 'branches',
    });
    expect(redirect).toHaveBeenCalledWith({ url: '/pages/adhoc-task/index?id=3' });
  });

  test('a committee picks within its community, may send to exactly those orgs, and sees the Api’s refusal', async () => {
    signIn(COMMITTEE);
    const community = orgTree().children[0];
    const server = mockApi({
      'GET /api/orgs/30/tree': { data: community },
      'POST /api/mp/adhoc-tasks': { statusCode: 403, data: problem(403, '无权访问', '您无权向“东风路第一社区”下发任务', 'auth.forbidden') },
    });
    const page = render('pages/adhoc-new/index');
    await page.instance.onLoad();
    expect(page.data.rows.map((r) => r.id)).toEqual([30, 301, 302]);
    expect(page.querySelectorAll('.org')).toHaveLength(3);

    page.setData({ 'form.title': '入户走访', 'form.dueOn': '2099-01-10', 'form.description': '' });
    await fire(page, '#target-orgs', 'tap');
    await fire(page, '#org-30 .org__pick', 'tap');
    await fire(page, '#save', 'tap');
    await waitFor(() => page.data.formError);
    const body = server.sent('POST /api/mp/adhoc-tasks')[0].body;
    expect([body.target, body.orgIds, body.description]).toEqual(['orgs', [30], null]);
    expect(text(page, '#form-error')).toBe('您无权向“东风路第一社区”下发任务');
    expect(page.data.form.title).toBe('入户走访');
  });

  test('a member cannot issue, and a tree that will not load is said', async () => {
    signIn();
    mockApi({});
    let page = render('pages/adhoc-new/index');
    await page.instance.onLoad();
    expect(text(page, '#forbidden')).toBe('只有街道党建办或社区党委可以下发临时任务');

    signIn(STAFF);
    mockApi({ 'GET /api/orgs/1/tree': 'network' });
    page = render('pages/adhoc-new/index');
    await page.instance.onLoad();
    expect(text(page, '#error')).toBe('组织列表加载失败：网络连接失败，请检查网络后重试');
  });
});

describe('pages/adhoc-task 临时任务详情', () => {
  test('shows the task and every org’s copy; cancelling needs a reason and closes it', async () => {
    signIn(STAFF);
    const cancelled = adhocTaskDto({
      cancelled: true,
      cancelledAt: '2026-11-20T02:00:00+00:00',
      cancelReason: '与区里的排查重复',
      stateCounts: { cancelled: 2 },
      targets: [
        { taskId: 71, orgId: 301, orgName: '第一支部', state: 'cancelled' },
        { taskId: 72, orgId: 302, orgName: '第二支部', state: 'cancelled' },
      ],
    });
    const server = mockApi({ 'GET /api/mp/adhoc-tasks/3': { data: adhocTaskDto() }, 'POST /api/mp/adhoc-tasks/3/cancel': { data: cancelled } });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/adhoc-task/index');
    await page.instance.onLoad({ id: '3' });

    expect(text(page, '#title')).toBe('防汛安全排查');
    expect(text(page, '#due')).toBe('2026-11-25');
    expect(text(page, '#rule')).toBe('至少 2 张照片；需工作记录；需填写地点');
    expect(text(page, '#counts')).toBe('：待办 1 · 已完成 1');
    expect(text(page, '#target-72')).toBe('第二支部已完成');
    await fire(page, '#target-71', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/task/index?id=71' });

    await fire(page, '#cancel', 'tap');
    await fire(page, '#confirm-cancel', 'tap');
    expect(text(page, '#cancel-error')).toBe('撤销任务须填写原因');
    expect(server.sent('POST /api/mp/adhoc-tasks/3/cancel')).toHaveLength(0);
    await fire(page, '#reason-input', 'input', { value: ' 与区里的排查重复 ' });
    await fire(page, '#confirm-cancel', 'tap');
    await waitFor(() => page.data.notice);

    expect(server.sent('POST /api/mp/adhoc-tasks/3/cancel')[0].body).toEqual({ reason: '与区里的排查重复' });
    expect(text(page, '#notice')).toBe('已撤销，2 个组织的任务已关闭，不再计分');
    expect(text(page, '#cancelled')).toBe('已撤销（2026-11-20 10:00）：与区里的排查重复');
    expect(text(page, '#target-71')).toBe('第一支部已撤销');
    expect(text(page, '#cancel')).toBeNull();
    expect(text(page, '#cancel-form')).toBeNull();
  });

  test('a second cancel (409) is shown with the reason kept; a task out of my scope says so', async () => {
    signIn(COMMITTEE);
    mockApi({
      'GET /api/mp/adhoc-tasks/3': { data: adhocTaskDto() },
      'POST /api/mp/adhoc-tasks/3/cancel': { statusCode: 409, data: problem(409, '操作不被允许', '该临时任务已撤销', 'adhoc.already_cancelled') },
      'GET /api/mp/adhoc-tasks/4': { statusCode: 403, data: problem(403, '无权访问', '您无权查看该临时任务', 'auth.forbidden') },
    });
    let page = render('pages/adhoc-task/index');
    await page.instance.onLoad({ id: '3' });
    await fire(page, '#cancel', 'tap');
    await fire(page, '#reason-input', 'input', { value: '重复' });
    await fire(page, '#confirm-cancel', 'tap');
    await waitFor(() => page.data.cancelError);
    expect(text(page, '#cancel-error')).toBe('该临时任务已撤销');
    expect(page.data.reason).toBe('重复');

    await fire(page, '#stop-cancel', 'tap');
    expect(text(page, '#cancel-form')).toBeNull();

    page = render('pages/adhoc-task/index');
    await page.instance.onLoad({ id: '4' });
    expect(text(page, '#error')).toBe('您无权查看该临时任务');
    expect(text(page, '#title')).toBeNull();
  });
});
