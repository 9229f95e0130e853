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

module.exports = { shanghai, dateTime, toInstant, currentMonth, STATE_LABELS };
