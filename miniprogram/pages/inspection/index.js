// One inspection (巡查, 自查自纠 or 内部审核). For whoever may fill it (the planned inspector, or the branch for its
// self-inspection): the checklist, each item citing its clause, with 符合 / 不符合 / 不适用, a note (required for a
// finding), its severity and photos. The form is offline-tolerant: every change is kept on the phone
// (wx.setStorageSync, key wxqms.inspection.<id>), so leaving the page or losing the network loses nothing; photos
// keep their upload token once sent, so a retry sends only what is missing; the draft is dropped once the Api has the
// submission. For everyone else (the branch, those above) the report: each result, note, photos and the finding it raised.
const api = require('../../utils/api');
const photos = require('../../utils/photos');

function draftKey(id) {
  return `wxqms.inspection.${id}`;
}

function blankAnswers(items) {
  return items.map((i) => ({ no: i.no, result: '', severity: 'minor', note: '', photos: [] }));
}

function view(i) {
  return {
    id: i.id,
    version: i.version,
    title: `${i.communityName} · ${i.orgName}`,
    meta: `${i.year}年第${i.quarter}季度 · ${i.kindText}${i.inspectorName ? ` · 巡查员 ${i.inspectorName}` : ''}`,
    stateText: i.stateText,
    mayFill: i.mayFill,
    submitted: i.state === 'submitted',
    summary: i.summary || '',
    findings: i.findings,
    items: (i.items || []).map((x) => ({
      no: x.no,
      clause: x.clause,
      text: x.text,
      resultText: x.resultText || '',
      fail: x.result === 'fail',
      note: x.note || '',
      photos: x.photos,
      photoUrls: x.photoUrls || [],
      nonconformityId: x.nonconformityId || 0,
    })),
  };
}

Component({
  data: { id: 0, loading: true, saving: false, error: '', notice: '', photoError: '', restored: false, insp: null, answers: [], summary: '' },
  methods: {
    async onLoad(query) {
      this.setData({ id: Number(query && query.id) });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      const draft = wx.getStorageSync(draftKey(this.data.id));
      try {
        const i = await api.inspections.get(this.data.id);
        const insp = view(i);
        if (insp.mayFill && draft && draft.version === i.version) {
          this.setData({ insp, answers: draft.answers, summary: draft.summary || '', restored: true, notice: '已恢复本机保存的检查记录' });
        } else {
          if (!insp.mayFill && draft) wx.removeStorageSync(draftKey(this.data.id));
          this.setData({ insp, answers: blankAnswers(i.items || []), summary: '' });
        }
        if (!insp.mayFill) await this.loadPhotos();
      } catch (err) {
        // Offline with a draft: keep filling in from what the phone holds.
        if (draft && draft.insp) this.setData({ insp: draft.insp, answers: draft.answers, summary: draft.summary || '', restored: true });
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },
    loadPhotos() {
      return photos.showSent(this, 'insp.items');
    },
    onPreview(e) {
      wx.previewImage({ urls: e.currentTarget.dataset.urls, current: e.currentTarget.dataset.src });
    },
    save() {
      const d = this.data;
      wx.setStorageSync(draftKey(d.id), { version: d.insp.version, insp: d.insp, answers: d.answers, summary: d.summary });
    },
    change(index, patch) {
      const answers = this.data.answers.slice();
      answers[index] = Object.assign({}, answers[index], patch);
      this.setData({ answers });
      this.save();
    },
    onResult(e) {
      this.change(Number(e.currentTarget.dataset.index), { result: e.currentTarget.dataset.result });
    },
    onSeverity(e) {
      this.change(Number(e.currentTarget.dataset.index), { severity: e.currentTarget.dataset.severity });
    },
    onNote(e) {
      this.change(Number(e.currentTarget.dataset.index), { note: e.detail.value });
    },
    onSummary(e) {
      this.setData({ summary: e.detail.value });
      this.save();
    },
    async onPhoto(e) {
      const index = Number(e.currentTarget.dataset.index);
      const current = this.data.answers[index].photos;
      const paths = await photos.choose(9 - current.length).catch(() => []);
      if (paths.length) this.change(index, { photos: current.concat(photos.fromPaths(paths)) });
    },
    async onSubmit() {
      const d = this.data;
      if (d.saving) return;
      const missing = d.answers.find((a) => !a.result);
      if (missing) {
        this.setData({ error: `第 ${missing.no} 项还没有填写检查结果` });
        return;
      }
      this.setData({ saving: true, error: '', notice: '' });
      try {
        const items = [];
        for (let i = 0; i < d.answers.length; i++) {
          const a = d.answers[i];
          const tokens = await photos.uploadMissing(a.photos, (list) => this.change(i, { photos: list }));
          items.push({ no: a.no, result: a.result, severity: a.result === 'fail' ? a.severity : null, note: a.note || null, photoTokens: tokens });
        }
        const done = await api.inspections.submit(d.id, items, d.summary || null, d.insp.version);
        wx.removeStorageSync(draftKey(d.id));
        this.setData({ insp: view(done), restored: false, notice: done.findings ? `已提交，${done.findings} 项不符合已列入不符合项台账` : '已提交' });
        await this.loadPhotos();
      } catch (err) {
        this.save();
        this.setData({ error: err.statusCode ? err.message : '网络中断，检查记录已保存在本机，恢复网络后再提交' });
      } finally {
        this.setData({ saving: false });
      }
    },
    onFinding(e) {
      wx.navigateTo({ url: `/pages/nonconformity/index?id=${e.currentTarget.dataset.id}` });
    },
  },
});
