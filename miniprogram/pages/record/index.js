// 我的档案 (issue #18): a member's year — meetings attended, on leave and missed; dues; every point with its
// source and reason (their sum is the year's points her stars count); the stars month by month and what would
// raise them. ?memberId= for a secretary looking at a member of her branch (GET /api/mp/members/{id}/record).
const api = require('../../utils/api');

function points(n) {
  return String(Math.round(Number(n) * 100) / 100);
}

function day(iso) {
  return String(iso).slice(0, 10);
}

Component({
  data: { loading: true, error: '', memberId: 0, record: null, entries: [], sources: [], months: [], meetings: [], dues: '', sms: '' },
  methods: {
    onLoad(options) {
      this.setData({ memberId: Number((options && options.memberId) || 0) });
      return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const r = await api.record(this.data.memberId || undefined);
        this.setData({
          record: { name: r.name, orgName: r.orgName, year: r.year, stars: r.stars, total: points(r.pointsTotal), advice: r.advice,
            attended: r.meetings.attended, onLeave: r.meetings.onLeave, missed: r.meetings.missed },
          dues: r.dues ? r.dues.label : '暂无党费记录',
          sms: r.sms.label, // #21: 「TD」 opts her number out of non-essential SMS
          entries: r.points.map((p) => ({ id: p.id, day: day(p.at), points: (p.points > 0 ? '+' : '') + points(p.points),
            source: p.sourceLabel, reason: p.reason, task: p.task || '' })),
          sources: r.bySource.map((s) => ({ source: s.source, label: s.sourceLabel, points: points(s.points), entries: s.entries })),
          months: r.months.map((m) => ({ period: m.period, label: m.periodLabel, stars: m.stars, points: points(m.pointsYear) })),
          meetings: r.meetingList.map((m) => ({ taskId: m.taskId, task: m.task, day: day(m.heldAt), presence: m.presenceLabel })),
        });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    onCheckup() {
      wx.navigateTo({ url: '/pages/checkup/index' });
    },
  },
});
