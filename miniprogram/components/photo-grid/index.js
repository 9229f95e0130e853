// 照片: the photos picked for a submission (utils/photos.js Photo[]), each with its upload progress or outcome,
// a × to take one out and a + to pick more, up to `max`. Picking and removing emit "change" with the new list
// ({ photos }); the page keeps the list and uploads it. A picker that cannot open emits "fail". `disabled`
// (while the page submits) hides + and ×.
const photos = require('../../utils/photos');
const config = require('../../utils/config');

Component({
  options: { styleIsolation: 'apply-shared' }, // .photos, .photo… from app.wxss
  properties: {
    photos: { type: Array, value: [] },
    max: { type: Number, value: config.maxPhotos },
    disabled: { type: Boolean, value: false },
  },
  methods: {
    async onAdd() {
      try {
        const paths = await photos.choose(this.data.max - this.data.photos.length);
        if (paths.length) this.triggerEvent('change', { photos: this.data.photos.concat(photos.fromPaths(paths)) });
      } catch (err) {
        this.triggerEvent('fail', { error: err });
      }
    },
    onRemove(e) {
      if (this.data.disabled) return;
      const i = Number(e.currentTarget.dataset.index);
      this.triggerEvent('change', { photos: this.data.photos.filter((_, j) => j !== i) });
    },
  },
});
