namespace WxQms.Domain.Model;

/// <summary>
/// The kinds of a transfer of organisational relationship (组织关系转接): branch to branch within the subdistrict, a
/// letter out of it, a letter received into it, and the 党员证明信 a member leaving for six months or less takes instead.
/// </summary>
public enum TransferKind
{
    Within,
    Out,
    In,
    Certificate,
}

/// <summary>Where a transfer stands (see <c>Rules/Transfers/TransferRules</c> for the moves between them).</summary>
public enum TransferState
{
    /// <summary>Within: started by either branch, waiting for the receiving branch to accept.</summary>
    Requested,

    /// <summary>Out: the letter is issued and travelling; the sending branch keeps the member.</summary>
    Issued,

    /// <summary>Out: the receiving organisation accepted her; the receipt (回执) is expected within a month.</summary>
    Accepted,

    /// <summary>Done: moved (within), receipt back (out), placed (in), letter given (certificate).</summary>
    Completed,

    /// <summary>Out: the letter was lost and voided; a new one with a new number replaces it.</summary>
    Voided,

    /// <summary>Within: withdrawn or refused before acceptance.</summary>
    Cancelled,
}

/// <summary>What a transfer says, as stored: the letter's particulars where there is a letter.</summary>
public sealed record Transfer(
    long Id,
    TransferKind Kind,
    TransferState State,
    long MemberId,
    string MemberName,
    long? FromOrgId,
    long? ToOrgId,
    string FromOrgName,
    string ToOrgName,
    string? LetterNo,
    DateOnly? IssuedOn,
    DateOnly? ValidUntil,
    DuesPaidThrough? DuesPaidThrough,
    string? Reason,
    DateOnly? AcceptedOn,
    DateOnly? ReceiptDueOn,
    DateOnly? ReceiptOn,
    DateOnly? ClosedOn,
    long? ReplacesId,
    string? VoidReason,
    DateTimeOffset CreatedAt);

/// <summary>
/// "Dues paid up to" (党费交到) on a letter: a year and month. A letter out takes it from the member's dues months (issue #23,
/// Rules/Dues/PaidUpTo); a letter received from outside carries what it states.
/// </summary>
public sealed record DuesPaidThrough(int Year, int Month)
{
    public override string ToString() => $"{Year}年{Month}月";
}
