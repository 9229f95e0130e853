// 排名: communities in the subdistrict, or the branches of my community, by earned ÷ possible points
// for a month or the year so far (GET /api/rankings → RankingView); my own org highlighted; a closed month
// shows when it was closed, the live month is 暂定 (provisional) as of the moment the Api computed it and
// counts every task of the period. It opens on the Api's default, the last closed month; 本年累计 is one tap.
const api = require('../../utils/api');
const format = require('../../utils/format');

/** Points as people read them: 9, 9.5, 9.25 (the Api sends decimals). */
function points(n) {
  return String(Math.round(Number(n) * 100) / 100);
}

Component({
  data: {
    level: 'community',
    period: '',
    month: '',
    year: '',
    loading: true,
    error: '',
    heading: '',
    status: null,
    rows: [],
    myOrgIds: [],
  },
  methods: {
    async onLoad() {
      this.setData({ month: format.currentMonth() });
      try {
        const { member } = await api.ensureSession();
        if (member) this.setData({ myOrgIds: await this.ancestry(member.orgId) });
      } catch (err) {
        // Without my org the ranking is still shown, unhighlighted.
      }
      return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },

    /** My org and those above it up to the branch level (a party group's branch, a branch's community). */
    async ancestry(orgId) {
      let org = await api.org(orgId);
      const ids = [org.id];
      while (org.depth > 2 && org.parentId) {
        org = await api.org(org.parentId);
        ids.push(org.id);
      }
      if (org.parentId && org.depth === 2) ids.push(org.parentId);
      return ids;
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        // No scope: the Api ranks communities within my subdistrict and branches within my community.
        // No period at first: the Api opens on the last closed month.
        const view = await api.rankings({ period: this.data.period || undefined, level: this.data.level });
        const mine = this.data.myOrgIds;
        const closed = format.dateTime(view.closedAt);
        const monthly = /^\d{4}-\d{2}$/.test(view.period);
        this.setData({
          period: view.period,
          month: monthly ? view.period : this.data.month,
          year: view.period.slice(0, 4),
          heading: `${view.periodLabel} · ${view.scope.name}`,
          status: view.closedAt
            ? { closed: true, text: `已结算（${closed}）` }
            : { closed: false, text: `暂定排名，本期尚未结算，数据截至 ${format.dateTime(view.asOf)}` },
          rows: view.rows.map((r) => ({
            orgId: r.orgId,
            name: r.name,
            kindLabel: r.kindLabel,
            rank: r.rank === null ? '—' : r.rank,
            mine: mine.indexOf(r.orgId) >= 0,
            percent: r.ratio === null ? null : Math.round(r.ratio * 1000) / 10,
            score: `${points(Number(r.earned) + Number(r.carried))} / ${points(r.possible)} 分`,
            carried: Number(r.carried) ? `含往期更正 ${Number(r.carried) > 0 ? '+' : ''}${points(r.carried)}` : '',
            tasks: r.ratio === null ? '暂无到期任务' : `任务 ${r.tasks} 项${r.missed ? `，未完成 ${r.missed} 项` : ''}`,
          })),
        });
      } catch (err) {
        this.setData({ error: err.message, rows: [], heading: '', status: null });
      } finally {
        this.setData({ loading: false });
      }
    },

    onLevel(e) {
      this.setData({ level: e.currentTarget.dataset.level });
      return this.load();
    },
    onPeriod(e) {
      this.setData({ period: e.detail.value });
      return this.load();
    },
    onYear() {
      this.setData({ period: this.data.year });
      return this.load();
    },
  },
});
