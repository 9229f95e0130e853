using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Services.Wishes;

/// <summary><c>Wishes:*</c> — the micro-wish limits and rewards.</summary>
public sealed class WishOptions
{
    public const string Section = "Wishes";

    /// <summary>Wishes one person may post per day (Asia/Shanghai).</summary>
    [Range(1, 1000)]
    public int MaxPostsPerDay { get; set; } = 3;

    /// <summary>Wishes one member may hold claimed (not yet fulfilled) at once.</summary>
    [Range(1, 1000)]
    public int MaxOpenClaims { get; set; } = 2;

    /// <summary>Member points booked when a wish the member fulfilled is lit.</summary>
    [Range(typeof(decimal), "0", "100")]
    public decimal Points { get; set; } = 2m;

    /// <summary>A fulfilled wish the wisher does not confirm lights itself after this.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan AutoConfirmAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// This service's public address, from which WeChat's image check fetches a wish's photos
    /// (media_check_async needs a URL it can reach).
    /// </summary>
    [Required, Url]
    public string PublicBase { get; set; } = "http://127.0.0.1:8080";
}
