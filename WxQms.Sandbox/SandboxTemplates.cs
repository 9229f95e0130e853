namespace WxQms.Sandbox;

public sealed record SandboxTemplateField(string Key, string Label);

/// <summary>A template the sandbox accounts have "added": its keys carry the field types (§5.3).</summary>
public sealed record SandboxTemplate(string Id, SandboxApp App, string Title, IReadOnlyList<SandboxTemplateField> Fields);

/// <summary>
/// The templates the sandbox knows at start and after every reset: our domain's notices as category
/// templates for both apps, plus one pre-2023 template with untyped <c>keyword</c> keys. Real ids are
/// 43 opaque characters; these are readable so configuration and tests can name them.
/// </summary>
public static class SandboxTemplates
{
    public const string OaMeetingReminder = "sbx-oa-meeting-reminder";
    public const string OaTaskWarning = "sbx-oa-task-warning";
    public const string OaReviewResult = "sbx-oa-review-result";
    public const string OaLegacyNotice = "sbx-oa-legacy-notice";
    public const string OaWishUpdated = "sbx-oa-wish-updated";
    public const string OaTermReminder = "sbx-oa-term-reminder";

    public const string MpMeetingReminder = "sbx-mp-meeting-reminder";
    public const string MpTaskWarning = "sbx-mp-task-warning";
    public const string MpReviewResult = "sbx-mp-review-result";
    public const string MpWishUpdated = "sbx-mp-wish-updated";
    public const string MpTermReminder = "sbx-mp-term-reminder";

    public static readonly IReadOnlyList<SandboxTemplate> Defaults =
    [
        new(OaMeetingReminder, SandboxApp.Oa, "会议提醒",
            [new("thing1", "会议名称"), new("time2", "会议时间"), new("thing3", "会议地点")]),
        new(OaTaskWarning, SandboxApp.Oa, "任务预警",
            [new("thing1", "任务名称"), new("date2", "截止日期"), new("phrase3", "任务状态"), new("thing4", "责任组织")]),
        new(OaReviewResult, SandboxApp.Oa, "审核结果通知",
            [new("thing1", "审核事项"), new("phrase2", "审核结果"), new("thing3", "审核意见"), new("time4", "审核时间")]),
        new(OaWishUpdated, SandboxApp.Oa, "微心愿进度通知",
            [new("thing1", "心愿"), new("phrase2", "状态"), new("thing3", "说明"), new("time4", "时间")]),
        new(OaTermReminder, SandboxApp.Oa, "换届提醒",
            [new("thing1", "换届组织"), new("date2", "届满日期"), new("phrase3", "提醒类型"), new("thing4", "温馨提示")]),
        new(OaLegacyNotice, SandboxApp.Oa, "工作通知（旧模板）",
            [new("keyword1", "通知内容"), new("keyword2", "发布单位"), new("keyword3", "发布时间")]),

        new(MpMeetingReminder, SandboxApp.Mp, "会议提醒",
            [new("thing1", "会议名称"), new("time2", "会议时间"), new("thing3", "会议地点"), new("thing4", "温馨提示")]),
        new(MpTaskWarning, SandboxApp.Mp, "任务预警",
            [new("thing1", "任务名称"), new("date2", "截止日期"), new("phrase3", "任务状态"), new("character_string4", "任务编号")]),
        new(MpReviewResult, SandboxApp.Mp, "审核结果通知",
            [new("thing1", "审核事项"), new("phrase2", "审核结果"), new("name3", "审核人"), new("time4", "审核时间")]),
        new(MpWishUpdated, SandboxApp.Mp, "微心愿进度通知",
            [new("thing1", "心愿"), new("phrase2", "状态"), new("thing3", "说明"), new("time4", "时间")]),
        new(MpTermReminder, SandboxApp.Mp, "换届提醒",
            [new("thing1", "换届组织"), new("date2", "届满日期"), new("phrase3", "提醒类型"), new("thing4", "温馨提示")]),
    ];
}
