// Where the Api lives, per mini program environment (wx.getAccountInfoSync().miniProgram.envVersion):
// develop = DevTools against scripts/run.sh on this machine (turn off 校验合法域名 in DevTools),
// trial (体验版) and release (正式版) = the deployed Api, whose HTTPS host must be registered as a
// request/uploadFile/downloadFile domain on mp.weixin.qq.com.
const BASE_URLS = {
  develop: 'http://127.0.0.1:8080',
  trial: 'https://wxqms-test.example.org',
  release: 'https://wxqms.example.org',
};

// One-off subscribe-message templates (订阅消息), by the key the Api knows each by when the client
// reports consent to /api/mp/subscriptions. develop talks to scripts/run.sh, whose local WeChat sandbox
// knows these ids (WxQms.Api/Sandbox/SandboxTemplates.cs).
const SANDBOX_TEMPLATES = {
  meetingReminder: 'sbx-mp-meeting-reminder', // 会议提醒
  taskWarning: 'sbx-mp-task-warning', // 任务预警
  reviewResult: 'sbx-mp-review-result', // 审核结果
  wishUpdated: 'sbx-mp-wish-updated', // 微心愿进度通知
};
// trial and release talk to the deployed Api: the template ids are the ones picked on mp.weixin.qq.com
// (功能 → 订阅消息) for this AppID, set here before a release.
const WECHAT_TEMPLATES = {
  meetingReminder: 'TMPL_MEETING_REMINDER',
  taskWarning: 'TMPL_TASK_WARNING',
  reviewResult: 'TMPL_REVIEW_RESULT',
  wishUpdated: 'TMPL_WISH_UPDATED',
};

function envVersion() {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion || 'release';
  } catch (e) {
    return 'release';
  }
}

module.exports = {
  baseUrl() {
    return BASE_URLS[envVersion()] || BASE_URLS.release;
  },
  /** @returns {Record<string, string>} key the Api knows -> template id for this environment */
  subscribeTemplates() {
    return envVersion() === 'develop' ? SANDBOX_TEMPLATES : WECHAT_TEMPLATES;
  },
  sessionStorageKey: 'wxqms.session',
  maxPhotos: 9,
};
