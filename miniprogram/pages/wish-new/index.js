// 发布心愿: title (≤ 30 characters), description (≤ 300) and the community that should see it.
// Published after the content check and a staff approval; the wisher is told how it goes.
const api = require('../../utils/api');
const subscribe = require('../../utils/subscribe');

Component({
  data: {
    form: { title: '', description: '' },
    communities: [], // [{ id, name }] the subdistrict's communities
    communityIndex: -1,
    loading: true,
    error: '',
    formError: '',
    saving: false,
  },
  methods: {
    async onLoad() {
      try {
        const roots = await api.orgRoots();
        const tree = await api.orgTree(roots[0].id);
        this.setData({ communities: tree.children.map((c) => ({ id: c.id, name: c.name })) });
      } catch (err) {
        this.setData({ error: `社区列表加载失败：${err.message}` });
      } finally {
        this.setData({ loading: false });
      }
    },
    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    onCommunity(e) {
      this.setData({ communityIndex: Number(e.detail.value) });
    },
    onSave() {
      subscribe.ask(['wishUpdated']);
      return this.save();
    },
    async save() {
      const f = this.data.form;
      let problem = '';
      if (!f.title.trim()) problem = '请填写心愿标题';
      else if (f.title.trim().length > 30) problem = '标题不超过 30 个字';
      else if (!f.description.trim()) problem = '请描述您的心愿';
      else if (f.description.trim().length > 300) problem = '描述不超过 300 个字';
      else if (this.data.communityIndex < 0) problem = '请选择所在社区';
      this.setData({ formError: problem });
      if (problem || this.data.saving) return;
      this.setData({ saving: true });
      try {
        const wish = await api.wishes.post({
          title: f.title.trim(),
          description: f.description.trim(),
          communityId: this.data.communities[this.data.communityIndex].id,
        });
        wx.redirectTo({ url: `/pages/wish/index?id=${wish.id}` });
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
