using System.Data.Common;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Model;
using WxQms.Domain.Rules;
using static WxQms.Domain.Storage.DbTime;

namespace WxQms.Domain.Storage;

/// <summary>An applicant on the way to membership, with her branch and community.</summary>
public sealed record DevApplicant(long Id, long OrgId, string OrgName, string OrgPath, string Name, Sex Sex, DateOnly BirthDate,
    string? Phone, long? WechatUserId, long? MemberId, int LastStep, DateOnly? LastStepOn, int ExtensionMonths, DateTimeOffset CreatedAt);

/// <summary>One recorded step: its evidence as stored (JSON) and its photos.</summary>
public sealed record DevStepRow(long Id, long ApplicantId, int Step, DateOnly OccurredOn, string Evidence, string RecordedBy,
    DateTimeOffset CreatedAt, IReadOnlyList<StoredPhoto> Photos);

/// <summary>A branch a resident may apply to, with the community (the org just under the subdistrict) it belongs to.</summary>
public sealed record DevBranch(long Id, string Name, string CommunityName);

public sealed record NewApplicant(long OrgId, string Name, Sex Sex, DateOnly BirthDate, string? Phone, long? WechatUserId);

/// <summary>What recording a step changes besides the step itself.</summary>
public enum DevEffect
{
    None,
    /// <summary>Admission approved: the probationary member is created (admitted and joined on the meeting's day).</summary>
    Admit,
    /// <summary>Full membership approved: the member becomes full, with her party standing date.</summary>
    MakeFull,
}

/// <param name="ExpectedSteps">How many steps the caller saw: another recording in between is a conflict.</param>
/// <param name="EffectOn">Admit: the meeting's day (admitted_on, joined_on); MakeFull: the party standing date.</param>
public sealed record DevStepWrite(long ApplicantId, int ExpectedSteps, int Step, DateOnly OccurredOn, string Evidence,
    IReadOnlyList<StoredPhoto> Photos, long? UploaderWechatUserId, IReadOnlyList<string> UploadTokens, DevEffect Effect, DateOnly? EffectOn,
    string Actor, long? ActorMemberId);

/// <summary>The year's development numbers of one community.</summary>
public sealed record DevYearRow(long CommunityId, string Community, long Applicants, long Activists, long Candidates, long Admitted, long Full);

/// <summary>
/// Member development's tables (dev_applicants, dev_steps, dev_step_photos): applicants, their steps one by one, and the
/// member record admission creates. Every write commits with its audit entry and the notices it queues.
/// </summary>
public sealed class DevelopmentStore(MySqlDataSource db)
{
    private sealed record ApplicantRow(long Id, long OrgId, string OrgName, string OrgPath, string Name, string Sex, DateTime BirthDate,
        string? Phone, long? WechatUserId, long? MemberId, int LastStep, DateTime? LastStepOn, int ExtensionMonths, DateTime CreatedAt)
    {
        public DevApplicant ToApplicant() => new(Id, OrgId, OrgName, OrgPath, Name, DbNames.Parse<Sex>(Sex), DateOnly.FromDateTime(BirthDate),
            Phone, WechatUserId, MemberId, LastStep, LastStepOn is { } d ? DateOnly.FromDateTime(d) : null, ExtensionMonths, Utc(CreatedAt));
    }

    private sealed record StepRow(long Id, long ApplicantId, int Step, DateTime OccurredOn, string Evidence, string RecordedBy, DateTime CreatedAt);

    private sealed record PhotoRow(long StepId, string Sha256, long Size, string ContentType, string RelativePath, DateTime? TakenAt);

    private const string ApplicantColumns = """
        a.id AS Id, a.org_id AS OrgId, o.name AS OrgName, o.path AS OrgPath, a.name AS Name, a.sex AS Sex, a.birth_date AS BirthDate,
        a.phone AS Phone, a.wechat_user_id AS WechatUserId, a.member_id AS MemberId, a.last_step AS LastStep,
        a.last_step_on AS LastStepOn, a.extension_months AS ExtensionMonths, a.created_at AS CreatedAt
        """;

    public async Task<long> AddApplicantAsync(NewApplicant a, string actor, DateTimeOffset now, Func<long, AuditEntry> audit, CancellationToken ct) =>
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO dev_applicants (org_id, name, sex, birth_date, phone, wechat_user_id, actor, created_at, updated_at)
                VALUES (@OrgId, @Name, @sex, @birth, @Phone, @WechatUserId, @actor, @now, @now);
                SELECT LAST_INSERT_ID();
                """, new { a.OrgId, a.Name, sex = DbNames.Of(a.Sex), birth = a.BirthDate.ToDateTime(TimeOnly.MinValue), a.Phone, a.WechatUserId,
                actor, now = now.UtcDateTime }, tx, cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, audit(id), ct);
            return id;
        }, ct);

    public async Task<DevApplicant?> GetAsync(long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<ApplicantRow>(new CommandDefinition(
            $"SELECT {ApplicantColumns} FROM dev_applicants a JOIN orgs o ON o.id = a.org_id WHERE a.id = @id", new { id }, cancellationToken: ct));
        return row?.ToApplicant();
    }

    /// <summary>The applicants of a WeChat user, or of the member admission made of her.</summary>
    public async Task<IReadOnlyList<DevApplicant>> OfUserAsync(long? wechatUserId, long? memberId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ApplicantRow>(new CommandDefinition($"""
            SELECT {ApplicantColumns} FROM dev_applicants a JOIN orgs o ON o.id = a.org_id
            WHERE a.wechat_user_id = @wechatUserId OR a.member_id = @memberId ORDER BY a.id
            """, new { wechatUserId = wechatUserId ?? -1, memberId = memberId ?? -1 }, cancellationToken: ct))).Select(r => r.ToApplicant()).ToList();
    }

    /// <summary>The applicants of the orgs under <paramref name="path"/>, the furthest along first; finished ones only when asked.</summary>
    public async Task<IReadOnlyList<DevApplicant>> ListAsync(string path, bool withFinished, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ApplicantRow>(new CommandDefinition($"""
            SELECT {ApplicantColumns} FROM dev_applicants a JOIN orgs o ON o.id = a.org_id
            WHERE o.path LIKE @pattern AND (@withFinished OR a.last_step < 25)
            ORDER BY o.path, a.last_step DESC, a.id LIMIT @limit
            """, new { pattern = OrgPath.SubtreePattern(path), withFinished, limit }, cancellationToken: ct))).Select(r => r.ToApplicant()).ToList();
    }

    public async Task<IReadOnlyList<DevStepRow>> StepsAsync(long applicantId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var steps = await conn.QueryAsync<StepRow>(new CommandDefinition("""
            SELECT id AS Id, applicant_id AS ApplicantId, step AS Step, occurred_on AS OccurredOn, evidence AS Evidence,
                   recorded_by AS RecordedBy, created_at AS CreatedAt
            FROM dev_steps WHERE applicant_id = @applicantId ORDER BY id
            """, new { applicantId }, cancellationToken: ct));
        var photos = (await conn.QueryAsync<PhotoRow>(new CommandDefinition("""
            SELECT p.step_id AS StepId, p.sha256 AS Sha256, p.size_bytes AS Size, p.content_type AS ContentType, p.storage_path AS RelativePath,
                   p.taken_at AS TakenAt
            FROM dev_step_photos p JOIN dev_steps s ON s.id = p.step_id WHERE s.applicant_id = @applicantId ORDER BY p.id
            """, new { applicantId }, cancellationToken: ct))).ToLookup(p => p.StepId);
        return steps.Select(s => new DevStepRow(s.Id, s.ApplicantId, s.Step, DateOnly.FromDateTime(s.OccurredOn), s.Evidence, s.RecordedBy,
            Utc(s.CreatedAt), photos[s.Id].Select(p => new StoredPhoto(p.Sha256, p.Size, p.ContentType, p.RelativePath,
                p.TakenAt is { } t ? Utc(t) : null)).ToList())).ToList();
    }

    /// <summary>Those of <paramref name="ids"/> who are full members on the roll (introducers and contacts must be).</summary>
    public async Task<IReadOnlyList<long>> FullMembersAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM members WHERE id IN @ids AND status = 'full' AND deceased_on IS NULL", new { ids }, cancellationToken: ct))).ToList();
    }

    /// <summary>The community committee of the community above an org: who approves its steps (secretary and committee of the community).</summary>
    public async Task<IReadOnlyList<long>> ApproversAsync(string orgPath, CancellationToken ct)
    {
        if (OrgPath.IdAt(orgPath, 1) is not { } community)
            return [];
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id = @community AND r.role IN ('secretary', 'committee') AND m.status IN ('full', 'probationary')
            ORDER BY r.member_id
            """, new { community }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// Records a step in one transaction: the applicant is locked and her step count must still be the one the caller
    /// checked (else 409 <c>development.version_conflict</c>); the upload tokens are spent; admission creates the
    /// probationary member and links her WeChat user; full membership sets the status and the party standing date; the
    /// audit entry and the notices commit with it. Returns the step's id and the member's id, if any.
    /// </summary>
    public async Task<(long StepId, long? MemberId)> RecordStepAsync(DevStepWrite w, DateTimeOffset now, Func<long, long?, AuditEntry> audit,
        IReadOnlyList<Notice> notices, CancellationToken ct) =>
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var applicant = await conn.QuerySingleOrDefaultAsync<ApplicantRow>(new CommandDefinition($"""
                SELECT {ApplicantColumns} FROM dev_applicants a JOIN orgs o ON o.id = a.org_id WHERE a.id = @ApplicantId FOR UPDATE
                """, new { w.ApplicantId }, tx, cancellationToken: ct)) ?? throw new NotFoundException("申请人不存在", "development.not_found");
            var count = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT COUNT(*) FROM dev_steps WHERE applicant_id = @ApplicantId", new { w.ApplicantId }, tx, cancellationToken: ct));
            if (count != w.ExpectedSteps)
                throw new ConflictException("development.version_conflict", "该申请人的记录刚被他人更新，请刷新后重试");
            if (w.UploadTokens.Count > 0)
                await UploadStore.ClaimAsync(conn, tx, w.UploaderWechatUserId!.Value, w.UploadTokens, now, ct);
            var stepId = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO dev_steps (applicant_id, step, occurred_on, evidence, recorded_by, recorded_by_member_id, created_at)
                VALUES (@ApplicantId, @Step, @on, @Evidence, @Actor, @ActorMemberId, @now);
                SELECT LAST_INSERT_ID();
                """, new { w.ApplicantId, w.Step, on = w.OccurredOn.ToDateTime(TimeOnly.MinValue), w.Evidence, w.Actor, w.ActorMemberId,
                now = now.UtcDateTime }, tx, cancellationToken: ct));
            foreach (var p in w.Photos)
            {
                await conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO dev_step_photos (step_id, sha256, size_bytes, content_type, storage_path, taken_at)
                    VALUES (@stepId, @Sha256, @Size, @ContentType, @RelativePath, @takenAt)
                    """, new { stepId, p.Sha256, p.Size, p.ContentType, p.RelativePath, takenAt = p.TakenAt?.UtcDateTime }, tx, cancellationToken: ct));
            }
            long? memberId = applicant.MemberId;
            if (w.Effect == DevEffect.Admit && memberId is null)
                memberId = await AdmitAsync(conn, tx, applicant, w.EffectOn!.Value, now, ct);
            else if (w.Effect == DevEffect.MakeFull && memberId is { } m)
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE members SET status = 'full', party_standing_on = @on, updated_at = @now WHERE id = @m AND status = 'probationary'
                    """, new { m, on = w.EffectOn!.Value.ToDateTime(TimeOnly.MinValue), now = now.UtcDateTime }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE dev_applicants SET last_step = @Step, last_step_on = @on, member_id = @memberId, updated_at = @now WHERE id = @ApplicantId
                """, new { w.Step, on = w.OccurredOn.ToDateTime(TimeOnly.MinValue), memberId, now = now.UtcDateTime, w.ApplicantId }, tx,
                cancellationToken: ct));
            await AuditLog.AppendAsync(conn, tx, audit(stepId, memberId), ct);
            foreach (var n in notices)
                await OutboxStore.EnqueueAsync(conn, tx, n with { SubjectId = stepId }, now, ct);
            return (stepId, memberId);
        }, ct);

    /// <summary>Who records a branch's steps: its secretary and workers on the roll.</summary>
    public async Task<IReadOnlyList<long>> BranchRecordersAsync(long orgId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT r.member_id FROM member_roles r JOIN members m ON m.id = r.member_id
            WHERE r.org_id = @orgId AND r.role IN ('secretary', 'worker') AND m.status IN ('full', 'probationary')
            ORDER BY r.member_id
            """, new { orgId }, cancellationToken: ct))).ToList();
    }

    /// <summary>Queues notices in one transaction (each at most once: the outbox's unique key); how many were new.</summary>
    public Task<int> EnqueueAsync(IReadOnlyList<Notice> notices, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var queued = 0;
            foreach (var n in notices)
                queued += await OutboxStore.EnqueueAsync(conn, tx, n, now, ct) ? 1 : 0;
            return queued;
        }, ct);

    /// <summary>Extends the probation (延长预备期) by some months, with its audit entry.</summary>
    public Task ExtendAsync(long applicantId, int months, DateTimeOffset now, AuditEntry audit, CancellationToken ct) =>
        db.InTransactionAsync(async (conn, tx) =>
        {
            var changed = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE dev_applicants SET extension_months = @months, updated_at = @now WHERE id = @applicantId AND extension_months = 0
                """, new { applicantId, months, now = now.UtcDateTime }, tx, cancellationToken: ct));
            if (changed == 0)
                throw new ConflictException("development.extension", "预备期已延长过一次");
            await AuditLog.AppendAsync(conn, tx, audit, ct);
            return 0;
        }, ct);

    /// <summary>
    /// The year's numbers per community: applications received (step 1), activists confirmed (3), candidates confirmed (7),
    /// admitted (17) and made full members (24) within the year (Shanghai dates).
    /// </summary>
    public async Task<IReadOnlyList<DevYearRow>> YearAsync(int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DevYearRow>(new CommandDefinition("""
            SELECT c.id AS CommunityId, c.name AS Community,
                   CAST(COUNT(DISTINCT CASE WHEN s.step = 1 THEN s.applicant_id END) AS SIGNED) AS Applicants,
                   CAST(COUNT(DISTINCT CASE WHEN s.step = 3 THEN s.applicant_id END) AS SIGNED) AS Activists,
                   CAST(COUNT(DISTINCT CASE WHEN s.step = 7 THEN s.applicant_id END) AS SIGNED) AS Candidates,
                   CAST(COUNT(DISTINCT CASE WHEN s.step = 17 THEN s.applicant_id END) AS SIGNED) AS Admitted,
                   CAST(COUNT(DISTINCT CASE WHEN s.step = 24 THEN s.applicant_id END) AS SIGNED) AS Full
            FROM orgs c
            LEFT JOIN orgs o ON o.path LIKE CONCAT(c.path, '%')
            LEFT JOIN dev_applicants a ON a.org_id = o.id
            LEFT JOIN dev_steps s ON s.applicant_id = a.id AND s.occurred_on >= @from AND s.occurred_on < @to
            WHERE c.depth = 1 AND c.dissolved_on IS NULL
            GROUP BY c.id, c.name, c.path ORDER BY c.path
            """, new { from = new DateTime(year, 1, 1), to = new DateTime(year + 1, 1, 1) }, cancellationToken: ct))).ToList();
    }

    private static async Task<long> AdmitAsync(DbConnection conn, DbTransaction tx, ApplicantRow a, DateOnly admittedOn, DateTimeOffset now,
        CancellationToken ct)
    {
        var on = admittedOn.ToDateTime(TimeOnly.MinValue);
        long id;
        try
        {
            id = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO members (org_id, name, sex, birth_date, joined_on, admitted_on, status, phone, retired, mobile, code, created_at, updated_at)
                VALUES (@OrgId, @Name, @Sex, @BirthDate, @on, @on, 'probationary', @Phone, FALSE, FALSE, @code, @now, @now);
                SELECT LAST_INSERT_ID();
                """, new { a.OrgId, a.Name, a.Sex, a.BirthDate, on, a.Phone, code = $"D{Guid.NewGuid():N}"[..17], now = now.UtcDateTime }, tx,
                cancellationToken: ct));
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.DuplicateKeyEntry && ex.Message.Contains("ux_members_phone", StringComparison.Ordinal))
        {
            throw new ConflictException("development.phone_taken", "申请人的手机号已登记在另一名党员名下，请先更正手机号");
        }
        await MemberStore.InsertRolesAsync(conn, tx, [new MemberRole(id, Roles.Member, a.OrgId)], now, ct);
        if (a.WechatUserId is { } user)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE wechat_users SET member_id = @id, updated_at = @now WHERE id = @user AND member_id IS NULL",
                new { id, user, now = now.UtcDateTime }, tx, cancellationToken: ct));
        return id;
    }

    /// <summary>The branches one may apply to (not dissolved), each with its community, in the tree's order.</summary>
    public async Task<IReadOnlyList<DevBranch>> BranchesAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<DevBranch>(new CommandDefinition("""
            SELECT b.id AS Id, b.name AS Name, c.name AS CommunityName
            FROM orgs b JOIN orgs c ON c.depth = 1 AND b.path LIKE CONCAT(c.path, '%')
            WHERE b.kind = @branch AND b.dissolved_on IS NULL
            ORDER BY c.path, b.path
            """, new { branch = DbNames.Of(OrgKind.Branch) }, cancellationToken: ct))).ToList();
    }
}
