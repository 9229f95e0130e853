// 星级党员 (issue #18): a branch's members with their stars for the year (?orgId=, default: my org), most stars first.
const api = require('../../utils/api');
const GRADE_LABELS = { excellent: '优秀', qualified: '合格', basicallyQualified: '基本合格', unqualified: '不合格' };

Component({
  data: { loading: true, error: '', list: null, members: [] },
  methods: {
    onLoad(options) {
      const me = api.currentMember();
      return this.load(Number((options && options.orgId) || (me && me.orgId)));
    },

    async load(orgId) {
      this.setData({ loading: true, error: '' });
      try {
        const s = await api.branchStars(orgId);
        this.setData({
          list: { name: s.orgName, year: s.year, status: s.provisional ? `截至${s.periodLabel}，暂计` : `按${s.periodLabel}结算` },
          members: s.members.map((m) => ({ id: m.memberId, name: m.name, stars: m.stars, points: String(Math.round(m.pointsYear * 100) / 100),
            grade: m.grade ? GRADE_LABELS[m.grade] : '' })),
        });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },
  },
});
