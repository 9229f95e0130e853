// 下发临时任务 (office staff anywhere, a community committee within its community): title,
// description, the last day, points, what evidence counts, and where it goes. The orgs are picked
// from GET /api/orgs/{id}/tree under the issuer's own org; "every branch under them" (the default)
// or "exactly these orgs". The Api checks everything again (scope, bounds) and answers with the
// task and its copies; the page then opens it.
const api = require('../../utils/api');
const roles = require('../../utils/roles');
const format = require('../../utils/format');
const config = require('../../utils/config');

const MAX_TITLE = 30;
const MAX_DESCRIPTION = 1000;
const MAX_POINTS = 100;

/** The tree as rows in display order: { id, name, kindLabel, depth, parentId, hasChildren }. */
function flatten(node, depth = 0, parentId = 0, rows = []) {
  rows.push({ id: node.id, name: node.name, kindLabel: node.kindLabel, depth, parentId, hasChildren: node.children.length > 0 });
  node.children.forEach((c) => flatten(c, depth + 1, node.id, rows));
  return rows;
}

/** Rows whose every ancestor is expanded, with their current marks. */
function visibleRows(rows, expanded, selected) {
  const shown = {};
  return rows
    .filter((r) => {
      const visible = r.depth === 0 || (shown[r.parentId] && expanded[r.parentId]);
      shown[r.id] = visible;
      return visible;
    })
    .map((r) => Object.assign({}, r, { open: !!expanded[r.id], checked: !!selected[r.id], indent: r.depth * 32 }));
}

Component({
  data: {
    allowed: true,
    loading: true,
    error: '',
    today: '',
    form: {
      title: '',
      description: '',
      dueOn: '',
      points: '5',
      minPhotos: 2,
      attendanceRequired: false,
      minutesRequired: true,
      placeRequired: true,
      topicRequired: false,
      target: 'branches',
    },
    tree: [], // the issuer's org subtree, flattened in display order
    expanded: {}, // org id -> its children are shown
    selected: {}, // org id -> picked
    rows: [], // the visible picker rows
    selectedText: '',
    formError: '',
    saving: false,
  },
  methods: {
    async onLoad() {
      this.setData({ today: format.today() });
      const { member } = await api.ensureSession().catch(() => ({ member: null }));
      if (!roles.canIssue(member)) {
        this.setData({ allowed: false, loading: false });
        return;
      }
      try {
        const root = await api.orgTree(roles.issueRoot(member));
        this.refreshRows({ tree: flatten(root), expanded: { [root.id]: true }, selected: {} });
      } catch (err) {
        this.setData({ error: `组织列表加载失败：${err.message}` });
      } finally {
        this.setData({ loading: false });
      }
    },

    /** Picker state: the flattened tree, which rows are open, which orgs are picked. */
    refreshRows({ tree = this.data.tree, expanded = this.data.expanded, selected = this.data.selected } = {}) {
      this.setData({
        tree,
        expanded,
        selected,
        rows: visibleRows(tree, expanded, selected),
        selectedText: tree.filter((r) => selected[r.id]).map((r) => r.name).join('、'),
      });
    },
    onToggleOpen(e) {
      const id = e.currentTarget.dataset.id;
      this.refreshRows({ expanded: Object.assign({}, this.data.expanded, { [id]: !this.data.expanded[id] }) });
    },
    onToggleOrg(e) {
      const id = e.currentTarget.dataset.id;
      this.refreshRows({ selected: Object.assign({}, this.data.selected, { [id]: !this.data.selected[id] }) });
    },
    pickedIds() {
      return this.data.tree.filter((r) => this.data.selected[r.id]).map((r) => r.id);
    },

    onField(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: e.detail.value });
    },
    onSwitch(e) {
      this.setData({ [`form.${e.currentTarget.dataset.field}`]: !!e.detail.value });
    },
    onPhotos(e) {
      const n = this.data.form.minPhotos + Number(e.currentTarget.dataset.step);
      if (n >= 0 && n <= config.maxPhotos) this.setData({ 'form.minPhotos': n });
    },
    onTarget(e) {
      this.setData({ 'form.target': e.currentTarget.dataset.target });
    },

    problem() {
      const f = this.data.form;
      const points = Number(f.points);
      if (!f.title.trim()) return '请填写任务标题';
      if (f.title.trim().length > MAX_TITLE) return `任务标题不超过${MAX_TITLE}字`;
      if (f.description.trim().length > MAX_DESCRIPTION) return `任务说明不超过${MAX_DESCRIPTION}字`;
      if (!f.dueOn) return '请选择截止日期';
      if (f.dueOn < this.data.today) return '截止日期不能早于今天';
      if (!(points > 0 && points <= MAX_POINTS)) return `分值应大于0且不超过${MAX_POINTS}分`;
      if (this.pickedIds().length === 0) return '请选择下发的组织';
      return '';
    },

    async onSave() {
      if (this.data.saving) return;
      const problem = this.problem();
      this.setData({ formError: problem });
      if (problem) return;
      const f = this.data.form;
      this.setData({ saving: true });
      try {
        const issued = await api.adhoc.issue({
          title: f.title.trim(),
          description: f.description.trim() || null,
          dueOn: f.dueOn,
          points: Number(f.points),
          lateDeduction: null, // the Api's defaults: half the points when late, nothing beyond losing them when never done
          overdueDeduction: null,
          minPhotos: f.minPhotos,
          attendanceRequired: f.attendanceRequired,
          minutesRequired: f.minutesRequired,
          placeRequired: f.placeRequired,
          topicRequired: f.topicRequired,
          orgIds: this.pickedIds(),
          target: f.target,
        });
        wx.showToast({ title: `已下发 ${issued.targetCount} 个组织`, icon: 'success' });
        wx.redirectTo({ url: `/pages/adhoc-task/index?id=${issued.id}` });
      } catch (err) {
        this.setData({ formError: err.message });
      } finally {
        this.setData({ saving: false });
      }
    },
  },
});
