namespace WxQms.Sandbox;

/// <summary>One field as the user sees it: the template's label beside the value sent.</summary>
public sealed record SandboxField(string Key, string Label, string Value);

public sealed record SandboxArticle(string? Title, string? Description, string? Url, string? PicUrl);

/// <summary>
/// Something WeChat delivered to a user. <see cref="Kind"/> is <c>template</c> (OA template message),
/// <c>subscribe</c> (MP subscribe message), <c>custom</c> (customer-service message, with
/// <see cref="MsgType"/> text, image, voice, video, news or miniprogrampage) or <c>passive</c> (the
/// callback's reply; MsgType <c>error</c> when WeChat showed "该公众号暂时无法提供服务"). Kind
/// <c>user</c> marks what the user sent; it appears only in the conversation, never in the inbox.
/// </summary>
public sealed record SandboxInboxMessage(
    long Seq,
    SandboxApp App,
    string OpenId,
    string Kind,
    DateTimeOffset At,
    string? MsgType = null,
    string? TemplateId = null,
    string? Title = null,
    IReadOnlyList<SandboxField>? Fields = null,
    string? Text = null,
    string? MediaId = null,
    string? Url = null,
    string? Page = null,
    IReadOnlyList<SandboxArticle>? Articles = null,
    long? MsgId = null);

/// <summary>
/// A push WeChat owes one of our callbacks. <see cref="Event"/> is the event name as pushed:
/// <c>TEMPLATESENDJOBFINISH</c> (with <see cref="MsgId"/>, <see cref="Status"/> "success"),
/// <c>subscribe_msg_sent_event</c> or <c>wxa_media_check</c> (with <see cref="TraceId"/>).
/// </summary>
public sealed record SandboxPendingPush(
    string Event,
    SandboxApp App,
    string OpenId,
    DateTimeOffset At,
    long? MsgId = null,
    string? Status = null,
    string? TemplateId = null,
    string? TraceId = null,
    string? Label = null);

/// <summary>
/// What the sandbox's message APIs remember: the template registry, every user's inbox, template
/// client_msg_id de-duplication, subscribe-message consent and the pushes still to deliver.
/// </summary>
public sealed class SandboxMessages(TimeProvider clock)
{
    /// <summary>WeChat sends a template once per (openid, client_msg_id) within this stretch (PROTOCOL §4.1).</summary>
    public static readonly TimeSpan ClientMsgIdWindow = TimeSpan.FromMinutes(10);

    /// <summary>Accepted subscribe consents pile up per user and template, to "a few dozen" (§5.4).</summary>
    public const int MaxConsents = 50;

    /// <summary>Real msgids are large int64s; clients must not squeeze them into 32 or 53 bits.</summary>
    private const long MsgIdBase = 2_950_000_000_000_000_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, SandboxTemplate> templates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<SandboxInboxMessage>> inboxes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string OpenId, string ClientMsgId), (long MsgId, DateTimeOffset At)> sentByClientId = [];
    private readonly Dictionary<(string OpenId, string TemplateId), int> consents = [];
    private readonly Dictionary<string, int> acceptedByClientMsgId = new(StringComparer.Ordinal);
    private int repeatsDropped;
    private readonly List<SandboxPendingPush> pushes = [];
    private bool templatesLoaded;
    private long lastSeq;
    // Like WeChat's, msgids never repeat: not after a Reset, and not after the Api restarts (they
    // start from the real clock's milliseconds), or our callback would take a new message for a retry.
    private long lastMsgId = MsgIdBase + TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    public IReadOnlyList<SandboxTemplate> Templates
    {
        get
        {
            lock (gate)
            {
                EnsureDefaults();
                return templates.Values.ToList();
            }
        }
    }

    public SandboxTemplate? Template(string? id, SandboxApp app)
    {
        if (id is null)
            return null;
        lock (gate)
        {
            EnsureDefaults();
            return templates.TryGetValue(id, out var t) && t.App == app ? t : null;
        }
    }

    /// <summary>Adds or replaces a template (until the next reset).</summary>
    public void SetTemplate(SandboxTemplate template)
    {
        lock (gate)
        {
            EnsureDefaults();
            templates[template.Id] = template;
        }
    }

    public bool RemoveTemplate(string id)
    {
        lock (gate)
        {
            EnsureDefaults();
            return templates.Remove(id);
        }
    }

    private void EnsureDefaults()
    {
        if (templatesLoaded)
            return;
        foreach (var t in SandboxTemplates.Defaults)
            templates[t.Id] = t;
        templatesLoaded = true;
    }

    // ---- inbox --------------------------------------------------------------------------------

    /// <summary>
    /// Everything delivered to the person, through either app, oldest first. With
    /// <paramref name="includeUserMessages"/> also what the person sent (kind <c>user</c>): the
    /// whole conversation, as the phone page shows it.
    /// </summary>
    public IReadOnlyList<SandboxInboxMessage> Inbox(SandboxUser user, bool includeUserMessages = false)
    {
        lock (gate)
        {
            return inboxes.TryGetValue(user.Code, out var list)
                ? list.Where(m => includeUserMessages || m.Kind != "user").ToList()
                : [];
        }
    }

    /// <summary>Delivers a message: fills in its sequence number and time and appends it to the inbox.</summary>
    public SandboxInboxMessage Deliver(SandboxUser user, SandboxInboxMessage message)
    {
        lock (gate)
        {
            var delivered = message with { Seq = ++lastSeq, At = clock.GetUtcNow() };
            if (!inboxes.TryGetValue(user.Code, out var list))
                inboxes[user.Code] = list = [];
            list.Add(delivered);
            return delivered;
        }
    }

    public long NextMsgId() => Interlocked.Increment(ref lastMsgId);

    // ---- client_msg_id ------------------------------------------------------------------------

    /// <summary>
    /// A msgid for a template send. With a client_msg_id used for the same openid less than 10 minutes
    /// ago, it is that send's msgid and <paramref name="repeat"/> is true: WeChat sends nothing new.
    /// </summary>
    public long ClaimMsgId(string openid, string? clientMsgId, out bool repeat)
    {
        repeat = false;
        if (string.IsNullOrEmpty(clientMsgId))
            return NextMsgId();
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (DeduplicateClientMsgIds && sentByClientId.TryGetValue((openid, clientMsgId), out var sent)
                && now - sent.At < ClientMsgIdWindow)
            {
                repeat = true;
                repeatsDropped++;
                return sent.MsgId;
            }
            var msgId = NextMsgId();
            sentByClientId[(openid, clientMsgId)] = (msgId, now);
            acceptedByClientMsgId[clientMsgId] = acceptedByClientMsgId.GetValueOrDefault(clientMsgId) + 1;
            return msgId;
        }
    }

    /// <summary>
    /// WeChat drops a repeat of (openid, client_msg_id) within 10 minutes. Tests that must prove our own
    /// guard switch this off, so that every send we make shows up; a reset switches it on again.
    /// </summary>
    public bool DeduplicateClientMsgIds { get; set; } = true;

    /// <summary>
    /// How long WeChat takes over a template send before it accepts it — whether or not the caller is
    /// still there to hear the answer (a caller killed meanwhile leaves a send in doubt). Zero after a reset.
    /// </summary>
    public TimeSpan SendLatency { get; set; }

    /// <summary>Template sends dropped as repeats of a client_msg_id seen within the window.</summary>
    public int RepeatsDropped
    {
        get
        {
            lock (gate)
                return repeatsDropped;
        }
    }

    /// <summary>How many template messages WeChat accepted (and delivered) under each client_msg_id.</summary>
    public IReadOnlyDictionary<string, int> AcceptedByClientMsgId
    {
        get
        {
            lock (gate)
                return new Dictionary<string, int>(acceptedByClientMsgId, StringComparer.Ordinal);
        }
    }

    // ---- subscribe consent --------------------------------------------------------------------

    /// <summary>The user tapped "accept" for these templates: one more send each, up to <see cref="MaxConsents"/>.</summary>
    public IReadOnlyDictionary<string, int> Accept(string mpOpenId, IEnumerable<string> templateIds)
    {
        lock (gate)
        {
            var remaining = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var id in templateIds.Distinct(StringComparer.Ordinal))
            {
                var n = Math.Min(MaxConsents, consents.GetValueOrDefault((mpOpenId, id)) + 1);
                consents[(mpOpenId, id)] = n;
                remaining[id] = n;
            }
            return remaining;
        }
    }

    public int RemainingConsents(string mpOpenId, string templateId)
    {
        lock (gate)
            return consents.GetValueOrDefault((mpOpenId, templateId));
    }

    /// <summary>Every template the user still has sends for.</summary>
    public IReadOnlyDictionary<string, int> RemainingConsents(string mpOpenId)
    {
        lock (gate)
        {
            return consents.Where(c => c.Key.OpenId == mpOpenId && c.Value > 0)
                .ToDictionary(c => c.Key.TemplateId, c => c.Value, StringComparer.Ordinal);
        }
    }

    public bool TryUseConsent(string mpOpenId, string templateId)
    {
        lock (gate)
        {
            var n = consents.GetValueOrDefault((mpOpenId, templateId));
            if (n <= 0)
                return false;
            consents[(mpOpenId, templateId)] = n - 1;
            return true;
        }
    }

    // ---- pending pushes -----------------------------------------------------------------------

    public void QueuePush(SandboxPendingPush push)
    {
        lock (gate)
            pushes.Add(push);
    }

    public IReadOnlyList<SandboxPendingPush> PendingPushes
    {
        get
        {
            lock (gate)
                return pushes.ToList();
        }
    }

    public IReadOnlyList<SandboxPendingPush> DrainPendingPushes()
    {
        lock (gate)
        {
            var drained = pushes.ToList();
            pushes.Clear();
            return drained;
        }
    }

    public void Reset()
    {
        lock (gate)
        {
            templates.Clear();
            templatesLoaded = false;
            inboxes.Clear();
            sentByClientId.Clear();
            acceptedByClientMsgId.Clear();
            repeatsDropped = 0;
            DeduplicateClientMsgIds = true;
            SendLatency = TimeSpan.Zero;
            consents.Clear();
            pushes.Clear();
            lastSeq = 0;
        }
    }
}
