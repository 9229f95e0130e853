// 提交佐证: when and where it was held, attendance from the branch roster, the minutes, up to nine
// photos. Photos go up one by one (wx.uploadFile carries one file per request) with progress; the
// submission then names them by their upload tokens. A failure halfway keeps the form and the photos
// already uploaded, so tapping submit again sends only what is missing. The Api's judgment is shown
// as it came: passed or returned, on time or late, the points, and every reason. Photos a secretary
// already sent in the official-account chat (task.chatPhotos) go in too, by hash, unless she leaves them out.
const api = require('../../utils/api');
const photos = require('../../utils/photos');
const subscribe = require('../../utils/subscribe');
const config = require('../../utils/config');
const meetingForm = require('../../behaviors/meeting-form');

const NEXT_PRESENCE = { present: 'absent', absent: 'present', onLeave: 'present' };

Component({
  behaviors: [meetingForm],
  data: {
    roster: [], // [{ id, name, probationary, presence: 'present' | 'absent' | 'onLeave' }]
    rosterError: '',
    form: { date: '', time: '', place: '', topic: '', minutes: '' },
    photos: [],
    chatPhotos: [],
    useChat: true,
    maxPhotos: config.maxPhotos,
    submitting: false,
    stage: '',
    result: null,
  },
  methods: {
    taskLoaded(task) {
      const chatPhotos = task.chatPhotos || [];
      this.setData({ chatPhotos, maxPhotos: Math.max(config.maxPhotos - chatPhotos.length, 0) });
      return this.loadRoster();
    },

    async loadRoster() {
      this.setData({ rosterError: '' });
      try {
        const members = await api.orgMembers(this.data.task.orgId);
        // Only members on the roll attend; a probationary member is marked, since quorum counts voting members.
        const onRoll = members.filter((m) => m.status === 'full' || m.status === 'probationary');
        this.setData({ roster: onRoll.map((m) => ({ id: m.id, name: m.name, probationary: m.status === 'probationary', presence: 'present' })) });
      } catch (err) {
        this.setData({ rosterError: `党员名单加载失败：${err.message}` });
        return;
      }
      await this.prefillFromCheckins();
    },

    /** Check-ins and approved leave (签到、请假) start the attendance; the secretary can still change every mark. */
    async prefillFromCheckins() {
      let draft;
      try {
        draft = await api.checkins.draft(this.data.task.id);
      } catch (err) {
        return; // no check-ins to read: the roster keeps its default
      }
      const byId = {};
      draft.forEach((r) => {
        byId[r.memberId] = r;
      });
      this.setData({
        roster: this.data.roster.map((m) => {
          const r = byId[m.id];
          return r && r.presence ? Object.assign({}, m, { presence: r.presence, late: !!r.late }) : m;
        }),
      });
    },

    /** Tapping a name toggles 到会/缺席; the 请假 mark toggles leave. */
    onTogglePresent(e) {
      this.mark(e.currentTarget.dataset.index, (p) => NEXT_PRESENCE[p]);
    },
    onToggleLeave(e) {
      this.mark(e.currentTarget.dataset.index, (p) => (p === 'onLeave' ? 'absent' : 'onLeave'));
    },
    mark(index, next) {
      const row = this.data.roster[index];
      this.setData({ [`roster[${index}].presence`]: next(row.presence) });
    },

    /** The chat photos are included unless switched off; off, their places go back to uploads. */
    onToggleChat(e) {
      const useChat = e.detail.value;
      const taken = useChat ? this.data.chatPhotos.length : 0;
      this.setData({ useChat, maxPhotos: Math.max(config.maxPhotos - taken, 0) });
    },

    chatHashes() {
      return this.data.useChat ? this.data.chatPhotos.map((p) => p.sha256) : [];
    },

    onPhotos(e) {
      this.setData({ photos: e.detail.photos });
    },
    onPhotosFailed() {
      this.setData({ formError: '无法选择照片，请检查相册和相机权限' });
    },

    missing() {
      const f = this.data.form;
      const rule = this.data.task.evidenceRule;
      if (!f.date || !f.time) return '请选择开展的日期和时间';
      if (rule.placeRequired && !f.place.trim()) return '请填写地点';
      if (rule.topicRequired && !f.topic.trim()) return '请填写主题';
      if (rule.attendanceRequired && this.data.roster.length === 0) return '需要登记考勤，但党员名单未能加载';
      if (rule.minutesRequired && !f.minutes.trim()) return `请填写${rule.recordLabel}`;
      if (this.data.photos.length + this.chatHashes().length < rule.minPhotos) return `请至少上传 ${rule.minPhotos} 张照片`;
      return '';
    },

    onSubmit() {
      // Consent first, inside the tap; never awaited, so it cannot hold the submission up.
      subscribe.ask(['reviewResult']);
      return this.submit();
    },

    async submit() {
      if (this.data.submitting) return;
      const problem = this.missing();
      this.setData({ formError: problem });
      if (problem) return;
      this.setData({ submitting: true, stage: '正在上传照片…' });
      try {
        const tokens = await photos.uploadMissing(this.data.photos, (list) => this.setData({ photos: list }));
        this.setData({ stage: '正在提交…' });
        const meeting = this.meeting();
        const chatPhotos = this.chatHashes();
        const result = await api.tasks.evidence(this.data.id, {
          heldAt: meeting.at,
          place: meeting.place,
          topic: meeting.topic,
          minutes: this.data.form.minutes.trim(),
          version: this.data.task.version,
          attendance: this.data.roster.map((m) => ({ memberId: m.id, presence: m.presence })),
          photoTokens: tokens,
          ...(chatPhotos.length ? { chatPhotos } : {}),
        });
        this.setData({ result, task: result.task });
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ submitting: false, stage: '' });
      }
    },

    onDone() {
      wx.navigateBack();
    },
  },
});
