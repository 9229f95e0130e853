// 我的入党进度 (the applicant, and the member she became): where I stand in the five stages, the steps
// done with their dates, what comes next and when (earliest, due, the rule behind each date), and once
// admitted the probation's end and, as a full member, the party standing date.
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

Component({
  data: {
    loading: true,
    error: '',
    mine: [],
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
        const today = format.today();
        this.setData({ mine: (await api.development.mine()).map((a) => progress(a, today)) });
      } catch (err) {
        this.setData({ error: err.message, mine: [] });
      } finally {
        this.setData({ loading: false });
      }
    },
  },
});
