using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Hosting;

/// <summary>
/// The subdistrict this installation serves (section <c>Subdistrict</c>). Its name is how the product speaks of
/// itself: in the bot's help and welcome (欢迎关注{Name}党建！) and in the footers of the official-account pages
/// ({Name}党建质量管理). The shipped appsettings.json name the demo's subdistrict; a deployment sets its own.
/// </summary>
public sealed class SubdistrictOptions
{
    public const string Section = "Subdistrict";

    /// <summary>For example 东风路街道.</summary>
    [Required]
    public string Name { get; set; } = "";
}
