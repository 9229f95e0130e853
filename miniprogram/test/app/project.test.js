// The DevTools project: every page listed and complete, components resolvable, tooling kept out of
// the upload. (simulate ignores app.json, so nothing else would notice a page missing from it.)
const fs = require('fs');
const path = require('path');
const { ROOT } = require('../helpers/render');
const contract = require('../helpers/contract');
const { adhocTaskDto } = require('../helpers/fixtures');

function issueBody() {
  return {
    title: '防汛安全排查', description: null, dueOn: '2026-11-25', points: 5, lateDeduction: null, overdueDeduction: null, minPhotos: 2,
    attendanceRequired: false, minutesRequired: true, placeRequired: true, topicRequired: false, orgIds: [30], target: 'branches',
  };
}

const read = (rel) => JSON.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8'));

describe('project', () => {
  const app = read('app.json');

  test('app.json lists every page folder, and each page has its four files and a Component() script', () => {
    const folders = fs.readdirSync(path.join(ROOT, 'pages')).map((d) => `pages/${d}/index`).sort();
    expect([...app.pages].sort()).toEqual(folders);
    for (const page of app.pages) {
      for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(fs.existsSync(path.join(ROOT, `${page}.${ext}`))).toBe(true);
      expect(fs.readFileSync(path.join(ROOT, `${page}.js`), 'utf8')).toMatch(/\bComponent\(\{/);
    }
  });

  test('tab bar pages are pages, and every usingComponents path exists', () => {
    for (const tab of app.tabBar.list) expect(app.pages).toContain(tab.pagePath);
    expect(app.tabBar.list.length).toBeGreaterThanOrEqual(2);
    const jsons = app.pages.concat(fs.readdirSync(path.join(ROOT, 'components')).map((c) => `components/${c}/index`));
    for (const rel of jsons) {
      for (const target of Object.values(read(`${rel}.json`).usingComponents || {})) {
        expect(fs.existsSync(path.join(ROOT, `${target}.js`))).toBe(true);
      }
    }
  });

  test('project.config.json keeps the tooling out of the upload', () => {
    const project = read('project.config.json');
    const ignored = project.packOptions.ignore.map((i) => i.value);
    for (const tooling of ['test', 'scripts', 'node_modules', 'package.json', 'package-lock.json', 'jest.config.js', 'eslint.config.js', 'jsconfig.json']) {
      expect(ignored).toContain(tooling);
    }
    expect(project.compileType).toBe('miniprogram');
    expect(read('sitemap.json').rules).toBeDefined();
  });

  test('only utils/api.js calls wx.request, wx.uploadFile or wx.downloadFile', () => {
    const offenders = [];
    for (const rel of fs.readdirSync(ROOT, { recursive: true })) {
      const file = String(rel);
      if (!file.endsWith('.js') || /^(node_modules|test|scripts)\//.test(file) || file === 'utils/api.js') continue;
      if (/wx\.(request|uploadFile|downloadFile)\s*\(/.test(fs.readFileSync(path.join(ROOT, file), 'utf8'))) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});

describe('contract copies', () => {
  test('the validator refuses unknown fields, missing fields, wrong types and enum values', () => {
    const ok = { inProgress: 1, dueThisMonth: 1, dueThisQuarter: 1, overdue: 0, warned: 0, completedThisYear: 3, awaitingReview: 0, asOf: '2026-11-20T06:00:00+00:00' };
    const check = (data) => contract.check({ method: 'GET', url: '/api/mp/tasks/summary', statusCode: 200, data });
    expect(check(ok)).toEqual([]);
    expect(check(Object.assign({ late: 1 }, ok))).toEqual(['GET /api/mp/tasks/summary: response: field "late" is not in the schema']);
    const missing = Object.assign({}, ok);
    delete missing.warned;
    expect(check(missing)).toEqual(['GET /api/mp/tasks/summary: response: missing required field "warned"']);
    expect(check(Object.assign({}, ok, { overdue: true }))[0]).toMatch(/overdue: expected integer\|string, got boolean/);
    expect(contract.check({ method: 'GET', url: '/api/mp/tasks', statusCode: 200, data: [{ state: 'lost' }] }).join('\n')).toMatch(/"lost" is not one of pending\|/);
    expect(contract.check({ method: 'GET', url: '/api/mp/nothing', statusCode: 200, data: {} })).toEqual([
      'GET /api/mp/nothing: no such route in test/contract/openapi.json or pending.json',
    ]);
    expect(contract.check({ method: 'GET', url: '/api/mp/tasks?color=red', statusCode: 200, data: [] })).toEqual([
      'GET /api/mp/tasks: query parameter "color" is not in the contract',
    ]);
    expect(check(Object.assign({}, ok, { asOf: 'soon' }))).toEqual(['GET /api/mp/tasks/summary: response.asOf: "soon" is not a date-time']);
    // A map's values meet its additionalProperties schema; a date is yyyy-MM-dd.
    const adhoc = (extra) => contract.check({ method: 'GET', url: '/api/mp/adhoc-tasks/3', statusCode: 200, data: Object.assign(adhocTaskDto(), extra) });
    expect(adhoc({})).toEqual([]);
    expect(adhoc({ stateCounts: { pending: true } }).join('\n')).toMatch(/stateCounts\.pending: expected integer\|string/);
    const issue = (dueOn) => contract.check({ method: 'POST', url: '/api/mp/adhoc-tasks', body: Object.assign(issueBody(), { dueOn }), statusCode: 201, data: adhocTaskDto() });
    expect(issue('2026-11-25')).toEqual([]);
    expect(issue('2026-11-25T00:00:00+08:00')).toEqual(['POST /api/mp/adhoc-tasks: request.dueOn: "2026-11-25T00:00:00+08:00" is not a date (yyyy-MM-dd)']);
  });

  test('a route the Api serves is no longer pending (refresh moves it; then delete the hand-written copy)', () => {
    const servedRoutes = contract.ROUTES.filter((r) => r.origin === 'openapi.json').map((r) => `${r.method} ${r.template}`);
    const stillPending = contract.ROUTES.filter((r) => r.origin === 'pending.json').map((r) => `${r.method} ${r.template}`);
    expect(stillPending.filter((r) => servedRoutes.includes(r))).toEqual([]);
    for (const [route, params] of Object.entries(contract.pending['x-pending-parameters'])) {
      const [method, template] = route.split(' ');
      const op = contract.served.paths[template][method.toLowerCase()];
      const known = (op.parameters || []).map((p) => p.name);
      expect(params.filter((p) => known.includes(p))).toEqual([]);
    }
  });
});
