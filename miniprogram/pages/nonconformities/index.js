// 我们的问题 (不符合项): for a branch's secretary or worker (and its committee, the community, the office) the branch's
// nonconformities with where each stands, the past-due ones marked; for the community's secretary or committee (and the
// office) the effectiveness checks due (待验证). Each opens pages/nonconformity with its trail and forms. The Api decides
// again who may; this page only offers.
const api = require('../../utils/api');
const roles = require('../../utils/roles');

function item(n) {
  return {
    id: n.id,
    orgName: n.orgName,
    description: n.description,
    clause: n.clause || '',
    meta: `${n.sourceText} · ${n.severityText}`,
    stateText: n.pastDue ? `${n.stateText}（逾期）` : n.stateText,
    warn: n.pastDue || n.state === 'reopened' || n.checkDueNow,
    due: n.state === 'awaiting_check' ? `验证日期 ${n.checkDueOn}` : n.actionDueOn ? `整改期限 ${n.actionDueOn}` : '',
  };
}

Component({
  data: {
    bound: true,
    checker: false,
    tab: 'ours', // 'ours' or 'checks'
    loading: true,
    error: '',
    items: [],
  },
  methods: {
    async onLoad() {
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      if (!member) {
        this.setData({ bound: false, loading: false });
        return;
      }
      const checker = roles.canIssue(member);
      this.setData({ checker, tab: roles.canAct(member) || !checker ? 'ours' : 'checks' });
      return this.load();
    },
    onShow() {
      if (!this.data.loading && this.data.bound) return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const list = this.data.tab === 'checks' ? await api.nonconformities.checks() : await api.nonconformities.list();
        this.setData({ items: list.items.map(item) });
      } catch (err) {
        this.setData({ error: err.message, items: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
    onTab(e) {
      const tab = e.currentTarget.dataset.tab;
      if (tab === this.data.tab) return;
      this.setData({ tab });
      return this.load();
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/nonconformity/index?id=${e.currentTarget.dataset.id}` });
    },
  },
});
