// 发展党员 as the pages show it: an ApplicantDto -> a list item, and the next step's timetable in words.
const STATUS = { applicant: '入党申请人', activist: '入党积极分子', candidate: '发展对象', probationary: '预备党员', full: '正式党员' };

/** NextStepDto -> '剩 12 天（2026-12-19 前）' | '已逾期 3 天（2026-12-04）' | ''. */
function left(next) {
  if (!next || next.daysLeft === null || next.daysLeft === undefined) return '';
  const end = next.due || next.limit;
  return next.daysLeft < 0 ? `已逾期 ${-next.daysLeft} 天（${end}）` : `剩 ${next.daysLeft} 天（${end} 前）`;
}

/** NextStepDto -> the lines of what comes next and when, with the rules that set the dates. */
function timetable(next, today) {
  if (!next) return [];
  const lines = [];
  if (next.earliest && next.earliest > today) lines.push(`最早 ${next.earliest} 起（${next.earliestRule}）`);
  if (next.due) lines.push(`应在 ${next.due} 前完成（${next.dueRule}）`);
  if (next.limit && next.limit !== next.due) lines.push(`最迟 ${next.limit}（${next.limitRule}）`);
  return lines;
}

function item(a) {
  const next = a.next;
  return {
    id: a.id,
    name: a.name,
    orgName: a.orgName,
    status: STATUS[a.status] || a.status,
    done: a.lastStep > 0 ? `已完成第 ${a.lastStep} 步（${a.lastStepOn}）` : '尚未登记入党申请',
    next: next ? `第 ${next.number} 步 ${next.name}${next.recorder === 'committee' ? '（上级党委）' : ''}` : '已完成全部 25 步',
    left: left(next),
    overdue: !!next && next.daysLeft !== null && next.daysLeft !== undefined && next.daysLeft < 0,
  };
}

module.exports = { STATUS, left, timetable, item };
