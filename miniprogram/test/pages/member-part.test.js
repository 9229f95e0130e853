const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor } = require('../helpers/wx-mock');
const { problem, taskDto, orgDto, starsDto } = require('../helpers/fixtures');

async function tap(page, selector) {
  page.querySelector(selector).dispatchEvent('tap', {});
  await simulate.sleep(0);
}

// Payloads shaped like the Api's MemberYearRecord, CheckupDto, BranchAppraisal and OrgStars (checked against the contract).
function recordDto(overrides = {}) {
  return Object.assign(
    {
      memberId: 11, name: '王芳', orgId: 301, orgName: '第一支部', year: 2026,
      meetings: { attended: 2, onLeave: 1, missed: 1 },
      meetingList: [{ taskId: 7, task: '主题党日', heldAt: '2026-11-20T06:00:00+00:00', presence: 'attended', presenceLabel: '出席' }],
      dues: null, pointsTotal: 3,
      bySource: [{ source: 'task.attendance', sourceLabel: '参加组织生活', points: 1, entries: 1 }, { source: 'wish.lit', sourceLabel: '认领微心愿', points: 2, entries: 1 }],
      points: [
        { id: 1, at: '2026-11-20T08:00:00+00:00', points: 1, source: 'task.attendance', sourceLabel: '参加组织生活', reason: '出席主题党日', task: '主题党日' },
        { id: 2, at: '2026-11-25T08:00:00+00:00', points: 2, source: 'wish.lit', sourceLabel: '认领微心愿', reason: '点亮微心愿：为独居老人送餐', task: null },
      ],
      stars: 1, starsPoints: 3, grade: null, thresholds: [4, 10, 18, 28], advice: '再得 1 分可升一星',
      months: [{ period: '2026-11', periodLabel: '2026年11月', stars: 1, pointsYear: 3, provisional: true }],
      sms: { optedOut: false, optedOutAt: null, label: '接收短信提醒（微信收不到时）' },
    },
    overrides
  );
}

function checkupDto(overrides = {}) {
  return Object.assign(
    {
      year: 2026, memberId: 11, memberName: '王芳',
      items: [{ id: 1, section: '理想信念', text: '坚定理想信念', weight: 3 }, { id: 2, section: '政治纪律', text: '严守政治纪律', weight: 2 }],
      self: null, selfAt: null, branch: null, branchAt: null, score: null, grade: null, gradeLabel: null, toImprove: [], mayAssessAsBranch: false,
    },
    overrides
  );
}

describe('pages/record 我的档案', () => {
  test('lists meetings, dues, every point with its source and reason, the stars by month and what would raise them', async () => {
    signIn();
    const server = mockApi({ 'GET /api/mp/me/record': { data: recordDto() } });
    const page = render('pages/record/index');
    await page.instance.onLoad({});

    expect(server.sent('GET /api/mp/me/record')).toHaveLength(1);
    expect(text(page, '#meetings')).toBe('出席 2 · 请假 1 · 缺席 1');
    expect(text(page, '#total')).toBe('3');
    expect(text(page, '#advice')).toBe('再得 1 分可升一星');
    expect(text(page, '#dues')).toBe('暂无党费记录');
    expect(page.querySelectorAll('.entry')).toHaveLength(2);
    expect(text(page, '#reason-2')).toBe('点亮微心愿：为独居老人送餐');
    expect(page.querySelectorAll('.month')).toHaveLength(1);
    expect(text(page, '#sms')).toBe('接收短信提醒（微信收不到时）');
  });

  test('a member whose number replied TD sees it on her record', async () => {
    signIn();
    mockApi({ 'GET /api/mp/me/record': { data: recordDto({ sms: { optedOut: true, optedOutAt: '2026-12-01T02:00:00+00:00',
      label: '2026-12-01 回复「TD」退订：非紧急提醒不再发短信' } }) } });
    const page = render('pages/record/index');
    await page.instance.onLoad({});

    expect(text(page, '#sms')).toBe('2026-12-01 回复「TD」退订：非紧急提醒不再发短信');
  });

  test('a secretary reads a member of her branch; anyone else is told why not', async () => {
    signIn(member({ roles: [{ role: 'secretary', orgId: 301 }] }));
    const server = mockApi({
      'GET /api/mp/members/12/record': { data: recordDto({ memberId: 12, name: '李强' }) },
      'GET /api/mp/members/13/record': { statusCode: 403, data: problem(403, '无权访问', '党员档案仅本人和所在支部书记可以查看', 'auth.forbidden') },
    });
    const page = render('pages/record/index');
    await page.instance.onLoad({ memberId: '12' });
    expect(text(page, '#name')).toBe('李强');
    expect(text(page, '#checkup-link')).toBeNull();

    const other = render('pages/record/index');
    await other.instance.onLoad({ memberId: '13' });
    expect(text(other, '#error')).toBe('党员档案仅本人和所在支部书记可以查看');
    expect(server.sent('GET /api/mp/members/13/record')).toHaveLength(1);
  });
});

describe('pages/checkup 党性体检', () => {
  test('a member rates every item, is told to finish first, and sees the grade and the items to improve', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/checkups/me': { data: checkupDto() },
      'PUT /api/mp/checkups/me': {
        data: checkupDto({ self: [{ itemId: 1, rating: 5 }, { itemId: 2, rating: 3 }], branch: [{ itemId: 1, rating: 5 }, { itemId: 2, rating: 4 }],
          score: 86.5, grade: 'fair', gradeLabel: '较好', toImprove: [{ id: 2, section: '政治纪律', text: '严守政治纪律', weight: 2 }] }),
      },
    });
    const page = render('pages/checkup/index');
    await page.instance.onLoad({});

    await tap(page, '#submit');
    expect(text(page, '#form-error')).toBe('请为每道题打分');
    await tap(page, '#rate-1-5');
    page.instance.onRate({ currentTarget: { dataset: { item: 2, rating: 3 } } });
    await tap(page, '#submit');
    await waitFor(() => page.data.notice);

    expect(server.sent('PUT /api/mp/checkups/me')[0].body).toEqual({ ratings: [{ itemId: 1, rating: 5 }, { itemId: 2, rating: 3 }] });
    expect(text(page, '#grade')).toBe('较好（86.5 分）');
    expect(text(page, '.improve')).toBe('需改进：严守政治纪律');
  });
});

describe('pages/appraisals 民主评议 and pages/stars 星级党员', () => {
  test('the secretary grades a member and closes a follow-up; a branch lists its stars', async () => {
    signIn(member({ roles: [{ role: 'secretary', orgId: 301 }] }));
    const branch = {
      orgId: 301, orgName: '第一支部', year: 2026, orgLifeHeld: true, maxExcellent: 1,
      members: [{ memberId: 11, name: '王芳', status: 'full', grade: null }, { memberId: 12, name: '李强', status: 'probationary', grade: null }],
      followUps: [{ id: 5, year: 2026, memberId: 13, memberName: '赵六', orgId: 301, openedAt: '2026-12-01T02:00:00+00:00', dueOn: '2026-12-31',
        talkedOn: null, plan: null, closedAt: null }],
    };
    const server = mockApi({
      'GET /api/mp/appraisals/301': { data: branch },
      'PUT /api/mp/appraisals/301': { data: Object.assign({}, branch, { members: [Object.assign({}, branch.members[0], { grade: 'excellent' }), branch.members[1]] }) },
      'PUT /api/mp/appraisals/follow-ups/5': { data: Object.assign({}, branch.followUps[0], { talkedOn: '2026-12-05', plan: '按月汇报', closedAt: '2026-12-06T02:00:00+00:00' }) },
      'GET /api/mp/stars/301': {
        data: { orgId: 301, orgName: '第一支部', year: 2026, period: '2026-12', periodLabel: '2026年12月', provisional: true,
          members: [{ memberId: 11, name: '王芳', orgId: 301, orgName: '第一支部', stars: 4, pointsYear: 19, grade: 'excellent' }] },
      },
    });
    const page = render('pages/appraisals/index');
    await page.instance.onLoad({ orgId: '301' });
    expect(text(page, '#rule')).toBe('组织生活会已召开，可录入等次；优秀至多 1 名，预备党员参加评议不评定等次');

    page.instance.onGrade({ currentTarget: { dataset: { member: 11 } }, detail: { value: '0' } });
    await tap(page, '#save');
    await waitFor(() => page.data.notice);
    expect(server.sent('PUT /api/mp/appraisals/301')[0].body).toEqual({ grades: [{ memberId: 11, grade: 'excellent' }] });

    page.instance.onTalked({ currentTarget: { dataset: { id: 5 } }, detail: { value: '2026-12-05' } });
    page.instance.onPlan({ currentTarget: { dataset: { id: 5 } }, detail: { value: '按月汇报' } });
    await page.instance.onCloseFollowUp({ currentTarget: { dataset: { id: 5 } } });
    expect(server.sent('PUT /api/mp/appraisals/follow-ups/5')[0].body).toEqual({ talkedOn: '2026-12-05', plan: '按月汇报', close: true });

    const stars = render('pages/stars/index');
    await stars.instance.onLoad({ orgId: '301' });
    expect(text(stars, '#status')).toBe('截至2026年12月，暂计');
    expect(text(stars, '#member-11')).toContain('王芳（优秀）');
  });
});

describe('pages/branch-checkups 支部党性体检', () => {
  test("the secretary sees where each member stands and opens one's assessment or record", async () => {
    signIn(member({ roles: [{ role: 'secretary', orgId: 301 }] }));
    const server = mockApi({
      'GET /api/mp/checkups/branches/301': {
        data: [
          { memberId: 11, name: '王芳', selfDone: true, branchDone: true, score: 86.5, gradeLabel: '较好' },
          { memberId: 12, name: '李强', selfDone: true, branchDone: false, score: null, gradeLabel: null },
          { memberId: 13, name: '赵六', selfDone: false, branchDone: false, score: null, gradeLabel: null },
        ],
      },
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/branch-checkups/index');
    await page.instance.onLoad({ orgId: '301' });

    expect(server.sent('GET /api/mp/checkups/branches/301')).toHaveLength(1);
    expect(text(page, '#summary')).toBe('自评 2/3 · 支部评价 1/3');
    expect(text(page, '#member-11')).toContain('较好（86.5 分）');
    expect(text(page, '#member-12')).toContain('待支部评价');
    expect(text(page, '#member-13')).toContain('未自评');
    await tap(page, '#assess-12');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/pages/checkup/index?memberId=12' });
    await tap(page, '#record-13');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/pages/record/index?memberId=13' });
  });

  test('anyone but the branch secretary is told why not', async () => {
    signIn();
    mockApi({ 'GET /api/mp/checkups/branches/301': { statusCode: 403, data: problem(403, '无权访问', '支部的党性体检情况仅本支部书记可以查看', 'auth.forbidden') } });
    const page = render('pages/branch-checkups/index');
    await page.instance.onLoad({ orgId: '301' });
    expect(text(page, '#error')).toBe('支部的党性体检情况仅本支部书记可以查看');
  });
});

describe('pages/task 组织生活会 and pages/me 我的: where the members\' own part is reached', () => {
  test('a 组织生活会 lists the items its members\' check-ups most often have to improve (counts, no names)', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/tasks/7': { data: taskDto({ templateCode: 'org_life_meeting', name: '组织生活会', periodKey: '2026' }) },
      'GET /api/mp/checkups/topics': {
        data: { taskId: 7, year: 2026, topics: [{ section: '政治纪律', text: '严守政治纪律', members: 3 }, { section: '发挥作用', text: '带头认领微心愿', members: 1 }] },
      },
    });
    const page = render('pages/task/index');
    await page.instance.onLoad({ id: '7' });
    await waitFor(() => page.data.topics.length);

    expect(server.sent('GET /api/mp/checkups/topics')[0].query).toBe('task=7');
    expect(text(page, '#checkup-topics')).toBe('政治纪律：严守政治纪律（3 人）发挥作用：带头认领微心愿（1 人）');
  });

  test('a secretary reaches her record, the branch\'s stars, its 民主评议 and its 党性体检; a member her record and the stars', async () => {
    const secretary = member({ roles: [{ role: 'secretary', orgId: 301 }, { role: 'member', orgId: 301 }] });
    signIn(secretary);
    mockApi({
      'GET /api/mp/me': { data: { wechatUserId: 9, member: secretary } },
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/mp/me/stars': { data: starsDto() },
      'GET /api/mp/subscriptions': { data: { templates: [] } },
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/me/index');
    await page.instance.onLoad();
    await waitFor(() => page.data.member);
    for (const id of ['#record-link', '#stars-link', '#appraisals-link', '#branch-checkups-link']) expect(text(page, id)).not.toBeNull();
    await tap(page, '#branch-checkups-link');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/pages/branch-checkups/index?orgId=301' });
    await tap(page, '#record-link');
    expect(navigate).toHaveBeenLastCalledWith({ url: '/pages/record/index' });

    const plainMember = member({ id: 12, name: '李强', roles: [{ role: 'member', orgId: 301 }] });
    signIn(plainMember);
    mockApi({
      'GET /api/mp/me': { data: { wechatUserId: 9, member: plainMember } },
      'GET /api/orgs/301': { data: orgDto() },
      'GET /api/mp/me/stars': { data: starsDto() },
      'GET /api/mp/subscriptions': { data: { templates: [] } },
    });
    const plain = render('pages/me/index');
    await plain.instance.onLoad();
    await waitFor(() => plain.data.member);
    expect(text(plain, '#stars-link')).not.toBeNull();
    expect(text(plain, '#appraisals-link')).toBeNull();
    expect(text(plain, '#branch-checkups-link')).toBeNull();
  });
});
