// 佐证审核 (office staff): tasks whose evidence passed the automatic judgment and waits for a quality
// review. Approve with a bounded bonus or deduction, or return it to the branch with a reason.
const api = require('../../utils/api');
const roles = require('../../utils/roles');

Component({
  data: {
    allowed: true,
    loading: true,
    error: '',
    tasks: [],
    current: null, // TaskDto under review
    form: { decision: 'approve', adjustment: '0', reason: '' },
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
      this.setData({ formError: '', notice: '' });
      try {
        const current = await api.tasks.get(id);
        this.setData({ current, form: { decision: 'approve', adjustment: '0', reason: '' } });
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
    onViewTask() {
      wx.navigateTo({ url: `/pages/task/index?id=${this.data.current.id}` });
    },

    onDecision(e) {
      this.setData({ 'form.decision': e.currentTarget.dataset.decision });
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    onCancel() {
      this.setData({ current: null, formError: '' });
    },

    async onSave() {
      const f = this.data.form;
      const adjustment = Number(f.adjustment || 0);
      let problem = '';
      if (isNaN(adjustment)) problem = '加减分请填写数字';
      else if (f.decision === 'return' && !f.reason.trim()) problem = '退回时请写明原因';
      else if (adjustment !== 0 && !f.reason.trim()) problem = '加减分时请写明原因';
      this.setData({ formError: problem });
      if (problem || this.data.saving) return;
      this.setData({ saving: true });
      try {
        const task = this.data.current;
        await api.tasks.review(task.id, { decision: f.decision, adjustment, reason: f.reason.trim(), version: task.version });
        this.setData({
          current: null,
          notice: `${task.name}：${f.decision === 'approve' ? '已审核通过' : '已退回支部'}`,
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
