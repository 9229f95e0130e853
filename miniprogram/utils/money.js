// Money as the Api sends it: integer fen. Shown as yuan with two decimals, never through floating point.

/** 4512 -> '45.12'; 20 -> '0.20'. */
function yuan(fen) {
  const n = Math.round(Number(fen) || 0);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** '45.12' (yuan typed by a person) -> 4512 fen, or null when it is not an amount with at most two decimals. */
function fen(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(String(text || ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '0').padEnd(2, '0'));
}

const STATE_LABELS = { paid: '已交', partly_paid: '部分交纳', waived: '免交', owed: '欠交' };

module.exports = { yuan, fen, STATE_LABELS };
