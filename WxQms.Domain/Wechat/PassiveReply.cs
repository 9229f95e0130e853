namespace WxQms.Domain.Wechat;

/// <summary>
/// A passive reply (PROTOCOL §1.7): the XML answer to a push. To and From are the request's, swapped:
/// the reply goes to the user's openid from the account's <c>gh_</c> id. Write one with
/// <see cref="WechatXml.WriteReply"/>; "no reply" is the endpoint answering <c>success</c>, not a type here.
/// </summary>
public abstract record PassiveReply(string ToUserName, string FromUserName, long CreateTime)
{
    public static TextReply Text(InboundMessage request, DateTimeOffset now, string content) =>
        new(request.FromUserName, request.ToUserName, now.ToUnixTimeSeconds(), content);

    public static ImageReply Image(InboundMessage request, DateTimeOffset now, string mediaId) =>
        new(request.FromUserName, request.ToUserName, now.ToUnixTimeSeconds(), mediaId);

    /// <summary>
    /// WeChat shows only one article when the reply answers a user message (text, image, …); up to
    /// eight are allowed for events (PROTOCOL §1.7). The writer enforces 1–8; the single-article rule
    /// depends on the request, so it is the caller's.
    /// </summary>
    public static NewsReply News(InboundMessage request, DateTimeOffset now, params NewsArticle[] articles) =>
        new(request.FromUserName, request.ToUserName, now.ToUnixTimeSeconds(), articles);
}

public sealed record TextReply(string ToUserName, string FromUserName, long CreateTime, string Content)
    : PassiveReply(ToUserName, FromUserName, CreateTime);

/// <summary><c>MediaId</c> must be uploaded media (temporary or permanent); GIFs are not accepted.</summary>
public sealed record ImageReply(string ToUserName, string FromUserName, long CreateTime, string MediaId)
    : PassiveReply(ToUserName, FromUserName, CreateTime);

public sealed record NewsReply(string ToUserName, string FromUserName, long CreateTime, IReadOnlyList<NewsArticle> Articles)
    : PassiveReply(ToUserName, FromUserName, CreateTime)
{
    public const int MaxArticles = 8;
}

public sealed record NewsArticle(string Title, string Description, string PicUrl, string Url);
