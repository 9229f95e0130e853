// 我的入党进度 (the applicant, and the member she became): where I stand in the five stages, the steps
// done with their dates, what comes next and when (earliest, due, the rule behind each date), and once
// admitted the probation's end and, as a full member, the party standing date. A resident with no record yet
// (signed in, not a member) applies here herself: her name, sex, birth date, phone and the branch she applies to.
const api = require('../../utils/api');
const format = require('../../utils/format');
const development = require('../../utils/development');

function progress(a, today) {
  const view = development.item(a);
  const dates = [];
  if (a.admittedOn) dates.push(`接收为预备党员：${a.admittedOn}`);
  if (a.probationEndsOn && !a.partyStandingOn) dates.push(`预备期满：${a.probationEndsOn}${a.extensionMonths ? `（已延长 ${a.extensionMonths} 个月）` : ''}`);
  if (a.partyStandingOn) dates.push(`党龄起算：${a.partyStandingOn}`);
  return Object.assign(view, {
    stageName: a.stageName,
    stage: a.stage,
    timetable: development.timetable(a.next, today),
    dates,
    steps: (a.steps || []).map((s) => ({ id: s.id, title: `第 ${s.step} 步 ${s.name}`, date: s.occurredOn })),
  });
}

const SEXES = [{ value: 'female', label: '女' }, { value: 'male', label: '男' }];

Component({
  data: {
    loading: true,
    error: '',
    mine: [],
    canApply: false,
    branches: [],
    sexes: SEXES,
    form: { name: '', sex: '', birthDate: '', phone: '', branch: -1 },
    formError: '',
    saving: false,
    today: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value, formError: '' });
    },
    onSex(e) {
      this.setData({ 'form.sex': SEXES[Number(e.detail.value)].value, formError: '' });
    },
    onBranch(e) {
      this.setData({ 'form.branch': Number(e.detail.value), formError: '' });
    },
    /** 递交入党申请: checked here for what is missing, then by the API (age, phone), whose refusal is shown as it says. */
    async onApply() {
      const f = this.data.form;
      const branch = this.data.branches[f.branch];
      const missing = !f.name.trim() ? '请填写姓名' : !f.sex ? '请选择性别' : !f.birthDate ? '请选择出生日期' : !branch ? '请选择申请加入的党支部' : '';
      if (missing) {
        this.setData({ formError: missing });
        return;
      }
      this.setData({ saving: true, formError: '' });
      try {
        await api.development.apply({ orgId: branch.id, name: f.name.trim(), sex: f.sex, birthDate: f.birthDate, phone: f.phone.trim() || null });
        wx.showToast({ title: '已递交', icon: 'success' });
        await this.load();
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const today = format.today();
        const mine = (await api.development.mine()).map((a) => progress(a, today));
        const canApply = mine.length === 0 && !api.currentMember();
        const branches = canApply ? (await api.development.branches()).map((b) => Object.assign(b, { label: b.communityName === b.name ? b.name : `${b.communityName} · ${b.name}` })) : [];
        this.setData({ mine, canApply, branches, today });
      } catch (err) {
        this.setData({ error: err.message, mine: [], canApply: false });
      } finally {
        this.setData({ loading: false });
      }
    },
  },
});
