const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor } = require('../helpers/wx-mock');
const { problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

function transferDto(overrides = {}) {
  return Object.assign(
    {
      id: 5,
      kind: 'within',
      kindText: '街道内转接',
      state: 'requested',
      stateText: '待接收',
      memberId: 40,
      memberName: '赵丽',
      fromOrgId: 302,
      toOrgId: 301,
      fromOrgName: '第二支部',
      toOrgName: '第一支部',
      letterNo: null,
      issuedOn: null,
      validUntil: null,
      duesPaidThrough: null,
      reason: '搬家',
      acceptedOn: null,
      receiptDueOn: null,
      receiptOn: null,
      closedOn: null,
      replacesId: null,
      voidReason: null,
      senderResponsible: true,
      receiptOverdue: false,
      letterExpired: false,
      inTransit: true,
    },
    overrides
  );
}

const LETTER = transferDto({
  id: 6, kind: 'out', kindText: '转出街道', state: 'accepted', stateText: '回执逾期', memberId: 41, memberName: '孙强', fromOrgId: 301, toOrgId: null,
  fromOrgName: '第一支部', toOrgName: '花木街道联洋社区第三支部', letterNo: 'DFL-2026-007', issuedOn: '2026-10-01', validUntil: '2026-12-31',
  duesPaidThrough: '2026-09', acceptedOn: '2026-10-10', receiptDueOn: '2026-11-10', receiptOverdue: true,
});
const ISSUED = transferDto({
  id: 7, kind: 'out', kindText: '转出街道', state: 'issued', stateText: '已开介绍信', memberId: 42, memberName: '钱伟', fromOrgId: 301, toOrgId: null,
  fromOrgName: '第一支部', toOrgName: '外地某支部', letterNo: 'DFL-2026-008', issuedOn: '2026-11-01', validUntil: '2027-01-31',
});
const SECRETARY = member(); // secretary of 301
const MEMBER = member({ id: 40, name: '赵丽', orgId: 302, roles: [{ role: 'member', orgId: 302 }] });

describe('pages/transfers 组织关系转接', () => {
  test('the receiving branch sees who waits, what each letter waits for, and accepts: she moves and the list reloads', async () => {
    signIn(SECRETARY);
    let accepted = false;
    const server = mockApi({
      'GET /api/mp/transfers': () => ({ data: { items: accepted ? [transferDto({ state: 'completed', stateText: '已完成', inTransit: false }), LETTER, ISSUED] : [transferDto(), LETTER, ISSUED] } }),
      'POST /api/mp/transfers/5/accept': () => {
        accepted = true;
        return { data: transferDto({ state: 'completed', stateText: '已完成' }) };
      },
      'POST /api/mp/transfers/6/receipt': { statusCode: 400, data: problem(400, '请求无效', '回执日期不能早于接收日期。', 'transfer.receipt_before_acceptance') },
      'POST /api/mp/transfers/7/accept': { data: Object.assign({}, ISSUED, { state: 'accepted', acceptedOn: '2026-12-05', receiptDueOn: '2027-01-05' }) },
    });
    const page = render('pages/transfers/index');
    await page.instance.onLoad();

    expect(server.sent('GET /api/mp/transfers')[0].query).toBe('orgId=301');
    expect(text(page, '#transfer-5 .transfer__next')).toBe('等待第一支部接收');
    expect(text(page, '#transfer-6 .transfer__state')).toBe('回执逾期');
    expect(page.querySelector('#transfer-6 .transfer__state').dom.className).toContain('transfer__state--warn');
    expect(text(page, '#transfer-6 .transfer__next')).toBe('回执逾期（应于 2026-11-10 前寄回）');
    expect(text(page, '#transfer-6 .transfer__meta')).toBe('DFL-2026-007 党费交至 2026-09');
    // A letter out is not accepted in the mini program by its sender; its acceptance and receipt are recorded by date.
    expect(page.querySelector('#transfer-6 .accept')).toBeFalsy();
    expect(page.querySelector('#transfer-7 .accepted-on')).toBeTruthy();

    await fire(page, '#transfer-7 .accepted-on', 'change', { value: '2026-12-05' });
    await waitFor(() => page.data.notice && !page.data.saving);
    expect(server.sent('POST /api/mp/transfers/7/accept')[0].body).toEqual({ acceptedOn: '2026-12-05', receiptOn: null, validUntil: null, reason: null });
    expect(text(page, '#notice')).toBe('已登记接收，回执应于 2027-01-05 前寄回');

    await fire(page, '#transfer-6 .receipt-on', 'change', { value: '2026-10-01' });
    await waitFor(() => page.data.error && !page.data.saving);
    expect(text(page, '#error')).toBe('回执日期不能早于接收日期。');

    await fire(page, '#transfer-5 .accept', 'tap');
    await waitFor(() => page.data.notice.startsWith('已接收') && !page.data.saving);
    expect(server.sent('POST /api/mp/transfers/5/accept')[0].body).toEqual({ acceptedOn: null, receiptOn: null, validUntil: null, reason: null });
    expect(text(page, '#notice')).toBe('已接收，赵丽已转入第一支部');
    expect(text(page, '#transfer-5 .transfer__state')).toBe('已完成');
    expect(page.querySelector('#transfer-5 .accept')).toBeFalsy();
  });

  test('the sending branch may withdraw a move but not accept it for the other branch', async () => {
    signIn(member({ id: 12, name: '李军', orgId: 302, roles: [{ role: 'secretary', orgId: 302 }] }));
    const server = mockApi({
      'GET /api/mp/transfers': { data: { items: [transferDto()] } },
      'POST /api/mp/transfers/5/cancel': { data: transferDto({ state: 'cancelled', stateText: '已撤销' }) },
    });
    const page = render('pages/transfers/index');
    await page.instance.onLoad();
    expect(page.querySelector('#transfer-5 .accept')).toBeFalsy();
    await fire(page, '#transfer-5 .cancel', 'tap');
    await waitFor(() => page.data.notice && !page.data.saving);
    expect(server.sent('POST /api/mp/transfers/5/cancel')).toHaveLength(1);
    expect(text(page, '#notice')).toBe('已撤销赵丽的转接申请');
  });

  test('a member sees her own transfer and what comes next; a keeper switches to her own; unbound is told to bind', async () => {
    signIn(MEMBER);
    mockApi({ 'GET /api/mp/transfers/mine': { data: { items: [transferDto()] } } });
    let page = render('pages/transfers/index');
    await page.instance.onLoad();
    expect(page.querySelector('#tab-org')).toBeFalsy();
    expect(text(page, '#transfer-5 .transfer__name')).toBe('赵丽 · 街道内转接');
    expect(text(page, '#transfer-5 .transfer__route')).toBe('第二支部 → 第一支部');
    expect(text(page, '#transfer-5 .transfer__next')).toBe('等待第一支部接收');
    expect(page.querySelector('#transfer-5 .accept')).toBeFalsy();
    expect(page.querySelector('#transfer-5 .cancel')).toBeFalsy();

    signIn(SECRETARY);
    const server = mockApi({ 'GET /api/mp/transfers': { data: { items: [] } }, 'GET /api/mp/transfers/mine': { data: { items: [] } } });
    page = render('pages/transfers/index');
    await page.instance.onLoad();
    expect(text(page, '#empty')).toBe('没有转接记录');
    await fire(page, '#tab-mine', 'tap');
    await waitFor(() => server.sent('GET /api/mp/transfers/mine').length === 1 && !page.data.loading);
    expect(text(page, '#empty')).toBe('您没有组织关系转接');

    signIn(null);
    mockApi({});
    page = render('pages/transfers/index');
    await page.instance.onLoad();
    expect(text(page, '#unbound')).toBe('绑定党员身份后可查看组织关系转接');
  });
});
