namespace WxQms.Domain.Model.Tasks;

/// <summary>
/// What a branch submits for a task (佐证材料): when and where it happened, the topic, how many photos,
/// the attendance and whether the written record is attached.
/// </summary>
public sealed record Evidence(
    DateTimeOffset HeldAt,
    string? Place,
    string? Topic,
    int PhotoCount,
    Attendance? Attendance,
    bool MinutesPresent);

public enum Presence
{
    Present,
    Absent,
    OnLeave,
}

/// <summary>
/// Attendance counted over the people the meeting expects (应到). Where the duty has a quorum, count
/// only its constituency: full (voting) members for a member meeting, committee members for a
/// committee meeting; probationary members and guests attend but do not make the quorum.
/// </summary>
public sealed record Attendance(int Present, int Absent, int OnLeave)
{
    public int Recorded => Present + Absent + OnLeave;

    public static Attendance Tally(IEnumerable<Presence> marks)
    {
        int present = 0, absent = 0, leave = 0;
        foreach (var m in marks)
        {
            switch (m)
            {
                case Presence.Present: present++; break;
                case Presence.Absent: absent++; break;
                case Presence.OnLeave: leave++; break;
                default: throw new ArgumentOutOfRangeException(nameof(marks), m, null);
            }
        }
        return new Attendance(present, absent, leave);
    }
}
