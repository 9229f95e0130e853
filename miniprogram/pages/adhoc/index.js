// 临时任务 (office staff and community committees): the ad-hoc tasks issued within my scope, newest
// first, with the way to issue a new one (下发临时任务) and to open one (its copies, cancel).
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');

function item(t) {
  return { id: t.id, title: t.title, due: format.dueDay(t.dueAt), points: format.points(t.points), targetCount: t.targetCount, cancelled: t.cancelled };
}

Component({
  data: {
    allowed: true,
    loading: true,
    error: '',
    tasks: [],
  },
  methods: {
    async onLoad() {
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      if (!roles.canIssue(member)) {
        this.setData({ allowed: false, loading: false });
        return;
      }
      return this.load();
    },
    onShow() {
      // Back from issuing or cancelling one.
      if (this.data.allowed && !this.data.loading) return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.setData({ tasks: (await api.adhoc.list()).map(item) });
      } catch (err) {
        this.setData({ error: err.message, tasks: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/adhoc-task/index?id=${e.currentTarget.dataset.id}` });
    },
    onNew() {
      wx.navigateTo({ url: '/pages/adhoc-new/index' });
    },
  },
});
