const { render, text, simulate } = require('../helpers/render');
const { mockApi, signIn, mockChooseMedia, mockSubscribe, waitFor, settle } = require('../helpers/wx-mock');
const { wishDto, problem } = require('../helpers/fixtures');

async function fire(page, selector, event, detail) {
  page.querySelector(selector).dispatchEvent(event, detail === undefined ? {} : { detail });
  await simulate.sleep(0);
}

describe('pages/wishes 微心愿', () => {
  test('lists published wishes, switches to mine, opens one', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/wishes': (req) => ({ data: req.query === 'mine=true' ? [] : [wishDto(), wishDto({ id: 6, title: '想要一套儿童读物' })] }),
    });
    const navigate = jest.spyOn(wx, 'navigateTo');
    const page = render('pages/wishes/index');
    await page.instance.onLoad({});

    expect(server.sent('GET /api/mp/wishes')[0].query).toBe('status=published');
    expect(text(page, '#wish-5')).toContain('希望有人帮忙修理轮椅');
    expect(text(page, '#wish-5')).toContain('张*');

    await fire(page, '#filter-mine', 'tap');
    await waitFor(() => !page.data.loading);
    expect(text(page, '#empty')).toBe('暂无心愿');

    page.setData({ wishes: [wishDto()] });
    await fire(page, '#wish-5', 'tap');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/wish/index?id=5' });
  });

  test('shows the Api error when wishes cannot be listed', async () => {
    signIn();
    mockApi({ 'GET /api/mp/wishes': 'network' });
    const page = render('pages/wishes/index');
    await page.instance.onLoad({});
    expect(text(page, '#error')).toBe('网络连接失败，请检查网络后重试');
  });
});

describe('pages/wish 心愿详情', () => {
  test('a member claims a published wish', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/wishes/5': { data: wishDto() },
      'POST /api/mp/wishes/5/claim': { data: wishDto({ status: 'claimed', statusLabel: '进行中', claimerName: '王芳', claimedByMe: true, version: 2 }) },
      'POST /api/mp/subscriptions': { statusCode: 204 },
    });
    mockSubscribe({ TMPL_WISH_UPDATED: 'accept' });
    const page = render('pages/wish/index');
    await page.instance.onLoad({ id: '5' });

    await fire(page, '#claim', 'tap');
    await waitFor(() => page.data.wish.status === 'claimed');
    expect(server.sent('POST /api/mp/wishes/5/claim')[0].body).toEqual({ version: 1 });
    expect(text(page, '#claimer')).toBe('王芳');
    expect(text(page, '#claim')).toBeNull();
    expect(text(page, '#fulfil')).toBe('提交完成');
    await settle();
  });

  test('the claimer fulfils with photos; a claim conflict is shown', async () => {
    signIn();
    const server = mockApi({
      'GET /api/mp/wishes/5': { data: wishDto({ status: 'claimed', statusLabel: '进行中', claimerName: '王芳', claimedByMe: true, version: 2 }) },
      'POST /api/mp/uploads': (req) => ({ statusCode: 201, data: { token: `t-${req.filePath}`, sha256: 'aa', size: 10, contentType: 'image/jpeg' } }),
      'POST /api/mp/wishes/5/fulfil': { data: wishDto({ status: 'fulfilled', statusLabel: '待确认', claimerName: '王芳', claimedByMe: true, version: 3 }) },
    });
    mockChooseMedia(['p1']);
    const page = render('pages/wish/index');
    await page.instance.onLoad({ id: '5' });

    await fire(page, '#fulfil', 'tap');
    expect(text(page, '#action-error')).toBe('请上传至少一张完成照片');

    await fire(page, '#photos >>> #add-photo', 'tap');
    await waitFor(() => page.data.photos.length === 1);
    await fire(page, '#note-input', 'input', { value: '已修好刹车' });
    await fire(page, '#fulfil', 'tap');
    await waitFor(() => page.data.wish.status === 'fulfilled');
    expect(server.sent('POST /api/mp/wishes/5/fulfil')[0].body).toEqual({ note: '已修好刹车', photoTokens: ['t-p1'], version: 2 });
  });

  test('the wisher confirms a fulfilled wish; someone else cannot', async () => {
    signIn(null);
    mockApi({
      'GET /api/mp/wishes/5': {
        data: wishDto({
          status: 'fulfilled', statusLabel: '待确认', claimerName: '王芳', mine: true, fulfilNote: '已修好刹车',
          fulfilledAt: '2026-11-20T02:00:00+00:00', autoConfirmAt: '2026-11-27T02:00:00+00:00',
        }),
      },
      'POST /api/mp/wishes/5/confirm': { statusCode: 409, data: problem(409, '冲突', '心愿已被他人更新，请刷新后再试', 'wish.stale') },
    });
    const page = render('pages/wish/index');
    await page.instance.onLoad({ id: '5' });
    expect(text(page, '#claim')).toBeNull();
    expect(text(page, '#fulfil-note')).toBe('已修好刹车');
    expect(text(page, '#auto-confirm')).toContain('前未确认将自动点亮');

    await fire(page, '#confirm', 'tap');
    await waitFor(() => page.data.actionError);
    expect(text(page, '#action-error')).toBe('心愿已被他人更新，请刷新后再试');
  });
});

describe('pages/wish-new 发布心愿', () => {
  const COMMUNITIES = [{ id: 30, name: '东风路第三社区' }];

  test('checks the form, then posts the wish to the chosen community', async () => {
    signIn(null);
    const server = mockApi({
      'GET /api/mp/wishes/communities': { data: COMMUNITIES },
      'POST /api/mp/wishes': { statusCode: 201, data: wishDto({ id: 9, status: 'reviewing', statusLabel: '审核中', mine: true }) },
      'POST /api/mp/subscriptions': { statusCode: 204 },
    });
    mockSubscribe({});
    const redirect = jest.spyOn(wx, 'redirectTo');
    const page = render('pages/wish-new/index');
    await page.instance.onLoad();

    await fire(page, '#title-input', 'input', { value: '希望有人帮忙修理轮椅' });
    await fire(page, '#description-input', 'input', { value: '轮椅刹车坏了' });
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('请选择所在社区');

    await fire(page, '#community-picker', 'change', { value: '0' });
    expect(text(page, '#community')).toBe('东风路第三社区');
    await fire(page, '#save', 'tap');
    await waitFor(() => redirect.mock.calls.length === 1);
    expect(server.sent('POST /api/mp/wishes')[0].body).toEqual({ title: '希望有人帮忙修理轮椅', description: '轮椅刹车坏了', communityId: 30 });
    expect(redirect).toHaveBeenCalledWith({ url: '/pages/wish/index?id=9' });
    await settle();
  });
  test('a resident adds photos and a 称呼; the photos go up first, then the wish names them', async () => {
    signIn(null);
    const server = mockApi({
      'GET /api/mp/wishes/communities': { data: COMMUNITIES },
      'POST /api/mp/uploads': (req) => ({ statusCode: 201, data: { token: `t-${req.filePath}`, sha256: 'aa', size: 10, contentType: 'image/jpeg' } }),
      'POST /api/mp/wishes': { statusCode: 201, data: wishDto({ id: 10, status: 'reviewing', statusLabel: '审核中', mine: true }) },
      'POST /api/mp/subscriptions': { statusCode: 204 },
    });
    mockSubscribe({});
    mockChooseMedia(['p1', 'p2']);
    const redirect = jest.spyOn(wx, 'redirectTo');
    const page = render('pages/wish-new/index');
    await page.instance.onLoad();

    await fire(page, '#title-input', 'input', { value: '想请人陪我去医院复查' });
    await fire(page, '#description-input', 'input', { value: '行动不便，需要有人陪同' });
    await fire(page, '#community-picker', 'change', { value: '0' });
    await fire(page, '#name-input', 'input', { value: '张奶奶家的老伴儿今年八十岁' });
    await fire(page, '#photos >>> #add-photo', 'tap');
    await waitFor(() => page.data.photos.length === 2);
    await fire(page, '#save', 'tap');
    expect(text(page, '#form-error')).toBe('称呼不超过 10 个字');

    await fire(page, '#name-input', 'input', { value: '张奶奶' });
    await fire(page, '#save', 'tap');
    await waitFor(() => redirect.mock.calls.length === 1);
    expect(server.sent('POST /api/mp/uploads').map((r) => r.filePath)).toEqual(['p1', 'p2']);
    expect(server.sent('POST /api/mp/wishes')[0].body).toEqual({
      title: '想请人陪我去医院复查', description: '行动不便，需要有人陪同', communityId: 30, photoTokens: ['t-p1', 't-p2'], name: '张奶奶',
    });
    await settle();
  });

  test('a member is called by their name: no 称呼 is asked for', async () => {
    signIn();
    mockApi({
      'GET /api/mp/wishes/communities': { data: COMMUNITIES },
    });
    const page = render('pages/wish-new/index');
    await page.instance.onLoad();

    expect(page.querySelector('#name-input')).toBeUndefined();
    expect(page.querySelector('#photos >>> #add-photo')).toBeDefined();
  });
});
