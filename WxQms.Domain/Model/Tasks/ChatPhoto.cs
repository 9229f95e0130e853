namespace WxQms.Domain.Model.Tasks;

/// <summary>A photo that came through the official-account chat, attached to a task and not yet submitted.</summary>
public sealed record ChatPhoto(StoredPhoto Photo, DateTimeOffset ReceivedAt, string? SentBy);
