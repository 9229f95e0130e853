namespace WxQms.Domain.Model.Reminders;

/// <summary>
/// The reminders of a task (the seed's 生物钟), each sent at most once per recipient. Stored by
/// <see cref="Storage.DbNames"/>: <c>plan_report</c>, <c>organiser</c>, <c>members</c>, <c>warning</c>,
/// <c>escalation1</c>, <c>escalation2</c>.
/// </summary>
public enum ReminderKind
{
    /// <summary>A duty that needs a plan has none N days into its period: report it (secretary + worker).</summary>
    PlanReport,
    /// <summary>T−N days before the meeting (or the due time): prepare, draft the topic (secretary + worker).</summary>
    Organiser,
    /// <summary>T−1 day: attend (the members expected at the meeting).</summary>
    Members,
    /// <summary>End of the meeting day without evidence: the task is marked warned (branch + superior).</summary>
    Warning,
    /// <summary>T+1 day, still without evidence: to the superior's responsible staff.</summary>
    Escalation1,
    /// <summary>T+N days (the rule's last escalation), still without evidence: to the superior again.</summary>
    Escalation2,
}

/// <summary>Who a reminder goes to, resolved when it fires (so members who joined since are included).</summary>
public enum ReminderAudience
{
    /// <summary>The org's secretary and party-affairs worker (书记、党务工作者).</summary>
    Organisers,
    /// <summary>The members expected to attend: the party group's, the committee's, or the whole branch's.</summary>
    Attendees,
    /// <summary>The organisers and the superior org's responsible staff (secretary, worker, committee).</summary>
    OrganisersAndSuperior,
    /// <summary>The superior org's responsible staff only.</summary>
    Superior,
}

/// <summary>
/// Where a reminder is: waiting for its time (<see cref="Pending"/>), leased by a sender
/// (<see cref="Sending"/>), accepted by WeChat (<see cref="Sent"/>), refused for good
/// (<see cref="Failed"/>), reaching nobody (<see cref="Unreachable"/>: no follower, no consent left),
/// or dropped because the task no longer needs it (<see cref="Cancelled"/>).
/// </summary>
public enum ReminderStatus
{
    Pending,
    Sending,
    Sent,
    Failed,
    Unreachable,
    Cancelled,
}

/// <summary>The channel a reminder went out on: an official-account template message or a mini-program subscribe message.</summary>
public enum ReminderChannel
{
    Oa,
    Mp,
    /// <summary>A text message through the SMS provider (Sms:*), for whom WeChat cannot reach.</summary>
    Sms,
}
