// 签到与请假 of one meeting (#18). The secretary shows the check-in code, a new QR code every 30 s
// (members scan it with WeChat or with this mini program), sees who has checked in, late or not,
// marks by hand those not bound to WeChat, and approves or refuses leave requests. A member scans
// the code here and, once the meeting has started and she was there, rates it (1–5, anonymous).
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');

const LEAVE_LABELS = { pending: '待审批', approved: '已批准', refused: '未批准' };
const PRESENCE_LABELS = { present: '已签到', onLeave: '请假', absent: '未到' };
const VIA_LABELS = { oa: '微信扫码', mp: '小程序扫码', hand: '书记代签' };

// The next code's timer (one check-in page is open at a time).
let codeTimer = null;

function attendee(r) {
  const parts = [PRESENCE_LABELS[r.presence] || (r.checkedInAt ? '已签到' : '未签到')];
  if (r.checkedInAt) parts.push(`${format.dateTime(r.checkedInAt)} ${VIA_LABELS[r.via] || ''}`.trim());
  if (r.late) parts.push('迟到');
  if (r.leave) parts.push(`请假${LEAVE_LABELS[r.leave]}`);
  if (!r.bound) parts.push('未绑定微信');
  return { id: r.memberId, name: r.name, line: parts.join(' · '), byHand: !r.checkedInAt };
}

function leaveRow(l) {
  return { id: l.id, name: l.memberName, reason: l.reason, state: LEAVE_LABELS[l.state], pending: l.state === 'pending', note: l.note || '' };
}

Component({
  data: {
    id: 0,
    name: '',
    secretary: false,
    code: null, // { image, url }
    codeError: '',
    roster: [],
    leaves: [],
    error: '',
    scanned: '',
    feedback: null, // { count, average, comments }
    mayRate: false,
    rating: 0,
    comment: '',
    rated: '',
  },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id), secretary: roles.canAct(api.currentMember()) });
      return this.load();
    },
    onUnload() {
      this.stopCode();
    },

    async load() {
      this.setData({ error: '' });
      try {
        if (this.data.secretary) {
          const [draft, leaves] = await Promise.all([api.checkins.draft(this.data.id), api.leave.ofTask(this.data.id)]);
          this.setData({ roster: draft.map(attendee), leaves: leaves.map(leaveRow) });
        }
        const fb = await api.feedback.get(this.data.id);
        this.setData({ feedback: fb.summary, mayRate: fb.mayRate });
      } catch (err) {
        this.setData({ error: err.message });
      }
    },

    /** The code on screen; the next one is fetched when the Api says (refreshAt), until the page closes. */
    async onShowCode() {
      this.stopCode();
      try {
        const code = await api.checkins.code(this.data.id);
        this.setData({ code: { image: code.image, url: code.url }, name: code.taskName, codeError: '' });
        const wait = Math.max(Date.parse(code.refreshAt) - Date.now(), 5000);
        codeTimer = setTimeout(() => this.onShowCode().then(() => this.load()), wait);
      } catch (err) {
        this.setData({ code: null, codeError: err.message });
      }
    },
    stopCode() {
      if (codeTimer) clearTimeout(codeTimer);
      codeTimer = null;
    },

    async onByHand(e) {
      try {
        await api.checkins.byHand(this.data.id, Number(e.currentTarget.dataset.id));
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
    onApprove(e) {
      return this.decide(Number(e.currentTarget.dataset.id), true);
    },
    onRefuse(e) {
      return this.decide(Number(e.currentTarget.dataset.id), false);
    },
    async decide(id, approve) {
      try {
        await api.leave.decide(id, approve, null);
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      }
    },

    /** A member scans the secretary's code with the mini program's scanner. */
    onScan() {
      wx.scanCode({
        onlyFromCamera: true,
        success: async (res) => {
          try {
            const r = await api.checkins.scan(res.result);
            const status = r.already ? '已签到过' : r.late ? '签到成功（迟到）' : '签到成功';
            this.setData({ scanned: `${status}：${r.taskName} ${format.dateTime(r.checkedInAt)}`, error: '' });
            await this.load();
          } catch (err) {
            this.setData({ scanned: '', error: err.message });
          }
        },
      });
    },

    onRating(e) {
      this.setData({ rating: Number(e.currentTarget.dataset.rating) });
    },
    onComment(e) {
      this.setData({ comment: e.detail.value });
    },
    async onRate() {
      if (!this.data.rating) {
        this.setData({ error: '请先选择 1–5 分' });
        return;
      }
      try {
        await api.feedback.rate(this.data.id, this.data.rating, this.data.comment.trim() || null);
        this.setData({ rated: '感谢评价（匿名）', mayRate: false, error: '' });
        await this.load();
      } catch (err) {
        this.setData({ error: err.message });
      }
    },
  },
});
