using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Services.Showcase;

/// <summary><c>Showcase:*</c> — the community showcase's panoramas: how large an uploaded photo may be.</summary>
public sealed class ShowcaseOptions
{
    public const string Section = "Showcase";

    /// <summary>Bytes an uploaded panorama may have at most.</summary>
    [Range(1024, 200L * 1024 * 1024)]
    public long PanoramaMaxBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>
    /// Pixels a panorama may be wide at most (its height is half): a phone's browser cannot show more (WebGL's texture limit;
    /// many phones stop at 8192).
    /// </summary>
    [Range(Rules.Showcase.Panoramas.MinWidth, 16_384)]
    public int PanoramaMaxWidth { get; set; } = 8192;
}
