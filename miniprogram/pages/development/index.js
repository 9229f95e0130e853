// 发展党员 (branch secretaries and workers, the community committee, the office): the pipeline I watch,
// each applicant's status, last step, next step and the time left; opening one records its next step.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const development = require('../../utils/development');
const roleList = require('../../behaviors/role-list');

Component({
  behaviors: [
    roleList({
      key: 'applicants',
      allows: roles.seesSummary,
      signedIn: (member) => ({ approvals: roles.canIssue(member) }),
      fetch: async () => (await api.development.list()).map(development.item),
    }),
  ],
  data: { approvals: false },
  methods: {
    onOpen(e) {
      wx.navigateTo({ url: `/pages/development-applicant/index?id=${e.currentTarget.dataset.id}` });
    },
    onApprovals() {
      wx.navigateTo({ url: '/pages/development-approvals/index' });
    },
  },
});
