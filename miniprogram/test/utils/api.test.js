const api = require('../../utils/api');
const subscribe = require('../../utils/subscribe');
const photos = require('../../utils/photos');
const config = require('../../utils/config');
const { mockApi, mockLogin, mockSubscribe, signIn, loginResponse, member, settle, BASE } = require('../helpers/wx-mock');
const { taskListItem, problem } = require('../helpers/fixtures');

describe('utils/api', () => {
  test('logs in with the wx.login code, keeps the session, sends the Bearer token to the configured Api', async () => {
    mockLogin('code-42');
    const server = mockApi({ 'GET /api/mp/tasks': { data: [taskListItem()] } });

    const tasks = await api.tasks.list({ status: 'pending', period: '2026-11', scope: undefined });

    expect(tasks).toHaveLength(1);
    expect(server.sent('POST /api/mp/login')[0].body).toEqual({ code: 'code-42' });
    const call = server.sent('GET /api/mp/tasks')[0];
    expect(call.query).toBe('status=pending&period=2026-11');
    expect(call.header.Authorization).toBe('Bearer tok-1');
    expect(server.request.mock.calls[1][0].url).toBe(`${BASE}/api/mp/tasks?status=pending&period=2026-11`);
    expect(api.currentMember()).toEqual(member());
  });

  test('concurrent requests share one login (a wx.login code works once)', async () => {
    const login = mockLogin();
    const server = mockApi({ 'GET /api/mp/me': { data: { wechatUserId: 9, member: member() } } });

    await Promise.all([api.me(), api.me(), api.me()]);

    expect(login).toHaveBeenCalledTimes(1);
    expect(server.sent('POST /api/mp/login')).toHaveLength(1);
  });

  test('an expired session logs in again before the request', async () => {
    wx.setStorageSync('wxqms.session', Object.assign(loginResponse(), { token: 'old', expiresAt: '2020-01-01T00:00:00+00:00' }));
    mockLogin();
    const server = mockApi({ 'GET /api/mp/me': { data: { wechatUserId: 9, member: null } } });

    await api.me();

    expect(server.sent('GET /api/mp/me')[0].header.Authorization).toBe('Bearer tok-1');
  });

  test('on 401 it logs in afresh once and retries; a second 401 is shown to the user', async () => {
    signIn();
    wx.setStorageSync('wxqms.session', Object.assign(loginResponse(), { token: 'revoked' }));
    mockLogin();
    let n = 0;
    const server = mockApi({
      'GET /api/mp/me': (req) => {
        n += 1;
        return req.header.Authorization === 'Bearer tok-1' && n === 2
          ? { data: { wechatUserId: 9, member: member() } }
          : { statusCode: 401, data: problem(401, '未登录', '找不到您的登录记录，请重新登录。', 'auth.unknown_user') };
      },
    });

    await expect(api.me()).resolves.toEqual({ wechatUserId: 9, member: member() });
    expect(server.sent('POST /api/mp/login')).toHaveLength(1);

    await expect(api.me()).rejects.toMatchObject({ statusCode: 401, message: '找不到您的登录记录，请重新登录。' });
  });

  test('ProblemDetails become an ApiError with the Chinese detail and the code', async () => {
    signIn();
    mockApi({ 'GET /api/mp/tasks/8': { statusCode: 403, data: problem(403, '无权访问', '您无权查看该任务', 'auth.forbidden') } });

    await expect(api.tasks.get(8)).rejects.toMatchObject({ name: 'ApiError', statusCode: 403, message: '您无权查看该任务', code: 'auth.forbidden' });
  });

  test('an error without a body and a network failure still read as sentences', async () => {
    signIn();
    mockApi({ 'GET /api/mp/tasks/8': { statusCode: 502, data: '' }, 'GET /api/mp/tasks/9': 'network' });

    await expect(api.tasks.get(8)).rejects.toMatchObject({ statusCode: 502, message: '服务暂时不可用，请稍后再试' });
    await expect(api.tasks.get(9)).rejects.toMatchObject({ statusCode: 0, message: '网络连接失败，请检查网络后重试' });
  });

  test('uploads parse the string body, report progress, and turn 413 into a readable error', async () => {
    signIn();
    const server = mockApi({
      'POST /api/mp/uploads': (req) =>
        req.filePath === 'wxfile://big.jpg'
          ? { statusCode: 413, data: problem(413, '照片过大', '单张照片不能超过 10 MB', 'upload.too_large') }
          : { statusCode: 201, data: { token: 'up-1', sha256: 'ab12', size: 1024, contentType: 'image/jpeg' } },
    });
    const progress = [];

    await expect(api.uploadPhoto('wxfile://a.jpg', (p) => progress.push(p))).resolves.toEqual({
      token: 'up-1', sha256: 'ab12', size: 1024, contentType: 'image/jpeg',
    });
    expect(progress).toEqual([50, 100]);
    expect(server.upload.mock.calls[0][0]).toMatchObject({ name: 'file', header: { Authorization: 'Bearer tok-1' } });

    await expect(api.uploadPhoto('wxfile://big.jpg')).rejects.toMatchObject({ statusCode: 413, message: '单张照片不能超过 10 MB' });
  });

  test('a file that is not an image (415) is refused in words, with or without a body', async () => {
    signIn();
    mockApi({
      'POST /api/mp/uploads': (req) =>
        req.filePath === 'wxfile://doc.pdf'
          ? { statusCode: 415, data: problem(415, '不是图片', '只能上传 JPEG、PNG 或 HEIC 照片', 'upload.not_image') }
          : { statusCode: 415, data: '' },
    });
    await expect(api.uploadPhoto('wxfile://doc.pdf')).rejects.toMatchObject({ statusCode: 415, code: 'upload.not_image', message: '只能上传 JPEG、PNG 或 HEIC 照片' });
    await expect(api.uploadPhoto('wxfile://odd.bin')).rejects.toMatchObject({ statusCode: 415, message: '只能上传图片' });
  });

  test('photos are fetched with the token, since <image> cannot send one', async () => {
    signIn();
    const server = mockApi({ 'GET /api/mp/tasks/7/photos/ab12': { tempFilePath: 'wxfile://tmp/ab12.jpg' } });

    await expect(api.download('/api/mp/tasks/7/photos/ab12')).resolves.toBe('wxfile://tmp/ab12.jpg');
    expect(server.download.mock.calls[0][0].header.Authorization).toBe('Bearer tok-1');
  });
});

describe('utils/subscribe', () => {
  test('asks for consent with the sandbox template ids and reports the answers under the keys the Api knows', async () => {
    signIn();
    const server = mockApi({ 'POST /api/mp/subscriptions': { statusCode: 204 } });
    const sheet = mockSubscribe({ 'sbx-mp-meeting-reminder': 'accept', 'sbx-mp-task-warning': 'reject' });

    const answers = await subscribe.ask(['meetingReminder', 'taskWarning']);
    await settle();

    expect(sheet.mock.calls[0][0].tmplIds).toEqual(['sbx-mp-meeting-reminder', 'sbx-mp-task-warning']);
    expect(answers).toEqual({ meetingReminder: 'accept', taskWarning: 'reject' });
    expect(server.sent('POST /api/mp/subscriptions')[0].body).toEqual({
      results: [
        { key: 'meetingReminder', templateId: 'sbx-mp-meeting-reminder', result: 'accept' },
        { key: 'taskWarning', templateId: 'sbx-mp-task-warning', result: 'reject' },
      ],
    });
  });

  test('the sheet opens synchronously, so it can run inside a tap handler before any await', () => {
    const sheet = jest.spyOn(wx, 'requestSubscribeMessage').mockImplementation(() => {});
    subscribe.ask(['reviewResult']);
    expect(sheet).toHaveBeenCalledTimes(1);
    expect(sheet.mock.calls[0][0].tmplIds).toEqual(['sbx-mp-review-result']);
  });

  test('a refused sheet or a failing report never rejects; unknown keys are not asked for', async () => {
    signIn();
    mockApi({ 'POST /api/mp/subscriptions': { statusCode: 500, data: problem(500, '服务器错误', '稍后再试', 'server.error') } });
    jest.spyOn(wx, 'requestSubscribeMessage').mockImplementation((o) => setTimeout(() => o.fail({ errMsg: 'requestSubscribeMessage:fail', errCode: 20004 }), 0));
    await expect(subscribe.ask(['reviewResult'])).resolves.toEqual({});

    const sheet = mockSubscribe({ 'sbx-mp-review-result': 'accept' });
    await expect(subscribe.ask(['reviewResult', 'evidenceJudged'])).resolves.toEqual({ reviewResult: 'accept' });
    expect(sheet.mock.lastCall[0].tmplIds).toEqual(['sbx-mp-review-result']);
    const asked = sheet.mock.calls.length;
    await expect(subscribe.ask(['evidenceJudged'])).resolves.toEqual({}); // merged into reviewResult
    expect(sheet.mock.calls.length).toBe(asked);
    await settle();
  });

  test('release builds use the template ids set on mp.weixin.qq.com, not the sandbox’s', () => {
    jest.spyOn(wx, 'getAccountInfoSync').mockReturnValue({ miniProgram: { appId: 'wx0b0000000000test', envVersion: 'release', version: '1.0.0' }, plugin: {} });
    expect(config.subscribeTemplates().reviewResult).not.toMatch(/^sbx-/);
    expect(Object.keys(config.subscribeTemplates())).toEqual(['meetingReminder', 'taskWarning', 'reviewResult', 'wishUpdated']);
  });
});

describe('utils/photos', () => {
  test('after a failure halfway, a second run uploads only the photos without a token', async () => {
    signIn();
    let failB = true;
    const server = mockApi({
      'POST /api/mp/uploads': (req) =>
        req.filePath === 'b' && failB
          ? null // the connection drops
          : { statusCode: 201, data: { token: `t-${req.filePath}`, sha256: req.filePath, size: 1, contentType: 'image/jpeg' } },
    });
    let list = photos.fromPaths(['a', 'b', 'c']);

    await expect(photos.uploadMissing(list, (l) => (list = l))).rejects.toMatchObject({ message: '第2张照片上传失败：网络连接失败，请检查网络后重试' });
    expect(list.map((p) => p.status)).toEqual(['done', 'failed', 'waiting']);

    failB = false;
    await expect(photos.uploadMissing(list, (l) => (list = l))).resolves.toEqual(['t-a', 't-b', 't-c']);
    expect(server.upload.mock.calls.map((c) => c[0].filePath)).toEqual(['a', 'b', 'b', 'c']);
  });
});
