// One nonconformity (不符合项) with its trail: for the branch's secretary or worker the forms of the corrective action
// (原因分析 and 纠正措施 with a due date, then the completion with a note); for the community's secretary or committee the
// effectiveness check (有效性验证: passed closes it, not passed reopens it with a note). Each step sends the version the
// page showed, so a stale page is told to refresh. The completion carries photos (uploaded one by one first; a failure
// keeps the form and the photos already up); the trail shows each step's photos, fetched with the caller's token.
const api = require('../../utils/api');
const format = require('../../utils/format');
const photos = require('../../utils/photos');
const config = require('../../utils/config');

function view(n) {
  return {
    id: n.id,
    version: n.version,
    orgName: n.orgName,
    description: n.description,
    clause: n.clause || '',
    meta: `${n.sourceText} · ${n.severityText}`,
    stateText: n.pastDue ? `${n.stateText}（逾期）` : n.stateText,
    cause: n.cause || '',
    action: n.action || '',
    actionDueOn: n.actionDueOn || '',
    checkDueOn: n.checkDueOn || '',
    canRecord: n.mayAct && ['open', 'reopened', 'action_recorded'].indexOf(n.state) >= 0,
    canComplete: n.mayAct && n.state === 'action_recorded',
    canCheck: n.mayCheck && n.checkDueNow,
    checkLater: n.mayCheck && !n.checkDueNow,
    trail: (n.trail || []).map((s, i) => ({
      key: i,
      text: `第${s.cycle}轮 · ${s.kindText}`,
      detail: [s.cause ? `原因：${s.cause}` : '', s.note || '', s.dueOn ? `期限 ${s.dueOn}` : '', s.photos ? `照片 ${s.photos} 张` : '']
        .filter((x) => x)
        .join('；'),
      at: format.dateTime(s.at),
      photoUrls: s.photoUrls || [],
      srcs: [],
    })),
  };
}

Component({
  data: {
    id: 0,
    loading: true,
    saving: false,
    error: '',
    notice: '',
    today: '',
    nc: null,
    cause: '',
    action: '',
    dueOn: '',
    note: '',
    checkNote: '',
    photos: [], // utils/photos Photo[] of the completion form
    maxPhotos: config.maxPhotos,
    photoError: '',
  },
  methods: {
    async onLoad(query) {
      this.setData({ id: Number(query && query.id), today: format.today() });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const n = await api.nonconformities.get(this.data.id);
        this.setData({ nc: view(n), cause: n.cause || '', action: n.action || '', dueOn: n.actionDueOn || '' });
        await this.loadPhotos();
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },
    loadPhotos() {
      return photos.showSent(this, 'nc.trail');
    },
    onPreview(e) {
      wx.previewImage({ urls: e.currentTarget.dataset.urls, current: e.currentTarget.dataset.src });
    },
    onPhotos(e) {
      this.setData({ photos: e.detail.photos });
    },
    onPhotosFailed() {
      this.setData({ error: '无法打开相册或相机，请检查授权后重试' });
    },
    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value });
    },
    async act(step, done) {
      if (this.data.saving) return;
      this.setData({ saving: true, error: '', notice: '' });
      try {
        const n = await step();
        this.setData({ nc: view(n), notice: done, note: '', checkNote: '', photos: [] });
        await this.loadPhotos();
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
    onRecord() {
      const d = this.data;
      return this.act(() => api.nonconformities.recordAction(d.id, d.cause, d.action, d.dueOn || null, d.nc.version), '已提交原因分析和纠正措施');
    },
    onComplete() {
      const d = this.data;
      return this.act(async () => {
        const tokens = await photos.uploadMissing(d.photos, (list) => this.setData({ photos: list }));
        return api.nonconformities.complete(d.id, d.note, tokens, d.nc.version);
      }, '已报告整改完成，等待有效性验证');
    },
    onPass() {
      const d = this.data;
      return this.act(() => api.nonconformities.check(d.id, true, d.checkNote || null, d.nc.version), '验证通过，不符合项已关闭');
    },
    onFail() {
      const d = this.data;
      return this.act(() => api.nonconformities.check(d.id, false, d.checkNote, d.nc.version), '验证未通过，已退回支部重新整改');
    },
  },
});
