const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member } = require('../helpers/wx-mock');
const { problem } = require('../helpers/fixtures');
const money = require('../../utils/money');

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

function month(key, state, extra = {}) {
  return Object.assign({ month: key, amountFen: 4500, paidFen: state === 'paid' ? 4500 : 0, state, note: null, reason: null, due: key <= '2026-11', settledAt: null }, extra);
}

function myDues(overrides = {}) {
  return Object.assign(
    {
      memberId: 11,
      name: '王芳',
      branchName: '第一党支部',
      year: 2026,
      category: 'employed',
      baseFen: 450000,
      monthlyFen: 4500,
      explanation: '在职党员，月工资收入（税后）4,500.00元，属3000元以上至5000元（含）档，按1%交纳，每月45.00元',
      months: [month('2026-08', 'paid'), month('2026-09', 'owed'), month('2026-10', 'owed'), month('2026-11', 'owed')],
      owed: ['2026-09', '2026-10', '2026-11'],
      owedFen: 13500,
      payable: ['2026-09', '2026-10', '2026-11', '2026-12'],
    },
    overrides
  );
}

const PAY = { timeStamp: '1764032400', nonceStr: 'n0nce', package: 'prepay_id=wx2511', signType: 'RSA', paySign: 'c2ln', outTradeNo: 'DUES20261125001' };

describe('utils/money', () => {
  test('fen become yuan and typed yuan become fen without floating point', () => {
    expect([0, 20, 4512, 123405, -310].map(money.yuan)).toEqual(['0.00', '0.20', '45.12', '1234.05', '-3.10']);
    expect(['45.12', '0.2', '3', ' 10.05 ', '1.234', 'abc', ''].map(money.fen)).toEqual([4512, 20, 300, 1005, null, null, null]);
  });
});

describe('pages/dues 我的党费', () => {
  test('shows the amount, how it was worked out and the months, and pays the owed months through wx.requestPayment', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    const server = mockApi({
      'GET /api/mp/dues/mine/declarations': { data: [] },
      'GET /api/mp/dues/mine': { data: myDues() },
      'POST /api/mp/dues/pay': { data: PAY },
    });
    const pay = jest.spyOn(wx, 'requestPayment').mockImplementation((opts) => setTimeout(() => opts.success({ errMsg: 'requestPayment:ok' }), 0));
    const page = render('pages/dues/index');
    await page.instance.onLoad();

    expect(text(page, '#monthly')).toBe('45.00 元');
    expect(text(page, '#explanation')).toContain('按1%交纳，每月45.00元');
    expect(text(page, '#owed')).toBe('欠交 3 个月，共 135.00 元');
    expect(text(page, '#month-2026-08')).toContain('已交');
    expect(text(page, '#month-2026-09')).toContain('欠交');
    expect(text(page, '#pay-months')).toBe('9月至11月');

    await fire(page, '#more', 'tap'); // ahead to December
    expect(text(page, '#pay-months')).toBe('9月至12月');
    await fire(page, '#less', 'tap');
    await page.instance.onPay();

    expect(server.sent('POST /api/mp/dues/pay')[0].body).toEqual({ months: ['2026-09', '2026-10', '2026-11'], voluntaryFen: 0 });
    expect(pay).toHaveBeenCalledWith(expect.objectContaining({ package: 'prepay_id=wx2511', paySign: 'c2ln', signType: 'RSA' }));
    expect(text(page, '#message')).toBe('支付成功，党费到账可能稍有延迟');
    expect(server.sent('GET /api/mp/dues/mine')).toHaveLength(2);
  });

  test('adds a voluntary amount (自愿多交) to the order; a typed amount that is not money is refused before any order', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    const server = mockApi({
      'GET /api/mp/dues/mine/declarations': { data: [] },
      'GET /api/mp/dues/mine': { data: myDues() },
      'POST /api/mp/dues/pay': { data: PAY },
    });
    jest.spyOn(wx, 'requestPayment').mockImplementation((opts) => setTimeout(() => opts.success({ errMsg: 'requestPayment:ok' }), 0));
    const page = render('pages/dues/index');
    await page.instance.onLoad();

    await fire(page, '#voluntary', 'input', { value: '1.234' });
    await page.instance.onPay();
    expect(text(page, '#error')).toBe('请填写自愿多交的金额（元，最多两位小数）');
    expect(server.sent('POST /api/mp/dues/pay')).toHaveLength(0);

    await fire(page, '#voluntary', 'input', { value: '1000' });
    await page.instance.onPay();
    expect(server.sent('POST /api/mp/dues/pay')[0].body).toEqual({ months: ['2026-09', '2026-10', '2026-11'], voluntaryFen: 100000 });
    expect(text(page, '#message')).toBe('支付成功，党费到账可能稍有延迟');
  });

  test('a cancelled payment and an Api refusal are told; a member without a base reads why', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    mockApi({
      'GET /api/mp/dues/mine/declarations': { data: [] },
      'GET /api/mp/dues/mine': { data: myDues() },
      'POST /api/mp/dues/pay': { data: PAY },
    });
    jest.spyOn(wx, 'requestPayment').mockImplementation((opts) => setTimeout(() => opts.fail({ errMsg: 'requestPayment:fail cancel' }), 0));
    let page = render('pages/dues/index');
    await page.instance.onLoad();
    await page.instance.onPay();
    expect(text(page, '#error')).toBe('已取消支付');

    mockApi({
      'GET /api/mp/dues/mine/declarations': { data: [] },
      'GET /api/mp/dues/mine': {
        data: myDues({ category: null, baseFen: null, monthlyFen: null, explanation: '支部尚未核定您本年度的党费交纳基数，请联系支部党务工作者', months: [], owed: [], owedFen: 0, payable: [] }),
      },
    });
    page = render('pages/dues/index');
    await page.instance.onLoad();
    expect(text(page, '#monthly')).toBe('未核定');
    expect(text(page, '#owed')).toBe('没有欠交的党费');
    expect(page.querySelector('#pay')).toBeFalsy();
  });
});

function branchDues(overrides = {}) {
  return Object.assign(
    {
      orgId: 301,
      orgName: '第一党支部',
      year: 2026,
      currentMonth: '2026-11',
      members: [
        { memberId: 11, name: '王芳', status: 'full', category: 'employed', baseFen: 450000, monthlyFen: 4500, explanation: '…', months: [month('2026-11', 'paid')], owedMonths: 0, owedFen: 0 },
        { memberId: 12, name: '张伟', status: 'full', category: 'retired', baseFen: 300000, monthlyFen: 1500, explanation: '…', months: [month('2026-10', 'owed', { amountFen: 1500 }), month('2026-11', 'owed', { amountFen: 1500 })], owedMonths: 2, owedFen: 3000 },
        { memberId: 13, name: '李娜', status: 'probationary', category: null, baseFen: null, monthlyFen: null, explanation: null, months: [], owedMonths: 0, owedFen: 0 },
      ],
      ledger: [
        { id: 7, orgId: 301, kind: 'collected', via: 'wechat', amountFen: 4500, memberId: 11, memberName: '王芳', months: '2026-11', reference: 'DUES20261125001', recordedBy: 'member:11', occurredAt: '2026-11-25T01:00:00', voluntaryFen: 0, voluntaryKind: null, voluntaryLabel: null },
      ],
      collectedFen: 4500,
      handedUpFen: 0,
      balanceFen: 4500,
      currentSettled: 1,
      currentAll: 2,
      publishedAt: null,
      voluntaryFen: 0,
      forwardInFullFen: 0,
    },
    overrides
  );
}

describe('pages/dues-branch 支部党费台账', () => {
  const WORKER = member({ id: 21, name: '赵磊', orgId: 301, roles: [{ role: 'worker', orgId: 301 }] });

  test('shows the balance and arrears and records a cash payment with its receipt number for the owed months', async () => {
    signIn(WORKER);
    const server = mockApi({
      'GET /api/mp/dues/branches/301/declarations': { data: [] },
      'GET /api/mp/dues/branches/301': { data: branchDues() },
      'POST /api/mp/dues/members/12/cash': { statusCode: 204 },
    });
    const page = render('pages/dues-branch/index');
    await page.instance.onLoad({});

    expect(text(page, '#balance')).toBe('45.00 元');
    expect(text(page, '#progress')).toBe('2026-11 已结清 1/2 人');
    expect(text(page, '#arrears-12')).toBe('张伟 欠交 2 个月，30.00 元');
    expect(text(page, '#member-13')).toContain('未核定');
    expect(text(page, '#line-7')).toContain('微信支付 王芳 45.00 元');

    await fire(page, '#cash-member', 'change', { value: 1 });
    await fire(page, '#cash-receipt', 'input', { value: 'SJ-0001' });
    await page.instance.onCash();
    expect(server.sent('POST /api/mp/dues/members/12/cash')[0].body).toEqual({ months: ['2026-10', '2026-11'], amountFen: 3000, receiptNo: 'SJ-0001', voluntaryFen: 0 });
    expect(text(page, '#message')).toBe('已登记张伟的党费');
  });

  test('records a cash payment with a voluntary part (自愿多交) and shows a large one is to go up in full', async () => {
    signIn(WORKER);
    const line = { id: 8, orgId: 301, kind: 'collected', via: 'wechat', amountFen: 104500, voluntaryFen: 100000, voluntaryKind: 'forward_in_full',
      voluntaryLabel: '自愿多交党费1,000.00元（单笔1000元以上，全额上缴中央）', memberId: 11, memberName: '王芳', months: '2026-11',
      reference: 'DUES20261125002', recordedBy: 'member:11', occurredAt: '2026-11-25T01:00:00' };
    const server = mockApi({
      'GET /api/mp/dues/branches/301/declarations': { data: [] },
      'GET /api/mp/dues/branches/301': { data: branchDues({ ledger: [line], voluntaryFen: 100000, forwardInFullFen: 100000 }) },
      'POST /api/mp/dues/members/12/cash': { statusCode: 204 },
    });
    const page = render('pages/dues-branch/index');
    await page.instance.onLoad({});

    expect(text(page, '#line-8')).toContain('（其中自愿多交党费1,000.00元（单笔1000元以上，全额上缴中央））');
    expect(text(page, '#forward')).toBe('其中 1000.00 元为单笔1000元以上的自愿多交，须全额上缴中央');

    await fire(page, '#cash-member', 'change', { value: 1 });
    await fire(page, '#cash-receipt', 'input', { value: 'SJ-0003' });
    await fire(page, '#cash-voluntary', 'input', { value: '50' });
    await page.instance.onCash();
    expect(server.sent('POST /api/mp/dues/members/12/cash')[0].body).toEqual({ months: ['2026-10', '2026-11'], amountFen: 3000, receiptNo: 'SJ-0003', voluntaryFen: 5000 });
  });

  test("a farmer's base is the province's monthly amount in yuan", async () => {
    signIn(WORKER);
    const server = mockApi({
      'GET /api/mp/dues/branches/301/declarations': { data: [] },
      'GET /api/mp/dues/branches/301': { data: branchDues() },
      'PUT /api/mp/dues/members/13/base': { data: { monthlyFen: 50, standardFen: 50, explanation: '农民党员按省级党委规定（每月0.20元至1.00元）每月交纳0.50元' } },
    });
    const page = render('pages/dues-branch/index');
    await page.instance.onLoad({});
    await fire(page, '#base-member', 'change', { value: 2 });
    await fire(page, '#base-category', 'change', { value: 5 });
    await fire(page, '#base-amount', 'input', { value: '0.5' });
    await page.instance.onBase();
    expect(server.sent('PUT /api/mp/dues/members/13/base')[0].body).toEqual({ year: 2026, category: 'farmer', baseFen: 50, specialFen: null, specialReason: null });
    expect(text(page, '#message')).toContain('每月交纳0.50元');
  });

  test('sets a base and records a hand-up; a refusal is shown; a plain member is told who may keep the ledger', async () => {
    signIn(WORKER);
    const server = mockApi({
      'GET /api/mp/dues/branches/301/declarations': { data: [] },
      'GET /api/mp/dues/branches/301': { data: branchDues() },
      'PUT /api/mp/dues/members/13/base': { data: { monthlyFen: 1500, standardFen: 1500, explanation: '在职党员，月工资收入（税后）3,000.00元，属3000元（含）以下档，按0.5%交纳，每月15.00元' } },
      'POST /api/mp/dues/branches/301/hand-ups': {
        statusCode: 409,
        data: problem(409, '操作不被允许', '上缴金额超过结余45.00元', 'dues.amount_invalid'),
      },
    });
    let page = render('pages/dues-branch/index');
    await page.instance.onLoad({});
    await fire(page, '#base-member', 'change', { value: 2 });
    await fire(page, '#base-amount', 'input', { value: '3000' });
    await page.instance.onBase();
    expect(server.sent('PUT /api/mp/dues/members/13/base')[0].body).toEqual({ year: 2026, category: 'employed', baseFen: 300000, specialFen: null, specialReason: null });
    expect(text(page, '#message')).toContain('每月15.00元');

    await fire(page, '#hand-up-amount', 'input', { value: '50' });
    await fire(page, '#hand-up-reference', 'input', { value: 'UP-1' });
    await page.instance.onHandUp();
    expect(server.sent('POST /api/mp/dues/branches/301/hand-ups')[0].body).toEqual({ amountFen: 5000, reference: 'UP-1' });
    expect(text(page, '#error')).toBe('上缴金额超过结余45.00元');

    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    mockApi({});
    page = render('pages/dues-branch/index');
    await page.instance.onLoad({});
    expect(text(page, '#forbidden')).toBe('只有支部书记、党务工作者可以管理支部党费');
  });

  test('the secretary records why a member has not paid, waives a month with the approval, sets a special amount and publishes the disclosure', async () => {
    signIn(member({ id: 20, name: '陈静', orgId: 301, roles: [{ role: 'secretary', orgId: 301 }] }));
    const owing = branchDues().members[1];
    const server = mockApi({
      'GET /api/mp/dues/branches/301/declarations': { data: [] },
      'GET /api/mp/dues/branches/301': { data: branchDues() },
      'POST /api/mp/dues/members/12/reason': { statusCode: 204 },
      'POST /api/mp/dues/members/12/waive': { statusCode: 204 },
      'PUT /api/mp/dues/members/12/base': { data: { monthlyFen: 500, standardFen: 1500, explanation: '…；经支部批准（长期患病），每月少交为5.00元' } },
      'POST /api/mp/dues/branches/301/publish': { statusCode: 204 },
    });
    const page = render('pages/dues-branch/index');
    await page.instance.onLoad({});

    await fire(page, '#settle-member', 'change', { value: 0 });
    await fire(page, '#settle-reason', 'input', { value: '住院治疗' });
    await page.instance.onReason();
    expect(server.sent('POST /api/mp/dues/members/12/reason')[0].body).toEqual({ month: '2026-10', reason: '住院治疗' });
    expect(text(page, '#message')).toBe('已记录张伟2026-10未交的原因');

    await fire(page, '#settle-member', 'change', { value: 0 });
    await fire(page, '#settle-reason', 'input', { value: '经社区党委批准免交' });
    await page.instance.onWaive();
    expect(server.sent('POST /api/mp/dues/members/12/waive')[0].body).toEqual({ month: '2026-10', reason: '经社区党委批准免交' });

    await fire(page, '#base-member', 'change', { value: 1 });
    await fire(page, '#base-category', 'change', { value: 1 });
    await fire(page, '#base-amount', 'input', { value: '3000' });
    await fire(page, '#base-special', 'input', { value: '5' });
    await fire(page, '#base-special-reason', 'input', { value: '长期患病' });
    await page.instance.onBase();
    expect(server.sent('PUT /api/mp/dues/members/12/base')[0].body).toEqual({ year: 2026, category: 'retired', baseFen: 300000, specialFen: 500, specialReason: '长期患病' });
    expect(text(page, '#message')).toContain('每月少交为5.00元');

    await page.instance.onPublish();
    expect(server.sent('POST /api/mp/dues/branches/301/publish')[0].body).toEqual({ year: 2026 });
    expect(text(page, '#message')).toBe('已公示2026年党费收缴情况');
    expect(owing.owedMonths).toBe(2);
  });

  test('a member\'s recorded reason shows in the arrears; the worker does not see the publish button', async () => {
    signIn(WORKER);
    const data = branchDues();
    data.members[1].months[0].reason = '外出务工';
    data.publishedAt = '2026-11-30T02:00:00Z';
    mockApi({ 'GET /api/mp/dues/branches/301/declarations': { data: [] }, 'GET /api/mp/dues/branches/301': { data } });
    const page = render('pages/dues-branch/index');
    await page.instance.onLoad({});
    expect(text(page, '#arrears-12')).toBe('张伟 欠交 2 个月，30.00 元（外出务工）');
    expect(page.querySelector('#publish')).toBeFalsy();
  });
});

function declaration(overrides = {}) {
  return Object.assign(
    { memberId: 12, name: '张伟', year: 2026, category: 'employed', baseFen: 600000, monthlyFen: 9000,
      explanation: '在职党员，月工资收入（税后）6,000.00元，属5000元以上至10000元（含）档，按1.5%交纳，每月90.00元', state: 'pending', refusal: null,
      declaredAt: '2026-11-25T01:00:00Z', decidedAt: null },
    overrides
  );
}

describe('申报交纳基数', () => {
  test('a member declares her own base from 我的党费 and reads what her secretary decided', async () => {
    signIn(member({ roles: [{ role: 'member', orgId: 301 }] }));
    const server = mockApi({
      'GET /api/mp/dues/mine/declarations': { data: [declaration({ state: 'refused', refusal: '请按在职申报', decidedAt: '2026-11-26T01:00:00Z' })] },
      'GET /api/mp/dues/mine': { data: myDues() },
      'POST /api/mp/dues/mine/declaration': { data: declaration() },
    });
    const page = render('pages/dues/index');
    await page.instance.onLoad();
    expect(text(page, '#declaration-2026')).toContain('已退回');
    expect(text(page, '#declaration-2026')).toContain('退回原因：请按在职申报');

    await fire(page, '#declare-category', 'change', { value: 0 });
    await fire(page, '#declare-amount', 'input', { value: '6000' });
    await page.instance.onDeclare();
    expect(server.sent('POST /api/mp/dues/mine/declaration')[0].body).toEqual({ year: 2026, category: 'employed', baseFen: 600000 });
    expect(text(page, '#message')).toContain('待支部书记确认');
  });

  test('the secretary confirms one declaration and sends another back with its reason; the worker only sees them', async () => {
    signIn(member({ id: 20, name: '陈静', orgId: 301, roles: [{ role: 'secretary', orgId: 301 }] }));
    const server = mockApi({
      'GET /api/mp/dues/branches/301/declarations': { data: [declaration(), declaration({ memberId: 13, name: '李娜', category: 'farmer', baseFen: 50, monthlyFen: 50, explanation: '农民党员按省级党委规定（每月0.20元至1.00元）每月交纳0.50元' })] },
      'GET /api/mp/dues/branches/301': { data: branchDues() },
      'POST /api/mp/dues/members/12/declaration/confirm': { data: { monthlyFen: 9000, standardFen: 9000, explanation: '在职党员，月工资收入（税后）6,000.00元，属5000元以上至10000元（含）档，按1.5%交纳，每月90.00元' } },
      'POST /api/mp/dues/members/13/declaration/refuse': { statusCode: 204 },
    });
    const page = render('pages/dues-branch/index');
    await page.instance.onLoad({});
    expect(text(page, '#declaration-12-2026')).toContain('张伟 2026年申报');

    expect(page.querySelector('#confirm-12-2026')).toBeTruthy();
    await page.instance.onConfirmDeclaration({ currentTarget: { dataset: { key: '12-2026' } } });
    expect(server.sent('POST /api/mp/dues/members/12/declaration/confirm')[0].body).toEqual({ year: 2026, reason: null });
    expect(text(page, '#message')).toContain('已确认');

    await page.instance.onRefuseDeclaration({ currentTarget: { dataset: { key: '13-2026' } } });
    expect(text(page, '#error')).toBe('请填写退回的原因');
    await fire(page, '#refusal', 'input', { value: '请按在职申报' });
    await page.instance.onRefuseDeclaration({ currentTarget: { dataset: { key: '13-2026' } } });
    expect(server.sent('POST /api/mp/dues/members/13/declaration/refuse')[0].body).toEqual({ year: 2026, reason: '请按在职申报' });

    signIn(member({ id: 21, name: '赵磊', orgId: 301, roles: [{ role: 'worker', orgId: 301 }] }));
    const asWorker = render('pages/dues-branch/index');
    await asWorker.instance.onLoad({});
    expect(asWorker.querySelector('#confirm-12-2026')).toBeFalsy();
  });
});
