namespace WxQms.Domain.Model.Wishes;

/// <summary>Where a micro-wish (微心愿) stands. Stored as snake_case (<c>DbNames</c>).</summary>
public enum WishStatus
{
    /// <summary>Posted, the text passed or needs a look: waiting for community or office staff.</summary>
    Reviewing,
    /// <summary>Approved: anyone may see it, a member may claim it.</summary>
    Published,
    Claimed,
    /// <summary>The claimer reported it done with photos: waiting for the wisher's confirmation.</summary>
    Fulfilled,
    /// <summary>Confirmed (by the wisher, or by itself after the wait): 已点亮, points booked.</summary>
    Lit,
    Refused,
    Cancelled,
}

/// <summary>What someone does to a wish; <see cref="AutoConfirm"/> is the worker's.</summary>
public enum WishAction
{
    Approve,
    Refuse,
    Cancel,
    Claim,
    Release,
    Fulfil,
    Confirm,
    AutoConfirm,
}

/// <summary>A photo's stage: the wisher's own, or the claimer's proof of fulfilment.</summary>
public enum WishPhotoStage
{
    Wish,
    Fulfil,
}

/// <summary>What WeChat's image check said of a photo: still waiting, pass, review, risky, or no check possible.</summary>
public enum PhotoCheck
{
    Pending,
    Pass,
    Review,
    Risky,
    Unchecked,
}

public sealed record WishPhoto(long Id, WishPhotoStage Stage, int SortOrder, string Sha256, long Size, string ContentType,
    string RelativePath, PhotoCheck Check);

/// <summary>A wish as stored, with the names the views need (the wisher's is masked only when shown).</summary>
public sealed record Wish(
    long Id,
    long CommunityId,
    string CommunityName,
    string CommunityPath,
    string Title,
    string Description,
    long WisherUserId,
    long? WisherMemberId,
    string? WisherName,
    WishStatus Status,
    string TextCheck,
    string? TextLabel,
    string? ReviewedBy,
    DateTimeOffset? ReviewedAt,
    string? RefuseReason,
    long? ClaimerMemberId,
    string? ClaimerName,
    DateTimeOffset? ClaimedAt,
    DateTimeOffset? FulfilledAt,
    string? FulfilNote,
    DateTimeOffset? LitAt,
    string? LitBy,
    decimal? Points,
    string? CancelReason,
    DateTimeOffset PostedAt,
    DateTimeOffset UpdatedAt,
    int Version,
    IReadOnlyList<WishPhoto> Photos);
