// One task in a list: name (临时 for an ad-hoc task), org, due date, state and review status; tapping it emits "select" with the task id.
const format = require('../../utils/format');

Component({
  properties: {
    task: { type: Object, value: {} },
    showOrg: { type: Boolean, value: false },
  },
  data: { due: '', stateLabel: '', reviewLabel: '' },
  observers: {
    task(task) {
      this.setData({
        due: format.dateTime(task.dueAt),
        stateLabel: format.STATE_LABELS[task.state] || task.state || '',
        reviewLabel: format.REVIEW_LABELS[task.reviewStatus] || '',
      });
    },
  },
  methods: {
    onTap() {
      this.triggerEvent('select', { id: this.data.task.id });
    },
  },
});
