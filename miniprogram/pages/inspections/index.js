// 巡查与自查: an inspector's plan (the inspections and audits she is to make, to do first) and, for a branch's people and
// those above, the inspection reports of their orgs. A branch's secretary or worker starts this quarter's self-inspection
// (自查自纠) here. Each opens pages/inspection. The Api decides who sees what.
const api = require('../../utils/api');

function item(i) {
  return {
    id: i.id,
    title: `${i.communityName} · ${i.orgName}`,
    meta: `${i.year}年第${i.quarter}季度 · ${i.kindText}${i.inspectorName ? ` · ${i.inspectorName}` : ''}`,
    stateText: i.state === 'submitted' && i.findings ? `${i.stateText}（不符合 ${i.findings} 项）` : i.stateText,
    todo: i.state === 'planned',
  };
}

Component({
  data: { bound: true, loading: true, error: '', items: [], selfOrgId: 0, starting: false },
  methods: {
    async onLoad() {
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      if (!member) {
        this.setData({ bound: false, loading: false });
        return;
      }
      const keeper = (member.roles || []).find((r) => r.role === 'secretary' || r.role === 'worker');
      this.setData({ selfOrgId: keeper ? keeper.orgId : 0 });
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
        const list = await api.inspections.list();
        this.setData({ items: list.items.map(item) });
      } catch (err) {
        this.setData({ error: err.message, items: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
    onOpen(e) {
      wx.navigateTo({ url: `/pages/inspection/index?id=${e.currentTarget.dataset.id}` });
    },
    async onStartSelf() {
      if (this.data.starting) return;
      this.setData({ starting: true, error: '' });
      try {
        const i = await api.inspections.startSelf(this.data.selfOrgId);
        wx.navigateTo({ url: `/pages/inspection/index?id=${i.id}` });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ starting: false });
      }
    },
  },
});
