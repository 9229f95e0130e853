namespace WxQms.Domain.Sms;

/// <summary>
/// One message to one mainland number (<c>+86</c> and 11 digits) from an approved template and its numbered
/// parameters; <paramref name="SessionContext"/> comes back with the provider's receipt.
/// </summary>
public sealed record SmsRequest(string Phone, string TemplateId, IReadOnlyList<string> Params, string SessionContext);

/// <summary>The provider's answer for the number: <c>Ok</c> and its serial number, or its error code and message.</summary>
public sealed record SmsSendResult(string Code, string Message, string? SerialNo = null, int Fee = 0)
{
    public const string OkCode = "Ok";

    public bool IsOk => Code == OkCode;
}

/// <summary>
/// An SMS provider. A failure to reach it throws (the send is then in doubt); an answer, accepted or refused,
/// is a <see cref="SmsSendResult"/>.
/// </summary>
public interface ISmsProvider
{
    Task<SmsSendResult> SendAsync(SmsRequest request, CancellationToken ct);
}

/// <summary>Tencent Cloud SMS error codes the sender acts on (SendSms, API 3.0).</summary>
public static class SmsErrors
{
    public const string SignatureFailure = "AuthFailure.SignatureFailure";
    public const string TemplateUnapproved = "FailedOperation.TemplateIncorrectOrUnapproved";
    public const string InsufficientBalance = "FailedOperation.InsufficientBalanceInSmsPackage";
    public const string IncorrectPhoneNumber = "InvalidParameterValue.IncorrectPhoneNumber";
    public const string ThirtySecondLimit = "LimitExceeded.PhoneNumberThirtySecondLimit";
    public const string OneHourLimit = "LimitExceeded.PhoneNumberOneHourLimit";
    public const string DailyLimit = "LimitExceeded.PhoneNumberDailyLimit";
    public const string SameContentDailyLimit = "LimitExceeded.PhoneNumberSameContentDailyLimit";

    public static bool IsFrequencyLimit(string code) => code.StartsWith("LimitExceeded.PhoneNumber", StringComparison.Ordinal);
}
