// ESLint 10 flat config for the mini program (plain CommonJS, runs in WeChat's JS engine).
const js = require('@eslint/js');
const globals = require('globals');

const miniprogramGlobals = {
  wx: 'readonly',
  App: 'readonly',
  Page: 'readonly',
  Component: 'readonly',
  Behavior: 'readonly',
  getApp: 'readonly',
  getCurrentPages: 'readonly',
  requirePlugin: 'readonly',
  requireMiniProgram: 'readonly',
  // CommonJS is native in mini programs
  require: 'readonly',
  module: 'writable',
  exports: 'writable',
  console: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
};

module.exports = [
  { ignores: ['node_modules/**', 'miniprogram_npm/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      ecmaVersion: 2020, // keep to what the WeChat runtime + "enhance" compile handle
      sourceType: 'commonjs',
      globals: miniprogramGlobals, // deliberately NOT browser or node: no window/document/process
    },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-globals': ['error', 'window', 'document', 'localStorage', 'fetch'],
      'no-restricted-properties': [
        'error',
        { object: 'wx', property: 'request', message: 'Use utils/api.js instead of wx.request.' },
        { object: 'wx', property: 'uploadFile', message: 'Use utils/api.js (upload) instead of wx.uploadFile.' },
        { object: 'wx', property: 'downloadFile', message: 'Use utils/api.js (download) instead of wx.downloadFile.' },
      ],
    },
  },
  {
    files: ['utils/api.js'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**/*.js', 'scripts/**/*.js', 'jest.config.js', 'eslint.config.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'commonjs',
      globals: { ...globals.node, ...globals.jest, ...miniprogramGlobals, document: 'readonly', window: 'readonly' },
    },
    rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off' },
  },
];
