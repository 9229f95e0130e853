namespace WxQms.Domain.Model.Tasks;

// Not "TaskStatus": that name belongs to System.Threading.Tasks, which ImplicitUsings imports everywhere.
public enum TaskState
{
    /// <summary>待办: generated, nothing reported yet.</summary>
    Pending,
    /// <summary>已报计划: the branch reported date, place and topic.</summary>
    Planned,
    /// <summary>已提交: evidence is in, judgment not yet recorded.</summary>
    Submitted,
    /// <summary>已完成: judgment passed (on time or late).</summary>
    Completed,
    /// <summary>已退回: judgment failed; the branch fixes and resubmits.</summary>
    Returned,
    /// <summary>已逾期: the due time passed without a submission; a late submission is still accepted.</summary>
    Overdue,
    /// <summary>已撤销: an ad-hoc task withdrawn by the office, with a reason.</summary>
    Cancelled,
}

public enum TaskAction
{
    ReportPlan,
    Submit,
    /// <summary>Judgment passed.</summary>
    Complete,
    /// <summary>Judgment failed, or a reviewer sent a completed task back (with a reason).</summary>
    Return,
    /// <summary>A reviewer accepted a completed task (with a bounded quality adjustment).</summary>
    Approve,
    MarkOverdue,
    Cancel,
}
