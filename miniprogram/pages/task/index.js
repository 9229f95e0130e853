// 任务详情: the task's period and deadline, its plan, what evidence it needs, the photos submitted,
// and the next step for those who may act on it (报送计划, 提交佐证) or review it (office staff).
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');

const PLANNABLE = ['pending', 'planned'];
const SUBMITTABLE = ['pending', 'planned', 'returned', 'overdue'];

function view(task) {
  const plan = format.shanghai(task.plannedFor);
  return Object.assign({}, task, {
    due: format.dateTime(task.dueAt),
    opens: format.dateTime(task.opensAt),
    planText: plan ? `${plan.date} ${plan.time}` : '',
  });
}

Component({
  data: {
    id: 0,
    loading: true,
    error: '',
    task: null,
    photos: [],
    photoError: '',
    canPlan: false,
    canSubmit: false,
    canReview: false,
  },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) });
      return this.load();
    },
    onShow() {
      // Back from 报送计划 / 提交佐证: show what changed.
      if (this.data.task) return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const task = await api.tasks.get(this.data.id);
        const member = api.currentMember();
        const acts = roles.canAct(member);
        this.setData({
          task: view(task),
          canPlan: acts && PLANNABLE.indexOf(task.state) >= 0,
          canSubmit: acts && SUBMITTABLE.indexOf(task.state) >= 0,
          canReview: roles.canReview(member) && task.state === 'completed',
        });
        await this.loadPhotos(task.photos || []);
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    async loadPhotos(photos) {
      const paths = [];
      let photoError = '';
      for (const p of photos) {
        try {
          paths.push(await api.download(p.url));
        } catch (err) {
          photoError = `部分照片加载失败：${err.message}`;
        }
      }
      this.setData({ photos: paths, photoError });
    },

    onPreview(e) {
      wx.previewImage({ urls: this.data.photos, current: e.currentTarget.dataset.src });
    },
    onPlan() {
      wx.navigateTo({ url: `/pages/plan/index?id=${this.data.id}` });
    },
    onSubmit() {
      wx.navigateTo({ url: `/pages/evidence/index?id=${this.data.id}` });
    },
    onReview() {
      wx.navigateTo({ url: `/pages/review/index?id=${this.data.id}` });
    },
  },
});
