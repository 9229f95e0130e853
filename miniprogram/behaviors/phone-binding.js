// Binding as a party member with the phone number WeChat vouches for (a getPhoneNumber button whose
// bindgetphonenumber is onPhoneNumber, and #bind-error showing bindError), shared by 任务 and 我的. Once bound the
// page loads again (its `load()`).
const api = require('../utils/api');

module.exports = Behavior({
  data: { bindError: '' },
  methods: {
    async onPhoneNumber(e) {
      if (!e.detail.code) {
        this.setData({ bindError: '需要授权手机号才能绑定党员身份' });
        return;
      }
      this.setData({ bindError: '' });
      try {
        await api.bind(e.detail.code);
        await this.load();
      } catch (err) {
        this.setData({ bindError: err.message });
      }
    },

    /** The page's own load (a page overrides it). */
    load() {
      return Promise.resolve();
    },
  },
});
