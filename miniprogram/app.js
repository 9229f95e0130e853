const api = require('./utils/api');

App({
  globalData: {},

  onLaunch() {
    // Sign in early so the first page already has a token; pages sign in again on demand.
    api.login().catch(() => {});
  },
});
