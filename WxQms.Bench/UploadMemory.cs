using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace WxQms.Bench;

/// <summary>
/// Memory per upload (issue #25 item 4): the Api's resident set (VmRSS from /proc/&lt;pid&gt;/status, sampled every
/// 10 ms) while it takes a 20 MB photo (refused at 10 MB: once declared by Content-Length, once chunked so it must
/// read up to the limit) and nine 9 MB photos in one multipart evidence request. Prints the growth over the level
/// before each request; goal under 8 MB, which only a path that streams to disk meets.
///   WxQms.Bench upload-memory &lt;baseUrl&gt; &lt;api pid&gt; &lt;secretary token&gt; &lt;task id&gt; &lt;task version&gt;
/// </summary>
public static class UploadMemory
{
    private const int MB = 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var (baseUrl, pid, token, taskId, version) = (args[0].TrimEnd('/'), int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3], args[4]);
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
        // Expect: 100-continue lets the Api answer 413 to a declared 20 MB before a byte of it is sent.
        http.DefaultRequestHeaders.ExpectContinue = true;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Warm-up: one small evidence request of the same shape with a stale version (refused after its photo is read).
        await MeasureAsync(pid, "warm-up", () => http.PostAsync($"/api/mp/tasks/{taskId}/evidence", Evidence(1, 1 * MB, "-1")));

        var results = new[]
        {
            await MeasureAsync(pid, "upload-20mb-declared", () => http.PostAsync("/api/mp/uploads", Upload(20 * MB, chunked: false))),
            await MeasureAsync(pid, "upload-20mb-chunked", () => http.PostAsync("/api/mp/uploads", Upload(20 * MB, chunked: true))),
            await MeasureAsync(pid, "evidence-9x9mb", () => http.PostAsync($"/api/mp/tasks/{taskId}/evidence", Evidence(9, 9 * MB, version))),
        };
        foreach (var line in results)
            Console.WriteLine(line);
        return 0;
    }

    private static async Task<string> MeasureAsync(int pid, string name, Func<Task<HttpResponseMessage>> send)
    {
        GC.Collect();
        await Task.Delay(300);
        var baseline = Rss(pid);
        var peak = baseline;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(pid));
                await Task.Delay(10);
            }
        });
        string status;
        try
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            var code = body.Contains("\"code\"", StringComparison.Ordinal) ? body[(body.IndexOf("\"code\"", StringComparison.Ordinal) + 8)..].Split('"')[0] : "";
            status = $"{(int)response.StatusCode}{(code.Length > 0 ? " " + code : "")}";
        }
        catch (HttpRequestException e)
        {
            // The Api answers 413 and closes before the whole body is sent: HttpClient may see the connection end.
            status = $"closed ({e.HttpRequestError})";
        }
        await Task.Delay(200);
        await done.CancelAsync();
        await sampler;
        peak = Math.Max(peak, Rss(pid));
        return string.Create(CultureInfo.InvariantCulture,
            $"upload-memory {name,-22} status={status.Replace(' ', '/')} rss-before={baseline / 1024.0:0.0}MB rss-growth={(peak - baseline) / 1024.0:0.0}MB goal=8MB {(peak - baseline < 8 * 1024 ? "ok" : "OVER")}");
    }

    /// <summary>VmRSS in KB.</summary>
    private static long Rss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).First();

    private static MultipartFormDataContent Upload(int size, bool chunked)
    {
        var photo = new StreamContent(new JpegStream(size));
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        var form = new MultipartFormDataContent { { photo, "file", "big.jpg" } };
        if (chunked)
            form.Headers.ContentLength = null;
        else
            _ = form.Headers.ContentLength; // computed from the parts: a declared length
        return chunked ? new ChunkedForm(form) : form;
    }

    private static MultipartFormDataContent Evidence(int photos, int size, string version)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("2027-06-10T10:00:00+08:00"), "heldAt" },
            { new StringContent(version), "version" },
            { new StringContent("会议室"), "place" },
            { new StringContent("压测"), "topic" },
        };
        for (var i = 0; i < photos; i++)
        {
            var photo = new StreamContent(new JpegStream(size, seed: i));
            photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            form.Add(photo, "photos", $"p{i}.jpg");
        }
        return form;
    }

    /// <summary>Sends a form without Content-Length (chunked), as a client that does not know its size would.</summary>
    private sealed class ChunkedForm(MultipartFormDataContent inner) : MultipartFormDataContent(inner.Headers.ContentType!.Parameters.First(p => p.Name == "boundary").Value!.Trim('"'))
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => inner.CopyToAsync(stream, context);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// A JPEG of the given size generated as it is read (never held in memory): SOI, a 4000×3000 SOF0, a scan of
    /// pseudo-random bytes without 0xFF, EOI. Different seeds give different photos (different hashes).
    /// </summary>
    private sealed class JpegStream(int size, int seed = 0) : Stream
    {
        private static readonly byte[] Head = BuildHead();
        private long position;

        private static byte[] BuildHead()
        {
            var h = new List<byte> { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08 };
            var dims = new byte[4];
            BinaryPrimitives.WriteUInt16BigEndian(dims, 3000);
            BinaryPrimitives.WriteUInt16BigEndian(dims.AsSpan(2), 4000);
            h.AddRange(dims);
            h.AddRange([0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
            h.AddRange([0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00]);
            return [.. h];
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, size - position);
            for (var i = 0; i < n; i++, position++)
            {
                buffer[offset + i] = position < Head.Length ? Head[position]
                    : position == size - 2 ? (byte)0xFF
                    : position == size - 1 ? (byte)0xD9
                    : (byte)((position * 31 + seed * 7 + (position >> 9)) % 251);
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => size;
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
