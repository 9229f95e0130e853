// 民主评议 (issue #18): after the branch's 组织生活会 its secretary records each full member's grade (优秀 within the
// configured share, shown as maxExcellent); a 不合格 opens a follow-up (talk, improvement plan) that she records and
// closes here — the reminder she is sent opens this page (?orgId=).
const api = require('../../utils/api');

const GRADES = [
  { value: 'excellent', label: '优秀' },
  { value: 'qualified', label: '合格' },
  { value: 'basicallyQualified', label: '基本合格' },
  { value: 'unqualified', label: '不合格' },
];

function labelOf(grade) {
  const g = GRADES.find((x) => x.value === grade);
  return g ? g.label : '未评定';
}

Component({
  data: { loading: true, error: '', orgId: 0, year: 0, branch: null, members: [], followUps: [], grades: GRADES, changes: {}, formError: '', notice: '' },
  methods: {
    onLoad(options) {
      this.setData({ orgId: Number(options.orgId), year: Number(options.year || 0) });
      return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.show(await api.appraisals.of(this.data.orgId, this.data.year || undefined));
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    show(b) {
      this.setData({
        year: b.year,
        branch: { name: b.orgName, held: b.orgLifeHeld, maxExcellent: b.maxExcellent },
        members: b.members.map((m) => ({ id: m.memberId, name: m.name, full: m.status === 'full', grade: m.grade || '', label: labelOf(m.grade) })),
        followUps: b.followUps.map((f) => ({ id: f.id, name: f.memberName, dueOn: f.dueOn, talkedOn: f.talkedOn || '', plan: f.plan || '', closed: !!f.closedAt })),
        changes: {},
      });
    },

    onGrade(e) {
      const member = e.currentTarget.dataset.member;
      const grade = GRADES[Number(e.detail.value)].value;
      const changes = Object.assign({}, this.data.changes, { [member]: grade });
      const members = this.data.members.map((m) => (m.id === member ? Object.assign({}, m, { grade, label: labelOf(grade) }) : m));
      this.setData({ changes, members, formError: '' });
    },

    async onSave() {
      const grades = Object.keys(this.data.changes).map((id) => ({ memberId: Number(id), grade: this.data.changes[id] }));
      if (!grades.length) {
        this.setData({ formError: '请先评定等次' });
        return;
      }
      try {
        this.show(await api.appraisals.record(this.data.orgId, this.data.year, grades));
        this.setData({ notice: '已保存评议等次' });
      } catch (err) {
        this.setData({ formError: err.message });
      }
    },

    onTalked(e) {
      this.editFollowUp(e.currentTarget.dataset.id, { talkedOn: e.detail.value });
    },

    onPlan(e) {
      this.editFollowUp(e.currentTarget.dataset.id, { plan: e.detail.value });
    },

    editFollowUp(id, change) {
      this.setData({ followUps: this.data.followUps.map((f) => (f.id === id ? Object.assign({}, f, change) : f)) });
    },

    async onCloseFollowUp(e) {
      const f = this.data.followUps.find((x) => x.id === e.currentTarget.dataset.id);
      try {
        await api.appraisals.followUp(f.id, { talkedOn: f.talkedOn || null, plan: f.plan || null, close: true });
        await this.load();
        this.setData({ notice: `${f.name}的整改跟进已结束` });
      } catch (err) {
        this.setData({ formError: err.message });
      }
    },
  },
});
