// A list page for some roles only, shared by 临时任务 (pages/adhoc), 发展党员 (pages/development) and 待审批
// (pages/development-approvals): the signed-in member's roles decide whether she sees it (`allowed`, else the page
// says so); the list loads on opening, again on coming back to the page (after issuing, recording or cancelling)
// and on pulling down; a failure shows `error` over an empty list.
// One page's behaviour: roleList({ key, allows, fetch, signedIn }) — `key` names the list in the page's data,
// `allows(member)` is the role check, `fetch()` the list's items, `signedIn(member)` (optional) more data for an
// allowed member.
const api = require('../utils/api');

/**
 * @param {{ key: string, allows: (member: any) => boolean, fetch: () => Promise<any[]>, signedIn?: (member: any) => object }} page
 */
module.exports = function roleList({ key, allows, fetch, signedIn }) {
  return Behavior({
    data: { allowed: true, loading: true, error: '', [key]: [] },
    methods: {
      async onLoad() {
        const { member } = await api.ensureSession().catch(() => ({ member: null }));
        if (!allows(member)) {
          this.setData({ allowed: false, loading: false });
          return;
        }
        if (signedIn) this.setData(signedIn(member));
        return this.load();
      },
      onShow() {
        if (this.data.allowed && !this.data.loading) return this.load();
      },
      onPullDownRefresh() {
        return this.load().then(() => wx.stopPullDownRefresh());
      },
      async load() {
        this.setData({ loading: true, error: '' });
        try {
          this.setData({ [key]: await fetch() });
        } catch (err) {
          this.setData({ error: err.message, [key]: [] });
        } finally {
          this.setData({ loading: false });
        }
      },
    },
  });
};
