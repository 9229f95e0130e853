// 排名: communities in the subdistrict, or the branches of my community, by earned ÷ possible points
// for a month; my own org highlighted.
const api = require('../../utils/api');
const format = require('../../utils/format');

Component({
  data: {
    level: 'community',
    period: '',
    loading: true,
    error: '',
    items: [],
    provisional: false,
    myOrgIds: [],
  },
  methods: {
    async onLoad() {
      this.setData({ period: format.currentMonth() });
      try {
        const { member } = await api.ensureSession();
        if (member) {
          // My branch and the community above it: either may be on the list.
          const org = await api.org(member.orgId);
          this.setData({ myOrgIds: [org.id, org.parentId].filter((x) => x) });
        }
      } catch (err) {
        // Ranking is public within the subdistrict: without my org it is shown unhighlighted.
      }
      return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const params = { period: this.data.period, level: this.data.level };
        // Branches rank within their community: mine.
        if (this.data.level === 'branch' && this.data.myOrgIds[1]) params.scope = this.data.myOrgIds[1];
        const ranking = await api.rankings(params);
        const mine = this.data.myOrgIds;
        this.setData({
          provisional: !!ranking.provisional,
          items: ranking.items.map((r) => Object.assign({}, r, {
            mine: mine.indexOf(r.orgId) >= 0,
            percent: Math.round(r.ratio * 1000) / 10,
          })),
        });
      } catch (err) {
        this.setData({ error: err.message, items: [] });
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
  },
});
