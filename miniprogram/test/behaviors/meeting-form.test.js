// behaviors/meeting-form: the task and its meeting fields, the same on 报送计划 and 提交佐证.
const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, waitFor } = require('../helpers/wx-mock');
const { taskDto, problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  page.querySelector(selector).dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

const PAGES = [['pages/plan/index'], ['pages/evidence/index']];

describe('behaviors/meeting-form 会议表单', () => {
  test.each(PAGES)('%s: the plan’s time (Asia/Shanghai), place and topic are filled in and the inputs change them', async (page) => {
    signIn();
    mockApi({
      'GET /api/mp/tasks/7': { data: taskDto({ plannedFor: '2026-11-30T16:30:00+00:00', place: '党员活动室', topic: '主题党日' }) },
      'GET /api/mp/orgs/301/members': { data: [] },
      'GET /api/mp/checkins': { data: [] },
    });
    const p = render(page);
    await p.instance.onLoad({ id: '7' });

    expect(p.data.loading).toBe(false);
    expect(p.data.form).toEqual(expect.objectContaining({ date: '2026-12-01', time: '00:30', place: '党员活动室', topic: '主题党日' }));
    expect(text(p, '#date')).toBe('2026-12-01');

    await fire(p, '#place-input', 'input', { value: ' 社区党群服务中心 ' });
    await fire(p, '#time-picker', 'change', { value: '09:00' });
    expect(p.instance.meeting()).toEqual({ at: '2026-12-01T09:00:00+08:00', place: '社区党群服务中心', topic: '主题党日' });
  });

  test.each(PAGES)('%s: a task that cannot be read says why and shows no form', async (page) => {
    signIn();
    mockApi({ 'GET /api/mp/tasks/7': { statusCode: 403, data: problem(403, '无权访问', '这不是您所在组织的任务', 'auth.forbidden') } });
    const p = render(page);
    await p.instance.onLoad({ id: '7' });

    await waitFor(() => !p.data.loading);
    expect(text(p, '#error')).toBe('这不是您所在组织的任务');
    expect(text(p, '#task-name')).toBeNull();
    expect(text(p, '#loading')).toBeNull();
  });
});
