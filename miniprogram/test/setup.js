// Runs before every test file (jest "setupFilesAfterEnv").
// miniprogram-simulate installs global.wx (stubbed APIs) and global.Component on require.
require('miniprogram-simulate');
const { takeViolations } = require('./helpers/wx-mock');

// simulate's storage APIs are no-ops; give tests a real in-memory storage.
const storage = new Map();
wx.getStorageSync = (key) => (storage.has(key) ? storage.get(key) : '');
wx.setStorageSync = (key, value) => {
  storage.set(key, value);
};
wx.removeStorageSync = (key) => {
  storage.delete(key);
};
// The DevTools build: config.baseUrl() is the local Api of scripts/run.sh.
wx.getAccountInfoSync = () => ({ miniProgram: { appId: 'wx0b0000000000test', envVersion: 'develop', version: '' }, plugin: {} });
for (const name of ['showToast', 'navigateTo', 'navigateBack', 'redirectTo', 'stopPullDownRefresh', 'previewImage']) {
  wx[name] = () => {};
}

global.getApp = () => ({ globalData: {} });
global.getCurrentPages = () => [];

afterEach(() => {
  storage.clear();
  jest.restoreAllMocks();
  const violations = takeViolations();
  if (violations.length) throw new Error(`the Api mocks left the contract:\n  ${violations.join('\n  ')}`);
});
