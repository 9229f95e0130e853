// Dates as people here read them: Asia/Shanghai (UTC+8, no daylight saving), whatever the phone's zone.
const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

function pad(n) {
  return n < 10 ? `0${n}` : `${n}`;
}

/** '2026-11-20T06:00:00Z' -> { date: '2026-11-20', time: '14:00', month: '2026-11' } in Shanghai. */
function shanghai(iso) {
  if (!iso) return null;
  const d = new Date(new Date(iso).getTime() + SHANGHAI_OFFSET_MS);
  if (isNaN(d.getTime())) return null;
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return { date, time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`, month: date.slice(0, 7) };
}

function dateTime(iso) {
  const s = shanghai(iso);
  return s ? `${s.date} ${s.time}` : '';
}

/** A date and a time picked in Shanghai as an ISO instant with its offset, as the Api expects. */
function toInstant(date, time) {
  return `${date}T${time || '00:00'}:00+08:00`;
}

function currentMonth(now = Date.now()) {
  return shanghai(new Date(now).toISOString()).month;
}

const STATE_LABELS = {
  pending: '待办',
  planned: '已报计划',
  submitted: '已提交',
  completed: '已完成',
  returned: '已退回',
  overdue: '已逾期',
  cancelled: '已撤销',
};

// The task trail (TaskDto.history[].action) in words.
const HISTORY_LABELS = {
  'task.planned': '报送计划',
  'task.submitted': '提交佐证',
  'task.completed': '自动审核通过',
  'task.returned': '自动审核未通过，退回',
  'task.approved': '审核通过',
  'task.review_returned': '审核退回',
  'task.overdue': '逾期',
  'task.cancelled': '任务撤销',
};

const REVIEW_LABELS = { awaiting: '待审核', approved: '已审核' };

/** The last day of an ad-hoc task: it is due at the first instant of the next Shanghai day. */
function dueDay(iso) {
  if (!iso) return '';
  const s = shanghai(new Date(new Date(iso).getTime() - 1).toISOString());
  return s ? s.date : '';
}

/** Today in Shanghai as yyyy-MM-dd. */
function today(now = Date.now()) {
  return shanghai(new Date(now).toISOString()).date;
}

/** Points as people write them: 5, 1.5, +0.5 / -1 with `signed`. */
function points(n, signed = false) {
  const v = Number(n) || 0;
  const text = String(Math.round(v * 100) / 100);
  return signed && v > 0 ? `+${text}` : text;
}

/** An audit entry's data (a JSON string, or null) as an object; never throws. */
function auditData(data) {
  if (!data) return {};
  try {
    const parsed = JSON.parse(data);
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch (e) {
    return {};
  }
}

/**
 * One history line for the page: when, who, what, and the detail worth reading (the reason, the
 * points, the adjustment). System steps (the automatic judgment, the overdue job) read as 系统.
 * @param {{ at: string, action: string, actor: string, actorName: string | null, data: string | null }} h
 */
function historyLine(h) {
  const d = auditData(h.data);
  const details = [];
  if (h.action === 'task.planned' && d.plannedFor) details.push(`计划 ${dateTime(d.plannedFor)}`);
  if ((h.action === 'task.completed' || h.action === 'task.returned') && d.pointsEarned !== undefined) {
    details.push(`${d.onTime === false ? '逾期' : '按时'}，得 ${points(d.pointsEarned)} 分`);
  }
  if (Array.isArray(d.reasons) && d.reasons.length) details.push(d.reasons.join('；'));
  if (h.action === 'task.approved' && d.adjustment) details.push(`质量加减分 ${points(d.adjustment, true)}`);
  if (d.reason) details.push(d.reason);
  return {
    at: dateTime(h.at),
    label: HISTORY_LABELS[h.action] || h.action,
    who: h.actorName || (h.actor === 'system' ? '系统' : ''),
    detail: details.join('；'),
  };
}

module.exports = { shanghai, dateTime, toInstant, currentMonth, dueDay, today, points, auditData, historyLine, STATE_LABELS, HISTORY_LABELS, REVIEW_LABELS };
