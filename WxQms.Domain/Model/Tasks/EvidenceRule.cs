namespace WxQms.Domain.Model.Tasks;

public enum Quorum
{
    None,
    /// <summary>More than half of the voting (full) members attend: 支部党员大会, 条例 arts. 11 and 14.</summary>
    MoreThanHalfOfVoting,
    /// <summary>More than half of the committee members attend: 支部委员会会议, 条例 art. 12.</summary>
    MoreThanHalfOfCommittee,
}

/// <summary>
/// What evidence a task needs before it counts as done. <see cref="RecordLabel"/> names the written
/// record <see cref="MinutesRequired"/> asks for (会议记录, 党费收缴台账, 谈心谈话记录 …), so the reason
/// given back to the branch says what is missing.
/// </summary>
public sealed record EvidenceRule(
    int MinPhotos,
    bool AttendanceRequired,
    Quorum Quorum,
    bool MinutesRequired,
    bool PlaceRequired,
    bool TopicRequired,
    string RecordLabel = "会议记录")
{
    public static EvidenceRule Meeting(int minPhotos, Quorum quorum = Quorum.None, string recordLabel = "会议记录") =>
        new(minPhotos, AttendanceRequired: true, quorum, MinutesRequired: true, PlaceRequired: true, TopicRequired: true, recordLabel);

    public static EvidenceRule RecordOnly(string recordLabel, int minPhotos = 0) =>
        new(minPhotos, AttendanceRequired: false, Quorum.None, MinutesRequired: true, PlaceRequired: false, TopicRequired: false, recordLabel);
}
