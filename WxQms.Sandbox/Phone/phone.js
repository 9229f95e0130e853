// 沙箱手机：以任一沙箱用户的身份与公众号聊天，看到微信会显示给他的内容。
// 只调用 /sandbox/wechat 下的沙箱辅助接口。所有文字都经 textContent 写入，从不把数据当 HTML。
'use strict';

(() => {
  const ACCOUNT = '东风路街道党建';
  const POLL_MS = 2000;
  const PAGE_SIZE = 50;
  const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
  const FIVE_MINUTES = 5 * 60 * 1000;
  const base = document.body.dataset.base || '/sandbox';

  const $ = (id) => document.getElementById(id);
  const ui = {
    picker: $('picker'), search: $('search'), listMeta: $('list-meta'), userList: $('user-list'), more: $('more'),
    chat: $('chat'), who: $('who'), back: $('back'), moreActions: $('more-actions'), offline: $('offline'),
    messages: $('messages'), followBar: $('follow-bar'), follow: $('follow'), menubar: $('menubar'),
    toKeyboard: $('to-keyboard'), menuButtons: $('menu-buttons'), composer: $('composer'), toMenu: $('to-menu'),
    text: $('text'), photo: $('photo'), send: $('send'), file: $('file'), submenu: $('submenu'),
    browser: $('browser'), browserClose: $('browser-close'), browserTitle: $('browser-title'),
    browserProgress: $('browser-progress'), browserFrame: $('browser-frame'),
    viewer: $('viewer'), viewerImg: $('viewer-img'),
    sheet: $('sheet'), sheetFollow: $('sheet-follow'), sheetSwitch: $('sheet-switch'), sheetCancel: $('sheet-cancel'),
    sheetScan: $('sheet-scan'), scanSheet: $('scan-sheet'), scanList: $('scan-list'), scanCancel: $('scan-cancel'),
    sheetPay: $('sheet-pay'), paySheet: $('pay-sheet'), payClose: $('pay-close'), payDescription: $('pay-description'),
    payAmount: $('pay-amount'), payMerchant: $('pay-merchant'), payConfirm: $('pay-confirm'),
    toast: $('toast'),
    smsOpen: $('sms-open'), smsNumber: $('sms-number'), sms: $('sms'), smsWho: $('sms-who'), smsBack: $('sms-back'),
    smsMessages: $('sms-messages'), smsText: $('sms-text'), smsSend: $('sms-send'),
  };

  // ---------------------------------------------------------------- helpers ---

  /** Builds an element: h('div', {class: 'x', onclick: fn}, 'text', child). Strings become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const enc = encodeURIComponent;
  const api = (path) => `${base}/wechat/${path}`;
  const mediaUrl = (id) => api(`media/${enc(id)}`);

  /** An http(s) or same-site address, or null: never javascript: or data: from a message. */
  function safeUrl(raw) {
    if (!raw || typeof raw !== 'string') return null;
    try {
      const u = new URL(raw, location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch {
      return null;
    }
  }

  const AVATAR_COLOURS = ['#5b8ff9', '#5ad8a6', '#f6bd16', '#e86452', '#6dc8ec', '#945fb9', '#ff9845', '#1e9493'];
  function avatarFor(name) {
    const s = name || '?';
    let n = 0;
    for (const ch of s) n = (n * 31 + ch.codePointAt(0)) >>> 0;
    const el = h('span', { class: 'avatar', 'aria-hidden': 'true' }, Array.from(s).slice(-1)[0] || '?');
    el.style.background = AVATAR_COLOURS[n % AVATAR_COLOURS.length];
    return el;
  }
  const accountAvatar = () => h('span', { class: 'avatar avatar-account', 'aria-hidden': 'true' }, '党');

  // Beijing time, whatever the browser's zone: the sandbox's clock is the server's, not ours.
  function beijing(iso) {
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return null;
    const d = new Date(t + 8 * 3600 * 1000);
    return { t, y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), hh: d.getUTCHours(), mm: d.getUTCMinutes() };
  }
  const pad = (n) => String(n).padStart(2, '0');
  function timeLabel(iso, ref) {
    const b = beijing(iso);
    if (!b) return '';
    const r = beijing(ref) || b;
    const clock = `${pad(b.hh)}:${pad(b.mm)}`;
    if (b.y === r.y && b.mo === r.mo && b.d === r.d) return clock;
    if (b.y === r.y) return `${b.mo}月${b.d}日 ${clock}`;
    return `${b.y}年${b.mo}月${b.d}日 ${clock}`;
  }
  function dateLabel(iso) {
    const b = beijing(iso);
    return b ? `${b.mo}月${b.d}日` : '';
  }

  // ------------------------------------------------------------------ toast ---

  let toastTimer = 0;
  function toast(message, ms = 2600) {
    ui.toast.textContent = message;
    ui.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { ui.toast.hidden = true; }, ms);
  }

  // --------------------------------------------------------------- requests ---

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** A polite Chinese sentence for a failed answer: the sandbox's own ProblemDetails when it has one. */
  async function problemOf(response) {
    let detail = '';
    try {
      const body = await response.json();
      detail = (body && (body.detail || body.title || body.errmsg)) || '';
    } catch {
      // not JSON: fall through to the status text
    }
    if (detail) return detail;
    if (response.status === 404) return '沙箱没有这个地址：请确认已开启沙箱（Wechat:Sandbox:Enabled）';
    if (response.status >= 500) return `服务器出错了（HTTP ${response.status}），请稍后再试`;
    return `请求没有成功（HTTP ${response.status}）`;
  }

  async function request(method, path, body, timeoutMs = 30000) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    let response;
    try {
      response = await fetch(path.startsWith('/') ? path : api(path), {
        method,
        headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctl.signal,
        cache: 'no-store',
      });
    } catch (e) {
      throw new ApiError(0, e && e.name === 'AbortError' ? '请求超时，请稍后再试' : '网络连接失败，请检查沙箱服务是否在运行');
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    try {
      return await response.json();
    } catch {
      throw new ApiError(response.status, '服务器的回答无法识别');
    }
  }

  /** Multipart upload with progress (fetch cannot report upload progress). */
  function uploadPhoto(openid, file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', api(`media?app=oa&openid=${enc(openid)}`));
      xhr.timeout = 120000;
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      xhr.onload = () => {
        const body = xhr.response;
        if (xhr.status >= 200 && xhr.status < 300 && body && body.mediaId) resolve(body);
        else reject(new ApiError(xhr.status, (body && (body.detail || body.title)) || `照片上传失败（HTTP ${xhr.status}）`));
      };
      xhr.onerror = () => reject(new ApiError(0, '网络连接失败，照片没有发出'));
      xhr.ontimeout = () => reject(new ApiError(0, '上传超时，照片没有发出'));
      const form = new FormData();
      form.append('media', file, file.name || 'photo');
      xhr.send(form);
    });
  }

  // ----------------------------------------------------------------- picker ---

  const picker = { query: '', offset: 0, total: 0, token: 0, timer: 0 };

  function showPicker() {
    stopChat();
    ui.chat.hidden = true;
    ui.picker.hidden = false;
    document.title = '选择沙箱用户 · 沙箱手机';
    if (!ui.userList.childElementCount) searchUsers(ui.search.value, false);
  }

  async function searchUsers(q, append) {
    const token = ++picker.token;
    const query = q.trim();
    const offset = append ? picker.offset : 0;
    if (!append) ui.listMeta.textContent = '正在搜索…';
    ui.more.disabled = true;
    try {
      const data = await request('GET', `users?q=${enc(query)}&offset=${offset}&limit=${PAGE_SIZE}`);
      if (token !== picker.token) return;
      picker.query = query;
      picker.total = data.total;
      picker.offset = offset + data.users.length;
      if (!append) ui.userList.replaceChildren();
      for (const u of data.users) ui.userList.append(userItem(u));
      ui.listMeta.textContent = data.total === 0
        ? ''
        : `${query ? `找到 ${data.total} 人` : `共 ${data.total} 人（党员与群众）`}，已显示 ${picker.offset} 人`;
      if (data.total === 0) ui.userList.append(h('li', { class: 'empty' }, query ? `没有名字含“${query}”的用户` : '沙箱里还没有用户'));
      ui.more.hidden = picker.offset >= data.total;
    } catch (e) {
      if (token !== picker.token) return;
      ui.listMeta.textContent = '用户列表加载失败';
      toast(e.message);
    } finally {
      if (token === picker.token) ui.more.disabled = false;
    }
  }

  function userItem(u) {
    const member = u.memberId !== null && u.memberId !== undefined;
    return h('li', null,
      h('button', { type: 'button', class: 'user', dataset: { openid: u.openid }, onclick: () => chooseUser(u.openid) },
        avatarFor(u.name),
        h('span', { class: 'user-info' },
          h('span', { class: 'user-name' }, u.name),
          h('span', { class: `tag ${member ? 'tag-member' : 'tag-resident'}` }, member ? '党员' : '群众'),
          h('span', { class: `user-follow${u.follows ? ' following' : ''}` }, u.follows ? '已关注' : '未关注'))));
  }

  ui.search.addEventListener('input', () => {
    clearTimeout(picker.timer);
    picker.timer = setTimeout(() => searchUsers(ui.search.value, false), 300);
  });
  ui.search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.isComposing) {
      clearTimeout(picker.timer);
      searchUsers(ui.search.value, false);
    }
  });
  ui.more.addEventListener('click', () => searchUsers(picker.query, true));

  function chooseUser(openid) {
    const url = new URL(location.href);
    url.searchParams.set('openid', openid);
    history.pushState({ openid }, '', url);
    openChat(openid);
  }

  window.addEventListener('popstate', () => route());

  function route() {
    const params = new URL(location.href).searchParams;
    const openid = params.get('openid');
    stopSms();
    if (params.get('sms')) openSms(params.get('sms'));
    else if (openid) openChat(openid);
    else showPicker();
  }

  // -------------------------------------------------------------------- sms ---
  // A number's SMS inbox (/sandbox/sms/{phone}/inbox): what a member without WeChat got, and her replies.

  const sms = { phone: null, gen: 0, timer: 0, shown: '' };
  const smsUrl = (phone, what) => `${base}/sms/${enc(phone)}/${what}`;

  function stopSms() {
    sms.gen++;
    sms.phone = null;
    clearTimeout(sms.timer);
    ui.sms.hidden = true;
  }

  function openSms(phone) {
    stopChat();
    stopSms();
    sms.phone = phone;
    sms.shown = '';
    ui.picker.hidden = true;
    ui.chat.hidden = true;
    ui.sms.hidden = false;
    ui.smsWho.textContent = phone;
    ui.smsMessages.replaceChildren();
    document.title = `短信 ${phone} · 沙箱手机`;
    pollSms(sms.gen);
  }

  async function pollSms(gen) {
    try {
      const data = await request('GET', smsUrl(sms.phone, 'inbox'));
      if (gen !== sms.gen) return;
      renderSms(data);
    } catch (e) {
      if (gen !== sms.gen) return;
      toast(e.message);
      if (e.status === 400) return;
    }
    if (gen === sms.gen) sms.timer = setTimeout(() => pollSms(gen), POLL_MS);
  }

  function renderSms(data) {
    const items = [
      ...data.messages.map((m) => ({ mine: false, at: m.at, text: m.content })),
      ...data.replies.map((r) => ({ mine: true, at: r.at, text: r.content })),
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const json = JSON.stringify(items);
    if (json === sms.shown) return;
    sms.shown = json;
    const rows = [];
    let last = null;
    for (const m of items) {
      if (!last || Date.parse(m.at) - Date.parse(last) > FIVE_MINUTES) rows.push(h('div', { class: 'time' }, timeLabel(m.at, m.at)));
      last = m.at;
      rows.push(h('div', { class: `row ${m.mine ? 'mine' : 'theirs'} sms-message` },
        m.mine ? avatarFor(sms.phone.slice(-1)) : h('span', { class: 'avatar avatar-sms', 'aria-hidden': 'true' }, '短信'),
        h('div', { class: 'content' }, h('div', { class: 'bubble' }, m.text))));
    }
    if (!rows.length) rows.push(h('div', { class: 'notice quiet' }, h('span', null, '这个号码还没有收到短信')));
    ui.smsMessages.replaceChildren(...rows);
    ui.smsMessages.scrollTop = ui.smsMessages.scrollHeight;
  }

  async function sendSms() {
    const content = ui.smsText.value.trim();
    if (!content || !sms.phone) return;
    ui.smsSend.disabled = true;
    try {
      await request('POST', smsUrl(sms.phone, 'reply'), { content });
      ui.smsText.value = '';
      clearTimeout(sms.timer);
      await pollSms(sms.gen);
    } catch (e) {
      toast(e.message);
    } finally {
      ui.smsSend.disabled = false;
    }
  }

  ui.smsSend.addEventListener('click', () => sendSms());
  ui.smsText.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendSms();
    }
  });
  ui.smsOpen.addEventListener('submit', (e) => {
    e.preventDefault();
    const phone = ui.smsNumber.value.trim();
    if (!/^1\d{10}$/.test(phone)) {
      toast('请输入 11 位手机号');
      return;
    }
    const url = new URL(location.href);
    url.searchParams.delete('openid');
    url.searchParams.set('sms', phone);
    history.pushState({ sms: phone }, '', url);
    openSms(phone);
  });
  ui.smsBack.addEventListener('click', () => {
    const url = new URL(location.href);
    url.searchParams.delete('sms');
    history.pushState(null, '', url);
    stopSms();
    showPicker();
  });

  // ------------------------------------------------------------------- chat ---

  const chat = {
    openid: null,
    gen: 0, // bumps when the user changes, so late answers for the previous user are dropped
    seen: new Set(),
    lastSeq: 0,
    lastAt: null,
    lastShownAt: null,
    follows: true,
    name: '',
    pending: [],
    timer: 0,
    inFlight: null,
    next: null,
    polls: 0,
    atBottom: true,
    online: true,
    menu: [],
    menuJson: '',
    mode: 'menu',
  };

  function stopChat() {
    chat.gen++;
    ui.paySheet.hidden = true;
    chat.openid = null;
    clearTimeout(chat.timer);
    closeSubmenu();
    closeBrowser();
  }

  function clearChat() {
    chat.seen = new Set();
    chat.lastSeq = 0;
    chat.lastAt = null;
    chat.lastShownAt = null;
    chat.pending = [];
    chat.atBottom = true;
    ui.messages.replaceChildren();
  }

  async function openChat(openid) {
    stopChat();
    chat.openid = openid;
    const gen = chat.gen;
    clearChat();
    ui.picker.hidden = true;
    ui.chat.hidden = false;
    ui.who.textContent = '';
    ui.text.value = '';
    autoGrow();
    chat.menuJson = '';
    try {
      const data = await request('GET', `users/${enc(openid)}/chat`);
      if (gen !== chat.gen) return;
      setOnline(true);
      applyChat(data, true);
      await loadMenu(gen);
    } catch (e) {
      if (gen !== chat.gen) return;
      if (e.status === 404) {
        toast('沙箱里没有这个用户，请重新选择');
        const url = new URL(location.href);
        url.searchParams.delete('openid');
        history.replaceState(null, '', url);
        showPicker();
        return;
      }
      setOnline(false, e);
    }
    if (gen === chat.gen) schedulePoll();
  }

  function applyChat(data, first) {
    if (data.name !== undefined) {
      chat.name = data.name;
      const member = data.memberId !== null && data.memberId !== undefined;
      ui.who.textContent = `我是 ${data.name}（${member ? '党员' : '群众'}）`;
      document.title = `${data.name} · ${ACCOUNT} · 沙箱手机`;
    }
    const follows = data.follows !== false;
    if (first || follows !== chat.follows) {
      chat.follows = follows;
      renderBottom();
    }
    const fresh = (data.messages || []).filter((m) => !chat.seen.has(m.seq)).sort((a, b) => a.seq - b.seq);
    if (!fresh.length) return;
    const stick = first || chat.atBottom;
    for (const m of fresh) {
      chat.seen.add(m.seq);
      chat.lastSeq = Math.max(chat.lastSeq, m.seq);
      chat.lastAt = m.at || chat.lastAt;
      settlePending(m);
      const el = renderMessage(m);
      if (el) appendWithTime(el, m.at);
    }
    if (stick) scrollToBottom();
  }

  /** Appends in order, with WeChat's time line after a five-minute gap; bubbles still being sent stay last. */
  function appendWithTime(el, at) {
    const t = Date.parse(at);
    const before = chat.pending.length ? chat.pending[0].el : null;
    if (!Number.isNaN(t) && (chat.lastShownAt === null || t - chat.lastShownAt > FIVE_MINUTES)) {
      chat.lastShownAt = t;
      ui.messages.insertBefore(h('div', { class: 'time' }, timeLabel(at, chat.lastAt)), before);
    }
    ui.messages.insertBefore(el, before);
  }

  // Whether the reader is at the newest message: new messages then keep the bottom in view, but
  // someone who scrolled up to read is left where they are.
  const nearBottom = () => ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 80;
  ui.messages.addEventListener('scroll', () => { chat.atBottom = nearBottom(); }, { passive: true });
  function scrollToBottom() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
    chat.atBottom = true;
  }
  /** A photo that loads later grows the list: keep the bottom in view if it was. */
  function keepBottomOnLoad(img) {
    img.addEventListener('load', () => { if (chat.atBottom) scrollToBottom(); });
  }

  // ---- polling ----

  function schedulePoll(ms = POLL_MS) {
    clearTimeout(chat.timer);
    chat.timer = setTimeout(() => poll(), ms);
  }

  /**
   * Fetches what is new. One request at a time: a call while one is running gets the next one, which
   * starts after it, so "poll after my send" always sees what the send caused.
   */
  function poll() {
    if (!chat.openid) return Promise.resolve();
    if (chat.inFlight) {
      chat.next = chat.next || chat.inFlight.then(() => {
        chat.next = null;
        return poll();
      });
      return chat.next;
    }
    clearTimeout(chat.timer);
    const gen = chat.gen;
    chat.inFlight = pollOnce(gen, chat.openid).finally(() => {
      chat.inFlight = null;
      if (gen === chat.gen && !chat.next) schedulePoll();
    });
    return chat.inFlight;
  }

  async function pollOnce(gen, openid) {
    chat.polls++;
    // Now and then the whole chat: a sandbox reset starts the numbering again.
    const full = chat.polls % 15 === 0;
    try {
      const data = await request('GET', `users/${enc(openid)}/chat${full ? '' : `?after=${chat.lastSeq}`}`, undefined, 15000);
      if (gen !== chat.gen) return;
      setOnline(true);
      if (full && wasReset(data.messages || [])) clearChat();
      applyChat(data, false);
      if (chat.polls % 3 === 0) await loadMenu(gen);
      await checkPayments(gen, false);
    } catch (e) {
      if (gen === chat.gen) setOnline(false, e);
    }
  }

  function wasReset(all) {
    const max = all.reduce((n, m) => Math.max(n, m.seq), 0);
    return max < chat.lastSeq || all.length < chat.seen.size;
  }

  function setOnline(ok, error) {
    if (ok === chat.online) return;
    chat.online = ok;
    ui.offline.hidden = ok;
    if (!ok) toast((error && error.message) || '网络连接失败');
    else toast('网络已恢复', 1400);
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && chat.openid) poll();
  });

  // ---- rendering messages ----

  function renderMessage(m) {
    switch (m.kind) {
      case 'user':
        return renderMine(m);
      case 'passive':
        return m.msgType === 'error' ? notice(m.text || '该公众号暂时无法提供服务，请稍后再试', 'error', m) : renderTheirs(m);
      case 'custom':
        return renderTheirs(m);
      case 'template':
        return renderTemplate(m, null);
      case 'subscribe':
        return renderTemplate(m, '小程序订阅消息');
      default:
        return notice(`［未知消息：${m.kind}］`, 'quiet', m);
    }
  }

  function tagged(el, m) {
    el.dataset.seq = m.seq;
    el.dataset.kind = m.kind;
    if (m.msgType) el.dataset.msgType = m.msgType;
    return el;
  }

  function notice(text, style, m) {
    const el = h('div', { class: `notice${style ? ` ${style}` : ''}` }, h('span', null, text));
    return m ? tagged(el, m) : el;
  }

  function row(mine, ...content) {
    return h('div', { class: `row ${mine ? 'mine' : 'theirs'}` },
      mine ? avatarFor(chat.name) : accountAvatar(),
      h('div', { class: 'content' }, content));
  }

  function menuName(key) {
    for (const b of chat.menu) {
      for (const leaf of [b, ...(b.sub_button || [])]) {
        if (leaf.key === key || leaf.url === key) return leaf.name;
      }
    }
    return key;
  }

  function renderMine(m) {
    const type = m.msgType || '';
    if (type === 'text') return tagged(row(true, h('div', { class: 'bubble' }, m.text || '')), m);
    if (type === 'image') return tagged(row(true, photo(m.mediaId)), m);
    if (type.startsWith('event:')) {
      const event = type.slice(6);
      const key = m.url || '';
      switch (event) {
        case 'subscribe': return notice(`你关注了“${ACCOUNT}”`, null, m);
        case 'unsubscribe': return notice(`你取消关注了“${ACCOUNT}”`, null, m);
        case 'CLICK': return notice(`点击了菜单“${menuName(key)}”`, 'quiet', m);
        case 'VIEW': return notice(`打开了菜单“${menuName(key)}”`, 'quiet', m);
        default: return notice(`发送了事件 ${event}${key ? `（${key}）` : ''}`, 'quiet', m);
      }
    }
    return tagged(row(true, h('div', { class: 'bubble' }, h('span', { class: 'hint' }, `［${type || '消息'}］`))), m);
  }

  function renderTheirs(m) {
    const type = m.msgType || 'text';
    switch (type) {
      case 'text':
        return tagged(row(false, h('div', { class: 'bubble' }, m.text || '')), m);
      case 'image':
        return tagged(row(false, photo(m.mediaId)), m);
      case 'news':
        return tagged(row(false, ...(m.articles || []).map(article)), m);
      case 'voice':
        return tagged(row(false, h('div', { class: 'bubble' }, '🔊 语音消息')), m);
      case 'video':
        return tagged(row(false, h('div', { class: 'bubble' }, `▶ 视频${m.title ? `：${m.title}` : ''}${m.text ? `\n${m.text}` : ''}`)), m);
      case 'miniprogrampage':
        return tagged(row(false, miniProgramCard(m)), m);
      default:
        return tagged(row(false, h('div', { class: 'bubble' }, h('span', { class: 'hint' }, `［${type} 消息，手机页面暂不显示］`))), m);
    }
  }

  function photo(mediaId) {
    if (!mediaId) return h('div', { class: 'photo broken' }, '［图片］');
    const src = mediaUrl(mediaId);
    const img = h('img', { src, alt: '照片', decoding: 'async' });
    const box = h('button', { type: 'button', class: 'photo', 'aria-label': '查看大图', onclick: () => viewImage(src) }, img);
    keepBottomOnLoad(img);
    img.addEventListener('error', () => {
      box.replaceChildren('图片已过期或无法加载');
      box.classList.add('broken');
      box.disabled = true;
    });
    return box;
  }

  function article(a) {
    const url = safeUrl(a.url);
    const cover = safeUrl(a.picUrl);
    const img = h('img', { class: 'article-cover', alt: '', src: cover });
    img.addEventListener('error', () => img.removeAttribute('src'));
    return h('button', { type: 'button', class: 'card article', onclick: () => (url ? openBrowser(url, a.title) : toast('这篇图文没有链接')) },
      img,
      h('span', { class: 'article-text' },
        h('span', { class: 'article-title' }, a.title || '（无标题）'),
        a.description ? h('span', { class: 'article-desc' }, a.description) : null));
  }

  function miniProgramCard(m) {
    return h('button', { type: 'button', class: 'card', onclick: () => toast(`沙箱里不能打开小程序（页面 ${m.page || '首页'}）`) },
      h('span', { class: 'card-source' }, '小程序'),
      h('span', { class: 'card-title' }, m.title || '小程序页面'),
      h('span', { class: 'mini-cover', 'aria-hidden': 'true' }, '◎'),
      h('span', { class: 'mini-label' }, m.page || ''));
  }

  function renderTemplate(m, source) {
    const url = safeUrl(m.url);
    let foot = null;
    if (url) foot = h('button', { type: 'button', class: 'card-foot', onclick: () => openBrowser(url, m.title) }, '详情');
    else if (m.page) foot = h('button', { type: 'button', class: 'card-foot', onclick: () => toast(`沙箱里不能打开小程序（页面 ${m.page}）`) }, '进入小程序查看');
    const card = h('div', { class: 'card template' },
      source ? h('div', { class: 'card-source' }, source) : null,
      h('div', { class: 'card-title' }, m.title || '模板消息'),
      h('div', { class: 'card-time' }, dateLabel(m.at)),
      h('dl', { class: 'card-fields' },
        (m.fields || []).map((f) => h('div', { class: 'card-field', dataset: { key: f.key } },
          h('dt', null, f.label || f.key), h('dd', null, f.value || '')))),
      foot);
    return tagged(row(false, card), m);
  }

  // ---- sending ----

  function addPending(kind, content, data) {
    const status = h('span', { class: 'status' }, h('span', { class: 'spinner', 'aria-label': '发送中' }));
    const el = row(true, content, status);
    el.classList.add('pending');
    const p = { kind, el, status, ...data };
    chat.pending.push(p);
    ui.messages.append(el);
    scrollToBottom();
    return p;
  }

  function dropPending(p) {
    chat.pending = chat.pending.filter((x) => x !== p);
    p.el.remove();
  }

  function failPending(p, retry) {
    p.failed = true;
    p.status.replaceChildren(h('button', {
      type: 'button', class: 'failed', 'aria-label': '发送失败，点击重发', title: '发送失败，点击重发',
      onclick: () => { dropPending(p); retry(); },
    }, '!'));
  }

  /** The real message arrived from the chat: the optimistic bubble for it goes. */
  function settlePending(m) {
    if (m.kind !== 'user') return;
    const p = chat.pending.find((x) => !x.failed && ((m.msgType === 'text' && x.kind === 'text' && x.text === m.text)
      || (m.msgType === 'image' && x.kind === 'image' && x.mediaId && x.mediaId === m.mediaId)));
    if (p) dropPending(p);
  }

  async function post(message) {
    return request('POST', `users/${enc(chat.openid)}/messages`, message, 45000);
  }

  /** After a send the sandbox answered 409: the user does not follow (any more). */
  function notFollowing() {
    chat.follows = false;
    renderBottom();
  }

  async function sendText(text) {
    if (!text.trim()) return;
    const gen = chat.gen;
    const p = addPending('text', h('div', { class: 'bubble' }, text), { text });
    try {
      await post({ msgType: 'text', content: text });
      if (gen !== chat.gen) return;
      await poll();
      if (chat.pending.includes(p)) dropPending(p);
    } catch (e) {
      if (gen !== chat.gen) return;
      failPending(p, () => sendText(text));
      toast(e.message);
      if (e.status === 409) notFollowing();
    }
  }

  async function sendPhoto(file) {
    if (!file) return;
    if (!/^image\/(jpeg|png|gif)$/.test(file.type)) {
      toast('只能发送 JPG、PNG 或 GIF 图片');
      return;
    }
    if (file.size > MAX_PHOTO_BYTES) {
      toast('图片太大了：最大 10 MB');
      return;
    }
    const gen = chat.gen;
    const openid = chat.openid;
    const preview = URL.createObjectURL(file);
    const progress = h('span', { class: 'progress' }, '0%');
    const img = h('img', { src: preview, alt: '正在发送的照片' });
    const p = addPending('image', h('div', { class: 'photo' }, img, progress), {});
    keepBottomOnLoad(img);
    try {
      const uploaded = await uploadPhoto(openid, file, (f) => { progress.textContent = `${Math.round(f * 100)}%`; });
      p.mediaId = uploaded.mediaId;
      progress.textContent = '发送中';
      await post({ msgType: 'image', mediaId: uploaded.mediaId });
      if (gen !== chat.gen) return;
      await poll();
      if (chat.pending.includes(p)) dropPending(p);
    } catch (e) {
      if (gen !== chat.gen) return;
      progress.remove();
      failPending(p, () => sendPhoto(file));
      toast(e.message);
      if (e.status === 409) notFollowing();
    } finally {
      setTimeout(() => URL.revokeObjectURL(preview), 60000);
    }
  }

  async function sendEvent(event, eventKey, quiet) {
    const gen = chat.gen;
    try {
      const answer = await post({ msgType: 'event', event, eventKey });
      if (gen !== chat.gen) return answer;
      await poll();
      return answer;
    } catch (e) {
      if (gen === chat.gen && !quiet) toast(e.message);
      if (gen === chat.gen && e.status === 409) notFollowing();
      return null;
    }
  }

  ui.send.addEventListener('click', () => submitText());
  ui.text.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter breaks the line; never while an input method is composing.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submitText();
    }
  });
  ui.text.addEventListener('input', () => autoGrow());

  function submitText() {
    const text = ui.text.value;
    if (!text.trim()) return;
    if (text.length > 2048) {
      toast('文字消息最长 2048 字');
      return;
    }
    ui.text.value = '';
    autoGrow();
    ui.text.focus();
    sendText(text);
  }

  /** One line high, growing to five as the text wraps (measured only while the box is on screen). */
  function autoGrow() {
    ui.text.style.height = '';
    if (ui.text.value && ui.text.offsetParent !== null) {
      ui.text.style.height = 'auto';
      ui.text.style.height = `${Math.max(40, Math.min(ui.text.scrollHeight, 112))}px`;
    }
    const typed = ui.text.value.trim().length > 0;
    ui.send.hidden = !typed;
    ui.photo.hidden = typed;
  }

  ui.photo.addEventListener('click', () => ui.file.click());
  ui.file.addEventListener('change', () => {
    const file = ui.file.files && ui.file.files[0];
    ui.file.value = '';
    sendPhoto(file);
  });

  // ---- follow / unfollow ----

  async function follow() {
    ui.follow.disabled = true;
    const answer = await sendEvent('subscribe');
    ui.follow.disabled = false;
    if (answer) {
      chat.follows = true;
      renderBottom();
    }
  }
  async function unfollow() {
    const answer = await sendEvent('unsubscribe');
    if (answer) {
      chat.follows = false;
      renderBottom();
      toast('已取消关注');
    }
  }
  ui.follow.addEventListener('click', () => follow());

  ui.moreActions.addEventListener('click', () => {
    ui.sheetFollow.textContent = chat.follows ? '取消关注' : '关注公众号';
    ui.sheetFollow.classList.toggle('danger', chat.follows);
    ui.sheet.hidden = false;
  });
  ui.sheet.addEventListener('click', (e) => { if (e.target === ui.sheet) ui.sheet.hidden = true; });
  ui.sheetCancel.addEventListener('click', () => { ui.sheet.hidden = true; });
  ui.sheetFollow.addEventListener('click', () => {
    ui.sheet.hidden = true;
    if (chat.follows) unfollow();
    else follow();
  });
  ui.sheetSwitch.addEventListener('click', () => {
    ui.sheet.hidden = true;
    goToPicker();
  });
  ui.back.addEventListener('click', () => goToPicker());

  // ---- 扫一扫: the parametric QR codes that still work, as a phone camera would read them ----

  ui.sheetScan.addEventListener('click', () => {
    ui.sheet.hidden = true;
    showCodes();
  });
  ui.scanCancel.addEventListener('click', () => { ui.scanSheet.hidden = true; });
  ui.scanSheet.addEventListener('click', (e) => { if (e.target === ui.scanSheet) ui.scanSheet.hidden = true; });

  async function showCodes() {
    let data;
    try {
      data = await request('GET', 'qrcodes', undefined, 15000);
    } catch (e) {
      toast(e.message);
      return;
    }
    const codes = Array.isArray(data.qrcodes) ? data.qrcodes : [];
    ui.scanList.replaceChildren(...(codes.length
      ? codes.map((c, i) => h('button', { type: 'button', class: 'sheet-item scan-code', onclick: () => scan(c.url) },
        `二维码 ${i + 1}${c.expiresAt ? `（${dateLabel(c.expiresAt)}前有效）` : '（永久）'}`))
      : [h('div', { class: 'sheet-item' }, '还没有可扫的二维码：请街道党建办先打印支部绑定二维码')]));
    ui.scanSheet.hidden = false;
  }

  async function scan(url) {
    ui.scanSheet.hidden = true;
    const gen = chat.gen;
    try {
      await request('POST', `users/${enc(chat.openid)}/scan`, { url }, 45000);
      if (gen !== chat.gen) return;
      chat.follows = true; // scanning a parametric code follows the account
      renderBottom();
      await poll();
    } catch (e) {
      if (gen === chat.gen) toast(e.message);
    }
  }

  // ---- 微信支付: an order the user started in the mini program (wx.requestPayment) opens WeChat's 确认支付 ----

  const pay = { order: null, dismissed: new Set() };

  /** Shows the newest unpaid order not dismissed yet (or, asked from the menu, any unpaid one). */
  async function checkPayments(gen, asked) {
    if (!ui.paySheet.hidden && !asked) return;
    let orders;
    try {
      orders = await request('GET', `pay/orders?openid=${enc(chat.openid)}`, undefined, 15000);
    } catch (e) {
      if (asked) toast(e.message);
      return;
    }
    if (gen !== chat.gen) return;
    const list = Array.isArray(orders) ? orders : [];
    const order = asked ? list[0] : list.find((o) => !pay.dismissed.has(o.outTradeNo));
    if (!order) {
      if (asked) toast('没有待支付的订单');
      return;
    }
    showPaySheet(order);
  }

  function showPaySheet(order) {
    pay.order = order;
    ui.payDescription.textContent = order.description || '';
    ui.payAmount.textContent = `¥${(order.totalFen / 100).toFixed(2)}`;
    ui.payMerchant.textContent = order.merchant || '';
    ui.payConfirm.disabled = false;
    ui.paySheet.hidden = false;
  }

  function closePaySheet() {
    if (pay.order) pay.dismissed.add(pay.order.outTradeNo);
    pay.order = null;
    ui.paySheet.hidden = true;
  }

  ui.sheetPay.addEventListener('click', () => {
    ui.sheet.hidden = true;
    checkPayments(chat.gen, true);
  });
  ui.payClose.addEventListener('click', () => closePaySheet());
  ui.payConfirm.addEventListener('click', async () => {
    const order = pay.order;
    if (!order) return;
    ui.payConfirm.disabled = true;
    try {
      await request('POST', `pay/${enc(order.outTradeNo)}/confirm`, undefined, 30000);
      closePaySheet();
      toast('支付成功');
    } catch (e) {
      ui.payConfirm.disabled = false;
      toast(e.message);
    }
  });

  function goToPicker() {
    const url = new URL(location.href);
    url.searchParams.delete('openid');
    history.pushState(null, '', url);
    showPicker();
  }

  // ------------------------------------------------------------- the menu ---

  async function loadMenu(gen) {
    try {
      const data = await request('GET', 'menu?app=oa', undefined, 15000);
      if (gen !== chat.gen) return;
      const buttons = Array.isArray(data.button) ? data.button.slice(0, 3) : [];
      const json = JSON.stringify(buttons);
      if (json === chat.menuJson) return;
      const hadMenu = chat.menu.length > 0;
      chat.menu = buttons;
      chat.menuJson = json;
      if (!hadMenu && buttons.length) chat.mode = 'menu';
      renderMenu();
      renderBottom();
    } catch {
      // The chat works without the menu; the next poll asks again.
    }
  }

  function renderMenu() {
    closeSubmenu();
    ui.menuButtons.replaceChildren(...chat.menu.map((b, i) => {
      const subs = Array.isArray(b.sub_button) ? b.sub_button.slice(0, 5) : [];
      const el = h('button', {
        type: 'button', class: `menu-button${subs.length ? ' has-sub' : ''}`, dataset: { index: i },
        'aria-haspopup': subs.length ? 'menu' : null, 'aria-expanded': subs.length ? 'false' : null,
      }, h('span', null, b.name || ''));
      el.addEventListener('click', (e) => {
        e.stopPropagation();
        if (subs.length) toggleSubmenu(el, subs);
        else {
          closeSubmenu();
          tapButton(b);
        }
      });
      return el;
    }));
  }

  let openFor = null;
  function toggleSubmenu(button, subs) {
    if (openFor === button) {
      closeSubmenu();
      return;
    }
    closeSubmenu();
    openFor = button;
    button.setAttribute('aria-expanded', 'true');
    ui.submenu.replaceChildren(...subs.map((s) => h('button', {
      type: 'button', class: 'submenu-item', role: 'menuitem',
      onclick: (e) => { e.stopPropagation(); closeSubmenu(); tapButton(s); },
    }, s.name || '')));
    ui.submenu.hidden = false;
    // Centred above its button, inside the phone.
    const phone = ui.chat.getBoundingClientRect();
    const b = button.getBoundingClientRect();
    const width = Math.max(ui.submenu.offsetWidth, b.width - 16);
    ui.submenu.style.minWidth = `${Math.round(b.width - 16)}px`;
    let left = b.left - phone.left + b.width / 2 - width / 2;
    left = Math.max(6, Math.min(left, phone.width - width - 6));
    ui.submenu.style.left = `${Math.round(left)}px`;
    ui.submenu.style.bottom = `${Math.round(phone.bottom - b.top + 8)}px`;
    ui.submenu.style.setProperty('--arrow', `${Math.round(b.left - phone.left + b.width / 2 - left)}px`);
  }

  function closeSubmenu() {
    if (openFor) openFor.setAttribute('aria-expanded', 'false');
    openFor = null;
    ui.submenu.hidden = true;
  }
  document.addEventListener('click', (e) => {
    if (openFor && !ui.submenu.contains(e.target)) closeSubmenu();
  });

  /** What WeChat does for each button type (PROTOCOL §7): events to our callback, pages in the in-app browser. */
  function tapButton(b) {
    switch (b.type) {
      case 'click':
        sendEvent('CLICK', b.key || '');
        break;
      case 'view': {
        const url = safeUrl(b.url);
        if (!url) {
          toast('这个菜单的网址无效');
          break;
        }
        openBrowser(url, b.name);
        sendEvent('VIEW', b.url, true);
        break;
      }
      case 'miniprogram':
        sendEvent('view_miniprogram', b.pagepath || '', true);
        toast(`沙箱里不能打开小程序（页面 ${b.pagepath || '首页'}）`);
        break;
      case 'scancode_push':
      case 'scancode_waitmsg':
        sendEvent(b.type, b.key || '');
        toast('沙箱里不能扫码');
        break;
      case 'pic_sysphoto':
      case 'pic_photo_or_album':
      case 'pic_weixin':
        sendEvent(b.type, b.key || '', true);
        ui.file.click();
        break;
      case 'location_select':
        sendEvent(b.type, b.key || '');
        toast('沙箱里不能选择位置');
        break;
      default:
        toast(`沙箱手机还不支持“${b.type || '未知'}”类型的菜单`);
    }
  }

  function renderBottom() {
    const hasMenu = chat.menu.length > 0;
    if (!chat.follows) {
      ui.followBar.hidden = false;
      ui.menubar.hidden = true;
      ui.composer.hidden = true;
      closeSubmenu();
      return;
    }
    ui.followBar.hidden = true;
    const menuMode = hasMenu && chat.mode === 'menu';
    ui.menubar.hidden = !menuMode;
    ui.composer.hidden = menuMode;
    ui.toMenu.hidden = !hasMenu;
    if (!menuMode) closeSubmenu();
  }

  ui.toKeyboard.addEventListener('click', () => {
    chat.mode = 'keyboard';
    renderBottom();
    autoGrow();
    ui.text.focus();
  });
  ui.toMenu.addEventListener('click', () => {
    chat.mode = 'menu';
    renderBottom();
  });

  // -------------------------------------------------- in-app browser, images ---

  function openBrowser(url, title) {
    closeSubmenu();
    let host = '';
    try { host = new URL(url).host; } catch { /* ignore */ }
    ui.browserTitle.textContent = title || host || '网页';
    ui.browserProgress.className = 'browser-progress';
    ui.browser.hidden = false;
    ui.browserFrame.src = url;
    requestAnimationFrame(() => { ui.browserProgress.className = 'browser-progress loading'; });
  }
  ui.browserFrame.addEventListener('load', () => {
    if (ui.browser.hidden) return;
    ui.browserProgress.className = 'browser-progress done';
    try {
      const t = ui.browserFrame.contentDocument && ui.browserFrame.contentDocument.title;
      if (t) ui.browserTitle.textContent = t;
    } catch {
      // another origin: keep the menu's name
    }
  });
  function closeBrowser() {
    if (ui.browser.hidden) return;
    ui.browser.hidden = true;
    ui.browserFrame.removeAttribute('src');
  }
  ui.browserClose.addEventListener('click', () => closeBrowser());

  function viewImage(src) {
    ui.viewerImg.src = src;
    ui.viewer.hidden = false;
  }
  ui.viewer.addEventListener('click', () => {
    ui.viewer.hidden = true;
    ui.viewerImg.removeAttribute('src');
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    if (!ui.viewer.hidden) ui.viewer.click();
    else if (!ui.browser.hidden) closeBrowser();
    else if (!ui.sheet.hidden) ui.sheet.hidden = true;
    else closeSubmenu();
  });

  window.addEventListener('unhandledrejection', (e) => {
    toast('出了点问题，请稍后再试');
    e.preventDefault();
  });

  route();
})();
