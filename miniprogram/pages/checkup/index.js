// 党性体检 (issue #18): the year's questionnaire (sections, items with weights); my self-assessment, or — with
// ?memberId= — the branch's assessment of a member by her secretary; the result grade and the items to improve.
// Visible to the member and her branch secretary only (the Api refuses anyone else).
const api = require('../../utils/api');

const SCALE = [5, 4, 3, 2, 1];

function sectionsOf(items, ratings) {
  const given = {};
  (ratings || []).forEach((r) => {
    given[r.itemId] = r.rating;
  });
  const sections = [];
  items.forEach((i) => {
    let s = sections.find((x) => x.name === i.section);
    if (!s) sections.push((s = { name: i.section, items: [] }));
    s.items.push({ id: i.id, text: i.text, weight: i.weight, rating: given[i.id] || 0 });
  });
  return sections;
}

Component({
  data: { loading: true, error: '', formError: '', memberId: 0, checkup: null, sections: [], scale: SCALE, saving: false, notice: '' },
  methods: {
    onLoad(options) {
      this.setData({ memberId: Number((options && options.memberId) || 0) });
      return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.show(this.data.memberId ? await api.checkups.of(this.data.memberId) : await api.checkups.mine());
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    show(c) {
      const mine = !this.data.memberId;
      this.setData({
        checkup: { year: c.year, name: c.memberName, grade: c.gradeLabel || '', score: c.score === null ? '' : String(c.score),
          selfDone: !!c.self, branchDone: !!c.branch, improve: c.toImprove.map((i) => i.text), editable: mine || c.mayAssessAsBranch },
        sections: sectionsOf(c.items, mine ? c.self : c.branch),
      });
    },

    onRate(e) {
      const { item, rating } = e.currentTarget.dataset;
      const sections = this.data.sections.map((s) => ({ name: s.name, items: s.items.map((i) => (i.id === item ? Object.assign({}, i, { rating }) : i)) }));
      this.setData({ sections, formError: '' });
    },

    async onSubmit() {
      const items = [].concat(...this.data.sections.map((s) => s.items));
      if (items.some((i) => !i.rating)) {
        this.setData({ formError: '请为每道题打分' });
        return;
      }
      const ratings = items.map((i) => ({ itemId: i.id, rating: i.rating }));
      this.setData({ saving: true, formError: '' });
      try {
        const c = this.data.memberId ? await api.checkups.rate(this.data.memberId, ratings) : await api.checkups.rateMine(ratings);
        this.show(c);
        this.setData({ notice: c.gradeLabel ? `体检结果：${c.gradeLabel}` : '已提交，待支部评价后出结果' });
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
