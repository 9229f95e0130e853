const { render, text, simulate } = require('../helpers/render');
const { mockChooseMedia, waitFor } = require('../helpers/wx-mock');
const config = require('../../utils/config');

function photo(path, status = 'waiting', more = {}) {
  return Object.assign({ path, status, progress: 0, token: '', error: '' }, more);
}

/** The grid with its events recorded: [{ name, detail }]. */
function grid(props) {
  const comp = render('components/photo-grid/index', props);
  const events = [];
  for (const name of ['change', 'fail']) comp.addEventListener(name, (e) => events.push({ name, detail: e.detail }));
  return { comp, events };
}

async function tap(comp, selector, index = 0) {
  comp.querySelectorAll(selector)[index].dispatchEvent('tap');
  await simulate.sleep(0);
}

describe('components/photo-grid 照片', () => {
  test('shows each photo’s progress or outcome, picks only up to the limit and hands the page the new list', async () => {
    const choose = mockChooseMedia(['p3', 'p4', 'p5']);
    const { comp, events } = grid({
      photos: [photo('p1', 'done', { progress: 100, token: 't1' }), photo('p2', 'uploading', { progress: 40 })],
      max: 4,
    });

    expect(comp.querySelectorAll('.photo__img')).toHaveLength(2);
    expect(comp.querySelectorAll('.photo__badge').map((n) => n.dom.textContent)).toEqual(['已上传']);
    expect(text(comp, '.photo__progress')).toBe('40%');

    await tap(comp, '#add-photo');
    await waitFor(() => events.length === 1);

    expect(choose.mock.lastCall[0].count).toBe(2); // four at most, two already there
    expect(events[0].name).toBe('change');
    expect(events[0].detail.photos.map((p) => [p.path, p.status])).toEqual([['p1', 'done'], ['p2', 'uploading'], ['p3', 'waiting'], ['p4', 'waiting']]);
    expect(comp.querySelectorAll('.photo__img')).toHaveLength(2); // the page owns the list
  });

  test('× takes a photo out; at the limit, or disabled while the page submits, nothing can be added or removed', async () => {
    const { comp, events } = grid({ photos: [photo('p1'), photo('p2', 'failed', { error: '太大' })], max: 2 });
    expect(comp.querySelectorAll('.photo__badge--failed').map((n) => n.dom.textContent)).toEqual(['失败']);
    expect(comp.querySelector('#add-photo')).toBeUndefined();

    await tap(comp, '.photo__remove', 0);
    expect(events).toEqual([{ name: 'change', detail: { photos: [photo('p2', 'failed', { error: '太大' })] } }]);

    comp.setData({ disabled: true, max: config.maxPhotos });
    await simulate.sleep(0);
    expect(comp.querySelector('#add-photo')).toBeUndefined();
    expect(comp.querySelectorAll('.photo__remove')).toHaveLength(0);
  });

  test('the limit is the app’s photo limit; a closed picker changes nothing and a picker that cannot open says so', async () => {
    const { comp, events } = grid({ photos: [] });
    expect(comp.data.max).toBe(config.maxPhotos);

    mockChooseMedia('cancel');
    await tap(comp, '#add-photo');
    await simulate.sleep(10);
    expect(events).toEqual([]);

    jest.spyOn(wx, 'chooseMedia').mockImplementation((opts) => opts.fail({ errMsg: 'chooseMedia:fail auth deny' }));
    await tap(comp, '#add-photo');
    await waitFor(() => events.length === 1);
    expect(events[0].name).toBe('fail');
  });
});
