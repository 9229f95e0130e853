// 待审批 (the community committee, the office): applicants whose next step is the higher committee's
// (备案, 预审, 谈话, 审批, 转正审批, 归档), the most urgent first, with the time left; opening one records it.
// The official-account notice of an approval waiting opens this page.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const development = require('../../utils/development');

Component({
  data: {
    allowed: true,
    loading: true,
    error: '',
    applicants: [],
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
      if (this.data.allowed && !this.data.loading) return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.setData({ applicants: (await api.development.approvals()).map(development.item) });
      } catch (err) {
        this.setData({ error: err.message, applicants: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/development-applicant/index?id=${e.currentTarget.dataset.id}` });
    },
  },
});
