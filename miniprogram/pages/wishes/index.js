// 微心愿: published wishes waiting to be claimed, those in progress and lit, or my own.
const api = require('../../utils/api');

const FILTERS = [
  { key: 'published', label: '待认领' },
  { key: 'claimed', label: '进行中' },
  { key: 'lit', label: '已点亮' },
  { key: 'mine', label: '我的' },
];

Component({
  data: { filters: FILTERS, filter: 'published', loading: true, error: '', wishes: [] },
  methods: {
    onLoad(query) {
      if (query && query.mine) this.setData({ filter: 'mine' });
      return this.load();
    },
    onShow() {
      if (!this.data.loading) return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const f = this.data.filter;
        const wishes = await api.wishes.list(f === 'mine' ? { mine: true } : { status: f });
        this.setData({ wishes });
      } catch (err) {
        this.setData({ error: err.message, wishes: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
    onFilter(e) {
      this.setData({ filter: e.currentTarget.dataset.key });
      return this.load();
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/wish/index?id=${e.currentTarget.dataset.id}` });
    },
    onPost() {
      wx.navigateTo({ url: '/pages/wish-new/index' });
    },
  },
});
