using WxQms.Domain.Model;
using WxQms.Domain.Rules.Dues;

namespace WxQms.Tests.Dues;

/// <summary>The dues brackets (DUTIES.md §A.3), one case per bracket edge, in fen; the pay choice; arrears.</summary>
public sealed class DuesRulesTests
{
    [Theory]
    // In work: ≤ 3,000 → 0.5 %; ≤ 5,000 → 1 %; ≤ 10,000 → 1.5 %; above → 2 %. An edge belongs to the lower bracket.
    [InlineData(DuesCategory.Employed, 0, 0)]
    [InlineData(DuesCategory.Employed, 1, 0)] // 0.005 fen rounds to nothing
    [InlineData(DuesCategory.Employed, 100, 1)] // 0.5 fen rounds half up
    [InlineData(DuesCategory.Employed, 299_999, 1500)]
    [InlineData(DuesCategory.Employed, 300_000, 1500)]
    [InlineData(DuesCategory.Employed, 300_001, 3000)]
    [InlineData(DuesCategory.Employed, 450_000, 4500)]
    [InlineData(DuesCategory.Employed, 500_000, 5000)]
    [InlineData(DuesCategory.Employed, 500_001, 7500)]
    [InlineData(DuesCategory.Employed, 1_000_000, 15000)]
    [InlineData(DuesCategory.Employed, 1_000_001, 20000)]
    [InlineData(DuesCategory.Employed, 1_234_567, 24691)] // 24,691.34 fen
    [InlineData(DuesCategory.Employed, DuesRules.MaxBaseFen, 2_000_000)]
    // Retired: pension ≤ 5,000 → 0.5 %; above → 1 %.
    [InlineData(DuesCategory.Retired, 500_000, 2500)]
    [InlineData(DuesCategory.Retired, 500_001, 5000)]
    [InlineData(DuesCategory.Retired, 320_050, 1600)] // 1,600.25 fen
    // The fixed small amounts, whatever the base.
    [InlineData(DuesCategory.Student, 0, 20)]
    [InlineData(DuesCategory.Unemployed, 900_000, 20)]
    [InlineData(DuesCategory.Hardship, 0, 20)]
    public void The_monthly_amount_is_the_base_times_its_brackets_rate_in_fen(DuesCategory category, int baseFen, int expected) =>
        Assert.Equal(expected, DuesRules.StandardFen(category, baseFen));

    [Theory]
    [InlineData(300_000, 5)]
    [InlineData(300_001, 10)]
    [InlineData(500_000, 10)]
    [InlineData(500_001, 15)]
    [InlineData(1_000_000, 15)]
    [InlineData(1_000_001, 20)]
    public void A_base_on_an_edge_belongs_to_the_lower_bracket(int baseFen, int perMille) =>
        Assert.Equal(perMille, DuesRules.BracketOf(DuesCategory.Employed, baseFen).PerMille);

    [Fact]
    public void A_member_reads_how_her_amount_was_worked_out()
    {
        Assert.Equal("在职党员，月工资收入（税后）4,500.00元，属3000元以上至5000元（含）档，按1%交纳，每月45.00元",
            DuesRules.Amount(new DuesBasis(DuesCategory.Employed, 450_000)).Explanation);
        Assert.Equal("离退休党员，月养老金6,000.00元，属5000元以上档，按1%交纳，每月60.00元",
            DuesRules.Amount(new DuesBasis(DuesCategory.Retired, 600_000)).Explanation);
        Assert.Equal("学生党员每月交纳0.20元", DuesRules.Amount(new DuesBasis(DuesCategory.Student, 0)).Explanation);
        var special = DuesRules.Amount(new DuesBasis(DuesCategory.Employed, 800_000, 1000, "家庭困难"));
        Assert.Equal((1000, 12000), (special.MonthlyFen, special.StandardFen));
        Assert.EndsWith("按1.5%交纳，每月120.00元；经支部批准（家庭困难），每月少交为10.00元", special.Explanation);
    }

    [Theory]
    [InlineData(DuesCategory.Employed, 0, null, null, "请填写月收入（税后）或养老金")]
    [InlineData(DuesCategory.Employed, -1, null, null, "交纳基数应在0至100万元之间")]
    [InlineData(DuesCategory.Employed, 450_000, 4500, "困难", "少交后的金额应低于按标准计算的金额")]
    [InlineData(DuesCategory.Employed, 450_000, 4499, null, "少交党费须填写支部批准的原因")]
    [InlineData(DuesCategory.Employed, 450_000, null, "困难", "填写了少交原因，请同时填写少交后的金额")]
    [InlineData(DuesCategory.Employed, 450_000, 4499, "困难", null)]
    [InlineData(DuesCategory.Employed, 450_000, 0, "经批准免交", null)]
    [InlineData(DuesCategory.Student, 0, null, null, null)]
    public void A_special_lower_amount_needs_the_branchs_reason_and_must_be_lower(DuesCategory category, int baseFen, int? special,
        string? reason, string? refusal) =>
        Assert.Equal(refusal, DuesRules.Refusal(new DuesBasis(category, baseFen, special, reason)));

    [Theory]
    [InlineData(MemberStatus.Full, null, "2026-01", true)]
    [InlineData(MemberStatus.Probationary, "2026-05-20", "2026-04", false)]
    [InlineData(MemberStatus.Probationary, "2026-05-20", "2026-05", true)] // from the admission month
    [InlineData(MemberStatus.Probationary, "2026-05-20", "2026-06", true)]
    [InlineData(MemberStatus.Probationary, null, "2026-05", true)]
    [InlineData(MemberStatus.TransferredOut, null, "2026-05", false)]
    [InlineData(MemberStatus.Deceased, null, "2026-05", false)]
    public void Probationary_members_owe_from_their_admission_month(MemberStatus status, string? admitted, string month, bool owes) =>
        Assert.Equal(owes, DuesRules.Owes(status, admitted is null ? null : DateOnly.Parse(admitted), null, DuesMonth.Parse(month)));

    [Fact]
    public void Yuan_is_written_from_fen_without_floating_point() =>
        Assert.Equal(["0.00", "0.20", "45.12", "1,234.05", "-3.10"], new long[] { 0, 20, 4512, 123405, -310 }.Select(DuesRules.Yuan));

    private static readonly DuesMonth Nov = new(2026, 11);

    private static List<OpenMonth> Rows(params (string Month, bool Open)[] rows) =>
        rows.Select(r => new OpenMonth(DuesMonth.Parse(r.Month), r.Open)).ToList();

    [Theory]
    [InlineData("2026-09,2026-10,2026-11", null)]
    [InlineData("2026-11,2026-10,2026-09", null)] // any order
    [InlineData("2026-09", null)]
    [InlineData("2026-10", "请从最早欠交的2026年9月开始交纳")]
    [InlineData("2026-09,2026-11", "请按月份顺序连续选择，中间不能跳过")]
    [InlineData("2026-08,2026-09", "2026年8月的党费已结清")]
    [InlineData("2026-09,2026-10,2026-11,2026-12", null)] // ahead to December
    [InlineData("2026-09,2026-10,2026-11,2026-12,2027-01", "最多预交到2026年12月")]
    [InlineData("2026-09,2026-09", "所选月份有重复或过多")]
    [InlineData("", "请选择要交纳的月份")]
    [InlineData("2026-03", "2026年3月没有应交的党费")]
    public void Months_are_paid_in_order_from_the_earliest_owed_and_ahead_only_to_December(string chosen, string? refusal)
    {
        var months = Rows(("2026-08", false), ("2026-09", true), ("2026-10", true), ("2026-11", true), ("2026-12", true));
        var picked = chosen.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(DuesMonth.Parse).ToList();
        Assert.Equal(refusal, DuesChoice.Refusal(picked, months, Nov));
    }

    [Theory]
    [InlineData(0, ArrearsStep.None)]
    [InlineData(1, ArrearsStep.Remind)]
    [InlineData(2, ArrearsStep.Remind)]
    [InlineData(3, ArrearsStep.Talk)]
    [InlineData(5, ArrearsStep.Talk)]
    [InlineData(6, ArrearsStep.Committee)]
    [InlineData(9, ArrearsStep.Committee)]
    public void Arrears_remind_then_ask_for_a_talk_after_three_months_and_go_to_the_committee_after_six(int owed, ArrearsStep step) =>
        Assert.Equal(step, Arrears.Step(owed));

    [Fact]
    public void A_paid_or_waived_month_breaks_the_run_of_months_owed()
    {
        var open = new Dictionary<DuesMonth, bool>
        {
            [new(2026, 5)] = true, [new(2026, 6)] = false, [new(2026, 7)] = true, [new(2026, 8)] = true, [new(2026, 9)] = true,
        };
        Assert.Equal(3, Arrears.RunOwed(open, new DuesMonth(2026, 9)));
        Assert.Equal(0, Arrears.RunOwed(open, new DuesMonth(2026, 6)));
        Assert.Equal(DuesState.PartlyPaid, Arrears.StateOf(4500, 1000));
        Assert.Equal(DuesState.Paid, Arrears.StateOf(4500, 4500));
        Assert.Equal(DuesState.Owed, Arrears.StateOf(4500, 0));
    }
}
