// behaviors/phone-binding: binding by the phone number WeChat vouches for, the same on 我的任务 and 我的.
const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, member, waitFor } = require('../helpers/wx-mock');
const { taskSummary, orgDto, starsDto, problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  page.querySelector(selector).dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

const BOUND = { token: 'tok-2', expiresAt: '2099-01-01T00:00:00+00:00', member: member() };

function api(bind) {
  let bound = false;
  return mockApi({
    'POST /api/mp/bind': () => {
      const res = bind();
      bound = !res.statusCode;
      return res;
    },
    'GET /api/mp/me': () => ({ data: { wechatUserId: 9, member: bound ? member() : null } }),
    'GET /api/orgs/301': { data: orgDto() },
    'GET /api/mp/me/stars': { data: starsDto() },
    'GET /api/mp/subscriptions': { data: { templates: [] } },
    'GET /api/mp/tasks': { data: [] },
    'GET /api/mp/tasks/summary': { data: taskSummary() },
  });
}

const PAGES = [['pages/tasks/index'], ['pages/me/index']];

describe('behaviors/phone-binding 绑定党员身份', () => {
  test.each(PAGES)('%s: a refused phone number is explained; a bound one loads the page again as the member', async (page) => {
    signIn(null);
    const server = api(() => ({ data: BOUND }));
    const p = render(page);
    await p.instance.onLoad();

    await fire(p, '#bind-button', 'getphonenumber', { errMsg: 'getPhoneNumber:fail user deny' });
    expect(text(p, '#bind-error')).toBe('需要授权手机号才能绑定党员身份');
    expect(server.sent('POST /api/mp/bind')).toHaveLength(0);

    await fire(p, '#bind-button', 'getphonenumber', { code: 'phone-code-1', errMsg: 'getPhoneNumber:ok' });
    await waitFor(() => p.data.member);
    expect(server.sent('POST /api/mp/bind')[0].body).toEqual({ phoneCode: 'phone-code-1' });
    expect(text(p, '#bind-error')).toBeNull();
    expect(text(p, '#bind-button')).toBeNull();
  });

  test.each(PAGES)('%s: a phone number that matches no member says so', async (page) => {
    signIn(null);
    api(() => ({ statusCode: 404, data: problem(404, '未找到党员信息', '抱歉，没有找到使用该手机号的党员信息。', 'bind.no_member') }));
    const p = render(page);
    await p.instance.onLoad();

    await fire(p, '#bind-button', 'getphonenumber', { code: 'phone-code-2' });
    await waitFor(() => p.data.bindError);
    expect(text(p, '#bind-error')).toBe('抱歉，没有找到使用该手机号的党员信息。');
  });
});
