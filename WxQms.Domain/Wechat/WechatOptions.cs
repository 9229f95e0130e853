using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace WxQms.Domain.Wechat;

/// <summary>
/// The official account, the mini program and the WeChat hosts. Secrets (AppSecret, Token,
/// EncodingAesKey) come only from configuration or the environment and are never logged.
/// </summary>
public sealed class WechatOptions
{
    public const string Section = "Wechat";

    [Required, ValidateObjectMembers]
    public WechatAppOptions Oa { get; set; } = new();

    [Required, ValidateObjectMembers]
    public WechatAppOptions Mp { get; set; } = new();

    /// <summary>https://api.weixin.qq.com, or the sandbox's /sandbox/wechat in local runs and tests.</summary>
    [Required, Url]
    public string ApiBase { get; set; } = "https://api.weixin.qq.com";

    /// <summary>Where web OAuth sends the user's browser (open.weixin.qq.com, or the sandbox).</summary>
    [Required, Url]
    public string OpenBase { get; set; } = "https://open.weixin.qq.com";

    [Required, ValidateObjectMembers]
    public CallbackOptions Callback { get; set; } = new();

    [Required]
    public SandboxOptions Sandbox { get; set; } = new();

    public sealed class CallbackOptions
    {
        /// <summary>Replay window for callback timestamps; 0 turns the check off.</summary>
        [Range(0, 86400)]
        public int TimestampToleranceSeconds { get; set; } = 300;

        /// <summary>
        /// Accept signed plaintext pushes although an EncodingAesKey is set: for switching the console from 明文模式
        /// to 兼容模式/安全模式 and back without a window of refused pushes. Off by default: with a key, a plaintext
        /// push is refused, so a console left in the wrong mode shows at once.
        /// </summary>
        public bool AcceptPlaintext { get; set; }
    }

    public sealed class SandboxOptions
    {
        /// <summary>Maps the local WeChat imitation under /sandbox. Never on in production.</summary>
        public bool Enabled { get; set; }

        /// <summary>Where the sandbox pushes users' messages and events: our own Api (its /wechat/callback).</summary>
        public string CallbackBase { get; set; } = "http://127.0.0.1:8080";

        /// <summary>Plaintext, Compatible or Safe, as chosen in the WeChat console; empty = Safe when a key is set.</summary>
        public string? CallbackMode { get; set; }

        /// <summary>Deliver owed pushes (TEMPLATESENDJOBFINISH …) every second; tests turn it off and deliver explicitly.</summary>
        public bool AutoDeliverPushes { get; set; } = true;

        /// <summary>WeChat waits 5 s for an answer, then delivers again, 3 deliveries at most (PROTOCOL §1.7).</summary>
        public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(5);
    }
}

public sealed class WechatAppOptions
{
    [Required(ErrorMessage = "AppId is required")]
    [RegularExpression("^wx[0-9a-zA-Z]{16}$", ErrorMessage = "AppId looks like wx followed by 16 letters or digits")]
    public string AppId { get; set; } = "";

    [Required(ErrorMessage = "AppSecret is required")]
    public string AppSecret { get; set; } = "";

    /// <summary>The callback Token set in the WeChat console (3–32 letters or digits).</summary>
    [RegularExpression("^[0-9A-Za-z]{3,32}$", ErrorMessage = "Token is 3–32 letters or digits")]
    public string? Token { get; set; }

    /// <summary>43 characters from [A-Za-z0-9]; empty when the callback runs in plaintext mode only.</summary>
    [RegularExpression("^[0-9A-Za-z]{43}$", ErrorMessage = "EncodingAesKey is 43 letters or digits")]
    public string? EncodingAesKey { get; set; }

    /// <summary>The account's original id (gh_…), the ToUserName of its callbacks. Official account only.</summary>
    public string? OriginalId { get; set; }

    public override string ToString() => $"{AppId} (secrets hidden)";
}

/// <summary>Generated at compile time; unlike ValidateDataAnnotations it walks the nested sections.</summary>
[OptionsValidator]
public sealed partial class WechatOptionsValidator : IValidateOptions<WechatOptions>;
