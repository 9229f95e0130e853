// 我的任务: the tasks of my org's subtree by state and month. A member reads the branch's tasks;
// secretaries, committees and office staff also see the live counts (staff: how many completed tasks
// wait for their review, with the way to the queue; staff and committees: the ad-hoc tasks they
// issue); someone not yet bound is asked to bind their phone number first.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');
const phoneBinding = require('../../behaviors/phone-binding');

const FILTERS = [
  { key: '', label: '全部' },
  { key: 'pending', label: '待办' },
  { key: 'planned', label: '已报计划' },
  { key: 'returned', label: '已退回' },
  { key: 'overdue', label: '已逾期' },
  { key: 'completed', label: '已完成' },
];

Component({
  behaviors: [phoneBinding],
  data: {
    loading: true,
    error: '',
    bound: true,
    member: null,
    seesSummary: false,
    canReview: false,
    canIssue: false,
    filters: FILTERS,
    status: '',
    period: '',
    tasks: [],
    summary: null,
  },
  methods: {
    onLoad() {
      this.setData({ period: format.currentMonth() });
      return this.load();
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const { member } = await api.ensureSession();
        this.setData({
          member,
          bound: roles.isBound(member),
          seesSummary: roles.seesSummary(member),
          canReview: roles.canReview(member),
          canIssue: roles.canIssue(member),
        });
        if (!member) return;
        const [tasks, summary] = await Promise.all([
          api.tasks.list({ status: this.data.status, period: this.data.period }),
          roles.seesSummary(member) ? api.tasks.summary() : Promise.resolve(null),
        ]);
        this.setData({ tasks, summary });
      } catch (err) {
        this.setData({ error: err.message, tasks: [] });
      } finally {
        this.setData({ loading: false });
      }
    },

    onFilter(e) {
      this.setData({ status: e.currentTarget.dataset.key });
      return this.load();
    },
    onPeriod(e) {
      this.setData({ period: e.detail.value });
      return this.load();
    },
    onSelect(e) {
      wx.navigateTo({ url: `/pages/task/index?id=${e.detail.id}` });
    },
    onReviewQueue() {
      wx.navigateTo({ url: '/pages/review/index' });
    },
    onAdhoc() {
      wx.navigateTo({ url: '/pages/adhoc/index' });
    },
  },
});
