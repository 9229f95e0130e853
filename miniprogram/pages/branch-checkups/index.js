// 支部党性体检 (issue #18): the branch secretary's list of her members on the roll — who has rated herself, whom the
// branch has assessed, each result — opening a member's check-up for the branch's assessment, or her record (?orgId=).
const api = require('../../utils/api');

function status(m) {
  if (m.gradeLabel) return `${m.gradeLabel}（${m.score} 分）`;
  if (m.selfDone) return '待支部评价';
  return '未自评';
}

Component({
  data: { loading: true, error: '', orgId: 0, members: [], summary: '' },
  methods: {
    onLoad(options) {
      this.setData({ orgId: Number(options.orgId) });
      return this.load();
    },
    onShow() {
      // Back from a member's check-up: show the assessment just given.
      if (!this.data.loading) return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const list = await api.checkups.branch(this.data.orgId);
        this.setData({
          members: list.map((m) => ({ id: m.memberId, name: m.name, status: status(m), done: !!m.gradeLabel })),
          summary: `自评 ${list.filter((m) => m.selfDone).length}/${list.length} · 支部评价 ${list.filter((m) => m.branchDone).length}/${list.length}`,
        });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },
    onAssess(e) {
      wx.navigateTo({ url: `/pages/checkup/index?memberId=${e.currentTarget.dataset.id}` });
    },
    onRecord(e) {
      wx.navigateTo({ url: `/pages/record/index?memberId=${e.currentTarget.dataset.id}` });
    },
  },
});
