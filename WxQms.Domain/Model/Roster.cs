namespace WxQms.Domain.Model;

/// <summary>
/// One row of a roster workbook as it was read: its row number in the sheet (the header is row 1) and its cells by
/// column title, each a string, a number or a date as the spreadsheet held it (null when empty).
/// </summary>
public sealed record RosterRow(int Row, IReadOnlyDictionary<string, object?> Cells);

/// <summary>A roster workbook as read: the organisations sheet and the members sheet.</summary>
public sealed record RosterFile(IReadOnlyList<RosterRow> Orgs, IReadOnlyList<RosterRow> Members);

/// <summary>One reason a row cannot be imported: where (sheet, row, column title) and why, in Chinese.</summary>
public sealed record RosterError(string Sheet, int Row, string Column, string Reason);

/// <summary>What an import does (or would do) to one sheet's rows.</summary>
public sealed record RosterRowCounts(int Create, int Update, int Unchanged);

/// <summary>
/// The answer to an upload: the rows to create, update or leave as they are, per sheet and in total, and every error.
/// <see cref="Applied"/> is true only when the file was written (no errors and not a dry run).
/// </summary>
public sealed record RosterReport(bool DryRun, bool Applied, RosterRowCounts Orgs, RosterRowCounts Members, IReadOnlyList<RosterError> Errors)
{
    public int Create => Orgs.Create + Members.Create;

    public int Update => Orgs.Update + Members.Update;

    public int Unchanged => Orgs.Unchanged + Members.Unchanged;
}
