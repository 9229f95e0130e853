// 报送计划: date, time, place and topic of the meeting, reported the required days ahead.
const api = require('../../utils/api');
const format = require('../../utils/format');
const subscribe = require('../../utils/subscribe');

Component({
  data: {
    id: 0,
    task: null,
    loading: true,
    error: '',
    form: { date: '', time: '', place: '', topic: '' },
    formError: '',
    saving: false,
  },
  methods: {
    async onLoad(query) {
      this.setData({ id: Number(query.id) });
      try {
        const task = await api.tasks.get(this.data.id);
        const planned = format.shanghai(task.plannedFor);
        this.setData({
          task,
          form: {
            date: planned ? planned.date : '',
            time: planned ? planned.time : '',
            place: task.place || '',
            topic: task.topic || '',
          },
        });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },

    missing() {
      const f = this.data.form;
      if (!f.date) return '请选择日期';
      if (!f.time) return '请选择时间';
      if (!f.place.trim()) return '请填写地点';
      if (!f.topic.trim()) return '请填写主题';
      return '';
    },

    onSave() {
      // Consent first, inside the tap: WeChat shows the sheet only from a tap handler.
      subscribe.ask(['meetingReminder', 'taskWarning']);
      return this.save();
    },

    async save() {
      const problem = this.missing();
      this.setData({ formError: problem });
      if (problem || this.data.saving) return;
      const f = this.data.form;
      this.setData({ saving: true });
      try {
        const task = await api.tasks.plan(this.data.id, {
          plannedFor: format.toInstant(f.date, f.time),
          place: f.place.trim(),
          topic: f.topic.trim(),
          version: this.data.task.version,
        });
        this.setData({ task });
        wx.showToast({ title: '计划已报送', icon: 'success' });
        wx.navigateBack();
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
