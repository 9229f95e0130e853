// The form around a meeting, shared by 报送计划 (pages/plan) and 提交佐证 (pages/evidence): the task (GET
// /api/mp/tasks/{id}, from the page's ?id=) and its date, time, place and topic, prefilled from the plan; inputs
// name their field with data-field. A page adds its own fields to `form` and does more on load in
// `taskLoaded(task)`.
const api = require('../utils/api');
const format = require('../utils/format');

module.exports = Behavior({
  data: {
    id: 0,
    task: null,
    loading: true,
    error: '',
    form: { date: '', time: '', place: '', topic: '' },
    formError: '',
  },
  methods: {
    async onLoad(query) {
      this.setData({ id: Number(query.id) });
      try {
        const task = await api.tasks.get(this.data.id);
        const planned = format.shanghai(task.plannedFor);
        this.setData({
          task,
          form: Object.assign({}, this.data.form, {
            date: planned ? planned.date : '',
            time: planned ? planned.time : '',
            place: task.place || '',
            topic: task.topic || '',
          }),
        });
        await this.taskLoaded(task);
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    /** What the page does once the task is in (a page overrides it). */
    taskLoaded(_task) {
      return Promise.resolve();
    },

    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },

    /** The meeting as the Api takes it: the instant in Asia/Shanghai, place and topic trimmed. */
    meeting() {
      const f = this.data.form;
      return { at: format.toInstant(f.date, f.time), place: f.place.trim(), topic: f.topic.trim() };
    },
  },
});
