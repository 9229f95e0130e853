// 待审批 (the community committee, the office): applicants whose next step is the higher committee's
// (备案, 预审, 谈话, 审批, 转正审批, 归档), the most urgent first, with the time left; opening one records it.
// The official-account notice of an approval waiting opens this page.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const development = require('../../utils/development');
const roleList = require('../../behaviors/role-list');

Component({
  behaviors: [
    roleList({ key: 'applicants', allows: roles.canIssue, fetch: async () => (await api.development.approvals()).map(development.item) }),
  ],
  methods: {
    onOpen(e) {
      wx.navigateTo({ url: `/pages/development-applicant/index?id=${e.currentTarget.dataset.id}` });
    },
  },
});
