// 我的: who I am (member, roles, org), my star rating and points history; binding for those not yet
// bound; the review queue for office staff.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');

Component({
  data: {
    loading: true,
    error: '',
    member: null,
    roleLabels: '',
    orgName: '',
    canReview: false,
    points: null,
    pointsError: '',
    bindError: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const me = await api.me();
        const member = me.member;
        this.setData({ member, roleLabels: roles.labels(member).join('、'), canReview: roles.canReview(member) });
        if (member) {
          const org = await api.org(member.orgId);
          this.setData({ orgName: org.name });
          await this.loadPoints();
        }
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    async loadPoints() {
      try {
        const points = await api.myPoints();
        points.entries = points.entries.map((e) => Object.assign({}, e, { when: format.shanghai(e.at).date }));
        this.setData({ points, pointsError: '' });
      } catch (err) {
        this.setData({ pointsError: `积分暂不可查：${err.message}` });
      }
    },

    async onPhoneNumber(e) {
      if (!e.detail.code) {
        this.setData({ bindError: '需要授权手机号才能绑定党员身份' });
        return;
      }
      try {
        await api.bind(e.detail.code);
        this.setData({ bindError: '' });
        await this.load();
      } catch (err) {
        this.setData({ bindError: err.message });
      }
    },

    onReviewQueue() {
      wx.navigateTo({ url: '/pages/review/index' });
    },
    onMyWishes() {
      wx.navigateTo({ url: '/pages/wishes/index?mine=1' });
    },
  },
});
