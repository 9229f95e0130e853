// 临时任务详情 (its issuers): what was asked, by when, for how many points, what evidence counts,
// every org's copy and its state; and 撤销 with a reason, which closes every copy and takes its
// points out of the assessment. The cancel takes two taps (write the reason, then confirm).
const api = require('../../utils/api');
const format = require('../../utils/format');

function view(t) {
  const rule = t.evidenceRule;
  const needs = [`至少 ${rule.minPhotos} 张照片`];
  if (rule.attendanceRequired) needs.push('需登记考勤');
  if (rule.minutesRequired) needs.push(`需${rule.recordLabel || '工作记录'}`);
  if (rule.placeRequired) needs.push('需填写地点');
  if (rule.topicRequired) needs.push('需填写主题');
  return {
    id: t.id,
    title: t.title,
    description: t.description || '',
    due: format.dueDay(t.dueAt),
    issued: format.dateTime(t.createdAt),
    points: format.points(t.points),
    lateDeduction: format.points(t.lateDeduction),
    overdueDeduction: format.points(t.overdueDeduction),
    rule: needs.join('；'),
    targetCount: t.targetCount,
    counts: Object.keys(t.stateCounts)
      .map((state) => `${format.STATE_LABELS[state] || state} ${t.stateCounts[state]}`)
      .join(' · '),
    targets: t.targets.map((x) => ({ taskId: x.taskId, orgName: x.orgName, state: x.state, stateLabel: format.STATE_LABELS[x.state] || x.state })),
    cancelled: t.cancelled,
    cancelledAt: format.dateTime(t.cancelledAt),
    cancelReason: t.cancelReason || '',
  };
}

Component({
  data: {
    id: 0,
    loading: true,
    error: '',
    task: null,
    cancelling: false, // the reason box is open
    reason: '',
    cancelError: '',
    saving: false,
    notice: '',
  },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.setData({ task: view(await api.adhoc.get(this.data.id)) });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },
    onOpenTask(e) {
      wx.navigateTo({ url: `/pages/task/index?id=${e.currentTarget.dataset.id}` });
    },

    onStartCancel() {
      this.setData({ cancelling: true, cancelError: '' });
    },
    onStopCancel() {
      this.setData({ cancelling: false, reason: '', cancelError: '' });
    },
    onReason(e) {
      this.setData({ reason: e.detail.value });
    },
    async onConfirmCancel() {
      if (this.data.saving) return;
      const reason = this.data.reason.trim();
      if (!reason) {
        this.setData({ cancelError: '撤销任务须填写原因' });
        return;
      }
      this.setData({ saving: true, cancelError: '' });
      try {
        const task = await api.adhoc.cancel(this.data.id, reason);
        this.setData({ task: view(task), cancelling: false, reason: '', notice: `已撤销，${task.targetCount} 个组织的任务已关闭，不再计分` });
      } catch (err) {
        this.setData({ cancelError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
