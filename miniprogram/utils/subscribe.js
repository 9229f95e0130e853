// One-off subscribe messages (订阅消息). WeChat shows the consent sheet only when
// wx.requestSubscribeMessage runs inside a tap handler, so call ask() first thing in the handler,
// before any await, and do not wait for it: the consent never blocks what the user tapped for.
// The answer is reported to the Api (POST /api/mp/subscriptions, which sends only what was accepted);
// a refused sheet or a failed report is ignored.
const config = require('./config');
const api = require('./api');

/**
 * @param {string[]} keys keys of config.subscribeTemplates(): meetingReminder, taskWarning, reviewResult, wishUpdated
 * @returns {Promise<Record<string, string>>} key -> 'accept' | 'reject' | 'ban' | 'filter'; never rejects
 */
function ask(keys) {
  const templates = config.subscribeTemplates();
  const known = keys.filter((k) => templates[k]);
  if (!known.length || typeof wx.requestSubscribeMessage !== 'function') return Promise.resolve({});
  return new Promise((resolve) => {
    wx.requestSubscribeMessage({
      tmplIds: known.map((k) => templates[k]),
      success: (res) => {
        /** @type {Record<string, string>} */
        const answers = {};
        known.forEach((k) => {
          if (res[templates[k]]) answers[k] = res[templates[k]];
        });
        resolve(answers);
      },
      fail: () => resolve({}),
    });
  }).then((answers) => {
    const results = Object.keys(answers).map((key) => ({ key, templateId: templates[key], result: answers[key] }));
    if (results.length) api.subscriptions.report(results).catch(() => {});
    return answers;
  });
}

module.exports = { ask };
