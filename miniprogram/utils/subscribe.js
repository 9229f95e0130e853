// One-off subscribe messages (订阅消息). WeChat shows the consent sheet only when
// wx.requestSubscribeMessage runs inside a tap handler, so call ask() first thing in the handler,
// before any await, and do not wait for it: the consent never blocks what the user tapped for.
// The answer is reported to the Api (which sends only what was accepted); failures are ignored.
const config = require('./config');
const api = require('./api');

/**
 * @param {string[]} keys keys of config.subscribeTemplates
 * @returns {Promise<Record<string, string>>} key -> 'accept' | 'reject' | 'ban' | 'filter'; never rejects
 */
function ask(keys) {
  const ids = keys.map((k) => config.subscribeTemplates[k]).filter(Boolean);
  if (!ids.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve({});
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: ids,
      success: (res) => {
        /** @type {Record<string, string>} */
        const answers = {};
        keys.forEach((k) => {
          const id = config.subscribeTemplates[k];
          if (id && res[id]) answers[k] = res[id];
        });
        resolve(answers);
      },
      fail: () => resolve({}),
    });
  }).then((answers) => {
    const results = Object.keys(answers).map((key) => ({
      key,
      templateId: config.subscribeTemplates[key],
      result: answers[key],
    }));
    if (results.length) api.reportSubscriptions(results).catch(() => {});
    return answers;
  });
}

module.exports = { ask };
