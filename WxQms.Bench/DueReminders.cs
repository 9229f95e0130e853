using System.Data.Common;
using Dapper;

namespace WxQms.Bench;

/// <summary>One reminder row of a benchmark, due at <see cref="Due"/> (UTC), about a task and for a member.</summary>
public sealed record DueReminder(long TaskId, string Kind, long MemberId, long OrgId, DateTime Due);

/// <summary>The sender benchmarks' set-up: reminder rows written straight into the outbox, pending and due, a thousand a statement.</summary>
public static class DueReminders
{
    public static async Task InsertAsync(DbConnection conn, IEnumerable<DueReminder> rows)
    {
        foreach (var chunk in rows.Chunk(1000))
            await conn.ExecuteAsync("""
                INSERT INTO reminders (subject_type, subject_id, task_id, kind, member_id, recipient, org_id, status, due_at, created_at, updated_at)
                VALUES ('task', @TaskId, @TaskId, @Kind, @MemberId, CONCAT('m:', @MemberId), @OrgId, 'pending', @Due, @Due, @Due)
                """, chunk);
    }
}
