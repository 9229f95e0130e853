// 发布心愿: title (≤ 30 characters), description (≤ 300), the community that should see it, up to nine
// photos and, for a resident, how they want to be called (称呼, ≤ 10; members are called by their name).
// Photos go up one by one with progress; a failure halfway keeps the form and the photos already uploaded.
// Published after the content checks and a staff approval; the wisher is told how it goes.
const api = require('../../utils/api');
const photos = require('../../utils/photos');
const subscribe = require('../../utils/subscribe');
const config = require('../../utils/config');

Component({
  data: {
    form: { title: '', description: '', name: '' },
    communities: [], // [{ id, name }] the subdistrict's communities
    communityIndex: -1,
    resident: true, // no member behind this WeChat user: ask how to call them
    photos: [],
    maxPhotos: config.maxPhotos,
    loading: true,
    error: '',
    formError: '',
    saving: false,
  },
  methods: {
    async onLoad() {
      this.setData({ resident: !api.currentMember() });
      try {
        const communities = await api.wishes.communities();
        this.setData({ communities: communities.map((c) => ({ id: c.id, name: c.name })) });
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
    onPhotos(e) {
      this.setData({ photos: e.detail.photos });
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
      else if (this.data.resident && f.name.trim().length > 10) problem = '称呼不超过 10 个字';
      this.setData({ formError: problem });
      if (problem || this.data.saving) return;
      this.setData({ saving: true });
      try {
        const photoTokens = await photos.uploadMissing(this.data.photos, (list) => this.setData({ photos: list }));
        const body = {
          title: f.title.trim(),
          description: f.description.trim(),
          communityId: this.data.communities[this.data.communityIndex].id,
        };
        if (photoTokens.length) body.photoTokens = photoTokens;
        if (this.data.resident && f.name.trim()) body.name = f.name.trim();
        const wish = await api.wishes.post(body);
        wx.redirectTo({ url: `/pages/wish/index?id=${wish.id}` });
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
