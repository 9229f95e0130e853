// 我的党费: my monthly amount and how it was worked out (GET /api/mp/dues/mine), this year's months
// (paid, partly paid, waived, owed), what I owe, and paying: the owed months and, if I wish, months ahead
// up to December, always from the earliest owed and without gaps (POST /api/mp/dues/pay, then wx.requestPayment),
// with, if she wishes, an amount above them (自愿多交; one of 1,000 yuan or more goes up in full to the centre).
const api = require('../../utils/api');
const money = require('../../utils/money');

// 申报交纳基数: the member declares her own base; her branch secretary confirms it (DUTIES §A.3).
const CATEGORIES = [
  { key: 'employed', label: '在职（月工资收入，税后）' },
  { key: 'retired', label: '离退休（月养老金）' },
  { key: 'farmer', label: '农民（本省每月标准）' },
  { key: 'student', label: '学生' },
  { key: 'unemployed', label: '下岗失业' },
  { key: 'hardship', label: '生活困难' },
];
const DECLARATION_STATES = { pending: '待支部书记确认', confirmed: '已确认', refused: '已退回' };

function monthView(m) {
  return {
    key: m.month,
    label: `${Number(m.month.slice(5))}月`,
    amount: money.yuan(m.amountFen),
    state: money.STATE_LABELS[m.state] || m.state,
    open: (m.state === 'owed' || m.state === 'partly_paid') && m.due,
    cls: `month--${m.state}`,
  };
}

Component({
  data: {
    loading: true,
    error: '',
    dues: null,
    months: [],
    owed: '',
    payable: [],
    count: 0,
    payMonths: '',
    voluntary: '',
    categories: CATEGORIES.map((c) => c.label),
    declare: { category: 0, amount: '' },
    declarations: [],
    paying: false,
    message: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const d = await api.dues.mine();
        const owedCount = d.owed.length;
        this.setData({
          dues: { name: d.name, branchName: d.branchName, year: d.year, monthly: d.monthlyFen == null ? '' : money.yuan(d.monthlyFen), explanation: d.explanation },
          months: d.months.map(monthView),
          owed: owedCount ? `欠交 ${owedCount} 个月，共 ${money.yuan(d.owedFen)} 元` : '没有欠交的党费',
          payable: d.payable,
        });
        this.choose(Math.max(owedCount, d.payable.length ? 1 : 0));
        const declared = await api.dues.myDeclarations();
        this.setData({
          declarations: declared.map((x) => ({
            year: x.year,
            text: `${x.year}年申报：${x.explanation}（${DECLARATION_STATES[x.state] || x.state}）`,
            refusal: x.state === 'refused' && x.refusal ? `退回原因：${x.refusal}` : '',
          })),
        });
      } catch (err) {
        this.setData({ error: err.message, dues: null });
      } finally {
        this.setData({ loading: false });
      }
    },
    /** Pay the first n payable months (the owed ones come first). */
    choose(n) {
      const months = this.data.payable.slice(0, n);
      this.setData({ count: months.length, payMonths: months.length ? `${Number(months[0].slice(5))}月至${Number(months[months.length - 1].slice(5))}月` : '' });
    },
    onMore() {
      this.choose(Math.min(this.data.count + 1, this.data.payable.length));
    },
    onLess() {
      this.choose(Math.max(this.data.count - 1, 1));
    },
    onVoluntary(e) {
      this.setData({ voluntary: e.detail.value });
    },
    onDeclareCategory(e) {
      this.setData({ 'declare.category': Number(e.detail.value) });
    },
    onDeclareAmount(e) {
      this.setData({ 'declare.amount': e.detail.value });
    },
    async onDeclare() {
      const category = CATEGORIES[this.data.declare.category].key;
      const baseFen = money.fen(this.data.declare.amount || '0');
      if (baseFen === null) return this.setData({ error: '请填写金额（元，最多两位小数）' });
      this.setData({ error: '', message: '' });
      try {
        const d = await api.dues.declare({ year: this.data.dues.year, category, baseFen });
        this.setData({ message: `已申报：${d.explanation}，待支部书记确认`, declare: { category: this.data.declare.category, amount: '' } });
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
    async onPay() {
      const months = this.data.payable.slice(0, this.data.count);
      if (!months.length || this.data.paying) return;
      const voluntaryFen = this.data.voluntary ? money.fen(this.data.voluntary) : 0;
      if (voluntaryFen === null) return this.setData({ error: '请填写自愿多交的金额（元，最多两位小数）' });
      this.setData({ paying: true, message: '', error: '' });
      try {
        const p = await api.dues.pay(months, voluntaryFen);
        await new Promise((resolve, reject) =>
          wx.requestPayment({
            timeStamp: p.timeStamp,
            nonceStr: p.nonceStr,
            package: p.package,
            signType: p.signType,
            paySign: p.paySign,
            success: resolve,
            fail: (err) => reject(new Error(err && /cancel/.test(err.errMsg) ? '已取消支付' : '支付未完成，请稍后再试')),
          })
        );
        this.setData({ message: '支付成功，党费到账可能稍有延迟', voluntary: '' });
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ paying: false });
      }
    },
  },
});
