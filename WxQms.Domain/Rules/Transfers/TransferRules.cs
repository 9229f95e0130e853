using WxQms.Domain.Model;

namespace WxQms.Domain.Rules.Transfers;

/// <summary>A transfer refused by a rule: its stable code and the words a secretary reads.</summary>
public sealed record TransferRefusal(string Code, string Message);

/// <summary>What a member leaving the subdistrict needs (DUTIES §A.5).</summary>
public enum LeaveDocument
{
    /// <summary>More than six months, a fairly fixed destination: a formal transfer with a letter (介绍信).</summary>
    TransferLetter,

    /// <summary>Six months or less: a 党员证明信 (her relationship stays here).</summary>
    Certificate,

    /// <summary>Away for longer but where and how long is uncertain: a 流动党员活动证 (her relationship stays here).</summary>
    FlowingCard,
}

/// <summary>What the scan tells about a letter in transit.</summary>
public enum TransferAlert
{
    /// <summary>The letter's validity ends within <see cref="TransferRules.LeadDays"/> days and she is not yet accepted.</summary>
    LetterExpiring,

    /// <summary>The letter's validity has passed and she is not accepted: the office is warned.</summary>
    LetterExpired,

    /// <summary>The receipt is due within <see cref="TransferRules.LeadDays"/> days.</summary>
    ReceiptDueSoon,

    /// <summary>The receipt did not come back within a month of acceptance: the office is warned.</summary>
    ReceiptLate,
}

/// <summary>What a user does to a transfer.</summary>
public enum TransferAction
{
    /// <summary>Within: the receiving branch accepts (she moves); out: the receiving organisation's acceptance is recorded.</summary>
    Accept,

    /// <summary>Out: the receipt came back; she leaves the sending branch's roll.</summary>
    Receipt,

    /// <summary>Out: the letter was lost; it is voided (and re-issued with a new number).</summary>
    Void,

    /// <summary>Within: withdrawn or refused before acceptance.</summary>
    Cancel,
}

/// <summary>
/// The rules of a transfer of organisational relationship (组织关系转接, DUTIES §A.5, 组通字〔2006〕45号). Pure: dates come
/// in as arguments.
/// </summary>
public static class TransferRules
{
    public const string Regulation = "《关于进一步规范党员组织关系转接工作的通知》（组通字〔2006〕45号）";

    /// <summary>A letter is valid for at most three months.</summary>
    public const int MaxValidityMonths = 3;

    /// <summary>The receiving committee returns the receipt within one month of accepting the member.</summary>
    public const int ReceiptMonths = 1;

    /// <summary>A leave of this many months or less gets a 党员证明信, not a transfer.</summary>
    public const int CertificateMaxMonths = 6;

    /// <summary>How many days before a letter's validity ends or a receipt falls due the sending branch is reminded.</summary>
    public const int LeadDays = 7;

    public const int MaxNameLength = 100;

    /// <summary>What a member leaving for <paramref name="months"/> months needs: over six with a known place a transfer.</summary>
    public static LeaveDocument ForLeave(int months, bool destinationKnown) =>
        months <= CertificateMaxMonths ? LeaveDocument.Certificate
        : destinationKnown ? LeaveDocument.TransferLetter
        : LeaveDocument.FlowingCard;

    /// <summary>The refusal of a letter's dates, or null: issued by today, valid from issue for at most three months.</summary>
    public static TransferRefusal? CheckLetter(DateOnly? issuedOn, DateOnly? validUntil, DateOnly today)
    {
        if (issuedOn is not { } issued)
            return new("transfer.issued_required", "请填写介绍信的开具日期。");
        if (validUntil is not { } until)
            return new("transfer.validity_required", "请填写介绍信的有效期。");
        if (issued > today)
            return new("transfer.issued_future", "介绍信的开具日期不能晚于今天。");
        if (until < issued)
            return new("transfer.validity_before_issue", "有效期不能早于开具日期。");
        if (until > issued.AddMonths(MaxValidityMonths))
            return new("transfer.validity_too_long", $"介绍信有效期最长 {MaxValidityMonths} 个月（{Regulation}），请不晚于 {issued.AddMonths(MaxValidityMonths):yyyy-MM-dd}。");
        return null;
    }

    /// <summary>The refusal of a "dues paid up to" month, or null (none is allowed: the dues area fills it later).</summary>
    public static TransferRefusal? CheckDues(DuesPaidThrough? dues, DateOnly issuedOn) =>
        dues is null ? null
        : dues.Month is < 1 or > 12 || dues.Year < 1921 ? new("transfer.bad_dues", "党费交到的年月无效。")
        : new DateOnly(dues.Year, dues.Month, 1) > new DateOnly(issuedOn.Year, issuedOn.Month, 1).AddMonths(12)
            ? new("transfer.bad_dues", "党费交到的月份不能超过开具月份后 12 个月。")
            : null;

    /// <summary>The day the receipt is expected: one month after acceptance.</summary>
    public static DateOnly ReceiptDue(DateOnly acceptedOn) => acceptedOn.AddMonths(ReceiptMonths);

    /// <summary>The refusal of an acceptance date for a letter issued on <paramref name="issuedOn"/>, or null.</summary>
    public static TransferRefusal? CheckAccepted(DateOnly? acceptedOn, DateOnly? issuedOn, DateOnly? validUntil, DateOnly today)
    {
        if (acceptedOn is not { } on)
            return new("transfer.accepted_required", "请填写接收日期。");
        if (on > today)
            return new("transfer.accepted_future", "接收日期不能晚于今天。");
        if (issuedOn is { } issued && on < issued)
            return new("transfer.accepted_before_issue", "接收日期不能早于介绍信开具日期。");
        if (validUntil is { } until && on > until)
            return new("transfer.letter_expired", $"介绍信已于 {until:yyyy-MM-dd} 过期，对方不能凭此信接收；请作废后重开。");
        return null;
    }

    /// <summary>The refusal of a receipt's date, or null: not before acceptance, not in the future.</summary>
    public static TransferRefusal? CheckReceipt(DateOnly? receiptOn, DateOnly? acceptedOn, DateOnly today) =>
        receiptOn is not { } on ? new("transfer.receipt_required", "请填写回执收到日期。")
        : on > today ? new("transfer.receipt_future", "回执日期不能晚于今天。")
        : acceptedOn is { } accepted && on < accepted ? new("transfer.receipt_before_accept", "回执日期不能早于接收日期。")
        : null;

    /// <summary>The state an action leads to, or the refusal.</summary>
    public static (TransferState? Next, TransferRefusal? Refusal) Apply(TransferKind kind, TransferState state, TransferAction action) =>
        (kind, state, action) switch
        {
            (TransferKind.Within, TransferState.Requested, TransferAction.Accept) => (TransferState.Completed, null),
            (TransferKind.Within, TransferState.Requested, TransferAction.Cancel) => (TransferState.Cancelled, null),
            (TransferKind.Out, TransferState.Issued, TransferAction.Accept) => (TransferState.Accepted, null),
            (TransferKind.Out, TransferState.Issued, TransferAction.Void) => (TransferState.Voided, null),
            (TransferKind.Out, TransferState.Accepted, TransferAction.Receipt) => (TransferState.Completed, null),
            (TransferKind.Out, TransferState.Issued, TransferAction.Receipt) =>
                (null, new("transfer.not_accepted", "对方尚未接收，不能登记回执；请先登记接收日期。")),
            (TransferKind.Out, TransferState.Accepted, TransferAction.Void) =>
                (null, new("transfer.already_accepted", "对方已接收该党员，介绍信不能再作废。")),
            _ => (null, new("transfer.bad_state", $"该转接当前为“{Describe(state)}”，不能{Describe(action)}。")),
        };

    /// <summary>Whether the member is still on the sending branch's roll and its responsibility: until she is accepted within, or until the receipt is back.</summary>
    public static bool SenderResponsible(TransferKind kind, TransferState state) =>
        kind switch
        {
            TransferKind.Within => state == TransferState.Requested,
            TransferKind.Out => state is TransferState.Issued or TransferState.Accepted,
            _ => false,
        };

    /// <summary>Whether the transfer is still travelling (the office's list of transfers in transit).</summary>
    public static bool InTransit(TransferState state) => state is TransferState.Requested or TransferState.Issued or TransferState.Accepted;

    /// <summary>The alert due on <paramref name="today"/> for a letter out, or null.</summary>
    public static TransferAlert? Due(TransferKind kind, TransferState state, DateOnly? validUntil, DateOnly? receiptDueOn, DateOnly today)
    {
        if (kind != TransferKind.Out)
            return null;
        if (state == TransferState.Issued && validUntil is { } until)
            return today > until ? TransferAlert.LetterExpired : today >= until.AddDays(-LeadDays) ? TransferAlert.LetterExpiring : null;
        if (state == TransferState.Accepted && receiptDueOn is { } due)
            return today > due ? TransferAlert.ReceiptLate : today >= due.AddDays(-LeadDays) ? TransferAlert.ReceiptDueSoon : null;
        return null;
    }

    /// <summary>Whether the receipt is late (the office's list highlights it).</summary>
    public static bool ReceiptOverdue(TransferState state, DateOnly? receiptDueOn, DateOnly today) =>
        state == TransferState.Accepted && receiptDueOn is { } due && today > due;

    /// <summary>Whether the letter has expired before anyone accepted her.</summary>
    public static bool LetterExpired(TransferState state, DateOnly? validUntil, DateOnly today) =>
        state == TransferState.Issued && validUntil is { } until && today > until;

    /// <summary>A letter's number: the year of issue and the transfer's id (unique by construction).</summary>
    public static string LetterNumber(DateOnly issuedOn, long id) => $"{issuedOn.Year}-{id:D5}";

    /// <summary>The outbox kind of an alert (≤ 16 characters).</summary>
    public static string Kind(TransferAlert alert) => alert switch
    {
        TransferAlert.LetterExpiring => "letter_expiring",
        TransferAlert.LetterExpired => "letter_expired",
        TransferAlert.ReceiptDueSoon => "receipt_due",
        _ => "receipt_late",
    };

    /// <summary>Whether an alert warns the office as well as the sending branch.</summary>
    public static bool WarnsOffice(TransferAlert alert) => alert is TransferAlert.LetterExpired or TransferAlert.ReceiptLate;

    public static string Describe(TransferKind kind) => kind switch
    {
        TransferKind.Within => "街道内转接",
        TransferKind.Out => "转出街道",
        TransferKind.In => "转入街道",
        _ => "党员证明信",
    };

    public static string Describe(TransferState state) => state switch
    {
        TransferState.Requested => "待接收",
        TransferState.Issued => "介绍信在途",
        TransferState.Accepted => "已接收，待回执",
        TransferState.Completed => "已完成",
        TransferState.Voided => "已作废",
        _ => "已撤销",
    };

    public static string Describe(TransferAction action) => action switch
    {
        TransferAction.Accept => "接收",
        TransferAction.Receipt => "登记回执",
        TransferAction.Void => "作废",
        _ => "撤销",
    };
}
