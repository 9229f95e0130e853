using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;

namespace WxQms.Sandbox;

/// <summary>How a push ended, as the user would notice it.</summary>
public enum PushOutcome
{
    /// <summary>The account answered with a passive reply the user sees.</summary>
    Replied,

    /// <summary>The account answered <c>success</c> or nothing: no reply, no error.</summary>
    Acknowledged,

    /// <summary>No valid answer within three deliveries: WeChat shows "该公众号暂时无法提供服务".</summary>
    Unavailable,
}

/// <param name="Reply">The passive reply the user sees, decrypted and read; null unless <see cref="PushOutcome.Replied"/>.</param>
public sealed record PushResult(PushOutcome Outcome, int Deliveries, InboundMessage? Reply, IReadOnlyList<string> Problems)
{
    public const string UnavailableText = "该公众号暂时无法提供服务，请稍后再试";
}

/// <summary>
/// Plays WeChat towards our callback (PROTOCOL §1.3, §1.7, §2): the push is signed, encrypted in the
/// configured mode, and delivered up to three times, each time waiting <c>DeliveryTimeout</c> (5 s)
/// for an answer. The answer is checked like WeChat checks it: in safe mode the reply must be
/// encrypted, an encrypted reply must carry a valid msg_signature and decrypt for our appid, and a
/// malformed one shows the user WeChat's error line at once.
/// </summary>
public sealed class SandboxPush(IHttpClientFactory httpFactory, IOptionsMonitor<WechatOptions> options, TimeProvider clock,
    ILogger<SandboxPush> log)
{
    public const string HttpClientName = "sandbox-push";
    public const int MaxDeliveries = 3;

    public async Task<PushResult> DeliverAsync(SandboxApp app, string xml, CancellationToken ct)
    {
        var o = options.CurrentValue;
        var account = app == SandboxApp.Oa ? o.Oa : o.Mp;
        var path = app == SandboxApp.Oa ? "wechat/callback" : "wechat/mp-callback";
        var mode = Mode(o.Sandbox.CallbackMode, account);
        var problems = new List<string>();
        var http = httpFactory.CreateClient(HttpClientName);

        for (var delivery = 1; delivery <= MaxDeliveries; delivery++)
        {
            var (query, body, crypto) = Seal(xml, mode, account);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(o.Sandbox.DeliveryTimeout);
            var started = Stopwatch.StartNew();
            try
            {
                using var response = await http.PostAsync($"{path}?{query}",
                    new StringContent(body, Encoding.UTF8, body.StartsWith('{') ? "application/json" : "text/xml"), timeout.Token);
                var answer = await response.Content.ReadAsStringAsync(timeout.Token);
                if (!response.IsSuccessStatusCode)
                {
                    problems.Add($"delivery {delivery}: HTTP {(int)response.StatusCode}");
                    await AwaitNextDeliveryAsync(delivery, started, o.Sandbox.DeliveryTimeout, ct);
                }
                else if (answer.Length == 0 || answer == "success")
                {
                    return new PushResult(PushOutcome.Acknowledged, delivery, null, problems);
                }
                else if (Open(answer, account, mode, crypto, out var reply, out var problem))
                {
                    return new PushResult(PushOutcome.Replied, delivery, reply, problems);
                }
                else
                {
                    // WeChat does not retry a malformed answer: the user sees the error at once.
                    problems.Add($"delivery {delivery}: {problem}");
                    return new PushResult(PushOutcome.Unavailable, delivery, null, problems);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                problems.Add($"delivery {delivery}: no answer within {o.Sandbox.DeliveryTimeout.TotalSeconds:0.#} s");
            }
            catch (HttpRequestException ex)
            {
                problems.Add($"delivery {delivery}: {ex.Message}");
                await AwaitNextDeliveryAsync(delivery, started, o.Sandbox.DeliveryTimeout, ct);
            }
        }
        log.LogInformation("Push to {Path} unanswered after {Deliveries} deliveries: {Problems}", path, MaxDeliveries,
            string.Join("; ", problems));
        return new PushResult(PushOutcome.Unavailable, MaxDeliveries, null, problems);
    }

    /// <summary>
    /// WeChat re-sends on its 5-second rhythm (PROTOCOL §1.7), not right after an error status or a
    /// refused connection: the next delivery goes when this one's deadline would have passed. The
    /// deadline is a network wait like <c>CancelAfter</c>'s above, so it runs on real time, not the
    /// (test-controlled) <see cref="TimeProvider"/>.
    /// </summary>
    private static async Task AwaitNextDeliveryAsync(int delivery, Stopwatch started, TimeSpan deliveryTimeout,
        CancellationToken ct)
    {
        var rest = deliveryTimeout - started.Elapsed;
        if (rest > TimeSpan.Zero && delivery < MaxDeliveries)
            await Task.Delay(rest, ct);
    }

    /// <summary>The XML WeChat pushes for a user's message or event (PROTOCOL §1.3–§1.5).</summary>
    public string UserMessage(SandboxApp app, string fromOpenId, string msgType, long? msgId, params (string Name, string? Value)[] fields)
    {
        var o = options.CurrentValue;
        var to = app == SandboxApp.Oa ? o.Oa.OriginalId ?? "gh_sandbox" : o.Mp.AppId;
        var sb = new StringBuilder();
        // WeChat forwards control characters from user text raw inside CDATA (PROTOCOL §1.8, §10.7: the
        // simulator injects them), so the writer must let them through for our reader to meet them.
        using (var writer = XmlWriter.Create(sb, new XmlWriterSettings { OmitXmlDeclaration = true, CheckCharacters = false }))
        {
            writer.WriteStartElement("xml");
            Cdata(writer, "ToUserName", to);
            Cdata(writer, "FromUserName", fromOpenId);
            writer.WriteElementString("CreateTime", clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            Cdata(writer, "MsgType", msgType);
            foreach (var (name, value) in fields)
            {
                if (value is not null)
                    Cdata(writer, name, value);
            }
            if (msgId is { } id)
                writer.WriteElementString(msgType == "event" ? "MsgID" : "MsgId", id.ToString(CultureInfo.InvariantCulture));
            writer.WriteEndElement();
        }
        return sb.ToString();
    }

    /// <summary>A mini-program event pushed as JSON (PROTOCOL §5.7), the format the sandbox's MP console is set to.</summary>
    public string MiniProgramEvent(string fromOpenId, string evt, IReadOnlyDictionary<string, object?> fields)
    {
        var body = new Dictionary<string, object?>
        {
            ["ToUserName"] = options.CurrentValue.Mp.AppId,
            ["FromUserName"] = fromOpenId,
            ["CreateTime"] = clock.GetUtcNow().ToUnixTimeSeconds(),
            ["MsgType"] = "event",
            ["Event"] = evt,
        };
        foreach (var (key, value) in fields)
            body[key] = value;
        return JsonSerializer.Serialize(body);
    }

    private static void Cdata(XmlWriter writer, string name, string value)
    {
        writer.WriteStartElement(name);
        // WriteCData splits a "]]>" across two sections itself; splitting it here too garbled the text.
        writer.WriteCData(value);
        writer.WriteEndElement();
    }

    private static CallbackMode Mode(string? configured, WechatAppOptions account) =>
        Enum.TryParse<CallbackMode>(configured, ignoreCase: true, out var mode)
            ? mode
            : string.IsNullOrEmpty(account.EncodingAesKey) ? CallbackMode.Plaintext : CallbackMode.Safe;

    private (string Query, string Body, WechatCrypto? Crypto) Seal(string xml, CallbackMode mode, WechatAppOptions account)
    {
        var ts = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
        var token = account.Token ?? "";
        var isJson = WechatPushJson.LooksLikeJson(xml);
        var openid = WechatXml.Flatten(isJson ? WechatPushJson.Parse(xml) : WechatXml.Parse(xml)).GetValueOrDefault("FromUserName", "");
        var query = $"signature={WechatSignature.Sign(token, ts, nonce)}&timestamp={ts}&nonce={nonce}&openid={Uri.EscapeDataString(openid)}";
        if (mode == CallbackMode.Plaintext || string.IsNullOrEmpty(account.EncodingAesKey))
            return (query, xml, null);

        var crypto = new WechatCrypto(account.EncodingAesKey, account.AppId);
        var encrypt = crypto.Encrypt(xml);
        query += $"&encrypt_type=aes&msg_signature={WechatSignature.Sign(token, ts, nonce, encrypt)}";
        var to = account.OriginalId ?? account.AppId;
        var body = (mode, isJson) switch
        {
            (CallbackMode.Safe, false) => $"<xml><ToUserName><![CDATA[{to}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>",
            // Before the root's own end tag: user text may hold "</xml>" too.
            (_, false) => xml.Insert(xml.LastIndexOf("</xml>", StringComparison.Ordinal), $"<Encrypt><![CDATA[{encrypt}]]></Encrypt>"),
            (CallbackMode.Safe, true) => JsonSerializer.Serialize(new Dictionary<string, string> { ["ToUserName"] = to, ["Encrypt"] = encrypt }),
            (_, true) => xml.TrimEnd()[..^1] + $",\"Encrypt\":{JsonSerializer.Serialize(encrypt)}}}",
        };
        return (query, body, crypto);
    }

    /// <summary>
    /// Reads the answer as WeChat would. A reply needs ToUserName, FromUserName, a unix CreateTime and
    /// MsgType (PROTOCOL §1.7); one that lacks any of them is malformed data, not a reply.
    /// </summary>
    private static bool Open(string answer, WechatAppOptions account, CallbackMode mode, WechatCrypto? crypto,
        out InboundMessage? reply, out string problem)
    {
        reply = null;
        problem = "";
        try
        {
            var root = WechatXml.Parse(answer);
            var fields = WechatXml.Flatten(root);
            if (!fields.TryGetValue("Encrypt", out var encrypt))
            {
                // Safe mode cannot take a plaintext reply: WeChat looks for Encrypt, finds none, and the
                // user sees the error line (PROTOCOL §1.1, §11). Compatible mode takes either (§2.3).
                if (crypto is not null && mode == CallbackMode.Safe)
                {
                    problem = "plaintext reply to a safe-mode (encrypted) push";
                    return false;
                }
                reply = InboundMessage.From(root);
                return true;
            }
            if (crypto is null)
            {
                problem = "encrypted reply to a plaintext push";
                return false;
            }
            if (!WechatSignature.Verify(fields.GetValueOrDefault("MsgSignature"), account.Token ?? "",
                    fields.GetValueOrDefault("TimeStamp") ?? "", fields.GetValueOrDefault("Nonce") ?? "", encrypt))
            {
                problem = "reply MsgSignature does not verify";
                return false;
            }
            reply = InboundMessage.Parse(crypto.Decrypt(encrypt).Message);
            return true;
        }
        catch (Exception ex) when (ex is WechatXmlException or WechatCryptoException)
        {
            problem = "reply is not valid: " + ex.Message;
            return false;
        }
    }
}
