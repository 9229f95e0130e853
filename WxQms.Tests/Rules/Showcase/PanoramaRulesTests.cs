using System.Text.Json;
using WxQms.Domain.Rules.Showcase;

namespace WxQms.Tests.Rules.Showcase;

/// <summary>Which photos are panoramas, what a hotspot may say, and the tour the viewer gets.</summary>
public sealed class PanoramaRulesTests
{
    [Theory]
    [InlineData(4096, 2048, 8192, null)] // exactly 2:1
    [InlineData(8192, 4096, 8192, null)] // the widest allowed
    [InlineData(6000, 3010, 8192, null)] // a phone's few pixels off: within 1 %
    [InlineData(512, 256, 8192, null)] // the narrowest allowed
    [InlineData(4000, 3000, 8192, "2:1")] // a 4:3 photo
    [InlineData(3000, 4000, 8192, "2:1")] // portrait
    [InlineData(4096, 1024, 8192, "2:1")] // 4:1 (a cylinder, not a sphere)
    [InlineData(6000, 3100, 8192, "2:1")] // 1.94: beyond 1 %
    [InlineData(510, 255, 8192, "至少 512")] // too small to show
    [InlineData(16384, 8192, 8192, "不能超过 8192")] // too wide for a phone
    [InlineData(0, 0, 8192, "无法读取")]
    public void A_photo_is_a_panorama_when_it_is_2_to_1_and_of_a_size_the_viewer_shows(int width, int height, int maxWidth, string? refusal)
    {
        var problem = Panoramas.CheckSize(width, height, maxWidth);
        if (refusal is null)
            Assert.Null(problem);
        else
            Assert.Contains(refusal, problem);
    }

    [Theory]
    [InlineData(1, 2, 0, 0, "去会议室", null)]
    [InlineData(1, 2, 90, 180, "上", null)]
    [InlineData(1, 2, -90, -180, "下", null)]
    [InlineData(1, 1, 0, 0, "原地", "另一个场景")]
    [InlineData(1, 2, 90.5, 0, "x", "俯仰角")]
    [InlineData(1, 2, 0, -180.1, "x", "水平角")]
    [InlineData(1, 2, 0, 0, " ", "热点的文字")]
    [InlineData(1, 2, 0, 0, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", "不超过30字")]
    public void A_hotspot_needs_another_scene_a_place_on_the_sphere_and_a_label(long scene, long target, double pitch, double yaw, string label,
        string? refusal)
    {
        var problem = Panoramas.CheckHotspot(scene, target, (decimal)pitch, (decimal)yaw, label);
        if (refusal is null)
            Assert.Null(problem);
        else
            Assert.Contains(refusal, problem);
    }

    [Theory]
    [InlineData("大厅", null)]
    [InlineData("", "请填写场景名称")]
    [InlineData("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一", "不超过30字")]
    public void A_scene_needs_a_name(string name, string? refusal)
    {
        var problem = Panoramas.CheckName(name);
        if (refusal is null)
            Assert.Null(problem);
        else
            Assert.Contains(refusal, problem);
    }

    [Fact]
    public void The_tour_opens_the_first_scene_and_links_only_to_scenes_it_has()
    {
        var tour = Panoramas.Tour([new TourScene(7, "大厅", "/a.png"), new TourScene(9, "会议室", "/b.png")],
            [new Hotspot(1, 7, 9, -5, 30, "去会议室"), new Hotspot(2, 9, 7, 0, -150, "回大厅"), new Hotspot(3, 7, 99, 0, 0, "去别处")]);

        var json = JsonDocument.Parse(JsonSerializer.Serialize(tour)).RootElement;
        Assert.Equal("s7", json.GetProperty("default").GetProperty("firstScene").GetString());
        var scenes = json.GetProperty("scenes");
        Assert.Equal("equirectangular", scenes.GetProperty("s7").GetProperty("type").GetString());
        Assert.Equal("/a.png", scenes.GetProperty("s7").GetProperty("panorama").GetString());
        var spots = scenes.GetProperty("s7").GetProperty("hotSpots").EnumerateArray().ToList();
        var spot = Assert.Single(spots); // the hotspot to scene 99 is left out
        Assert.Equal("s9", spot.GetProperty("sceneId").GetString());
        Assert.Equal("scene", spot.GetProperty("type").GetString());
        Assert.Equal(30, spot.GetProperty("yaw").GetDecimal());
        Assert.Equal("s7", Assert.Single(scenes.GetProperty("s9").GetProperty("hotSpots").EnumerateArray()).GetProperty("sceneId").GetString());
        Assert.Null(Panoramas.Tour([], []));
    }
}
