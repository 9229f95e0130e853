using Microsoft.Extensions.Configuration;
using WxQms.Domain.Sms;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Sms;

/// <summary>
/// SMS switched on in the running app's configuration (off by default: Sms:Provider empty) for a test class, and off again
/// at its end, so the classes after it find SMS as the tests' settings leave it.
/// </summary>
public sealed class SmsSwitch(WxQmsApp app)
{
    private IConfigurationRoot Configuration => (IConfigurationRoot)app.Get<IConfiguration>();

    /// <param name="essentialKind">A kind of notice that still goes by SMS when the month's budget is used.</param>
    /// <param name="monthlyBudgetUnits">The month's budget in billing units; 0, none.</param>
    public void On(string? essentialKind = null, int monthlyBudgetUnits = 0)
    {
        Configuration["Sms:Provider"] = SmsOptions.Tencent;
        Configuration["Sms:EssentialKinds:0"] = essentialKind;
        Configuration["Sms:MonthlyBudgetUnits"] = monthlyBudgetUnits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Configuration.Reload();
    }

    public ValueTask OffAsync()
    {
        Configuration["Sms:Provider"] = "";
        Configuration["Sms:EssentialKinds:0"] = null;
        Configuration["Sms:MonthlyBudgetUnits"] = "0";
        Configuration.Reload();
        return ValueTask.CompletedTask;
    }
}
