using System.Net;
using System.Net.Http.Headers;
using System.Text;
using WxQms.Domain.Wechat;

namespace WxQms.Tests.Wechat;

/// <summary>Reading WeChat's answers by what they are, not by what their headers claim (PROTOCOL §6.1, §9, §10.6).</summary>
public sealed class WechatHttpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_media_body_that_is_json_is_read_as_an_error_whatever_its_content_type()
    {
        var http = Answering("""{"errcode":40007,"errmsg":"invalid media_id rid: 1"}""", "image/jpeg");

        var result = await http.GetMediaAsync("cgi-bin/media/get?media_id=x", Ct);

        Assert.Equal(WechatErrors.InvalidMediaId, result.ErrCode);
    }

    [Fact]
    public async Task A_media_body_that_starts_like_json_but_is_not_is_an_error_not_an_exception()
    {
        var http = Answering("{\"errcode\":40007,\"errmsg\":\"cut off", "application/json");

        var result = await http.GetMediaAsync("cgi-bin/media/get?media_id=x", Ct);

        Assert.Equal(WechatErrors.ParseError, result.ErrCode);
    }

    [Fact]
    public async Task Image_bytes_labelled_as_text_are_sniffed_as_an_image()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
        var http = new WechatHttp(new HttpClient(new Stub(() => new ByteArrayContent(png) { Headers = { ContentType = new("text/plain") } }))
        {
            BaseAddress = new Uri("http://wechat.test/"),
        });

        var result = await http.GetMediaAsync("cgi-bin/media/get?media_id=x", Ct);

        Assert.True(result.IsOk);
        Assert.Equal("image/png", result.Value!.ContentType);
        Assert.Equal(png, result.Value.Content);
    }

    [Fact]
    public async Task A_success_body_without_errcode_is_success()
    {
        var http = Answering("""{"access_token":"T","expires_in":7200}""", "text/plain");

        var result = await http.GetJsonAsync<Dictionary<string, object>>("cgi-bin/token", Ct);

        Assert.True(result.IsOk);
    }

    [Fact]
    public async Task An_html_error_page_is_a_parse_error_not_a_crash()
    {
        var http = Answering("<html>502 Bad Gateway</html>", "text/html");

        var result = await http.GetJsonAsync<Dictionary<string, object>>("cgi-bin/token", Ct);

        Assert.Equal(WechatErrors.ParseError, result.ErrCode);
    }

    [Fact]
    public async Task Chinese_in_request_bodies_is_sent_as_characters_not_escapes()
    {
        string? sent = null;
        var stub = new Stub(() => new StringContent("""{"errcode":0,"errmsg":"ok"}"""), request =>
            sent = request.Content!.ReadAsStringAsync().GetAwaiter().GetResult());
        var http = new WechatHttp(new HttpClient(stub) { BaseAddress = new Uri("http://wechat.test/") });

        await http.PostJsonAsync<WechatOk>("cgi-bin/message/custom/send", new { text = new { content = "你好，党员同志" } }, Ct);

        Assert.Contains("你好，党员同志", sent);
        Assert.DoesNotContain("\\u", sent);
    }

    private static WechatHttp Answering(string body, string contentType) =>
        new(new HttpClient(new Stub(() => new StringContent(body, Encoding.UTF8, contentType))) { BaseAddress = new Uri("http://wechat.test/") });

    private sealed class Stub(Func<HttpContent> content, Action<HttpRequestMessage>? inspect = null) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            inspect?.Invoke(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content() });
        }
    }
}
