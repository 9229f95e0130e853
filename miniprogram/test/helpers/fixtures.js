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
      photos: [],
    },
    overrides
  );
}

function photoDto(sha, taskId = 7) {
  return { sha256: sha, contentType: 'image/jpeg', size: 2048, url: `/api/mp/tasks/${taskId}/photos/${sha}` };
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
    },
    overrides
  );
}

module.exports = { taskListItem, taskDto, photoDto, problem, orgDto, wishDto };
