using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using CsCheck;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Tasks;
using WxQms.Domain.Services;
using WxQms.Tests.Browser;
using WxQms.Tests.Infrastructure;
using WxQms.Tests.Api;
using WxQms.Tests.Sandbox;
using WxQms.Tests.Wishes;
using static WxQms.Tests.Infrastructure.TestDb;

namespace WxQms.Tests.Fuzzing;

/// <summary>
/// Generated malformed multipart bodies at <c>POST /api/mp/uploads</c> and <c>POST /api/mp/tasks/{id}/evidence</c>
/// (issue #15): broken boundaries and part headers, wrong content types, truncated and corrupted images, absurd
/// declared lengths and dimensions, odd filenames. Never a 5xx, nothing logged at Error; an upload keeps a file only
/// when it answered 201, and evidence with a stale version keeps nothing.
/// </summary>
[Collection(IntegrationCollection.Name)]
public sealed class UploadFuzzTests(FuzzApp app) : IClassFixture<FuzzApp>, IAsyncLifetime
{
    private const int UploadInputs = 7_000;
    private const int EvidenceInputs = 3_000;

    private readonly WishWorld w = new(app);
    private string resident = "";
    private string secretary = "";
    private long taskId;

    public async ValueTask InitializeAsync()
    {
        await w.InitializeAsync();
        var month = await app.PlanMonthAsync();
        resident = await w.Wx.SignInAsync(w.Api, SandboxDriverUsers.ResidentMpOpenId, bind: false);
        secretary = (await w.HolderAsync("secretary", "DFL-C03-B01")).Token;
        taskId = await ScalarAsync("""
            SELECT t.id FROM tasks t JOIN orgs o ON o.id = t.org_id
            WHERE o.code = 'DFL-C03-B01' AND t.template_code = @code AND t.period_key = @key
            """, new { code = TaskCodes.ThemePartyDay, key = month.Key });
        app.Log.Clear();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Malformed_uploads_are_never_a_5xx_and_keep_a_file_only_when_accepted()
    {
        var before = await FuzzApp.CountAsync("uploads");
        var files = app.StoredFiles();
        var accepted = 0;

        await Body(evidence: false).SampleAsync(async body =>
        {
            var status = await SendAsync("/api/mp/uploads", resident, body);
            Assert.True(status < 500, $"{status} for {body}\n{string.Join('\n', app.Errors())}");
            if (status == 201)
                Interlocked.Increment(ref accepted);
        }, iter: UploadInputs, threads: 4, print: b => b.ToString());

        Assert.Empty(app.Errors());
        var added = (await FuzzApp.CountAsync("uploads"))["uploads"] - before["uploads"];
        Assert.InRange(added, 0, accepted);
        Assert.InRange(app.StoredFiles() - files, 0, accepted);
        TestContext.Current.SendDiagnosticMessage($"upload fuzz: {UploadInputs} inputs, {accepted} accepted");
    }

    [Fact]
    public async Task Malformed_or_stale_evidence_is_never_a_5xx_and_stores_nothing()
    {
        string[] tables = ["task_evidence", "evidence_photos", "evidence_attendance", "uploads", "audit_log"];
        var before = await FuzzApp.CountAsync(tables);
        var files = app.StoredFiles();

        await Body(evidence: true).SampleAsync(async body =>
        {
            var status = await SendAsync($"/api/mp/tasks/{taskId}/evidence", secretary, body);
            Assert.True(status is >= 400 and < 500, $"{status} for {body}\n{string.Join('\n', app.Errors())}");
        }, iter: EvidenceInputs, threads: 4, print: b => b.ToString());

        Assert.Empty(app.Errors());
        Assert.Equal(before, await FuzzApp.CountAsync(tables));
        Assert.Equal(("pending", 1), await QuerySingleAsync<(string, int)>("SELECT state, row_version FROM tasks WHERE id = @taskId", new { taskId }));
        var leftOver = app.StoredFiles() - files;
        // #15: uploads + evidence: multipart photos are written before the version is checked. Pending that work, the
        // count is printed; the lead turns this into Assert.Equal(0, leftOver) when it lands.
        if (EvidenceFilesPending)
            TestContext.Current.SendDiagnosticMessage($"evidence fuzz: {leftOver} photo files left by refused submissions (pending #15)");
        else
            Assert.Equal(0, leftOver);
    }

    /// <summary>Found by the upload fuzzer (issue #15): multipart framing the form reader cannot follow answered 500.</summary>
    [Theory]
    [InlineData("multipart/form-data", 0)]
    [InlineData("multipart/form-data; boundary=", 0)]
    [InlineData("multipart/form-data; boundary=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 0)]
    [InlineData("multipart/form-data; boundary=fuzzboundary", 2)]
    [InlineData("multipart/form-data; boundary=fuzzboundary", 3)]
    public async Task A_multipart_body_that_cannot_be_read_is_a_bad_request(string contentType, int framing)
    {
        var body = new Multipart(contentType, "fuzzboundary", [new Part("file", "photo.png", "image/png", null, TestPng.Create(8, 8))], framing);

        Assert.Equal(400, await SendAsync("/api/mp/uploads", resident, body));
        Assert.Equal(400, await SendAsync($"/api/mp/tasks/{taskId}/evidence", secretary, body));
    }

    private static readonly bool EvidenceFilesPending = false;

    private async Task<int> SendAsync(string url, string token, Multipart body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body.Bytes()) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", body.ContentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await w.Api.SendAsync(request, TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }

    /// <summary>A multipart body as sent: its declared type, the parts, and how the framing is broken.</summary>
    public sealed record Multipart(string ContentType, string Boundary, IReadOnlyList<Part> Parts, int Framing)
    {
        public byte[] Bytes()
        {
            using var s = new MemoryStream();
            void Write(string text) => s.Write(Encoding.UTF8.GetBytes(text));
            foreach (var p in Parts)
            {
                Write(Framing == 1 ? $"--{Boundary}\n" : $"--{Boundary}\r\n");
                Write($"Content-Disposition: form-data; name=\"{p.Name}\"" + (p.FileName is null ? "" : $"; filename=\"{p.FileName}\"") + "\r\n");
                if (p.Type is not null)
                    Write($"Content-Type: {p.Type}\r\n");
                if (p.ExtraHeader is not null)
                    Write(p.ExtraHeader + "\r\n");
                Write("\r\n");
                s.Write(p.Content);
                Write("\r\n");
            }
            if (Framing != 2)
                Write($"--{Boundary}--\r\n");
            var bytes = s.ToArray();
            return Framing == 3 ? bytes[..(bytes.Length / 2)] : bytes;
        }

        public override string ToString() =>
            $"[{ContentType}] framing {Framing}: " + string.Join(" | ", Parts.Select(p =>
                $"{p.Name} {p.FileName} {p.Type} {p.ExtraHeader} {p.Content.Length} bytes {Convert.ToHexString(p.Content.AsSpan(0, Math.Min(24, p.Content.Length)))}"));
    }

    public sealed record Part(string Name, string? FileName, string? Type, string? ExtraHeader, byte[] Content);

    // ---- generators ---------------------------------------------------------------------------

    private static readonly Gen<string> Junk = Gen.OneOf(
        Gen.String[0, 20],
        Gen.OneOf<string>("", " ", "\"", "\r\n", "\0", "../../../etc/passwd", "..\\..\\boot.ini", "con", "photo.png;.exe", "a\"; name=\"x",
            "照片.jpg", new string('a', 3000), "\ud800.png", "%00.png", ".png", "photo.svg", "photo.PNG", "x\r\nContent-Type: text/html"));

    /// <summary>A real PNG or JPEG, broken in one of many ways, or something else entirely.</summary>
    private static readonly Gen<byte[]> Image = Gen.Select(Gen.Int[0, 11], Gen.Int[1, 64], Gen.Int[0, 100_000], Gen.Byte.Array[0, 64],
        (how, size, at, junk) =>
        {
            var png = TestPng.Create(size, size);
            var jpeg = SandboxDriver.Jpeg(200 + at % 4000);
            switch (how)
            {
                case 0: return png[..(at % png.Length)];
                case 1: return jpeg[..(at % jpeg.Length)];
                case 2:
                    png[at % png.Length] ^= 0xFF;
                    return png;
                case 3:
                    BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 60_000 + at); // IHDR: absurd dimensions
                    BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 60_000 + at);
                    return png;
                case 4: return junk;
                case 5: return [0x89, (byte)'P', (byte)'N', (byte)'G', .. junk];
                case 6: return [0xFF, 0xD8, 0xFF, .. junk];
                case 7: return Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
                case 8: return [.. Encoding.ASCII.GetBytes("GIF89a"), .. junk];
                case 9: return [.. Encoding.ASCII.GetBytes("RIFF\0\0\0\0WEBPVP8 "), .. junk];
                case 10: return png; // a fine photo: may be accepted
                default: return at % 997 == 0 ? new byte[10 * 1024 * 1024 + 1 + at % 100] : [];
            }
        });

    private static readonly Gen<Part> FilePart = Gen.Select(Gen.OneOf<string>("file", "file", "photos", "FILE", "", "file[]"), Junk, Image,
        Gen.OneOf<string?>("image/png", "image/jpeg", "image/webp", "text/plain", "application/octet-stream", "image/svg+xml", null, "",
            "image/png; charset=utf-8", "multipart/mixed; boundary=x"),
        Gen.OneOf<string?>(null, null, "Content-Length: 99999999999", "Content-Length: -1", "Content-Transfer-Encoding: base64", "X: \u00ff"),
        (name, fileName, content, type, extra) => new Part(name, fileName, type, extra, content));

    private static Gen<Part> Field(string name, Gen<string> value) =>
        value.Select(v => new Part(name, null, null, null, Encoding.UTF8.GetBytes(v)));

    private static readonly Gen<string> HeldAt = Gen.OneOf(Junk, Gen.OneOf<string>("2026-11-20T09:00:00+08:00", "2026-13-01", "0000-00-00",
        "9999-12-31T23:59:59+14:00", "1940-06-01T00:00:00", "1986-05-04T02:30:00", "-1", "2026-11-20T25:00:00Z", "１２"));

    private static Gen<Multipart> Body(bool evidence)
    {
        var parts = evidence
            ? Gen.Select(FilePart.List[0, 3], Field("heldAt", HeldAt), Field("version", Gen.OneOf(Junk, Gen.OneOf<string>("-1", "999999999999"))),
                Field("attendance", Gen.OneOf(Junk, Gen.OneOf<string>("[{\"memberId\":1,\"presence\":\"present\"}]", "[{}]", "{}", "[1]",
                    "[{\"memberId\":\"x\"}]"))), Field("place", Junk), Gen.Int[0, 15],
                (files, held, version, attendance, place, keep) => (IReadOnlyList<Part>)new[] { held, version, attendance, place }
                    .Where((_, i) => (keep & (1 << i)) != 0).Concat(files).ToList())
            : FilePart.List[0, 3].Select(l => (IReadOnlyList<Part>)l);
        var boundary = Gen.OneOf<string>("fuzzboundary", "fuzzboundary", "", "\"quoted\"", new string('b', 200), "a b");
        return Gen.Select(parts, boundary, Gen.Int[0, 6], Gen.Int[0, 3], (p, b, type, framing) =>
        {
            var contentType = type switch
            {
                0 => $"multipart/form-data; boundary={b}",
                1 => $"multipart/form-data; boundary={b}",
                2 => "multipart/form-data",
                3 => "multipart/form-data; boundary=other",
                4 => "application/x-www-form-urlencoded",
                5 => "image/png",
                _ => $"multipart/form-data; boundary={b}; charset=utf-16",
            };
            // Evidence is refused by its stale version, whatever else it carries; a valid one is never sent.
            if (evidence && p.FirstOrDefault(x => x.Name == "version") is { } v && int.TryParse(Encoding.UTF8.GetString(v.Content), out var n) && n >= 0 && n < 1000)
                p = p.Where(x => x.Name != "version").ToList();
            return new Multipart(contentType, b, p, framing);
        });
    }
}
