// Api payloads shaped exactly like the Api's (validated against test/contract by the mocks).
function taskListItem(overrides = {}) {
  return Object.assign(
    {
      id: 7,
      orgId: 301,
      orgName: '东风路第三社区第一支部',
      templateCode: 'theme_party_day',
      templateName: '主题党日',
      periodKey: '2026-11',
      dueAt: '2026-11-30T16:00:00+00:00',
      state: 'pending',
      possiblePoints: 5,
      adHoc: false,
      reviewStatus: null,
      warnedAt: null,
    },
    overrides
  );
}

function taskDto(overrides = {}) {
  return Object.assign(
    {
      id: 7,
      orgId: 301,
      templateCode: 'theme_party_day',
      name: '主题党日',
      periodKey: '2026-11',
      opensAt: '2026-10-31T16:00:00+00:00',
      dueAt: '2026-11-30T16:00:00+00:00',
      state: 'planned',
      stateLabel: '已报计划',
      version: 2,
      plannedFor: '2026-11-20T06:00:00+00:00',
      place: '社区党群服务中心',
      topic: '志愿服务进楼院',
      points: 5,
      evidenceRule: {
        minPhotos: 2,
        attendanceRequired: true,
        quorum: 'none',
        minutesRequired: true,
        placeRequired: true,
        topicRequired: true,
        recordLabel: '活动记录',
      },
      adHoc: false,
      adhocTaskId: null,
      reviewStatus: null,
      maxReviewAdjustment: 1,
      photos: [],
      evidence: [],
      history: [],
      warnedAt: null,
      chatPhotos: [],
    },
    overrides
  );
}

function photoDto(sha, taskId = 7, overrides = {}) {
  return Object.assign(
    { sha256: sha, contentType: 'image/jpeg', size: 2048, url: `/api/mp/tasks/${taskId}/photos/${sha}`, takenAt: null, takenOnMeetingDay: null },
    overrides
  );
}

/** One submission in TaskDto.evidence (newest first), judged and not yet reviewed. */
function evidenceItem(overrides = {}) {
  return Object.assign(
    {
      id: 41,
      heldAt: '2026-11-20T06:00:00+00:00',
      place: '社区党群服务中心',
      topic: '志愿服务进楼院',
      minutes: '学习了会议精神，布置了入户走访。',
      present: 18,
      absent: 2,
      onLeave: 1,
      photoCount: 2,
      submittedAt: '2026-11-20T09:30:00+00:00',
      submittedBy: 'member:11',
      passed: true,
      reasons: [],
      onTime: true,
      points: 5,
      reviewDecision: null,
      reviewAdjustment: null,
      reviewReason: null,
      reviewedAt: null,
    },
    overrides
  );
}

/** One line of TaskDto.history (oldest first); data is the audit entry's JSON, as a string. */
function historyItem(overrides = {}) {
  return Object.assign(
    {
      at: '2026-11-10T02:00:00+00:00',
      action: 'task.planned',
      actor: 'member:11',
      actorName: '王芳',
      data: JSON.stringify({ from: 'pending', to: 'planned' }),
    },
    overrides
  );
}

function taskSummary(overrides = {}) {
  return Object.assign(
    { inProgress: 4, dueThisMonth: 3, dueThisQuarter: 6, overdue: 1, warned: 2, completedThisYear: 20, awaitingReview: 0, asOf: '2026-11-20T06:00:00+00:00' },
    overrides
  );
}

function orgTree() {
  const node = (id, code, name, kind, kindLabel, children = []) => ({
    id, code, name, kind, kindLabel, memberCount: children.length ? 0 : 20, totalMemberCount: 20 * Math.max(1, children.length), children,
  });
  return node(1, 'DFL', '东风路街道党工委', 'subdistrict', '街道党工委', [
    node(30, 'DFL-C03', '东风路第三社区', 'communityCommittee', '社区党委', [
      node(301, 'DFL-C03-B01', '第一支部', 'branch', '党支部'),
      node(302, 'DFL-C03-B02', '第二支部', 'branch', '党支部'),
    ]),
    node(31, 'DFL-C01', '东风路第一社区', 'communityCommittee', '社区党委', [node(311, 'DFL-C01-B01', '第一支部', 'branch', '党支部')]),
  ]);
}

function adhocTaskDto(overrides = {}) {
  return Object.assign(
    {
      id: 3,
      title: '防汛安全排查',
      description: '逐楼排查地下室和低洼处，登记隐患。',
      opensAt: '2026-11-18T02:00:00+00:00',
      dueAt: '2026-11-25T16:00:00+00:00',
      periodKey: '2026-11',
      points: 5,
      lateDeduction: 2.5,
      overdueDeduction: 0,
      evidenceRule: { minPhotos: 2, attendanceRequired: false, quorum: 'none', minutesRequired: true, placeRequired: true, topicRequired: false, recordLabel: '工作记录' },
      scopeOrgId: 30,
      targetCount: 2,
      issuedBy: 'member:2',
      createdAt: '2026-11-18T02:00:00+00:00',
      cancelled: false,
      cancelledAt: null,
      cancelReason: null,
      stateCounts: { pending: 1, completed: 1 },
      targets: [
        { taskId: 71, orgId: 301, orgName: '第一支部', state: 'pending' },
        { taskId: 72, orgId: 302, orgName: '第二支部', state: 'completed' },
      ],
    },
    overrides
  );
}

function problem(status, title, detail, code) {
  return { type: 'https://tools.ietf.org/html/rfc9110', title, status, detail, code, traceId: '00-abc-01' };
}

function orgDto(overrides = {}) {
  return Object.assign(
    { id: 301, parentId: 30, code: 'DFL-C03-B01', name: '第一支部', kind: 'branch', kindLabel: '党支部', depth: 2 },
    overrides
  );
}

function wishDto(overrides = {}) {
  return Object.assign(
    {
      id: 5,
      title: '希望有人帮忙修理轮椅',
      description: '家住3号楼，轮椅刹车坏了。',
      communityId: 30,
      communityName: '东风路第三社区',
      status: 'published',
      statusLabel: '待认领',
      wisherName: '张*',
      claimerName: null,
      postedAt: '2026-11-20T02:00:00+00:00',
      version: 1,
      mine: false,
      claimedByMe: false,
      canModerate: false,
      textCheck: null,
      refuseReason: null,
      cancelReason: null,
      claimedAt: null,
      fulfilledAt: null,
      fulfilNote: null,
      autoConfirmAt: null,
      litAt: null,
      points: null,
      photos: [],
    },
    overrides
  );
}

/** One org in a RankingView. */
function rankingRow(overrides = {}) {
  return Object.assign(
    { orgId: 30, name: '东风路第三社区', kindLabel: '社区党委', path: '/1/30/', rank: 1, possible: 100, earned: 88, carried: 0, ratio: 0.88, tasks: 20, missed: 1 },
    overrides
  );
}

/** GET /api/rankings: the live month (closedAt null, provisional) unless overridden. */
function rankingView(overrides = {}) {
  return Object.assign(
    {
      period: '2026-11',
      periodLabel: '2026年11月',
      level: 'community',
      scope: { id: 1, name: '东风路街道党工委', path: '/1/' },
      provisional: true,
      closedAt: null,
      asOf: '2026-11-20T06:05:00+00:00',
      rows: [rankingRow()],
    },
    overrides
  );
}

/** GET /api/mp/me/stars: this month, live. thresholds: year points for 2, 3, 4 and 5 stars. */
function starsDto(overrides = {}) {
  return Object.assign(
    {
      memberId: 11,
      name: '王芳',
      orgId: 301,
      period: '2026-11',
      periodLabel: '2026年11月',
      points: 5,
      pointsYear: 37.5,
      stars: 4,
      starsLabel: '★★★★☆',
      grade: null,
      provisional: true,
      thresholds: [4, 12, 24, 40],
    },
    overrides
  );
}

module.exports = { taskListItem, taskDto, photoDto, evidenceItem, historyItem, taskSummary, orgTree, adhocTaskDto, problem, orgDto, wishDto, rankingRow, rankingView, starsDto };
