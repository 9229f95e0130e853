// What a member's roles (from /api/mp/login) let them see and do. The Api checks every request
// again; this only decides what the pages offer.
const LABELS = {
  member: '党员',
  secretary: '支部书记',
  worker: '党务工作者',
  committee: '社区党委',
  staff: '街道党建办',
  inspector: '巡查员',
};

function has(member, ...roles) {
  return !!member && (member.roles || []).some((g) => roles.indexOf(g.role) >= 0);
}

module.exports = {
  /** Report plans and submit evidence (for their own org subtree). */
  canAct: (member) => has(member, 'secretary', 'worker', 'staff'),
  /** Sees counts over a subtree (superiors and those who run a branch). */
  seesSummary: (member) => has(member, 'secretary', 'worker', 'committee', 'staff'),
  canReview: (member) => has(member, 'staff'),
  /** Issue and cancel ad-hoc tasks: office staff anywhere, a community committee within its community. */
  canIssue: (member) => has(member, 'staff', 'committee'),
  /** The org an issuer's picker starts from: the widest org they issue for (staff before committee). */
  issueRoot(member) {
    const grants = ((member && member.roles) || []).filter((g) => g.role === 'staff' || g.role === 'committee');
    const staff = grants.find((g) => g.role === 'staff');
    return (staff || grants[0] || { orgId: 0 }).orgId;
  },
  /** Keep members' records (and so their transfers): a branch's secretary or worker, a community committee, the office. */
  keepsRecords: (member) => has(member, 'secretary', 'worker', 'committee', 'staff'),
  /** The org whose transfers a keeper sees first: her branch (secretary, worker) before a community or the office. */
  keepRoot(member) {
    const grants = ((member && member.roles) || []).filter((g) => ['secretary', 'worker', 'committee', 'staff'].indexOf(g.role) >= 0);
    const branch = grants.find((g) => g.role === 'secretary' || g.role === 'worker');
    return (branch || grants[0] || { orgId: 0 }).orgId;
  },
  /** Whether she may act for the receiving org: she keeps that very org, or a community or the whole subdistrict. */
  keepsOrg: (member, orgId) =>
    has(member, 'committee', 'staff') ||
    ((member && member.roles) || []).some((g) => (g.role === 'secretary' || g.role === 'worker') && g.orgId === orgId),
  isBound: (member) => !!member,
  labels(member) {
    if (!member) return ['群众'];
    const names = (member.roles || []).map((g) => LABELS[g.role] || g.role);
    return names.filter((n, i) => names.indexOf(n) === i);
  },
};
