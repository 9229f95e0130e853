using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Services.Bot;

/// <summary>The official-account bot (issue #7): links, lifetimes, limits and the menu.</summary>
public sealed class BotOptions
{
    public const string Section = "Bot";

    /// <summary>
    /// Where WeChat users reach our pages (https://…, the host registered for web OAuth). Needed for the
    /// menu's VIEW buttons and the links in replies; without it replies carry mini-program links only.
    /// </summary>
    [Url]
    public string? PublicBase { get; set; }

    /// <summary>How long a printed branch QR code binds (WeChat's temporary codes stop at 30 days).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan BindCodeLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A printed code is reused while it has at least this much life left.</summary>
    public TimeSpan BindCodeReuseMargin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long the bot waits for the name and phone digits after a scan.</summary>
    public TimeSpan BindDialogueLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Wrong answers one WeChat user may give within <see cref="BindDialogueLifetime"/> (MySQL; a new scan does not reset it).</summary>
    [Range(1, 10)]
    public int BindAttemptsPerDialogue { get; set; } = 3;

    /// <summary>Wrong answers allowed per WeChat user per hour, across scans (counted in Redis).</summary>
    [Range(1, 100)]
    public int BindAttemptsPerHour { get; set; } = 5;

    /// <summary>
    /// Wrong answers naming one member (her name, another phone tail) allowed per day from all WeChat users
    /// together (MySQL); then binding as her by QR code waits a day, even with the right answer.
    /// </summary>
    [Range(1, 1000)]
    public int BindAttemptsPerMemberPerDay { get; set; } = 10;

    /// <summary>Wrong answers allowed per printed code per day from all WeChat users together (MySQL).</summary>
    [Range(1, 10000)]
    public int BindAttemptsPerCodePerDay { get; set; } = 50;

    /// <summary>Photos from one user with gaps shorter than this form one evidence set.</summary>
    public TimeSpan PhotoBurstQuiet { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a numbered list of tasks waits for the user's number.</summary>
    public TimeSpan ChoiceLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The task a user acted on within this window is the "task in hand" for her photos.</summary>
    public TimeSpan TaskInHandWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>The official-account menu pushed by <c>WxQms.Jobs menus</c>.</summary>
    public List<MenuItemOptions> Menu { get; set; } = [];
}

/// <summary>
/// One menu button: <c>click</c> with a <see cref="Key"/> (<see cref="BotMenuKeys"/>), or <c>view</c> with a
/// <see cref="Url"/>; a url starting with <c>oauth:</c> (<c>oauth:/h5/ranking</c>) is our page at
/// PublicBase reached through web OAuth (snsapi_base). A button with <see cref="Sub"/> is a submenu.
/// </summary>
public sealed class MenuItemOptions
{
    public string Name { get; set; } = "";
    public string? Type { get; set; }
    public string? Key { get; set; }
    public string? Url { get; set; }
    public List<MenuItemOptions> Sub { get; set; } = [];
}

public static class BotMenuKeys
{
    public const string MyTasks = "MY_TASKS";
    public const string Workbench = "WORKBENCH";
}
