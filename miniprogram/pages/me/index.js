// 我的: who I am (member, roles, org); my star rating and points for a month (GET /api/mp/me/stars:
// this month by default, provisional until closed; earlier months through the picker); which
// reminders the Api may still send me; binding for those not yet bound; the review queue for staff.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');
const phoneBinding = require('../../behaviors/phone-binding');

// 民主评议党员 grades (StarsDto.grade), given once a year; they can move the stars.
const GRADE_LABELS = { excellent: '优秀', qualified: '合格', basicallyQualified: '基本合格', unqualified: '不合格' };

/** Points as people read them: 9, 9.5, 9.25 (the Api sends decimals). */
function points(n) {
  return String(Math.round(Number(n) * 100) / 100);
}

/** StarsDto -> what the page shows. thresholds are the year points for 2, 3, 4 and 5 stars. */
function starsView(s) {
  const year = Number(s.pointsYear);
  const next = s.thresholds.map(Number).find((t) => t > year);
  const closed = s.provisional ? '本月尚未结算，积分为暂计' : '已结算';
  return {
    stars: s.stars,
    starsLabel: s.starsLabel,
    periodLabel: s.periodLabel,
    points: points(s.points),
    pointsYear: points(year),
    grade: s.grade ? GRADE_LABELS[s.grade] || s.grade : '',
    status: closed,
    provisional: s.provisional,
    next: s.stars >= 5 || next === undefined ? '已达最高星级' : `再得 ${points(next - year)} 分可升一星（本年 ${points(next)} 分）`,
  };
}

Component({
  behaviors: [phoneBinding],
  data: {
    loading: true,
    error: '',
    member: null,
    ncVisible: false,
    inspectionsVisible: false,
    roleLabels: '',
    orgName: '',
    canReview: false,
    keepsDues: false,
    seesDevelopment: false,
    month: '',
    thisMonth: '',
    stars: null,
    starsError: '',
    reminders: [],
    appraisalOrgId: 0,
    checkupOrgId: 0,
  },
  methods: {
    onLoad() {
      return this.load();
    },

    async load() {
      const thisMonth = format.currentMonth();
      this.setData({ loading: true, error: '', month: thisMonth, thisMonth });
      try {
        const me = await api.me();
        const member = me.member;
        // A branch's secretary or party-affairs worker records its 民主评议 (the Api decides who may).
        const keeper = member && (member.roles || []).find((r) => r.role === 'secretary' || r.role === 'worker');
        // Her secretary assesses a member's 党性体检 (the Api decides who may).
        const secretary = member && (member.roles || []).find((r) => r.role === 'secretary');
        this.setData({ member, ncVisible: roles.keepsRecords(member), inspectionsVisible: roles.keepsRecords(member) || !!(member && (member.roles || []).some((r) => r.role === 'inspector')), roleLabels: roles.labels(member).join('、'), canReview: roles.canReview(member), appraisalOrgId: keeper ? keeper.orgId : 0,
          checkupOrgId: secretary ? secretary.orgId : 0, keepsDues: !!keeper, seesDevelopment: roles.seesSummary(member) });
        if (member) {
          const org = await api.org(member.orgId);
          this.setData({ orgName: org.name });
          await Promise.all([this.loadStars(), this.loadReminders()]);
        }
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    async loadStars() {
      try {
        const s = await api.myStars(this.data.month === this.data.thisMonth ? undefined : this.data.month);
        this.setData({ stars: starsView(s), starsError: '' });
      } catch (err) {
        this.setData({ stars: null, starsError: `星级暂不可查：${err.message}` });
      }
    },

    /** Reminders the Api may still send (one per consent); nothing is shown when they cannot load. */
    async loadReminders() {
      try {
        const { templates } = await api.subscriptions.list();
        this.setData({ reminders: templates.map((t) => ({ key: t.key, title: t.title, remaining: t.remaining })) });
      } catch (err) {
        this.setData({ reminders: [] });
      }
    },

    onMonth(e) {
      this.setData({ month: e.detail.value });
      return this.loadStars();
    },

    onReviewQueue() {
      wx.navigateTo({ url: '/pages/review/index' });
    },
    onMyDues() {
      wx.navigateTo({ url: '/pages/dues/index' });
    },
    onBranchDues() {
      wx.navigateTo({ url: '/pages/dues-branch/index' });
    },
    onLeave() {
      wx.navigateTo({ url: '/pages/leave/index' });
    },
    onMyWishes() {
      wx.navigateTo({ url: '/pages/wishes/index?mine=1' });
    },
    onMyDevelopment() {
      wx.navigateTo({ url: '/pages/development-me/index' });
    },
    onDevelopment() {
      wx.navigateTo({ url: '/pages/development/index' });
    },
    onDocuments() {
      wx.navigateTo({ url: '/pages/documents/index' });
    },
    onRecord() {
      wx.navigateTo({ url: '/pages/record/index' });
    },
    onBranchStars() {
      wx.navigateTo({ url: `/pages/stars/index?orgId=${this.data.member.orgId}` });
    },
    onBranchCheckups() {
      wx.navigateTo({ url: `/pages/branch-checkups/index?orgId=${this.data.checkupOrgId}` });
    },
    onAppraisals() {
      wx.navigateTo({ url: `/pages/appraisals/index?orgId=${this.data.appraisalOrgId}` });
    },
    onTransfers() {
      wx.navigateTo({ url: '/pages/transfers/index' });
    },
    onNonconformities() {
      wx.navigateTo({ url: '/pages/nonconformities/index' });
    },
    onInspections() {
      wx.navigateTo({ url: '/pages/inspections/index' });
    },
  },
});
