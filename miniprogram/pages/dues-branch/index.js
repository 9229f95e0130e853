// 支部党费台账 (a branch's secretary and worker; office staff): collected, handed up (上缴) and the balance;
// this month's progress; members in arrears; and the worker's forms: record a payment made offline with its
// receipt number, set a member's base for the year, record a hand-up with its reference (GET/POST/PUT /api/mp/dues/*).
const api = require('../../utils/api');
const money = require('../../utils/money');

const CATEGORIES = [
  { key: 'employed', label: '在职' },
  { key: 'retired', label: '离退休' },
  { key: 'student', label: '学生' },
  { key: 'unemployed', label: '下岗失业' },
  { key: 'hardship', label: '生活困难' },
];

/** The branch a caller keeps: ?orgId=, else the org of her secretary or worker role. */
function branchOf(member, options) {
  if (options && options.orgId) return Number(options.orgId);
  const grant = ((member && member.roles) || []).find((g) => g.role === 'secretary' || g.role === 'worker');
  return grant ? grant.orgId : 0;
}

function openMonths(m) {
  return m.months.filter((x) => x.due && (x.state === 'owed' || x.state === 'partly_paid')).map((x) => x.month);
}

Component({
  data: {
    allowed: true,
    loading: true,
    error: '',
    orgId: 0,
    year: 0,
    ledger: null,
    arrears: [],
    members: [],
    memberNames: [],
    categories: CATEGORIES.map((c) => c.label),
    cash: { index: -1, amount: '', receiptNo: '' },
    base: { index: -1, category: 0, amount: '' },
    handUp: { amount: '', reference: '' },
    message: '',
  },
  methods: {
    async onLoad(options) {
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      const orgId = branchOf(member, options);
      if (!orgId) {
        this.setData({ allowed: false, loading: false });
        return;
      }
      this.setData({ orgId });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const b = await api.dues.branch(this.data.orgId);
        const members = b.members.map((m) => ({
          id: m.memberId,
          name: m.name,
          base: m.baseFen == null ? '未核定' : `${money.yuan(m.baseFen)} 元`,
          monthly: m.monthlyFen == null ? '' : money.yuan(m.monthlyFen),
          owedMonths: m.owedMonths,
          owed: money.yuan(m.owedFen),
          owedFen: m.owedFen,
          open: openMonths(m),
        }));
        this.setData({
          year: b.year,
          ledger: {
            name: b.orgName,
            collected: money.yuan(b.collectedFen),
            handedUp: money.yuan(b.handedUpFen),
            balance: money.yuan(b.balanceFen),
            progress: `${b.currentMonth} 已结清 ${b.currentSettled}/${b.currentAll} 人`,
            lines: b.ledger.slice(0, 20).map((l) => ({
              id: l.id,
              text: `${l.kind === 'handed_up' ? '上缴' : l.via === 'cash' ? '现金' : '微信支付'} ${l.memberName || ''} ${money.yuan(l.amountFen)} 元 · ${l.reference}`,
            })),
          },
          members,
          memberNames: members.map((m) => m.name),
          arrears: members.filter((m) => m.owedMonths > 0).map((m) => ({ id: m.id, text: `${m.name} 欠交 ${m.owedMonths} 个月，${m.owed} 元` })),
        });
      } catch (err) {
        this.setData({ error: err.message, ledger: null });
      } finally {
        this.setData({ loading: false });
      }
    },

    onCashMember(e) {
      const index = Number(e.detail.value);
      const m = this.data.members[index];
      this.setData({ cash: Object.assign({}, this.data.cash, { index, amount: m ? money.yuan(m.owedFen) : '' }) });
    },
    onCashAmount(e) {
      this.setData({ 'cash.amount': e.detail.value });
    },
    onCashReceipt(e) {
      this.setData({ 'cash.receiptNo': e.detail.value });
    },
    async onCash() {
      const m = this.data.members[this.data.cash.index];
      const amountFen = money.fen(this.data.cash.amount);
      if (!m || !m.open.length) return this.setData({ error: '请选择欠交党费的党员' });
      if (!amountFen) return this.setData({ error: '请填写金额（元，最多两位小数）' });
      return this.act(() => api.dues.cash(m.id, { months: m.open, amountFen, receiptNo: this.data.cash.receiptNo }), `已登记${m.name}的党费`);
    },

    onBaseMember(e) {
      this.setData({ 'base.index': Number(e.detail.value) });
    },
    onBaseCategory(e) {
      this.setData({ 'base.category': Number(e.detail.value) });
    },
    onBaseAmount(e) {
      this.setData({ 'base.amount': e.detail.value });
    },
    async onBase() {
      const m = this.data.members[this.data.base.index];
      const category = CATEGORIES[this.data.base.category].key;
      const baseFen = money.fen(this.data.base.amount || '0');
      if (!m) return this.setData({ error: '请选择党员' });
      if (baseFen === null) return this.setData({ error: '请填写月收入（元，最多两位小数）' });
      return this.act(async () => {
        const r = await api.dues.setBase(m.id, { year: this.data.year, category, baseFen, specialFen: null, specialReason: null });
        this.setData({ message: r.explanation });
      }, '');
    },

    onHandUpAmount(e) {
      this.setData({ 'handUp.amount': e.detail.value });
    },
    onHandUpReference(e) {
      this.setData({ 'handUp.reference': e.detail.value });
    },
    async onHandUp() {
      const amountFen = money.fen(this.data.handUp.amount);
      if (!amountFen) return this.setData({ error: '请填写上缴金额' });
      return this.act(() => api.dues.handUp(this.data.orgId, { amountFen, reference: this.data.handUp.reference }), '已登记上缴');
    },

    async act(fn, done) {
      this.setData({ error: '', message: '' });
      try {
        await fn();
        if (done) this.setData({ message: done });
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
  },
});
