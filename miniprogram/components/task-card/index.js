// One task in a list: name, org, due date, state; tapping it emits "select" with the task id.
const format = require('../../utils/format');

Component({
  properties: {
    task: { type: Object, value: {} },
    showOrg: { type: Boolean, value: false },
  },
  data: { due: '', stateLabel: '' },
  observers: {
    task(task) {
      this.setData({
        due: format.dateTime(task.dueAt),
        stateLabel: format.STATE_LABELS[task.state] || task.state || '',
      });
    },
  },
  methods: {
    onTap() {
      this.triggerEvent('select', { id: this.data.task.id });
    },
  },
});
