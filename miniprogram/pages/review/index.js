// 佐证审核 (office staff): completed tasks waiting for a quality review (GET /api/mp/tasks?awaitingReview=true).
// Approve with a bonus or deduction of at most ±maxReviewAdjustment (the Api's bound for the task),
// or return it to the branch with a reason. The latest submission is summarised here, with the
// photos whose EXIF date is not the meeting day counted; 查看佐证 opens the full task.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');

const EMPTY_FORM = { decision: 'approve', adjustment: '0', reason: '' };

/** The task under review as the form needs it. */
function reviewView(task) {
  const latest = (task.evidence || [])[0] || null;
  const bound = Number(task.maxReviewAdjustment) || 0;
  return {
    id: task.id,
    name: task.name,
    periodKey: task.periodKey,
    version: task.version,
    bound,
    boundText: format.points(bound),
    latest: latest && {
      held: format.dateTime(latest.heldAt),
      attendance: `到会 ${latest.present} · 缺席 ${latest.absent} · 请假 ${latest.onLeave}`,
      photoCount: latest.photoCount,
      timing: latest.onTime ? '按时' : '逾期',
      points: format.points(latest.points),
    },
    flagged: (task.photos || []).filter((p) => p.takenOnMeetingDay === false).length,
  };
}

Component({
  data: {
    allowed: true,
    loading: true,
    error: '',
    tasks: [],
    current: null, // reviewView(TaskDto) under review
    form: EMPTY_FORM,
    formError: '',
    saving: false,
    notice: '',
  },
  methods: {
    async onLoad(query) {
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      if (!roles.canReview(member)) {
        this.setData({ allowed: false, loading: false });
        return;
      }
      await this.load();
      if (query && query.id) await this.open(Number(query.id));
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh());
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.setData({ tasks: await api.tasks.awaitingReview() });
      } catch (err) {
        this.setData({ error: err.message, tasks: [] });
      } finally {
        this.setData({ loading: false });
      }
    },

    onSelect(e) {
      return this.open(e.detail.id);
    },
    async open(id) {
      this.setData({ formError: '', notice: '', error: '' });
      try {
        const task = await api.tasks.get(id);
        if (task.state !== 'completed' || task.reviewStatus !== 'awaiting') {
          this.setData({ current: null, notice: `${task.name}：${task.reviewStatus === 'approved' ? '已审核过' : '当前无需审核'}` });
          return;
        }
        this.setData({ current: reviewView(task), form: Object.assign({}, EMPTY_FORM) });
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
    onViewTask() {
      wx.navigateTo({ url: `/pages/task/index?id=${this.data.current.id}` });
    },

    onDecision(e) {
      const decision = e.currentTarget.dataset.decision;
      // A returned task earns nothing: no adjustment goes with it.
      this.setData({ 'form.decision': decision, 'form.adjustment': decision === 'return' ? '0' : this.data.form.adjustment });
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    onSlide(e) {
      this.setData({ 'form.adjustment': format.points(e.detail.value) });
    },
    onCancel() {
      this.setData({ current: null, formError: '' });
    },

    problem() {
      const f = this.data.form;
      const bound = this.data.current.bound;
      const adjustment = f.decision === 'return' ? 0 : Number(f.adjustment || 0);
      if (isNaN(adjustment)) return { problem: '加减分请填写数字' };
      if (Math.abs(adjustment) > bound) return { problem: `质量加减分不能超过 ±${format.points(bound)} 分` };
      if (Math.round(adjustment * 100) / 100 !== adjustment) return { problem: '加减分最多保留两位小数' };
      if (f.decision === 'return' && !f.reason.trim()) return { problem: '退回时请写明原因' };
      if (adjustment !== 0 && !f.reason.trim()) return { problem: '加减分时请写明原因' };
      return { problem: '', adjustment };
    },

    async onSave() {
      if (this.data.saving) return;
      const { problem, adjustment } = this.problem();
      this.setData({ formError: problem });
      if (problem) return;
      this.setData({ saving: true });
      const f = this.data.form;
      const task = this.data.current;
      try {
        await api.tasks.review(task.id, { decision: f.decision, adjustment, reason: f.reason.trim() || null, version: task.version });
        const outcome = f.decision === 'approve' ? `已审核通过${adjustment ? `（${format.points(adjustment, true)} 分）` : ''}` : '已退回支部';
        this.setData({
          current: null,
          notice: `${task.name}：${outcome}`,
          tasks: this.data.tasks.filter((t) => t.id !== task.id),
        });
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
