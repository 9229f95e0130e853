// 临时任务 (office staff and community committees): the ad-hoc tasks issued within my scope, newest
// first, with the way to issue a new one (下发临时任务) and to open one (its copies, cancel).
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');
const roleList = require('../../behaviors/role-list');

function item(t) {
  return { id: t.id, title: t.title, due: format.dueDay(t.dueAt), points: format.points(t.points), targetCount: t.targetCount, cancelled: t.cancelled };
}

Component({
  behaviors: [roleList({ key: 'tasks', allows: roles.canIssue, fetch: async () => (await api.adhoc.list()).map(item) })],
  methods: {
    onOpen(e) {
      wx.navigateTo({ url: `/pages/adhoc-task/index?id=${e.currentTarget.dataset.id}` });
    },
    onNew() {
      wx.navigateTo({ url: '/pages/adhoc-new/index' });
    },
  },
});
