// One wish and the step I can take on it: a member claims a published wish; the claimer fulfils it
// with photos; the wisher confirms it, which lights it (点亮).
const api = require('../../utils/api');
const photos = require('../../utils/photos');
const subscribe = require('../../utils/subscribe');
const format = require('../../utils/format');

function view(wish, member) {
  return Object.assign({}, wish, {
    posted: format.dateTime(wish.postedAt),
    autoConfirm: wish.autoConfirmAt ? format.dateTime(wish.autoConfirmAt) : '',
    canClaim: !!member && wish.status === 'published' && !wish.mine,
    canFulfil: wish.status === 'claimed' && wish.claimedByMe,
    canConfirm: wish.status === 'fulfilled' && wish.mine,
  });
}

Component({
  data: { id: 0, loading: true, error: '', wish: null, note: '', photos: [], actionError: '', busy: false, stage: '' },
  methods: {
    onLoad(query) {
      this.setData({ id: Number(query.id) });
      return this.load();
    },
    async load() {
      this.setData({ loading: true, error: '' });
      try {
        this.setData({ wish: view(await api.wishes.get(this.data.id), api.currentMember()) });
      } catch (err) {
        this.setData({ error: err.message });
      } finally {
        this.setData({ loading: false });
      }
    },

    onClaim() {
      subscribe.ask(['wishUpdated']);
      return this.act(() => api.wishes.claim(this.data.id, this.data.wish.version), '认领成功');
    },
    onConfirm() {
      return this.act(() => api.wishes.confirm(this.data.id, this.data.wish.version), '心愿已点亮');
    },
    onNote(e) {
      this.setData({ note: e.detail.value });
    },
    onPhotos(e) {
      this.setData({ photos: e.detail.photos });
    },
    onFulfil() {
      if (this.data.photos.length === 0) {
        this.setData({ actionError: '请上传至少一张完成照片' });
        return;
      }
      return this.act(async () => {
        this.setData({ stage: '正在上传照片…' });
        const tokens = await photos.uploadMissing(this.data.photos, (list) => this.setData({ photos: list }));
        this.setData({ stage: '正在提交…' });
        return api.wishes.fulfil(this.data.id, { note: this.data.note.trim(), photoTokens: tokens, version: this.data.wish.version });
      }, '已提交完成情况');
    },

    async act(call, done) {
      if (this.data.busy) return;
      this.setData({ busy: true, actionError: '' });
      try {
        const wish = await call();
        this.setData({ wish: view(wish, api.currentMember()), photos: [], note: '' });
        wx.showToast({ title: done, icon: 'success' });
      } catch (err) {
        this.setData({ actionError: err.message });
      } finally {
        this.setData({ busy: false, stage: '' });
      }
    },
  },
});
