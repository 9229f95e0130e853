// Where the Api lives, per mini program environment (wx.getAccountInfoSync().miniProgram.envVersion):
// develop = DevTools against scripts/run.sh on this machine (turn off 校验合法域名 in DevTools),
// trial (体验版) and release (正式版) = the deployed Api, whose HTTPS host must be registered as a
// request/uploadFile/downloadFile domain on mp.weixin.qq.com.
const BASE_URLS = {
  develop: 'http://127.0.0.1:8080',
  trial: 'https://wxqms-test.example.org',
  release: 'https://wxqms.example.org',
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
  sessionStorageKey: 'wxqms.session',
  // One-off subscribe-message templates, configured on mp.weixin.qq.com; the keys are what the Api
  // knows them by when the client reports consent to /api/mp/subscriptions.
  subscribeTemplates: {
    evidenceJudged: 'TMPL_EVIDENCE_JUDGED',
    evidenceReviewed: 'TMPL_EVIDENCE_REVIEWED',
    meetingReminder: 'TMPL_MEETING_REMINDER',
    wishUpdated: 'TMPL_WISH_UPDATED',
  },
  maxPhotos: 9,
};
