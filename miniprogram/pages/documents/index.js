// 受控文件 (#19): the documents in force, grouped by level (质量手册, 程序文件, 工作规范, 外来文件), with a search by number, title or text.
const api = require('../../utils/api');
const LEVELS = ['manual', 'procedure', 'instruction', 'external'];

Component({
  data: { loading: true, error: '', q: '', groups: [], empty: false },
  methods: {
    onLoad() {
      return this.load();
    },

    onInput(e) {
      this.setData({ q: e.detail.value });
    },

    onSearch() {
      return this.load();
    },

    async load() {
      this.setData({ loading: true, error: '' });
      try {
        const list = await api.documents.list(this.data.q.trim() || undefined);
        const groups = LEVELS.map((level) => {
          const docs = list.filter((d) => d.level === level);
          return { level, label: docs.length ? docs[0].levelLabel : '', docs: docs.map((d) => ({
            number: d.number, title: d.title, since: `第${d.version}版 · ${d.inForceOn}起实施` })) };
        }).filter((g) => g.docs.length);
        this.setData({ groups, empty: list.length === 0 });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    onOpen(e) {
      wx.navigateTo({ url: `/pages/document/index?number=${encodeURIComponent(e.currentTarget.dataset.number)}` });
    },
  },
});
