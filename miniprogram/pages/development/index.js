// 发展党员 (branch secretaries and workers, the community committee, the office): the pipeline I watch,
// each applicant's status, last step, next step and the time left; opening one records its next step.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const development = require('../../utils/development');

Component({
  data: {
    allowed: true,
    approvals: false,
    loading: true,
    error: '',
    applicants: [],
  },
  methods: {
    async onLoad() {
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      if (!roles.seesSummary(member)) {
        this.setData({ allowed: false, loading: false });
        return;
      }
      this.setData({ approvals: roles.canIssue(member) });
      return this.load();
    },
    onShow() {
      // Back from recording a step.
      if (this.data.allowed && !this.data.loading) return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.setData({ applicants: (await api.development.list()).map(development.item) });
      } catch (err) {
        this.setData({ error: err.message, applicants: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/development-applicant/index?id=${e.currentTarget.dataset.id}` });
    },
    onApprovals() {
      wx.navigateTo({ url: '/pages/development-approvals/index' });
    },
  },
});
