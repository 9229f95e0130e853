const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, mockChooseMedia, waitFor } = require('../helpers/wx-mock');
const { problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

const SECRETARY = member();
const COMMITTEE = member({ id: 5, name: '陈刚', orgId: 30, roles: [{ role: 'member', orgId: 30 }, { role: 'committee', orgId: 30 }] });
const NOW = new Date('2026-12-07T02:00:00Z');

function next(overrides = {}) {
  return Object.assign(
    { number: 2, name: '党组织派人谈话', recorder: 'branch', earliest: null, earliestRule: null, due: '2026-12-20', dueRule: '收到入党申请书后一个月内派人谈话', limit: null, limitRule: null, daysLeft: 13 },
    overrides
  );
}

function recorded(step, name, occurredOn, warnings = []) {
  return { id: 100 + step, step, name, occurredOn, recordedBy: 'member:11', recordedAt: '2026-12-07T02:00:00+00:00', people: [], vote: null, training: null, conclusion: null, note: null, warnings, photos: [] };
}

function applicantDto(overrides = {}) {
  return Object.assign(
    {
      id: 7, name: '周明轩', sex: 'male', orgId: 301, orgName: '第一支部', stage: 1, stageName: '申请入党', lastStep: 1, lastStepOn: '2026-11-20',
      next: next(), admittedOn: null, probationEndsOn: null, partyStandingOn: null, extensionMonths: 0, memberId: null, status: 'applicant', version: 1,
      steps: null,
    },
    overrides
  );
}

const STEPS = [
  { number: 1, stage: 1, stageName: '申请入党', name: '递交入党申请书', recorder: 'branch', evidence: ['document'] },
  { number: 2, stage: 1, stageName: '申请入党', name: '党组织派人谈话', recorder: 'branch', evidence: [] },
  { number: 8, stage: 3, stageName: '发展对象的确定和考察', name: '报上级党委备案（发展对象）', recorder: 'committee', evidence: [] },
  { number: 9, stage: 3, stageName: '发展对象的确定和考察', name: '确定入党介绍人', recorder: 'branch', evidence: ['introducers'] },
  { number: 15, stage: 4, stageName: '预备党员的接收', name: '支部党员大会讨论', recorder: 'branch', evidence: ['vote'] },
];

describe('pages/development 发展党员', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'], now: NOW }));
  afterEach(() => jest.useRealTimers());

  test("a secretary sees her branch's pipeline with each one's next step and the time left, overdue in red, and opens one", async () => {
    signIn(SECRETARY);
    mockApi({
      'GET /api/mp/development/applicants': {
        data: [
          applicantDto(),
          applicantDto({ id: 8, name: '许静怡', status: 'activist', lastStep: 3, lastStepOn: '2026-09-01', next: next({ number: 4, name: '报上级党委备案（积极分子）', recorder: 'committee', daysLeft: -5, due: '2026-12-02' }) }),
        ],
      },
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/development/index');
    await page.instance.onLoad();

    expect(text(page, '#applicant-7')).toBe('周明轩入党申请人第一支部 · 已完成第 1 步（2026-11-20）下一步：第 2 步 党组织派人谈话剩 13 天（2026-12-20 前）');
    expect(text(page, '#applicant-8 .applicant__left--overdue')).toBe('已逾期 5 天（2026-12-02）');
    expect(text(page, '#applicant-8')).toContain('第 4 步 报上级党委备案（积极分子）（上级党委）');
    expect(page.querySelector('#approvals-link')).toBeUndefined(); // a branch secretary approves nothing
    await fire(page, '#applicant-8', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/development-applicant/index?id=8' });
  });

  test('a plain member is told who may see it', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    mockApi({});
    const page = render('pages/development/index');
    await page.instance.onLoad();
    expect(text(page, '#forbidden')).toBe('只有支部书记、组织委员、社区党委或街道党建办可以查看发展党员工作');
  });
});

describe('pages/development-approvals 待审批', () => {
  test('the community committee sees the approvals waiting with the days left and opens one; a secretary is told who approves', async () => {
    signIn(COMMITTEE);
    mockApi({
      'GET /api/mp/development/approvals': {
        data: [applicantDto({ id: 9, name: '李佳怡', status: 'candidate', lastStep: 7, next: next({ number: 8, name: '报上级党委备案（发展对象）', recorder: 'committee', daysLeft: 20, due: '2026-12-27' }) })],
      },
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    let page = render('pages/development-approvals/index');
    await page.instance.onLoad();
    expect(text(page, '#applicant-9')).toBe('李佳怡发展对象第一支部 · 待办：第 8 步 报上级党委备案（发展对象）（上级党委）剩 20 天（2026-12-27 前）');
    await fire(page, '#applicant-9', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/development-applicant/index?id=9' });

    signIn(SECRETARY);
    mockApi({});
    page = render('pages/development-approvals/index');
    await page.instance.onLoad();
    expect(text(page, '#forbidden')).toBe('只有社区党委或街道党建办审批发展党员');
  });
});

describe('pages/development-applicant 记录一步', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'], now: NOW }));
  afterEach(() => jest.useRealTimers());

  test('the secretary records the talk with a photo from the album; the Api refusing it too early shows the rule', async () => {
    signIn(SECRETARY);
    let version = 1;
    const server = mockApi({
      'GET /api/mp/development/steps': { data: STEPS },
      'GET /api/mp/development/applicants/7': () => ({
        data: version === 1
          ? applicantDto({ steps: [recorded(1, '递交入党申请书', '2026-11-20', [{ severity: 'warn', code: 'development.document_missing', text: '请上传入党申请书的照片' }])] })
          : applicantDto({ lastStep: 2, lastStepOn: '2026-12-05', version: 2, next: next({ number: 3, name: '推荐和确定入党积极分子', earliest: '2027-01-01', earliestRule: '谈话后方可推荐', due: null, dueRule: null, daysLeft: null }), steps: [recorded(1, '递交入党申请书', '2026-11-20'), recorded(2, '党组织派人谈话', '2026-12-05')] }),
      }),
      'POST /api/mp/uploads': (req) => ({ statusCode: 201, data: { token: `t-${req.filePath}`, sha256: 'aa', size: 10, contentType: 'image/jpeg' } }),
      'POST /api/mp/development/applicants/7/steps': (req) => {
        if (req.body.occurredOn === '2026-11-19')
          return { statusCode: 409, data: problem(409, '操作不被允许', '党组织派人谈话不得早于递交入党申请书', 'development.out_of_order') };
        version = 2;
        return { data: applicantDto({ lastStep: 2, version: 2, next: null, steps: [recorded(1, '递交入党申请书', '2026-11-20'), recorded(2, '党组织派人谈话', '2026-12-05')] }) };
      },
    });
    const page = render('pages/development-applicant/index');
    await page.instance.onLoad({ id: '7' });

    expect(text(page, '#done')).toBe('已完成第 1 步（2026-11-20）');
    expect(text(page, '#next')).toBe('第 2 步 党组织派人谈话');
    expect(text(page, '#left')).toBe('剩 13 天（2026-12-20 前）');
    expect(text(page, '#step-101')).toContain('请上传入党申请书的照片');

    await fire(page, '#date-picker', 'change', { value: '2026-11-19' });
    await fire(page, '#record', 'tap');
    await waitFor(() => text(page, '#form-error') === '党组织派人谈话不得早于递交入党申请书');

    mockChooseMedia(['p1']);
    await fire(page, '#photos >>> #add-photo', 'tap');
    await waitFor(() => page.data.photos.length === 1);
    await fire(page, '#date-picker', 'change', { value: '2026-12-05' });
    await fire(page, '#note-input', 'input', { value: ' 书记王芳谈话 ' });
    await fire(page, '#record', 'tap');
    await waitFor(() => text(page, '#done') === '已完成第 2 步（2026-12-05）');

    const sent = server.sent('POST /api/mp/development/applicants/7/steps');
    expect(sent[1].body).toEqual({ step: 2, occurredOn: '2026-12-05', version: 1, people: null, vote: null, training: null, conclusion: null, note: '书记王芳谈话', photoTokens: ['t-p1'] });
    expect(text(page, '#next')).toBe('第 3 步 推荐和确定入党积极分子');
    expect(page.querySelectorAll('.timetable').map((n) => n.dom.textContent.trim())).toEqual(['最早 2027-01-01 起（谈话后方可推荐）']);
  });

  test('the introducers are two full members of the branch, and the meeting records its vote', async () => {
    signIn(SECRETARY);
    const server = mockApi({
      'GET /api/mp/development/steps': { data: STEPS },
      'GET /api/mp/development/applicants/7': { data: applicantDto({ lastStep: 8, status: 'candidate', version: 8, next: next({ number: 9, name: '确定入党介绍人', due: null, dueRule: null, daysLeft: null }), steps: [] }) },
      'GET /api/mp/orgs/301/members': {
        data: [
          { id: 21, name: '赵敏', status: 'full', orgId: 301, roles: ['member'] },
          { id: 22, name: '钱进', status: 'full', orgId: 301, roles: ['member'] },
          { id: 23, name: '孙丽', status: 'probationary', orgId: 301, roles: ['member'] },
        ],
      },
      'POST /api/mp/development/applicants/7/steps': { data: applicantDto({ lastStep: 9, version: 9, next: null, steps: [recorded(9, '确定入党介绍人', '2026-12-07')] }) },
    });
    const page = render('pages/development-applicant/index');
    await page.instance.onLoad({ id: '7' });
    expect(page.data.people.map((p) => p.name)).toEqual(['赵敏', '钱进']); // a probationary member introduces nobody

    await fire(page, '#person-21', 'tap');
    await fire(page, '#record', 'tap');
    expect(text(page, '#form-error')).toBe('请选择两名入党介绍人');
    await fire(page, '#person-22', 'tap');
    await fire(page, '#record', 'tap');
    await waitFor(() => server.sent('GET /api/mp/orgs/301/members').length === 2); // recorded, then reloaded
    expect(server.sent('POST /api/mp/development/applicants/7/steps')[0].body).toEqual({ step: 9, occurredOn: '2026-12-07', version: 8, people: [21, 22], vote: null, training: null, conclusion: null, note: null, photoTokens: null });
  });

  test("a branch secretary cannot record the committee's step; the committee can", async () => {
    const committeeStep = applicantDto({ lastStep: 7, version: 7, next: next({ number: 8, name: '报上级党委备案（发展对象）', recorder: 'committee' }), steps: [] });
    signIn(SECRETARY);
    mockApi({ 'GET /api/mp/development/steps': { data: STEPS }, 'GET /api/mp/development/applicants/7': { data: committeeStep } });
    let page = render('pages/development-applicant/index');
    await page.instance.onLoad({ id: '7' });
    expect(page.querySelector('#record')).toBeUndefined();

    signIn(COMMITTEE);
    mockApi({ 'GET /api/mp/development/steps': { data: STEPS }, 'GET /api/mp/development/applicants/7': { data: committeeStep } });
    page = render('pages/development-applicant/index');
    await page.instance.onLoad({ id: '7' });
    expect(page.querySelector('#record')).toBeDefined();
  });
});

describe('pages/development-me 我的入党进度', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'], now: NOW }));
  afterEach(() => jest.useRealTimers());

  test('the applicant sees her stage, the steps done, what comes next and by when', async () => {
    signIn(null);
    mockApi({
      'GET /api/mp/development/me': {
        data: [applicantDto({ steps: [recorded(1, '递交入党申请书', '2026-11-20')] })],
      },
    });
    const page = render('pages/development-me/index');
    await page.instance.onLoad();
    expect(text(page, '#progress-7 .status')).toBe('入党申请人');
    expect(text(page, '#progress-7 .stage')).toBe('申请入党（第 1/5 阶段）');
    expect(text(page, '#progress-7 .next')).toBe('第 2 步 党组织派人谈话');
    expect(page.querySelectorAll('#progress-7 .timetable').map((n) => n.dom.textContent.trim())).toEqual(['应在 2026-12-20 前完成（收到入党申请书后一个月内派人谈话）']);
    expect(text(page, '#progress-7 .step')).toBe('第 1 步 递交入党申请书2026-11-20');
  });

  test('a probationary member sees when her probation ends; one with no record is told how to apply', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    mockApi({
      'GET /api/mp/development/me': {
        data: [applicantDto({ status: 'probationary', stage: 5, stageName: '预备党员的教育考察和转正', lastStep: 20, admittedOn: '2026-03-10', probationEndsOn: '2027-03-10', memberId: 11, next: next({ number: 21, name: '继续教育考察', due: null, dueRule: null, daysLeft: null }), steps: [] })],
      },
    });
    let page = render('pages/development-me/index');
    await page.instance.onLoad();
    expect(page.querySelectorAll('#progress-7 .date').map((n) => n.dom.textContent.trim())).toEqual(['接收为预备党员：2026-03-10', '预备期满：2027-03-10']);

    mockApi({ 'GET /api/mp/development/me': { data: [] } });
    page = render('pages/development-me/index');
    await page.instance.onLoad();
    expect(text(page, '#empty')).toContain('请向所在党支部递交入党申请书');
    expect(page.querySelector('#apply')).toBeFalsy(); // a member does not apply
  });

  test('a resident with no record applies herself: the form says what is missing, then her progress shows', async () => {
    signIn(null);
    let applied = false;
    const mock = mockApi({
      'GET /api/mp/development/me': () => ({ data: applied ? [applicantDto({ steps: [] })] : [] }),
      'GET /api/mp/development/branches': {
        data: [{ id: 301, name: '第一支部', communityName: '幸福社区党委' }, { id: 40, name: '和平社区党支部', communityName: '和平社区党支部' }],
      },
      'POST /api/mp/development/me': () => {
        applied = true;
        return { statusCode: 201, data: applicantDto({ steps: [] }) };
      },
    });
    const page = render('pages/development-me/index');
    await page.instance.onLoad();
    expect(page.querySelector('#empty')).toBeFalsy();
    expect(page.querySelector('#apply')).toBeTruthy();

    await fire(page, '#name-input', 'input', { value: ' 周明轩 ' });
    await fire(page, '#apply-submit', 'tap');
    expect(text(page, '#form-error')).toBe('请选择性别');
    await fire(page, '#sex-picker', 'change', { value: '1' });
    await fire(page, '#birth-picker', 'change', { value: '1998-04-12' });
    await fire(page, '#apply-submit', 'tap');
    expect(text(page, '#form-error')).toBe('请选择申请加入的党支部');
    await fire(page, '#branch-picker', 'change', { value: '1' });
    expect(text(page, '#branch')).toBe('和平社区党支部'); // a branch that is its own community is named once
    await fire(page, '#branch-picker', 'change', { value: '0' });
    expect(text(page, '#branch')).toBe('幸福社区党委 · 第一支部');
    await fire(page, '#phone-input', 'input', { value: '13900001111' });
    await fire(page, '#apply-submit', 'tap');
    await waitFor(() => page.querySelector('#progress-7'));

    const [post] = mock.sent('POST /api/mp/development/me');
    expect(post.body).toEqual({ orgId: 301, name: '周明轩', sex: 'male', birthDate: '1998-04-12', phone: '13900001111' });
    expect(page.querySelector('#apply')).toBeFalsy();
    expect(text(page, '#progress-7 .status')).toBe('入党申请人');
  });

  test('the API refusing the application (too young) is shown on the form', async () => {
    signIn(null);
    mockApi({
      'GET /api/mp/development/me': { data: [] },
      'GET /api/mp/development/branches': { data: [{ id: 301, name: '第一支部', communityName: '幸福社区党委' }] },
      'POST /api/mp/development/me': { statusCode: 409, data: problem(409, '不符合规定', '年满十八岁方可申请入党（《中国共产党章程》第一条）', 'development.too_young') },
    });
    const page = render('pages/development-me/index');
    await page.instance.onLoad();
    await fire(page, '#name-input', 'input', { value: '李小青' });
    await fire(page, '#sex-picker', 'change', { value: '0' });
    await fire(page, '#birth-picker', 'change', { value: '2010-01-01' });
    await fire(page, '#branch-picker', 'change', { value: '0' });
    await fire(page, '#apply-submit', 'tap');
    await waitFor(() => page.querySelector('#form-error'));
    expect(text(page, '#form-error')).toContain('年满十八岁方可申请入党');
  });
});
