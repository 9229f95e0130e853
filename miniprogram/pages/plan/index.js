// 报送计划: date, time, place and topic of the meeting, reported the required days ahead.
const api = require('../../utils/api');
const subscribe = require('../../utils/subscribe');
const meetingForm = require('../../behaviors/meeting-form');

Component({
  behaviors: [meetingForm],
  data: { saving: false },
  methods: {
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
      const meeting = this.meeting();
      this.setData({ saving: true });
      try {
        const task = await api.tasks.plan(this.data.id, {
          plannedFor: meeting.at,
          place: meeting.place,
          topic: meeting.topic,
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
