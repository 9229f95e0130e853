namespace WxQms.Domain.Wechat.Callbacks;

/// <summary>Told of every image-check verdict after it is stored, so what the image belongs to can act on it.</summary>
public interface IMediaCheckListener
{
    Task OnVerdictAsync(string traceId, string suggest, string? label, CancellationToken ct);
}
