const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor } = require('../helpers/wx-mock');

async function fire(page, selector, event, detail) {
  const node = page.querySelector(selector);
  if (!node) throw new Error(`no node for ${selector}`);
  node.dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

function inspectionDto(overrides = {}) {
  return Object.assign(
    {
      id: 5,
      kind: 'inspection',
      kindText: '巡查',
      orgId: 301,
      orgName: '第一支部',
      communityName: '东风路社区',
      year: 2026,
      quarter: 4,
      inspectorName: '王建国',
      state: 'planned',
      stateText: '待检查',
      summary: null,
      submittedAt: null,
      findings: 0,
      mayFill: true,
      version: 1,
      items: [
        { no: 1, clause: 'DFL-QP-03 §4.2', text: '支部委员会：按规定开展', result: null, resultText: null, severity: null, note: null, nonconformityId: null, photos: 0, photoUrls: [] },
        { no: 2, clause: '《中国共产党支部工作条例（试行）》第十四条', text: '党务公开栏内容按季度更新', result: null, resultText: null, severity: null, note: null, nonconformityId: null, photos: 0, photoUrls: [] },
      ],
    },
    overrides
  );
}

const INSPECTOR = member({ id: 30, name: '王建国', roles: [{ role: 'inspector', orgId: 1 }] });

describe('pages/inspections 巡查与自查', () => {
  test('the inspector sees her plan, the one to do marked, and opens it', async () => {
    signIn(INSPECTOR);
    const server = mockApi({ 'GET /api/mp/inspections': { data: { items: [inspectionDto({ items: null })] } } });
    const nav = jest.spyOn(wx, 'navigateTo').mockImplementation(() => {});
    const page = render('pages/inspections/index');
    await page.instance.onLoad();
    expect(server.sent('GET /api/mp/inspections')).toHaveLength(1);
    expect(page.querySelector('#start-self')).toBeFalsy();
    expect(text(page, '#insp-5 .insp__state')).toBe('待检查');
    await fire(page, '#insp-5', 'tap');
    expect(nav).toHaveBeenCalledWith({ url: '/pages/inspection/index?id=5' });
  });
});

describe('pages/inspection 检查表', () => {
  test('the form keeps its state when the network drops and submits it once the network is back', async () => {
    signIn(INSPECTOR);
    let online = false;
    const submitted = inspectionDto({
      state: 'submitted', stateText: '已完成', findings: 1, mayFill: false, version: 2,
      items: [
        { no: 1, clause: 'DFL-QP-03 §4.2', text: '支部委员会：按规定开展', result: 'fail', resultText: '不符合', severity: 'major', note: '缺签到表', nonconformityId: 41, photos: 0, photoUrls: [] },
        { no: 2, clause: '《中国共产党支部工作条例（试行）》第十四条', text: '党务公开栏内容按季度更新', result: 'pass', resultText: '符合', severity: null, note: null, nonconformityId: null, photos: 0, photoUrls: [] },
      ],
    });
    const server = mockApi({
      'GET /api/mp/inspections/5': { data: inspectionDto() },
      'POST /api/mp/inspections/5/submit': () => (online ? { data: submitted } : null),
    });
    let page = render('pages/inspection/index');
    await page.instance.onLoad({ id: '5' });
    expect(text(page, '#item-1 .item__clause')).toBe('依据：DFL-QP-03 §4.2');
    await fire(page, '#fail-1', 'tap');
    await fire(page, '#major-1', 'tap');
    await fire(page, '#note-1', 'input', { value: '缺签到表' });
    await fire(page, '#pass-2', 'tap');
    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.error && !page.data.saving);
    expect(text(page, '#error')).toBe('网络中断，检查记录已保存在本机，恢复网络后再提交');

    // The page is closed and opened again: the answers are still there.
    page = render('pages/inspection/index');
    await page.instance.onLoad({ id: '5' });
    expect(text(page, '#notice')).toBe('已恢复本机保存的检查记录');
    expect(page.data.answers.map((a) => a.result)).toEqual(['fail', 'pass']);
    online = true;
    await fire(page, '#submit', 'tap');
    await waitFor(() => page.data.notice.startsWith('已提交') && !page.data.saving);
    const sent = server.sent('POST /api/mp/inspections/5/submit');
    expect(sent[sent.length - 1].body).toEqual({
      items: [
        { no: 1, result: 'fail', severity: 'major', note: '缺签到表', photoTokens: [] },
        { no: 2, result: 'pass', severity: null, note: null, photoTokens: [] },
      ],
      summary: null,
      version: 1,
    });
    expect(text(page, '#notice')).toBe('已提交，1 项不符合已列入不符合项台账');
    expect(wx.getStorageSync('wxqms.inspection.5')).toBeFalsy();
    expect(page.querySelector('#finding-1')).toBeTruthy();
  });

  test('the branch reads the report with the finding\'s photo, fetched with its token and shown on the item', async () => {
    signIn(member({ id: 31, name: '李书记', roles: [{ role: 'secretary', orgId: 301 }] }));
    const url = '/api/mp/inspections/5/photos/' + 'c'.repeat(64);
    const report = inspectionDto({
      state: 'submitted', stateText: '已完成', findings: 1, mayFill: false, version: 2,
      items: [
        { no: 1, clause: 'DFL-QP-03 §4.2', text: '支部委员会：按规定开展', result: 'fail', resultText: '不符合', severity: 'major', note: '缺签到表', nonconformityId: 41, photos: 1, photoUrls: [url] },
        { no: 2, clause: '《中国共产党支部工作条例（试行）》第十四条', text: '党务公开栏内容按季度更新', result: 'pass', resultText: '符合', severity: null, note: null, nonconformityId: null, photos: 0, photoUrls: [] },
      ],
    });
    const server = mockApi({ 'GET /api/mp/inspections/5': { data: report }, ['GET ' + url]: { tempFilePath: 'wxfile://c' } });
    const page = render('pages/inspection/index');
    await page.instance.onLoad({ id: '5' });
    await waitFor(() => page.querySelectorAll('#item-photos-1 .item__photo').length === 1);
    expect(server.download).toHaveBeenCalledTimes(1);
    expect(page.data.insp.items[0].srcs).toEqual(['wxfile://c']);
    expect(page.querySelector('#item-photos-2')).toBeFalsy();
    expect(page.querySelector('#photo-error')).toBeFalsy();
  });
});
