using System.Data.Common;
using System.Text.Json;
using Dapper;
using MySqlConnector;
using WxQms.Domain.Rules.Members;

namespace WxQms.Domain.Storage;

/// <summary>A member's check-up as stored: both ratings (item id → 1..5) and, once both are in, the result.</summary>
public sealed record CheckupRecord(long Id, int Year, long MemberId, long OrgId, IReadOnlyDictionary<long, int>? Self, DateTimeOffset? SelfAt,
    IReadOnlyDictionary<long, int>? Branch, DateTimeOffset? BranchAt, decimal? Score, CheckupGrade? Grade, IReadOnlyList<long> Improve);

/// <summary>The 党性体检's questionnaire (checkup_items) and check-ups (checkups).</summary>
public sealed class CheckupStore(MySqlDataSource db)
{
    private sealed record ItemRow(long Id, string Section, string Text, int Weight);

    private sealed class Row
    {
        public long Id { get; init; }
        public int Year { get; init; }
        public long MemberId { get; init; }
        public long OrgId { get; init; }
        public string? SelfRatings { get; init; }
        public DateTime? SelfAt { get; init; }
        public string? BranchRatings { get; init; }
        public DateTime? BranchAt { get; init; }
        public decimal? Score { get; init; }
        public string? Grade { get; init; }
        public string? Improve { get; init; }
    }

    private const string Columns = """
        id AS Id, year AS Year, member_id AS MemberId, org_id AS OrgId, self_ratings AS SelfRatings, self_at AS SelfAt,
        branch_ratings AS BranchRatings, branch_at AS BranchAt, score AS Score, grade AS Grade, improve AS Improve
        """;

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> body, CancellationToken ct) =>
        db.InTransactionAsync(body, ct);

    public async Task<IReadOnlyList<CheckupItem>> ItemsAsync(int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ItemsAsync(conn, null, year, ct);
    }

    public static async Task<IReadOnlyList<CheckupItem>> ItemsAsync(DbConnection conn, DbTransaction? tx, int year, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<ItemRow>(new CommandDefinition("""
            SELECT id AS Id, section AS Section, text AS Text, weight AS Weight FROM checkup_items
            WHERE year = @year ORDER BY sort_order, id
            """, new { year }, tx, cancellationToken: ct));
        return rows.Select(r => new CheckupItem(r.Id, r.Section, r.Text, r.Weight)).ToList();
    }

    /// <summary>Whether anyone has answered the year's questionnaire (then its items stay as they are).</summary>
    public static Task<bool> AnsweredAsync(DbConnection conn, DbTransaction tx, int year, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM checkups WHERE year = @year)", new { year }, tx, cancellationToken: ct));

    /// <summary>Locks the year's items (the questionnaire's edits take turns).</summary>
    public static Task LockYearAsync(DbConnection conn, DbTransaction tx, int year, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("SELECT id FROM checkup_items WHERE year = @year FOR UPDATE", new { year }, tx,
            cancellationToken: ct));

    public static Task<long> AddItemAsync(DbConnection conn, DbTransaction tx, int year, string section, string text, int weight,
        DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO checkup_items (year, section, text, weight, sort_order, created_at)
            SELECT @year, @section, @text, @weight, COALESCE(MAX(sort_order), 0) + 1, @now FROM checkup_items WHERE year = @year;
            SELECT LAST_INSERT_ID();
            """, new { year, section, text, weight, now = now.UtcDateTime }, tx, cancellationToken: ct));

    public static async Task<(int Year, string Text)?> GetItemAsync(DbConnection conn, DbTransaction tx, long id, CancellationToken ct) =>
        await conn.QuerySingleOrDefaultAsync<(int, string)?>(new CommandDefinition(
            "SELECT year, text FROM checkup_items WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct));

    public static Task DeleteItemAsync(DbConnection conn, DbTransaction tx, long id, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("DELETE FROM checkup_items WHERE id = @id", new { id }, tx, cancellationToken: ct));

    /// <summary>Copies <paramref name="from"/>'s items into an empty <paramref name="to"/> (the office starts a year from the last).</summary>
    public static Task<int> CopyItemsAsync(DbConnection conn, DbTransaction tx, int from, int to, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO checkup_items (year, section, text, weight, sort_order, created_at)
            SELECT @to, section, text, weight, sort_order, @now FROM checkup_items
            WHERE year = @from AND NOT EXISTS (SELECT 1 FROM (SELECT id FROM checkup_items WHERE year = @to) t)
            ORDER BY sort_order, id
            """, new { from, to, now = now.UtcDateTime }, tx, cancellationToken: ct));

    public async Task<CheckupRecord?> GetAsync(long memberId, int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM checkups WHERE member_id = @memberId AND year = @year", new { memberId, year }, cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    public static async Task<CheckupRecord?> LockAsync(DbConnection conn, DbTransaction tx, long memberId, int year, CancellationToken ct)
    {
        var row = await conn.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM checkups WHERE member_id = @memberId AND year = @year FOR UPDATE", new { memberId, year }, tx,
            cancellationToken: ct));
        return row is null ? null : ToRecord(row);
    }

    /// <summary>The check-ups of the members sitting in the subtree at <paramref name="orgPath"/> for a year.</summary>
    public async Task<IReadOnlyList<CheckupRecord>> OfBranchAsync(string orgPath, int year, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {string.Join(", ", Columns.Split(',').Select(c => "c." + c.Trim()))}
            FROM checkups c JOIN members m ON m.id = c.member_id JOIN orgs o ON o.id = m.org_id
            WHERE c.year = @year AND o.path LIKE @pattern
            """, new { year, pattern = Rules.OrgPath.SubtreePattern(orgPath) }, cancellationToken: ct));
        return rows.Select(ToRecord).ToList();
    }

    /// <summary>Stores one side's ratings (self or branch) and the result as it now stands (null until both are in).</summary>
    public static Task SaveAsync(DbConnection conn, DbTransaction tx, int year, long memberId, long orgId, bool self,
        IReadOnlyDictionary<long, int> ratings, long? byMemberId, CheckupResult? result, DateTimeOffset now, CancellationToken ct)
    {
        var side = self ? "self_ratings = @ratings, self_at = @now" : "branch_ratings = @ratings, branch_at = @now, branch_by_member_id = @by";
        var sql = $"""
            INSERT INTO checkups (year, member_id, org_id, {(self ? "self_ratings, self_at" : "branch_ratings, branch_at, branch_by_member_id")},
                                  score, grade, improve, created_at, updated_at)
            VALUES (@year, @memberId, @orgId, @ratings, @now{(self ? "" : ", @by")}, @score, @grade, @improve, @now, @now)
            ON DUPLICATE KEY UPDATE {side}, org_id = @orgId, score = @score, grade = @grade, improve = @improve, updated_at = @now
            """;
        return conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            year, memberId, orgId, ratings = Json(ratings), by = byMemberId, now = now.UtcDateTime, score = result?.Score,
            grade = result is null ? null : DbNames.Of(result.Grade),
            improve = result is null ? null : JsonSerializer.Serialize(result.ToImprove.Select(i => i.Id)),
        }, tx, cancellationToken: ct));
    }

    public static string Json(IReadOnlyDictionary<long, int> ratings) =>
        JsonSerializer.Serialize(ratings.OrderBy(r => r.Key).ToDictionary(r => r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), r => r.Value));

    private static IReadOnlyDictionary<long, int>? Ratings(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<Dictionary<string, int>>(json)!
            .ToDictionary(p => long.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), p => p.Value);

    private static CheckupRecord ToRecord(Row r) => new(r.Id, r.Year, r.MemberId, r.OrgId, Ratings(r.SelfRatings), Utc(r.SelfAt),
        Ratings(r.BranchRatings), Utc(r.BranchAt), r.Score, r.Grade is null ? null : DbNames.Parse<CheckupGrade>(r.Grade),
        r.Improve is null ? [] : JsonSerializer.Deserialize<long[]>(r.Improve)!);

    private static DateTimeOffset? Utc(DateTime? d) => d is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
