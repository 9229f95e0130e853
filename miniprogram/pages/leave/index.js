// 请假 (#18): the planned meetings ahead of me, each with a reason to give and a button to ask
// leave, and my requests with how the secretary decided (the official account's notice opens here).
// Also the mini program's scanner for a meeting's check-in code.
const api = require('../../utils/api');
const format = require('../../utils/format');

const LEAVE_LABELS = { pending: '待审批', approved: '已批准', refused: '未批准' };

Component({
  data: {
    meetings: [], // [{ taskId, name, when, place, asked }]
    requests: [], // [{ id, line, state, note }]
    reasons: {}, // taskId -> text
    error: '',
    done: '',
    scanned: '',
  },
  methods: {
    onLoad() {
      return this.load();
    },
    async load() {
      try {
        const [meetings, mine] = await Promise.all([api.leave.meetings(), api.leave.mine()]);
        this.setData({
          meetings: meetings.map((m) => ({
            taskId: m.taskId,
            name: m.name,
            when: format.dateTime(m.plannedFor),
            place: m.place || '',
            asked: m.asked ? LEAVE_LABELS[m.asked] : '',
            mayAsk: m.asked !== 'approved' && m.asked !== 'pending',
          })),
          requests: mine.map((r) => ({ id: r.id, line: `${r.reason}（${format.dateTime(r.requestedAt)}）`, state: LEAVE_LABELS[r.state], note: r.note || '' })),
        });
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
    onReason(e) {
      this.setData({ [`reasons.${e.currentTarget.dataset.id}`]: e.detail.value });
    },
    async onAsk(e) {
      const taskId = Number(e.currentTarget.dataset.id);
      const reason = (this.data.reasons[taskId] || '').trim();
      if (!reason) {
        this.setData({ error: '请填写请假原因' });
        return;
      }
      try {
        await api.leave.ask(taskId, reason);
        this.setData({ error: '', done: '已提交请假，等待书记审批' });
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
    onScan() {
      wx.scanCode({
        onlyFromCamera: true,
        success: async (res) => {
          try {
            const r = await api.checkins.scan(res.result);
            this.setData({ scanned: `${r.already ? '已签到过' : r.late ? '签到成功（迟到）' : '签到成功'}：${r.taskName}`, error: '' });
          } catch (err) {
            this.setData({ scanned: '', error: err.message });
          }
        },
      });
    },
  },
});
