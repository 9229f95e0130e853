// 支部党费台账 (a branch's secretary and worker; office staff): collected, handed up (上缴) and the balance;
// this month's progress; members in arrears; and the worker's forms: record a payment made offline with its
// receipt number, set a member's base for the year (with a special lower amount the branch approved and its reason),
// record why a member has not paid her earliest owed month yet or waive it with the approval, record a hand-up with its
// reference, and (the secretary) publish the year's disclosure /h5/dues/{orgId}/{year} (GET/POST/PUT /api/mp/dues/*).
const api = require('../../utils/api');
const money = require('../../utils/money');

const CATEGORIES = [
  { key: 'employed', label: '在职' },
  { key: 'retired', label: '离退休' },
  { key: 'student', label: '学生' },
  { key: 'unemployed', label: '下岗失业' },
  { key: 'hardship', label: '生活困难' },
  { key: 'farmer', label: '农民（金额填本省每月标准）' }, // DUTIES §A.3: 0.20–1 yuan a month, as the province sets
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
    cash: { index: -1, amount: '', receiptNo: '', voluntary: '' },
    base: { index: -1, category: 0, amount: '', special: '', specialReason: '' },
    arrearsNames: [],
    settle: { index: -1, reason: '' },
    canPublish: false,
    published: '',
    handUp: { amount: '', reference: '' },
    declarations: [],
    refusal: '',
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
      const canPublish = ((member && member.roles) || []).some((g) => (g.role === 'secretary' && g.orgId === orgId) || g.role === 'staff');
      this.setData({ orgId, canPublish });
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
          reason: (m.months.find((x) => x.due && x.reason && (x.state === 'owed' || x.state === 'partly_paid')) || {}).reason || '',
        }));
        const arrears = members.filter((m) => m.owedMonths > 0);
        this.setData({
          year: b.year,
          ledger: {
            name: b.orgName,
            collected: money.yuan(b.collectedFen),
            handedUp: money.yuan(b.handedUpFen),
            balance: money.yuan(b.balanceFen),
            forward: b.forwardInFullFen ? `其中 ${money.yuan(b.forwardInFullFen)} 元为单笔1000元以上的自愿多交，须全额上缴中央` : '',
            progress: `${b.currentMonth} 已结清 ${b.currentSettled}/${b.currentAll} 人`,
            lines: b.ledger.slice(0, 20).map((l) => ({
              id: l.id,
              text: `${l.kind === 'handed_up' ? '上缴' : l.via === 'cash' ? '现金' : '微信支付'} ${l.memberName || ''} ${money.yuan(l.amountFen)} 元 · ${l.reference}${l.voluntaryLabel ? `（其中${l.voluntaryLabel}）` : ''}`,
            })),
          },
          members,
          memberNames: members.map((m) => m.name),
          arrears: arrears.map((m) => ({ id: m.id, text: `${m.name} 欠交 ${m.owedMonths} 个月，${m.owed} 元${m.reason ? `（${m.reason}）` : ''}` })),
          arrearsNames: arrears.map((m) => m.name),
          published: b.publishedAt ? `/h5/dues/${b.orgId}/${b.year}` : '',
        });
        const declared = await api.dues.branchDeclarations(this.data.orgId);
        this.setData({
          declarations: declared.filter((x) => x.state === 'pending').map((x) => ({
            key: `${x.memberId}-${x.year}`,
            memberId: x.memberId,
            year: x.year,
            text: `${x.name} ${x.year}年申报：${x.explanation}`,
          })),
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
    onCashVoluntary(e) {
      this.setData({ 'cash.voluntary': e.detail.value });
    },
    async onCash() {
      const m = this.data.members[this.data.cash.index];
      const amountFen = money.fen(this.data.cash.amount);
      if (!m || !m.open.length) return this.setData({ error: '请选择欠交党费的党员' });
      if (!amountFen) return this.setData({ error: '请填写金额（元，最多两位小数）' });
      const voluntaryFen = this.data.cash.voluntary ? money.fen(this.data.cash.voluntary) : 0;
      if (voluntaryFen === null) return this.setData({ error: '请填写自愿多交的金额（元，最多两位小数）' });
      const body = { months: m.open, amountFen, receiptNo: this.data.cash.receiptNo, voluntaryFen };
      return this.act(() => api.dues.cash(m.id, body), `已登记${m.name}的党费`);
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
    onBaseSpecial(e) {
      this.setData({ 'base.special': e.detail.value });
    },
    onBaseSpecialReason(e) {
      this.setData({ 'base.specialReason': e.detail.value });
    },
    async onBase() {
      const m = this.data.members[this.data.base.index];
      const category = CATEGORIES[this.data.base.category].key;
      const baseFen = money.fen(this.data.base.amount || '0');
      if (!m) return this.setData({ error: '请选择党员' });
      if (baseFen === null) return this.setData({ error: '请填写月收入（元，最多两位小数）' });
      const specialFen = this.data.base.special ? money.fen(this.data.base.special) : null;
      if (this.data.base.special && specialFen === null) return this.setData({ error: '请填写少交后的金额（元，最多两位小数）' });
      const specialReason = this.data.base.specialReason || null;
      return this.act(async () => {
        const r = await api.dues.setBase(m.id, { year: this.data.year, category, baseFen, specialFen, specialReason });
        this.setData({ message: r.explanation });
      }, '');
    },

    onSettleMember(e) {
      this.setData({ 'settle.index': Number(e.detail.value) });
    },
    onSettleReason(e) {
      this.setData({ 'settle.reason': e.detail.value });
    },
    /** The earliest owed month of the arrears member chosen: a reason why it is not paid yet, or (approved) waived. */
    async settleEarliest(waive) {
      const chosen = this.data.arrears[this.data.settle.index];
      const m = chosen && this.data.members.find((x) => x.id === chosen.id);
      if (!m || !m.open.length) return this.setData({ error: '请选择欠交党费的党员' });
      const body = { month: m.open[0], reason: this.data.settle.reason };
      return waive
        ? this.act(() => api.dues.waive(m.id, body), `已批准${m.name}免交${m.open[0]}的党费`)
        : this.act(() => api.dues.reason(m.id, body), `已记录${m.name}${m.open[0]}未交的原因`);
    },
    onReason() {
      return this.settleEarliest(false);
    },
    onWaive() {
      return this.settleEarliest(true);
    },
    async onPublish() {
      return this.act(() => api.dues.publish(this.data.orgId, this.data.year), `已公示${this.data.year}年党费收缴情况`);
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

    onRefusal(e) {
      this.setData({ refusal: e.detail.value });
    },
    /** The secretary confirms a member's declared base (it becomes her base) or sends it back with the reason typed above. */
    async onConfirmDeclaration(e) {
      const d = this.data.declarations.find((x) => x.key === e.currentTarget.dataset.key);
      if (!d) return;
      return this.act(async () => {
        const r = await api.dues.confirmDeclaration(d.memberId, { year: d.year, reason: null });
        this.setData({ message: `已确认：${r.explanation}` });
      }, '');
    },
    async onRefuseDeclaration(e) {
      const d = this.data.declarations.find((x) => x.key === e.currentTarget.dataset.key);
      if (!d) return;
      if (!this.data.refusal) return this.setData({ error: '请填写退回的原因' });
      return this.act(() => api.dues.refuseDeclaration(d.memberId, { year: d.year, reason: this.data.refusal }), '已退回申报');
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
