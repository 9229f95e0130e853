using System.Buffers.Binary;
using System.IO.Compression;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using WxQms.Domain.Services.Members;
using WxQms.Domain.Services.Showcase;
using WxQms.Domain.Storage;

namespace WxQms.Sandbox.Demo;

/// <summary>What the showcase's demo wrote.</summary>
public sealed record DemoShowcaseResult(int Introductions, int Scenes, int Hotspots);

/// <summary>
/// Demo only (<c>WxQms.Jobs simulate</c>): the community showcase in use — every community has an introduction written by
/// the office, and the first community's 党群服务中心 has a 3D tour of two scenes (大厅 and 会议室) linked by a hotspot each way,
/// uploaded through the same checks as the console's. The panoramas are drawn here (2:1 PNGs: a sky, walls whose colour
/// turns with the view, a floor), the same bytes every run; running it again adds nothing.
/// </summary>
public sealed class DemoShowcase(ShowcaseService showcase, OrgStore orgs)
{
    public const int PanoramaWidth = 1024;

    private static readonly string[] Features =
    [
        "以“红色物业”为抓手，党员带头参与小区治理，楼栋党小组覆盖全部住宅楼。",
        "依托党群服务中心开展“四点半课堂”和老年助餐服务，党员志愿者常年坚守。",
        "推行“网格+党建”工作法，每个网格都有党员中心户，群众诉求当天响应。",
        "组建党员先锋队参与背街小巷整治和垃圾分类，社区环境明显改善。",
        "开展“微心愿”认领和结对帮扶，困难群众的急难愁盼有人管、有人办。",
    ];

    public async Task<DemoShowcaseResult> PostAsync(CancellationToken ct)
    {
        var communities = await showcase.CommunitiesAsync(ct);
        if (communities.Count == 0)
            return new DemoShowcaseResult(0, 0, 0);
        var root = await orgs.GetAsync(OrgPath.Ids(communities[0].Path)[0], ct)
                   ?? throw new InvalidOperationException("the demo subdistrict has no root");
        var office = new MemberEditor([new Grant(Roles.Staff, root.Id, root.Path, root.Kind)], null, DemoSeeder.Actor);
        var index = await showcase.IndexAsync(ct);
        var introductions = 0;
        for (var i = 0; i < communities.Count; i++)
        {
            var c = communities[i];
            if (!string.IsNullOrWhiteSpace(index.Communities.First(x => x.Id == c.Id).Introduction))
                continue;
            await showcase.SetIntroductionAsync(office, c.Id, Introduction(c.Name, i), ct);
            introductions++;
        }

        var first = communities[0];
        var page = await showcase.PageAsync(first.Id, ct);
        if (page.Scenes.Count > 0)
            return new DemoShowcaseResult(introductions, 0, 0);
        var hall = await AddSceneAsync(office, first.Id, "党群服务中心 大厅", Panorama(PanoramaWidth, 0), ct);
        var room = await AddSceneAsync(office, first.Id, "会议室", Panorama(PanoramaWidth, 1), ct);
        await showcase.AddHotspotAsync(office, first.Id, hall, room, -5, 30, "去会议室", ct);
        await showcase.AddHotspotAsync(office, first.Id, room, hall, -5, -150, "回大厅", ct);
        return new DemoShowcaseResult(introductions, 2, 2);
    }

    private async Task<long> AddSceneAsync(MemberEditor office, long communityId, string name, byte[] png, CancellationToken ct)
    {
        await using var photo = await showcase.ReceivePanoramaAsync(new MemoryStream(png, writable: false), name + ".png", ct);
        return await showcase.AddSceneAsync(office, communityId, name, photo, ct);
    }

    private static string Introduction(string name, int i) =>
        $"{name}坚持党建引领基层治理，{Features[i % Features.Length]}\n"
        + $"社区党群服务中心每周一至周六开放，设有党员活动室、会议室和便民服务窗口，欢迎居民群众前来办事、参加活动。";

    /// <summary>
    /// An equirectangular 2:1 RGB PNG: a sky above, a floor below and, between them, walls whose colour changes with the
    /// yaw (so turning the view is visible), with a door-like dark panel every 90°; <paramref name="palette"/> tells rooms apart.
    /// </summary>
    public static byte[] Panorama(int width, int palette)
    {
        var height = width / 2;
        var raw = new byte[height * (1 + width * 3)];
        var (baseR, baseG, baseB) = palette == 0 ? (200, 60, 50) : (60, 110, 190);
        for (int y = 0, i = 0; y < height; y++)
        {
            raw[i++] = 0; // filter: none
            for (var x = 0; x < width; x++)
            {
                byte r, g, b;
                if (y < height * 3 / 8)
                    (r, g, b) = ((byte)(150 + 80 * y / height), (byte)(190 + 60 * y / height), 245); // ceiling/sky
                else if (y > height * 5 / 8)
                    (r, g, b) = ((byte)(120 - 40 * (y - height / 2) / height), (byte)(90 - 30 * (y - height / 2) / height), 60); // floor
                else
                {
                    var turn = 100 * x / width;
                    var door = x % (width / 4) is var d && d > width / 10 && d < width / 7;
                    (r, g, b) = door ? ((byte)60, (byte)40, (byte)30) : ((byte)((baseR + turn) % 256), (byte)((baseG + turn) % 256), (byte)((baseB + 2 * turn) % 256));
                }
                raw[i++] = r;
                raw[i++] = g;
                raw[i++] = b;
            }
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB
        DemoPhotos.Chunk(png, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                z.Write(raw);
            DemoPhotos.Chunk(png, "IDAT", compressed.ToArray());
        }
        DemoPhotos.Chunk(png, "IEND", []);
        return png.ToArray();
    }
}
