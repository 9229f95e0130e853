using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Model.Tasks;
using WxQms.Domain.Rules.Development;
using WxQms.Domain.Rules.Tasks;

namespace WxQms.Domain.Storage;

/// <summary>A development task of a branch still open (its key names the applicant, the step and the due day).</summary>
public sealed record DevTaskRow(long Id, long AdhocTaskId, string UniqueKey, DateTime OpensAt, DateTime DueAt, int RowVersion);

/// <summary>
/// The branch's development work as tasks (<see cref="DevelopmentDuties"/>): each deadline is one ad-hoc task of the branch
/// whose unique key is the duty's, so a deadline is issued once however often it is looked at.
/// </summary>
public sealed class DevelopmentDutyStore(MySqlDataSource db)
{
    /// <summary>
    /// Issues the duty to the branch (the definition, its one task under the duty's key, and the audit entry, in one
    /// transaction) unless a task with that key exists; true when it was issued now.
    /// </summary>
    public async Task<bool> IssueAsync(string key, long orgId, AdhocRules.Issuable t, string actor, Func<long, AuditEntry> audit,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT id FROM tasks WHERE unique_key = @key", new { key },
                cancellationToken: ct)) is not null)
            return false;
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var id = await AdhocTaskStore.IssueAsync(conn, tx, t, [orgId], orgId, actor, null, ct);
            await conn.ExecuteAsync(new CommandDefinition("UPDATE tasks SET unique_key = @key WHERE adhoc_task_id = @id",
                new { key, id }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, audit(id), ct);
            await tx.CommitAsync(ct);
            return true;
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry)
        {
            await tx.RollbackAsync(ct); // issued at the same moment by another scan or request
            return false;
        }
    }

    /// <summary>The applicant's development tasks that still await their work (pending, in progress, returned or overdue).</summary>
    public async Task<IReadOnlyList<DevTaskRow>> OpenAsync(long applicantId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DevTaskRow>(new CommandDefinition("""
            SELECT id AS Id, adhoc_task_id AS AdhocTaskId, unique_key AS UniqueKey, opens_at AS OpensAt, due_at AS DueAt, row_version AS RowVersion FROM tasks
            WHERE unique_key LIKE @prefix AND state IN @states ORDER BY id
            """, new
        {
            prefix = DevelopmentDuties.KeyPrefix(applicantId) + "%",
            states = TaskTransitions.From(TaskAction.Submit).Select(DbNames.Of).ToArray(),
        }, cancellationToken: ct))).ToList();
    }
}
