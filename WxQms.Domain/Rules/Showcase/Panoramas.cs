using System.Globalization;

namespace WxQms.Domain.Rules.Showcase;

/// <summary>A hotspot of a panorama scene: where it sits (degrees) and the scene of the same community it opens.</summary>
public sealed record Hotspot(long Id, long SceneId, long TargetSceneId, decimal Pitch, decimal Yaw, string Label);

/// <summary>A scene as the tour shows it: its name and where its image is served.</summary>
public sealed record TourScene(long Id, string Name, string ImageUrl);

/// <summary>
/// 3D panoramas (最in社区, issue #20 item 3): which photos are equirectangular panoramas, what a scene and a hotspot may
/// say, and the multi-scene tour the viewer (Pannellum) is configured with.
/// </summary>
public static class Panoramas
{
    /// <summary>A panorama narrower than this is no use in the viewer.</summary>
    public const int MinWidth = 512;

    public const int NameLength = 30;
    public const int LabelLength = 30;

    /// <summary>How far from exactly 2:1 a photo may be (phones' panoramas are off by a few pixels).</summary>
    public const decimal Tolerance = 0.01m;

    /// <summary>Null when a photo of this size is an equirectangular panorama the viewer can show; else why not, in Chinese.</summary>
    public static string? CheckSize(int width, int height, int maxWidth)
    {
        if (width <= 0 || height <= 0)
            return "无法读取照片尺寸";
        var ratio = (decimal)width / height;
        if (Math.Abs(ratio - 2) > 2 * Tolerance)
            return $"全景照片应为 2:1 的等距柱状投影（equirectangular）照片，这张是 {width}×{height}（约 {Ratio(width, height)}）";
        if (width < MinWidth)
            return $"全景照片宽度至少 {MinWidth} 像素，这张只有 {width} 像素";
        if (width > maxWidth)
            return $"全景照片宽度不能超过 {maxWidth} 像素（手机浏览器显示不了更大的图），这张是 {width} 像素，请缩小后上传";
        return null;
    }

    /// <summary>Null when a scene's name is usable.</summary>
    public static string? CheckName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "请填写场景名称，如“党群服务中心 大厅”"
        : name.Trim().Length > NameLength ? $"场景名称不超过{NameLength}字"
        : null;

    /// <summary>Null when a hotspot is usable: pitch −90…90, yaw −180…180, a label, another scene.</summary>
    public static string? CheckHotspot(long sceneId, long targetSceneId, decimal pitch, decimal yaw, string? label)
    {
        if (sceneId == targetSceneId)
            return "热点应链接到另一个场景";
        if (pitch is < -90 or > 90)
            return "俯仰角（pitch）应在 -90 到 90 度之间";
        if (yaw is < -180 or > 180)
            return "水平角（yaw）应在 -180 到 180 度之间";
        if (string.IsNullOrWhiteSpace(label))
            return "请填写热点的文字，如“去会议室”";
        return label.Trim().Length > LabelLength ? $"热点文字不超过{LabelLength}字" : null;
    }

    /// <summary>The key of a scene in the tour.</summary>
    public static string Key(long sceneId) => "s" + sceneId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Pannellum's multi-scene tour: the first scene opens, each scene is equirectangular with its hotspots; a hotspot whose
    /// target is not among the scenes is left out (a link never leads nowhere). Null when there is no scene.
    /// </summary>
    public static Dictionary<string, object>? Tour(IReadOnlyList<TourScene> scenes, IReadOnlyList<Hotspot> hotspots)
    {
        if (scenes.Count == 0)
            return null;
        var ids = scenes.Select(s => s.Id).ToHashSet();
        var config = new Dictionary<string, object>();
        foreach (var s in scenes)
        {
            config[Key(s.Id)] = new Dictionary<string, object>
            {
                ["title"] = s.Name,
                ["type"] = "equirectangular",
                ["panorama"] = s.ImageUrl,
                ["hotSpots"] = hotspots.Where(h => h.SceneId == s.Id && ids.Contains(h.TargetSceneId)).Select(h => new Dictionary<string, object>
                {
                    ["pitch"] = h.Pitch, ["yaw"] = h.Yaw, ["type"] = "scene", ["text"] = h.Label, ["sceneId"] = Key(h.TargetSceneId),
                }).ToList(),
            };
        }
        return new Dictionary<string, object>
        {
            ["default"] = new Dictionary<string, object>
            {
                ["firstScene"] = Key(scenes[0].Id), ["autoLoad"] = true, ["sceneFadeDuration"] = 600, ["showFullscreenCtrl"] = true,
            },
            ["scenes"] = config,
        };
    }

    private static string Ratio(int width, int height) =>
        ((decimal)width / height).ToString("0.##", CultureInfo.InvariantCulture) + ":1";
}
