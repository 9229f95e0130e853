using System.ComponentModel.DataAnnotations;

namespace WxQms.Domain.Services.Operations;

/// <summary>
/// <c>Retention:*</c> — how long the working records are kept before the <c>retention</c> job removes them. Records in the
/// ISO sense (tasks, evidence and its photos, the points ledger, snapshots, the audit trail, dues, development, transfers)
/// are kept: no setting here touches them.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Callbacks received (their work done or given up, no photo kept from them): WeChat retries within minutes.</summary>
    [Range(1, 3650)] public int InboundDays { get; set; } = 90;

    /// <summary>Messages sent to WeChat: delivery reports come within minutes; the reminder keeps the outcome.</summary>
    [Range(1, 3650)] public int OutboundDays { get; set; } = 90;

    /// <summary>Upload receipts already used (the photo itself stays, named by its hash, as long as a record names it).</summary>
    [Range(1, 3650)] public int UploadDays { get; set; } = 30;

    /// <summary>WeChat's answers on photos checked for wishes.</summary>
    [Range(1, 3650)] public int MediaCheckDays { get; set; } = 30;

    /// <summary>Reminders sent, delivered, refused or cancelled: the dashboard and the review pack read a year of them.</summary>
    [Range(60, 3650)] public int ReminderDays { get; set; } = 400;

    /// <summary>Bot dialogues (a half-filled form in chat) this long after they expired.</summary>
    [Range(1, 365)] public int DialogueDays { get; set; } = 7;

    /// <summary>Rows removed per statement: small, so that no statement holds a hot table's locks for long.</summary>
    [Range(10, 10000)] public int BatchSize { get; set; } = 500;

    /// <summary>Pause between two statements, leaving room for the live traffic.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")] public TimeSpan Pause { get; set; } = TimeSpan.FromMilliseconds(50);
}
