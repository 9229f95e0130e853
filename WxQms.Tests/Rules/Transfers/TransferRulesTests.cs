using WxQms.Domain.Model;
using WxQms.Domain.Rules.Transfers;

namespace WxQms.Tests.Rules.Transfers;

/// <summary>The rules of a transfer of organisational relationship (DUTIES §A.5), one case per edge.</summary>
public sealed class TransferRulesTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(1, true, LeaveDocument.Certificate)]
    [InlineData(6, true, LeaveDocument.Certificate)]
    [InlineData(6, false, LeaveDocument.Certificate)]
    [InlineData(7, true, LeaveDocument.TransferLetter)]
    [InlineData(7, false, LeaveDocument.FlowingCard)]
    [InlineData(24, true, LeaveDocument.TransferLetter)]
    public void A_leave_of_six_months_or_less_gets_a_certificate_instead_of_a_transfer(int months, bool known, LeaveDocument expected) =>
        Assert.Equal(expected, TransferRules.ForLeave(months, known));

    [Theory]
    [InlineData("2026-12-01", "2026-12-11", null)]
    [InlineData("2026-12-01", "2026-12-01", null)]
    [InlineData("2026-12-01", "2027-03-01", null)]
    [InlineData("2026-12-01", "2027-03-02", "transfer.validity_too_long")]
    [InlineData("2026-11-30", "2027-02-28", null)]
    [InlineData("2026-11-30", "2027-03-01", "transfer.validity_too_long")]
    [InlineData("2026-12-01", "2026-11-30", "transfer.validity_before_issue")]
    [InlineData("2026-12-08", "2026-12-20", "transfer.issued_future")]
    [InlineData(null, "2026-12-20", "transfer.issued_required")]
    [InlineData("2026-12-01", null, "transfer.validity_required")]
    public void A_letter_is_valid_for_at_most_three_months_from_its_issue(string? issued, string? until, string? code) =>
        Assert.Equal(code, TransferRules.CheckLetter(issued is null ? null : D(issued), until is null ? null : D(until), D("2026-12-07"))?.Code);

    [Theory]
    [InlineData("2026-12-07", "2027-01-07")]
    [InlineData("2026-01-31", "2026-02-28")]
    [InlineData("2028-01-31", "2028-02-29")]
    public void The_receipt_is_expected_one_month_after_acceptance(string accepted, string due) =>
        Assert.Equal(D(due), TransferRules.ReceiptDue(D(accepted)));

    [Theory]
    [InlineData("2026-12-05", null)]
    [InlineData("2026-12-01", null)]
    [InlineData("2026-11-30", "transfer.accepted_before_issue")]
    [InlineData("2026-12-08", "transfer.accepted_future")]
    [InlineData("2026-12-07", "transfer.letter_expired")]
    [InlineData(null, "transfer.accepted_required")]
    public void An_acceptance_falls_within_the_letters_validity(string? accepted, string? code) =>
        Assert.Equal(code, TransferRules.CheckAccepted(accepted is null ? null : D(accepted), D("2026-12-01"), D("2026-12-06"), D("2026-12-07"))?.Code);

    [Theory]
    [InlineData("2026-12-07", null)]
    [InlineData("2026-12-01", null)]
    [InlineData("2026-11-30", "transfer.receipt_before_accept")]
    [InlineData("2026-12-08", "transfer.receipt_future")]
    [InlineData(null, "transfer.receipt_required")]
    public void A_receipt_comes_after_acceptance_and_not_in_the_future(string? receipt, string? code) =>
        Assert.Equal(code, TransferRules.CheckReceipt(receipt is null ? null : D(receipt), D("2026-12-01"), D("2026-12-07"))?.Code);

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(2026, 12, null)]
    [InlineData(2027, 12, null)]
    [InlineData(2028, 1, "transfer.bad_dues")]
    [InlineData(2026, 13, "transfer.bad_dues")]
    [InlineData(2026, 0, "transfer.bad_dues")]
    public void Dues_paid_up_to_is_optional_until_the_dues_area_fills_it(int? year, int? month, string? code) =>
        Assert.Equal(code, TransferRules.CheckDues(year is null ? null : new DuesPaidThrough(year.Value, month!.Value), D("2026-12-07"))?.Code);

    [Theory]
    [InlineData(TransferKind.Within, TransferState.Requested, TransferAction.Accept, TransferState.Completed, null)]
    [InlineData(TransferKind.Within, TransferState.Requested, TransferAction.Cancel, TransferState.Cancelled, null)]
    [InlineData(TransferKind.Within, TransferState.Completed, TransferAction.Accept, null, "transfer.bad_state")]
    [InlineData(TransferKind.Within, TransferState.Requested, TransferAction.Receipt, null, "transfer.bad_state")]
    [InlineData(TransferKind.Out, TransferState.Issued, TransferAction.Accept, TransferState.Accepted, null)]
    [InlineData(TransferKind.Out, TransferState.Issued, TransferAction.Void, TransferState.Voided, null)]
    [InlineData(TransferKind.Out, TransferState.Issued, TransferAction.Receipt, null, "transfer.not_accepted")]
    [InlineData(TransferKind.Out, TransferState.Accepted, TransferAction.Receipt, TransferState.Completed, null)]
    [InlineData(TransferKind.Out, TransferState.Accepted, TransferAction.Void, null, "transfer.already_accepted")]
    [InlineData(TransferKind.Out, TransferState.Voided, TransferAction.Void, null, "transfer.bad_state")]
    [InlineData(TransferKind.Out, TransferState.Completed, TransferAction.Receipt, null, "transfer.bad_state")]
    [InlineData(TransferKind.Out, TransferState.Issued, TransferAction.Cancel, null, "transfer.bad_state")]
    [InlineData(TransferKind.In, TransferState.Completed, TransferAction.Accept, null, "transfer.bad_state")]
    [InlineData(TransferKind.Certificate, TransferState.Completed, TransferAction.Void, null, "transfer.bad_state")]
    public void Each_action_moves_a_transfer_only_from_the_states_that_allow_it(TransferKind kind, TransferState state, TransferAction action,
        TransferState? next, string? code)
    {
        var (to, refused) = TransferRules.Apply(kind, state, action);
        Assert.Equal(next, to);
        Assert.Equal(code, refused?.Code);
    }

    [Theory]
    [InlineData(TransferKind.Out, TransferState.Issued, true)]
    [InlineData(TransferKind.Out, TransferState.Accepted, true)]
    [InlineData(TransferKind.Out, TransferState.Completed, false)]
    [InlineData(TransferKind.Out, TransferState.Voided, false)]
    [InlineData(TransferKind.Within, TransferState.Requested, true)]
    [InlineData(TransferKind.Within, TransferState.Completed, false)]
    [InlineData(TransferKind.Certificate, TransferState.Completed, false)]
    public void The_sending_branch_stays_responsible_until_the_receipt_is_back(TransferKind kind, TransferState state, bool responsible) =>
        Assert.Equal(responsible, TransferRules.SenderResponsible(kind, state));

    [Theory]
    [InlineData(TransferState.Issued, "2026-12-20", null, "2026-12-12", null)]
    [InlineData(TransferState.Issued, "2026-12-20", null, "2026-12-13", TransferAlert.LetterExpiring)]
    [InlineData(TransferState.Issued, "2026-12-20", null, "2026-12-20", TransferAlert.LetterExpiring)]
    [InlineData(TransferState.Issued, "2026-12-20", null, "2026-12-21", TransferAlert.LetterExpired)]
    [InlineData(TransferState.Accepted, "2026-12-20", "2027-01-10", "2027-01-02", null)]
    [InlineData(TransferState.Accepted, "2026-12-20", "2027-01-10", "2027-01-03", TransferAlert.ReceiptDueSoon)]
    [InlineData(TransferState.Accepted, "2026-12-20", "2027-01-10", "2027-01-10", TransferAlert.ReceiptDueSoon)]
    [InlineData(TransferState.Accepted, "2026-12-20", "2027-01-10", "2027-01-11", TransferAlert.ReceiptLate)]
    [InlineData(TransferState.Completed, "2026-12-20", "2027-01-10", "2027-03-01", null)]
    [InlineData(TransferState.Voided, "2026-12-20", null, "2027-03-01", null)]
    public void A_letter_out_is_reminded_before_and_warned_after_its_validity_and_its_receipts_due_day(TransferState state, string until,
        string? due, string today, TransferAlert? alert) =>
        Assert.Equal(alert, TransferRules.Due(TransferKind.Out, state, D(until), due is null ? null : D(due), D(today)));

    [Theory]
    [InlineData(TransferAlert.LetterExpiring, false)]
    [InlineData(TransferAlert.LetterExpired, true)]
    [InlineData(TransferAlert.ReceiptDueSoon, false)]
    [InlineData(TransferAlert.ReceiptLate, true)]
    public void Only_an_expired_letter_and_a_late_receipt_warn_the_office(TransferAlert alert, bool office)
    {
        Assert.Equal(office, TransferRules.WarnsOffice(alert));
        Assert.InRange(TransferRules.Kind(alert).Length, 1, 16);
    }

    [Theory]
    [InlineData(TransferState.Accepted, "2027-01-07", "2027-01-07", false)]
    [InlineData(TransferState.Accepted, "2027-01-07", "2027-01-08", true)]
    [InlineData(TransferState.Completed, "2027-01-07", "2027-02-08", false)]
    [InlineData(TransferState.Issued, null, "2027-02-08", false)]
    public void A_receipt_is_overdue_the_day_after_its_due_day(TransferState state, string? due, string today, bool overdue) =>
        Assert.Equal(overdue, TransferRules.ReceiptOverdue(state, due is null ? null : D(due), D(today)));

    [Fact]
    public void A_letters_number_names_its_year_and_is_unique_by_the_transfers_id() =>
        Assert.Equal("2026-00042", TransferRules.LetterNumber(D("2026-12-07"), 42));
}
