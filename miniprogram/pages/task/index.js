// 任务详情: the task's period and deadline, its plan, what evidence it needs, every submission with
// how it was judged and reviewed, the photos of the latest one, the trail of who did what, and the
// next step for those who may act on it (报送计划, 提交佐证) or review it (office staff). A reviewer
// also sees which photos were, by their EXIF data, not taken on the day of the meeting.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');

const PLANNABLE = ['pending', 'planned'];
const SUBMITTABLE = ['pending', 'planned', 'returned', 'overdue'];
const PHOTO_DATE_FLAG = '照片拍摄日期与会议日期不符';

/** One submission (TaskDto.evidence[]) as the page reads it. */
function submission(e) {
  const review = e.reviewDecision
    ? {
        label: e.reviewDecision === 'approve' ? '审核通过' : '审核退回',
        adjustment: e.reviewDecision === 'approve' && e.reviewAdjustment ? `质量加减分 ${format.points(e.reviewAdjustment, true)} 分` : '',
        reason: e.reviewReason || '',
        at: format.dateTime(e.reviewedAt),
      }
    : null;
  return {
    id: e.id,
    held: format.dateTime(e.heldAt),
    submitted: format.dateTime(e.submittedAt),
    place: e.place || '',
    topic: e.topic || '',
    attendance: `到会 ${e.present} · 缺席 ${e.absent} · 请假 ${e.onLeave}`,
    photoCount: e.photoCount,
    verdict: e.passed ? '自动审核通过' : '自动审核未通过',
    passed: e.passed,
    timing: e.onTime ? '按时' : '逾期',
    points: format.points(e.points),
    reasons: e.reasons || [],
    review,
  };
}

function view(task) {
  const plan = format.shanghai(task.plannedFor);
  return Object.assign({}, task, {
    due: format.dateTime(task.dueAt),
    opens: format.dateTime(task.opensAt),
    planText: plan ? `${plan.date} ${plan.time}` : '',
    reviewLabel: format.REVIEW_LABELS[task.reviewStatus] || '',
    // Marked by the reminder scanner when the meeting day ended without evidence (a submission clears the concern).
    warnedText: task.warnedAt && ['pending', 'planned', 'returned', 'overdue'].indexOf(task.state) >= 0
      ? `已预警：${format.dateTime(task.warnedAt)} 仍未提交佐证，请尽快补交`
      : '',
    submissions: (task.evidence || []).map(submission),
    // A meeting's feedback from those who attended (#18 item 5): the count and average, never who rated.
    feedbackText: task.feedback
      ? (task.feedback.count > 0 ? `${task.feedback.average} 分（${task.feedback.count} 人评价）` : '暂无评价')
      : '',
    trail: (task.history || []).map((h, i) => Object.assign({ key: i }, format.historyLine(h))),
  });
}

Component({
  data: {
    id: 0,
    loading: true,
    error: '',
    task: null,
    photos: [], // [{ src, taken, flagged }] in the order of task.photos
    photoError: '',
    flaggedCount: 0,
    photoDateFlag: PHOTO_DATE_FLAG,
    canPlan: false,
    canSubmit: false,
    canReview: false,
    reviewer: false,
    canIssue: false,
    topics: [], // 组织生活会: what its branch's 党性体检 most often has to improve (issue #18)
  },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) });
      return this.load();
    },
    onShow() {
      // Back from 报送计划 / 提交佐证 / 佐证审核: show what changed.
      if (this.data.task) return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const task = await api.tasks.get(this.data.id);
        const member = api.currentMember();
        const acts = roles.canAct(member);
        const reviewer = roles.canReview(member);
        this.setData({
          task: view(task),
          reviewer,
          canIssue: roles.canIssue(member),
          canPlan: acts && PLANNABLE.indexOf(task.state) >= 0,
          canSubmit: acts && SUBMITTABLE.indexOf(task.state) >= 0,
          canReview: reviewer && task.state === 'completed' && task.reviewStatus === 'awaiting',
        });
        await this.loadPhotos(task.photos || [], reviewer);
        if (task.templateCode === 'org_life_meeting') await this.loadTopics();
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    async loadPhotos(photos, reviewer) {
      const shown = [];
      let photoError = '';
      for (const p of photos) {
        try {
          shown.push({
            src: await api.download(p.url),
            taken: p.takenAt ? format.dateTime(p.takenAt) : '',
            // EXIF says another day: a flag for the reviewer, never a verdict (null = unknown).
            flagged: reviewer && p.takenOnMeetingDay === false,
          });
        } catch (err) {
          photoError = `部分照片加载失败：${err.message}`;
        }
      }
      this.setData({ photos: shown, photoError, flaggedCount: shown.filter((p) => p.flagged).length });
    },

    async loadTopics() {
      try {
        const t = await api.checkups.topics(this.data.id);
        this.setData({ topics: t.topics.map((x, i) => ({ key: i, text: `${x.section}：${x.text}（${x.members} 人）` })) });
      } catch (err) {
        this.setData({ topics: [] }); // a hint only: the task reads the same without it
      }
    },

    onClause() {
      // The clause the duty follows (#19): the document's reader, at its section.
      const c = this.data.task.clause;
      wx.navigateTo({ url: `/pages/document/index?number=${encodeURIComponent(c.number)}&section=${encodeURIComponent(c.section)}` });
    },

    onPreview(e) {
      wx.previewImage({ urls: this.data.photos.map((p) => p.src), current: e.currentTarget.dataset.src });
    },
    onPlan() {
      wx.navigateTo({ url: `/pages/plan/index?id=${this.data.id}` });
    },
    onCheckin() {
      wx.navigateTo({ url: `/pages/checkin/index?id=${this.data.id}` });
    },
    onSubmit() {
      wx.navigateTo({ url: `/pages/evidence/index?id=${this.data.id}` });
    },
    onReview() {
      wx.navigateTo({ url: `/pages/review/index?id=${this.data.id}` });
    },
    onAdhoc() {
      wx.navigateTo({ url: `/pages/adhoc-task/index?id=${this.data.task.adhocTaskId}` });
    },
  },
});
