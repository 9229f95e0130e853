// 一名入党申请人: every recorded step (date, warnings kept with it), what comes next and by when, and the
// form that records the next step with what that step keeps: the cultivation contacts or the two
// introducers (picked from the branch's members), the member meeting's vote, the training's days and
// hours, the political review's conclusion, a note and photos of the documents (album or camera).
// The branch's steps are its secretary's or worker's, the higher committee's the community's; the Api
// refuses a step too early or out of order with the rule that forbids it, shown as it says.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');
const photos = require('../../utils/photos');
const development = require('../../utils/development');

function emptyForm(today) {
  return { occurredOn: today, eligible: '', present: '', inFavour: '', days: '', hours: '', conclusion: '', note: '' };
}

/** A whole number from an input, or NaN. */
function whole(text) {
  return /^\d+$/.test(String(text).trim()) ? Number(String(text).trim()) : NaN;
}

Component({
  data: {
    id: 0,
    loading: true,
    error: '',
    applicant: null,
    view: null,
    steps: [], // recorded: [{ id, title, date, warnings }]
    timetable: [],
    next: null, // StepInfoDto of the next step
    /** @type {Record<string, boolean>} what the next step keeps: document, contacts, introducers, vote, training, conclusion */
    evidence: {},
    mayRecord: false,
    people: [], // the branch's members to pick contacts or introducers from: [{ id, name, picked }]
    form: emptyForm(''),
    today: '',
    photos: [],
    formError: '',
    warnings: [],
    saving: false,
  },
  methods: {
    async onLoad(query) {
      this.setData({ id: Number(query.id), today: format.today(), form: emptyForm(format.today()) });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const { member } = await api.ensureSession();
        const [all, a] = await Promise.all([api.development.steps(), api.development.get(this.data.id)]);
        const next = a.next ? all.find((s) => s.number === a.next.number) : null;
        /** @type {Record<string, boolean>} */
        const evidence = {};
        (next ? next.evidence : []).forEach((e) => (evidence[e] = true));
        const mayRecord = !!next && (next.recorder === 'committee' ? roles.canIssue(member) : roles.canAct(member));
        this.setData({
          applicant: a,
          view: development.item(a),
          steps: (a.steps || []).map((s) => ({
            id: s.id,
            title: `第 ${s.step} 步 ${s.name}`,
            date: s.occurredOn,
            warnings: s.warnings.map((w) => w.text),
          })),
          timetable: development.timetable(a.next, this.data.today),
          next,
          evidence,
          mayRecord,
        });
        if (mayRecord && (evidence.contacts || evidence.introducers)) {
          const roster = await api.orgMembers(a.orgId);
          this.setData({ people: roster.filter((m) => m.status === 'full').map((m) => ({ id: m.id, name: m.name, picked: false })) });
        }
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    onDate(e) {
      this.setData({ 'form.occurredOn': e.detail.value });
    },
    onPerson(e) {
      const i = this.data.people.findIndex((p) => p.id === e.currentTarget.dataset.id);
      if (i >= 0) this.setData({ [`people[${i}].picked`]: !this.data.people[i].picked });
    },
    onPhotos(e) {
      this.setData({ photos: e.detail.photos });
    },
    /** The request body for the next step, or a problem to show. */
    body() {
      const f = this.data.form;
      const ev = this.data.evidence;
      /** @type {Record<string, any>} every field named: the Api's StepBody lists them all (null when the step keeps none) */
      const body = {
        step: this.data.next.number,
        occurredOn: f.occurredOn,
        version: this.data.applicant.version,
        people: null,
        vote: null,
        training: null,
        conclusion: null,
        note: null,
        photoTokens: null,
      };
      if (!f.occurredOn) return { problem: '请选择日期' };
      if (f.occurredOn > this.data.today) return { problem: '日期不能晚于今天' };
      if (ev.contacts || ev.introducers) {
        const picked = this.data.people.filter((p) => p.picked).map((p) => p.id);
        if (ev.introducers && picked.length !== 2) return { problem: '请选择两名入党介绍人' };
        if (ev.contacts && (picked.length < 1 || picked.length > 2)) return { problem: '请选择一至两名培养联系人' };
        body.people = picked;
      }
      if (ev.vote) {
        const vote = { eligible: whole(f.eligible), present: whole(f.present), inFavour: whole(f.inFavour) };
        if ([vote.eligible, vote.present, vote.inFavour].some(isNaN)) return { problem: '请填写应到、实到和赞成的有表决权的正式党员人数' };
        body.vote = vote;
      }
      if (ev.training) {
        const training = { days: whole(f.days), hours: whole(f.hours) };
        if (isNaN(training.days) || isNaN(training.hours)) return { problem: '请填写培训的天数和学时' };
        body.training = training;
      }
      if (ev.conclusion) {
        if (!f.conclusion.trim()) return { problem: '请填写政治审查的结论' };
        body.conclusion = f.conclusion.trim();
      }
      if (f.note.trim()) body.note = f.note.trim();
      return { body };
    },
    async onRecord() {
      const { problem, body } = this.body();
      this.setData({ formError: problem || '', warnings: [] });
      if (problem || this.data.saving) return;
      this.setData({ saving: true });
      try {
        const photoTokens = await photos.uploadMissing(this.data.photos, (list) => this.setData({ photos: list }));
        if (photoTokens.length) body.photoTokens = photoTokens;
        const a = await api.development.record(this.data.id, body);
        const recorded = a.steps[a.steps.length - 1];
        this.setData({ photos: [], form: emptyForm(this.data.today), warnings: recorded.warnings.map((w) => w.text) });
        wx.showToast({ title: '已记录', icon: 'success' });
        await this.load();
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
