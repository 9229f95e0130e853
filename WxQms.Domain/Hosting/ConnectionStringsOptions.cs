using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Hosting;

/// <summary>The two stores. Both are required: the hosts refuse to start without them.</summary>
public sealed class ConnectionStringsOptions
{
    public const string Section = "ConnectionStrings";

    [Required(ErrorMessage = "ConnectionStrings:MySql is required (for example from scripts/services.sh env)")]
    public string MySql { get; set; } = "";

    [Required(ErrorMessage = "ConnectionStrings:Redis is required (for example from scripts/services.sh env)")]
    public string Redis { get; set; } = "";
}
