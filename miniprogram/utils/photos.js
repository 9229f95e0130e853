// Photos picked for a submission, uploaded one by one (wx.uploadFile sends one file per request).
// Each photo keeps its upload token once the Api has it, so after a failure halfway a second tap
// uploads only what is missing, and the form around it is never lost. And the photos already sent,
// shown from local copies.
const api = require('./api');

/** @typedef {{ path: string, status: 'waiting'|'uploading'|'done'|'failed', progress: number, token: string, error: string }} Photo */

/** @param {string[]} paths @returns {Photo[]} */
function fromPaths(paths) {
  return paths.map((path) => ({ path, status: 'waiting', progress: 0, token: '', error: '' }));
}

/** wx.chooseMedia for up to `count` images; closing the picker is not an error. @returns {Promise<string[]>} */
function choose(count) {
  if (count <= 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    wx.chooseMedia({
      count,
      mediaType: ['image'],
      sourceType: ['album', 'camera'],
      sizeType: ['compressed'],
      success: (res) => resolve((res.tempFiles || []).map((f) => f.tempFilePath)),
      fail: (err) => (/cancel/.test((err && err.errMsg) || '') ? resolve([]) : reject(err)),
    });
  });
}

/**
 * Uploads every photo without a token, in order; `changed(list)` after each step so the page can
 * show progress. Rejects with an ApiError naming the photo on the first failure.
 * @param {Photo[]} photos
 * @param {(photos: Photo[]) => void} changed
 * @returns {Promise<string[]>} the tokens, in the photos' order
 */
async function uploadMissing(photos, changed) {
  const list = photos.map((p) => Object.assign({}, p));
  for (let i = 0; i < list.length; i++) {
    if (list[i].token) continue;
    list[i] = Object.assign({}, list[i], { status: 'uploading', progress: 0, error: '' });
    changed(list.slice());
    try {
      const res = await api.uploadPhoto(list[i].path, (progress) => {
        list[i] = Object.assign({}, list[i], { progress });
        changed(list.slice());
      });
      list[i] = Object.assign({}, list[i], { status: 'done', progress: 100, token: res.token });
      changed(list.slice());
    } catch (err) {
      list[i] = Object.assign({}, list[i], { status: 'failed', error: err.message });
      changed(list.slice());
      throw new api.ApiError(err.statusCode || 0, `第${i + 1}张照片上传失败：${err.message}`, { code: err.code });
    }
  }
  return list.map((p) => p.token);
}

/**
 * Shows the photos already sent with each entry of a list in the page's data (`path`, e.g. 'nc.trail'; an entry's
 * `photoUrls`) as local files in the entry's `srcs`: the photo route wants the caller's token, an <image> cannot
 * send it. A photo that cannot be loaded is left out and `photoError` says so.
 * @param {{ data: any, setData: (patch: object) => void }} page
 * @param {string} path
 */
async function showSent(page, path) {
  const list = path.split('.').reduce((o, k) => o[k], page.data);
  let photoError = '';
  for (let i = 0; i < list.length; i++) {
    const srcs = [];
    for (const url of list[i].photoUrls) {
      try {
        srcs.push(await api.download(url));
      } catch (err) {
        photoError = `部分照片加载失败：${err.message}`;
      }
    }
    if (srcs.length) page.setData({ [`${path}[${i}].srcs`]: srcs });
  }
  page.setData({ photoError });
}

module.exports = { fromPaths, choose, uploadMissing, showSent };
