// 我的党费: my monthly amount and how it was worked out (GET /api/mp/dues/mine), this year's months
// (paid, partly paid, waived, owed), what I owe, and paying: the owed months and, if I wish, months ahead
// up to December, always from the earliest owed and without gaps (POST /api/mp/dues/pay, then wx.requestPayment),
// with, if she wishes, an amount above them (自愿多交; one of 1,000 yuan or more goes up in full to the centre).
const api = require('../../utils/api');
const money = require('../../utils/money');

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
