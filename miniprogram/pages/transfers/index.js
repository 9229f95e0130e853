// 组织关系转接: for a branch's secretary or worker (and a community committee, the office) the transfers in and
// out of her branch, with what each waits for: a move within the subdistrict to accept (接收) or withdraw (撤销),
// a letter out whose acceptance or receipt (回执) is to be recorded, and the warnings (信已过期, 回执逾期); for a
// member, her own transfers and what comes next. The Api decides again who may; this page only offers.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');

function next(t) {
  if (t.kind === 'within' && t.state === 'requested') return `等待${t.toOrgName}接收`;
  if (t.kind === 'out' && t.state === 'issued') return t.letterExpired ? '介绍信已过期，未接收：请补开或作废重开' : `介绍信有效期至 ${t.validUntil}，待接收方接收`;
  if (t.kind === 'out' && t.state === 'accepted') return t.receiptOverdue ? `回执逾期（应于 ${t.receiptDueOn} 前寄回）` : `回执应于 ${t.receiptDueOn} 前寄回`;
  if (t.kind === 'certificate') return `党员证明信，外出至 ${t.validUntil}`;
  return '';
}

function item(t, member, orgId) {
  const keeps = !!orgId;
  return {
    id: t.id,
    memberName: t.memberName,
    kindText: t.kindText,
    stateText: t.stateText,
    route: `${t.fromOrgName} → ${t.toOrgName}`,
    letterNo: t.letterNo || '',
    dues: t.duesPaidThrough ? `党费交至 ${t.duesPaidThrough}` : '',
    next: next(t),
    warn: t.receiptOverdue || t.letterExpired,
    canAccept: keeps && t.kind === 'within' && t.state === 'requested' && roles.keepsOrg(member, t.toOrgId),
    canCancel: keeps && t.kind === 'within' && t.state === 'requested',
    canRecordAcceptance: keeps && t.kind === 'out' && t.state === 'issued' && !t.letterExpired,
    canRecordReceipt: keeps && t.kind === 'out' && t.state === 'accepted',
    acceptedOn: t.acceptedOn || '',
  };
}

Component({
  data: {
    bound: true,
    member: null,
    keeper: false,
    tab: 'org', // 'org' (her branch's) or 'mine'
    orgId: 0,
    loading: true,
    error: '',
    notice: '',
    saving: false,
    today: '',
    transfers: [],
  },
  methods: {
    async onLoad() {
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      if (!member) {
        this.setData({ bound: false, loading: false });
        return;
      }
      const keeper = roles.keepsRecords(member);
      this.setData({ member, keeper, tab: keeper ? 'org' : 'mine', orgId: keeper ? roles.keepRoot(member) : 0, today: format.today() });
      return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    async load() {
      if (!this.data.member) return;
      this.setData({ loading: true, error: '' });
      try {
        const org = this.data.tab === 'org';
        const list = org ? await api.transfers.list(this.data.orgId) : await api.transfers.mine();
        this.setData({ transfers: list.items.map((t) => item(t, this.data.member, org ? this.data.orgId : 0)) });
      } catch (err) {
        this.setData({ error: err.message, transfers: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
    onTab(e) {
      const tab = e.currentTarget.dataset.tab;
      if (tab === this.data.tab) return;
      this.setData({ tab, notice: '' });
      return this.load();
    },

    /** One step on a transfer; its outcome is told and the list reloaded. */
    async act(step, done) {
      if (this.data.saving) return;
      this.setData({ saving: true, error: '', notice: '' });
      try {
        const t = await step();
        this.setData({ notice: done(t) });
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
    onAccept(e) {
      const id = e.currentTarget.dataset.id;
      return this.act(() => api.transfers.accept(id), (t) => `已接收，${t.memberName}已转入${t.toOrgName}`);
    },
    onCancel(e) {
      const id = e.currentTarget.dataset.id;
      return this.act(() => api.transfers.cancel(id), (t) => `已撤销${t.memberName}的转接申请`);
    },
    onAcceptedOn(e) {
      const id = e.currentTarget.dataset.id;
      return this.act(() => api.transfers.accept(id, e.detail.value), (t) => `已登记接收，回执应于 ${t.receiptDueOn} 前寄回`);
    },
    onReceiptOn(e) {
      const id = e.currentTarget.dataset.id;
      return this.act(() => api.transfers.receipt(id, e.detail.value), (t) => `回执已登记，${t.memberName}的组织关系已转出`);
    },
  },
});
