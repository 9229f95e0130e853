// One controlled document (#19): the version in force (?version= an older one, marked 已作废), its sections and its text
// (sanitised HTML from the Api). Opened from a task with ?section= the clause it follows is named at the top.
const api = require('../../utils/api');

Component({
  data: { loading: true, error: '', doc: null, sections: [], html: '', section: '' },
  methods: {
    onLoad(options) {
      this.setData({ section: (options && options.section) || '' });
      return this.load(decodeURIComponent(options.number), options.version ? Number(options.version) : undefined);
    },

    async load(number, version) {
      this.setData({ loading: true, error: '' });
      try {
        const d = await api.documents.get(number, version);
        this.setData({
          doc: {
            number: d.number, title: d.title, level: d.levelLabel, version: d.version, obsolete: d.obsolete,
            obsoleteText: d.obsolete ? `已作废：第${d.version}版${d.obsoleteOn ? `已于${d.obsoleteOn}作废` : ''}，仅供查阅，不得作为工作依据` : '',
            meta: `第${d.version}版${d.inForceOn ? ` · ${d.inForceOn}起实施` : ''} · 修订说明：${d.changeReason}`,
          },
          sections: d.sections.map((s) => ({ anchor: s.anchor, title: s.title, depth: s.depth, cited: s.anchor === this.data.section })),
          html: d.html,
        });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },
  },
});
