// 星级: `value` filled stars out of `max`.
Component({
  properties: {
    value: { type: Number, value: 0 },
    max: { type: Number, value: 5 },
  },
  data: { stars: [] },
  observers: {
    'value, max'(value, max) {
      const stars = [];
      for (let i = 1; i <= max; i++) stars.push(i <= value);
      this.setData({ stars });
    },
  },
});
