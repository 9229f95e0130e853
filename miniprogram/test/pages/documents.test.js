const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn } = require('../helpers/wx-mock');
const { taskDto } = require('../helpers/fixtures');

// Payloads shaped like the Api's DocumentSummaryDto and DocumentDto (checked against the contract).
function summaryDto(overrides = {}) {
  return Object.assign({ number: 'DFL-QP-03', title: '组织生活管理程序', level: 'procedure', levelLabel: '程序文件', ownerOrg: '东风路街道党工委',
    ownerPerson: '街道党建办', version: 1, inForceOn: '2026-01-01', url: '/h5/documents/DFL-QP-03' }, overrides);
}

function documentDto(overrides = {}) {
  return Object.assign({
    number: 'DFL-QP-03', title: '组织生活管理程序', level: 'procedure', levelLabel: '程序文件', ownerOrg: '东风路街道党工委', ownerPerson: '街道党建办',
    version: 1, status: 'in_force', statusLabel: '现行有效', obsolete: false, inForceVersion: 1, inForceOn: '2026-01-01', obsoleteOn: null,
    approvedBy: 'member:1', changeReason: '首次发布', markdown: '## 4 要求\n### 4.2 支部委员会会议\n每月1次',
    html: '<h2 id="4">4 要求</h2><h3 id="4.2">4.2 支部委员会会议</h3><p>每月1次</p>',
    sections: [{ anchor: '4', number: '4', title: '4 要求', depth: 2 }, { anchor: '4.2', number: '4.2', title: '4.2 支部委员会会议', depth: 3 }],
    url: '/h5/documents/DFL-QP-03',
  }, overrides);
}

describe('pages/documents 受控文件 and pages/document', () => {
  test('lists the documents by level, searches, and opens one', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/documents': (req) => ({
        data: req.query.includes('q=')
          ? [summaryDto()]
          : [summaryDto({ number: 'DFL-QM-01', title: '党建质量管理手册', level: 'manual', levelLabel: '质量手册', version: 2 }), summaryDto()],
      }),
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/documents/index');
    await page.instance.onLoad();

    expect(page.querySelectorAll('.section__title').map((n) => n.dom.textContent)).toEqual(['质量手册', '程序文件']);
    expect(text(page, '#doc-DFL-QM-01')).toContain('第2版 · 2026-01-01起实施');

    page.instance.onInput({ detail: { value: '支部委员会' } });
    await page.instance.onSearch();
    expect(server.sent('GET /api/mp/documents')[1].query).toBe(`q=${encodeURIComponent('支部委员会')}`);
    expect(page.querySelectorAll('.cell')).toHaveLength(1);

    page.querySelector('#doc-DFL-QP-03').dispatchEvent('tap', {});
    await simulate.sleep(0);
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/document/index?number=DFL-QP-03' });
  });

  test('a task names the clause it follows and opens the document at that section; an old version says it is obsolete', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/tasks/7': { data: taskDto({ clause: { number: 'DFL-QP-03', section: '4.2', label: 'DFL-QP-03 §4.2', url: '/h5/documents/DFL-QP-03#4.2' } }) },
      'GET /api/mp/documents/DFL-QP-03': (req) => ({
        data: req.query === 'version=1'
          ? documentDto({ status: 'obsolete', statusLabel: '已作废', obsolete: true, inForceVersion: 2, obsoleteOn: '2026-12-01' })
          : documentDto(),
      }),
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const task = render('pages/task/index');
    await task.instance.onLoad({ id: '7' });
    expect(text(task, '#clause')).toContain('DFL-QP-03 §4.2');
    task.querySelector('#clause').dispatchEvent('tap', {});
    await simulate.sleep(0);
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/document/index?number=DFL-QP-03&section=4.2' });

    const doc = render('pages/document/index');
    await doc.instance.onLoad({ number: 'DFL-QP-03', section: '4.2' });
    expect(text(doc, '#title')).toBe('组织生活管理程序');
    expect(text(doc, '#cited')).toBe('本任务依据第 4.2 条');
    expect(text(doc, '.toc--cited')).toBe('4.2 支部委员会会议');
    expect(text(doc, '#obsolete')).toBeNull();

    const old = render('pages/document/index');
    await old.instance.onLoad({ number: 'DFL-QP-03', version: '1' });
    expect(server.sent('GET /api/mp/documents/DFL-QP-03')[1].query).toBe('version=1');
    expect(text(old, '#obsolete')).toBe('已作废：第1版已于2026-12-01作废，仅供查阅，不得作为工作依据');
  });
});
